"""Key patterns that say which fields of structured content are published.

A pattern is a dotted path of keys: ``title`` (a top-level key), ``hero.*`` (every
field of ``hero``), ``faqs[].answer`` (the ``answer`` of each item of ``faqs``),
``**.description`` (a ``description`` at any depth). ``*`` and ``?`` match inside
one key, ``**`` matches any number of keys, and list items are transparent:
``faqs[].answer`` and ``faqs.answer`` are the same pattern. A field is published
when its path, or the path of a mapping above it, matches a pattern, so
``hero`` publishes every string under ``hero``. Keys compare case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

PATTERN_SYNTAX = (
    r"^(?:\*\*|[^.\[\]\s]+)(?:\[[0-9*]*\])?(?:\.(?:\*\*|[^.\[\]\s]+)(?:\[[0-9*]*\])?)*$"
)
"""What a key pattern may look like (also in the configuration schema)."""

_SEPARATOR = "\x1f"
_LIST_MARK = re.compile(r"\[[0-9*]*\]")


def _segment(segment: str) -> str:
    if segment == "**":
        return f"(?:{_SEPARATOR}[^{_SEPARATOR}]*)*"
    parts = (
        f"[^{_SEPARATOR}]*"
        if char == "*"
        else f"[^{_SEPARATOR}]"
        if char == "?"
        else re.escape(char)
        for char in segment.lower()
    )
    return _SEPARATOR + "".join(parts)


class FieldMatcher:
    """Decides whether a field path is published under a set of key patterns."""

    __slots__ = ("_cache", "_regex", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        alternatives = [
            "".join(_segment(part) for part in _LIST_MARK.sub("", pattern).split("."))
            for pattern in self.patterns
            if re.match(PATTERN_SYNTAX, pattern)
        ]
        self._regex = (
            re.compile(f"(?:{'|'.join(alternatives)})(?:{_SEPARATOR}.*)?", re.DOTALL)
            if alternatives
            else None
        )
        self._cache: dict[tuple[str, ...], bool] = {}

    def publishes(self, path: Iterable[str | int]) -> bool:
        """Whether the field at ``path`` (keys and list indices) is published."""
        keys = tuple(part for part in path if isinstance(part, str))
        cached = self._cache.get(keys)
        if cached is None:
            joined = "".join(_SEPARATOR + key.lower() for key in keys)
            cached = self._regex is not None and self._regex.fullmatch(joined) is not None
            self._cache[keys] = cached
        return cached


@lru_cache(maxsize=32)
def field_matcher(patterns: tuple[str, ...]) -> FieldMatcher:
    """A matcher for ``patterns``, built once per distinct set."""
    return FieldMatcher(patterns)
