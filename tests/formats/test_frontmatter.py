"""Front matter: published fields at their exact spans, problems for broken front matter."""

from __future__ import annotations

import pytest

from healthlint.builtin.formats.markdown import MarkdownFormat
from healthlint.builtin.formats.mdx import MdxFormat
from healthlint.types import Span

from .helpers import assert_contract, at, blocks, visible


def parse(source: str, **options: object):
    document = MarkdownFormat(**options).parse(source, "page.md")  # type: ignore[arg-type]
    assert_contract(document)
    return document


def test_yaml_fields_at_value_spans() -> None:
    source = (
        "---\r\n"
        "title: Plain title\r\n"
        "description: 'It''s gentle'\r\n"
        'summary: "Say \\"safe\\" \\u00e9"\r\n'
        "excerpt: |\r\n  Line one\r\n  line two\r\n"
        "author: Not Published\r\n"
        "---\r\n"
        "Body.\r\n"
    )
    document = parse(source)
    assert blocks(document) == [
        ("front_matter", "Plain title"),
        ("front_matter", "It' s gentle"),
        ("front_matter", 'Say " safe" é'),
        ("front_matter", "Line one line two"),
        ("paragraph", "Body."),
    ]
    title = at(document, "Plain title")
    assert document.blocks[0].span == Span(title, title + len("Plain title"))
    assert document.blocks[1].span.start == at(document, "It''s")
    assert "Not Published" not in document.prose
    assert "author" not in document.prose and "summary" not in document.prose


def test_published_fields_are_configurable() -> None:
    source = "---\ntitle: Shown\nheadline: Also shown\n---\n"
    document = parse(source, published_fields=("headline",))
    assert blocks(document) == [("front_matter", "Also shown")]
    reconfigured = MarkdownFormat().with_published_fields(["title"]).parse(source, "a.md")
    assert blocks(reconfigured) == [("front_matter", "Shown")]


def test_non_ascii_yaml_values() -> None:
    document = parse("---\ntitle: Café 😀 “quoted” e\u0301\n---\n")
    assert blocks(document) == [("front_matter", "Café 😀 “quoted” e\u0301")]
    assert document.blocks[0].span == Span(11, 11 + len("Café 😀 “quoted” e\u0301"))


def test_toml_fields() -> None:
    source = (
        '+++\ntitle = "Toml \\"title\\""\ndraft = true\n'
        'description = \'Literal words\'\nsummary = """\nMulti\nline"""\n'
        '[params]\nexcerpt = "Nested in params"\n+++\nBody.\n'
    )
    document = parse(source)
    assert blocks(document) == [
        ("front_matter", 'Toml " title"'),
        ("front_matter", "Literal words"),
        ("front_matter", "Multi line"),
        ("front_matter", "Nested in params"),
        ("paragraph", "Body."),
    ]
    assert not document.problems
    top_level_only = parse(source, published_fields=("title", "excerpt"))
    assert blocks(top_level_only) == [("front_matter", 'Toml " title"'), ("paragraph", "Body.")]


def test_unterminated_front_matter_is_a_problem_and_the_body_is_read() -> None:
    document = parse("---\ntitle: x\n\nOur claim text.\n")
    assert [p.offset for p in document.problems] == [0]
    assert "never closed" in document.problems[0].message
    assert ("paragraph", "Our claim text.") in blocks(document)


@pytest.mark.parametrize(
    ("front_matter", "needle"),
    [
        ("title: [unclosed\n", ""),
        ("title: ok\n  bad: indent\n", "bad: indent"),
        ("- a list\n- not a mapping\n", ""),
    ],
)
def test_invalid_yaml_is_a_problem_and_the_body_is_read(front_matter: str, needle: str) -> None:
    source = f"---\n{front_matter}---\nOur claim text.\n"
    document = parse(source)
    assert len(document.problems) == 1, document.problems
    problem = document.problems[0]
    assert "YAML front matter" in problem.message
    assert 4 <= problem.offset <= 4 + len(front_matter)
    if needle:
        assert at(document, needle) <= problem.offset < at(document, needle) + len(needle)
    assert blocks(document)[-1] == ("paragraph", "Our claim text.")
    assert "title" not in visible(document)


def test_invalid_toml_is_a_problem_with_its_position() -> None:
    document = parse('+++\ntitle = "ok"\nbroken = \n+++\nBody.\n')
    assert len(document.problems) == 1
    assert "invalid TOML front matter" in document.problems[0].message
    assert document.problems[0].offset == at(document, "broken") + len("broken = ")
    assert blocks(document) == [("front_matter", "ok"), ("paragraph", "Body.")]


def test_mdx_front_matter() -> None:
    document = MdxFormat().parse(
        "---\ndescription: Gentle\n---\nimport X from 'x'\n\nHi\n", "a.mdx"
    )
    assert_contract(document)
    assert blocks(document) == [("front_matter", "Gentle"), ("paragraph", "Hi")]


NESTED = """---
title: Knee clinic
hero:
  heading: Move freely again
  image: /img/hero.jpg
  button: {text: Book a visit, link: /book}
faqs:
  - q: Does it hurt?
    a: |
      <p>Most patients feel <em>little</em> discomfort.</p>
      <p>Ask us about it.</p>
  - q: How long?
    a: >
      About an hour,
      start to finish.
layout: page
cms_blocks:
  - _bookshop_name: banner
    description: Gentle care for every age
seo:
  metaTitle: Knee clinic in town
---
Body text.
"""


def test_nested_front_matter_with_the_default_patterns() -> None:
    document = parse(NESTED)
    assert blocks(document) == [
        ("front_matter", "Knee clinic"),
        ("front_matter", "Move freely again"),
        ("front_matter", "Book a visit"),
        ("front_matter", "Does it hurt?"),
        ("paragraph", "Most patients feel little discomfort."),
        ("paragraph", "Ask us about it."),
        ("front_matter", "How long?"),
        ("front_matter", "About an hour, start to finish."),
        ("front_matter", "Gentle care for every age"),
        ("front_matter", "Knee clinic in town"),
        ("paragraph", "Body text."),
    ]
    shown = visible(document)
    for hidden in ("hero.jpg", "/book", "page", "banner", "<p>", "<em>", "faqs", "heading"):
        assert hidden not in shown, hidden
    assert document.blocks[4].span.start == at(document, "Most patients")


@pytest.mark.parametrize(("fields", "shown"), [
    (("hero.*",), ["Move freely again", "Book a visit"]),
    (("hero.button.text",), ["Book a visit"]),
    (("faqs[].q",), ["Does it hurt?", "How long?"]),
    (("faqs.q",), ["Does it hurt?", "How long?"]),
    (("**.metatitle",), ["Knee clinic in town"]),
    (("seo",), ["Knee clinic in town"]),
    (("h?ro.head*",), ["Move freely again"]),
    (("title",), ["Knee clinic"]),
])
def test_key_patterns(fields: tuple[str, ...], shown: list[str]) -> None:
    document = parse(NESTED, published_fields=fields)
    assert [text for scope, text in blocks(document) if scope == "front_matter"] == shown


def test_extend_published_fields_adds_to_the_defaults() -> None:
    source = "---\ntitle: Shown\nusp_line: Also shown\nother: Not shown\n---\n"
    configured = MarkdownFormat().configured({"extend-published-fields": ["usp_line"]})
    document = configured.parse(source, "a.md")
    assert blocks(document) == [("front_matter", "Shown"), ("front_matter", "Also shown")]


def test_yaml_anchors_show_their_text_once() -> None:
    source = "---\ndescription: &d Shared words\nsummary: *d\nlist: &l [*l]\n---\n"
    document = parse(source)
    assert blocks(document) == [("front_matter", "Shared words")]


def test_nested_toml_front_matter() -> None:
    source = ('+++\ntitle = "Toml page"\n[hero]\nheading = "Nested heading"\nimage = "/i.png"\n'
              '[[faqs]]\nanswer = """\nA longer answer."""\n+++\nBody.\n')
    assert blocks(parse(source)) == [
        ("front_matter", "Toml page"), ("front_matter", "Nested heading"),
        ("front_matter", "A longer answer."), ("paragraph", "Body.")]


def test_the_schema_and_the_matcher_agree_on_the_pattern_syntax() -> None:
    import json
    from importlib import resources

    from healthlint.builtin.formats._fields import PATTERN_SYNTAX

    schema = json.loads(resources.files("healthlint").joinpath(
        "schemas/config.schema.json").read_text("utf-8"))
    for key in ("published-fields", "extend-published-fields"):
        assert schema["properties"][key]["items"]["pattern"] == PATTERN_SYNTAX
