"""The Markdown format: what is prose, at which offsets, and what is reported."""



from __future__ import annotations

from pathlib import Path

from healthlint.builtin.formats.markdown import MarkdownFormat
from healthlint.types import Comment, Span

from .helpers import assert_contract, at, blocks, visible

FIXTURES = Path(__file__).parent / "fixtures"


def parse(source: str, **options: object):
    document = MarkdownFormat(**options).parse(source, "page.md")  # type: ignore[arg-type]
    assert_contract(document)
    return document


def test_paragraph_claim_across_lines_and_inline_markup() -> None:
    source = (
        'Our shots are *extremely*\r\n**safe** and [well *tolerated*](https://x.example/a "t").\r\n'
    )
    document = parse(source)
    assert blocks(document) == [("paragraph", "Our shots are extremely safe and well tolerated .")]
    assert document.blocks[0].span == Span(0, at(document, ".\r\n") + 1)
    safe = at(document, "safe")
    assert document.prose[safe - 2 : safe + 6] == "  safe  "
    assert "x.example" not in document.prose
    assert document.prose[at(document, "\r\n")] == "\r"


def test_scopes_of_containers() -> None:
    source = (
        "# Title\n\n"
        "> quoted words\n> go on\n\n"
        "- item one\n- [x] done item\n  - nested\n\n"
        "| h1 | h2 |\n|----|----|\n| c1 | c2 \\| pipe |\n\n"
        "Note.[^n]\n\n[^n]: Footnote words.\n"
    )
    assert blocks(parse(source)) == [
        ("heading", "Title"),
        ("quote", "quoted words go on"),
        ("list_item", "item one"),
        ("list_item", "done item"),
        ("list_item", "nested"),
        ("table_cell", "h1"),
        ("table_cell", "h2"),
        ("table_cell", "c1"),
        ("table_cell", "c2 | pipe"),
        ("paragraph", "Note."),
        ("footnote", "Footnote words."),
    ]


def test_images_are_their_own_alt_text_block() -> None:
    document = parse('Before ![A *happy* patient](p.png "Title") after.\n')
    assert blocks(document) == [
        ("paragraph", "Before"),
        ("alt_text", "A happy patient"),
        ("paragraph", "after."),
    ]
    assert "p.png" not in document.prose and "Title" not in document.prose


def test_code_urls_references_and_markers_are_blank() -> None:
    source = (
        "Use `cure()` here.\n\n"
        "```python\nprint('cure')\n```\n\n"
        "    indented cure\n\n"
        '[ref]: https://cure.example "cure title"\n\n'
        "See <https://cure.example/x> and https://cure.example/y and www.cure.example.\n\n"
        "***\n"
    )
    document = parse(source)
    assert "cure" not in document.prose
    assert visible(document) == "Use here. See and and ."


def test_entities_and_escapes() -> None:
    source = "Caf&eacute; &amp; tea&nbsp;time &#8217;s \\*not emphasis\\*\n"
    document = parse(source)
    start = at(document, "&eacute;")
    assert document.prose[start : start + 8] == "é       "
    assert visible(document) == "Café & tea time ’ s *not emphasis *"
    assert document.prose[at(document, "\\*")] == " "


def test_html_blocks_are_read_as_html() -> None:
    source = (
        '<div class="note">\n<p>Boxed <b>claim</b> &amp; more</p>\n</div>\n\n'
        "> <div>\n> quoted html\n> </div>\n\n"
        'Inline <span>span</span> <code>cure</code> text<br>after <img src=x alt="Alt words">\n'
    )
    document = parse(source)
    assert blocks(document) == [
        ("paragraph", "Boxed claim & more"),
        ("paragraph", "quoted html"),
        ("paragraph", "Inline span text"),
        ("paragraph", "after"),
        ("alt_text", "Alt words"),
    ]
    assert not document.problems


def test_comments_are_recorded_and_blank() -> None:
    source = (
        "<!-- healthlint-disable HL104 -- reason -->\n\n"
        "Text <!-- healthlint-disable-line HL1 --> more <!-- plain -->\n"
    )
    document = parse(source)
    inline = at(document, "<!-- healthlint-disable-line")
    assert document.comments == (
        Comment(Span(0, 43), "healthlint-disable HL104 -- reason"),
        Comment(Span(inline, inline + 36), "healthlint-disable-line HL1"),
    )
    assert visible(document) == "Text more"


def test_template_tags_are_blank() -> None:
    source = (
        '{{< figure src="a.png" caption="cure" >}}\n\n'
        "Price {{ .Price }} and {% if x %}shown{% endif %}.\n\n"
        "{{% notice %}}\nInner words.\n{{% /notice %}}\n\n"
        "{{< highlight go >}}\ncure()\n{{< /highlight >}}\n"
    )
    document = parse(source)
    assert visible(document) == "Price and shown . Inner words."


def test_non_ascii_offsets_are_code_points() -> None:
    source = "😀 **é\u0301** “naïve” café\u00a0x\tz\n\n日本語の *文章*\n"
    document = parse(source)
    assert blocks(document) == [
        ("paragraph", "😀 é\u0301 “naïve” café x z"),
        ("paragraph", "日本語の 文章"),
    ]
    assert document.blocks[0].span == Span(0, at(document, "z") + 1)
    japanese = at(document, "文章")
    assert document.prose[japanese : japanese + 2] == "文章"
    assert document.prose[japanese - 1] == " "


def test_byte_order_mark() -> None:
    document = parse("\ufeff# Heading\n\nText.\n")
    assert blocks(document) == [("heading", "Heading"), ("paragraph", "Text.")]
    assert document.prose[0] == " "


def test_hugo_page_fixture() -> None:
    document = parse((FIXTURES / "hugo-page.md").read_text(encoding="utf-8"))
    found = blocks(document)
    assert found[:2] == [
        ("front_matter", "Stem cell therapy for sore shoulders"),
        ("front_matter", "A gentle option that helps most patients heal faster."),
    ]
    assert (
        "paragraph",
        "Our shoulder program is clinically proven to restore motion. "
        "Read more in our patient guide .",
    ) in found
    assert ("paragraph", "Every plan starts with an in-person exam.") in found
    assert ("list_item", "No downtime for most patients") in found
    assert ("quote", "Treatment changed my life.") in found
    assert ("table_cell", "About a week") in found
    assert ("footnote", "Internal audit of 2023 patient files.") in found
    assert ("alt_text", "Smiling patient lifting a bag") in found
    assert ("paragraph", "The price is per visit, see in the data.") in found
    text = visible(document)
    for hidden in (
        "draft",
        "shoulder-therapy",
        "regenerative",
        "shortcode",
        "not prose",
        "example.org",
        "Guide title",
        "Params",
        "cure_rate",
        "patient.jpg",
    ):
        assert hidden not in text, hidden
    assert [c.text for c in document.comments] == ["healthlint-disable HL201 -- quoting a study"]
    assert not document.problems
