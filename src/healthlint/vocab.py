"""Vocabularies and the pattern language rules are written in.

A vocabulary is a named list of terms (hedges, boosters, biologic products,
condition names, ...). Terms and rule patterns are regular expressions for the
``regex`` module, matched case-insensitively on a document's prose view, with
two conveniences:

* a literal space matches any whitespace run (prose views keep line breaks,
  no-break spaces and the blanks left where markup stood);
* ``{@name}`` stands for the vocabulary ``name`` as a non-capturing group of its
  terms, longest first.

Vocabulary files hold a ``vocabularies`` mapping from name to
``{description, terms}``. A name defined again adds its terms to the earlier
list, so a user's file extends the shipped vocabularies; ``replace: true``
starts the list afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from healthlint.errors import RuleError

FLAGS = regex.IGNORECASE | regex.VERSION0
PLACEHOLDER = regex.compile(r"\{@([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_EXPANSION = 1_000_000
"""The longest pattern a vocabulary may expand to, in characters. The shipped ones stay
under 10,000; nesting that doubles at each level reaches this within twenty levels."""
MAX_NESTING = 100
"""How deep ``{@name}`` references may nest."""


def _too_long(stack: tuple[str, ...]) -> str:
    where = " -> ".join(f"{{@{name}}}" for name in stack) or "the pattern"
    return f"{where} expands to more than {MAX_EXPANSION:,} characters"


def _spaces_to_whitespace_runs(source: str) -> str:
    """Replace literal spaces outside character classes with ``\\s+``."""
    out: list[str] = []
    in_class = escaped = False
    index = 0
    while index < len(source):
        char = source[index]
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif in_class:
            out.append(char)
            if char == "]":
                in_class = False
        elif char == "[":
            out.append(char)
            in_class = True
            # A "]" right after "[" or "[^" is a literal member of the class.
            if source[index + 1 : index + 2] == "^":
                out.append("^")
                index += 1
            if source[index + 1 : index + 2] == "]":
                out.append("]")
                index += 1
        elif char == " ":
            while index + 1 < len(source) and source[index + 1] == " ":
                index += 1
            following = source[index + 1 : index + 2]
            if following in ("?", "*"):  # " ?" and " *": optional whitespace
                out.append(r"\s*")
                index += 1
            elif following == "+":
                out.append(r"\s+")
                index += 1
            elif following == "{":  # " {0,2}": the quantifier applies to one whitespace char
                out.append(r"\s")
            else:
                out.append(r"\s+")
        else:
            out.append(char)
        index += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def _compile(source: str) -> regex.Pattern[str]:
    return regex.compile(source, FLAGS)


class LazyPattern:
    """A pattern compiled on first use. Shipped packs hold a few hundred patterns and a
    small file needs only those whose anchors it contains, so compiling them all at start-up
    would dominate a pre-commit run. ``pattern`` is available without compiling."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, source: str) -> None:
        self.pattern = source
        self._compiled: regex.Pattern[str] | None = None

    @property
    def compiled(self) -> regex.Pattern[str]:
        if self._compiled is None:
            self._compiled = _compile(self.pattern)
        return self._compiled

    @property
    def flags(self) -> int:
        return FLAGS

    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled.search(*args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled.finditer(*args, **kwargs)

    def match(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled.match(*args, **kwargs)


@dataclass
class Vocabulary:
    """Every vocabulary of a run, by name."""

    terms: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    eager: bool = True
    """Compile patterns at once, so a broken one is reported with its rule file and line.
    The loader turns it off for trusted (shipped, tested) packs."""
    _lazy: dict[str, LazyPattern] = field(default_factory=dict, repr=False)
    _groups: dict[str, str] = field(default_factory=dict, repr=False)
    """Expanded ``{@name}`` groups, cleared whenever a vocabulary changes."""

    def add(self, name: str, terms: Iterable[str], *, origin: str, description: str = "",
            replace: bool = False) -> None:
        current = [] if replace else self.terms.get(name, [])
        seen = set(current)
        current = current + [t for t in terms if t not in seen]
        self.terms[name] = current
        if description or name not in self.descriptions:
            self.descriptions[name] = description
        self.origins[name] = origin  # the last file that added terms
        self._groups.clear()

    def expand(self, source: str) -> str:
        """``source`` with every ``{@name}`` replaced and spaces made flexible.

        Raises ``ValueError`` for an unknown or self-referencing vocabulary, and for an
        expansion longer than ``MAX_EXPANSION`` characters.
        """
        return _spaces_to_whitespace_runs(self._substitute(source, ()))

    def _substitute(self, source: str, stack: tuple[str, ...]) -> str:
        """``source`` with its ``{@name}`` references replaced by their groups."""
        pieces: list[str] = []
        size = 0
        position = 0
        for match in PLACEHOLDER.finditer(source):
            group = self._group(match.group(1), stack)
            pieces += (source[position : match.start()], group)
            size += match.start() - position + len(group)
            position = match.end()
            if size > MAX_EXPANSION:
                raise ValueError(_too_long(stack))
        pieces.append(source[position:])
        return "".join(pieces)

    def _group(self, name: str, stack: tuple[str, ...]) -> str:
        """The alternation group ``{@name}`` stands for, expanded once and remembered: a
        vocabulary used by many others is not expanded again for each use, so nested
        vocabularies cost time linear in their expansion, not exponential in their depth."""
        cached = self._groups.get(name)
        if cached is not None:
            return cached
        if name not in self.terms:
            known = ", ".join(sorted(self.terms)) or "none"
            raise ValueError(f"unknown vocabulary {{@{name}}} (known: {known})")
        if name in stack:
            raise ValueError(f"vocabulary {name!r} refers to itself")
        if len(stack) >= MAX_NESTING:
            raise ValueError(f"vocabularies nest more than {MAX_NESTING} levels deep at {name!r}")
        inner = (*stack, name)
        parts = sorted((self._substitute(term, inner) for term in self.terms[name]),
                       key=len, reverse=True)
        group = "(?:" + "|".join(parts) + ")"
        if len(group) > MAX_EXPANSION:
            raise ValueError(_too_long(inner))
        self._groups[name] = group
        return group

    def compile(self, source: str) -> Any:
        """Expand and compile a pattern; ``ValueError`` carries the regex engine's message.

        Returns a ``regex`` pattern, or a :class:`LazyPattern` with the same search methods
        when :attr:`eager` is off."""
        expanded = self.expand(source)
        if not self.eager:
            lazy = self._lazy.get(expanded)
            if lazy is None:
                lazy = self._lazy[expanded] = LazyPattern(expanded)
            return lazy
        try:
            return _compile(expanded)
        except regex.error as exc:
            raise ValueError(f"invalid regex {source!r}: {exc}") from None

    def load_mapping(self, data: Any, origin: str) -> None:
        """Add the vocabularies of one parsed vocabulary file."""
        if not isinstance(data, Mapping) or not isinstance(data.get("vocabularies"), Mapping):
            raise RuleError("a vocabulary file needs a 'vocabularies' mapping", path=origin)
        for name, entry in data["vocabularies"].items():
            if not isinstance(name, str) or not regex.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise RuleError(f"vocabulary name {name!r} is not an identifier", path=origin)
            if not isinstance(entry, Mapping) or not isinstance(entry.get("terms"), list):
                raise RuleError(f"vocabulary {name!r} needs a 'terms' list", path=origin)
            unknown = set(entry) - {"description", "terms", "replace"}
            if unknown:
                raise RuleError(
                    f"vocabulary {name!r} has unknown keys: {', '.join(sorted(unknown))} "
                    "(allowed: description, terms, replace)",
                    path=origin,
                )
            terms = entry["terms"]
            bad = [t for t in terms if not isinstance(t, str) or not t.strip()]
            if bad:
                raise RuleError(f"vocabulary {name!r} has a term that is not text: {bad[0]!r}",
                                path=origin)
            self.add(name, terms, origin=origin, description=str(entry.get("description", "")),
                     replace=bool(entry.get("replace", False)))

    def validate(self, trusted_origins: frozenset[str] = frozenset()) -> None:
        """Compile every vocabulary that has a term from outside ``trusted_origins`` once, so a
        broken term is reported with its file."""
        for name in self.terms:
            if self.origins.get(name) in trusted_origins:
                continue
            try:
                self.compile("{@" + name + "}")
            except ValueError as exc:
                raise RuleError(f"vocabulary {name!r}: {exc}", path=self.origins.get(name)) from None
