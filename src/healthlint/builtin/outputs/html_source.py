"""A page's source as HTML lines, with highlights woven into the text.

Highlights may overlap and cross line ends, but HTML elements must nest. Each
line is cut at every highlight boundary; for each piece the highlights covering
it are opened outermost first (earlier start, then later end). When a highlight
ends while one that started inside it is still open, the inner one is closed and
reopened after it: the highlight is split into several elements. Only the first
element of a highlight gets its ``first`` attributes (in the report: the one
``data-code`` element per finding); the rest get ``rest`` attributes, so a
finding is counted once however often it is split.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from healthlint.builtin.outputs._markup import Attrs, Markup, end_tag, escape, join, start_tag

TAG = "mark"


@dataclass(frozen=True)
class Highlight:
    """A span of the source to mark, with the attributes of its first and other elements."""

    key: str
    start: int
    end: int
    first: Attrs
    rest: Attrs
    weight: int = 0
    """Of highlights with the same span, the heaviest is drawn innermost, so its colour shows."""


@dataclass(frozen=True)
class _Piece:
    """The part of a highlight on one line, in offsets within that line."""

    highlight: Highlight
    start: int
    end: int
    rank: int
    """Position in nesting order: lower is outer."""

    @property
    def empty(self) -> bool:
        return self.start == self.end


@dataclass
class SourceView:
    """The rendered lines, and where each highlight's first element landed."""

    lines: list[Markup]
    first_line: dict[str, int] = field(default_factory=dict)
    """1-based line of each highlight's first element, by key."""


def split_lines(source: str) -> list[tuple[int, str]]:
    """``(offset, text)`` of every line, without its line ending (``\\n`` or ``\\r\\n``)."""
    lines = []
    offset = 0
    for raw in source.split("\n"):
        lines.append((offset, raw.removesuffix("\r")))
        offset += len(raw) + 1
    return lines


def _pieces_by_line(
    lines: Sequence[tuple[int, str]], highlights: Sequence[Highlight]
) -> list[list[_Piece]]:
    """Clip each highlight to the lines it touches.

    A highlight that covers no visible character (an empty span, or one that
    covers only a line ending) becomes one empty piece where it starts.
    """
    starts = [offset for offset, _ in lines]
    by_line: list[list[_Piece]] = [[] for _ in lines]
    ordered = sorted(highlights, key=lambda h: (h.start, -h.end, h.weight))
    for rank, highlight in enumerate(ordered):
        placed = False
        for index in range(_line_of(starts, highlight.start), len(lines)):
            offset, text = lines[index]
            start = max(highlight.start, offset) - offset
            end = min(highlight.end, offset + len(text)) - offset
            if start < end:
                by_line[index].append(_Piece(highlight, start, end, rank))
                placed = True
            if offset + len(text) + 1 > highlight.end:
                break
        if not placed:
            index = _line_of(starts, highlight.start)
            offset, text = lines[index]
            column = min(max(highlight.start - offset, 0), len(text))
            by_line[index].append(_Piece(highlight, column, column, rank))
    return by_line


def _line_of(starts: Sequence[int], offset: int) -> int:
    """Index of the line holding ``offset``; past the end, the last line."""
    return max(bisect.bisect_right(starts, offset) - 1, 0)


class _Weaver:
    """Writes one line at a time, remembering which highlights have had their first element."""

    def __init__(self) -> None:
        self.opened: set[str] = set()
        self.fresh: list[str] = []
        """Keys whose first element the current line holds."""

    def open(self, piece: _Piece) -> Markup:
        key = piece.highlight.key
        if key in self.opened:
            return start_tag(TAG, piece.highlight.rest)
        self.opened.add(key)
        self.fresh.append(key)
        return start_tag(TAG, piece.highlight.first)

    def line(self, text: str, pieces: Sequence[_Piece]) -> Markup:
        spans = [p for p in pieces if not p.empty]
        bounds = sorted({0, len(text)} | {p.start for p in pieces} | {p.end for p in spans})
        out: list[str] = []
        stack: list[_Piece] = []
        for here, after in pairwise(bounds):
            active = sorted((p for p in spans if p.start <= here and after <= p.end),
                            key=lambda p: p.rank)
            common = _common_prefix(stack, active)
            out.extend(end_tag(TAG) for _ in stack[common:])
            out.extend(self._empties(pieces, here))
            out.extend(self.open(p) for p in active[common:])
            out.append(escape(text[here:after]))
            stack = active
        out.extend(end_tag(TAG) for _ in stack)
        out.extend(self._empties(pieces, len(text)))
        return join(out)

    def _empties(self, pieces: Sequence[_Piece], at: int) -> list[Markup]:
        return [self.open(p) + end_tag(TAG) for p in pieces if p.empty and p.start == at]


def _common_prefix(left: Sequence[_Piece], right: Sequence[_Piece]) -> int:
    count = 0
    for a, b in zip(left, right, strict=False):
        if a is not b:
            break
        count += 1
    return count


def render_source(source: str, highlights: Sequence[Highlight]) -> SourceView:
    """The lines of ``source`` as HTML, every highlight in place."""
    lines = split_lines(source)
    by_line = _pieces_by_line(lines, highlights)
    weaver = _Weaver()
    view = SourceView([])
    for number, ((_, text), pieces) in enumerate(zip(lines, by_line, strict=True), start=1):
        weaver.fresh.clear()
        view.lines.append(weaver.line(text, pieces))
        view.first_line.update((key, number) for key in weaver.fresh)
    return view
