"""The combined scan: one pass over a document finds every rule's candidate sentences.

Each rule's trigger patterns are analysed once, at start-up, for *anchors*:
literal strings of which every match must contain at least one ("treat" for
``\\btreat(?:s|ed)?\\b``, "safe" or "risk" for a safety pattern). All anchors of
all rules are folded into one trie-shaped regular expression and run over the
lower-cased prose once; a rule then checks only the sentences where one of its
own anchors occurs. A pattern whose anchors cannot be derived (an unbounded
character class, syntax only the ``regex`` module knows) leaves its rule
unanchored, and that rule checks every sentence: slower, never wrong.

Both ``re`` and ``regex`` try every branch of a large alternation at every
position (about 3-5 MB/s here); the trie shape lets them fail after one
character almost everywhere, which is what makes a single combined pass cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

MIN_ANCHOR = 3
"""Anchors shorter than this find too much to be worth it; such a pattern is unanchored."""

Anchors = frozenset[str] | None
_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")


def _best(options: Iterable[frozenset[str]]) -> Anchors:
    """The most selective anchor set: longest shortest string, then fewest strings."""
    best: frozenset[str] | None = None
    for option in options:
        if not option or min(map(len, option)) < MIN_ANCHOR:
            continue
        if best is None or (min(map(len, option)), -len(option)) > (min(map(len, best)), -len(best)):
            best = option
    return best


def _sequence(items: Any) -> Anchors:
    runs: list[frozenset[str]] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            runs.append(frozenset(["".join(literal)]))
            literal.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            literal.append(chr(arg).lower())
            continue
        flush()
        if op is _c.SUBPATTERN:
            found = _sequence(arg[-1])
        elif op is _c.BRANCH:
            found = _branch(arg[1])
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, body = arg
            found = _sequence(body) if low >= 1 else None
        elif op is _c.IN and len(arg) <= 2 and all(o is _c.LITERAL for o, _ in arg):
            # A tiny class such as [sS] or [-–]: a break, but its members may be anchors too.
            found = None
        else:
            found = None
        if found:
            runs.append(found)
    flush()
    return _best(runs)


def _branch(alternatives: Any) -> Anchors:
    union: set[str] = set()
    for alternative in alternatives:
        found = _sequence(alternative)
        if found is None:
            return None
        union |= found
    return frozenset(union)


def anchors_for(pattern: str) -> Anchors:
    """Literal strings (lower case) at least one of which every match of ``pattern`` contains,
    or ``None`` when no such set can be derived."""
    # Unicode properties are ``regex`` syntax; any character class is an equally good break.
    pattern = _PROPERTY.sub(r"\\w", pattern)
    try:
        parsed = _sre_parse.parse(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, ValueError):
        return None
    return _sequence(list(parsed))


def _trie_regex(words: Iterable[str]) -> str:
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


Key = tuple[str, int]
"""A rule code and the index of one of its triggers."""


class Prefilter:
    """Finds, for each rule trigger, the offsets where one of its anchors occurs."""

    def __init__(self, trigger_anchors: Mapping[Key, Anchors]) -> None:
        self.unanchored = frozenset(key for key, anchors in trigger_anchors.items()
                                    if anchors is None)
        self._owners: dict[str, list[Key]] = {}
        for key, anchors in trigger_anchors.items():
            for anchor in anchors or ():
                self._owners.setdefault(anchor, []).append(key)
        words = sorted(self._owners)
        self._scan = re.compile(_trie_regex(words)) if words else None
        # The trie matches the longest anchor at a position; shorter anchors that are its
        # prefixes must be credited too.
        self._prefixes = {w: [p for p in words if w.startswith(p) and p != w] for w in words}

    def hits(self, prose: str) -> dict[Key, list[int]]:
        """Offsets of anchor hits in ``prose``, by rule trigger."""
        result: dict[Key, list[int]] = {}
        if self._scan is None:
            return result
        lowered = prose.lower()
        if len(lowered) != len(prose):  # a rare character whose lower case is longer
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in prose)
        owners = self._owners
        prefixes = self._prefixes
        for match in self._scan.finditer(lowered):
            word = match.group()
            start = match.start()
            for anchor in (word, *prefixes[word]):
                for key in owners[anchor]:
                    result.setdefault(key, []).append(start)
        return result
