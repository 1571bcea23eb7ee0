"""Term classes: phrase lists kept as data, found in one scan per document.

A term class is a list of phrases ("stem cell[s]", "{relieve|ease}[s|d]",
"reduce[s|d] (the) risk of"). Every phrase of every class goes into one
matcher per run (:class:`TermMatcher`), which reads a normalised view of a
document's prose once, word by word, and yields ``(start, end, class)`` hits with
exact offsets. The
phrase language is deliberately small (see :func:`expand`); regular expressions
remain only for *shapes* that phrases cannot say (figures, identifiers, dates),
and those also run once per document.

Normalisation, applied to phrases and pages alike: lower case; every character
that is not a letter, a digit, ``+``, ``&`` or an apostrophe inside a word
becomes a space; runs of spaces collapse to one. So "Platelet-Rich  Plasma"
and "platelet rich plasma" meet, and a multi-word phrase matches across line
breaks and the blanks left where markup stood. The normalised view has the
length of the source, and the matcher keeps where each word starts, so every hit
maps back to the source exactly.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, compress, groupby, islice
from operator import itemgetter, lt
from pathlib import Path
from typing import Any

from healthlint.errors import RuleError

__all__ = [
    "Hits",
    "TermClass",
    "TermError",
    "TermMatcher",
    "TermSet",
    "expand",
    "normalize_phrase",
    "parse_terms",
    "read_term_file",
    "written_forms",
]

MAX_VARIANTS = 1024
"""Expansions of one phrase line; more is an error (a file cannot explode)."""
MAX_REMEMBERED_RUNS = 1 << 20
"""Runs of words a matcher remembers the lookup of; past this many it starts afresh."""

# The standard library's engine: these simple patterns run for every phrase at start-up,
# where its lower call overhead counts.
_CLASS_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_WORD_CHARS = re.compile(r"[\w'’+&./%-]+\Z")
_SPACE_RUN = re.compile(r" {2,}")
_JOINED_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_HAS_WORD_CHAR = re.compile(r"[^\W_]")
_NOT_WORD = re.compile(r"[^\w+&']")
# A hashtag: "#" and a run of letters and digits that holds several words ("#curesanxiety").
_HASHTAG = re.compile(r"(?<![\w&#])#([^\W_][^\W_]{2,63})")
_DIGITS = re.compile(r"\d+")


class TermError(ValueError):
    """A phrase that does not follow the phrase syntax."""


def lower_keeping_offsets(text: str) -> str:
    """Lower case, character for character (one whose lower case is longer stays)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer ("İ")
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered


def _separator_table() -> dict[int, str]:
    """Separators as one translate table: ASCII and the common Unicode spaces, dashes,
    quotes and bullets become a space; the typographic apostrophe becomes ``'``."""
    table = {i: " " for i in range(128) if not (chr(i).isalnum() or chr(i) in "+&'")}
    for code in (*range(0x80, 0xC0), *range(0x2000, 0x2070), 0x00D7, 0x00F7, 0x2212,
                 0x3000, 0xFEFF, 0x2E3A, 0x2E3B):
        if not chr(code).isalnum():
            table[code] = " "
    table[ord("’")] = "'"
    table[ord("‘")] = " "
    return table


_TABLE = _separator_table()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _blank_separators(text: str) -> str:
    """Lower-cased text with every separator replaced by one space (same length).

    ``str.translate`` handles the separators pages are made of at C speed; other
    non-ASCII characters are looked at once each per page, and apostrophes that are
    quotes rather than part of a word go through a regex.
    """
    blanked = lower_keeping_offsets(text).translate(_TABLE)
    if not blanked.isascii():
        others = {ord(c): " " for c in set(_NON_ASCII.findall(blanked)) if not _is_word_char(c)}
        if others:
            blanked = blanked.translate(others)
    if "'" in blanked:
        blanked = _blank_stray_apostrophes(blanked)
    return blanked


def _blank_stray_apostrophes(text: str) -> str:
    """An apostrophe is part of a word only between two word characters ("don't")."""
    chars: list[str] | None = None
    last = len(text) - 1
    position = text.find("'")
    while position != -1:
        inside = (0 < position < last and text[position - 1] not in " '"
                  and text[position + 1] not in " '")
        if not inside:
            if chars is None:
                chars = list(text)
            chars[position] = " "
        position = text.find("'", position + 1)
    return text if chars is None else "".join(chars)


def normalize_phrase(phrase: str) -> str:
    """The form a phrase (or any text) takes in the matcher: see the module docstring."""
    return _SPACE_RUN.sub(" ", _blank_separators(phrase)).strip()


def _closing(word: str, index: int) -> int:
    """The index of the bracket that closes the one at ``index``."""
    depth = 0
    for position in range(index, len(word)):
        if word[position] in "{[":
            depth += 1
        elif word[position] in "}]":
            depth -= 1
            if depth == 0:
                if (word[index], word[position]) not in (("{", "}"), ("[", "]")):
                    raise TermError(f"mismatched brackets in {word!r}")
                return position
    raise TermError(f"unclosed {word[index]!r} in {word!r}")


def _options(inner: str) -> list[str]:
    """Split alternatives on ``|`` outside nested brackets."""
    options: list[str] = []
    depth = 0
    current: list[str] = []
    for char in inner:
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        if char == "|" and depth == 0:
            options.append("".join(current))
            current = []
        else:
            current.append(char)
    options.append("".join(current))
    return options


def _word_variants(word: str) -> list[str]:
    """Expand ``{a|b}`` alternatives and ``[x|y]`` optional endings inside one word;
    alternatives may hold endings of their own (``{reaction[s]|response[s]}``)."""
    if "{" not in word and "[" not in word:
        if "}" in word or "]" in word:
            raise TermError(f"unmatched bracket in {word!r}")
        return [word]
    results = [""]
    index = 0
    while index < len(word):
        char = word[index]
        if char in "{[":
            end = _closing(word, index)
            options = [variant for option in _options(word[index + 1 : end])
                       for variant in _word_variants(option)]
            if char == "[":
                options = ["", *options]
            results = [r + o for r in results for o in options]
            if len(results) > MAX_VARIANTS:
                raise TermError(f"more than {MAX_VARIANTS} variants")
            index = end + 1
        elif char in "}]":
            raise TermError(f"unmatched {char!r} in {word!r}")
        else:
            results = [r + char for r in results]
            index += 1
    return results


def _split_words(phrase: str) -> list[str]:
    """Split on spaces outside brackets, so ``{high blood|low} pressure`` stays one unit."""
    if not any(c in phrase for c in "{[("):
        return phrase.split()
    words: list[str] = []
    depth = 0
    current: list[str] = []
    for char in phrase:
        if char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        if char == " " and depth == 0:
            if current:
                words.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


def _word_forms(text: str) -> list[str]:
    """The forms of a run of words, before normalisation."""
    forms = [""]
    for word in _split_words(text):
        optional = word.startswith("(") and word.endswith(")")
        if optional:
            inner = word[1:-1]
            # "(the|any)" is short for "({the|any})": optional alternatives.
            variants = (_word_forms("{" + inner + "}") if len(_options(inner)) > 1
                        else _word_forms(inner))
        else:
            if "(" in word or ")" in word:
                raise TermError(f"parentheses mark optional whole words, as in '(the)': {word!r}")
            variants = _word_variants(word)
            for variant in variants:
                if variant and not _WORD_CHARS.match(variant.replace(" ", "")):
                    raise TermError(f"unexpected character in {variant!r}: phrases are words, "
                                    "not regular expressions")
        choices = [*variants, ""] if optional else variants
        forms = [f"{form} {choice}" if form and choice else form or choice
                 for form in forms for choice in choices]
        if len(forms) > MAX_VARIANTS:
            raise TermError(f"more than {MAX_VARIANTS} variants")
    return forms


def written_forms(phrase: str) -> list[str]:
    """The forms of one phrase line as written (case and hyphens kept, not normalised):
    what a lexicon checker compares. Raises :class:`TermError` for a malformed phrase."""
    return _word_forms(phrase.strip())


def expand(phrase: str) -> list[str]:
    """Every concrete form of a phrase line, normalised (see the module docstring)."""
    return list(_expand(phrase))


@lru_cache(maxsize=1 << 16)
def _expand(phrase: str) -> tuple[str, ...]:
    """Every concrete form of a phrase line, normalised (see the module docstring).

    Syntax: words separated by spaces; ``word[s|es]`` optional endings;
    ``{a|b}`` required alternatives (inside a word, or words with spaces);
    ``(word)`` an optional whole word. A hyphen matches a hyphen, a space or
    nothing, so both joined and split forms are produced.
    """
    text = phrase.strip()
    if not text:
        raise TermError("empty phrase")
    forms = _word_forms(text)
    result: list[str] = []
    for form in forms:
        joined = [form]
        if "-" in form:  # "anti-inflammatory" also as "antiinflammatory"
            joined.append(_JOINED_HYPHEN.sub("", form))
        for item in joined:
            normal = normalize_phrase(item)
            if normal and _HAS_WORD_CHAR.search(normal) and normal not in result:
                result.append(normal)
    if not result:
        raise TermError("phrase has no letters or digits")
    return tuple(result)


class TermClass:
    """One named phrase list: ``entries`` are ``(phrase as written, file line,
    case-sensitive)`` with the ``=`` removed, ``includes`` the classes it takes in.

    A class read from a file (:meth:`unread`) keeps the file's text and reads its lines
    when first asked: a run whose matcher comes from the cache never needs them, only the
    text's digest for the cache key.
    """

    __slots__ = ("_read", "_text", "digest", "name", "origin")

    def __init__(self, name: str, entries: Iterable[tuple[str, int, bool]] = (),
                 includes: Iterable[str] = (), description: str = "", origin: str = "") -> None:
        self.name = name
        self.origin = origin
        self._read: tuple[tuple[tuple[str, int, bool], ...], tuple[str, ...], str] | None = (
            tuple(entries), tuple(includes), description)
        self._text = ""
        self.digest = ""
        """Of the text the class was read from; empty for a class made of parsed lines."""

    @classmethod
    def unread(cls, name: str, text: str, origin: str) -> TermClass:
        term_class = cls(name, origin=origin)
        term_class._read = None
        term_class._text = text
        term_class.digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return term_class

    def _lines(self) -> tuple[tuple[tuple[str, int, bool], ...], tuple[str, ...], str]:
        if self._read is None:
            parsed = parse_terms(self._text, self.name, origin=self.origin, validate=False)
            self._read = (parsed.entries, parsed.includes, parsed.description)
            self._text = ""
        return self._read

    @property
    def entries(self) -> tuple[tuple[str, int, bool], ...]:
        return self._lines()[0]

    @property
    def includes(self) -> tuple[str, ...]:
        return self._lines()[1]

    @property
    def description(self) -> str:
        return self._lines()[2]

    def __repr__(self) -> str:
        return f"TermClass({self.name!r}, {len(self.entries)} lines, origin={self.origin!r})"

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(text for text, _, exact in self.entries if not exact)

    @property
    def exact(self) -> tuple[str, ...]:
        """Case-sensitive phrase lines (written with a leading ``=``), without the ``=``."""
        return tuple(text for text, _, exact in self.entries if exact)


def read_term_file(path: Path, name: str | None = None, *, validate: bool = True) -> TermClass:
    """Read one phrase file (``<class>.txt``); syntax errors name the file and line."""
    name = name or path.stem
    if not _CLASS_NAME.match(name):
        raise RuleError(f"term class name {name!r} must be lower case letters, digits and '_'",
                        path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read term file: {exc}", path=str(path)) from None
    if not validate:  # read when first needed (see TermClass)
        return TermClass.unread(name, text, str(path))
    return parse_terms(text, name, origin=str(path), validate=validate)


def parse_terms(text: str, name: str, *, origin: str = "<terms>",
                first_line: int = 1, validate: bool = True) -> TermClass:
    """Read phrase lines. With ``validate`` every phrase is expanded at once, so an error
    names its line now; without, expansion (and its errors, still with file and line) waits
    until the class is resolved, which a cached matcher never needs."""
    entries: list[tuple[str, int, bool]] = []
    includes: list[str] = []
    description: list[str] = []
    leading = True
    for number, raw in enumerate(text.splitlines(), first_line):
        line = raw.strip()
        if not line:
            leading = leading and not entries
            continue
        if line.startswith("#"):
            if leading:
                description.append(line.lstrip("#").strip())
            continue
        leading = False
        if line.startswith("@"):
            target = line[1:].strip()
            if not _CLASS_NAME.match(target):
                raise RuleError(f"'{line}' does not name a term class", path=origin, line=number)
            includes.append(target)
            continue
        phrase = line.lstrip("=")
        if validate:
            _checked_expand(phrase, origin, number)
        entries.append((phrase, number, line.startswith("=")))
    return TermClass(name, tuple(entries), tuple(includes), " ".join(description), origin)


def _checked_expand(phrase: str, origin: str, line: int) -> tuple[str, ...]:
    try:
        return _expand(phrase)
    except TermError as exc:
        raise RuleError(f"phrase {phrase!r}: {exc}", path=origin, line=line) from None


@dataclass
class TermSet:
    """Every term class of a run, by name; a class defined again extends the earlier one."""

    classes: dict[str, TermClass] = field(default_factory=dict)

    def add(self, term_class: TermClass, *, replace: bool = False) -> None:
        old = self.classes.get(term_class.name)
        if old is None or replace:
            self.classes[term_class.name] = term_class
            return
        self.classes[term_class.name] = TermClass(
            term_class.name,
            old.entries + term_class.entries,
            old.includes + term_class.includes,
            old.description or term_class.description,
            old.origin,
        )

    def add_phrases(self, name: str, phrases: Iterable[str], *, origin: str) -> None:
        self.add(parse_terms("\n".join(phrases), name, origin=origin, first_line=1))

    def __contains__(self, name: object) -> bool:
        return name in self.classes

    def resolve(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """All normalised forms of a class, includes followed (cycles are errors):
        ``(case-insensitive forms, case-sensitive phrases)``."""
        forms: set[str] = set()
        exact: set[str] = set()
        done: set[str] = set()

        def visit(current: str, stack: tuple[str, ...]) -> None:
            if current in stack:
                raise RuleError("term classes include each other: "
                                + " -> ".join((*stack, current)))
            if current in done:
                return
            term_class = self.classes.get(current)
            if term_class is None:
                raise RuleError(f"unknown term class {current!r}"
                                + (f" (included by {stack[-1]!r})" if stack else ""))
            done.add(current)
            for phrase, line, case_sensitive in term_class.entries:
                expanded = _checked_expand(phrase, term_class.origin, line)
                if case_sensitive:
                    exact.update(_exact_forms(phrase))
                else:
                    forms.update(expanded)
            for included in term_class.includes:
                visit(included, (*stack, current))

        visit(name, ())
        return frozenset(forms), frozenset(exact)

    def fingerprint(self) -> str:
        """A digest of every class: of the text of a class read from a file and not yet
        needed, of the parsed lines of any other."""
        digest = hashlib.sha256()
        for name in sorted(self.classes):
            c = self.classes[name]
            if c.digest:
                digest.update(repr((name, "text", c.digest)).encode())
            else:
                digest.update(repr((name, c.entries, c.includes)).encode())
        return digest.hexdigest()


def _exact_forms(phrase: str) -> list[str]:
    """Case-sensitive forms: expanded like other phrases but keeping their case."""
    return [" ".join(f.split()) for f in _word_forms(phrase) if f.strip()]


class Hits:
    """Where each term class occurs in one document: parallel arrays sorted by start.

    Offsets, never copies of text: ``starts[i]``, ``ends[i]`` and ``classes[i]``
    (an index into :attr:`names`) describe hit ``i``. Each class also keeps the starts
    and ends of its own hits (held compactly, the starts alone), so a range query is two
    bisections, not a walk.
    """

    __slots__ = ("_by_class", "_class_ends", "_class_starts", "classes", "ends", "names",
                 "starts")

    def __init__(self, names: Sequence[str], found: Iterable[tuple[int, int, int]]) -> None:
        ordered = sorted(found)
        self.names = names
        # Column by column and class by class with C-level calls: a page has thousands of
        # hits, and a loop over them in Python cost more than sorting them.
        starts = list(map(itemgetter(0), ordered))
        ends = list(map(itemgetter(1), ordered))
        classes = list(map(itemgetter(2), ordered))
        self.starts = array("l", starts)
        self.ends = array("l", ends)
        self.classes = array("l", classes)
        self._by_class: dict[int, array[int]] = {}
        self._class_starts: dict[int, array[int]] = {}
        self._class_ends: dict[int, array[int]] = {}
        by_class = sorted(range(len(classes)), key=classes.__getitem__)  # stable: in order
        for class_id, group in groupby(by_class, key=classes.__getitem__):
            members = list(group)
            self._by_class[class_id] = array("l", members)
            self._class_starts[class_id] = array("l", [starts[i] for i in members])
            self._class_ends[class_id] = array("l", [ends[i] for i in members])

    @classmethod
    def compact(cls, names: Sequence[str], found: Iterable[tuple[int, int, int]]) -> Hits:
        """The same hits, for a huge page: never all held as tuples of Python integers at
        once (about 150 bytes a hit), but each packed into one machine integer and sorted
        in buckets of starts. Slower per hit in Python; the memory stays a few bytes a hit:
        32-bit offsets (a packed start is below 2**31) and 16-bit class ids, and each class
        keeps the indices and starts of its hits but not their ends (read from ``ends``),
        18 bytes a hit in all."""
        buckets: dict[int, array[int]] = {}
        spill: list[tuple[int, int, int]] = []
        for start, end, class_id in found:
            length = end - start
            if 0 <= length < 1 << 20 and 0 <= class_id < 1 << 12 and 0 <= start < 1 << 31:
                bucket = buckets.get(start >> 16)
                if bucket is None:
                    bucket = buckets[start >> 16] = array("q")
                # Ordered as the tuples are: by start, then end (start + length), then class.
                bucket.append(start << 32 | length << 12 | class_id)
            else:
                spill.append((start, end, class_id))
        if spill:  # out of the packed range (not a page healthlint reads): the plain way
            return cls(names, [*spill, *((k >> 32, (k >> 32) + (k >> 12 & 0xFFFFF), k & 0xFFF)
                                         for bucket in buckets.values() for k in bucket)])
        hits = cls.__new__(cls)
        hits.names = names
        hits.starts, hits.ends, hits.classes = array("I"), array("I"), array("H")
        hits._by_class, hits._class_starts, hits._class_ends = {}, {}, {}
        index = 0
        for key in sorted(buckets):
            for packed in sorted(buckets.pop(key)):
                start = packed >> 32
                class_id = packed & 0xFFF
                hits.starts.append(start)
                hits.ends.append(start + (packed >> 12 & 0xFFFFF))
                hits.classes.append(class_id)
                members = hits._by_class.get(class_id)
                if members is None:
                    members = hits._by_class[class_id] = array("I")
                    hits._class_starts[class_id] = array("I")
                members.append(index)
                hits._class_starts[class_id].append(start)
                index += 1
        return hits

    def __len__(self) -> int:
        return len(self.starts)

    def of(self, class_id: int) -> array[int]:
        """Indices of the hits of one class, in order of start."""
        return self._by_class.get(class_id, _EMPTY)

    def in_range(self, class_id: int, start: int, end: int) -> list[int]:
        """Indices of the hits of ``class_id`` that lie inside ``[start, end)``, in order."""
        starts = self._class_starts.get(class_id)
        if starts is None:
            return []
        low = bisect.bisect_left(starts, start)
        high = bisect.bisect_left(starts, end, low)
        if low == high:
            return []
        indices = self._by_class[class_id]
        ends = self._class_ends.get(class_id)
        if ends is None:  # held compactly: a hit's end is read from the page-wide ends
            page = self.ends
            return [indices[k] for k in range(low, high) if page[indices[k]] <= end]
        return [indices[k] for k in range(low, high) if ends[k] <= end]

    def any_in(self, class_id: int, start: int, end: int) -> bool:
        starts = self._class_starts.get(class_id)
        if starts is None:
            return False
        low = bisect.bisect_left(starts, start)
        high = bisect.bisect_left(starts, end, low)
        if low == high:
            return False
        ends = self._class_ends.get(class_id)
        if ends is None:
            page, indices = self.ends, self._by_class[class_id]
            return any(page[indices[k]] <= end for k in range(low, high))
        return any(ends[k] <= end for k in range(low, high))

    def count(self, class_id: int) -> int:
        return len(self.of(class_id))


_EMPTY: array[int] = array("l")


_Value = tuple[tuple[int, ...], tuple[tuple[str, tuple[int, ...]], ...]]
"""Per phrase form: its classes, and its case-sensitive phrases with theirs."""


def _decoded_names(data: object) -> tuple[str, ...] | None:
    if type(data) is not list or not all(type(n) is str for n in data) or (
            len(set(data)) != len(data)):
        return None
    return tuple(data)


def _ids_fit(ids: Sequence[object], classes: int) -> bool:
    numbers = [i for i in ids if type(i) is int]
    return len(numbers) == len(ids) and (not numbers or (
        min(numbers) >= 0 and max(numbers) < classes))


_HEADER_KEYS = frozenset({"names", "count", "ids", "exact", "first", "itemsize",
                          "byteorder"})


def _decoded_exact(data: object, count: int, classes: int
                   ) -> dict[int, tuple[tuple[str, tuple[int, ...]], ...]] | None:
    """The case-sensitive phrases by value index, or ``None`` if any entry is malformed."""
    if type(data) is not dict:
        return None
    exact: dict[int, tuple[tuple[str, tuple[int, ...]], ...]] = {}
    for key, pairs in data.items():
        if not key.isdigit() or int(key) >= count or type(pairs) is not list:
            return None
        if not all(type(p) is list and len(p) == 2 and type(p[0]) is str
                   and type(p[1]) is list and _ids_fit(p[1], classes) for p in pairs):
            return None
        exact[int(key)] = tuple((p[0], tuple(p[1])) for p in pairs)
    return exact


class DamagedMatcher(Exception):
    """A matcher read from the cache holds a value that cannot be right (found when a page
    first meets the form): the caller compiles the matcher again."""


class _PackedValues:
    """The :data:`_Value` of each form, read from packed arrays (a cached matcher):
    ``values[i]`` gives the same tuple the compiler built.

    Each value is checked when it is first asked for, not all 66,000 of them at every start
    (checking every class id took a fifth of loading the matcher, every offset a quarter):
    its place in the class ids must lie inside them and not end before it starts, and its
    class ids must name classes that exist, else :class:`DamagedMatcher`."""

    __slots__ = ("_classes", "_exact", "_flat", "_memo", "_offsets")

    def __init__(self, offsets: array[int], flat: array[int],
                 exact: Mapping[int, tuple[tuple[str, tuple[int, ...]], ...]],
                 classes: int) -> None:
        if not offsets or offsets[0] != 0 or offsets[-1] != len(flat):
            raise ValueError("packed matcher values do not fit together")
        self._offsets, self._flat, self._exact = offsets, flat, exact
        self._classes = classes
        self._memo: dict[int, _Value] = {}

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> _Value:
        value = self._memo.get(index)
        if value is None:
            start, end = self._offsets[index], self._offsets[index + 1]
            if not 0 <= start <= end <= len(self._flat):
                raise DamagedMatcher(f"form {index} has its class ids out of place")
            ids = tuple(self._flat[start:end])
            if ids and (min(ids) < 0 or max(ids) >= self._classes):
                raise DamagedMatcher(f"form {index} names a class that does not exist")
            value = self._memo[index] = (ids, self._exact.get(index, ()))
        return value


class TermMatcher:
    """Every phrase of every class of a run, found in one pass over a page.

    Phrases and pages meet in the normalised view (see the module docstring), where a
    phrase is a run of whole words. So the matcher keeps the forms sorted, with the set
    of words that open one: one pass over a page's words asks the set at each word, and
    only where a form may start does it look the run of words up in the sorted forms
    (one binary search, remembered for the next page) and grow the run while a longer
    form opens with it. That finds exactly what a multi-pattern automaton over the
    space-delimited forms finds, and it loads from the cache as plain strings and
    integer arrays, without building a table of every form at every start.
    """

    def __init__(self, terms: TermSet, names: Sequence[str] | None = None) -> None:
        self.names: tuple[str, ...] = tuple(sorted(terms.classes) if names is None else names)
        self.ids = {name: index for index, name in enumerate(self.names)}
        payloads: dict[str, set[int]] = {}
        exact: dict[str, dict[str, set[int]]] = {}
        for index, name in enumerate(self.names):
            forms, exact_forms = terms.resolve(name)
            for form in forms:
                payloads.setdefault(form, set()).add(index)
            for phrase in exact_forms:
                key = normalize_phrase(phrase)
                exact.setdefault(key, {}).setdefault(phrase, set()).add(index)
        keys = sorted((set(payloads) | set(exact)) - {""})
        self._set_forms(keys, {key.partition(" ")[0] for key in keys}, [
            (tuple(sorted(payloads.get(key, ()))),
             tuple((p, tuple(sorted(ids))) for p, ids in sorted(exact.get(key, {}).items())))
            for key in keys])

    def _set_forms(self, forms: list[str], first: Iterable[str],
                   values: list[_Value] | _PackedValues) -> None:
        """``forms`` sorted and distinct, the words that open them, and each form's value."""
        self._forms = forms
        self._first = frozenset(first)
        self._values = values
        self.size = len(forms)
        # What each run of words met so far is (see _step): a matcher's tables of 60,000
        # forms took a tenth of start-up to build, and a page meets a few hundred runs.
        self._steps: dict[str, tuple[int, bool]] = {}

    def _step(self, run: str) -> tuple[int, bool]:
        """The index of the form ``run`` (-1 if it is none), and whether a longer form opens
        with it: one binary search of the sorted forms, remembered for the next page (the
        caller looks in ``_steps`` first). Forms hold no character that sorts before the
        space, so a form that goes on from ``run`` is, if there is one, the first after
        ``run`` in order."""
        forms = self._forms
        at = bisect.bisect_left(forms, run)
        found = at if at < len(forms) and forms[at] == run else -1
        after = at + 1 if found >= 0 else at
        step = (found, after < len(forms) and forms[after].startswith(run + " "))
        if len(self._steps) >= MAX_REMEMBERED_RUNS:
            self._steps.clear()
        self._steps[run] = step
        return step

    @cached_property
    def _words(self) -> frozenset[str]:
        """Every word of every phrase: the dictionary that splits a hashtag into words."""
        return frozenset(word for form in self._forms for word in form.split()
                         if len(word) > 1 or word.isdigit())

    @cached_property
    def _longest_word(self) -> int:
        return max((len(w) for w in self._words), default=0)

    def to_bytes(self) -> bytes:
        """The compiled matcher, for the on-disk cache: a JSON header (class names, the
        rare case-sensitive phrases), each form's class ids as packed integer arrays
        (decoding 64,000 small JSON lists costs more than the rest together), then the
        forms, sorted, one per line, after the words that open them (see :meth:`_forms_in`);
        the header says how many bytes those words take."""
        offsets = array("i", [0])
        flat = array("i")
        exact: dict[str, Any] = {}
        for index in range(self.size):
            class_ids, exact_ids = self._values[index]
            flat.extend(class_ids)
            offsets.append(len(flat))
            if exact_ids:
                exact[str(index)] = exact_ids
        first = "\n".join(sorted(self._first)).encode()
        header = json.dumps({"names": self.names, "count": self.size, "ids": len(flat),
                             "exact": exact, "first": len(first),
                             "itemsize": offsets.itemsize,
                             "byteorder": sys.byteorder}).encode()
        return (b"%d\n" % len(header) + header + offsets.tobytes() + flat.tobytes()
                + first + "\n".join(self._forms).encode())

    @classmethod
    def from_bytes(cls, data: bytes) -> TermMatcher | None:
        """A matcher from :meth:`to_bytes`, or ``None`` unless ``data`` has its shape:
        names that are distinct strings, offsets that run from 0 to the number of class ids,
        every case-sensitive phrase's class among the names, and as many non-empty forms as
        values, sorted and distinct. Each form's offsets and class ids are checked when a
        page first meets the form (:class:`DamagedMatcher`). A checksum only says the entry
        is intact; these checks say that scanning with it can neither fail unnoticed nor
        report a class that does not exist."""
        try:
            length, _, rest = data.partition(b"\n")
            if not length.isdigit():
                return None
            header = json.loads(rest[: int(length)])
            if type(header) is not dict or set(header) != _HEADER_KEYS:
                return None
            names = _decoded_names(header["names"])
            count, total = header["count"], header["ids"]
            if (names is None or type(count) is not int or type(total) is not int
                    or count < 0 or total < 0 or header["itemsize"] != array("i").itemsize
                    or header["byteorder"] != sys.byteorder):
                return None
            exact = _decoded_exact(header["exact"], count, len(names))
            first_size = header["first"]
            if exact is None or type(first_size) is not int or first_size < 0:
                return None
            position = int(length)
            arrays = []
            for size in (count + 1, total):
                packed = array("i")
                stop = position + size * packed.itemsize
                if stop > len(rest):
                    return None
                packed.frombytes(rest[position:stop])
                arrays.append(packed)
                position = stop
            offsets, ids = arrays  # each form's place in the ids: _PackedValues checks them
            first = rest[position:position + first_size].decode().split("\n")
            position += first_size
            forms = rest[position:].decode().split("\n") if count else []
            if (len(forms) != count or not all(forms)
                    or not all(map(lt, forms, islice(forms, 1, None)))):
                return None
            matcher = cls.__new__(cls)
            matcher.names = names
            matcher.ids = {name: index for index, name in enumerate(names)}
            matcher._set_forms(forms, first, _PackedValues(offsets, ids, exact, len(names)))
        except Exception:  # a damaged entry, in any way, is compiled again
            return None
        return matcher

    def scan(self, prose: str, start: int = 0, end: int | None = None,
             chunk: int = 1 << 18) -> Iterator[tuple[int, int, int]]:
        """``(start, end, class id)`` for every phrase in ``prose[start:end]``.

        The text is scanned in pieces of about ``chunk`` characters cut at
        whitespace, so memory stays proportional to the piece, not the page.
        """
        end = len(prose) if end is None else end
        if not self.size:
            return
        position = start
        while position < end:
            stop = min(end, position + chunk)
            if stop < end:  # cut at a line break (or any space) so no phrase is split
                cut = prose.rfind("\n", position + chunk // 2, stop)
                if cut == -1:
                    cut = prose.rfind(" ", position + chunk // 2, stop)
                stop = cut + 1 if cut != -1 else stop
            yield from self._scan_piece(prose, position, stop)
            position = stop

    def _forms_in(self, words: Sequence[str]) -> Iterator[tuple[int, int, int]]:
        """``(first word, last word, value index)`` of every form in a run of words: from
        each word that opens a form, the run grows a word at a time while it still opens a
        longer one (a walk down the word trie of the sorted forms)."""
        steps = self._steps
        step = self._step
        count = len(words)
        for position in compress(range(count), map(self._first.__contains__, words)):
            run = words[position]
            last = position
            while True:
                found, longer = steps.get(run) or step(run)
                if found >= 0:
                    yield position, last, found
                last += 1
                if last == count or not longer:
                    break
                run = f"{run} {words[last]}"

    def _scan_piece(self, prose: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        # The piece split at single spaces: runs of spaces leave empty parts, so part
        # ``k`` starts at ``offsets[k] + k`` (the lengths of the parts before it, and one
        # space after each); the words are the non-empty parts. Everything but the test
        # at each word runs in C.
        parts = _blank_separators(prose[start:end]).split(" ")
        kept = list(compress(range(len(parts)), parts))
        words = [parts[k] for k in kept]
        offsets: list[int] | None = None
        values = self._values
        for first, last, value_index in self._forms_in(words):
            if offsets is None:
                offsets = list(accumulate(map(len, parts), initial=0))
            source_start = start + offsets[kept[first]] + kept[first]
            last_part = kept[last]
            source_end = start + offsets[last_part] + last_part + len(parts[last_part])
            class_ids, exact = values[value_index]
            for class_id in class_ids:
                yield source_start, source_end, class_id
            if exact:
                written = " ".join(_NOT_WORD.sub(" ", prose[source_start:source_end]).split())
                for phrase, ids in exact:
                    if written == " ".join(_NOT_WORD.sub(" ", phrase).split()):
                        for class_id in ids:
                            yield source_start, source_end, class_id

        yield from self._scan_hashtags(prose, start, end)

    def _scan_hashtags(self, prose: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        """Hits inside hashtags that run several words together ("#CBDcuresanxiety",
        "#reversediabetes"): each hashtag is split into the lexicon's own words (the split
        with the fewest unknown letters, then the fewest words) and the words are matched
        like prose, with offsets inside the hashtag."""
        if "#" not in prose[start:end]:
            return
        values = self._values
        for match in _HASHTAG.finditer(prose, start, end):
            body_start = match.start(1)
            pieces = self.split_hashtag(match.group(1).lower())
            if len(pieces) < 2:
                continue  # one word: the ordinary scan has found it
            words = [match.group(1)[i:j].lower() for i, j in pieces]
            for first, last, value_index in self._forms_in(words):
                source_start = body_start + pieces[first][0]
                source_end = body_start + pieces[last][1]
                class_ids, exact = values[value_index]
                for class_id in class_ids:
                    yield source_start, source_end, class_id
                for phrase, ids in exact:
                    if prose[source_start:source_end] == phrase.replace(" ", ""):
                        yield from ((source_start, source_end, class_id) for class_id in ids)

    def split_hashtag(self, body: str) -> list[tuple[int, int]]:
        """The best split of a lower-case hashtag body into lexicon words, as spans; runs
        of letters the lexicon does not know stay together as one piece."""
        n = len(body)
        words = self._words
        longest = self._longest_word
        # best[i]: (unknown letters, pieces) for body[:i], and where the last piece starts
        best: list[tuple[int, int, int, bool]] = [(0, 0, 0, True)] + [(n + 1, n + 1, 0, False)] * n
        for i in range(n):
            unknown, count, _, _ = best[i]
            if unknown > n:
                continue
            digits = _DIGITS.match(body, i)
            candidates = [digits.end()] if digits else []
            candidates += [j for j in range(i + 2, min(n, i + longest) + 1) if body[i:j] in words]
            for j in candidates:
                if (unknown, count + 1) < best[j][:2]:
                    best[j] = (unknown, count + 1, i, True)
            if (unknown + 1, count + 1) < best[i + 1][:2]:
                best[i + 1] = (unknown + 1, count + 1, i, False)
        pieces: list[tuple[int, int, bool]] = []
        position = n
        while position > 0:
            _, _, previous, known = best[position]
            if not known and pieces and not pieces[-1][2]:  # unknown letters stay together
                pieces[-1] = (previous, pieces[-1][1], False)
            else:
                pieces.append((previous, position, known))
            position = previous
        return [(i, j) for i, j, _ in reversed(pieces)]

    def hits(self, prose: str) -> Hits:
        return Hits(self.names, self.scan(prose))

    def class_id(self, name: str) -> int:
        return self.ids[name]


def class_names(hits: Hits, ids: Iterable[int]) -> list[str]:
    return [hits.names[i] for i in ids]


def describe(terms: TermSet) -> Mapping[str, int]:
    """Phrase forms per class, for ``healthlint terms`` and benchmarks."""
    return {name: len(terms.resolve(name)[0]) for name in sorted(terms.classes)}
