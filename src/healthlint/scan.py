"""The one scan per document: every term class and every shape, found at once.

A :class:`Scanner` is compiled once per run from the run's term classes
(:mod:`healthlint.terms`) and shapes: named regular expressions for what
phrases cannot say (figures, identifiers, dates). The phrases run in one
Aho-Corasick pass; each shape runs once over the whole prose view under a time
limit that grows with the page, never once per sentence.

Speed: the regex engine tries a pattern at every position of the page, and a pattern
that opens with an alternation of lookbehinds or of words pays for each try. A shape
that can only start at a word boundary, or with one of a few characters, says so first
(``\b``, ``(?=[A-Z])``) and checks its lookbehind after; one that needs a literal
(``:``) consumes it rather than looking behind for it. The matches stay the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import regex

from healthlint.terms import Hits, TermMatcher, TermSet

__all__ = ["MAX_SHAPE_LENGTH", "Scanner", "Shape", "ShapeTimeout", "compile_shape", "time_limit"]

MAX_SHAPE_LENGTH = 300
"""Longest shape a shipped pack may hold: longer ones belong in phrase lists."""
SHAPE_FLAGS = regex.IGNORECASE | regex.VERSION0
TIME_LIMIT = 2.0
TIME_PER_MB = 4.0


def time_limit(characters: int) -> float:
    """Seconds a pattern may take over this much text before it is stopped."""
    return TIME_LIMIT + TIME_PER_MB * characters / 1_000_000


class ShapeTimeout(Exception):
    """A shape pattern ran past its time limit on a document."""

    def __init__(self, name: str, origin: str) -> None:
        super().__init__(name)
        self.name = name
        self.origin = origin


def _whitespace_runs(source: str) -> str:
    """A literal space in a shape matches any whitespace run (markup leaves blanks); an
    optional space (" ?", " *") matches an optional run, so "PMID ?:" still reads "PMID:"."""
    out: list[str] = []
    in_class = escaped = False
    index = 0
    while index < len(source):
        char = source[index]
        index += 1
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == " " and not in_class:
            quantifier = source[index] if index < len(source) else ""
            if quantifier in ("?", "*"):
                index += 1
                out.append(r"\s*")
                continue
            if quantifier == "+":
                index += 1
            if out and out[-1] == r"\s+":
                continue
            out.append(r"\s+")
            continue
        out.append(char)
    return "".join(out)


def compile_shape(source: str) -> regex.Pattern[str]:
    """Compile a shape; ``ValueError`` carries the regex engine's message."""
    try:
        return regex.compile(_whitespace_runs(source), SHAPE_FLAGS)
    except regex.error as exc:
        raise ValueError(f"invalid regex {source!r}: {exc}") from None


@dataclass(frozen=True)
class Shape:
    name: str
    source: str
    origin: str = ""
    description: str = ""


class Scanner:
    """Term classes and shapes of one run, compiled once."""

    def __init__(self, terms: TermSet, shapes: Iterable[Shape] = (),
                 matcher: TermMatcher | None = None) -> None:
        shape_list = list(shapes)
        self.matcher = matcher or TermMatcher(terms)
        names = list(self.matcher.names)
        self._shapes: list[tuple[int, Shape, regex.Pattern[str]]] = []
        ids = {name: index for index, name in enumerate(names)}
        for shape in shape_list:
            class_id = ids.get(shape.name)
            if class_id is None:
                class_id = ids[shape.name] = len(names)
                names.append(shape.name)
            self._shapes.append((class_id, shape, compile_shape(shape.source)))
        self.names: tuple[str, ...] = tuple(names)
        self.ids: Mapping[str, int] = ids

    def scan(self, prose: str) -> Hits:
        """Every hit of every class in ``prose``; :class:`ShapeTimeout` if a shape runs away."""
        return Hits(self.names, self._found(prose))

    def _found(self, prose: str) -> Iterator[tuple[int, int, int]]:
        yield from self.matcher.scan(prose)
        limit = time_limit(len(prose))
        for class_id, shape, pattern in self._shapes:
            try:
                # Materialised so the time limit covers the search alone.
                matches = [m.span() for m in pattern.finditer(prose, timeout=limit)
                           if m.end() > m.start()]
            except TimeoutError:
                raise ShapeTimeout(shape.name, shape.origin) from None
            for start, end in matches:
                yield start, end, class_id
