"""GitLab Code Quality: the fields GitLab documents as required, unique fingerprints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from healthlint.builtin.outputs.gitlab import GitlabOutput
from healthlint.types import FileError, FileResult, Report, Severity
from outputs.builders import BROKEN, flag, page_level, render, report, result, sample_report

# From GitLab's documentation of the Code Quality report format
# (https://docs.gitlab.com/ci/testing/code_quality/): a JSON array of objects with
# description, check_name, fingerprint, severity, location.path and either
# location.lines.begin or location.positions.begin.line. GitLab publishes no schema file.
POSITIVE_LINE = {"type": "integer", "minimum": 1}
GITLAB_CODE_QUALITY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    # Relative, with forward slashes.
                    "path": {"type": "string", "minLength": 1, "pattern": r"^[^/\\][^\\]*$"},
                },
                "anyOf": [
                    {
                        "required": ["lines"],
                        "properties": {
                            "lines": {
                                "type": "object",
                                "required": ["begin"],
                                "properties": {"begin": POSITIVE_LINE},
                            }
                        },
                    },
                    {
                        "required": ["positions"],
                        "properties": {
                            "positions": {
                                "type": "object",
                                "required": ["begin"],
                                "properties": {
                                    "begin": {
                                        "type": "object",
                                        "required": ["line"],
                                        "properties": {"line": POSITIVE_LINE},
                                    }
                                },
                            }
                        },
                    },
                ],
            },
        },
    },
}


def issues(rep: Report) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(render(GitlabOutput(), rep))
    return data


def test_sample_report_matches_the_documented_format() -> None:
    Draft202012Validator.check_schema(GITLAB_CODE_QUALITY_SCHEMA)
    Draft202012Validator(GITLAB_CODE_QUALITY_SCHEMA).validate(issues(sample_report()))


def test_empty_report_is_an_empty_array() -> None:
    assert render(GitlabOutput(), report()) == "[]\n"


def test_no_byte_order_mark_and_ascii_only() -> None:
    text = render(GitlabOutput(), sample_report())
    assert not text.startswith("\ufeff")
    text.encode("ascii")


def test_fields_of_a_finding() -> None:
    by_check = {i["check_name"]: i for i in issues(sample_report())}
    cure = by_check["HL104"]
    assert cure["description"] == "HL104 (cure-claim): Claim to cure a disease"
    assert cure["severity"] == "major"
    assert cure["location"] == {
        "path": "content/my page.md",
        "positions": {"begin": {"line": 4, "column": 11}, "end": {"line": 4, "column": 23}},
    }


@pytest.mark.parametrize(
    ("severity", "expected"),
    [(Severity.ERROR, "major"), (Severity.WARNING, "minor"), (Severity.INFO, "info")],
)
def test_severity_mapping(severity: Severity, expected: str) -> None:
    source = "Cures eczema.\n"
    rep = report(
        result("a.md", source, [flag("a.md", source, "Cures", "HL104", severity=severity)])
    )
    assert issues(rep)[0]["severity"] == expected


def test_file_errors_are_critical_issues() -> None:
    by_check = {i["check_name"]: i for i in issues(sample_report())}
    broken = by_check["healthlint/file-error"]
    assert broken["severity"] == "critical"
    assert broken["location"] == {"path": BROKEN, "lines": {"begin": 1}}
    assert "not valid UTF-8" in broken["description"]
    warned = FileResult("b.md", [], [FileError("b.md", "odd markup", severity=Severity.WARNING)])
    assert issues(report(warned))[0]["severity"] == "minor"


def test_fingerprints_are_unique_even_for_identical_findings() -> None:
    source = "Cures eczema. Cures eczema.\n"
    twice = [flag("a.md", source, "Cures", "HL104"), flag("a.md", source, "Cures", "HL104", nth=1)]
    same_file_twice = report(
        result("a.md", source, twice),
        result("a.md", source, twice),
        FileResult("b.md", [], [FileError("b.md", "boom"), FileError("b.md", "boom")]),
        result("c.md", source, [page_level("c.md", source), page_level("c.md", source)]),
    )
    prints = [i["fingerprint"] for i in issues(same_file_twice)]
    assert len(prints) == 8
    assert len(set(prints)) == 8


def test_fingerprint_does_not_depend_on_the_line() -> None:
    source = "Cures eczema.\n"
    moved = "Intro.\n\n" + source
    first = issues(report(result("a.md", source, [flag("a.md", source, "Cures", "HL104")])))
    second = issues(report(result("a.md", moved, [flag("a.md", moved, "Cures", "HL104")])))
    assert first[0]["fingerprint"] == second[0]["fingerprint"]
    assert first[0]["location"] != second[0]["location"]
