"""SARIF 2.1.0, shaped for GitHub code scanning.

What GitHub needs and why each choice was made:

- Every active rule is listed, sorted by code, so ``ruleIndex`` is stable from
  run to run; ``name`` is the rule's slug, the same identifier every other
  healthlint output shows, and GitHub offers it as the rule filter.
- Paths are relative URI references against ``%SRCROOT%`` (declared in
  ``originalUriBaseIds``); GitHub resolves relative URIs against the repository root.
- Columns are UTF-16 code units (``columnKind``), as CodeQL and LSP count them;
  the engine's code-point columns are converted by :func:`utf16_column`, which
  the GitHub annotations share, and nowhere else.
- ``partialFingerprints`` carries ``healthlintClaimHash/v1`` from
  :mod:`healthlint.fingerprint`. ``primaryLocationLineHash`` is left to the
  ``upload-sarif`` action, which computes it from the checked-out file.
- No ``security-severity``: these are compliance findings, and that property
  would turn them into security alerts.
- No ``automationDetails``: ``upload-sarif`` derives the analysis category from
  the workflow, job and matrix, and its ``category`` input overrides it. A fixed
  id here would make two healthlint jobs in one workflow overwrite each other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from healthlint.display import scrub_data
from healthlint.fingerprint import file_fingerprints, normalise_path
from healthlint.types import (
    Diagnostic,
    FileError,
    OutputContext,
    Report,
    Rule,
    Severity,
)

HELP_URI_TEMPLATE = "https://github.com/healthlint/healthlint/blob/main/docs/rules/{code}.md"
"""Where each rule's documentation lives; ``{code}`` is the rule code."""

INFORMATION_URI = "https://github.com/healthlint/healthlint"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "healthlintClaimHash/v1"

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")

_DESCRIPTION_LIMIT = 1024
"""GitHub rejects short and full descriptions longer than this."""

LEVELS: Mapping[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.OFF: "none",
}


def help_uri(code: str) -> str:
    """The documentation page of rule ``code``."""
    return HELP_URI_TEMPLATE.format(code=code)


def utf16_length(text: str) -> int:
    """How many UTF-16 code units ``text`` takes: astral characters (emoji) count twice."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_column(source: str | None, offset: int, column: int) -> int:
    """The 1-based UTF-16 column of ``offset``, whose code-point column is ``column``.

    The line starts ``column - 1`` code points before ``offset``. Without the
    source, or when the position does not agree with the offset, the code-point
    column is the best answer left.
    """
    line_start = offset - (column - 1)
    if source is None or not 0 <= line_start <= offset <= len(source):
        return column
    if line_start > 0 and source[line_start - 1] != "\n":
        return column
    return utf16_length(source[line_start:offset]) + 1


def artifact_location(path: str, root: str) -> dict[str, str]:
    """A SARIF ``artifactLocation``: a ``%SRCROOT%``-relative URI reference, or a
    ``file:`` URI for a file outside the root.

    Everything but unreserved characters and ``/`` is percent-encoded, which
    covers spaces, ``#``, ``%``, ``?``, non-ASCII names and a ``:`` that would
    otherwise read as a URI scheme.
    """
    relative = normalise_path(path, root)
    if relative.startswith("/"):
        return {"uri": "file://" + _quote(relative, "/")}
    if _WINDOWS_DRIVE.match(relative):
        return {"uri": "file:///" + _quote(relative, "/:")}
    return {"uri": _quote(relative, "/"), "uriBaseId": SRCROOT}


def _quote(path: str, safe: str) -> str:
    # surrogateescape turns a file name that was not valid UTF-8 back into its bytes.
    return quote(path, safe=safe, errors="surrogateescape")


def _text(value: str, fallback: str) -> str:
    # GitHub treats an empty string as missing, and caps descriptions at 1024 characters.
    text = " ".join(value.split()) or fallback
    if len(text) > _DESCRIPTION_LIMIT:
        text = text[: _DESCRIPTION_LIMIT - 1] + "…"
    return text


def _help(rule: Rule) -> dict[str, str]:
    docs = rule.docs
    sections = [
        ("What it flags", docs.what),
        ("Why", docs.why),
        ("What to write instead", docs.instead),
    ]
    text_parts = [f"{title}:\n{body.strip()}" for title, body in sections if body.strip()]
    markdown_parts = [f"## {title}\n\n{body.strip()}" for title, body in sections if body.strip()]
    if docs.references:
        text_parts.append("References:\n" + "\n".join(f"- {ref}" for ref in docs.references))
        markdown_parts.append(
            "## References\n\n" + "\n".join(f"- {ref}" for ref in docs.references)
        )
    more = help_uri(rule.code)
    text_parts.append(f"Documentation: {more}")
    markdown_parts.append(f"[Full documentation of {rule.code}]({more})")
    return {"text": "\n\n".join(text_parts), "markdown": "\n\n".join(markdown_parts)}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A SARIF ``reportingDescriptor`` with everything GitHub shows for a rule."""
    summary = _text(rule.docs.summary, rule.message or rule.slug)
    tags = list(dict.fromkeys(tag for tag in (rule.category, rule.pack) if tag))
    return {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": _text(rule.docs.what, summary)},
        "help": _help(rule),
        "helpUri": help_uri(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": tags},
    }


def _stand_in_descriptor(diagnostic: Diagnostic) -> dict[str, Any]:
    """A descriptor for a code the report has no rule for (an engine diagnostic),
    so that every result still has a ``ruleIndex`` and GitHub's required fields."""
    summary = _text(diagnostic.rule, diagnostic.code)
    tags = list(dict.fromkeys(tag for tag in (diagnostic.category, diagnostic.pack) if tag))
    return {
        "id": diagnostic.code,
        "name": diagnostic.rule or diagnostic.code,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": f"Documentation: {help_uri(diagnostic.code)}"},
        "helpUri": help_uri(diagnostic.code),
        "properties": {"tags": tags},
    }


def _descriptors(report: Report) -> list[dict[str, Any]]:
    by_code = {code: rule_descriptor(rule) for code, rule in report.rules.items()}
    for diagnostic in report.diagnostics:
        if diagnostic.code not in by_code:
            by_code[diagnostic.code] = _stand_in_descriptor(diagnostic)
    return [by_code[code] for code in sorted(by_code)]


def _region(diagnostic: Diagnostic, source: str | None) -> dict[str, int]:
    return {
        "startLine": diagnostic.start.line,
        "startColumn": utf16_column(source, diagnostic.span.start, diagnostic.start.column),
        "endLine": diagnostic.end.line,
        "endColumn": utf16_column(source, diagnostic.span.end, diagnostic.end.column),
    }


def _result(
    diagnostic: Diagnostic, source: str | None, fingerprint: str, rule_index: int, root: str
) -> dict[str, Any]:
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(diagnostic.path, root),
                    "region": _region(diagnostic, source),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }


def _results(report: Report, rule_indices: Mapping[str, int], root: str) -> list[dict[str, Any]]:
    entries: list[tuple[tuple[str, int, int, str], dict[str, Any]]] = []
    for file in report.files:
        prints = file_fingerprints(file, root=root)
        for diagnostic, fingerprint in zip(file.diagnostics, prints, strict=True):
            result = _result(
                diagnostic, file.source, fingerprint, rule_indices[diagnostic.code], root
            )
            span = diagnostic.span
            key = (normalise_path(diagnostic.path, root), span.start, span.end, diagnostic.code)
            entries.append((key, result))
    entries.sort(key=lambda entry: entry[0])
    return [result for _, result in entries]


def _notification(error: FileError, source: str | None, root: str) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": artifact_location(error.path, root)}
    if error.line is not None:
        region = {"startLine": error.line}
        if error.column is not None:
            region["startColumn"] = _line_utf16_column(source, error.line, error.column)
        location["region"] = region
    return {
        "level": LEVELS[error.severity],
        "message": {"text": error.message},
        "locations": [{"physicalLocation": location}],
    }


def _line_utf16_column(source: str | None, line: int, column: int) -> int:
    """The UTF-16 column of a code-point ``column`` on 1-based ``line``."""
    lines = source.split("\n") if source is not None else []
    if not 1 <= line <= len(lines):
        return column
    return utf16_length(lines[line - 1][: column - 1]) + 1


def _invocation(report: Report, root: str) -> dict[str, Any]:
    notifications = [
        _notification(error, file.source, root) for file in report.files for error in file.errors
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(e.severity >= Severity.ERROR for e in report.errors)
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _srcroot_uri(root: str) -> str:
    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_log(report: Report, context: OutputContext) -> dict[str, Any]:
    """The whole SARIF log as plain data, for callers that post-process it."""
    rules = _descriptors(report)
    indices = {rule["id"]: index for index, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "healthlint",
                "version": context.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [_invocation(report, context.root)],
        "originalUriBaseIds": {SRCROOT: {"uri": _srcroot_uri(context.root)}},
        "columnKind": "utf16CodeUnits",
        "results": _results(report, indices, context.root),
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def dump_json(data: Any, stream: TextIO) -> None:
    """Write JSON as ASCII (non-ASCII escaped), so it survives any stream encoding; lone
    surrogates are replaced first, since strict JSON parsers reject their escapes."""
    stream.write(json.dumps(scrub_data(data), indent=2, ensure_ascii=True))  # one write
    stream.write("\n")


class SarifOutput:
    """SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

    name = "sarif"
    description = "SARIF 2.1.0 log for GitHub code scanning and SARIF viewers"

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        dump_json(sarif_log(report, context), stream)
