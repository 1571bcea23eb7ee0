"""Term classes: phrase lists kept as data, found in one scan per document.

A term class is a list of phrases ("stem cell[s]", "{relieve|ease}[s|d]",
"reduce[s|d] (the) risk of"). Every phrase of every class goes into one
Aho-Corasick automaton per run, which scans a normalised view of a document's
prose once and yields ``(start, end, class)`` hits with exact offsets. The
phrase language is deliberately small (see :func:`expand`); regular expressions
remain only for *shapes* that phrases cannot say (figures, identifiers, dates),
and those also run once per document.

Normalisation, applied to phrases and pages alike: lower case; every character
that is not a letter, a digit, ``+``, ``&`` or an apostrophe inside a word
becomes a space; runs of spaces collapse to one. So "Platelet-Rich  Plasma"
and "platelet rich plasma" meet, and a multi-word phrase matches across line
breaks and the blanks left where markup stood. Matching on the collapsed view
keeps a table of where spaces were removed, so every hit maps back to the
source exactly.
"""

from __future__ import annotations

import bisect
import hashlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

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
]

MAX_VARIANTS = 1024
"""Expansions of one phrase line; more is an error (a file cannot explode)."""

_CLASS_NAME = regex.compile(r"[a-z][a-z0-9_]*\Z")
_WORD_CHARS = regex.compile(r"[\w'’+&./%-]+\Z")
# Characters kept in the normalised view besides letters and digits.
_KEEP = "+&'"
_SEPARATORS = regex.compile(r"[^\w+&']|_|(?<!\w)'|'(?!\w)")
# A hashtag: "#" and a run of letters and digits that holds several words ("#curesanxiety").
_HASHTAG = regex.compile(r"(?<![\w&#])#([^\W_][^\W_]{2,63})")
_DIGITS = regex.compile(r"\d+")
_SPACE_RUN = regex.compile(r" {2,}")


class TermError(ValueError):
    """A phrase that does not follow the phrase syntax."""


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer ("İ")
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered


def _blank_separators(text: str) -> str:
    """Lower-cased text with every separator replaced by one space (same length)."""
    return _SEPARATORS.sub(" ", _lower(text).replace("’", "'"))


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


def expand(phrase: str) -> list[str]:
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
            joined.append(regex.sub(r"(?<=\w)-(?=\w)", "", form))
        for item in joined:
            normal = normalize_phrase(item)
            if normal and regex.search(r"[^\W_]", normal) and normal not in result:
                result.append(normal)
    if not result:
        raise TermError("phrase has no letters or digits")
    return result


@dataclass(frozen=True)
class TermClass:
    """One named phrase list."""

    name: str
    phrases: tuple[str, ...]
    """The phrase lines as written (``@other`` includes resolved by :class:`TermSet`)."""
    includes: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    """Case-sensitive phrase lines (written with a leading ``=``), without the ``=``."""
    description: str = ""
    origin: str = ""
    lines: tuple[int, ...] = ()
    """The file line of each phrase, for error messages."""


def read_term_file(path: Path, name: str | None = None) -> TermClass:
    """Read one phrase file (``<class>.txt``); syntax errors name the file and line."""
    name = name or path.stem
    if not _CLASS_NAME.match(name):
        raise RuleError(f"term class name {name!r} must be lower case letters, digits and '_'",
                        path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read term file: {exc}", path=str(path)) from None
    return parse_terms(text, name, origin=str(path))


def parse_terms(text: str, name: str, *, origin: str = "<terms>",
                first_line: int = 1) -> TermClass:
    phrases: list[str] = []
    exact: list[str] = []
    includes: list[str] = []
    lines: list[int] = []
    description: list[str] = []
    leading = True
    for number, raw in enumerate(text.splitlines(), first_line):
        line = raw.strip()
        if not line:
            leading = leading and not phrases
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
        try:
            expand(line.lstrip("="))
        except TermError as exc:
            raise RuleError(f"phrase {line!r}: {exc}", path=origin, line=number) from None
        (exact if line.startswith("=") else phrases).append(line.lstrip("="))
        lines.append(number)
    return TermClass(name, tuple(phrases), tuple(includes), tuple(exact),
                     " ".join(description), origin, tuple(lines))


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
            old.phrases + term_class.phrases,
            old.includes + term_class.includes,
            old.exact + term_class.exact,
            old.description or term_class.description,
            old.origin,
            old.lines + term_class.lines,
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
            for phrase in term_class.phrases:
                forms.update(expand(phrase))
            for phrase in term_class.exact:
                for form in _exact_forms(phrase):
                    exact.add(form)
            for included in term_class.includes:
                visit(included, (*stack, current))

        visit(name, ())
        return frozenset(forms), frozenset(exact)

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.classes):
            c = self.classes[name]
            digest.update(repr((name, c.phrases, c.includes, c.exact)).encode())
        return digest.hexdigest()


def _exact_forms(phrase: str) -> list[str]:
    """Case-sensitive forms: expanded like other phrases but keeping their case."""
    return [" ".join(f.split()) for f in _word_forms(phrase) if f.strip()]


class Hits:
    """Where each term class occurs in one document: parallel arrays sorted by start.

    Offsets, never copies of text: ``starts[i]``, ``ends[i]`` and ``classes[i]``
    (an index into :attr:`names`) describe hit ``i``.
    """

    __slots__ = ("_by_class", "classes", "ends", "names", "starts")

    def __init__(self, names: Sequence[str], found: Iterable[tuple[int, int, int]]) -> None:
        ordered = sorted(found)
        self.names = names
        self.starts = array("l", (h[0] for h in ordered))
        self.ends = array("l", (h[1] for h in ordered))
        self.classes = array("l", (h[2] for h in ordered))
        by_class: dict[int, array[int]] = {}
        for index, class_id in enumerate(self.classes):
            by_class.setdefault(class_id, array("l")).append(index)
        self._by_class = by_class

    def __len__(self) -> int:
        return len(self.starts)

    def of(self, class_id: int) -> array[int]:
        """Indices of the hits of one class, in order of start."""
        return self._by_class.get(class_id, _EMPTY)

    def in_range(self, class_id: int, start: int, end: int) -> Iterator[int]:
        """Indices of the hits of ``class_id`` that lie inside ``[start, end)``."""
        indices = self.of(class_id)
        if not indices:
            return
        starts = self.starts
        low, high = 0, len(indices)
        while low < high:  # first hit starting at or after ``start``
            mid = (low + high) // 2
            if starts[indices[mid]] < start:
                low = mid + 1
            else:
                high = mid
        ends = self.ends
        for position in range(low, len(indices)):
            index = indices[position]
            if starts[index] >= end:
                break
            if ends[index] <= end:
                yield index

    def any_in(self, class_id: int, start: int, end: int) -> bool:
        return next(self.in_range(class_id, start, end), None) is not None

    def count(self, class_id: int) -> int:
        return len(self.of(class_id))


_EMPTY: array[int] = array("l")


class TermMatcher:
    """One automaton over every phrase of every class of a run."""

    def __init__(self, terms: TermSet, names: Sequence[str] | None = None) -> None:
        import ahocorasick

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
        automaton = ahocorasick.Automaton()
        self._values: list[tuple[int, tuple[int, ...], tuple[tuple[str, tuple[int, ...]], ...]]] = []
        for key in sorted(set(payloads) | set(exact)):
            value = (len(key), tuple(sorted(payloads.get(key, ()))),
                     tuple((p, tuple(sorted(ids))) for p, ids in sorted(exact.get(key, {}).items())))
            automaton.add_word(f" {key} ", len(self._values))
            self._values.append(value)
        if self._values:
            automaton.make_automaton()
        self._automaton = automaton
        self.size = len(self._values)
        # Every word of every phrase: the dictionary that splits a hashtag into words.
        self._words = frozenset(word for key in (*payloads, *exact) for word in key.split()
                                if len(word) > 1 or word.isdigit())
        self._longest_word = max((len(w) for w in self._words), default=0)

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

    def _scan_piece(self, prose: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        blanked = _blank_separators(prose[start:end])
        # Collapse each run of spaces to one. ``marks[i]`` is the offset in the collapsed
        # text just after the i-th shortened run; from there on, ``shifts[i]`` characters
        # have been dropped, so offset o maps back to o + shift.
        marks: list[int] = []
        shifts: list[int] = []
        pieces: list[str] = []
        last = dropped = 0
        for match in _SPACE_RUN.finditer(blanked):
            run_start, run_end = match.span()
            pieces.append(blanked[last : run_start + 1])
            marks.append(run_start - dropped + 1)
            dropped += run_end - run_start - 1
            shifts.append(dropped)
            last = run_end
        pieces.append(blanked[last:])
        padded = " " + "".join(pieces) + " "

        def source_offset(offset: int) -> int:
            index = bisect.bisect_right(marks, offset) - 1
            return start + offset + (shifts[index] if index >= 0 else 0)

        values = self._values
        for key_last, value_index in self._automaton.iter(padded):
            length, class_ids, exact = values[value_index]
            # The key is " form "; ``key_last`` is its trailing space in ``padded``, so the
            # form covers [key_last - length - 1, key_last - 1) of the unpadded text.
            form_start = key_last - length - 1
            source_start = source_offset(form_start)
            source_end = source_offset(key_last - 2) + 1
            for class_id in class_ids:
                yield source_start, source_end, class_id
            if exact:
                written = " ".join(regex.sub(r"[^\w+&']", " ",
                                             prose[source_start:source_end]).split())
                for phrase, ids in exact:
                    if written == " ".join(regex.sub(r"[^\w+&']", " ", phrase).split()):
                        for class_id in ids:
                            yield source_start, source_end, class_id

        yield from self._scan_hashtags(prose, start, end)

    def _scan_hashtags(self, prose: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        """Hits inside hashtags that run several words together ("#CBDcuresanxiety",
        "#reversediabetes"): each hashtag is split into the lexicon's own words (the split
        with the fewest unknown letters, then the fewest words) and the split text is
        scanned like prose, with offsets inside the hashtag."""
        if "#" not in prose[start:end]:
            return
        for match in _HASHTAG.finditer(prose, start, end):
            body_start = match.start(1)
            pieces = self.split_hashtag(match.group(1).lower())
            if len(pieces) < 2:
                continue  # one word: the ordinary scan has found it
            text = " " + " ".join(match.group(1)[i:j].lower() for i, j in pieces) + " "
            # source offset of each character of ``text`` (spaces map to the next letter)
            offsets: list[int] = [body_start]
            for i, j in pieces:
                offsets.extend(body_start + k for k in range(i, j))
                offsets.append(body_start + j)
            values = self._values
            for key_last, value_index in self._automaton.iter(text):
                length, class_ids, exact = values[value_index]
                first = key_last - length  # index in ``text`` of the form's first letter
                source_start = offsets[first]
                source_end = offsets[key_last - 1] + 1
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
