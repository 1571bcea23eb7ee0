"""Versioned JSON output, described by ``schemas/output.schema.json``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from healthlint.display import scrub
from healthlint.types import Diagnostic, FileError, Fix, OutputContext, Report

SCHEMA_VERSION = 1
WRITE_CHARS = 1 << 20
"""Characters of JSON written at a time."""


def _fix(fix: Fix) -> dict[str, Any]:
    return {
        "applicability": str(fix.applicability),
        "description": fix.description,
        "edits": [
            {"start": e.span.start, "end": e.span.end, "replacement": e.replacement}
            for e in fix.edits
        ],
    }


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": d.path,
        "line": d.start.line,
        "column": d.start.column,
        "end_line": d.end.line,
        "end_column": d.end.column,
        "code": d.code,
        "rule": d.rule,
        "category": d.category,
        "severity": str(d.severity),
        "message": d.message,
        "document_level": d.document_level,
        "pack": d.pack,
        "notes": list(d.notes),
    }
    if d.fix is not None:
        data["fix"] = _fix(d.fix)
    return data


def error_dict(e: FileError) -> dict[str, Any]:
    return {
        "path": e.path,
        "line": e.line,
        "column": e.column,
        "severity": str(e.severity),
        "message": e.message,
    }


class JsonOutput:
    name = "json"
    description = "One JSON object: tool, diagnostics, per-file errors and a summary."

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        diagnostics = report.diagnostics
        by_severity = Counter(str(d.severity) for d in diagnostics)
        document = {
            "version": SCHEMA_VERSION,
            "tool": {"name": "healthlint", "version": context.tool_version},
            "diagnostics": [diagnostic_dict(d) for d in diagnostics],
            "errors": [error_dict(e) for e in report.errors],
            "dropped": [diagnostic_dict(d) for f in report.files for d in f.dropped],
            "summary": {
                "files": len(report.files),
                "diagnostics": len(diagnostics),
                "by_severity": {name: by_severity.get(name, 0)
                                for name in ("error", "warning", "info")},
                "file_errors": len(report.errors),
            },
        }
        if report.baselined is not None:
            document["summary"]["baselined"] = report.baselined  # type: ignore[index]
        # Lone surrogates (from escapes in front matter, or file names that were not
        # UTF-8) become U+FFFD: the output is valid UTF-8 and strict JSON. With
        # ensure_ascii off, the encoder copies them into the text as they are, so one pass
        # over the text scrubs every string at once. The text is written a megabyte at a
        # time rather than one token a call, and never held whole (a huge page's report
        # is tens of megabytes of small pieces).
        pieces: list[str] = []
        size = 0
        for piece in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(document):
            pieces.append(piece)
            size += len(piece)
            if size >= WRITE_CHARS:
                stream.write(scrub("".join(pieces)))
                pieces.clear()
                size = 0
        pieces.append("\n")
        stream.write(scrub("".join(pieces)))
