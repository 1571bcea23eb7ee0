"""The one scan per document: every term class and every shape, found at once.

A :class:`Scanner` is compiled once per run from the run's term classes
(:mod:`healthlint.terms`) and shapes: named regular expressions for what
phrases cannot say (figures, identifiers, dates). The phrases are found in
one pass (:class:`~healthlint.terms.TermMatcher`); each shape runs once over the
whole prose view under a time limit that grows with the page, never once per
sentence.

Speed: the regex engine tries a pattern at every position of the page. So a shape whose
matches open, after a word boundary, with listed words or a figure is tried only where
the page has such a word (:mod:`healthlint.anchors` reads those openings from the
pattern, and gives none when it cannot be sure), and a shape that needs some literal
text is skipped on a page without it, and one that opens only at a line start or with
punctuation is tried only there; the matches are the ones ``finditer`` finds over the
whole page. For the rest, a pattern that opens with an alternation of lookbehinds
pays at every position: a shape that can only start at a word boundary, or with one of
a few characters, says so first (``\b``, ``(?=[A-Z])``) and checks its lookbehind
after; one that needs a literal (``:``, the end of the sentence before) consumes it,
with ``\\K`` where it is not part of the match, rather than looking behind for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, compress
from operator import methodcaller, not_, or_

import regex

from healthlint import regexcache
from healthlint.anchors import Anchors, Openers, Openings, folds_into_ascii, openings_of
from healthlint.terms import DamagedMatcher, Hits, TermMatcher, TermSet, lower_keeping_offsets

__all__ = [
    "MAX_SHAPE_LENGTH",
    "CompiledShape",
    "Scanner",
    "Shape",
    "ShapeTimeout",
    "compile_shape",
    "time_limit",
]

MAX_SHAPE_LENGTH = 300
"""Longest shape a shipped pack may hold: longer ones belong in phrase lists."""
SHAPE_FLAGS = regex.IGNORECASE | regex.VERSION0
INDEXED_PAGE = 1 << 20
"""Characters of prose up to which a page's words are indexed for anchored shapes."""
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


class _Words:
    """The words of one page that open some anchored shape's matches, by word (lower-cased
    maximal runs of word characters, as the regex engine reads ``\\w``), with where each
    starts. Splitting, lower-casing and picking run in C; only the picked words, a few in
    ten, are filed one by one."""

    def __init__(self, prose: str, words: frozenset[str], prefixes: tuple[str, ...]) -> None:
        ascii_page = prose.isascii()
        # Words at the even places, separators at the odd ones; the ASCII tables of the
        # standard engine agree with the regex engine's and split faster.
        parts = (_NOT_WORD_ASCII if ascii_page else _NOT_WORD).split(prose)
        offsets = list(accumulate(map(len, parts), initial=0))
        # Words hold no line break: lower-casing them joined is one call, not one a word.
        lowered = lower_keeping_offsets("\n".join(parts[0::2])).split("\n")
        picked = map(or_, map(words.__contains__, lowered),
                     map(methodcaller("startswith", prefixes), lowered))
        if not ascii_page:
            # A word with other than ASCII letters may match a pattern's word in ways lower
            # case does not show (case folding): every anchored shape tries it.
            picked = map(or_, picked, map(not_, map(str.isascii, lowered)))
        self.unusual: list[int] = []
        self.starts_of: dict[str, list[int]] = {}
        for word, start in compress(zip(lowered, offsets[0::2], strict=True), picked):
            if not word.isascii():
                self.unusual.append(start)
            elif word in self.starts_of:
                self.starts_of[word].append(start)
            else:
                self.starts_of[word] = [start]

    def starts(self, anchors: Anchors) -> list[int]:
        """Where a word that ``anchors`` admit starts, in order."""
        found = list(self.unusual)
        starts_of = self.starts_of
        for word in anchors.words & starts_of.keys():
            found += starts_of[word]
        openings = (*anchors.prefixes, *(_DIGITS if anchors.digits else ()))
        if openings:
            for word, starts in starts_of.items():
                if word.startswith(openings) and word not in anchors.words:
                    found += starts
        found.sort()
        return found


_NOT_WORD = regexcache.compile(r"(\W+)", regex.VERSION0)
_NOT_WORD_ASCII = re.compile(r"(\W+)", re.ASCII)
_DIGITS = tuple("0123456789")


class CompiledShape:
    """A shape of the run with its class id and its anchors (:mod:`healthlint.anchors`). Its
    pattern comes from the cache (:mod:`healthlint.regexcache`) or is compiled when a page
    first needs it, so a run without the cache compiles only the shapes its pages ask for."""

    __slots__ = ("_pattern", "anchors", "class_id", "openers", "required", "shape")

    def __init__(self, class_id: int, shape: Shape, openings: Openings,
                 pattern: regex.Pattern[str] | None = None) -> None:
        self.class_id = class_id
        self.shape = shape
        # A shape with no anchors is still skipped on a page that lacks what it requires,
        # and may still be tried only where a line starts or at some punctuation.
        self.anchors, self.required, self.openers = openings
        self._pattern = pattern

    @property
    def pattern(self) -> regex.Pattern[str]:
        if self._pattern is None:
            self._pattern = compile_shape(self.shape.source)
        return self._pattern

    def spans(self, page: _Page, limit: float) -> list[tuple[int, int]]:
        """Where the shape matches, as ``finditer`` over the whole page finds it;
        ``TimeoutError`` past ``limit`` seconds."""
        prose = page.prose
        if page.indexed and self.anchors is not None:
            starts = page.words.starts(self.anchors)
            return _anchored(self.pattern, prose, starts, limit) if starts else []
        if page.indexed and self.required is not None and not page.folds_into_ascii and \
                self.required.absent_from(prose, page.lowered):
            return []
        if page.indexed and self.openers is not None:
            starts = page.opening_places(self.openers)
            return _anchored(self.pattern, prose, starts, limit) if starts else []
        # Materialised so the time limit covers the search alone.
        return [m.span() for m in self.pattern.finditer(prose, timeout=limit)
                if m.end() > m.start()]


class _Page:
    """One page's prose and what shapes ask of it, each worked out once, when first asked.

    A page longer than :data:`INDEXED_PAGE` is not indexed: its word index and lower-case
    copy would hold several times its size, and every shape runs over all of it instead,
    in time that grows with the page as before."""

    def __init__(self, prose: str, scanner: Scanner) -> None:
        self.prose = prose
        self._scanner = scanner
        self.indexed = len(prose) <= INDEXED_PAGE
        self._places: dict[str, list[int]] = {}

    @cached_property
    def words(self) -> _Words:
        return self._scanner.words(self.prose)

    @cached_property
    def lowered(self) -> str:
        return self.prose.lower()

    def opening_places(self, openers: Openers) -> list[int]:
        """Where the page has a place that ``openers`` admit, in order."""
        source = openers.source
        places = self._places.get(source)
        if places is None:
            places = self._places[source] = [m.start() for m in re.finditer(source, self.prose)]
        return places

    @cached_property
    def folds_into_ascii(self) -> bool:
        return folds_into_ascii(self.prose)


class Scanner:
    """Term classes and shapes of one run, compiled once."""

    def __init__(self, terms: TermSet, shapes: Iterable[Shape] = (),
                 matcher: TermMatcher | None = None,
                 recompile: Callable[[TermMatcher], TermMatcher] | None = None) -> None:
        """``matcher`` may come from the cache; if a page shows it damaged
        (:class:`~healthlint.terms.DamagedMatcher`), ``recompile`` gives a new one with the
        same class names (by default, compiled from ``terms``) and the page is scanned
        again."""
        shape_list = list(shapes)
        self.matcher = matcher or TermMatcher(terms)
        self._recompile = recompile or (lambda old: TermMatcher(terms, names=old.names))
        names = list(self.matcher.names)
        self.shapes: list[CompiledShape] = []
        ids = {name: index for index, name in enumerate(names)}
        sources = [_whitespace_runs(shape.source) for shape in shape_list]
        derived = openings_of(sources)
        patterns = regexcache.compiled(sources, SHAPE_FLAGS)
        for shape, openings, pattern in zip(shape_list, derived, patterns, strict=True):
            class_id = ids.get(shape.name)
            if class_id is None:
                class_id = ids[shape.name] = len(names)
                names.append(shape.name)
            self.shapes.append(CompiledShape(class_id, shape, openings, pattern))
        self.names: tuple[str, ...] = tuple(names)
        self.ids: Mapping[str, int] = ids
        anchored = [s.anchors for s in self.shapes if s.anchors is not None]
        self._anchor_words = frozenset().union(*(a.words for a in anchored))
        self._anchor_prefixes = tuple(sorted(
            {p for a in anchored for p in a.prefixes}
            | (set(_DIGITS) if any(a.digits for a in anchored) else set())))

    def scan(self, prose: str) -> Hits:
        """Every hit of every class in ``prose``; :class:`ShapeTimeout` if a shape runs away."""
        try:
            return self._hits(prose)
        except DamagedMatcher:
            self.matcher = self._recompile(self.matcher)
            return self._hits(prose)

    def _hits(self, prose: str) -> Hits:
        if len(prose) > INDEXED_PAGE:  # a huge page: hits held a few bytes each
            return Hits.compact(self.names, self._found(prose))
        return Hits(self.names, self._found(prose))

    def words(self, prose: str) -> _Words:
        """The words of ``prose`` that open some anchored shape's matches."""
        return _Words(prose, self._anchor_words, self._anchor_prefixes)

    def _found(self, prose: str) -> Iterator[tuple[int, int, int]]:
        yield from self.matcher.scan(prose)
        limit = time_limit(len(prose))
        page = _Page(prose, self)
        for shape in self.shapes:
            try:
                matches = shape.spans(page, limit)
            except TimeoutError:
                raise ShapeTimeout(shape.shape.name, shape.shape.origin) from None
            class_id = shape.class_id
            for start, end in matches:
                yield start, end, class_id


def _anchored(pattern: regex.Pattern[str], prose: str, starts: list[int],
              limit: float) -> list[tuple[int, int]]:
    """The matches ``pattern.finditer`` finds, tried only at ``starts`` (where every match
    opens: :mod:`healthlint.anchors`), under one time limit for the page."""
    deadline = time.monotonic() + limit
    matches: list[tuple[int, int]] = []
    end = 0
    for start in starts:
        if start < end:
            continue  # inside the last match: finditer resumes after it
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        match = pattern.match(prose, start, timeout=remaining)
        if match is not None and match.end() > match.start():
            matches.append(match.span())
            end = match.end()
    return matches
