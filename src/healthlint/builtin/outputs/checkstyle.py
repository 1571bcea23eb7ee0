"""Checkstyle XML, the lingua franca of review bots (reviewdog, Jenkins Warnings NG,
Danger): ``<checkstyle><file name=…><error line column severity message source/>``.

Columns are 1-based code points, as in healthlint's text output; ``source`` is
``healthlint.<code>.<slug>``, the dotted form these tools group by.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from healthlint.builtin.outputs.junit import write_xml, xml_text
from healthlint.fingerprint import normalise_path
from healthlint.types import Diagnostic, FileError, OutputContext, Report, Severity

if TYPE_CHECKING:  # ElementTree is imported when XML is written, not at start-up
    import xml.etree.ElementTree as ET

CHECKSTYLE_VERSION = "4.3"
"""The format version most consumers expect in the root element."""

SEVERITIES: Mapping[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "info",
    Severity.OFF: "ignore",
}


def _finding(parent: ET.Element, diagnostic: Diagnostic) -> None:
    import xml.etree.ElementTree as ET

    ET.SubElement(
        parent,
        "error",
        line=str(diagnostic.start.line),
        column=str(diagnostic.start.column),
        severity=SEVERITIES[diagnostic.severity],
        message=xml_text(diagnostic.message),
        source=xml_text(f"healthlint.{diagnostic.code}.{diagnostic.rule}"),
    )


def _file_error(parent: ET.Element, error: FileError) -> None:
    import xml.etree.ElementTree as ET

    attributes = {}
    if error.line is not None:
        attributes["line"] = str(error.line)
        if error.column is not None:
            attributes["column"] = str(error.column)
    ET.SubElement(
        parent,
        "error",
        attributes,
        severity=SEVERITIES[error.severity],
        message=xml_text(f"could not fully check this file: {error.message}"),
        source="healthlint.file-error",
    )


def checkstyle_tree(report: Report, root: str) -> ET.Element:
    """The ``<checkstyle>`` element: every linted file, with its errors and findings."""
    import xml.etree.ElementTree as ET

    tree = ET.Element("checkstyle", version=CHECKSTYLE_VERSION)
    files = sorted(
        ((normalise_path(f.path, root), f) for f in report.files), key=lambda pair: pair[0]
    )
    for path, file in files:
        element = ET.SubElement(tree, "file", name=xml_text(path))
        for error in file.errors:
            _file_error(element, error)
        for diagnostic in sorted(file.diagnostics, key=Diagnostic.sort_key):
            _finding(element, diagnostic)
    return tree


class CheckstyleOutput:
    """Checkstyle XML for review bots and CI plugins that read it."""

    name = "checkstyle"
    description = "Checkstyle XML (reviewdog, Jenkins Warnings NG, Danger)"

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        write_xml(checkstyle_tree(report, context.root), stream)
