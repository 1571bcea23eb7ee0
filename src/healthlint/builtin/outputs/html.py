"""A self-contained HTML review report for the people who sign off health copy.

One file with its CSS and JavaScript inline and nothing fetched: a summary by
severity, rule and file, then each page's source with every finding highlighted
in place and explained beside it (message, why, what to write instead), filters
by rule, severity and file, and a print stylesheet for filing the report as PDF.

Reviewer tooling relies on one invariant: every diagnostic has exactly one
element with a ``data-code`` attribute (and ``data-line``, ``data-severity``,
``data-file``). For a finding in the text it is the first highlight element; a
page-level finding's is its card at the top of the page, and its first trigger
is marked in the text without ``data-code``. Every other element of a finding
(split highlights, its note) carries only ``data-finding``.

All text is escaped by :mod:`._markup`, and a Content-Security-Policy allows
only the report's own style and script, by hash, so even markup that slipped
through could neither run nor load anything.
"""

from __future__ import annotations

from typing import TextIO

from healthlint.types import OutputContext, Report


class HtmlOutput:
    """The HTML review report."""

    name = "html"
    description = "Self-contained HTML review report: highlighted pages, filters, prints to PDF"

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        # Imported here: every run registers this output, few render it, and start-up counts.
        from healthlint.builtin.outputs.html_render import render_report

        stream.write(render_report(report, context))
