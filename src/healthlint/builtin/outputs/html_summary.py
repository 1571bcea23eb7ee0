"""The top of the HTML report: masthead, filter form, and the summary by severity, rule and file."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from healthlint.builtin.outputs._markup import Markup, element, void
from healthlint.builtin.outputs.html_model import (
    LABELS,
    SEVERITIES,
    Entry,
    Page,
    count,
    severity_counts,
    shown,
)
from healthlint.types import OutputContext, Rule


def _generated(context: OutputContext) -> str:
    """The run's date; ``SOURCE_DATE_EPOCH`` fixes it so reports can be reproduced."""
    environ: Mapping[str, str] = context.options.get("environ", os.environ)
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit()
              else datetime.now(timezone.utc))
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# Masthead and filters -------------------------------------------------------------------------


def masthead(pages: Sequence[Page], entries: Sequence[Entry], context: OutputContext) -> Markup:
    problems = sum(len(page.result.errors) for page in pages)
    facts = [f"{count(len(entries), 'finding')} in {count(len(pages), 'file')}"]
    if problems:
        facts.append(count(problems, "file problem"))
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


def toolbar(pages: Sequence[Page], entries: Sequence[Entry]) -> Markup:
    """The filter form; hidden until the script runs, since without it nothing would work."""
    severities = severity_counts(entries)
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
                f"{count(len(entries), 'finding')} shown"),
    )


def _severity_toggle(name: str, count: int) -> Markup:
    return element(
        "label", {"class": f"chip sev-{name}"},
        void("input", {"type": "checkbox", "name": "severity", "value": name, "checked": True}),
        element("span", {"class": "dot"}), f"{LABELS[name]} ", element("b", None, str(count)),
    )


def _select(name: str, label: str, everything: str, options: Sequence[tuple[str, str]]) -> Markup:
    return element(
        "label", {"class": "pick"}, element("span", None, label),
        element("select", {"name": name},
                element("option", {"value": ""}, everything),
                *(element("option", {"value": value}, text) for value, text in options)),
    )


# Summary --------------------------------------------------------------------------------------


def summary(pages: Sequence[Page], entries: Sequence[Entry],
             rules: Mapping[str, Rule]) -> Markup:
    return element(
        "section", {"class": "summary", "aria-label": "Summary"},
        _totals(pages, entries),
        element("div", {"class": "tables"}, _by_rule(entries, rules), _by_file(pages)),
    )


def _totals(pages: Sequence[Page], entries: Sequence[Entry]) -> Markup:
    severities = severity_counts(entries)
    flagged = sum(1 for page in pages if page.entries)
    problems = sum(len(page.result.errors) for page in pages)
    tiles = [_tile("total", str(len(entries)), "Findings")]
    tiles += [_tile(f"sev-{name}", str(severities[name]), LABELS[name]) for name in SEVERITIES]
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


def _by_rule(entries: Sequence[Entry], rules: Mapping[str, Rule]) -> Markup:
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


def _by_file(pages: Sequence[Page]) -> Markup:
    rows = []
    for page in pages:
        name: str | Markup = page.path
        if shown(page):
            name = element("a", {"href": f"#{page.anchor}"}, page.path)
        problems = len(page.result.errors)
        rows.append(element(
            "tr", {"class": None if page.entries else "clean"},
            element("th", {"scope": "row", "class": "path"}, name),
            *_count_cells(severity_counts(page.entries)),
            element("td", {"class": "num problems" if problems else "num zero"}, str(problems)),
        ))
    if not rows:
        rows.append(_empty_row(6, "No files were checked."))
    return _table("By file", ["File"], rows, extra="Problems")


def _empty_row(columns: int, text: str) -> Markup:
    return element("tr", None, element("td", {"colspan": columns, "class": "empty"}, text))
