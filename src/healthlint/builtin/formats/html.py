"""HTML pages and fragments.

Why a tokenizer of our own: the standard library's ``html.parser.HTMLParser``
reports positions only as line and column, unescapes attribute values so their
raw spans are lost, changes its handling of scripts and comments between Python
patch releases, and reads about 10 MB/s before any work is done. HTML's tokenizer
states are few and lexical (text, tags with quoted attributes, comments, raw text
elements such as ``<script>``), so one compiled pattern that follows them reads
about 35 MB/s and hands every token over with its exact offsets. Tree building
(implied end tags, skipped elements, block boundaries) is done here on top.

What is prose: body text, split into blocks at block-level elements and ``<br>``
(inline elements never split a block), ``<title>``, the description metas and
``img alt``. What is skipped: ``head`` content other than those, ``script``
(JSON-LD included), ``style``, ``noscript``, ``template``, ``svg``, ``code``,
``pre`` and other non-prose elements, and comments other than healthlint's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from healthlint.builtin.formats._prose import ProseBuilder, decode_reference
from healthlint.types import Document

_MARKUP = re.compile(
    r"""
    <!--(?P<comment>.*?)(?P<comment_end>--!?>|\Z)
    | <(?P<slash>/?)(?P<name>[A-Za-z][^\t\n\f\r />]*)
      (?P<attrs>(?:[^>"']|"[^"]*(?:"|\Z)|'[^']*(?:'|\Z))*)(?P<close>>|\Z)
    | <(?:[!?]|/(?![A-Za-z]))[^>]*(?P<other_close>>|\Z)
    """,
    re.DOTALL | re.VERBOSE,
)
"""Comments, start and end tags, and everything else a browser swallows after ``<``
(doctypes, processing instructions, bogus comments). A ``<`` that starts none of
these is text."""

_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\s"'>/=][^\s"'>/=]*)
    (?:\s*=\s*(?:"(?P<dq>[^"]*)"?|'(?P<sq>[^']*)'?|(?P<uq>[^\s>]+)))?""",
    re.VERBOSE,
)
_REFERENCE = re.compile(r"&(?:#[xX][0-9A-Fa-f]*;?|#[0-9]*;?|[A-Za-z][A-Za-z0-9]*;?)")


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


VOID_ELEMENTS = _names(
    "area base br col embed hr img input keygen link meta param source track wbr"
)
_BLOCK = _names(
    "address article aside blockquote body caption center dd details dialog dir div "
    "dl dt fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header "
    "hgroup hr html legend li main menu nav ol p section summary table tbody td "
    "tfoot th thead tr ul br title option optgroup"
)
_SCOPE = {
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "heading"),
    "li": "list_item",
    "td": "table_cell",
    "th": "table_cell",
    "blockquote": "quote",
    "figcaption": "caption",
    "caption": "caption",
}
_SKIPPED = _names(
    "head script style noscript template svg math code pre kbd samp textarea iframe "
    "object canvas audio video select noembed noframes xmp plaintext"
)
_RAW_TEXT = _names("script style xmp iframe noembed noframes noscript textarea title plaintext")
"""Elements whose content is not markup: the tokenizer jumps to their end tag."""
_OPTIONAL_END = _names(
    "p li dt dd option optgroup rb rt rtc rp tr td th thead tbody tfoot colgroup "
    "caption html head body"
)
_CLOSES_P = _BLOCK - {"br", "title", "option", "optgroup", "td", "th", "tr", "caption"}
_IMPLIED_END: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tbody": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tfoot": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
}
"""Start tags that close an open sibling (``<li>`` after ``<li>``), searched down to
the boundary element (the list) and no further."""
BLOCK_ELEMENTS, BLOCK_SCOPES, SKIPPED_ELEMENTS = _BLOCK, _SCOPE, _SKIPPED
"""For readers of other markup with HTML elements in it (JSX)."""
_META_NAMES = frozenset({"description", "og:description", "twitter:description"})
_FOREIGN = frozenset({"svg", "math", "template"})
_RAW_TEXT_END: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"</{name}(?=[\t\n\f\r />]|\Z)", re.IGNORECASE) for name in _RAW_TEXT
}


def reveal_text(
    builder: ProseBuilder, text: str, start: int, end: int, base: int, *, in_attribute: bool
) -> None:
    """Reveal ``text[start:end]`` at ``base + start``, decoding character references in place."""
    segment = text[start:end]
    if "&" not in segment:
        builder.reveal(base + start, segment)
        return
    position = start
    for match in _REFERENCE.finditer(text, start, end):
        raw = match.group()
        following = text[match.end() : match.end() + 1]
        decoded = decode_reference(raw, in_attribute=in_attribute, next_char=following)
        offset = base + match.start()
        if decoded is not None:
            builder.reveal(base + position, text[position : match.start()])
            builder.reveal_decoded(offset, offset + len(raw), decoded)
            position = match.end()
            if not raw.endswith(";") and not in_attribute:
                builder.problem(offset, f"character reference {raw!r} is missing its ';'")
        elif raw.startswith("&#"):
            builder.problem(offset, f"malformed numeric character reference {raw!r}")
        elif raw.endswith(";"):
            builder.problem(offset, f"unknown character reference {raw!r}")
        elif decode_reference(raw + ";") is not None:
            builder.problem(
                offset, f"character reference {raw!r} is missing its ';' and shows literally"
            )
    builder.reveal(base + position, text[position:end])


def tag_name(raw: str) -> tuple[str, bool] | None:
    """The lower-case name of the tag ``raw`` starts with, and whether it is an end tag."""
    match = _MARKUP.match(raw)
    if match is None or match.group("name") is None:
        return None
    return match.group("name").lower(), bool(match.group("slash"))


class _Reader:
    """Reads one HTML text (a page, or an HTML region of a Markdown file) into a builder."""

    def __init__(self, text: str, base: int, builder: ProseBuilder, *, strict: bool) -> None:
        self.text = text
        self.base = base
        self.builder = builder
        self.strict = strict
        self.names: list[str] = []
        self.starts: list[int] = []
        self.open_at: dict[str, list[int]] = {}
        """For each element name, the indices in ``names`` where it is open, innermost last:
        finding the element an end tag closes (or the nearest list or table) must not walk
        the whole stack, or a page of many open ``<div>`` and stray end tags is quadratic."""
        self.skipping = 0
        self.block_start = -1
        self.block_end = -1
        self.block_scope = "paragraph"

    def read(self) -> None:
        """Walk the tokens. Text and the commonest tags are handled inline: this loop
        runs once per token and dominates the format's speed."""
        text, base, names = self.text, self.base, self.names
        search, reveal = _MARKUP.search, self.builder.reveal
        position, length = 0, len(text)
        while position < length:
            match = search(text, position)
            data_end = length if match is None else match.start()
            if data_end > position and not self.skipping:
                segment = text[position:data_end]
                if "&" in segment:
                    reveal_text(self.builder, text, position, data_end, base, in_attribute=False)
                else:
                    reveal(base + position, segment)
                if not segment.isspace():
                    if self.block_start < 0:
                        self.block_start = position
                        self.block_scope = self.scope()
                    self.block_end = data_end
            if match is None:
                break
            name = match.group("name")
            if name is None or not match.group("close"):
                position = self.other(match)
                continue
            name = name.lower()
            if match.group("slash"):
                if names and names[-1] == name and name not in _BLOCK and name not in _SKIPPED:
                    names.pop()
                    self.starts.pop()
                    self.open_at[name].pop()
                else:
                    self.end_tag(name, match.start())
                position = match.end()
            else:
                position = self.start_tag(name, match)
        self.flush()
        self.finish()

    def scope(self) -> str:
        index = self.innermost(_SCOPE)
        return _SCOPE[self.names[index]] if index >= 0 else "paragraph"

    def innermost(self, names: Iterable[str]) -> int:
        """The index in the stack of the innermost open element named in ``names``, or -1."""
        open_at = self.open_at
        return max((open_at[name][-1] for name in names if open_at.get(name)), default=-1)

    def push(self, name: str, start: int) -> None:
        self.open_at.setdefault(name, []).append(len(self.names))
        self.names.append(name)
        self.starts.append(start)

    def flush(self) -> None:
        if self.block_start >= 0:
            base = self.base
            self.builder.add_block(base + self.block_start, base + self.block_end, self.block_scope)
            self.block_start = -1

    def other(self, match: re.Match[str]) -> int:
        """Handle a comment, a declaration or an unterminated tag."""
        name = match.group("name")
        if name is not None:
            self.builder.problem(self.base + match.start(), f"unterminated tag <{name}")
        elif match.group("comment_end") is not None:
            self.comment(match)
        elif not match.group("other_close"):
            self.builder.problem(self.base + match.start(), "unterminated markup declaration")
        return match.end()

    def comment(self, match: re.Match[str]) -> None:
        start, end = self.base + match.start(), self.base + match.end()
        if not match.group("comment_end"):
            self.builder.problem(start, "unterminated comment: '<!--' has no '-->'")
        self.builder.add_comment(start, end, match.group("comment"))

    def start_tag(self, name: str, match: re.Match[str]) -> int:
        if name in _BLOCK:
            self.flush()
            if name in _CLOSES_P and self.names and self.names[-1] == "p":
                self.pop(len(self.names) - 1, quietly=True)
        implied = _IMPLIED_END.get(name)
        if implied is not None:
            self.close_sibling(*implied)
        if name == "img" or name == "meta":
            self.attributes(name, match)
        self_closing = match.group("attrs").endswith("/")
        if name in VOID_ELEMENTS or (self_closing and name not in _RAW_TEXT):
            return match.end()
        self.push(name, match.start())
        if name in _SKIPPED:
            self.skipping += 1
        if name in _RAW_TEXT:
            return self.raw_text(name, match.end())
        return match.end()

    def raw_text(self, name: str, start: int) -> int:
        """Skip to the end tag of a raw text element; ``<title>`` text is prose."""
        end_tag = _RAW_TEXT_END[name].search(self.text, start)
        end = end_tag.start() if end_tag is not None else len(self.text)
        if name == "title" and self.innermost(_FOREIGN) < 0:
            reveal_text(self.builder, self.text, start, end, self.base, in_attribute=False)
            self.builder.add_block(self.base + start, self.base + end, "title")
        if end_tag is None and name != "plaintext":
            self.builder.problem(self.base + self.starts[-1], f"<{name}> is never closed")
            self.pop(len(self.names) - 1, quietly=True)
        return end

    def attributes(self, name: str, match: re.Match[str]) -> None:
        """Lint ``img alt`` and the description metas, at the exact span of the value."""
        if self.skipping and name == "img":
            return
        values: dict[str, tuple[int, int]] = {}
        attrs_start = match.start("attrs")
        for attribute in _ATTRIBUTE.finditer(match.group("attrs")):
            for group in ("dq", "sq", "uq"):
                if attribute.group(group) is not None:
                    span = attribute.span(group)
                    values[attribute.group("name").lower()] = (
                        attrs_start + span[0],
                        attrs_start + span[1],
                    )
                    break
        if name == "img":
            self.attribute_block(values.get("alt"), "alt_text")
            return
        kind = values.get("name") or values.get("property")
        if kind is not None and self.text[kind[0] : kind[1]].strip().lower() in _META_NAMES:
            self.attribute_block(values.get("content"), "meta")

    def attribute_block(self, span: tuple[int, int] | None, scope: str) -> None:
        if span is None:
            return
        self.flush()
        reveal_text(self.builder, self.text, span[0], span[1], self.base, in_attribute=True)
        self.builder.add_block(self.base + span[0], self.base + span[1], scope)

    def close_sibling(self, siblings: frozenset[str], boundary: frozenset[str]) -> None:
        index = self.innermost(siblings)
        if index >= 0 and index > self.innermost(boundary):
            self.flush()
            self.pop(index, quietly=False)

    def end_tag(self, name: str, offset: int) -> None:
        if name in _BLOCK:
            self.flush()
        index = self.innermost((name,))
        if index >= 0:
            self.pop(index, quietly=False)
            return
        if self.strict and name not in _OPTIONAL_END:
            self.builder.problem(self.base + offset, f"stray end tag </{name}> closes nothing")

    def pop(self, index: int, *, quietly: bool) -> None:
        """Close the element at ``index`` and everything opened inside it."""
        for open_name, start in zip(self.names[index + 1 :], self.starts[index + 1 :], strict=True):
            if open_name in _BLOCK:
                self.flush()
            if not quietly:
                self.unclosed(open_name, start)
        for open_name in reversed(self.names[index:]):
            self.skipping -= open_name in _SKIPPED
            self.open_at[open_name].pop()
        del self.names[index:]
        del self.starts[index:]

    def unclosed(self, name: str, start: int) -> None:
        if self.strict and name not in _OPTIONAL_END:
            self.builder.problem(self.base + start, f"<{name}> is never closed")

    def finish(self) -> None:
        for name, start in zip(self.names, self.starts, strict=True):
            self.unclosed(name, start)


def read_html(text: str, base: int, builder: ProseBuilder, *, strict: bool) -> None:
    """Read ``text``, which stands at offset ``base`` of the builder's source.

    ``strict`` reports unclosed and stray tags; HTML blocks inside Markdown are read
    without it, because one of them often opens a ``<div>`` that a later one closes.
    """
    _Reader(text, base, builder, strict=strict).read()


class HtmlFormat:
    """Whole HTML pages and fragments."""

    name: str = "html"
    extensions: tuple[str, ...] = (".html", ".htm", ".xhtml")

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options = options or {}
        """The configuration's format options, for pages that turn out to be templates."""

    def configured(self, options: Mapping[str, Any]) -> HtmlFormat:
        return HtmlFormat(options)

    def parse(self, source: str, path: str) -> Document:
        from healthlint.builtin.formats import template  # it imports this module

        if template.is_template(source, path):
            return template.read_template(source, path, "template", self.options)
        builder = ProseBuilder(source)
        start = 1 if source.startswith("\ufeff") else 0
        read_html(source[start:], start, builder, strict=True)
        return builder.document(path, self.name)
