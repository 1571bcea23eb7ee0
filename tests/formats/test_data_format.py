"""Data files: every string value that reads as copy, at its exact span, keys and machine
values blank; exact scanners for JSON and TOML, checked against the standard library."""

from __future__ import annotations

import json
import sys

import pytest

from healthlint.builtin.formats._json import json_leaves
from healthlint.builtin.formats._toml import toml_leaves
from healthlint.builtin.formats._values import is_machine_key, looks_like_prose
from healthlint.builtin.formats.data import DataFormat

from .helpers import assert_contract, at, blocks, visible

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def parse(source: str, path: str):
    document = DataFormat().parse(source, path)
    assert_contract(document)
    return document


YAML = """\
testimonials:
  - author: Dana R.
    quote: "Back to running in \\"two\\" weeks"
    photo: /img/dana.jpg
    date: 2024-05-01
  - author: Lee
    quote: >-
      The most specialized
      team in town
services:
  - title: Knee 'PRP'
    url: https://clinic.example/knee
    price: 300
    featured: true
    body: |
      <p>Relief for <b>sore</b> knees</p>
      <p>Ask us &amp; book</p>
"""


def test_yaml_string_leaves_at_exact_spans() -> None:
    document = parse(YAML, "_data/home.yml")
    assert blocks(document) == [
        ("field", "Dana R."),
        ("field", 'Back to running in " two" weeks'),
        ("field", "Lee"),
        ("field", "The most specialized team in town"),
        ("field", "Knee 'PRP'"),
        ("paragraph", "Relief for sore knees"),
        ("paragraph", "Ask us & book"),
    ]
    assert document.blocks[1].span.start == at(document, "Back to")
    shown = visible(document)
    for hidden in ("testimonials", "quote", "dana.jpg", "2024", "https", "300", "true", "<p>"):
        assert hidden not in shown, hidden


def test_json_string_leaves_with_escapes() -> None:
    source = json.dumps({"faq": [{"q": "Is it café-safe?", "a": "Yes\n\"mostly\" \u2014 ask"}],
                         "id": "faq-1", "href": "/faq", "count": 3}, ensure_ascii=True)
    document = parse(source, "content/faq.json")
    # Each escape shows its character at its first offset; the rest of the escape is blank.
    assert blocks(document) == [("field", "Is it café -safe?"), ("field", 'Yes " mostly" — ask')]
    assert document.blocks[0].span.start == source.index("Is it")


def test_toml_string_leaves() -> None:
    source = ('[home]\nheadline = "Whole-body care"\nhero_image = "/img/a.png"\n\n'
              '[[home.faq]]\nq = \'What is PRP?\'\na = """\nA treatment from\nyour own blood."""\n')
    document = parse(source, "data/home.toml")
    assert blocks(document) == [("field", "Whole-body care"), ("field", "What is PRP?"),
                                ("field", "A treatment from your own blood.")]


@pytest.mark.parametrize(("path", "source", "offset"), [
    ("data/a.json", '{"a": "ok", "b": tru}', len('{"a": "ok", "b": ')),
    ("data/a.json", '{"a": "ok",}', len('{"a": "ok",')),
    ("data/a.yml", "a: Fine words\nb: [unclosed\n", len("a: Fine words\nb: [unclosed\n")),
    ("data/a.toml", 'a = "Fine words"\nb = \n', len('a = "Fine words"\nb = ')),
])
def test_invalid_data_is_a_problem_with_its_position(path: str, source: str, offset: int) -> None:
    document = parse(source, path)
    assert len(document.problems) == 1
    assert document.problems[0].message.startswith("invalid ")
    assert document.problems[0].offset == offset


def test_values_before_a_json_or_toml_error_are_still_read() -> None:
    assert blocks(parse('{"a": "Fine words", "b": }', "data/a.json")) == [("field", "Fine words")]
    assert blocks(parse('a = "Fine words"\nb = \n', "data/a.toml")) == [("field", "Fine words")]


def test_json_scanner_agrees_with_the_standard_library() -> None:
    value = {"k": ["a", {"n": "\\u00e9😀", "e": ""}, [["deep"]], 1.5e3, None, False]}
    for text in (json.dumps(value), json.dumps(value, indent=3, ensure_ascii=False)):
        leaves, error = json_leaves(text)
        assert error is None
        assert [json.loads(f'"{text[leaf.start : leaf.start + len(leaf.text)]}"')
                for leaf in leaves] == ["a", "\\u00e9😀", "", "deep"]
        assert [leaf.path for leaf in leaves] == [("k", 0), ("k", 1, "n"), ("k", 1, "e"),
                                                  ("k", 2, 0, 0)]


def test_toml_scanner_checks_each_string_against_tomllib() -> None:
    source = ('a = "one"\nb.c = \'two\'\n"d.e" = { f = "three", g = ["four", 5] }\n'
              '[[t]]\nx = """five\\\n    six"""\n'
              '[[t]]\nx = \'\'\'seven\'\'\'\n[t.sub]\ny = "eight"\n')
    data = tomllib.loads(source)
    leaves, error = toml_leaves(source)
    assert error is None
    assert [leaf.path for leaf in leaves] == [
        ("a",), ("b", "c"), ("d.e", "f"), ("d.e", "g", 0), ("t", 0, "x"), ("t", 1, "x"),
        ("t", 1, "sub", "y")]
    assert data["t"][0]["x"] == "fivesix"


@pytest.mark.parametrize(("key", "machine"), [
    ("heroImage", True), ("cta_url", True), ("pubDate", True), ("_id", True),
    ("backgroundColor", True), ("canonicalURL", True), ("links", True), ("imageAlt", False),
    ("metaDescription", False), ("answer", False), ("valid", False), (None, False),
])
def test_machine_keys(key: str | None, machine: bool) -> None:
    assert is_machine_key(key) is machine


@pytest.mark.parametrize(("value", "prose"), [
    ("Cancer", True), ("MIGRAINE FIGHTER", True), ("guaranteed", True), ("risk-free", True),
    ("Back-to-back sessions help", True), ("https://clinic.example", False),
    ("/img/knee.png", False), ("care@clinic.example", False), ("#ff0055", False),
    ("2024-05-01", False), ("heroBanner", False), ("btn_primary", False), ("a1b2c3d4", False),
    ("flex items-center md:px-6", False), ("text-lg font-bold", False), ("() => x", False),
    ("width=device-width, initial-scale=1", False), ("42", False), ("x", False), ("", False),
])
def test_prose_shapes(value: str, prose: bool) -> None:
    assert looks_like_prose(value) is prose


def test_yaml_and_toml_comments_carry_directives_json_has_none() -> None:
    yaml_source = ('# healthlint-disable-file HL112 -- a data file\nquote: "not # healthlint-x"\n'
                   "answer: Fine words  # healthlint-disable-line HL104\n")
    document = parse(yaml_source, "_data/a.yml")
    assert [comment.text for comment in document.comments] == [
        "healthlint-disable-file HL112 -- a data file", "healthlint-disable-line HL104"]
    assert document.comments[1].span.start == yaml_source.index("# healthlint-disable-line")
    toml_source = 'a = "x # healthlint-no"\n# healthlint-disable-next-line HL104\nb = "Fine"\n'
    assert [c.text for c in parse(toml_source, "data/a.toml").comments] == [
        "healthlint-disable-next-line HL104"]
