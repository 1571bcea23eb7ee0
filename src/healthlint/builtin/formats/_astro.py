"""The Astro reader behind :class:`.astro.AstroFormat` (see :mod:`.astro`)."""

from __future__ import annotations

import bisect
import re

from healthlint.builtin.formats._prose import ProseBuilder, blank
from healthlint.builtin.formats._values import in_place, looks_like_prose, publish
from healthlint.builtin.formats.html import read_html
from healthlint.builtin.formats.mdx import _Scanner
from healthlint.types import Document

_FENCE = re.compile(r"\A\ufeff?[ \t\r\n]*---[ \t]*\r?\n")
_FENCE_END = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_SCRIPT_COMMENT = re.compile(r"//(?P<line>[^\r\n]*)|/\*(?P<block>[\s\S]*?)\*/")
_NEXT = re.compile(r"<!--|<|\{")
_TAG_START = re.compile(r"<(/?)([A-Za-z][\w.:-]*)")
_RAW_TEXT = frozenset({"script", "style"})
_STRING_EXPRESSION = re.compile(
    r"""\{\s*(?:"(?P<dq>[^"\\]*(?:\\.[^"\\]*)*)"|'(?P<sq>[^'\\]*(?:\\.[^'\\]*)*)'
    |`(?P<bt>[^`\\$]*(?:(?:\\.|\$(?!\{))[^`\\$]*)*)`)\s*\}\Z""",
    re.VERBOSE | re.DOTALL,
)
_BLOCK_NAMES = {1: "p", 2: "dl"}
"""What a component's name becomes for the HTML reader, so it starts a block."""


class _Template:
    """Scans an Astro template: the spans to blank and the components' names and props."""

    def __init__(self, source: str, builder: ProseBuilder) -> None:
        self.source = source
        self.builder = builder
        self.scanner = _Scanner(source, builder)
        self.blanks: list[tuple[int, int]] = []
        self.renames: list[tuple[int, int]] = []
        self.props: list[tuple[str, int, int, bool]] = []

    def scan(self, position: int) -> None:
        source = self.source
        while True:
            found = _NEXT.search(source, position)
            if found is None:
                return
            start = found.start()
            if found.group() == "<!--":
                end = source.find("-->", start + 4)
                position = len(source) if end < 0 else end + 3
            elif found.group() == "{":
                end = self.scanner.expression(start)
                if end > start + 1:
                    self.blanks.append((start, end))
                position = end
            else:
                position = self.tag(start)

    def tag(self, start: int) -> int:
        source = self.source
        name_match = _TAG_START.match(source, start)
        if name_match is None:
            return start + 1
        name = name_match.group(2)
        expressions = len(self.scanner.attribute_expressions)
        values = len(self.scanner.attribute_values)
        end, self_closing = self.scanner.attributes_end(name_match.end())
        if end < 0:
            self.builder.problem(start, f"tag <{name} is never closed")
            return start + 1
        self.blanks.extend(self.scanner.attribute_expressions[expressions:])
        if name[0].isupper() or "." in name:
            self.renames.append(name_match.span(2))
            if not name_match.group(1):
                self.props.extend(self.scanner.attribute_values[values:])
        lowered = name.lower()
        if lowered in _RAW_TEXT and not name_match.group(1) and not self_closing:
            closing = re.compile(rf"</{lowered}\s*>", re.IGNORECASE).search(source, end)
            return closing.start() if closing is not None else len(source)
        return end

    def text(self, body: int) -> str:
        """The source with the fence and expressions blanked and components renamed."""
        source = self.source
        parts = [blank(source[:body])]
        position = body
        edits = sorted(
            [(start, end, None) for start, end in self.blanks]
            + [(start, end, _block_name(end - start)) for start, end in self.renames]
        )
        for start, end, replacement in edits:
            if start < position:
                continue
            parts.append(source[position:start])
            parts.append(blank(source[start:end]) if replacement is None else replacement)
            position = end
        parts.append(source[position:])
        return "".join(parts)


def _block_name(width: int) -> str:
    return _BLOCK_NAMES.get(width, "div").ljust(width)


def read_astro(source: str, path: str, props: frozenset[str], format_name: str) -> Document:
    """Read an Astro component into a document."""
    builder = ProseBuilder(source)
    body = _script(source, builder)
    template = _Template(source, builder)
    template.scan(body)
    read_html(template.text(body)[body:], body, builder, strict=False)
    _restore_renamed(builder, source, template.renames)
    # A prop already shown as text (a component written inside <title>, which holds no
    # tags) is not published a second time.
    shown = sorted((start, end) for start, end, _ in builder.blocks)
    for name, start, end, braced in template.props:
        if name.lower() in props and not _inside(shown, start, end):
            _prop(builder, source, start, end, braced=braced)
    return builder.document(path, format_name)


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of the sorted, disjoint ``spans``."""
    index = bisect.bisect_left(spans, (start + 1,))  # the first span that starts after start
    return any(s < end and start < e for s, e in spans[max(0, index - 1) : index + 1])


def _restore_renamed(builder: ProseBuilder, source: str,
                     renames: list[tuple[int, int]]) -> None:
    """Components are renamed for the HTML reader (``<Hero`` reads as ``<div``); where a
    renamed name is shown as text (inside ``<title>``, which holds no tags), the page's own
    characters are shown, never the stand-in."""
    if not renames:
        return
    starts = sorted(renames)
    restored: list[tuple[int, str]] = []
    for start, text in builder.pieces:
        end = start + len(text)
        first = bisect.bisect_left(starts, (start, start)) - 1
        chars: list[str] | None = None
        for rename_start, rename_end in starts[max(0, first):]:
            if rename_start >= end:
                break
            low, high = max(start, rename_start), min(end, rename_end)
            if low < high:
                chars = chars if chars is not None else list(text)
                chars[low - start : high - start] = source[low:high]
        restored.append((start, text if chars is None else "".join(chars)))
    builder.pieces[:] = restored


def _script(source: str, builder: ProseBuilder) -> int:
    """Skip the component script; returns where the template begins."""
    opening = _FENCE.match(source)
    if opening is None:
        return 0
    closing = _FENCE_END.search(source, opening.end())
    if closing is None:
        builder.problem(opening.end() - 4, "the component script's '---' fence is never closed")
        return len(source)
    for comment in _SCRIPT_COMMENT.finditer(source, opening.end(), closing.start()):
        line = comment.group("line")
        body = line if line is not None else comment.group("block")
        builder.add_comment(comment.start(), comment.end(), body.strip("* \t\r\n"))
    return closing.end()


def _prop(builder: ProseBuilder, source: str, start: int, end: int, *, braced: bool) -> None:
    """A published prop's value: quoted, or braced around a single string literal."""
    if braced:
        literal = _STRING_EXPRESSION.match(source, start, end)
        if literal is None:
            return
        start, end = literal.span(literal.lastgroup or "dq")
        text = in_place(source, start, end, quote='"')
    else:
        text = source[start:end]
    if looks_like_prose(text):
        publish(builder, start, text, "field")
