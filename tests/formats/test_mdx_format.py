"""The MDX format: prose in Markdown and JSX children; ESM, tags and expressions blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.builtin.formats.mdx import MdxFormat
from healthlint.types import Comment, Span

from .helpers import assert_contract, at, blocks, visible

FIXTURES = Path(__file__).parent / "fixtures"


def parse(source: str):
    document = MdxFormat().parse(source, "page.mdx")
    assert_contract(document)
    return document


def test_esm_tags_attributes_and_expressions_are_blank() -> None:
    source = (
        'import { Card } from "./card"\nexport const cure = {\n  a: "}",\n}\n\n'
        '<Card title="cure" data={{ cure: "}" }} {...rest}>\n'
        "Children words are {props.cure} prose.\n"
        "</Card>\n"
    )
    document = parse(source)
    assert "cure" not in document.prose
    assert blocks(document) == [("paragraph", "Children words are prose.")]
    words = at(document, "Children")
    assert document.blocks[0].span.start == words
    assert not document.problems


def test_indented_children_are_prose_not_code() -> None:
    source = "<Tabs>\n  <Tab>\n\n    Our **gentle** care.\n\n  </Tab>\n</Tabs>\n"
    document = parse(source)
    assert blocks(document) == [("paragraph", "Our gentle care.")]
    assert document.blocks[0].span.start == at(document, "Our")


def test_inline_jsx_does_not_split_a_claim() -> None:
    source = "We are extremely <Highlight>safe</Highlight> and <Badge /> kind.\n"
    document = parse(source)
    assert blocks(document) == [("paragraph", "We are extremely safe and kind.")]


def test_comment_expressions_are_directives() -> None:
    source = "{/* healthlint-disable HL104 -- reviewed */}\nText.\n{/* plain */}\n"
    document = parse(source)
    assert document.comments == (Comment(Span(0, 44), "healthlint-disable HL104 -- reviewed"),)
    assert visible(document) == "Text."


def test_code_is_left_to_markdown() -> None:
    source = "Use `{cure}` and `<Cure />`.\n\n```jsx\n<Cure>{x}</Cure>\n```\n\nAfter.\n"
    document = parse(source)
    assert visible(document) == "Use and . After."
    assert not document.problems


def test_non_ascii_and_crlf() -> None:
    source = "<Note>\r\nCafé 😀 “naïve” e\u0301\r\n</Note>\r\n"
    document = parse(source)
    assert blocks(document) == [("paragraph", "Café 😀 “naïve” e\u0301")]
    assert document.blocks[0].span.start == at(document, "Café")


@pytest.mark.parametrize(
    ("source", "needle", "message"),
    [
        ("Good text.\n\nBad {open brace\n", "{open", "never closed by '}'"),
        ("Good text.\n\nStray } brace.\n", "}", "no matching '{'"),
        ("<Card>\nGood text.\n", "<Card>", "<Card> is never closed"),
        ("Good text.\n</Card>\n", "</Card>", "</Card> has no matching opening tag"),
        ('Good text.\n<Card title="x"\n', "<Card", "is never closed"),
    ],
)
def test_unbalanced_mdx_gives_problems_and_keeps_prose(
    source: str, needle: str, message: str
) -> None:
    document = parse(source)
    assert [p.offset for p in document.problems if message in p.message] == [
        at(document, needle)
    ], document.problems
    assert ("paragraph", "Good text.") in blocks(document)


def test_landing_page_fixture() -> None:
    document = parse((FIXTURES / "landing.mdx").read_text(encoding="utf-8"))
    found = blocks(document)
    assert found[:3] == [
        ("front_matter", "Regenerative knee care"),
        ("front_matter", "Injections that help your knee heal itself"),
        ("heading", "Knee care without surgery"),
    ]
    assert ("paragraph", "Our method is 100% natural and works for everyone.") in found
    assert ("paragraph", "Most visits take under an hour.") in found
    assert ("paragraph", "The success rate is % across patients.") in found
    assert ("paragraph", "Fast, gentle recovery") in found
    text = visible(document)
    for hidden in (
        "import",
        "Callout",
        "campaign",
        "InfoIcon",
        "97",
        'success rate"',
        "stats",
        "example code",
        "/book",
    ):
        assert hidden not in text, hidden
    assert [c.text for c in document.comments] == [
        "healthlint-disable HL301 -- figure sourced in the footnote"
    ]
    assert not document.problems
