"""The CI outputs honour the OutputFormat contract and the built-in layering rule."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from healthlint.builtin.outputs.checkstyle import CheckstyleOutput
from healthlint.builtin.outputs.github import GithubOutput
from healthlint.builtin.outputs.gitlab import GitlabOutput
from healthlint.builtin.outputs.junit import JunitOutput
from healthlint.builtin.outputs.sarif import SarifOutput
from healthlint.types import OutputFormat

OUTPUTS: dict[str, type] = {
    "sarif": SarifOutput,
    "github": GithubOutput,
    "gitlab": GitlabOutput,
    "junit": JunitOutput,
    "checkstyle": CheckstyleOutput,
}

ALLOWED = {"healthlint", "healthlint.types", "healthlint.fingerprint", "healthlint.display"}


@pytest.mark.parametrize(("name", "cls"), OUTPUTS.items())
def test_output_format_contract(name: str, cls: type) -> None:
    output = cls()
    assert isinstance(output, OutputFormat)
    assert output.name == name
    assert output.description


@pytest.mark.parametrize("cls", OUTPUTS.values(), ids=list(OUTPUTS))
def test_imports_only_the_public_api(cls: type) -> None:
    module = sys.modules[cls.__module__]
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
            )
            for name in names:
                top = name.split(".")[0]
                if top == "healthlint":
                    assert name in ALLOWED or name.startswith("healthlint.builtin.outputs."), name
                else:
                    assert top in sys.stdlib_module_names or top == "__future__", name
