"""Where a shape can start: the words its matches open with, read from the pattern.

Most shapes open with a word from a short list (``\\b(?:helped|healed|cured) ...``) or
with a figure (``\\b\\d+ ?%``). Run over a whole page, such a pattern is tried at every
character; knowing how its matches open, the scanner tries it only at the page's words
that open that way, and skips the page when it has none. Nothing changes but the time:
the derivation is conservative, so every match the pattern can find starts at one of
those words, and whatever it cannot be sure of gives no anchors (the shape then runs
over the whole page, as before).

A shape with no anchors may still need some literal text (``™``, ``:``, "billion"):
:func:`required_of` says which, and the scanner skips it on a page without any of it. And
it may open only where a line starts or with some punctuation (``(?m)^``, ``[.!?]``):
:func:`openers_of` says where, and the scanner tries it only there. The derivations are
cached with the build (:func:`openings_of`).

The pattern is read with the standard library's parser: shapes keep to the common
syntax, and the few ``regex`` extensions they use either stand for a character class here
(``\\p{..}``) or make the derivation give up (``\\K``).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from healthlint import regexcache

try:  # the standard library's own regex parser: Python 3.11+, then 3.10
    _sre: Any = importlib.import_module("re._constants")
    _sre_parse: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover
    _sre = importlib.import_module("sre_constants")
    _sre_parse = importlib.import_module("sre_parse")

__all__ = [
    "Anchors",
    "Openers",
    "Openings",
    "Required",
    "anchors_of",
    "folds_into_ascii",
    "openers_of",
    "openings_of",
    "required_of",
]

MAX_WORDS = 512
"""Opening words one shape may list; a pattern that opens with more runs everywhere."""
_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")
_SHAPE_FLAGS = _sre.SRE_FLAG_IGNORECASE
"""What :func:`~healthlint.scan.compile_shape` compiles with, as far as this reading goes."""
_WORD_CHAR = regexcache.compile(r"\w", regex.VERSION0)
"""A word character as the shapes' own engine reads one (it counts marks, not ``²``)."""
_WORD_ENDS = frozenset({_sre.AT_BOUNDARY, _sre.AT_END, _sre.AT_END_LINE, _sre.AT_END_STRING})
_LINE_STARTS = frozenset({_sre.AT_BEGINNING, _sre.AT_BEGINNING_LINE, _sre.AT_BEGINNING_STRING})
_REPEATS = frozenset({_sre.MAX_REPEAT, _sre.MIN_REPEAT,
                      getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT)})
_CHARACTERS = frozenset({_sre.IN, _sre.NOT_LITERAL, _sre.ANY, _sre.CATEGORY})


@dataclass(frozen=True)
class Anchors:
    """How a shape's matches open: at the start of a word (a maximal run of word
    characters) that, lower-cased, is one of ``words`` or begins with one of ``prefixes``,
    or, with ``digits``, at a word that begins with a digit.

    (Shapes that open with any capitalised word get no anchors: the regex engine skips
    to capitals as fast on its own, and a page has many.)"""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    digits: bool = False

    def admits(self, word: str) -> bool:
        lowered = word.lower()
        return (lowered in self.words or lowered.startswith(self.prefixes)
                or (self.digits and word[:1].isdigit()))


class _GiveUp(Exception):
    """The derivation cannot be sure how the matches open."""


class _Found:
    """Opening words found so far: ``exact`` ones end where the pattern says a word ends;
    ``prefixes`` may go on with more word characters."""

    def __init__(self) -> None:
        self.exact: set[str] = set()
        self.prefixes: set[str] = set()
        self.digits = False

    def close(self, strings: Iterable[str], *, exact: bool) -> None:
        for string in strings:
            if not string:
                raise _GiveUp  # the match could open with something other than a word
            (self.exact if exact else self.prefixes).add(string)


@lru_cache(maxsize=256)
def _parsed(pattern: str) -> Any:
    """The standard library's parse of a shape (shared by both derivations; the parse is
    only read)."""
    return _sre_parse.parse(_PROPERTY.sub(r"\\w", pattern), _SHAPE_FLAGS)


def anchors_of(pattern: str) -> Anchors | None:
    """The opening words of a shape's compiled source (after
    :func:`~healthlint.scan.compile_shape` made its spaces ``\\s`` runs), or ``None`` when
    its matches may open otherwise: with something other than an ASCII word or a figure,
    or with no word boundary (``\\b``, or a lookbehind for a non-word character) before."""
    if "\\K" in pattern:  # the reported start is not where the match opened
        return None
    try:
        items = _parsed(pattern)
        found = _Found()
        still_open, boundary = _walk(list(items), {""}, False, found,
                                     bool(items.state.flags & _sre.SRE_FLAG_IGNORECASE))
        found.close(still_open, exact=False)  # the pattern ends inside the word
    except (_GiveUp, re.error, RecursionError, OverflowError):
        return None
    except Exception:  # a surprise from the parser costs time, never a match
        return None
    words = found.exact | found.prefixes
    if not boundary or not (words or found.digits):
        return None
    if len(words) > MAX_WORDS or not all(w.isascii() for w in words):
        return None
    return Anchors(frozenset(found.exact), tuple(sorted(found.prefixes)), found.digits)


def _set_holds(members: Sequence[tuple[Any, Any]], test: regex.Pattern[str] | re.Pattern[str],
               categories: frozenset[Any]) -> bool:
    """Whether every character a set (``[...]``, ``\\s``) can match passes ``test``
    (``categories``: the set's categories that pass)."""
    for op, value in members:
        if op is _sre.LITERAL:
            if not test.fullmatch(chr(value)):
                return False
        elif op is _sre.RANGE:
            low, high = value
            if high - low > 256 or not all(test.fullmatch(chr(c)) for c in range(low, high + 1)):
                return False
        elif op is _sre.CATEGORY:
            if value not in categories:
                return False
        else:  # a negated set, or anything else
            return False
    return True


_NOT_WORD = regexcache.compile(r"\W", regex.VERSION0)
_DIGIT = re.compile(r"[0-9]")
_NOT_WORD_CATEGORIES = frozenset({_sre.CATEGORY_SPACE, _sre.CATEGORY_NOT_WORD})
_DIGIT_CATEGORIES = frozenset({_sre.CATEGORY_DIGIT})


def _single_set(op: Any, value: Any) -> tuple[Sequence[tuple[Any, Any]] | None, int]:
    """The members of a character set this item consumes, possibly repeated, and the
    least number of characters it consumes; ``None`` for any other item."""
    if op is _sre.IN:
        return value, 1
    if op is _sre.LITERAL:
        return [(op, value)], 1
    if op in _REPEATS and len(value[2]) == 1:
        inner_op, inner = value[2][0]
        if inner_op is _sre.IN:
            return inner, value[0]
        if inner_op is _sre.LITERAL:
            return [(inner_op, inner)], value[0]
    return None, 0


def _is_boundary_lookbehind(value: Any) -> bool:
    """``(?<![\\w...])``: the character before is not a word character."""
    direction, items = value
    return (direction == -1 and len(items) == 1 and items[0][0] is _sre.IN
            and (_sre.CATEGORY, _sre.CATEGORY_WORD) in items[0][1])


def _walk(items: Sequence[tuple[Any, Any]], strings: set[str], boundary: bool,
          found: _Found, ignorecase: bool) -> tuple[set[str], bool]:
    """Follow ``items`` from the open ``strings`` (``""``: no character yet); closed words
    go to ``found``. Returns the strings still open after the items, and whether a word
    boundary holds before the first character on every way through."""
    for op, value in items:
        if not strings:
            break
        members, least = _single_set(op, value)
        if op is _sre.LITERAL and _WORD_CHAR.match(chr(value)):
            strings = {s + chr(value).lower() for s in strings}
        elif members is not None and _set_holds(members, _NOT_WORD, _NOT_WORD_CATEGORIES):
            # Blanks or punctuation: a word that has begun ends here.
            if "" in strings:
                raise _GiveUp  # the match may open with them
            found.close(strings, exact=True)
            if least:  # unless they may be absent
                strings = set()
        elif (members is not None and least and strings == {""}
              and _set_holds(members, _DIGIT, _DIGIT_CATEGORIES)):
            found.digits = True  # opens with a figure
            strings = set()
        elif op is _sre.AT:
            if value in _WORD_ENDS and strings != {""}:
                found.close(strings, exact=True)
                strings = set()
            elif value is _sre.AT_BOUNDARY:
                boundary = True
            elif not (value in _LINE_STARTS and strings == {""}):
                raise _GiveUp
        elif op is _sre.ASSERT_NOT and strings == {""} and _is_boundary_lookbehind(value):
            boundary = True
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            continue  # a lookaround consumes nothing
        elif op is _sre.SUBPATTERN:
            _, added, removed, inner = value
            case = (ignorecase or bool(added & _sre.SRE_FLAG_IGNORECASE)) and not (
                removed & _sre.SRE_FLAG_IGNORECASE)
            strings, boundary = _walk(inner, strings, boundary, found, case)
        elif op is _sre.BRANCH:
            merged: set[str] = set()
            every = True
            for alternative in value[1]:
                after, crossed = _walk(alternative, set(strings), boundary, found, ignorecase)
                merged |= after
                every = every and crossed
            strings, boundary = merged, every
        elif op in _REPEATS:
            # The opening word is read from the first time through; after it, a word still
            # open may go on in further times through, so it stays open only when there is
            # at most one.
            least, most, body = value
            if most == 0:
                continue
            after, crossed = _walk(body, set(strings), boundary, found, ignorecase)
            if most != 1:
                found.close(after, exact=False)
                after = set()
            if least == 0:
                strings, boundary = strings | after, boundary and crossed
            else:
                strings, boundary = after, crossed
        elif op in _CHARACTERS:
            # Characters not spelled out: a word that has begun may go on with them (so
            # it is a prefix); a match that has not begun opens unknown.
            found.close(strings, exact=False)
            strings = set()
        else:
            raise _GiveUp
        if len(strings) > MAX_WORDS:
            raise _GiveUp
    return strings, boundary


# What a match must hold -------------------------------------------------------------------


@dataclass(frozen=True)
class Required:
    """Text every match of a shape holds one of: ``folded`` pieces in lower case (matched
    without regard to case), ``exact`` ones as written. A page that holds none of them has
    no match, and the shape is not run over it."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]

    def absent_from(self, prose: str, lowered: str) -> bool:
        """Whether neither ``prose`` nor its lower case (``lowered``) holds any piece."""
        return (not any(piece in lowered for piece in self.folded)
                and not any(piece in prose for piece in self.exact))


MAX_PIECES = 64
"""Pieces one requirement may list; beyond it a page check costs more than it saves."""


def required_of(pattern: str) -> Required | None:
    """The text a shape's compiled source requires, or ``None`` when nothing useful is sure
    (a piece the regex engine could match case-insensitively with a character whose lower
    case differs, such as a non-ASCII letter, makes the derivation give up)."""
    try:
        items = _parsed(pattern)
        best = _required(list(items), bool(items.state.flags & _sre.SRE_FLAG_IGNORECASE))
    except (re.error, RecursionError, OverflowError):
        return None
    except Exception:  # a surprise from the parser costs time, never a match
        return None
    if best is None or len(best) > MAX_PIECES:
        return None
    folded = tuple(sorted(piece for piece, case in best if not case))
    exact = tuple(sorted(piece for piece, case in best if case))
    if any(not char.isascii() and char.isalpha() for piece in folded for char in piece):
        return None  # case folding beyond ASCII: left to the regex engine
    return Required(folded, exact)


def folds_into_ascii(prose: str) -> bool:
    """Whether the page holds a character the regex engine, ignoring case, takes for an
    ASCII letter although its lower case is not one (the Kelvin sign, the long s, the
    dotted capital I): then lower case does not show what a pattern may match."""
    if prose.isascii():
        return False
    return any(_folds_into_ascii(char) for char in set(prose) if not char.isascii())


@lru_cache(maxsize=4096)
def _folds_into_ascii(char: str) -> bool:
    return char.isalpha() and not char.lower().isascii() and bool(
        regex.fullmatch("[a-z]", char, regex.IGNORECASE | regex.VERSION0))


_Pieces = frozenset[tuple[str, bool]]
"""Alternatives, one of which a match holds: ``(text, case-sensitive)``."""


def _score(pieces: _Pieces) -> tuple[int, int]:
    return (min(len(text) for text, _ in pieces), -len(pieces))


def _required(items: Sequence[tuple[Any, Any]], ignorecase: bool) -> _Pieces | None:
    """The best requirement of a sequence of items: the one with the longest shortest
    piece, among the literal runs of the sequence and the requirements of its parts."""
    best: _Pieces | None = None
    run: list[str] = []

    def consider(pieces: _Pieces | None) -> None:
        nonlocal best
        if pieces and all(text for text, _ in pieces) and (
                best is None or _score(pieces) > _score(best)):
            best = pieces

    def flush() -> None:
        if run:
            text = "".join(run)
            consider(frozenset({(text.lower(), False) if ignorecase else (text, True)}))
            run.clear()

    for op, value in items:
        if op is _sre.LITERAL and not chr(value).isspace():
            run.append(chr(value))
            continue
        if op is _sre.AT:  # zero width: a run goes on across \b
            continue
        flush()
        if op is _sre.SUBPATTERN:
            _, added, removed, inner = value
            case = (ignorecase or bool(added & _sre.SRE_FLAG_IGNORECASE)) and not (
                removed & _sre.SRE_FLAG_IGNORECASE)
            consider(_required(inner, case))
        elif op is _sre.BRANCH:
            alternatives = [_required(a, ignorecase) for a in value[1]]
            if all(alternatives):
                consider(frozenset().union(*alternatives))  # type: ignore[arg-type]
        elif op in _REPEATS and value[0] >= 1:
            consider(_required(value[2], ignorecase))
        elif op is _sre.IN and 0 < len(value) <= 8 and all(
                member_op is _sre.LITERAL and not chr(member).isspace()
                for member_op, member in value):
            consider(frozenset((chr(member).lower(), False) if ignorecase
                               else (chr(member), True) for _, member in value))
    flush()
    return best


# Where a match can open when no word opens it ----------------------------------------------


@dataclass(frozen=True)
class Openers:
    """Where the matches of a shape with no opening words can open: at one of ``chars``
    (punctuation, symbols or blanks, which no case folding reaches), or, with
    ``line_start``, where a line starts (``(?m)^``: the page's start and after a line feed).
    A page has few such places, and the scanner tries the shape only there."""

    chars: frozenset[str]
    line_start: bool

    @property
    def source(self) -> str:
        """A pattern for the standard engine that matches (empty) at each such place."""
        parts = ["(?m)^"] if self.line_start else []
        if self.chars:
            parts.append("[" + "".join(re.escape(c) for c in sorted(self.chars)) + "]")
        return "|".join(parts)


MAX_OPENERS = 32
"""Characters a shape may open with and still be tried only where they are."""
_UNFOLDED = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "No",
                       "Zs", "Zl", "Zp", "Cc"})
"""Categories of characters that an opener may be: none is a letter or a decimal digit,
so case folding and ``\\d`` leave them alone (a symbol with a case, such as a circled
letter, is refused on its own)."""


def openers_of(pattern: str) -> Openers | None:
    """The :class:`Openers` of a shape's compiled source, or ``None`` when its matches may
    open with a letter, a digit, any character, or an empty match. Only what comes before
    a ``\\K`` is read: the match is tried where it opens, whatever start it reports."""
    head = _before_keep(pattern)
    try:
        items = _parsed(head)
        chars, line_start, empty = _openers(list(items))
    except (_GiveUp, re.error, RecursionError, OverflowError):
        return None
    except Exception:  # a surprise from the parser costs time, never a match
        return None
    if empty or not (chars or line_start) or len(chars) > MAX_OPENERS:
        return None
    return Openers(frozenset(chars), line_start)


def _before_keep(pattern: str) -> str:
    """``pattern`` up to its first ``\\K`` (the engine's "keep": drop what matched so far)."""
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\":
            if pattern.startswith("K", index + 1):
                return pattern[:index]
            index += 2
        else:
            index += 1
    return pattern


def _opener(code: int) -> str:
    char = chr(code)
    if unicodedata.category(char) not in _UNFOLDED or not (
            char.lower() == char == char.upper() == char.casefold()):
        raise _GiveUp
    return char


def _openers(items: Sequence[tuple[Any, Any]]) -> tuple[set[str], bool, bool]:
    """The characters ``items`` can open with, whether they can open at a line start (and
    only there), and whether they can match nothing at all; :class:`_GiveUp` otherwise."""
    chars: set[str] = set()
    line_start = False
    for op, value in items:
        if op is _sre.AT:
            if value in _LINE_STARTS:  # this way through opens where a line starts
                return chars, True, False
            continue  # \b and the like consume nothing
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            continue  # a lookaround consumes nothing
        if op is _sre.LITERAL:
            chars.add(_opener(value))
            return chars, line_start, False
        if op is _sre.IN:
            for member_op, member in value:
                if member_op is _sre.LITERAL:
                    chars.add(_opener(member))
                elif member_op is _sre.RANGE and member[1] - member[0] < MAX_OPENERS:
                    chars.update(_opener(c) for c in range(member[0], member[1] + 1))
                else:
                    raise _GiveUp  # a negated set, a category (\\s, \\w), a wide range
            return chars, line_start, False
        if op is _sre.SUBPATTERN:
            inner_chars, inner_line, empty = _openers(value[3])
        elif op is _sre.BRANCH:
            inner_chars, inner_line, empty = set(), False, False
            for alternative in value[1]:
                more, line, nothing = _openers(alternative)
                inner_chars |= more
                inner_line = inner_line or line
                empty = empty or nothing
        elif op in _REPEATS:
            least, most, body = value
            if most == 0:
                continue
            inner_chars, inner_line, empty = _openers(body)
            empty = empty or least == 0
        else:
            raise _GiveUp  # any character, a category, a back-reference
        chars |= inner_chars
        line_start = line_start or inner_line
        if not empty:
            return chars, line_start, False
    return chars, line_start, True


# Both derivations, for every shape of a run ------------------------------------------------


Openings = tuple[Anchors | None, Required | None, Openers | None]


def openings_of(sources: Sequence[str]) -> list[Openings]:
    """:func:`anchors_of` for each compiled shape source, and :func:`required_of` and
    :func:`openers_of` for each that has no anchors. Read from the cache when these exact
    sources were derived by this build before: parsing every shape took a tenth of
    start-up."""
    from healthlint.cache import Cache, build_digest, key_for

    cache = Cache.open("shapes", version=2)
    key = key_for("openings", build_digest(), list(sources))
    if cache is not None:
        stored = _decoded_openings(cache.get_json(key), len(sources))
        if stored is not None:
            return stored
    found: list[Openings] = []
    for source in sources:
        anchors = anchors_of(source)
        if anchors is None:
            found.append((None, required_of(source), openers_of(source)))
        else:
            found.append((anchors, None, None))
    if cache is not None:
        cache.put_json(key, [[
            None if a is None else [sorted(a.words), list(a.prefixes), a.digits],
            None if r is None else [list(r.folded), list(r.exact)],
            None if o is None else [sorted(o.chars), o.line_start],
        ] for a, r, o in found])
    return found


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _decoded_openings(value: Any, count: int) -> list[Openings] | None:
    """The stored derivations, or ``None`` unless the entry has exactly their shape."""
    if type(value) is not list or len(value) != count:
        return None
    found: list[Openings] = []
    for entry in value:
        if type(entry) is not list or len(entry) != 3:
            return None
        stored_anchors, stored_required, stored_openers = entry
        anchors = required = openers = None
        if stored_anchors is not None:
            if not (type(stored_anchors) is list and len(stored_anchors) == 3
                    and _strings(stored_anchors[0]) and _strings(stored_anchors[1])
                    and type(stored_anchors[2]) is bool):
                return None
            anchors = Anchors(frozenset(stored_anchors[0]), tuple(stored_anchors[1]),
                              stored_anchors[2])
        if stored_required is not None:
            if not (type(stored_required) is list and len(stored_required) == 2
                    and _strings(stored_required[0]) and _strings(stored_required[1])):
                return None
            required = Required(tuple(stored_required[0]), tuple(stored_required[1]))
        if stored_openers is not None:
            if not (type(stored_openers) is list and len(stored_openers) == 2
                    and _strings(stored_openers[0]) and type(stored_openers[1]) is bool
                    and all(len(c) == 1 for c in stored_openers[0])):
                return None
            openers = Openers(frozenset(stored_openers[0]), stored_openers[1])
        found.append((anchors, required, openers))
    return found
