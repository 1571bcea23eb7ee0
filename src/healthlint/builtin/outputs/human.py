"""Human-readable outputs: ``full`` (with a code frame, like ruff) and ``concise``.

Every piece of text that comes from a page, a file name or a message passes through
:func:`healthlint.display.visible`, so the only escape sequences that reach a terminal
are the colours painted here, and only when colour is on.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import TextIO

from healthlint.display import visible
from healthlint.types import (
    Applicability,
    Diagnostic,
    FileError,
    FileResult,
    OutputContext,
    Report,
    Severity,
)

FRAME_WIDTH = 100
"""Source lines longer than this are shown as a window around the finding."""

_COLORS = {
    Severity.ERROR: "\033[1;31m",
    Severity.WARNING: "\033[1;33m",
    Severity.INFO: "\033[1;36m",
}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.enabled else text

    def severity(self, severity: Severity) -> str:
        return self(str(severity), _COLORS.get(severity, ""))


def _location(d: Diagnostic | FileError, line: int | None, column: int | None) -> str:
    path = visible(d.path)
    if line is None:
        return path
    return f"{path}:{line}:{column or 1}"


def _width(text: str) -> int:
    """Terminal cells: wide East Asian characters and emoji take two, combining marks none."""
    cells = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        cells += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return cells


def _window(text: str, start: int, end: int) -> tuple[str, int, int]:
    """A slice of a long line around ``[start, end)``, with the span's offsets within it."""
    if len(text) <= FRAME_WIDTH:
        return text, start, end
    span = min(end - start, FRAME_WIDTH - 20)
    left = max(0, start - (FRAME_WIDTH - span) // 2)
    right = min(len(text), left + FRAME_WIDTH)
    left = max(0, right - FRAME_WIDTH)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    shown = prefix + text[left:right] + suffix
    offset = len(prefix) - left
    return shown, start + offset, min(end, right) + offset


def _frame(d: Diagnostic, source: str, paint: _Paint) -> list[str]:
    lines = source.split("\n")
    if d.start.line > len(lines):
        return []
    text = lines[d.start.line - 1].rstrip("\r").replace("\t", " ")
    start = d.start.column - 1
    end = d.end.column - 1 if d.end.line == d.start.line else len(text)
    end = max(end, start + 1)
    shown, start, end = _window(text, start, end)
    before, flagged = visible(shown[:start]), visible(shown[start:end])
    shown = before + flagged + visible(shown[end:])
    gutter = str(d.start.line)
    pad = " " * len(gutter)
    label = visible(d.rule) + (" (continues)" if d.end.line > d.start.line else "")
    caret = " " * _width(before) + "^" * max(1, _width(flagged))
    return [
        paint(f"{pad} |", _DIM),
        paint(f"{gutter} |", _DIM) + f" {shown}",
        paint(f"{pad} |", _DIM) + " " + paint(f"{caret} {label}", _COLORS.get(d.severity, "")),
    ]


def _summary(report: Report, paint: _Paint) -> list[str]:
    counts = Counter(d.severity for d in report.diagnostics)
    total = sum(counts.values())
    errors = [e for e in report.errors if e.severity == Severity.ERROR]
    files = len(report.files)
    baselined = report.baselined or 0
    accepted = f"{baselined} baselined finding{'s' * (baselined != 1)} not shown"
    if not total and not errors:
        tail = f" ({accepted})" if baselined else ""
        return [f"All clear: no findings in {files} file{'s' * (files != 1)}{tail}."]
    names = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings"),
             Severity.INFO: ("info", "info")}
    parts = ", ".join(f"{counts[s]} {names[s][counts[s] != 1]}"
                      for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s])
    line = f"Found {total} finding{'s' * (total != 1)}"
    line += f" ({parts})" if parts else ""
    line += f" in {files} file{'s' * (files != 1)}"
    line += f" ({accepted})." if baselined else "."
    if errors:
        line += f" {len(errors)} file error{'s' * (len(errors) != 1)}."
    return [paint(line, _BOLD)]


def _statistics(report: Report) -> list[str]:
    counts = Counter((d.code, d.rule, d.severity) for d in report.diagnostics)
    return [f"{count:>5}  {visible(code):<7} {severity!s:<8} {visible(rule)}"
            for (code, rule, severity), count in sorted(counts.items(),
                                                        key=lambda item: (-item[1], item[0][0]))]


def _errors(result: FileResult, paint: _Paint) -> list[str]:
    return [f"{paint(_location(e, e.line, e.column), _BOLD)}: {paint.severity(e.severity)}: "
            f"{visible(e.message)}" for e in result.errors]


def _render(report: Report, stream: TextIO, context: OutputContext, *, full: bool) -> None:
    """Both human formats: file errors, then one heading line per finding; ``full`` adds the
    code frame and the help lines."""
    paint = _Paint(context.color)
    for result in report.files:
        for line in _errors(result, paint):
            stream.write(line + "\n")
        for d in result.diagnostics:
            location = paint(_location(d, d.start.line, d.start.column), _BOLD)
            stream.write(f"{location}: {paint(visible(d.code), _BOLD)} "
                         f"{paint.severity(d.severity)}{':' if full else ''} "
                         f"{visible(d.message)}\n")
            if full:
                for line in _details(d, result, paint):
                    stream.write(line + "\n")
                stream.write("\n")
    _tail(report, stream, context, paint)


def _details(d: Diagnostic, result: FileResult, paint: _Paint) -> list[str]:
    lines: list[str] = []
    if d.document_level:
        lines.append(paint("  = page-level finding, reported at its first trigger", _DIM))
    elif result.source is not None:
        lines.extend(_frame(d, result.source, paint))
    if d.fix is not None:
        kind = {"unsafe": "suggestion (unsafe, changes meaning; --fix --unsafe-fixes)",
                "safe": "fix (safe; --fix)"}.get(str(d.fix.applicability), "help")
        if d.fix.edits and d.fix.applicability == Applicability.DISPLAY_ONLY:
            kind = "suggestion (edit by hand; not applied by --fix)"
        lines.append(paint(f"  = {kind}: {visible(d.fix.description)}", _DIM))
    return lines


class ConciseOutput:
    name = "concise"
    description = "One line per finding: path:line:column: CODE severity message."

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        _render(report, stream, context, full=False)


class FullOutput:
    name = "full"
    description = "Each finding with its source line and a caret underline (the default)."

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        _render(report, stream, context, full=True)


def _tail(report: Report, stream: TextIO, context: OutputContext, paint: _Paint) -> None:
    if context.statistics:
        for line in _statistics(report):
            stream.write(line + "\n")
    if not context.quiet:
        for line in _summary(report, paint):
            stream.write(line + "\n")
