"""Checkstyle XML: one file element per linted file, one error element per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from healthlint.builtin.outputs.checkstyle import CheckstyleOutput
from outputs.builders import BROKEN, CLEAN, SPACED, render, sample_report


def files() -> dict[str, ET.Element]:
    root = ET.fromstring(render(CheckstyleOutput(), sample_report()))
    assert root.tag == "checkstyle"
    assert root.get("version") == "4.3"
    return {element.get("name", ""): element for element in root.findall("file")}


def test_every_linted_file_is_listed_in_path_order() -> None:
    names = list(files())
    assert names == sorted(names)
    assert CLEAN in names and "content/win dir/page.md" in names


def test_findings_carry_line_column_severity_message_and_source() -> None:
    errors = files()[SPACED].findall("error")
    assert [e.attrib for e in errors] == [
        {
            "line": "3",
            "column": "11",
            "severity": "warning",
            "message": "Success rate without a source",
            "source": "healthlint.HL101.efficacy-rate-unqualified",
        },
        {
            "line": "4",
            "column": "11",
            "severity": "error",
            "message": "Claim to cure a disease",
            "source": "healthlint.HL104.cure-claim",
        },
    ]


def test_info_and_file_errors() -> None:
    by_name = files()
    (vague,) = by_name["content/win dir/page.md"].findall("error")
    assert vague.get("severity") == "info"
    (broken,) = by_name[BROKEN].findall("error")
    assert broken.attrib == {
        "line": "1",
        "column": "13",
        "severity": "error",
        "message": "could not fully check this file: not valid UTF-8 at byte 12",
        "source": "healthlint.file-error",
    }
    assert by_name[CLEAN].findall("error") == []
