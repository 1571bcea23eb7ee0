"""GitHub Actions workflow commands: one annotation line per finding.

The runner reads each stdout line that starts with ``::`` as a command, splits
the properties on ``,`` and the first ``=``, and takes everything after the
second ``::`` as the message. Linted pages are untrusted text, so every value is
escaped as the runner unescapes it (``actions/toolkit`` ``escapeData`` and
``escapeProperty``): a page cannot end an annotation early, add properties or
start a command of its own.

Only about ten annotations of each kind are shown per step, so when
``GITHUB_STEP_SUMMARY`` is set the full picture (findings per rule and per
file) is appended to the job summary as Markdown.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import TextIO

from healthlint.builtin.outputs.sarif import help_uri, utf16_column
from healthlint.display import visible
from healthlint.fingerprint import normalise_path
from healthlint.types import Diagnostic, FileError, FileResult, OutputContext, Report, Severity

COMMANDS: Mapping[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.OFF: "notice",
}

SUMMARY_ROWS = 200
"""Rows per summary table: the job summary is capped at 1 MiB per step."""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&$])")


def escape_data(text: str) -> str:
    """Escape a command's message the way the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as message data, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Mapping[str, object], message: str) -> str:
    """One workflow command line, every part escaped: control characters from pages and
    file names are shown (:func:`healthlint.display.visible`), never passed on, so the
    Actions log cannot be recoloured and no value can break the line."""
    props = ",".join(f"{key}={escape_property(visible(str(value)))}"
                     for key, value in properties.items())
    return f"::{name} {props}::{escape_data(visible(message))}"


def _diagnostic_properties(
    diagnostic: Diagnostic, source: str | None, root: str
) -> dict[str, object]:
    properties: dict[str, object] = {
        "file": normalise_path(diagnostic.path, root),
        "line": diagnostic.start.line,
        "endLine": diagnostic.end.line,
    }
    # The runner drops columns on multi-line spans; columns are UTF-16 as in SARIF.
    if diagnostic.start.line == diagnostic.end.line:
        properties["col"] = utf16_column(source, diagnostic.span.start, diagnostic.start.column)
        properties["endColumn"] = utf16_column(source, diagnostic.span.end, diagnostic.end.column)
    properties["title"] = f"healthlint {diagnostic.code} ({diagnostic.rule})"
    return properties


def _error_properties(error: FileError, root: str) -> dict[str, object]:
    properties: dict[str, object] = {"file": normalise_path(error.path, root)}
    if error.line is not None:
        properties["line"] = error.line
        if error.column is not None:
            properties["col"] = error.column
    properties["title"] = "healthlint: file not fully checked"
    return properties


def workflow_commands(report: Report, root: str) -> Iterator[str]:
    """Every workflow command line for ``report``: file errors first, then findings by file."""
    files = sorted(report.files, key=lambda file: normalise_path(file.path, root))
    for file in files:
        for error in file.errors:
            yield command(COMMANDS[error.severity], _error_properties(error, root), error.message)
    for file in files:
        for diagnostic in sorted(file.diagnostics, key=Diagnostic.sort_key):
            yield command(
                COMMANDS[diagnostic.severity],
                _diagnostic_properties(diagnostic, file.source, root),
                diagnostic.message,
            )


def markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, no pipes, no markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(" ".join(text.split())))


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * (len(header) - 1) + " ---: |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:SUMMARY_ROWS]]
    if len(rows) > SUMMARY_ROWS:
        lines.append("")
        lines.append(f"… and {len(rows) - SUMMARY_ROWS} more.")
    return lines


def _rule_rows(report: Report) -> list[tuple[str, ...]]:
    counts = Counter((d.code, d.rule) for d in report.diagnostics)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        (f"[{markdown_cell(code)}]({help_uri(code)})", markdown_cell(slug), str(count))
        for (code, slug), count in ordered
    ]


def _file_rows(files: list[FileResult], root: str) -> list[tuple[str, ...]]:
    counts = {normalise_path(f.path, root): len(f.diagnostics) for f in files if f.diagnostics}
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(markdown_cell(path), str(count)) for path, count in ordered]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def step_summary(report: Report, root: str) -> str:
    """The Markdown appended to the job summary."""
    diagnostics = report.diagnostics
    by_severity = Counter(d.severity for d in diagnostics)
    lines = ["## healthlint", ""]
    files = _count(len(report.files), "file")
    if diagnostics:
        lines.append(
            f"{_count(len(diagnostics), 'finding')} "
            f"({_count(by_severity[Severity.ERROR], 'error')}, "
            f"{_count(by_severity[Severity.WARNING], 'warning')}, "
            f"{_count(by_severity[Severity.INFO], 'notice')}) "
            f"in {sum(1 for f in report.files if f.diagnostics)} of {files}."
        )
        lines += ["", "### Findings per rule", ""]
        lines += _table(("Code", "Rule", "Findings"), _rule_rows(report))
        lines += ["", "### Findings per file", ""]
        lines += _table(("File", "Findings"), _file_rows(report.files, root))
    else:
        lines.append(f"No findings in {files}.")
    errors = report.errors
    if errors:
        lines += ["", f"### Files not fully checked ({len(errors)})", ""]
        lines += [
            f"- {markdown_cell(normalise_path(e.path, root))}: {markdown_cell(e.message)}"
            for e in errors[:SUMMARY_ROWS]
        ]
        if len(errors) > SUMMARY_ROWS:
            lines.append(f"- … and {len(errors) - SUMMARY_ROWS} more.")
    return "\n".join(lines) + "\n\n"


class GithubOutput:
    """Annotations for GitHub Actions, plus a job summary when the runner offers one."""

    name = "github"
    description = "GitHub Actions workflow commands (annotations) and a job summary"

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        for line in workflow_commands(report, context.root):
            stream.write(line + "\n")
        environ: Mapping[str, str] = context.options.get("environ", os.environ)
        summary_path = environ.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            with open(summary_path, "a", encoding="utf-8", errors="replace") as summary:
                summary.write(step_summary(report, context.root))
