"""Inline suppression comments.

Formats find the comments (``<!-- ... -->`` in Markdown and HTML, ``{/* ... */}``
in MDX, a ``# ...`` directive line in plain text) and hand their bodies over as
:class:`~healthlint.types.Comment` values; this module reads the directives::

    healthlint-disable [CODES] [-- reason]        until healthlint-enable (or the end)
    healthlint-enable [CODES]
    healthlint-disable-next-line [CODES] [-- reason]
    healthlint-disable-line [CODES] [-- reason]    the line the comment is on
    healthlint-disable-file [CODES] [-- reason]

CODES are rule codes, code prefixes or slugs in any case, separated by commas or
spaces, read as the command line reads them (:mod:`healthlint.selection`); no codes
means every rule. A code that names no rule is reported at the comment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from healthlint import regexcache, selection
from healthlint.selection import RuleName
from healthlint.types import Diagnostic, Document, FileError, Severity, Span

_ACTION = regexcache.compile(
    r"healthlint-(?P<action>disable-next-line|disable-line|disable-file|disable|enable)(?=\s|--|\Z)"
)
_CODE = regexcache.compile(r"[A-Za-z][A-Za-z0-9-]*")


@dataclass(frozen=True)
class _Parsed:
    action: str
    codes: tuple[str, ...]
    reason: str


def _parse_directive(text: str) -> _Parsed | None:
    """Read ``healthlint-ACTION [CODES] [-- reason]``; ``None`` if ``text`` is not one.

    Split with string operations rather than one pattern: a pattern with a lazy codes
    group followed by optional whitespace and an end anchor backtracks quadratically on
    a comment holding a long whitespace run. The codes stay on the directive's line; the
    reason may run over several lines.
    """
    match = _ACTION.match(text)
    if match is None:
        return None
    codes, separator, reason = text[match.end():].partition("--")
    if "\n" in codes.rstrip():
        return None
    return _Parsed(match.group("action"), tuple(_CODE.findall(codes)),
                   reason.lstrip("-").strip() if separator else "")


def _names(codes: tuple[str, ...], diagnostic: Diagnostic) -> bool:
    """Whether ``codes`` (empty: every rule) name the diagnostic's rule, as the command line
    and configuration would (:mod:`healthlint.selection`)."""
    # The core's findings have a category of their own, not one a pack declares.
    category = diagnostic.category if diagnostic.pack != "core" else ""
    return not codes or selection.names_any(
        RuleName(diagnostic.code, diagnostic.rule, category), codes)


@dataclass
class Directive:
    action: str
    codes: tuple[str, ...]
    reason: str
    comment: Span
    active: Span
    """The stretch of the document whose findings it suppresses."""
    used: bool = field(default=False)

    def covers(self, diagnostic: Diagnostic, enables: list[Directive]) -> bool:
        if not self.active.contains(diagnostic.span.start) or not _names(self.codes, diagnostic):
            return False
        # A later "enable" that names this finding's rule ends the range for it alone.
        return self.action != "disable" or not any(
            self.comment.end <= enable.comment.start <= diagnostic.span.start
            and _names(enable.codes, diagnostic)
            for enable in enables
        )


@dataclass
class Suppressions:
    directives: list[Directive]
    errors: list[FileError]

    def apply(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        enables = [d for d in self.directives if d.action == "enable"]
        kept: list[Diagnostic] = []
        for diagnostic in diagnostics:
            hit = [d for d in self.directives
                   if d.action != "enable" and d.covers(diagnostic, enables)]
            for directive in hit:
                directive.used = True
            if not hit:
                kept.append(diagnostic)
        return kept

    def unused(self) -> list[Directive]:
        return [d for d in self.directives if d.action != "enable" and not d.used]


def _line_span(document: Document, line: int) -> Span:
    starts = document.line_starts
    if line > len(starts):
        return Span(len(document.source), len(document.source))
    end = starts[line] if line < len(starts) else len(document.source)
    return Span(starts[line - 1], end)


def parse_directives(document: Document) -> Suppressions:
    """Read every directive comment of a document into suppression ranges."""
    directives: list[Directive] = []
    errors: list[FileError] = []
    end_of_file = len(document.source)
    for comment in document.comments:
        parsed = _parse_directive(comment.text)
        position = document.position(comment.span.start)
        if parsed is None:
            errors.append(FileError(document.path,
                                    f"unknown healthlint directive: {comment.text!r}",
                                    position.line, position.column, Severity.WARNING))
            continue
        action, codes, reason = parsed.action, parsed.codes, parsed.reason
        if action in ("disable", "enable"):
            active = Span(comment.span.end, end_of_file)
        elif action == "disable-next-line":
            active = _line_span(document, document.position(comment.span.end).line + 1)
        elif action == "disable-line":
            active = _line_span(document, position.line)
        else:
            active = Span(0, end_of_file)
        directives.append(Directive(action, codes, reason, comment.span, active))
    return Suppressions(directives, errors)


SUPPRESSION_CODES = {
    "HL001": ("suppression-reason-missing", "a suppression comment without a reason"),
    "HL002": ("unused-suppression", "a suppression comment that matched no finding"),
    "HL003": ("page-language-not-checked", "a page in a language the rules do not read"),
}
"""The core's own findings: about suppression comments (reported only when asked for) and
about pages the rules cannot read."""


def directive_findings(document: Document, suppressions: Suppressions, *, require_reason: bool,
                       report_unused: bool,
                       running: Callable[[tuple[str, ...]], bool] = lambda codes: True,
                       ) -> list[tuple[str, Span, str]]:
    """``(code, span, message)`` for directives missing a required reason, and unused ones
    whose rules are ``running``."""
    findings: list[tuple[str, Span, str]] = []
    for directive in suppressions.directives:
        if require_reason and not directive.reason:
            findings.append(("HL001", directive.comment,
                             f"healthlint-{directive.action} needs a reason after '--'"))
    if report_unused:
        for directive in suppressions.unused():
            if not running(directive.codes):
                continue
            codes = " ".join(directive.codes) or "all rules"
            findings.append(("HL002", directive.comment,
                             f"unused suppression: healthlint-{directive.action} ({codes}) "
                             "matched no finding"))
    return findings
