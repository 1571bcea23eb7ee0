"""Pages built to be slow or to break a reader are read, in time linear in their size.

Each case is sized so that the quadratic reader it guards against took from minutes to
hours (``bench/probes.py`` prints the timings, before and after); here each one takes
well under a second, and the tests assert what is read, never how long it took.
"""

from __future__ import annotations

import pytest

from healthlint.builtin.formats.html import HtmlFormat
from healthlint.builtin.formats.markdown import MarkdownFormat, blank_templates
from healthlint.builtin.formats.mdx import MdxFormat, _Braces
from healthlint.suppress import parse_directives
from healthlint.text import split_clauses, split_sentences
from healthlint.types import Span

from .helpers import assert_contract, blocks


def clauses(prose: str, span: Span) -> list[str]:
    return [prose[c.start : c.end] for c in split_clauses(prose, span)]


def test_a_comment_inside_a_markdown_sentence_leaves_one_sentence() -> None:
    """The blanked comment is a run of 200,000 spaces inside a sentence: the clause
    splitter tried every one of them as the start of a break (quadratic)."""
    source = f"We offer stem cell therapy <!-- {'x' * 200_000} --> that cures arthritis.\n"
    document = MarkdownFormat().parse(source, "page.md")
    assert_contract(document)
    (block,) = document.blocks
    (sentence,) = split_sentences(document.prose, block.span)
    (clause,) = clauses(document.prose, sentence)
    assert clause.startswith("We offer stem cell therapy ")
    assert clause.endswith(" that cures arthritis.")


def test_clause_breaks_around_a_long_whitespace_run_are_kept() -> None:
    prose = "It is safe" + " " * 100_000 + "; results vary (in some patients), but most improve."
    assert clauses(prose, Span(0, len(prose))) == [
        "It is safe", "results vary", "in some patients", "but most improve."]


def test_an_inline_svg_in_an_html_sentence() -> None:
    paths = "<path d='M0 0L1 1'/>" * 10_000
    source = f"<p>Our clinic offers stem cell therapy <svg>{paths}</svg> that cures arthritis.</p>"
    document = HtmlFormat().parse(source, "page.html")
    assert blocks(document) == [
        ("paragraph", "Our clinic offers stem cell therapy that cures arthritis.")]
    (block,) = document.blocks
    (sentence,) = split_sentences(document.prose, block.span)
    assert len(clauses(document.prose, sentence)) == 1


def test_many_open_elements_and_stray_end_tags() -> None:
    """Every stray end tag searched the whole stack of open elements."""
    count = 30_000
    document = HtmlFormat().parse("<div>" * count + "</b>" * count + "<p>We cure.</p>", "p.html")
    assert blocks(document) == [("paragraph", "We cure.")]
    strays = [p for p in document.problems if p.message == "stray end tag </b> closes nothing"]
    unclosed = [p for p in document.problems if p.message == "<div> is never closed"]
    assert (len(strays), len(unclosed)) == (count, count)


def test_list_items_under_many_open_elements_close_their_siblings() -> None:
    """Each <li> looked for a sibling to close down the whole stack."""
    count = 20_000
    source = "<ul>" + "<div>" * count + "<li>We cure.</li>" * count + "</ul>"
    document = HtmlFormat().parse(source, "page.html")
    assert blocks(document) == [("list_item", "We cure.")] * count


def test_a_directive_followed_by_a_long_whitespace_run() -> None:
    """The directive pattern backtracked over the run for every extension of its codes."""
    source = "<!-- healthlint-disable " + " \t" * 100_000 + "x -- because -->\n\nWe cure.\n"
    document = MarkdownFormat().parse(source, "page.md")
    suppressions = parse_directives(document)
    (directive,) = suppressions.directives
    assert (directive.action, directive.codes, directive.reason) == ("disable", ("x",), "because")


def test_many_unclosed_highlight_shortcodes() -> None:
    """Each one scanned up to 64 KiB ahead for its closing tag."""
    source = "{{< highlight " * 100_000
    assert blank_templates(source) == source
    closed = "{{< highlight go >}}x := 1{{< /highlight >}} We cure. {{ .Title }}"
    assert blank_templates(closed).strip() == "We cure."


def test_many_unclosed_braces_in_mdx_are_scanned_once() -> None:
    """Every unclosed '{' scanned up to 100,000 characters ahead for its '}'."""
    count = 50_000
    source = "Our clinic {\n" * count
    document = MdxFormat().parse(source, "page.mdx")
    never = [p for p in document.problems if p.message == "'{' expression is never closed by '}'"]
    assert len(never) == count
    assert blocks(document)[0][1].startswith("Our clinic { Our clinic {")


def test_brace_scans_stay_within_their_budget() -> None:
    text = "x {\n" * 20_000
    braces = _Braces(text)
    before = braces.budget
    assert all(braces.end(offset) == -1 for offset in range(len(text)) if text[offset] == "{")
    assert before - braces.budget <= len(text)


def test_braces_inside_strings_of_an_earlier_scan() -> None:
    text = "{'{'}" + " {a}" + ' {"}"} {`}`} {/* } */}'
    braces = _Braces(text)
    assert braces.end(0) == 5
    assert braces.end(2) == 5  # inside the string of the first scan, scanned on its own
    assert [braces.end(text.index(s)) - text.index(s) for s in ("{a}", '{"}"}', "{`}`}")] == [
        3, 5, 5]


def test_backticks_that_never_close_in_one_mdx_paragraph() -> None:
    """Each backtick searched to the end of its paragraph for a closing run."""
    count = 50_000
    document = MdxFormat().parse("We cure ` it " * count + "\n", "page.mdx")
    assert len(document.blocks) == 1


@pytest.mark.parametrize("characters", [
    "".join(chr(code) for code in range(0xE000, 0xF900)),
    "\ue000\ue001\ue002\ue003" * 10,
])
def test_an_mdx_page_of_private_use_characters(characters: str) -> None:
    """The placeholder search ran out of candidates (StopIteration)."""
    source = f"{characters}\n\n    We cure arthritis.\n"
    document = MdxFormat().parse(source, "page.mdx")
    assert_contract(document)
    assert blocks(document)[-1] == ("paragraph", "We cure arthritis.")


def test_front_matter_nested_too_deeply_is_a_warning_and_the_body_is_read() -> None:
    """A flow list thousands of levels deep raised RecursionError after seconds of
    quadratic scanning, and the whole page went unlinted (libyaml now refuses it)."""
    source = "---\ndescription: " + "[" * 5000 + "]" * 5000 + "\n---\n\nWe cure arthritis.\n"
    document = MarkdownFormat().parse(source, "page.md")
    assert [p.message for p in document.problems] == [
        "invalid YAML front matter: exceeded maximum nesting depth"]
    assert blocks(document) == [("paragraph", "We cure arthritis.")]


def test_front_matter_a_little_less_deep_is_still_read() -> None:
    source = ("---\ntitle: We cure arthritis\ntags: " + "[" * 90 + "]" * 90
              + "\n---\n\nBody.\n")
    document = MarkdownFormat().parse(source, "page.md")
    assert not document.problems
    assert blocks(document)[0] == ("front_matter", "We cure arthritis")
