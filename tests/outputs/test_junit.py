"""JUnit XML: valid against the strict Ant schema, with correct counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import xmlschema

from healthlint.builtin.outputs.junit import JunitOutput, xml_text
from healthlint.types import Report
from outputs.builders import (
    BROKEN,
    CLEAN,
    RULES,
    SPACED,
    flag,
    render,
    report,
    result,
    sample_report,
)


def junit(rep: Report, environ: dict[str, str] | None = None) -> str:
    return render(JunitOutput(), rep, options={"environ": environ or {}})


def suites(text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    return {suite.get("name", ""): suite for suite in root}


def test_sample_report_is_valid(junit_schema: xmlschema.XMLSchema) -> None:
    junit_schema.validate(junit(sample_report()))


def test_empty_report_is_valid(junit_schema: xmlschema.XMLSchema) -> None:
    text = junit(report())
    junit_schema.validate(text)
    assert len(ET.fromstring(text)) == 0


def test_one_suite_per_file_with_counts() -> None:
    by_name = suites(junit(sample_report()))
    assert list(by_name) == sorted(by_name)
    counts = {
        name: (s.get("tests"), s.get("failures"), s.get("errors")) for name, s in by_name.items()
    }
    assert counts == {
        SPACED: ("2", "2", "0"),
        "content/café #1 100%.md": ("2", "2", "0"),
        "content/win dir/page.md": ("1", "1", "0"),
        CLEAN: ("1", "0", "0"),
        BROKEN: ("1", "0", "1"),
    }
    for index, suite in enumerate(by_name.values()):
        assert suite.get("package") == "healthlint"
        assert suite.get("id") == str(index)
        assert len(suite.findall("testcase")) == int(suite.get("tests", ""))


def test_a_failure_per_finding() -> None:
    spaced = suites(junit(sample_report()))[SPACED]
    cases = spaced.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "HL101 efficacy-rate-unqualified at 3:11",
        "HL104 cure-claim at 4:11",
    ]
    assert {c.get("classname") for c in cases} == {SPACED}
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "HL104"
    assert failure.get("message") == RULES["HL104"].message
    assert failure.text is not None
    assert failure.text.startswith(f"{SPACED}:4:11: error HL104 [cure-claim] ")
    assert failure.text.endswith("/docs/rules/HL104.md")


def test_clean_files_pass_and_file_errors_are_errors() -> None:
    by_name = suites(junit(sample_report()))
    (clean,) = by_name[CLEAN].findall("testcase")
    assert clean.get("name") == "no findings" and len(clean) == 0
    (broken,) = by_name[BROKEN].findall("testcase")
    error = broken.find("error")
    assert error is not None
    assert error.get("type") == "file-error"
    assert error.get("message") == "not valid UTF-8 at byte 12"
    assert error.text == f"{BROKEN}:1:13: not valid UTF-8 at byte 12"


def test_timestamp_honours_source_date_epoch() -> None:
    text = junit(sample_report(), {"SOURCE_DATE_EPOCH": "1700000000"})
    assert {s.get("timestamp") for s in suites(text).values()} == {"2023-11-14T22:13:20"}
    assert junit(sample_report(), {"SOURCE_DATE_EPOCH": "1700000000"}) == text


def test_control_characters_and_lone_surrogates_cannot_break_the_xml(
    junit_schema: xmlschema.XMLSchema,
) -> None:
    source = "Cures eczema.\n"
    message = 'form\x0cfeed, bell\x07, nul\x00, surrogate \udcff and ]]> <tag> & "quotes"'
    rep = report(
        result("a\x01.md", source, [flag("a\x01.md", source, "Cures", "HL104", message=message)])
    )
    text = junit(rep)
    junit_schema.validate(text)
    failure = ET.fromstring(text).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == xml_text(message)
    assert ']]> <tag> & "quotes"' in (failure.get("message") or "")


def test_output_is_ascii_with_a_utf8_declaration() -> None:
    text = junit(sample_report())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    text.encode("ascii")
    assert "content/caf&#233; #1 100%.md" in text
