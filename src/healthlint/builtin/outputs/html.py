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

import base64
import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import TextIO

from healthlint.builtin.outputs._markup import (
    Attrs,
    Markup,
    element,
    join,
    raw_block,
    void,
)
from healthlint.builtin.outputs.html_source import Highlight, render_source
from healthlint.fingerprint import normalise_path
from healthlint.types import Diagnostic, FileError, FileResult, OutputContext, Report, Rule

SEVERITIES = ("error", "warning", "info")
_PACKAGE = "healthlint.builtin.outputs"
_LABELS = {"error": "Errors", "warning": "Warnings", "info": "Info"}


@dataclass(frozen=True)
class _Entry:
    """One diagnostic as the report shows it."""

    key: str
    """The finding's id in the page, ``f1``, ``f2``, …"""
    diagnostic: Diagnostic
    path: str
    in_text: bool
    """Its ``data-code`` element is a highlight in the text, not a card at the top."""

    @property
    def severity(self) -> str:
        return str(self.diagnostic.severity)


@dataclass(frozen=True)
class _Page:
    anchor: str
    path: str
    result: FileResult
    entries: tuple[_Entry, ...]


# Assembling the report ------------------------------------------------------------------------


class HtmlOutput:
    """The HTML review report."""

    name = "html"
    description = "Self-contained HTML review report: highlighted pages, filters, prints to PDF"

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        stream.write(render_report(report, context))


def render_report(report: Report, context: OutputContext) -> str:
    pages = _pages(report, context.root)
    entries = [entry for page in pages for entry in page.entries]
    css, js = _asset("html_report.css"), _asset("html_report.js")
    body = join([
        _masthead(pages, entries, context),
        _toolbar(pages, entries),
        element("main", {"id": "report"},
                _summary(pages, entries, report.rules),
                *(_page_section(page, report.rules) for page in pages if _shown(page))),
        raw_block("script", None, js),
    ])
    head = join([
        void("meta", {"charset": "utf-8"}),
        void("meta", {"http-equiv": "Content-Security-Policy", "content": _policy(css, js)}),
        void("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        void("meta", {"name": "generator", "content": f"healthlint {context.tool_version}"}),
        element("title", None, f"healthlint review: {_count(len(entries), 'finding')}"),
        raw_block("style", None, css),
    ])
    return "<!DOCTYPE html>\n" + element("html", {"lang": "en"}, element("head", None, head),
                                         element("body", None, body)) + "\n"


def _pages(report: Report, root: str) -> list[_Page]:
    """Files in path order, each with its findings in position order and numbered."""
    ordered = sorted(((normalise_path(f.path, root), f) for f in report.files),
                     key=lambda pair: pair[0])
    pages, number = [], 0
    for index, (path, result) in enumerate(ordered, start=1):
        entries = []
        for diagnostic in sorted(result.diagnostics, key=Diagnostic.sort_key):
            number += 1
            entries.append(_Entry(f"f{number}", diagnostic, path, _in_text(diagnostic, result)))
        pages.append(_Page(f"page-{index}", path, result, tuple(entries)))
    return pages


def _in_text(diagnostic: Diagnostic, result: FileResult) -> bool:
    return (not diagnostic.document_level and result.source is not None
            and diagnostic.span.end <= len(result.source))


def _shown(page: _Page) -> bool:
    """Clean pages are listed in the summary only; their text holds nothing to review."""
    return bool(page.entries or page.result.errors)


@cache
def _asset(name: str) -> str:
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _policy(css: str, js: str) -> str:
    """Nothing may load, and only this report's own style and script may run."""
    return "; ".join([
        "default-src 'none'",
        f"style-src '{_sha256(css)}'",
        f"script-src '{_sha256(js)}'",
        "img-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ])


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _severity_counts(entries: Iterable[_Entry]) -> Counter[str]:
    return Counter(entry.severity for entry in entries)


def _generated(context: OutputContext) -> str:
    """The run's date; ``SOURCE_DATE_EPOCH`` fixes it so reports can be reproduced."""
    environ: Mapping[str, str] = context.options.get("environ", os.environ)
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit()
              else datetime.now(timezone.utc))
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# Masthead and filters -------------------------------------------------------------------------


def _masthead(pages: Sequence[_Page], entries: Sequence[_Entry], context: OutputContext) -> Markup:
    problems = sum(len(page.result.errors) for page in pages)
    facts = [f"{_count(len(entries), 'finding')} in {_count(len(pages), 'file')}"]
    if problems:
        facts.append(_count(problems, "file problem"))
    facts += [f"generated {_generated(context)}", f"healthlint {context.tool_version}"]
    return element(
        "header", {"class": "masthead"},
        element("h1", None, "Health claims review"),
        element("p", {"class": "facts"}, " · ".join(facts)),
        element("p", {"class": "caveat"},
                "healthlint ranks language risk; it is not legal advice. A page without "
                "findings can still break the law, and a hedge lowers a finding's severity "
                "without making the claim compliant."),
    )


def _toolbar(pages: Sequence[_Page], entries: Sequence[_Entry]) -> Markup:
    """The filter form; hidden until the script runs, since without it nothing would work."""
    severities = _severity_counts(entries)
    rules = Counter(entry.diagnostic.code for entry in entries)
    slugs = {entry.diagnostic.code: entry.diagnostic.rule for entry in entries}
    files = [page for page in pages if page.entries]
    return element(
        "form", {"id": "filters", "class": "toolbar", "hidden": True, "aria-label": "Filters"},
        element("fieldset", {"class": "severities"},
                element("legend", None, "Severity"),
                *(_severity_toggle(name, severities[name]) for name in SEVERITIES)),
        _select("rule", "Rule", "All rules",
                [(code, f"{code} {slugs[code]} ({rules[code]})") for code in sorted(rules)]),
        _select("file", "File", "All files",
                [(page.path, f"{page.path} ({len(page.entries)})") for page in files]),
        element("label", {"class": "toggle"},
                void("input", {"type": "checkbox", "name": "explain"}), "Explain all"),
        element("button", {"type": "reset"}, "Reset"),
        element("output", {"id": "shown", "aria-live": "polite"},
                f"{_count(len(entries), 'finding')} shown"),
    )


def _severity_toggle(name: str, count: int) -> Markup:
    return element(
        "label", {"class": f"chip sev-{name}"},
        void("input", {"type": "checkbox", "name": "severity", "value": name, "checked": True}),
        element("span", {"class": "dot"}), f"{_LABELS[name]} ", element("b", None, str(count)),
    )


def _select(name: str, label: str, everything: str, options: Sequence[tuple[str, str]]) -> Markup:
    return element(
        "label", {"class": "pick"}, element("span", None, label),
        element("select", {"name": name},
                element("option", {"value": ""}, everything),
                *(element("option", {"value": value}, text) for value, text in options)),
    )


# Summary --------------------------------------------------------------------------------------


def _summary(pages: Sequence[_Page], entries: Sequence[_Entry],
             rules: Mapping[str, Rule]) -> Markup:
    return element(
        "section", {"class": "summary", "aria-label": "Summary"},
        _totals(pages, entries),
        element("div", {"class": "tables"}, _by_rule(entries, rules), _by_file(pages)),
    )


def _totals(pages: Sequence[_Page], entries: Sequence[_Entry]) -> Markup:
    severities = _severity_counts(entries)
    flagged = sum(1 for page in pages if page.entries)
    problems = sum(len(page.result.errors) for page in pages)
    tiles = [_tile("total", str(len(entries)), "Findings")]
    tiles += [_tile(f"sev-{name}", str(severities[name]), _LABELS[name]) for name in SEVERITIES]
    tiles.append(_tile("files", f"{flagged}/{len(pages)}", "Files with findings"))
    if problems:
        tiles.append(_tile("problems", str(problems), "File problems"))
    return element("div", {"class": "tiles"}, *tiles)


def _tile(kind: str, figure: str, label: str) -> Markup:
    return element("div", {"class": f"tile {kind}"},
                   element("span", {"class": "figure"}, figure),
                   element("span", {"class": "label"}, label))


def _count_cells(counts: Mapping[str, int]) -> list[Markup]:
    cells = [element("td", {"class": f"num sev-{name}" if counts.get(name) else "num zero"},
                     str(counts.get(name, 0))) for name in SEVERITIES]
    cells.append(element("td", {"class": "num total"}, str(sum(counts.values()))))
    return cells


def _table(caption: str, first: Sequence[str], rows: Sequence[Markup], extra: str = "") -> Markup:
    headings = [*first, "Errors", "Warnings", "Info", "Total", *([extra] if extra else [])]
    return element(
        "table", {"class": "counts"},
        element("caption", None, caption),
        element("thead", None, element("tr", None, *(
            element("th", {"scope": "col", "class": "num" if h not in first else None}, h)
            for h in headings))),
        element("tbody", None, *rows),
    )


def _by_rule(entries: Sequence[_Entry], rules: Mapping[str, Rule]) -> Markup:
    counts: dict[str, Counter[str]] = {}
    for entry in entries:
        counts.setdefault(entry.diagnostic.code, Counter())[entry.severity] += 1
    slugs = {entry.diagnostic.code: entry.diagnostic.rule for entry in entries}
    rows = []
    for code in sorted(counts):
        rule = rules.get(code)
        summary = rule.docs.summary if rule is not None else ""
        name = element("td", None, element("span", {"class": "slug"}, slugs[code]),
                       element("span", {"class": "rule-summary"}, summary) if summary else "")
        button = element("button", {"type": "button", "class": "code-link",
                                    "data-filter-rule": code}, code)
        rows.append(element("tr", None, element("th", {"scope": "row"}, button), name,
                            *_count_cells(counts[code])))
    if not rows:
        rows.append(_empty_row(6, "No findings."))
    return _table("By rule", ["Code", "Rule"], rows)


def _by_file(pages: Sequence[_Page]) -> Markup:
    rows = []
    for page in pages:
        name: str | Markup = page.path
        if _shown(page):
            name = element("a", {"href": f"#{page.anchor}"}, page.path)
        problems = len(page.result.errors)
        rows.append(element(
            "tr", {"class": None if page.entries else "clean"},
            element("th", {"scope": "row", "class": "path"}, name),
            *_count_cells(_severity_counts(page.entries)),
            element("td", {"class": "num problems" if problems else "num zero"}, str(problems)),
        ))
    if not rows:
        rows.append(_empty_row(6, "No files were checked."))
    return _table("By file", ["File"], rows, extra="Problems")


def _empty_row(columns: int, text: str) -> Markup:
    return element("tr", None, element("td", {"colspan": columns, "class": "empty"}, text))


# Pages ----------------------------------------------------------------------------------------


def _page_section(page: _Page, rules: Mapping[str, Rule]) -> Markup:
    on_top = [entry for entry in page.entries if not entry.in_text]
    counts = _severity_counts(page.entries)
    badges = [element("span", {"class": f"badge sev-{name}"}, _severity_count(name, counts[name]))
              for name in SEVERITIES if counts[name]]
    return element(
        "section", {"class": "page", "id": page.anchor, "data-file": page.path},
        element("header", {"class": "page-head"},
                element("h2", None, page.path), element("div", {"class": "badges"}, *badges)),
        *(_file_error(error) for error in page.result.errors),
        _page_findings(on_top, rules) if on_top else "",
        _source(page, rules) if page.result.source is not None else element(
            "p", {"class": "no-source"}, "The text of this file could not be read."),
    )


def _severity_count(name: str, count: int) -> str:
    return f"{count} {name}" if count == 1 or name == "info" else f"{count} {name}s"


def _page_findings(entries: Sequence[_Entry], rules: Mapping[str, Rule]) -> Markup:
    """Findings about the page as a whole (a missing disclosure), and any that have no place
    in the text, as cards above it."""
    return element(
        "div", {"class": "page-findings"},
        element("h3", None, "About the whole page"),
        *(_note(entry, rules.get(entry.diagnostic.code), on_top=True) for entry in entries),
    )


def _file_error(error: FileError) -> Markup:
    where = ""
    if error.line is not None:
        where = f"line {error.line}" + (f", column {error.column}" if error.column else "")
    lead = ("Could not check this file fully" if str(error.severity) == "error"
            else "Checked as well as possible")
    return element(
        "div", {"class": f"file-error sev-{error.severity}", "role": "alert"},
        element("strong", None, lead), f": {error.message}",
        element("span", {"class": "where"}, f" ({where})") if where else "",
    )


def _source(page: _Page, rules: Mapping[str, Rule]) -> Markup:
    source = page.result.source or ""
    highlights = [_highlight(entry) for entry in page.entries
                  if entry.in_text or _has_trigger(entry, source)]
    view = render_source(source, highlights)
    notes: dict[int, list[Markup]] = {}
    for entry in page.entries:
        if entry.in_text:
            line = view.first_line[entry.key]
            notes.setdefault(line, []).append(_note(entry, rules.get(entry.diagnostic.code)))
    rows = [_row(number, text, notes.get(number, ()))
            for number, text in enumerate(view.lines, start=1)]
    return element("div", {"class": "source", "role": "table",
                           "aria-label": f"Text of {page.path}"}, *rows)


def _has_trigger(entry: _Entry, source: str) -> bool:
    span = entry.diagnostic.span
    return entry.diagnostic.document_level and span.start < span.end <= len(source)


def _row(number: int, text: Markup, notes: Sequence[Markup]) -> Markup:
    return element(
        "div", {"class": "row noted" if notes else "row", "role": "row"},
        element("span", {"class": "ln", "data-n": number, "role": "rowheader"}),
        element("div", {"class": "tx", "role": "cell"}, text),
        element("div", {"class": "notes", "role": "cell"}, *notes) if notes else "",
    )


def _highlight(entry: _Entry) -> Highlight:
    d = entry.diagnostic
    severity = f"sev-{entry.severity}"
    part: Attrs = {"class": f"hl {severity} cont", "data-finding": entry.key}
    if not entry.in_text:
        trigger: Attrs = {"class": f"hl {severity} trigger", "data-finding": entry.key,
                          "title": f"Trigger of the page-level finding {d.code} {d.rule}"}
        return Highlight(entry.key, d.span.start, d.span.end,
                         {**trigger, "id": f"{entry.key}-trigger"}, trigger, weight=-1)
    empty = " caret" if d.span.start == d.span.end else ""
    first: Attrs = {"class": f"hl {severity}{empty}", "id": entry.key, "tabindex": 0,
                    "title": f"{d.code} {d.rule}: {d.message}", **_identity(entry)}
    return Highlight(entry.key, d.span.start, d.span.end, first, part, int(d.severity))


def _identity(entry: _Entry) -> dict[str, str | int]:
    """The attributes reviewer tooling reads: on exactly one element per diagnostic."""
    d = entry.diagnostic
    return {"data-finding": entry.key, "data-code": d.code, "data-rule": d.rule,
            "data-line": d.start.line, "data-column": d.start.column,
            "data-severity": entry.severity, "data-file": entry.path}


# Notes ----------------------------------------------------------------------------------------


def _note(entry: _Entry, rule: Rule | None, on_top: bool = False) -> Markup:
    """A finding explained: the card at the top of a page, or the note beside its line."""
    d = entry.diagnostic
    attrs: dict[str, str | int | bool] = {"class": f"note sev-{entry.severity}",
                                          "data-finding": entry.key, "data-note": True}
    if on_top:
        attrs |= {**_identity(entry), "class": f"note page-note sev-{entry.severity}",
                  "id": entry.key}
    return element(
        "article", attrs,
        element("header", None,
                element("span", {"class": f"badge sev-{entry.severity}"}, entry.severity),
                element("span", {"class": "code"}, d.code),
                element("span", {"class": "slug", "title": d.rule}, d.rule),
                _where(entry, on_top)),
        element("p", {"class": "msg"}, d.message),
        _explanation(entry, rule),
    )


def _where(entry: _Entry, on_top: bool) -> Markup:
    d = entry.diagnostic
    if not on_top:
        return element("a", {"class": "where", "href": f"#{entry.key}"},
                       f"{d.start.line}:{d.start.column}")
    if d.document_level and d.span.start < d.span.end:
        return element("a", {"class": "where", "href": f"#{entry.key}-trigger"},
                       f"first trigger {d.start.line}:{d.start.column}")
    label = "page" if d.document_level else f"line {d.start.line}"
    return element("span", {"class": "where"}, label)


def _explanation(entry: _Entry, rule: Rule | None) -> Markup:
    parts: list[Markup] = []
    if rule is not None:
        for label, text in (("Why", rule.docs.why), ("Instead", rule.docs.instead)):
            if text.strip():
                parts.append(element("p", None, element("b", None, label), " ", text.strip()))
        if rule.docs.references:
            parts.append(element("p", {"class": "refs"}, element("b", None, "References"), " ",
                                 "; ".join(rule.docs.references)))
    fix = entry.diagnostic.fix
    if fix is not None and fix.description:
        caution = "" if str(fix.applicability) == "safe" else " (changes meaning: review it)"
        parts.append(element("p", {"class": "fix"}, element("b", None, "Suggestion"), " ",
                             fix.description + caution))
    return element("div", {"class": "explain"}, *parts) if parts else Markup("")
