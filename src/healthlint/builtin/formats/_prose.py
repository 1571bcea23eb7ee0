"""The prose view under construction, shared by the Markdown, HTML and MDX formats.

A format starts from a view where every character except ``\\n`` and ``\\r`` is a
space, then *reveals* the characters that are published prose, at the offsets the
parser reported for them. Nothing is ever searched for again: a format only copies
text it was handed together with its position. Blocks, comments and problems are
collected here too, so that the HTML machinery can write into a Markdown
document's view when it reads an HTML block inside it.
"""

from __future__ import annotations

import html
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from html.entities import html5
from operator import itemgetter

from healthlint.types import Block, Comment, Document, Problem, Span

_NOT_LINE_BREAK = re.compile(r"[^\r\n]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_COMMENT_PREFIX = "healthlint-"
_FIRST = itemgetter(0)
_DONE = (0, "")
_CHUNK = 1 << 20
"""Characters of the prose view joined at a time."""
_BARE_URL = re.compile(
    r"(?:\b[A-Za-z][A-Za-z0-9+.-]{1,30}://|\bwww\.)[^\s<>]*[^\s<>.,:;!?'\"()\[\]*_~]"
)

_SPACE_LIKE = str.maketrans(dict.fromkeys("\u00a0\t\n\r\x0c\x0b", " "))
"""Decoded characters that must read as a plain space: ``&nbsp;`` between two words
is a word gap to a rule pattern, and a decoded line break must not look like one."""


def blank(text: str) -> str:
    """``text`` with every character but ``\\n`` and ``\\r`` replaced by a space."""
    if "\r" in text:
        return _NOT_LINE_BREAK.sub(lambda match: " " * (match.end() - match.start()), text)
    return "\n".join(" " * len(line) for line in text.split("\n"))


def fill(decoded: str, width: int) -> str:
    """``decoded`` as it stands in the prose view in place of a ``width``-character escape
    or reference: space-like and unprintable characters (a lone surrogate from a JSON
    escape) read as spaces, and the rest of the width is blank."""
    shown = decoded.translate(_SPACE_LIKE)
    if not shown.isprintable():
        shown = "".join(char if char.isprintable() else " " for char in shown)
    return shown[:width].ljust(width)


def directive_body(body: str) -> str | None:
    """The stripped comment body if it is a healthlint directive, else ``None``."""
    stripped = body.strip()
    return stripped if stripped.startswith(_COMMENT_PREFIX) else None


def decode_reference(raw: str, *, in_attribute: bool = False, next_char: str = "") -> str | None:
    """Decode one character reference (``&amp;``, ``&#8217;``, ``&#x2019;``, ``&copy``).

    Returns ``None`` when ``raw`` is not a reference a browser would decode. Named
    references without ``;`` decode only for the legacy names HTML allows, and in an
    attribute value not when a letter, digit or ``=`` follows (``?a=1&copy=2``).
    """
    if raw.startswith("&#"):
        digits = raw[3:] if raw[2:3] in ("x", "X") else raw[2:]
        if not digits.rstrip(";"):
            return None
        return html.unescape(raw if raw.endswith(";") else raw + ";")
    name = raw[1:]
    if name.endswith(";"):
        return html5.get(name)
    if in_attribute and (next_char.isalnum() or next_char == "="):
        return None
    return html5.get(name)


def byte_to_char(text: str) -> Callable[[int], int]:
    """A converter from UTF-8 byte offsets into ``text`` to code-point offsets.

    Only runs of non-ASCII characters make the two differ, so the converter keeps
    one entry per run and bisects; inside a run it decodes the few bytes before the
    offset.
    """
    byte_starts: list[int] = []
    byte_ends: list[int] = []
    char_starts: list[int] = []
    shifts: list[int] = []
    shift = 0
    for run in _NON_ASCII.finditer(text):
        size = len(run.group().encode())
        byte_starts.append(run.start() + shift)
        byte_ends.append(run.start() + shift + size)
        char_starts.append(run.start())
        shift += size - (run.end() - run.start())
        shifts.append(shift)
    encoded = text.encode()

    def convert(offset: int) -> int:
        index = bisect_right(byte_starts, offset) - 1
        if index < 0:
            return offset
        if offset >= byte_ends[index]:
            return offset - shifts[index]
        return char_starts[index] + len(encoded[byte_starts[index] : offset].decode())

    return convert


class _Blocks:
    """The blocks a parser records, as columns of integers: a page's blocks outlive the
    pieces of its prose, and tuples of them would be scattered among those pieces, keeping
    the memory of a large page's pieces from being given back once the view is built."""

    __slots__ = ("ends", "scopes", "starts")

    def __init__(self) -> None:
        self.starts = array("l")
        self.ends = array("l")
        self.scopes: list[str] = []

    def add(self, start: int, end: int, scope: str) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.scopes.append(scope)

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        """``(start, end, scope)`` as recorded."""
        return zip(self.starts, self.ends, self.scopes, strict=True)

    def in_order(self) -> Iterator[tuple[int, int, str]]:
        """``(start, end, scope)`` by start; blocks with one start stay as recorded."""
        starts, ends, scopes = self.starts, self.ends, self.scopes
        for index in sorted(range(len(starts)), key=starts.__getitem__):
            yield starts[index], ends[index], scopes[index]


class ProseBuilder:
    """Collects the prose view, blocks, comments and problems of one document.

    Revealed text is kept as ``(offset, text)`` pieces that never overlap, and the
    view is joined once at the end from them and a blanked copy of the source:
    that keeps the cost per revealed piece constant, whatever the file's size.
    """

    __slots__ = ("blocks", "comments", "pieces", "problems", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.pieces: list[tuple[int, str]] = []
        self.blocks = _Blocks()
        self.comments: list[Comment] = []
        self.problems: list[Problem] = []

    def reveal(self, start: int, text: str) -> None:
        """Show ``text`` (a slice of the parsed text) as prose from ``start`` on.

        A bare URL in the text stays blank: it is an address, not a claim, and GFM
        makes it a link anyway.
        """
        if "://" in text or "www." in text:
            position = 0
            for url in _BARE_URL.finditer(text):
                self.pieces.append((start + position, text[position : url.start()]))
                position = url.end()
            text = text[position:]
            start += position
        self.pieces.append((start, text))

    def reveal_decoded(self, start: int, end: int, decoded: str) -> None:
        """Put a decoded reference at ``start``; the rest of ``[start, end)`` stays blank."""
        width = end - start
        self.pieces.append((start, fill(decoded, width)))

    def add_block(self, start: int, end: int, scope: str) -> None:
        """Record a block; it is trimmed to its visible prose when the view is built."""
        if start < end:
            self.blocks.add(start, end, scope)

    def add_comment(self, start: int, end: int, body: str) -> None:
        """Record a comment whose body is a healthlint directive; ignore any other."""
        text = directive_body(body)
        if text is not None:
            self.comments.append(Comment(Span(start, end), text))

    def problem(self, offset: int, message: str) -> None:
        # Parsers count positions their own way (PyYAML's reader can point past a control
        # character it refused): a problem is always reported inside the file.
        self.problems.append(Problem(max(0, min(offset, len(self.source))), message))

    def prose(self) -> str:
        """Join the revealed pieces over the blanked source; the pieces are consumed.

        The view is joined a chunk at a time and each piece is let go once joined, so a
        large page never holds its pieces, a blanked copy of its source and the finished
        view all at once.
        """
        source = self.source
        pieces, self.pieces = self.pieces, []
        pieces.sort(key=_FIRST)
        chunks: list[str] = []
        parts: list[str] = []
        size = 0
        position = 0
        for index, (start, text) in enumerate(pieces):
            pieces[index] = _DONE
            if start < position:
                text = text[position - start :]
                start = position
            if start > position:
                parts.append(blank(source[position:start]))
            parts.append(text)
            size += start - position + len(text)
            position = start + len(text)
            if size >= _CHUNK:
                chunks.append("".join(parts))
                parts.clear()
                size = 0
        parts.append(blank(source[position:]))
        chunks.append("".join(parts))
        return chunks[0] if len(chunks) == 1 else "".join(chunks)

    def document(self, path: str, format_name: str) -> Document:
        """The finished document, blocks, comments and problems in source order."""
        prose = self.prose()
        blocks: list[Block] = []
        for start, end, scope in self.blocks.in_order():
            text = prose[start:end]
            trimmed_start = start + len(text) - len(text.lstrip())
            trimmed_end = start + len(text.rstrip())
            if trimmed_start < trimmed_end:
                blocks.append(Block(Span(trimmed_start, trimmed_end), scope))
        return Document(
            path=path,
            source=self.source,
            prose=prose,
            blocks=tuple(blocks),
            format=format_name,
            comments=tuple(sorted(self.comments, key=lambda comment: comment.span.start)),
            problems=tuple(sorted(self.problems, key=lambda problem: problem.offset)),
        )
