"""Property tests: random Markdown and HTML built from prose, markup, code, comments,
entities and non-ASCII text keep the Document contract, show every prose word where
it stands and never show a character of markup."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.builtin.formats.html import HtmlFormat
from healthlint.builtin.formats.markdown import MarkdownFormat
from healthlint.builtin.formats.mdx import MdxFormat

from .helpers import assert_contract

WORDS = ["safe", "Café", "naïve", "😀", "e\u0301", "“quoted”", "日本", "cure", "x\u00a0y", "rate"]


@dataclass(frozen=True)
class Piece:
    """A fragment of a generated file and what its characters must be in the prose view."""

    text: str
    kind: str
    """``word`` (shown as is), ``markup`` (all blank), ``hidden`` (the part between
    ``start`` and ``end`` is blank), ``entity`` or ``layout`` (anything allowed)."""
    start: int = 0
    end: int = 0


def _hidden(before: str, secret: str, after: str) -> Piece:
    return Piece(before + secret + after, "hidden", len(before), len(before) + len(secret))


MARKDOWN_PIECES = st.one_of(
    st.sampled_from(WORDS).map(lambda w: Piece(w, "word")),
    st.sampled_from([" ", " ", "\n", "\n\n", "\r\n", "\t"]).map(lambda s: Piece(s, "layout")),
    st.sampled_from(["**", "*", "~~"]).map(lambda s: Piece(s, "layout")),
    st.sampled_from(["&amp;", "&nbsp;", "&#8217;", "&eacute;"]).map(lambda s: Piece(s, "entity")),
    st.just(_hidden("`", "codeword", "`")),
    st.just(_hidden("[link text](", "https://hidden.example/path", ")")),
    st.just(_hidden("![alt words](", "hidden.png", ")")),
    st.just(_hidden("\n\n", "<!-- hiddencomment -->", "\n\n")),
    st.just(_hidden("x ", "<!-- hiddencomment -->", "")),
    st.just(_hidden("x", "<b>", "")),
    st.just(_hidden("x", "</span>", "")),
    st.just(_hidden("\n\n```\n", "fencedcode", "\n```\n\n")),
    st.just(_hidden("", "{{< shortcode arg >}}", "")),
)

HTML_PIECES = st.one_of(
    st.sampled_from(WORDS).map(lambda w: Piece(w, "word")),
    st.sampled_from([" ", "\n", "\r\n", "\t"]).map(lambda s: Piece(s, "layout")),
    st.sampled_from(["&amp;", "&nbsp;", "&#8217;", "&#x2019;", "&eacute;"]).map(
        lambda s: Piece(s, "entity")
    ),
    st.sampled_from(
        [
            "<p>",
            "</p>",
            '<div class="a b">',
            "</div>",
            "<b>",
            "</b>",
            "<br>",
            "<li>",
            "</li>",
            "<h2>",
            "</h2>",
            '<a href="https://hidden.example/?a=1&amp;b=2">',
            "</a>",
            "<span\ndata-x='1'>",
            "</span>",
            "<!-- hidden comment -->",
            "<!DOCTYPE html>",
        ]
    ).map(lambda s: Piece(s, "markup")),
    st.just(Piece('<script>var hidden = "<p>no</p>";</script>', "markup")),
    st.just(Piece("<style>p { hidden: 1 }</style>", "markup")),
    st.just(_hidden("<code>", "hiddencode", "</code>")),
    st.just(_hidden('<img src="', "hidden.png", '" alt="alt words">')),
)


def _assemble(pieces: list[Piece]) -> tuple[str, list[tuple[int, Piece]]]:
    offsets: list[tuple[int, Piece]] = []
    parts: list[str] = []
    position = 0
    for piece in pieces:
        offsets.append((position, piece))
        parts.append(piece.text)
        position += len(piece.text)
    return "".join(parts), offsets


def _check(
    document_source: str, prose: str, placed: list[tuple[int, Piece]], *, words_shown: bool
) -> None:
    for offset, piece in placed:
        shown = prose[offset : offset + len(piece.text)]
        if piece.kind == "markup":
            assert shown.strip() == "", (piece, shown)
        elif piece.kind == "hidden":
            assert shown[piece.start : piece.end].strip() == "", (piece, shown)
        elif piece.kind == "word" and words_shown:
            assert shown == piece.text, (piece, shown, document_source)


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_PIECES, max_size=40), st.booleans())
def test_random_markdown_keeps_the_contract(pieces: list[Piece], bom: bool) -> None:
    source, placed = _assemble(pieces)
    if bom:
        source = "\ufeff" + source
        placed = [(offset + 1, piece) for offset, piece in placed]
    document = MarkdownFormat().parse(source, "random.md")
    assert_contract(document)
    _check(source, document.prose, placed, words_shown=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(HTML_PIECES, max_size=40))
def test_random_html_keeps_the_contract(pieces: list[Piece]) -> None:
    source, placed = _assemble(pieces)
    document = HtmlFormat().parse(source, "random.html")
    assert_contract(document)
    _check(source, document.prose, placed, words_shown=True)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        MARKDOWN_PIECES
        | st.sampled_from(
            ["<Card>", "</Card>", '<Badge label="x" />', "{value}", "{/* note */}"]
        ).map(lambda s: Piece(s, "markup")),
        max_size=40,
    )
)
def test_random_mdx_keeps_the_contract(pieces: list[Piece]) -> None:
    source, _ = _assemble(pieces)
    assert_contract(MdxFormat().parse(source, "random.mdx"))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab <>/&;#x{}`*_[]()!-\n\r\t\"'=é😀")), max_size=80))
def test_arbitrary_text_never_breaks_a_format(source: str) -> None:
    for fmt in (MarkdownFormat(), HtmlFormat(), MdxFormat()):
        assert_contract(fmt.parse(source, "any"))
