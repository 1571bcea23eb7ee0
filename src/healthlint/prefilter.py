"""The combined scan: one pass over a document finds every rule's candidate sentences.

Each rule's trigger patterns are analysed once, at start-up, for *anchors*:
sets of literal strings such that every match contains one string of each set
("treat" for ``\\btreat(?:s|ed)?\\b``; "surgery" or "drugs", and "useless" or
"worthless", for a pattern that needs both). All anchors of
all rules are folded into one trie-shaped regular expression and run over the
lower-cased prose once; a rule then checks only the sentences where one of its
own anchors occur, all of its sets within the sentence. A pattern whose anchors cannot be derived (an unbounded
character class, syntax only the ``regex`` module knows) leaves its rule
unanchored, and that rule checks every sentence: slower, never wrong.

Both ``re`` and ``regex`` try every branch of a large alternation at every
position (about 3-5 MB/s here); the trie shape lets them fail after one
character almost everywhere, which is what makes a single combined pass cheap.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from healthlint.cache import Cache, build_digest


def _standard_parser() -> tuple[Any, Any] | None:
    """The standard library's regular-expression parser and its constants: private modules
    that moved once (``sre_parse`` became ``re._parser`` in 3.11) and may move again.
    Without them every pattern is unanchored: slower, never wrong."""
    for constants, parser in (("re._constants", "re._parser"), ("sre_constants", "sre_parse")):
        try:
            return importlib.import_module(constants), importlib.import_module(parser)
        except ImportError:
            continue
    return None  # pragma: no cover - a Python without either


_PARSER = _standard_parser()
_c, _sre_parse = _PARSER if _PARSER is not None else (None, None)

MIN_ANCHOR = 3
"""Anchors shorter than this find too much to be worth it; such a pattern is unanchored."""

Anchors = tuple[frozenset[str], ...] | None
_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")


def _selectivity(option: frozenset[str]) -> tuple[int, int]:
    """Longer shortest string first, then fewer strings; a rare symbol counts as long."""
    return (min(MIN_ANCHOR + 3 if a in SELECTIVE_SYMBOLS else len(a) for a in option), -len(option))


SELECTIVE_SYMBOLS = frozenset("%$€£¢#@©®™")
"""Single characters rare enough in prose to anchor on ("%" for an outcome rate)."""


def _usable(option: frozenset[str] | None) -> bool:
    return bool(option) and all(  # type: ignore[union-attr]
        len(anchor) >= MIN_ANCHOR or (len(anchor) == 1 and anchor in SELECTIVE_SYMBOLS)
        for anchor in option  # type: ignore[union-attr]
    )


def _sequence(items: Any) -> list[frozenset[str]]:
    """Anchor sets that a match of this sequence must *all* satisfy (one string of each)."""
    required: list[frozenset[str]] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            run = frozenset(["".join(literal)])
            if _usable(run):
                required.append(run)
            literal.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            literal.append(chr(arg).lower())
            continue
        flush()
        if op is _c.SUBPATTERN:
            required.extend(_sequence(arg[-1]))
        elif op is _c.BRANCH:
            union = _branch(arg[1])
            if union is not None:
                required.append(union)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, body = arg
            if low >= 1:
                required.extend(_sequence(body))
    flush()
    return required


def _branch(alternatives: Any) -> frozenset[str] | None:
    """One anchor set for an alternation: the best set of every branch, joined."""
    union: set[str] = set()
    for alternative in alternatives:
        options = _sequence(alternative)
        if not options:
            return None
        union |= max(options, key=_selectivity)
    return frozenset(union)


MAX_SETS = 3
"""A trigger's candidate test uses at most this many anchor sets, the most selective."""


def anchors_for(pattern: str) -> Anchors:
    """Anchor sets (lower case) such that every match of ``pattern`` contains one string of
    each set, or ``None`` when no set can be derived."""
    # Unicode properties are ``regex`` syntax; any character class is an equally good break.
    pattern = _PROPERTY.sub(r"\\w", pattern)
    if _sre_parse is None:  # pragma: no cover - a Python without either parser
        return None
    try:
        parsed = _sre_parse.parse(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, ValueError):
        return None
    required = sorted(set(_sequence(list(parsed))), key=_selectivity, reverse=True)[:MAX_SETS]
    return tuple(required) or None


_CACHE_FORMAT = 2


def anchors_for_all(patterns: Sequence[str]) -> dict[str, Anchors]:
    """:func:`anchors_for` of many patterns, remembered between runs in the verified cache
    (:mod:`healthlint.cache`).

    Deriving anchors parses every trigger's syntax tree, the largest part of start-up. The
    entry is keyed by the patterns, and a stored value is used only if it has exactly the
    shape this function writes; anything else is discarded and derived again.
    """
    unique = sorted(set(patterns))
    cache = Cache.open("anchors", version=_CACHE_FORMAT)
    key = Cache.key_for(build_digest(), *unique)
    if cache is not None:
        found = _decoded(cache.get_json(key), unique)
        if found is not None:
            return found
        cache.discard(key)
    found = {p: anchors_for(p) for p in unique}
    if cache is not None:
        cache.put_json(key, [_encoded(found[p]) for p in unique])
    return found


def _encoded(anchors: Anchors) -> list[list[str]] | None:
    return [sorted(option) for option in anchors] if anchors else None


def _decoded(stored: Any, patterns: Sequence[str]) -> dict[str, Anchors] | None:
    """The anchors of ``patterns`` from a cache value, or ``None`` unless every entry is
    ``null`` or a list of anchor sets that :func:`anchors_for` could have produced."""
    if not isinstance(stored, list) or len(stored) != len(patterns):
        return None
    found: dict[str, Anchors] = {}
    for pattern, sets in zip(patterns, stored, strict=True):
        if sets is None:
            found[pattern] = None
            continue
        if not isinstance(sets, list) or not 0 < len(sets) <= MAX_SETS:
            return None
        anchors: list[frozenset[str]] = []
        for anchor_set in sets:
            if not isinstance(anchor_set, list) or not all(
                    isinstance(a, str) and a == a.lower() for a in anchor_set):
                return None
            option = frozenset(anchor_set)
            if not _usable(option):
                return None
            anchors.append(option)
        found[pattern] = tuple(anchors)
    return found


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
SetKey = tuple[str, int, int]
"""A rule code, a trigger index and the index of one of the trigger's anchor sets."""


class Prefilter:
    """Finds, for each rule trigger, the offsets where one of its anchors occurs."""

    def __init__(self, trigger_anchors: Mapping[Key, Anchors]) -> None:
        self.unanchored = frozenset(key for key, anchors in trigger_anchors.items()
                                    if anchors is None)
        self.sets = {key: len(anchors) for key, anchors in trigger_anchors.items() if anchors}
        self._owners: dict[str, list[SetKey]] = {}
        for (code, trigger), anchors in trigger_anchors.items():
            for index, anchor_set in enumerate(anchors or ()):
                for anchor in anchor_set:
                    self._owners.setdefault(anchor, []).append((code, trigger, index))
        words = sorted(self._owners)
        # A zero-width lookahead finds anchors that start inside another anchor's match
        # ("liminat" inside "eliminate"); the trie shape keeps every position cheap.
        self._scan = re.compile(f"(?=({_trie_regex(words)}))") if words else None
        # The trie matches the longest anchor at a position; shorter anchors that are its
        # prefixes must be credited too.
        known = set(words)
        self._prefixes = {w: [w[:i] for i in range(1, len(w)) if w[:i] in known] for w in words}

    def hits(self, prose: str) -> dict[SetKey, list[int]]:
        """Offsets of anchor hits in ``prose``, by rule trigger and anchor set."""
        result: dict[SetKey, list[int]] = {}
        if self._scan is None:
            return result
        lowered = prose.lower()
        if len(lowered) != len(prose):  # a rare character whose lower case is longer
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in prose)
        owners = self._owners
        prefixes = self._prefixes
        for match in self._scan.finditer(lowered):
            word = match.group(1)
            start = match.start()
            for anchor in (word, *prefixes[word]):
                for key in owners[anchor]:
                    result.setdefault(key, []).append(start)
        return result
