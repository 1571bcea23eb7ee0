"""A strict reader of term-class phrase files (the engine-2 lexicon language).

One phrase a line; ``#`` comments; ``@class`` includes; ``=`` case-sensitive phrases;
``word[a|b]`` optional endings; ``x{a|b}y`` required alternatives; ``(word)`` an optional
whole word. Characters allowed in words: letters, digits and ``' ’ - + . & /``. A line
may expand to at most 256 variants, and every variant must hold a letter or a digit.

The scripts in this folder (the condition-lexicon generator and the lexicon checker)
use this module; it needs only the standard library, so it runs before healthlint is
installed. Every error names the file, the line and the reason.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_VARIANTS = 256
CLASS_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
WORD_PUNCTUATION = frozenset("'’-+.&/")


class LexiconError(ValueError):
    """A phrase file that breaks the syntax; the message names file and line."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Phrase:
    """One phrase line and what it expands to."""

    source: str
    line: int
    case_sensitive: bool
    variants: tuple[str, ...]


@dataclass
class TermFile:
    """One parsed phrase file."""

    name: str
    path: str
    description: str
    phrases: list[Phrase] = field(default_factory=list)
    includes: list[tuple[str, int]] = field(default_factory=list)


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in WORD_PUNCTUATION


def _alternatives(body: str, kind: str, where: tuple[str, int]) -> list[str]:
    """The alternatives of a ``{...}`` or ``[...]`` group, each checked."""
    options = body.split("|")
    for option in options:
        if option == "":
            raise LexiconError(*where, f"empty alternative in {kind} group")
        bad = [ch for ch in option if not _word_char(ch)]
        if bad:
            raise LexiconError(*where, f"character {bad[0]!r} is not allowed in a word")
    return options


def _expand_word(token: str, where: tuple[str, int]) -> list[str]:
    """Every spelling one word stands for (braces and an ending group)."""
    parts: list[list[str]] = []
    i = 0
    literal = ""
    while i < len(token):
        ch = token[i]
        if ch == "{":
            close = token.find("}", i + 1)
            if close < 0:
                raise LexiconError(*where, f"unclosed '{{' in {token!r}")
            body = token[i + 1 : close]
            if "{" in body or "[" in body or "(" in body:
                raise LexiconError(*where, f"groups do not nest: {token!r}")
            if literal:
                parts.append([literal])
                literal = ""
            parts.append(_alternatives(body, "{...}", where))
            i = close + 1
        elif ch == "[":
            close = token.find("]", i + 1)
            if close < 0:
                raise LexiconError(*where, f"unclosed '[' in {token!r}")
            if close != len(token) - 1:
                raise LexiconError(*where, f"an ending group must end the word: {token!r}")
            body = token[i + 1 : close]
            if "{" in body or "[" in body or "(" in body:
                raise LexiconError(*where, f"groups do not nest: {token!r}")
            if literal:
                parts.append([literal])
                literal = ""
            if not parts:
                raise LexiconError(*where, f"an ending group needs a word before it: {token!r}")
            parts.append(["", *_alternatives(body, "[...]", where)])
            i = close + 1
        elif ch in "}]":
            raise LexiconError(*where, f"unmatched {ch!r} in {token!r}")
        elif ch in "()":
            raise LexiconError(*where, f"'(' and ')' only wrap a whole word: {token!r}")
        elif _word_char(ch):
            literal += ch
            i += 1
        else:
            raise LexiconError(*where, f"character {ch!r} is not allowed in a word")
    if literal:
        parts.append([literal])
    return ["".join(p) for p in itertools.product(*parts)]


def expand(text: str, where: tuple[str, int] = ("<phrase>", 0)) -> list[str]:
    """All variants of one phrase (without its ``=`` mark), in a stable order."""
    if text != text.strip():
        raise LexiconError(*where, "leading or trailing whitespace")
    if "  " in text or "\t" in text:
        raise LexiconError(*where, "words must be separated by single spaces")
    slots: list[list[str]] = []
    total = 1
    for token in text.split(" "):
        optional = token.startswith("(")
        if optional:
            if not token.endswith(")") or len(token) < 3:
                raise LexiconError(*where, f"'(' and ')' only wrap a whole word: {token!r}")
            token = token[1:-1]
        spellings = _expand_word(token, where)
        slot = [*spellings, ""] if optional else spellings
        total *= len(slot)
        if total > MAX_VARIANTS:
            raise LexiconError(*where, f"expands to more than {MAX_VARIANTS} variants")
        slots.append(slot)
    if all("" in slot for slot in slots):
        raise LexiconError(*where, "every word is optional")
    variants: list[str] = []
    seen: set[str] = set()
    for combo in itertools.product(*slots):
        variant = " ".join(w for w in combo if w)
        if not any(ch.isalnum() for ch in variant):
            raise LexiconError(*where, f"variant {variant!r} holds no letter or digit")
        if variant not in seen:
            seen.add(variant)
            variants.append(variant)
    return variants


def parse_lines(lines: Iterable[str], name: str, path: str) -> TermFile:
    """Parse one phrase file's lines; the first error raises :class:`LexiconError`."""
    result = TermFile(name=name, path=path, description="")
    description: list[str] = []
    in_header = True
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n").rstrip("\r")
        where = (path, number)
        stripped = line.strip()
        if not stripped:
            if description:
                in_header = False
            continue
        if stripped.startswith("#"):
            if in_header:
                description.append(stripped[1:].strip())
            continue
        in_header = False
        if line.startswith("@"):
            target = line[1:]
            if not CLASS_NAME.match(target):
                raise LexiconError(*where, f"include needs a class name [a-z][a-z0-9_]*: {line!r}")
            result.includes.append((target, number))
            continue
        case_sensitive = line.startswith("=")
        body = line[1:] if case_sensitive else line
        if not body:
            raise LexiconError(*where, "'=' with no phrase")
        result.phrases.append(Phrase(line, number, case_sensitive, tuple(expand(body, where))))
    result.description = "\n".join(description).strip()
    return result


def parse_file(path: Path) -> TermFile:
    """Parse ``path``; its class name is the file stem."""
    if not CLASS_NAME.match(path.stem):
        raise LexiconError(str(path), 0, f"class name {path.stem!r} is not [a-z][a-z0-9_]*")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LexiconError(str(path), 0, f"not UTF-8 ({exc.reason})") from exc
    return parse_lines(text.splitlines(), path.stem, str(path))


def resolve(files: dict[str, TermFile], name: str) -> list[tuple[Phrase, str]]:
    """Every phrase of class ``name`` with the class each came from, includes followed."""
    out: list[tuple[Phrase, str]] = []

    def visit(current: str, stack: tuple[str, ...]) -> None:
        term_file = files[current]
        out.extend((phrase, current) for phrase in term_file.phrases)
        for target, number in term_file.includes:
            if target in stack:
                raise LexiconError(term_file.path, number, f"include cycle: {' -> '.join((*stack, target))}")
            if target not in files:
                raise LexiconError(term_file.path, number, f"unknown class @{target}")
            visit(target, (*stack, target))

    visit(name, (name,))
    return out


def surfaces(variant: str, case_sensitive: bool) -> Iterator[str]:
    """Texts a variant matches, for overlap checks: case folded unless ``=``, ``’`` as
    ``'``, and each hyphen as hyphen, space or nothing (at most 4 hyphens spread out)."""
    text = variant.replace("’", "'")
    if not case_sensitive:
        text = text.lower()
    pieces = text.split("-")
    if len(pieces) > 5:
        yield text
        return
    for joins in itertools.product(("-", " ", ""), repeat=len(pieces) - 1):
        yield pieces[0] + "".join(j + p for j, p in zip(joins, pieces[1:], strict=True))
