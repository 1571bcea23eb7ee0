"""Markdown: CommonMark with the GFM extensions (tables, strikethrough, footnotes,
task lists, alerts), YAML or TOML front matter, and template tags.

Parser choice: ``pyromark``, the Python binding of the Rust ``pulldown-cmark``
(CommonMark-compliant, GFM extensions, maintained). Its event stream carries the
source range of every text run, so prose is copied from exactly where the parser
says it stands; ranges are UTF-8 byte offsets and are converted to code points
here. On a generated 1 MB page it yields its events at about 45 MB/s, against
about 7 MB/s for ``markdown-it-pyrs`` building its tree and under 2 MB/s for
``markdown-it-py``, and both of those give line numbers for blocks only, so
inline positions would have to be reconstructed.

What is prose: text in paragraphs, headings, list items, table cells, block
quotes, footnotes, link text, and image alt text (its own ``alt_text`` block).
Everything else stays blank: code, link and image destinations and titles,
reference definitions, markers (``#``, ``>``, list bullets, emphasis, table
pipes), raw HTML tags, bare URLs and template tags (``{{ ... }}``, ``{% ... %}``,
Hugo shortcodes). An HTML block is read by the HTML format over its own region.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from healthlint.builtin.formats._prose import ProseBuilder, blank, byte_to_char
from healthlint.builtin.formats.frontmatter import (
    DEFAULT_PUBLISHED_FIELDS,
    published_fields,
    read_front_matter,
)
from healthlint.builtin.formats.html import read_html, tag_name
from healthlint.types import Document

if TYPE_CHECKING:
    import pyromark


@cache
def _parser() -> pyromark.Markdown:
    """The parser, imported on first use: start-up stays fast for runs without Markdown."""
    import pyromark

    options = pyromark.Options
    return pyromark.Markdown(
        options=options.ENABLE_TABLES
        | options.ENABLE_FOOTNOTES
        | options.ENABLE_STRIKETHROUGH
        | options.ENABLE_TASKLISTS
        | options.ENABLE_GFM
    )


_TEMPLATE_START = re.compile(r"\{(?=[{%])")
_HIGHLIGHT_OPEN = re.compile(r"\{\{[<%]\s*highlight\b")
_HIGHLIGHT_CLOSE = re.compile(r"\{\{[<%]\s*/highlight\s*[>%]\}\}")
HIGHLIGHT_LIMIT = 65536
"""How far a Hugo ``highlight`` shortcode may run to its closing tag."""
TAG_LIMIT = 4096
"""How far any other template tag may run to its closing delimiter: a stray ``{{`` must
not turn the rest of a large file into a tag."""

_CONTAINER_SCOPES = {
    "Heading": "heading",
    "BlockQuote": "quote",
    "Item": "list_item",
    "FootnoteDefinition": "footnote",
    "TableCell": "table_cell",
    "Image": "alt_text",
}
_SKIPPED_BLOCKS = frozenset({"CodeBlock", "MetadataBlock"})
_SKIPPED_INLINE_HTML = frozenset({"code", "kbd", "samp", "pre", "script", "style", "svg"})
_URL_LINK_TYPES = frozenset({"Autolink", "Email"})


class _NextOccurrence:
    """The first occurrence of a delimiter at or after a position, remembered: template
    openings are visited in order, so each delimiter is searched for across the text once
    in all, however many openings never close (``{{<`` repeated thousands of times)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[object, tuple[int, int, int]] = {}

    def __call__(self, delimiter: str | re.Pattern[str], start: int) -> tuple[int, int]:
        """``(start, end)`` of the first ``delimiter`` at or after ``start``, or ``(-1, -1)``."""
        cached = self.found.get(delimiter)
        if cached is not None and cached[0] <= start and (cached[1] < 0 or cached[1] >= start):
            return cached[1], cached[2]
        if isinstance(delimiter, str):
            at = self.text.find(delimiter, start)
            span = (at, at + len(delimiter)) if at >= 0 else (-1, -1)
        else:
            match = delimiter.search(self.text, start)
            span = match.span() if match is not None else (-1, -1)
        self.found[delimiter] = (start, *span)
        return span


def _template_end(text: str, start: int, following: _NextOccurrence) -> int:
    """Where the template tag opening at ``start`` ends, or -1 if it is not one: a Hugo
    ``highlight`` shortcode with its code, then ``{{< >}}``, ``{{% %}}``, ``{{ }}``,
    ``{% %}``, each within its length limit."""
    if text.startswith("{%", start):
        close_start, close_end = following("%}", start + 2)
        return close_end if 0 <= close_start - (start + 2) <= TAG_LIMIT else -1
    kind = text[start + 2 : start + 3]
    if kind in ("<", "%"):
        opening = _HIGHLIGHT_OPEN.match(text, start)
        if opening is not None:
            close_start, close_end = following(_HIGHLIGHT_CLOSE, opening.end())
            if 0 <= close_start - opening.end() <= HIGHLIGHT_LIMIT:
                return close_end
        close_start, close_end = following(">}}" if kind == "<" else "%}}", start + 3)
        if 0 <= close_start - (start + 3) <= TAG_LIMIT:
            return close_end
    close_start, close_end = following("}}", start + 2)
    return close_end if 0 <= close_start - (start + 2) <= TAG_LIMIT else -1


def blank_templates(text: str) -> str:
    """``text`` with template tags blanked, so the Markdown parser never reads them.

    Tags are Hugo shortcodes (a ``highlight`` shortcode with its code), Go, Jinja and
    Liquid tags. The first tag that fits wins at each opening, left to right, and a tag
    never starts inside an earlier one.
    """
    if "{{" not in text and "{%" not in text:
        return text
    following = _NextOccurrence(text)
    parts: list[str] = []
    position = 0
    for opening in _TEMPLATE_START.finditer(text):
        start = opening.start()
        if start < position:
            continue
        end = _template_end(text, start, following)
        if end < 0:
            continue
        parts.append(text[position:start])
        parts.append(blank(text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


class _Reader:
    """Turns pulldown-cmark's events over ``text`` into prose, blocks and comments.

    ``text`` is the source with front matter and template tags already blanked
    (and, for MDX, its JSX and ESM); it has the source's length, so offsets into
    it are offsets into the source. ``placeholder`` is a character that stands in
    ``text`` for blanked markup but must read as a space in the prose view.
    """

    def __init__(self, text: str, builder: ProseBuilder, placeholder: str | None) -> None:
        self.text = text
        self.builder = builder
        self.placeholder = placeholder
        self.scopes: list[str] = []
        self.skipped_blocks = 0
        self.skipped_inline = 0
        self.url_links = 0
        self.html_ranges: list[tuple[int, int]] | None = None
        self.block_start = -1
        self.block_end = -1
        self.block_scope = "paragraph"

    def read(self) -> None:
        text = self.text
        to_char = None if text.isascii() else byte_to_char(text)
        for event, span in _parser().events_with_range(text):
            if isinstance(event, str):
                # A hard break ends a block as <br> does in HTML; a soft break does not.
                if event != "SoftBreak":
                    self.flush()
                continue
            kind, value = next(iter(cast("dict[str, Any]", event).items()))
            if kind == "Start" or kind == "End":
                self.tag(kind == "Start", value)
                continue
            start, end = span["start"], span["end"]
            if to_char is not None:
                start, end = to_char(start), to_char(end)
            if kind == "Text":
                if not (self.skipped_blocks or self.skipped_inline or self.url_links):
                    self.prose(start, end, value)
            elif kind == "Html":
                if self.html_ranges is not None:
                    self.html_ranges.append((start, end))
            elif kind == "InlineHtml":
                self.inline_html(start, end)
        self.flush()

    def prose(self, start: int, end: int, value: str) -> None:
        raw = self.text[start:end]
        if raw != value and raw.startswith("&"):
            self.builder.reveal_decoded(start, end, value)
        else:
            if self.placeholder is not None and self.placeholder in raw:
                raw = raw.replace(self.placeholder, " ")
            self.builder.reveal(start, raw)
        if self.block_start < 0:
            self.block_start = start
            self.block_scope = self.scopes[-1] if self.scopes else "paragraph"
        self.block_end = end

    def flush(self) -> None:
        if self.block_start >= 0:
            self.builder.add_block(self.block_start, self.block_end, self.block_scope)
            self.block_start = -1

    def tag(self, opening: bool, value: str | dict[str, object]) -> None:
        """Handle a Start or End event: containers set the scope of the text inside them."""
        if isinstance(value, str):
            name, detail = value, None
        else:
            name, detail = next(iter(value.items()))
        if name in ("Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript"):
            return
        if name == "Link":
            if isinstance(detail, dict) and detail.get("link_type") in _URL_LINK_TYPES:
                self.url_links += 1
            elif not opening and self.url_links and detail is None:
                self.url_links -= 1
            return
        self.flush()
        scope = _CONTAINER_SCOPES.get(name)
        if scope is not None:
            if opening:
                self.scopes.append(scope)
            else:
                self.scopes.pop()
        elif name in _SKIPPED_BLOCKS:
            self.skipped_blocks += 1 if opening else -1
        elif name == "HtmlBlock":
            if opening:
                self.html_ranges = []
            else:
                self.html_block()

    def html_block(self) -> None:
        """Read an HTML block as HTML, over the exact ranges the parser gave its lines
        (inside a block quote, the ``>`` markers between them stay out)."""
        ranges, self.html_ranges = self.html_ranges or [], None
        if not ranges:
            return
        start = ranges[0][0]
        parts: list[str] = []
        position = start
        for range_start, range_end in ranges:
            parts.append(blank(self.text[position:range_start]))
            parts.append(self.text[range_start:range_end])
            position = range_end
        read_html("".join(parts), start, self.builder, strict=False)

    def inline_html(self, start: int, end: int) -> None:
        raw = self.text[start:end]
        if raw.startswith("<!--"):
            body = raw[4:-3] if raw.endswith("-->") else raw[4:]
            self.builder.add_comment(start, end, body)
            return
        tag = tag_name(raw)
        if tag is None:
            return
        name, closing = tag
        if name in _SKIPPED_INLINE_HTML:
            self.skipped_inline = max(0, self.skipped_inline + (-1 if closing else 1))
        elif name == "br":
            self.flush()
        elif name == "img" and not closing:
            self.flush()
            read_html(raw, start, self.builder, strict=False)


def read_markdown(text: str, builder: ProseBuilder, *, placeholder: str | None = None) -> None:
    """Read Markdown ``text`` (the source, or a same-length blanked copy of it)."""
    _Reader(text, builder, placeholder).read()


class MarkdownFormat:
    """Markdown files, with front matter and template tags."""

    name: str = "markdown"
    extensions: tuple[str, ...] = (".md", ".markdown", ".mdown", ".mkd")

    def __init__(self, published_fields: Collection[str] = DEFAULT_PUBLISHED_FIELDS) -> None:
        self.published_fields = frozenset(published_fields)

    def with_published_fields(self, published_fields: Collection[str]) -> MarkdownFormat:
        """A copy of this format that publishes ``published_fields`` instead."""
        return MarkdownFormat(published_fields)

    def configured(self, options: Mapping[str, Any]) -> MarkdownFormat:
        """This format with the published fields of a configuration."""
        return MarkdownFormat(published_fields(options))

    def parse(self, source: str, path: str) -> Document:
        builder = ProseBuilder(source)
        body = read_front_matter(source, builder, self.published_fields)
        if body == 0 and source.startswith("\ufeff"):
            body = 1
        text = blank(source[:body]) + blank_templates(source[body:])
        read_markdown(text, builder)
        del text  # a copy of the page, not needed once read: let it go before the view is built
        return builder.document(path, self.name)
