"""The schema validators the output tests share, built once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xmlschema
from jsonschema import Draft4Validator, FormatChecker

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="session")
def sarif_validator() -> Draft4Validator:
    """The OASIS schema, checked with its own draft and with URI formats enforced."""
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    checker = FormatChecker()
    assert "uri-reference" in checker.checkers, "install rfc3986-validator to check URIs"
    return Draft4Validator(schema, format_checker=checker)


@pytest.fixture(scope="session")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "JUnit.xsd"))
