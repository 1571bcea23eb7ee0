"""What the HTML report shows, independent of how: pages in path order, findings numbered.

Every diagnostic becomes one :class:`Entry` with a key (``f1``, ``f2``, …) that all of its
elements share in ``data-finding``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from healthlint.fingerprint import normalise_path
from healthlint.types import Diagnostic, FileResult, Report

SEVERITIES = ("error", "warning", "info")
LABELS = {"error": "Errors", "warning": "Warnings", "info": "Info"}


@dataclass(frozen=True)
class Entry:
    """One diagnostic as the report shows it."""

    key: str
    """The finding's id in the report, ``f1``, ``f2``, …"""
    diagnostic: Diagnostic
    path: str
    in_text: bool
    """Its ``data-code`` element is a highlight in the text, not a card at the top."""
    has_trigger: bool = False
    """A page-level finding whose first trigger is marked in the text (without ``data-code``)."""

    @property
    def severity(self) -> str:
        return str(self.diagnostic.severity)


@dataclass(frozen=True)
class Page:
    """One linted file: where its section is (``anchor``), its path as shown, its entries."""

    anchor: str
    path: str
    result: FileResult
    entries: tuple[Entry, ...]


def report_pages(report: Report, root: str) -> list[Page]:
    """Files in path order, each with its findings in position order and numbered."""
    ordered = sorted(((normalise_path(f.path, root), f) for f in report.files),
                     key=lambda pair: pair[0])
    pages, number = [], 0
    for index, (path, result) in enumerate(ordered, start=1):
        entries = []
        for diagnostic in sorted(result.diagnostics, key=Diagnostic.sort_key):
            number += 1
            entries.append(Entry(f"f{number}", diagnostic, path, _in_text(diagnostic, result),
                                 _has_trigger(diagnostic, result)))
        pages.append(Page(f"page-{index}", path, result, tuple(entries)))
    return pages


def _in_text(diagnostic: Diagnostic, result: FileResult) -> bool:
    return (not diagnostic.document_level and result.source is not None
            and diagnostic.span.end <= len(result.source))


def _has_trigger(diagnostic: Diagnostic, result: FileResult) -> bool:
    span = diagnostic.span
    return (diagnostic.document_level and result.source is not None
            and span.start < span.end <= len(result.source))


def shown(page: Page) -> bool:
    """Clean pages are listed in the summary only; their text holds nothing to review."""
    return bool(page.entries or page.result.errors)


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def severity_counts(entries: Iterable[Entry]) -> Counter[str]:
    return Counter(entry.severity for entry in entries)
