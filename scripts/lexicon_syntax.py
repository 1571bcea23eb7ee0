"""A strict reader of term-class phrase files (the engine-2 lexicon language).

One phrase a line; ``#`` comments; ``@class`` includes; ``=`` case-sensitive phrases.
Each phrase is expanded by the engine itself (:mod:`healthlint.terms`), so this reader
cannot drift from what the matcher accepts; on top it keeps the layout rules of a
shipped file (single spaces, no empty alternative, no line of optional words only).

The scripts in this folder (the condition-lexicon generator and the lexicon checker)
use this module. Every error names the file, the line and the reason.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

try:
    from healthlint.terms import TermError, written_forms
except ImportError:  # run from a checkout without an install
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from healthlint.terms import TermError, written_forms

CLASS_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
RIGHT_QUOTE = "\u2019"
_EMPTY_ALTERNATIVE = re.compile(r"[{\[(]\||\|\||\|[}\])]|\{\}|\[\]")


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


def expand(text: str, where: tuple[str, int] = ("<phrase>", 0)) -> list[str]:
    """All variants of one phrase (without its ``=`` mark), in a stable order.

    The language is the engine's own (:func:`healthlint.terms.written_forms`); this
    reader adds the layout rules a shipped file keeps: single spaces, no empty
    alternative, no line made only of optional words."""
    if text != text.strip():
        raise LexiconError(*where, "leading or trailing whitespace")
    if "  " in text or "\t" in text:
        raise LexiconError(*where, "words must be separated by single spaces")
    if _EMPTY_ALTERNATIVE.search(text):
        raise LexiconError(*where, "empty alternative in a group")
    try:
        forms = written_forms(text)
    except TermError as exc:
        raise LexiconError(*where, str(exc)) from None
    variants: list[str] = []
    for form in forms:
        if not form:
            raise LexiconError(*where, "every word is optional")
        if not any(ch.isalnum() for ch in form):
            raise LexiconError(*where, f"variant {form!r} holds no letter or digit")
        if form not in variants:
            variants.append(form)
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
                cycle = " -> ".join((*stack, target))
                raise LexiconError(term_file.path, number, f"include cycle: {cycle}")
            if target not in files:
                raise LexiconError(term_file.path, number, f"unknown class @{target}")
            visit(target, (*stack, target))

    visit(name, (name,))
    return out


def surfaces(variant: str, case_sensitive: bool) -> Iterator[str]:
    """Texts a variant matches, for overlap checks: case folded unless ``=``, a right
    single quote as ``'``, and each hyphen as hyphen, space or nothing (at most 4 hyphens
    spread out)."""
    text = variant.replace(RIGHT_QUOTE, "'")
    if not case_sensitive:
        text = text.lower()
    pieces = text.split("-")
    if len(pieces) > 5:
        yield text
        return
    for joins in itertools.product(("-", " ", ""), repeat=len(pieces) - 1):
        yield pieces[0] + "".join(j + p for j, p in zip(joins, pieces[1:], strict=True))
