"""The HTML review report.

Without a browser: the structure (one ``data-code`` element per diagnostic, split
highlights that keep each finding's exact text, page-level cards), the escaping of
every piece of input, the security policy, the summary and the CLI wiring.

In headless Chromium, after the report's script ran: the highlights match the JSON
output of the same run, the filters work from the URL fragment and from clicks, the
hostile page's markup stays text, and the print stylesheet shows everything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.builtin.outputs._markup import element, escape, raw_block
from healthlint.builtin.outputs.html import HtmlOutput
from healthlint.builtin.outputs.html_source import Highlight, render_source
from healthlint.cli import main
from healthlint.engine import Linter
from healthlint.fingerprint import normalise_path
from healthlint.types import Diagnostic, FileError, OutputFormat, Report, RuleDocs, Span
from outputs.builders import (
    BROKEN,
    CLEAN,
    RULES,
    at,
    flag,
    page_level,
    render,
    report,
    result,
    sample_report,
)
from outputs.html_tree import Node, parse

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "review"
ASSETS = Path(__file__).resolve().parents[2] / "src" / "healthlint" / "builtin" / "outputs"


def html_of(data: Report) -> Node:
    return parse(render(HtmlOutput(), data))


def anchors(tree: Node) -> list[Node]:
    """The elements reviewer tooling counts: one per diagnostic."""
    return tree.find_all(lambda n: "data-code" in n.attrs)


def pieces(tree: Node, key: str) -> list[Node]:
    """The highlight elements of one finding in the text, in document order."""
    return tree.find_all(lambda n: n.tag == "mark" and n.attrs.get("data-finding") == key)


def identity(d: Diagnostic) -> tuple[str, str, str, str]:
    return (normalise_path(d.path), str(d.start.line), d.code, str(d.severity))


def identities(nodes: list[Node]) -> list[tuple[str, str, str, str]]:
    return sorted((str(n.attrs["data-file"]), str(n.attrs["data-line"]), str(n.attrs["data-code"]),
                   str(n.attrs["data-severity"])) for n in nodes)


def page_lines(tree: Node, path: str) -> list[str]:
    (section,) = tree.find_all(lambda n: n.tag == "section" and n.attrs.get("data-file") == path)
    return [n.text() for n in section.find_all(lambda n: "tx" in n.classes())]


# Structure --------------------------------------------------------------------------------------


def test_is_a_registered_output(linter: Linter) -> None:
    output = linter.registry.outputs["html"]
    assert isinstance(output, HtmlOutput)
    assert isinstance(output, OutputFormat)
    assert output.description


def test_registering_the_output_does_not_load_the_renderer() -> None:
    code = ("import sys; from healthlint.engine import Linter; Linter().registry.outputs; "
            "print(sorted(m for m in sys.modules if 'outputs.html' in m))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert loaded.strip() == "['healthlint.builtin.outputs.html']"


def test_one_data_code_element_per_diagnostic() -> None:
    data = sample_report()
    found = anchors(html_of(data))
    assert identities(found) == sorted(identity(d) for d in data.diagnostics)
    assert len({n.attrs["id"] for n in found}) == len(found)


def test_page_text_is_shown_verbatim_line_by_line() -> None:
    source = "# Title\r\n\r\nOur serum cures eczema.\r\n\tIndented\r\nlast"
    data = report(result("page.md", source, [flag("page.md", source, "cures eczema", "HL104")]))
    assert page_lines(html_of(data), "page.md") == source.split("\r\n")


def test_overlapping_findings_each_keep_their_text() -> None:
    source = "Alpha beta gamma delta\nepsilon zeta\n"
    spans = {
        ("HL101", 0, 16): "crosses the next one",
        ("HL104", 6, 22): "crossed",
        ("HL301", 11, 16): "nested in both",
        ("HL201", 11, 16): "the same span again",
        ("HL101", 17, 30): "across the line end",
        ("HL104", 5, 5): "empty",
    }
    diagnostics = [at("p.md", source, Span(start, end), code) for code, start, end in spans]
    tree = html_of(report(result("p.md", source, diagnostics)))
    assert len(anchors(tree)) == len(diagnostics)
    assert page_lines(tree, "p.md") == source.split("\n")
    for node in anchors(tree):
        d = next(d for d in diagnostics if d.code == node.attrs["data-code"]
                 and str(d.start.column) == node.attrs["data-column"]
                 and str(d.start.line) == node.attrs["data-line"])
        parts = pieces(tree, str(node.attrs["data-finding"]))
        assert parts[0] is node, "the data-code element is a finding's first piece"
        assert all("data-code" not in p.attrs for p in parts[1:])
        assert "".join(p.text() for p in parts) == source[d.span.start:d.span.end].replace("\n", "")


@settings(max_examples=200, deadline=None)
@given(
    source=st.text(alphabet="ab <&\n\r\t\u00e9\U0001f600", max_size=40),
    cuts=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8),
)
def test_any_spans_give_one_first_element_each_and_keep_the_text(
    source: str, cuts: list[tuple[int, int]]
) -> None:
    spans = [sorted((min(a, len(source)), min(b, len(source)))) for a, b in cuts]
    highlights = [Highlight(f"f{i}", start, end, {"data-finding": f"f{i}", "data-code": "X"},
                            {"data-finding": f"f{i}"}) for i, (start, end) in enumerate(spans)]
    view = render_source(source, highlights)
    tree = parse("".join(f"<div>{line}</div>" for line in view.lines))
    assert [line.text() for line in tree.children if isinstance(line, Node)] == [
        _shown(line) for line in source.split("\n")]
    assert len(anchors(tree)) == len(highlights)
    for highlight in highlights:
        parts = pieces(tree, highlight.key)
        assert "data-code" in parts[0].attrs and all("data-code" not in p.attrs for p in parts[1:])
        assert "".join(p.text() for p in parts) == "".join(
            _lines_of(source, highlight.start, highlight.end))


def _shown(line: str) -> str:
    """A line as the report shows it: without its line ending, a lone CR made visible."""
    return line.removesuffix("\r").replace("\r", "\ufffd")


def _lines_of(source: str, start: int, end: int) -> list[str]:
    """The parts of ``[start, end)`` on each line, as the report shows them."""
    parts, offset = [], 0
    for line in source.split("\n"):
        visible = _shown(line)
        parts.append(visible[max(start - offset, 0):max(min(end - offset, len(visible)), 0)])
        offset += len(line) + 1
    return parts


def test_page_level_findings_are_cards_on_top_marking_their_first_trigger() -> None:
    source = "Our stem cell injections help knees.\nBook now.\n"
    trigger = flag("p.md", source, "stem cell", "HL201")
    with_trigger = at("p.md", source, trigger.span, "HL201", document_level=True)
    without = page_level("p.md", source, "HL201", message="No disclaimer anywhere")
    tree = html_of(report(result("p.md", source, [with_trigger, without])))
    cards = anchors(tree)
    assert len(cards) == 2
    for card in cards:
        assert card.tag == "article"
        assert any("page-findings" in a.classes() for a in card.ancestors())
    keys = {str(card.attrs["data-finding"]) for card in cards}
    marks = [p for key in keys for p in pieces(tree, key)]
    assert [m.text() for m in marks] == ["stem cell"]
    assert "trigger" in marks[0].classes() and "data-code" not in marks[0].attrs


def test_findings_are_explained_beside_their_line() -> None:
    data = sample_report()
    tree = html_of(data)
    notes = tree.find_all(lambda n: "data-note" in n.attrs)
    assert len(notes) == len(data.diagnostics)
    hl101 = RULES["HL101"].docs
    note = next(n for n in notes if n.find_all(lambda c: c.text() == "HL101"))
    assert hl101.why in note.text() and hl101.instead in note.text()
    silent = next(n for n in notes if n.find_all(lambda c: c.text() == "HL301"))
    assert not silent.find_all(lambda c: "explain" in c.classes()), "empty docs add nothing"
    row = next(a for a in note.ancestors() if "row" in a.classes())
    assert any(n.attrs.get("data-finding") == note.attrs["data-finding"] and n.tag == "mark"
               for n in row.iter()), "a note sits in the row of its highlight"


def test_summary_counts_by_rule_severity_and_file() -> None:
    data = sample_report()
    tree = html_of(data)
    tables = {t.find_all(lambda n: n.tag == "caption")[0].text(): t
              for t in tree.find_all(lambda n: n.tag == "table")}
    by_rule = {row.find_all(lambda n: n.tag == "th")[0].text(): [c.text() for c in row.children
                                                                 if isinstance(c, Node)]
               for row in tables["By rule"].find_all(lambda n: n.tag == "tr")[1:]}
    expected = Counter((d.code, str(d.severity)) for d in data.diagnostics)
    for code, cells in by_rule.items():
        counts = [expected[(code, s)] for s in ("error", "warning", "info")]
        assert cells[2:] == [str(c) for c in counts] + [str(sum(counts))]
    assert set(by_rule) == {d.code for d in data.diagnostics}
    by_file = [[c.text() for c in row.children if isinstance(c, Node)]
               for row in tables["By file"].find_all(lambda n: n.tag == "tr")[1:]]
    assert [CLEAN, "0", "0", "0", "0", "0"] in by_file
    assert [BROKEN, "0", "0", "0", "0", "1"] in by_file


def test_file_errors_are_shown_and_clean_pages_only_listed() -> None:
    tree = html_of(sample_report())
    sections = {n.attrs["data-file"]: n for n in tree.find_all(lambda n: n.tag == "section"
                                                                and "data-file" in n.attrs)}
    assert CLEAN not in sections
    (alert,) = sections[BROKEN].find_all(lambda n: n.attrs.get("role") == "alert")
    assert "not valid UTF-8 at byte 12" in alert.text()
    assert "line 1, column 13" in alert.text()


def test_an_empty_run_still_makes_a_report() -> None:
    tree = html_of(report())
    assert anchors(tree) == []
    assert "No findings." in tree.text()


# Escaping and policy ----------------------------------------------------------------------------

HOSTILE_PATH = "content/<img src=x onerror=alert(1)>.md"
HOSTILE_SOURCE = (
    "Our PRP is <script>alert(1)</script> extremely safe.\n"
    "<img src=x onerror=alert(2)> & \"quotes\" 'too' &amp; </div></mark>\n"
)


def hostile_report() -> Report:
    docs = RuleDocs(summary="<i>s</i>", what="", why="<b onmouseover=alert(3)>why</b>",
                    instead="</article><script>alert(4)</script>")
    rules = {**RULES, "HL104": replace(RULES["HL104"], docs=docs)}
    diagnostics = [
        flag(HOSTILE_PATH, HOSTILE_SOURCE, "<script>alert(1)</script> extremely safe", "HL104",
             message='Claim "<script>alert(1)</script>" <img src=x onerror=alert(5)>'),
        flag(HOSTILE_PATH, HOSTILE_SOURCE, "onerror=alert(2)> &", "HL101"),
    ]
    errors = [FileError(HOSTILE_PATH, "bad <script>alert(6)</script>", line=2)]
    return report(result(HOSTILE_PATH, HOSTILE_SOURCE, diagnostics, errors), rules=rules)


def test_hostile_text_file_names_messages_and_docs_stay_text() -> None:
    markup = render(HtmlOutput(), hostile_report())
    tree = parse(markup)
    assert [n.tag for n in tree.iter() if n.tag in ("script", "img", "i")] == ["script"]
    bold = [n for n in tree.iter() if n.tag == "b"]
    assert all(not n.attrs and n.text() != "why" for n in bold), "no <b> came from the docs"
    assert len([n for n in tree.iter() if n.tag == "article"]) == 2
    (script,) = tree.find_all(lambda n: n.tag == "script")
    assert script.text() == (ASSETS / "html_report.js").read_text(encoding="utf-8")
    handlers = [name for n in tree.iter() for name in n.attrs if name.startswith("on")]
    assert handlers == []
    assert page_lines(tree, HOSTILE_PATH) == HOSTILE_SOURCE.split("\n")
    text = tree.text()
    for shown in (HOSTILE_PATH, 'Claim "<script>alert(1)</script>" <img src=x onerror=alert(5)>',
                  "<b onmouseover=alert(3)>why</b>", "</article><script>alert(4)</script>",
                  "bad <script>alert(6)</script>"):
        assert shown in text


def test_content_security_policy_allows_only_the_reports_own_code() -> None:
    tree = html_of(sample_report())
    (meta,) = tree.find_all(lambda n: n.attrs.get("http-equiv") == "Content-Security-Policy")
    policy = dict(d.strip().split(" ", 1) for d in str(meta.attrs["content"]).split(";"))
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        (body,) = [n.text() for n in tree.iter() if n.tag == tag]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert policy[directive] == f"'sha256-{digest}'"
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "'none'"
    assert not tree.find_all(lambda n: "src" in n.attrs)
    assert all(str(n.attrs["href"]).startswith("#") for n in tree.iter() if "href" in n.attrs)


def test_escaping_replaces_characters_html_cannot_carry() -> None:
    assert escape("a\x00b\rc\x1bd\ud800e\tf\ng") == "a\ufffdb\ufffdc\ufffdd\ufffde\tf\ng"
    assert escape("<a href='x'>&</a>") == "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;"
    assert escape(escape("<")) == "&lt;", "markup is never escaped twice"


def test_markup_builders_refuse_names_and_bodies_from_input() -> None:
    with pytest.raises(ValueError, match="tag name"):
        element("img src=x onerror=alert(1)")
    with pytest.raises(ValueError, match="attribute name"):
        element("p", {"onclick=alert(1) x": "y"})
    with pytest.raises(ValueError, match="end tag"):
        raw_block("script", None, "let a = '</SCRIPT><img src=x>';")


# The command line -------------------------------------------------------------------------------


def test_check_writes_the_report_with_o_and_with_output_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = shutil.copytree(FIXTURE, tmp_path / "review")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--no-config", "-q", "--output-format", "html", "-o", "short.html",
                 "--output", "html:long.html", "--output", "json:run.json", str(pages.name)])
    assert code == 1
    diagnostics = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))["diagnostics"]
    for name in ("short.html", "long.html"):
        tree = parse((tmp_path / name).read_text(encoding="utf-8"))
        assert identities(anchors(tree)) == sorted(
            (d["path"], str(d["line"]), d["code"], d["severity"]) for d in diagnostics)


# In headless Chromium ---------------------------------------------------------------------------


class Run:
    """The fixture folder linted once, with the JSON and the HTML output of that same run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.html = folder / "report.html"
        self.uri = self.html.as_uri()
        self.diagnostics: list[dict[str, Any]] = json.loads(
            (folder / "run.json").read_text(encoding="utf-8"))["diagnostics"]

    def count(self, **where: Any) -> int:
        return sum(1 for d in self.diagnostics if all(
            d[k] in v if isinstance(v, tuple) else d[k] == v for k, v in where.items()))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("report")
    shutil.copytree(FIXTURE, folder / "review")
    before = Path.cwd()
    os.chdir(folder)
    try:
        code = main(["check", "--no-config", "-q", "--output-format", "json", "-o", "run.json",
                     "--output", "html:report.html", "review"])
    finally:
        os.chdir(before)
    assert code == 1
    yield Run(folder)


def visible(browser: Any, selector: str) -> int:
    return int(browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".filter(e => e.checkVisibility()).length", selector))


def load(browser: Any, uri: str) -> None:
    browser.get("about:blank")
    browser.get(uri)
    assert browser.execute_script("return document.documentElement.classList.contains('js')"), \
        "the report's script ran"



@pytest.mark.browser
def test_browser_shows_one_highlight_per_json_diagnostic(browser: Any, run: Run) -> None:
    load(browser, run.uri)
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-code]')).map(e => [e.dataset.file,"
        " e.dataset.line, e.dataset.code, e.dataset.severity, e.textContent])")
    assert len(shown) == len(run.diagnostics) > 0
    assert sorted(tuple(s[:4]) for s in shown) == sorted(
        (d["path"], str(d["line"]), d["code"], d["severity"]) for d in run.diagnostics)
    assert ["review/clinic.md", "4", "HL104", "error", "extremely safe"] in shown
    assert visible(browser, "[data-note]") == len(run.diagnostics)


@pytest.mark.browser
def test_browser_hostile_markup_stays_text(browser: Any, run: Run) -> None:
    load(browser, run.uri)
    probe = browser.execute_script("""return {
        title: document.title,
        pwned: document.documentElement.getAttribute('data-pwned'),
        canaries: document.querySelectorAll('hl-canary').length,
        images: document.images.length,
        scripts: document.scripts.length,
        handlers: Array.from(document.querySelectorAll('*')).flatMap(
            e => Array.from(e.attributes).map(a => a.name)).filter(n => n.startsWith('on')).length,
        text: document.querySelector('section[data-file="review/hostile.html"] .source').innerText,
        notes: document.querySelector('section[data-file="review/hostile-notes.txt"]').innerText,
    }""")
    assert probe["title"] == f"healthlint review: {len(run.diagnostics)} findings"
    assert probe["pwned"] is None and probe["canaries"] == 0
    assert (probe["images"], probe["scripts"], probe["handlers"]) == (0, 1, 0)
    assert '<script>document.body.appendChild(document.createElement("hl-canary"));' \
        in probe["text"]
    assert "<img src=x onerror=\"document.title='pwned'" in probe["text"]
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in probe["text"]
    assert '"Stem cell therapy treats arthritis, back pain, <img src=x onerror=alert(4)>' \
        in probe["notes"], "a message quoting markup shows it as text"
    assert browser.execute_script("return typeof window.alert") == "function"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], "nothing was blocked, failed or thrown"


@pytest.mark.browser
@pytest.mark.parametrize(("fragment", "where"), [
    ("rule=HL104", {"code": "HL104"}),
    ("severity=error", {"severity": "error"}),
    ("severity=warning,info&file=review/clinic.md",
     {"severity": ("warning", "info"), "path": "review/clinic.md"}),
])
def test_browser_filters_from_the_url_fragment(
    browser: Any, run: Run, fragment: str, where: dict[str, Any]
) -> None:
    load(browser, f"{run.uri}#{fragment}")
    expected = run.count(**where)
    assert 0 < expected < len(run.diagnostics)
    assert visible(browser, "[data-note]") == expected
    assert visible(browser, "mark[data-code]:not(.filtered-out)") + visible(
        browser, "article[data-code]") == expected
    assert browser.find_element("id", "shown").text == \
        f"{expected} of {len(run.diagnostics)} findings shown"
    if "path" in where:
        assert visible(browser, "section.page") == 1


@pytest.mark.browser
def test_browser_filters_by_clicking(browser: Any, run: Run) -> None:
    from selenium.webdriver.support.select import Select

    load(browser, run.uri)
    for severity in ("warning", "info"):
        browser.find_element("css selector", f"input[name=severity][value={severity}]").click()
    errors = run.count(severity="error")
    assert visible(browser, "[data-note]") == errors
    muted = browser.find_element("css selector", "mark.sev-warning[data-code]")
    assert "filtered-out" in str(muted.get_attribute("class"))
    assert muted.value_of_css_property("background-color") == "rgba(0, 0, 0, 0)"
    assert "severity=error" in browser.execute_script("return location.hash")

    Select(browser.find_element("name", "rule")).select_by_value("HL104")
    assert visible(browser, "[data-note]") == run.count(severity="error", code="HL104")

    browser.find_element("css selector", "button[type=reset]").click()
    assert visible(browser, "[data-note]") == len(run.diagnostics)

    browser.find_element("css selector", "button[data-filter-rule=HL107]").click()
    assert visible(browser, "[data-note]") == run.count(code="HL107")


@pytest.mark.browser
def test_browser_clicking_a_highlight_opens_its_explanation(browser: Any, run: Run) -> None:
    load(browser, run.uri)
    mark = browser.find_element("css selector", "mark[data-code=HL104]")
    key = mark.get_attribute("data-finding")
    explanation = f"[data-note][data-finding={key}] .explain"
    assert visible(browser, explanation) == 0, "explanations open on demand on screen"
    mark.click()
    assert visible(browser, explanation) == 1
    assert "Why" in browser.find_element("css selector", explanation).text


@pytest.mark.browser
def test_browser_print_shows_every_finding_expanded_one_file_per_sheet(
    browser: Any, run: Run
) -> None:
    load(browser, f"{run.uri}#severity=error")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert visible(browser, "#filters") == 0
        assert visible(browser, "[data-note]") == len(run.diagnostics), "filters do not print"
        assert visible(browser, "[data-note] .explain") == len(run.diagnostics)
        breaks = browser.execute_script(
            "return Array.from(document.querySelectorAll('section.page'))"
            ".map(s => getComputedStyle(s).breakBefore)")
        assert breaks == ["page"] * len(breaks) and len(breaks) == 3
        pdf = base64.b64decode(browser.print_page())
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert pdf.startswith(b"%PDF")
    sheets = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert sheets >= 1 + len(breaks), "the summary, then each file on its own sheets"
