"""Property tests for the readers of code, templates and data: random JSX, templates and
Astro built from prose, markup, code and comments keep the Document contract, show
every prose piece where it stands and never show a character of markup; the JSON, TOML
and YAML scanners find every string the standard parsers read, at a span that holds it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthlint.builtin.formats._json import json_leaves
from healthlint.builtin.formats._toml import toml_leaves
from healthlint.builtin.formats._yaml import compose_yaml, yaml_leaves
from healthlint.builtin.formats.astro import AstroFormat
from healthlint.builtin.formats.data import DataFormat
from healthlint.builtin.formats.jsx import JsxFormat
from healthlint.builtin.formats.markdown import MarkdownFormat
from healthlint.builtin.formats.template import TemplateFormat

from .helpers import assert_contract

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WORDS = ["Safe", "Café", "naïve", "😀", "e\u0301", "“quoted”", "日本", "Cure", "x\u00a0y", "Rate"]
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Piece:
    """A fragment of a generated file: ``text[start:end]`` must be shown exactly as it is
    in the source (``start == end``: nothing), and the rest must stay blank, unless the
    piece is ``loose`` (layout and references, which may show anything)."""

    text: str
    start: int = 0
    end: int = 0
    loose: bool = False


def word(text: str) -> Piece:
    return Piece(text, 0, len(text))


def wrapped(before: str, shown: str, after: str) -> Piece:
    return Piece(before + shown + after, len(before), len(before) + len(shown))


def markup(text: str) -> Piece:
    return Piece(text)


LAYOUT = st.sampled_from([" ", "\n", "\r\n", "\t"]).map(lambda s: Piece(s, loose=True))
ENTITIES = st.sampled_from(["&amp;", "&nbsp;", "&#8217;", "&eacute;"]).map(
    lambda s: Piece(s, loose=True))
WORD = st.sampled_from(WORDS).map(word)


def _assemble(pieces: list[Piece], prefix: str = "", suffix: str = "") -> tuple[
        str, list[tuple[int, Piece]]]:
    placed: list[tuple[int, Piece]] = []
    position = len(prefix)
    for piece in pieces:
        placed.append((position, piece))
        position += len(piece.text)
    return prefix + "".join(piece.text for piece in pieces) + suffix, placed


def _check(prose: str, placed: list[tuple[int, Piece]]) -> None:
    for offset, piece in placed:
        if piece.loose:
            continue
        shown = prose[offset : offset + len(piece.text)]
        assert shown[piece.start : piece.end] == piece.text[piece.start : piece.end], (piece, shown)
        hidden = shown[: piece.start] + shown[piece.end :]
        assert hidden.strip() == "", (piece, shown)


JSX_PIECES = st.one_of(
    WORD, LAYOUT, ENTITIES,
    st.sampled_from([
        markup("{value}"), markup("{/* note */}"), markup("<br />"),
        markup('<Badge kind="hidden" />'), markup("<code>hiddencode</code>"),
        markup('<img src="hidden.png" />'), markup("{cond && <i className=\"hidden\" />}"),
        wrapped("<b>", "Bold", "</b>"),
        wrapped('<a href="https://hidden.example">', "Link", "</a>"),
        wrapped('<span className="hidden x">', "Span", "</span>"),
        wrapped('<Hero title="', "Hero words", '" />'),
        wrapped('<img alt="', "Alt words", '" src="hidden.png" />'),
        wrapped('{"', "Literal words", '"}'),
    ]),
)


@SETTINGS
@given(st.lists(JSX_PIECES, max_size=40), st.sampled_from(["page.tsx", "page.jsx", "page.js"]))
def test_random_jsx_keeps_the_contract_and_shows_only_prose(pieces: list[Piece], name: str) -> None:
    source, placed = _assemble(pieces, 'import A from "hidden";\nexport const P = () => (<div>',
                               "</div>);\n")
    document = JsxFormat().parse(source, name)
    assert_contract(document)
    assert not document.problems, document.problems
    _check(document.prose, placed)


TEMPLATE_PIECES = st.one_of(
    WORD, LAYOUT, ENTITIES,
    st.sampled_from([
        markup("{{ hidden }}"), markup("{{- hidden.value | upcase -}}"), markup("{% if hidden %}"),
        markup("{%- endif -%}"), markup("{# hidden #}"), markup("{{< hidden >}}"),
        markup("{{% hidden %}}"), markup("{{/* hidden */}}"), markup("{{!-- hidden --}}"),
        markup("<% hidden %>"), markup("<?php echo 'hidden ?>'; ?>"), markup("<p>"),
        markup("</p>"), markup('<div class="hidden">'), markup("</div>"),
        markup("<!-- hidden -->"), markup("{% raw %}hidden{{ x }}{% endraw %}"),
        markup('{{ "}}" }}'), markup("<script>var hidden = {a: 1};</script>"),
        wrapped("<b>", "Bold", "</b>"), wrapped('<img alt="', "Alt words", '" src="x.png">'),
    ]),
)


@SETTINGS
@given(st.lists(TEMPLATE_PIECES, max_size=40),
       st.sampled_from(["page.liquid", "page.njk", "single.gohtml", "page.hbs", "page.erb",
                        "layouts/_default/list.html"]))
def test_random_templates_keep_the_contract_and_show_only_prose(pieces: list[Piece],
                                                                name: str) -> None:
    source, placed = _assemble(pieces)
    document = TemplateFormat().parse(source, name)
    assert_contract(document)
    assert not document.problems, document.problems
    _check(document.prose, placed)


ASTRO_PIECES = st.one_of(
    WORD, LAYOUT, ENTITIES,
    st.sampled_from([
        markup("{hidden}"), markup("{/* hidden */}"), markup("{items.map((i) => <li>{i}</li>)}"),
        markup("<p>"), markup("</p>"), markup('<h2 class:list={["a", {b: c > d}]}>'),
        markup("</h2>"), markup("<style>p { hidden: 1 }</style>"),
        markup("<script>const hidden = { a: '}' };</script>"), markup("<!-- hidden -->"),
        wrapped("<b>", "Bold", "</b>"), wrapped('<Card data-x="hidden">', "Card words", "</Card>"),
        wrapped('<Hero title="', "Hero words", '" image="/hidden.png" />'),
        wrapped('<Hero description={"', "Braced words", '"} />'),
    ]),
)


@SETTINGS
@given(st.lists(ASTRO_PIECES, max_size=40), st.booleans())
def test_random_astro_keeps_the_contract_and_shows_only_prose(pieces: list[Piece],
                                                              fence: bool) -> None:
    prefix = '---\nimport Card from "./hidden.astro";\nconst hidden = "}";\n---\n' if fence else ""
    source, placed = _assemble(pieces, prefix)
    document = AstroFormat().parse(source, "page.astro")
    assert_contract(document)
    assert not document.problems, document.problems
    assert document.prose[: len(prefix)].strip() == ""
    _check(document.prose, placed)


def _squash(text: str) -> str:
    """A value without whitespace and unprintable characters: escapes decoded in place
    leave blanks, and the prose view shows a control character as a space."""
    return "".join(char for char in text if char.isprintable() and not char.isspace())


def _strings(data: Any, path: tuple[str | int, ...] = ()) -> dict[tuple[str | int, ...], str]:
    """Every string in parsed data, by its path."""
    if isinstance(data, str):
        return {path: data}
    found: dict[tuple[str | int, ...], str] = {}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(
        data, list) else ()
    for key, value in items:
        found.update(_strings(value, (*path, key)))
    return found


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
KEYS = st.text("abcdefgh_-. ", min_size=1, max_size=6)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(JSON_VALUES, st.sampled_from([None, 0, 2]), st.booleans())
def test_json_scanner_finds_every_string_at_its_span(value: Any, indent: int | None,
                                                     ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    leaves, error = json_leaves(text)
    assert error is None
    found = {leaf.path: json.loads(f'"{text[leaf.start:leaf.start + len(leaf.text)]}"')
             for leaf in leaves}
    assert found == _strings(value)
    assert_contract(DataFormat().parse(text, "data/a.json"))


YAML_VALUES = st.recursive(
    TEXT | st.integers() | st.booleans(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text("abcdefgh", min_size=1, max_size=5), children, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(YAML_VALUES, st.sampled_from([None, '"', "'", "|"]), st.booleans())
def test_yaml_leaves_hold_every_string(value: Any, style: str | None, flow: bool) -> None:
    try:
        text = yaml.safe_dump(value, default_style=style, default_flow_style=flow,
                              allow_unicode=True, width=20)
    except yaml.representer.RepresenterError:
        return
    roots, error = compose_yaml(text, documents=True)
    assert error is None
    leaves = yaml_leaves(text, roots)
    loaded = {path: _squash(string) for path, string in _strings(yaml.safe_load(text)).items()
              if string}
    assert {leaf.path: _squash(leaf.text) for leaf in leaves} == loaded
    for leaf in leaves:
        assert text[leaf.start : leaf.start + len(leaf.text)].strip() or not leaf.text.strip()
    assert_contract(DataFormat().parse(text, "_data/a.yml"))


TOML_STRING = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


def _toml_string(value: str, kind: int) -> str:
    """``value`` as one of TOML's four kinds of string, where it can be written so."""
    if kind == 1 and "'" not in value:
        return f"'{value}'"
    if kind == 2:
        return '"""\n' + json.dumps(value, ensure_ascii=False)[1:-1] + '"""'
    if kind == 3 and "'''" not in value and not value.endswith("'"):
        return f"'''{value}'''"
    return json.dumps(value, ensure_ascii=False)


TOML_DOCUMENTS = st.dictionaries(
    st.text("abcdef", min_size=1, max_size=4),
    st.one_of(
        st.tuples(TOML_STRING, st.integers(0, 3)),
        st.lists(st.tuples(TOML_STRING, st.integers(0, 3)), max_size=3),
        st.dictionaries(st.text("ghijk", min_size=1, max_size=3),
                        st.tuples(TOML_STRING, st.integers(0, 3)), max_size=3),
    ),
    max_size=5,
)


def _toml(document: dict[str, Any]) -> str:
    lines: list[str] = []
    tables: list[str] = []
    for key, value in document.items():
        if isinstance(value, tuple):
            lines.append(f"{key} = {_toml_string(*value)}")
        elif isinstance(value, list):
            items = ", ".join(_toml_string(*item) for item in value)
            lines.append(f"{key} = [\n  {items}\n]" if items else f"{key} = []")
        elif len(value) % 2:
            inline = ", ".join(f"{k} = {_toml_string(*v)}" for k, v in value.items())
            lines.append(f"{key} = {{ {inline} }}")
        else:
            tables.append(f"[{key}]")
            tables.extend(f'"{k}" = {_toml_string(*v)}  # note' for k, v in value.items())
    return "\n".join(lines + tables) + "\n"


@SETTINGS
@given(TOML_DOCUMENTS)
def test_toml_scanner_finds_every_string_tomllib_reads(document: dict[str, Any]) -> None:
    text = _toml(document)
    leaves, error = toml_leaves(text)
    assert error is None
    loaded = {path: _squash(value) for path, value in _strings(tomllib.loads(text)).items()}
    assert {leaf.path: _squash(leaf.text) for leaf in leaves} == loaded
    assert_contract(DataFormat().parse(text, "data/a.toml"))


FRONT_MATTER = st.recursive(
    st.sampled_from(["Gentle care", "Calm “words”", "Relief, now", "Café 😀 visits"]),
    lambda children: st.lists(children, min_size=1, max_size=3)
    | st.dictionaries(st.sampled_from(["kqa", "kqb", "kqc", "kqd"]), children, min_size=1,
                      max_size=3),
    max_leaves=12,
)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["kqa", "kqb", "kqc"]), FRONT_MATTER, min_size=1,
                       max_size=3),
       st.sampled_from([None, '"', "'", "|", ">"]))
def test_nested_front_matter_shows_values_never_keys(data: dict[str, Any],
                                                     style: str | None) -> None:
    front = yaml.safe_dump(data, default_style=style, allow_unicode=True, width=30)
    source = f"---\n{front}---\nBody text.\n"
    document = MarkdownFormat(published_fields=("**",)).parse(source, "page.md")
    assert_contract(document)
    assert "kq" not in document.prose
    shown = _squash(document.prose)
    for value in _strings(data).values():
        assert _squash(value) in shown
