"""The schema validators and the headless browser the output tests share, built once per session."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium driven through chromedriver (Debian ``chromium``, ``chromium-driver``).

    Outside CI a machine without them skips the browser tests; in CI (``CI`` set, and
    ``.ci/run`` installs both) their absence fails, so the tests can never silently vanish.
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        reason = ("headless Chromium and chromedriver are needed "
                  "(apt-get install chromium chromium-driver)")
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs them, so in CI this is a failure")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()
