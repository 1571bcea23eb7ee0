"""JUnit XML, valid against the strict Ant schema (windyroad ``JUnit.xsd``).

Layout: one ``<testsuite>`` per linted file, named by its path, and in it one
``<testcase>`` per finding, each with one ``<failure>``. A file with no finding
gets a single passing test case, so the totals read "files checked, findings
failed" and a clean page shows as a pass rather than disappearing. A file error
is a test case with an ``<error>``. One test case per finding (rather than one
per file) is what lets GitLab, Jenkins and Azure list each finding on its own
row; the schema allows only one failure per test case.

The schema requires attributes no linter measures (``hostname``, ``timestamp``,
``time``): ``time`` is ``0``, and ``timestamp`` honours ``SOURCE_DATE_EPOCH``
so builds can be reproducible. The XML is written as ASCII with character
references, so it is correct whatever encoding the stream has.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, TextIO

from healthlint.builtin.outputs.sarif import help_uri
from healthlint.fingerprint import normalise_path
from healthlint.types import Diagnostic, FileError, FileResult, OutputContext, Report

if TYPE_CHECKING:  # ElementTree is imported when XML is written, not at start-up
    import xml.etree.ElementTree as ET

PACKAGE = "healthlint"
CLEAN_CASE = "no findings"



@cache
def _xml_illegal() -> re.Pattern[str]:
    # Compiled on first use: this set of ranges takes longer to compile than most pages
    # take to lint, and only the XML outputs need it.
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold (controls, lone surrogates)
    replaced by U+FFFD, and line endings made ``\\n``."""
    return _xml_illegal().sub("\ufffd", text.replace("\r\n", "\n"))


def write_xml(root: ET.Element, stream: TextIO) -> None:
    """Write ``root`` indented, with a declaration, as ASCII plus character references."""
    import xml.etree.ElementTree as ET

    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="us-ascii").decode("ascii"))
    stream.write("\n")


def _timestamp(environ: Mapping[str, str]) -> str:
    # Imported here: every run loads the outputs, few write JUnit, and datetime is 3 ms.
    from datetime import datetime, timezone

    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (
        datetime.fromtimestamp(int(epoch), timezone.utc)
        if epoch.isdigit()
        else datetime.now(timezone.utc)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _failure_case(parent: ET.Element, diagnostic: Diagnostic, path: str) -> None:
    import xml.etree.ElementTree as ET

    where = f"{diagnostic.start.line}:{diagnostic.start.column}"
    case = ET.SubElement(
        parent,
        "testcase",
        name=xml_text(f"{diagnostic.code} {diagnostic.rule} at {where}"),
        classname=xml_text(path),
        time="0",
    )
    failure = ET.SubElement(
        case,
        "failure",
        message=xml_text(diagnostic.message),
        type=xml_text(diagnostic.code),
    )
    failure.text = xml_text(
        f"{path}:{where}: {diagnostic.severity} {diagnostic.code} [{diagnostic.rule}] "
        f"{diagnostic.message}\nSee {help_uri(diagnostic.code)}"
    )


def _error_case(parent: ET.Element, error: FileError, path: str) -> None:
    import xml.etree.ElementTree as ET

    where = f":{error.line}" if error.line is not None else ""
    if error.line is not None and error.column is not None:
        where += f":{error.column}"
    case = ET.SubElement(parent, "testcase", name="file error", classname=xml_text(path), time="0")
    element = ET.SubElement(
        case, "error", message=xml_text(error.message), type=f"file-{error.severity}"
    )
    element.text = xml_text(f"{path}{where}: {error.message}")


def _suite(
    parent: ET.Element, file: FileResult, index: int, path: str, attributes: dict[str, str]
) -> None:
    import xml.etree.ElementTree as ET

    counts = {
        "name": xml_text(path),
        "package": PACKAGE,
        "id": str(index),
        "tests": str(len(file.diagnostics) + len(file.errors) or 1),
        "failures": str(len(file.diagnostics)),
        "errors": str(len(file.errors)),
    }
    suite = ET.SubElement(parent, "testsuite", {**counts, **attributes})
    ET.SubElement(suite, "properties")
    for error in file.errors:
        _error_case(suite, error, path)
    for diagnostic in sorted(file.diagnostics, key=Diagnostic.sort_key):
        _failure_case(suite, diagnostic, path)
    if not file.diagnostics and not file.errors:
        ET.SubElement(suite, "testcase", name=CLEAN_CASE, classname=xml_text(path), time="0")
    ET.SubElement(suite, "system-out")
    ET.SubElement(suite, "system-err")


def junit_tree(report: Report, context: OutputContext) -> ET.Element:
    """The ``<testsuites>`` element for ``report``."""
    import socket
    import xml.etree.ElementTree as ET

    environ: Mapping[str, str] = context.options.get("environ", os.environ)
    attributes = {
        "timestamp": _timestamp(environ),
        "hostname": xml_text(socket.gethostname().strip() or "localhost"),
        "time": "0",
    }
    root = ET.Element("testsuites")
    files = sorted(
        ((normalise_path(f.path, context.root), f) for f in report.files), key=lambda pair: pair[0]
    )
    for index, (path, file) in enumerate(files):
        _suite(root, file, index, path, attributes)
    return root


class JunitOutput:
    """JUnit XML test report: one test suite per file, one failing test case per finding."""

    name = "junit"
    description = "JUnit XML report (one test suite per file, one failure per finding)"

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        write_xml(junit_tree(report, context), stream)
