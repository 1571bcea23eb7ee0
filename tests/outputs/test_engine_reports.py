"""The CI outputs on a report from the real engine, not a hand-built one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xmlschema
from jsonschema import Draft4Validator

from healthlint import lint_paths
from healthlint.builtin.outputs.github import GithubOutput
from healthlint.builtin.outputs.junit import JunitOutput
from healthlint.builtin.outputs.sarif import SarifOutput
from outputs.builders import render
from outputs.test_github import commands

PAGE = """# Our clinic 😀

Our stem cell therapy 😀 helps 95% of patients with knee pain.

This supplement cures arthritis, guaranteed.

Studies show it works.
"""


def test_engine_report_renders_valid_ci_outputs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sarif_validator: Draft4Validator,
    junit_schema: xmlschema.XMLSchema,
) -> None:
    (tmp_path / "my pages").mkdir()
    (tmp_path / "my pages" / "café 😀.md").write_text(PAGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = lint_paths(["."])
    assert report.diagnostics, "the page is written to trigger the shipped rules"

    log = json.loads(render(SarifOutput(), report, root=str(tmp_path)))
    sarif_validator.validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(report.diagnostics)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "my%20pages/caf%C3%A9%20%F0%9F%98%80.md"
    }

    junit_schema.validate(render(JunitOutput(), report, root=str(tmp_path)))

    parsed = commands(render(GithubOutput(), report, root=str(tmp_path)))
    assert {c.properties["file"] for c in parsed} == {"my pages/café 😀.md"}
