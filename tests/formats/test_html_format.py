"""The HTML format: what is prose, at which offsets, and what is reported."""



from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.builtin.formats.html import HtmlFormat
from healthlint.types import Comment, Span

from .helpers import assert_contract, at, blocks, visible

FIXTURES = Path(__file__).parent / "fixtures"


def parse(source: str):
    document = HtmlFormat().parse(source, "page.html")
    assert_contract(document)
    return document


def test_inline_tags_do_not_split_a_claim_across_lines() -> None:
    source = "<p>Our shots are extremely\r\n  <b>safe</b> for all.</p>"
    document = parse(source)
    assert blocks(document) == [("paragraph", "Our shots are extremely safe for all.")]
    block = document.blocks[0]
    assert block.span == Span(at(document, "Our"), at(document, "all.") + 4)
    safe = at(document, "safe")
    assert document.prose[safe : safe + 4] == "safe"
    assert document.prose[safe - 3 : safe] == "   "
    assert document.prose[at(document, "\r\n") : at(document, "\r\n") + 2] == "\r\n"


def test_block_elements_and_br_split_blocks() -> None:
    document = parse("<div>One<p>Two</p>Three<br>Four<li>Five</li><td>Six</td></div>")
    assert blocks(document) == [
        ("paragraph", "One"),
        ("paragraph", "Two"),
        ("paragraph", "Three"),
        ("paragraph", "Four"),
        ("list_item", "Five"),
        ("table_cell", "Six"),
    ]


def test_scopes() -> None:
    document = parse(
        "<h2>Head</h2><blockquote><p>Said</p></blockquote>"
        "<figure><figcaption>Cap</figcaption></figure><ul><li><p>Item</p></li></ul>"
    )
    assert blocks(document) == [
        ("heading", "Head"),
        ("quote", "Said"),
        ("caption", "Cap"),
        ("list_item", "Item"),
    ]


def test_character_references_decode_in_place() -> None:
    source = "<p>Caf&eacute; &amp; tea&nbsp;time &#8217;s &#x2019; &rsquo;</p>"
    document = parse(source)
    start = at(document, "&eacute;")
    assert document.prose[start : start + 8] == "é       "
    nbsp = at(document, "&nbsp;")
    assert document.prose[nbsp : nbsp + 6] == "      "
    assert visible(document) == "Café & tea time ’ s ’ ’"
    assert not document.problems


def test_title_meta_and_alt_text_at_exact_value_spans() -> None:
    source = (
        "<html><head><title>Best &amp; only</title>"
        '<meta name="description" content="Totally safe">'
        "<meta property='og:description' content='No risk'>"
        '<meta name="twitter:description" content=Painless>'
        '<meta name="keywords" content="not linted">'
        '</head><body><img src="a.png" alt="Walking &amp; smiling"></body></html>'
    )
    document = parse(source)
    assert blocks(document) == [
        ("title", "Best & only"),
        ("meta", "Totally safe"),
        ("meta", "No risk"),
        ("meta", "Painless"),
        ("alt_text", "Walking & smiling"),
    ]
    totally = at(document, "Totally safe")
    assert document.blocks[1].span == Span(totally, totally + len("Totally safe"))
    alt = at(document, "Walking")
    assert document.blocks[4].span == Span(alt, alt + len("Walking &amp; smiling"))


def test_skipped_elements_stay_blank() -> None:
    source = (
        "<head><style>p{}</style><link rel=x></head><body>"
        '<script type="application/ld+json">{"claim": "cures all"}</script>'
        "<script>if (a < b) { x('<p>cures</p>') }</script>"
        "<noscript>cures</noscript><template><p>cures</p></template>"
        "<svg><title>cures</title><text>cures</text></svg>"
        "<pre>cures</pre><p>Try <code>cures()</code> now</p></body>"
    )
    document = parse(source)
    assert "cures" not in document.prose
    assert blocks(document) == [("paragraph", "Try now")]
    assert not document.problems


def test_healthlint_comments_are_recorded_and_blank() -> None:
    source = "<p>a</p><!-- plain --><!--  healthlint-disable HL104 -- reason  -->"
    document = parse(source)
    start = at(document, "<!--  health")
    assert document.comments == (
        Comment(Span(start, len(source)), "healthlint-disable HL104 -- reason"),
    )
    assert visible(document) == "a"


def test_non_ascii_offsets_are_code_points() -> None:
    source = "<p>😀 ok</p><p>e\u0301 \u00a0\t“sure”</p>"
    document = parse(source)
    assert blocks(document) == [("paragraph", "😀 ok"), ("paragraph", "e\u0301 “sure”")]
    assert document.blocks[0].span.start == 3
    assert document.source[document.blocks[1].span.end - 1] == "”"


def test_byte_order_mark_is_not_prose() -> None:
    document = parse("\ufeff<p>Hi</p>")
    assert document.prose[0] == " "
    assert blocks(document) == [("paragraph", "Hi")]


@pytest.mark.parametrize(
    ("source", "offset", "message"),
    [
        ("<div><p>text</p>", 0, "<div> is never closed"),
        ("<p>text</p></div>", 11, "stray end tag </div>"),
        ("<p>a &foo; b</p>", 5, "unknown character reference '&foo;'"),
        ("<p>a &#xZZ; b</p>", 5, "malformed numeric character reference"),
        ("<p>a &rsquo b</p>", 5, "missing its ';'"),
        ("<p>a <span>b</p>", 5, "<span> is never closed"),
        ("<p>text <!-- never closed", 8, "unterminated comment"),
        ("<p>text</p><script>var a;", 11, "<script> is never closed"),
        ('<p>text</p><a href="x', 11, "unterminated tag <a"),
    ],
)
def test_malformed_html_gives_problems_and_keeps_prose(
    source: str, offset: int, message: str
) -> None:
    document = parse(source)
    assert any(p.offset == offset and message in p.message for p in document.problems), (
        document.problems
    )
    assert "text" in visible(document) or "b" in visible(document)


def test_implied_end_tags_are_not_problems() -> None:
    document = parse("<ul><li>One<li>Two</ul><p>Three<p>Four<table><tr><td>a<td>b</table>")
    assert not document.problems
    assert [text for _, text in blocks(document)] == ["One", "Two", "Three", "Four", "a", "b"]


def test_ampersands_that_are_not_references_are_text() -> None:
    document = parse("<p>AT&T and Q&A &amp R&D</p>")
    assert visible(document) == "AT&T and Q&A & R&D"
    assert [p.message for p in document.problems] == [
        "character reference '&amp' is missing its ';'"
    ]


def test_clinic_page_fixture() -> None:
    document = parse((FIXTURES / "clinic.html").read_text(encoding="utf-8"))
    found = blocks(document)
    assert ("title", "Harbor Joint Clinic – Knee Care") in found
    assert ("meta", "Knee injections that are completely safe & painless") in found
    assert ("meta", "Walk again without surgery") in found
    assert (
        "paragraph",
        "Our injections are extremely safe and most people feel better within days.",
    ) in found
    assert ("alt_text", "Patient walking pain\u2011 free after treatment") in found
    assert ("paragraph", "Results vary from person to person.") in found
    assert ("paragraph", "Ask your doctor first.") in found
    assert ("quote", "I was back on the trail in two weeks!") in found
    assert ("caption", "Our team in 2024") in found
    assert ("table_cell", "$ 90") in found
    assert ("list_item", "Knee treatments") in found
    text = visible(document)
    for hidden in (
        "guaranteed",
        "cure",
        "miracle",
        "schema.org",
        "viewport",
        "logo",
        "icon text",
        "hidden template",
        "enable scripts",
        "const",
    ):
        assert hidden not in text, hidden
    assert [c.text for c in document.comments] == [
        "healthlint-disable-next-line HL104 -- claim reviewed by counsel"
    ]
    assert not document.problems
