"""Renders the HTML review report (see :mod:`healthlint.builtin.outputs.html`)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

from healthlint.builtin.outputs._markup import Attrs, Markup, element, join, raw_block, void
from healthlint.builtin.outputs.html_model import (
    SEVERITIES,
    Entry,
    Page,
    count,
    report_pages,
    severity_counts,
    shown,
)
from healthlint.builtin.outputs.html_source import Highlight, render_source
from healthlint.builtin.outputs.html_summary import masthead, summary, toolbar
from healthlint.types import FileError, OutputContext, Report, Rule

_PACKAGE = "healthlint.builtin.outputs"


# Assembling the report ------------------------------------------------------------------------


def render_report(report: Report, context: OutputContext) -> str:
    """The whole report as one HTML document."""
    pages = report_pages(report, context.root)
    entries = [entry for page in pages for entry in page.entries]
    css, js = _asset("html_report.css"), _asset("html_report.js")
    body = join([
        masthead(pages, entries, context),
        toolbar(pages, entries),
        element("main", {"id": "report"},
                summary(pages, entries, report.rules),
                *(_page_section(page, report.rules) for page in pages if shown(page))),
        raw_block("script", None, js),
    ])
    head = join([
        void("meta", {"charset": "utf-8"}),
        void("meta", {"http-equiv": "Content-Security-Policy", "content": _policy(css, js)}),
        void("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        void("meta", {"name": "generator", "content": f"healthlint {context.tool_version}"}),
        element("title", None, f"healthlint review: {count(len(entries), 'finding')}"),
        raw_block("style", None, css),
    ])
    return "<!DOCTYPE html>\n" + element("html", {"lang": "en"}, element("head", None, head),
                                         element("body", None, body)) + "\n"


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


# Pages ----------------------------------------------------------------------------------------


def _page_section(page: Page, rules: Mapping[str, Rule]) -> Markup:
    on_top = [entry for entry in page.entries if not entry.in_text]
    counts = severity_counts(page.entries)
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


def _severity_count(name: str, number: int) -> str:
    return f"{number} {name}" if number == 1 or name == "info" else f"{number} {name}s"


def _page_findings(entries: Sequence[Entry], rules: Mapping[str, Rule]) -> Markup:
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


def _source(page: Page, rules: Mapping[str, Rule]) -> Markup:
    source = page.result.source or ""
    highlights = [_highlight(entry) for entry in page.entries
                  if entry.in_text or entry.has_trigger]
    view = render_source(source, highlights)
    notes: dict[int, list[Markup]] = {}
    for entry in page.entries:
        if entry.in_text:
            line = view.first_line[entry.key]
            notes.setdefault(line, []).append(_note(entry, rules.get(entry.diagnostic.code)))
    rows = [_row(number, text, notes.get(number, ()))
            for number, text in enumerate(view.lines, start=1)]
    return element("div", {"class": "source", "role": "region",
                           "aria-label": f"Text of {page.path}"}, *rows)


def _row(number: int, text: Markup, notes: Sequence[Markup]) -> Markup:
    return element(
        "div", {"class": "row noted" if notes else "row"},
        element("span", {"class": "ln", "data-n": number, "aria-hidden": "true"}),
        element("div", {"class": "tx"}, text),
        element("aside", {"class": "notes"}, *notes) if notes else "",
    )


def _highlight(entry: Entry) -> Highlight:
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


def _identity(entry: Entry) -> dict[str, str | int]:
    """The attributes reviewer tooling reads: on exactly one element per diagnostic."""
    d = entry.diagnostic
    return {"data-finding": entry.key, "data-code": d.code, "data-rule": d.rule,
            "data-line": d.start.line, "data-column": d.start.column,
            "data-severity": entry.severity, "data-file": entry.path}


# Notes ----------------------------------------------------------------------------------------


def _note(entry: Entry, rule: Rule | None, on_top: bool = False) -> Markup:
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


def _where(entry: Entry, on_top: bool) -> Markup:
    d = entry.diagnostic
    if not on_top:
        return element("a", {"class": "where", "href": f"#{entry.key}"},
                       f"{d.start.line}:{d.start.column}")
    if entry.has_trigger:
        return element("a", {"class": "where", "href": f"#{entry.key}-trigger"},
                       f"first trigger {d.start.line}:{d.start.column}")
    label = "page" if d.document_level else f"line {d.start.line}"
    return element("span", {"class": "where"}, label)


def _explanation(entry: Entry, rule: Rule | None) -> Markup:
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
