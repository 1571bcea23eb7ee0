"""Hand-built reports for the output, fingerprint, baseline and diff tests.

Positions come from :meth:`healthlint.types.Document.position`, the engine's
own conversion, so a test diagnostic sits exactly where the engine would put it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from healthlint.types import (
    Diagnostic,
    Document,
    FileError,
    FileResult,
    OutputContext,
    OutputFormat,
    Report,
    Rule,
    RuleDocs,
    Severity,
    Span,
)

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            code="HL101",
            slug="efficacy-rate-unqualified",
            category="efficacy-rates",
            kind="claim",
            severity=Severity.WARNING,
            message="Success rate without a source",
            pack="core",
            path="rules/core/HL101.yaml",
            docs=RuleDocs(
                summary="A success or improvement rate is stated without a source.",
                what="Flags percentages of patients helped, cured or improved.",
                why="A rate implies a measured outcome; without a source it misleads.",
                instead="Cite the study, its size and its population, or remove the rate.",
                references=("FTC, Health Products Compliance Guidance (2022)",),
            ),
        ),
        Rule(
            code="HL104",
            slug="cure-claim",
            category="cure-claims",
            kind="phrase",
            severity=Severity.ERROR,
            message="Claim to cure a disease",
            pack="core",
            path="rules/core/HL104.yaml",
            docs=RuleDocs(
                summary="The page claims a treatment cures a disease.",
                what="Flags 'cures', 'eliminates' and similar verbs applied to a condition.",
                why="Cure claims need strong evidence | regulators act on them.",
                instead="Describe what the treatment is for, not what it cures.",
            ),
        ),
        Rule(
            code="HL201",
            slug="missing-disclaimer",
            category="missing-disclaimer",
            kind="required-disclosure",
            severity=Severity.ERROR,
            message="No FDA disclaimer on a page with supplement claims",
            pack="supplements",
            path="rules/supplements/HL201.yaml",
            docs=RuleDocs(
                summary="A supplement page lacks the required disclaimer.",
                what="Flags pages with structure/function claims and no disclaimer.",
                why="The disclaimer is required wherever such claims appear.",
                instead="Add the standard disclaimer near the claims.",
            ),
        ),
        Rule(
            code="HL301",
            slug="vague-research",
            category="vague-research",
            kind="phrase",
            severity=Severity.INFO,
            message="Appeal to unnamed research",
            pack="core",
            path="rules/core/HL301.yaml",
            docs=RuleDocs(summary="", what="", why="", instead=""),
        ),
    )
}


def flag(
    path: str,
    source: str,
    text: str,
    code: str = "HL101",
    *,
    nth: int = 0,
    message: str | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    """A diagnostic of rule ``code`` on the ``nth`` occurrence of ``text`` in ``source``."""
    start = -1
    for _ in range(nth + 1):
        start = source.index(text, start + 1)
    return at(
        path, source, Span(start, start + len(text)), code, message=message, severity=severity
    )


def at(
    path: str,
    source: str,
    span: Span,
    code: str = "HL101",
    *,
    message: str | None = None,
    severity: Severity | None = None,
    document_level: bool = False,
) -> Diagnostic:
    """A diagnostic of rule ``code`` on ``span`` of ``source``."""
    rule = RULES[code]
    document = Document(path, source, source, (), "text")
    return Diagnostic(
        path=path,
        code=code,
        rule=rule.slug,
        category=rule.category,
        severity=severity or rule.severity,
        message=message or rule.message,
        span=span,
        start=document.position(span.start),
        end=document.position(span.end),
        document_level=document_level,
        pack=rule.pack,
    )


def page_level(
    path: str, source: str, code: str = "HL201", *, message: str | None = None
) -> Diagnostic:
    """A document-level diagnostic, reported at the top of the page."""
    return at(path, source, Span(0, 0), code, message=message, document_level=True)


def result(
    path: str,
    source: str,
    diagnostics: Iterable[Diagnostic] = (),
    errors: Iterable[FileError] = (),
) -> FileResult:
    return FileResult(path, list(diagnostics), list(errors), source)


def report(*files: FileResult, rules: dict[str, Rule] | None = None) -> Report:
    return Report(list(files), RULES if rules is None else rules)


SPACED = "content/my page.md"
SPACED_SOURCE = (
    "# Knee clinic\n\nResults \U0001f600 95% of patients improved.\nOur serum cures eczema.\n"
)

ODD = "content/café #1 100%.md"
ODD_SOURCE = "Trusted by thousands.\nStudies show 9 in 10 users sleep better.\n"

WINDOWS = "content\\win dir\\page.md"
WINDOWS_SOURCE = "Research\nshows it works.\n"

CLEAN = "content/clean.md"
BROKEN = "content/broken.html"


def sample_report() -> Report:
    """Every case the outputs must get right, in one report.

    An emoji before a finding (UTF-16 columns), a space, ``é``, ``#`` and ``%`` in
    paths, a Windows path, a document-level finding, a multi-line span, a clean
    file and a file that could not be read.
    """
    return report(
        result(
            SPACED,
            SPACED_SOURCE,
            [
                flag(SPACED, SPACED_SOURCE, "95% of patients improved"),
                flag(SPACED, SPACED_SOURCE, "cures eczema", "HL104"),
            ],
        ),
        result(
            ODD,
            ODD_SOURCE,
            [
                page_level(ODD, ODD_SOURCE),
                flag(ODD, ODD_SOURCE, "9 in 10 users sleep better"),
            ],
        ),
        result(
            WINDOWS, WINDOWS_SOURCE, [flag(WINDOWS, WINDOWS_SOURCE, "Research\nshows", "HL301")]
        ),
        result(CLEAN, "Nothing to see.\n"),
        FileResult(
            BROKEN, [], [FileError(BROKEN, "not valid UTF-8 at byte 12", line=1, column=13)]
        ),
    )


def render(
    output: OutputFormat,
    report: Report,
    *,
    root: str = ".",
    options: Mapping[str, Any] | None = None,
) -> str:
    """What ``output`` writes for ``report``; the environment is empty unless given."""
    stream = io.StringIO()
    context = OutputContext(
        tool_version="0.1.0", root=root, options={"environ": {}} if options is None else options
    )
    output.render(report, stream, context)
    return stream.getvalue()
