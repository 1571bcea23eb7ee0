"""SARIF: valid against the OASIS schema and complete for GitHub code scanning."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

from healthlint.builtin.outputs.sarif import HELP_URI_TEMPLATE, SarifOutput
from healthlint.types import FileError, FileResult, Report, Severity
from outputs.builders import (
    BROKEN,
    CLEAN,
    RULES,
    SPACED,
    SPACED_SOURCE,
    flag,
    render,
    report,
    result,
    sample_report,
)


def sarif(rep: Report, root: str = ".") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(SarifOutput(), rep, root=root))
    return data


def results_by_uri(log: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for res in log["runs"][0]["results"]:
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        grouped.setdefault(uri, []).append(res)
    return grouped


def test_sample_report_is_valid_sarif(sarif_validator: Draft4Validator) -> None:
    log = sarif(sample_report())
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])


def test_empty_report_is_valid_and_has_empty_results(sarif_validator: Draft4Validator) -> None:
    log = sarif(report(rules={}))
    sarif_validator.validate(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_log_header_and_driver() -> None:
    log = sarif(sample_report())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "healthlint"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert run["columnKind"] == "utf16CodeUnits"
    assert "automationDetails" not in run


def test_every_active_rule_is_described_in_code_order() -> None:
    rules = sarif(sample_report())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    cure = next(r for r in rules if r["id"] == "HL104")
    assert cure["name"] == "cure-claim"
    assert cure["shortDescription"]["text"] == RULES["HL104"].docs.summary
    assert cure["fullDescription"]["text"] == RULES["HL104"].docs.what
    assert cure["defaultConfiguration"] == {"level": "error"}
    assert cure["properties"]["tags"] == ["cure-claims", "core"]
    assert cure["helpUri"] == HELP_URI_TEMPLATE.format(code="HL104")
    assert cure["helpUri"].endswith("/docs/rules/HL104.md")
    markdown = cure["help"]["markdown"]
    for section in ("## What it flags", "## Why", "## What to write instead"):
        assert section in markdown
    assert RULES["HL104"].docs.instead in cure["help"]["text"]
    efficacy = next(r for r in rules if r["id"] == "HL101")
    assert "## References" in efficacy["help"]["markdown"]
    assert "FTC, Health Products Compliance Guidance (2022)" in efficacy["help"]["text"]


def test_rules_without_docs_still_have_the_texts_github_requires() -> None:
    rules = sarif(sample_report())["runs"][0]["tool"]["driver"]["rules"]
    vague = next(r for r in rules if r["id"] == "HL301")
    assert vague["shortDescription"]["text"] == RULES["HL301"].message
    assert vague["fullDescription"]["text"] == RULES["HL301"].message
    assert vague["help"]["text"]
    assert vague["defaultConfiguration"] == {"level": "note"}


def test_long_descriptions_are_cut_to_githubs_limit() -> None:
    long_rule = replace(
        RULES["HL101"], docs=replace(RULES["HL101"].docs, summary="word " * 400, what="x" * 2000)
    )
    rule = sarif(report(rules={"HL101": long_rule}))["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(rule["shortDescription"]["text"]) == 1024
    assert len(rule["fullDescription"]["text"]) == 1024


def test_results_point_at_rules_by_index_and_level() -> None:
    log = sarif(sample_report())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = {"HL101": "warning", "HL104": "error", "HL201": "error", "HL301": "note"}
    assert len(run["results"]) == 5
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == levels[res["ruleId"]]
        assert res["message"]["text"] == RULES[res["ruleId"]].message
        assert list(res["partialFingerprints"]) == ["healthlintClaimHash/v1"]
        assert "primaryLocationLineHash" not in res["partialFingerprints"]


def test_columns_are_utf16_code_units() -> None:
    spaced = results_by_uri(sarif(sample_report()))["content/my%20page.md"]
    rate, cure = spaced
    # "Results 😀 95% ...": the emoji is one code point but two UTF-16 units.
    assert rate["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 12,
        "endLine": 3,
        "endColumn": 36,
    }
    assert cure["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4,
        "startColumn": 11,
        "endLine": 4,
        "endColumn": 23,
    }


def test_document_level_and_multi_line_regions() -> None:
    by_uri = results_by_uri(sarif(sample_report()))
    page = by_uri["content/caf%C3%A9%20%231%20100%25.md"][0]
    assert page["ruleId"] == "HL201"
    assert page["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
        "endLine": 1,
        "endColumn": 1,
    }
    multi = by_uri["content/win%20dir/page.md"][0]
    assert multi["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
        "endLine": 2,
        "endColumn": 6,
    }


def test_uris_are_relative_percent_encoded_and_based_on_srcroot(tmp_path: Path) -> None:
    absolute = str(tmp_path / "site" / "a b#c.md")
    outside = str(tmp_path / "elsewhere" / "x.md")
    rep = report(
        result(absolute, "Cures eczema.\n", [flag(absolute, "Cures eczema.\n", "Cures", "HL104")]),
        result(outside, "Cures eczema.\n", [flag(outside, "Cures eczema.\n", "Cures", "HL104")]),
    )
    log = sarif(rep, root=str(tmp_path / "site"))
    run = log["runs"][0]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {"uri": "a%20b%23c.md", "uriBaseId": "%SRCROOT%"} in locations
    assert {"uri": (tmp_path / "elsewhere" / "x.md").as_uri()} in locations
    srcroot = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert srcroot == (tmp_path / "site").resolve().as_uri() + "/"


def test_fingerprints_survive_lines_added_above() -> None:
    before = sarif(
        report(
            result(SPACED, SPACED_SOURCE, [flag(SPACED, SPACED_SOURCE, "cures eczema", "HL104")])
        )
    )
    moved_source = "New banner line.\n\n" + SPACED_SOURCE
    after = sarif(
        report(result(SPACED, moved_source, [flag(SPACED, moved_source, "cures eczema", "HL104")]))
    )
    first, second = before["runs"][0]["results"][0], after["runs"][0]["results"][0]
    assert first["partialFingerprints"] == second["partialFingerprints"]
    region = second["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 6


def test_file_errors_become_notifications_and_fail_the_invocation() -> None:
    invocation = sarif(sample_report())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "not valid UTF-8 at byte 12"
    location = notification["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": BROKEN, "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 1, "startColumn": 13}


def test_a_warning_file_error_leaves_the_run_successful(sarif_validator: Draft4Validator) -> None:
    source = "<p>😀 unclosed\n"
    warned = FileResult(
        "page.html",
        [],
        [FileError("page.html", "unclosed <p>", line=1, column=5, severity=Severity.WARNING)],
        source,
    )
    log = sarif(report(warned, result(CLEAN, "ok\n")))
    sarif_validator.validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notification = invocation["toolExecutionNotifications"][0]
    assert notification["level"] == "warning"
    assert notification["locations"][0]["physicalLocation"]["region"]["startColumn"] == 6


def test_codes_without_a_rule_get_a_stand_in_descriptor(sarif_validator: Draft4Validator) -> None:
    log = sarif(
        report(
            result(SPACED, SPACED_SOURCE, [flag(SPACED, SPACED_SOURCE, "cures eczema", "HL104")]),
            rules={},
        )
    )
    sarif_validator.validate(log)
    run = log["runs"][0]
    (descriptor,) = run["tool"]["driver"]["rules"]
    assert descriptor["id"] == "HL104"
    assert descriptor["shortDescription"]["text"]
    assert run["results"][0]["ruleIndex"] == 0


def test_no_security_severity_anywhere() -> None:
    text = render(SarifOutput(), sample_report())
    assert "security-severity" not in text
    assert '"security"' not in text


def test_output_is_ascii_json() -> None:
    text = render(SarifOutput(), sample_report())
    text.encode("ascii")
    assert text.endswith("}\n")
