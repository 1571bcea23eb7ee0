"""Compiled patterns kept between runs.

The ``regex`` module parses and compiles a pattern in Python: about a millisecond for a
shape, and a run over one page needs some forty shapes and twenty patterns of healthlint's
own, a seventh of its start-up. A compiled pattern pickles as the arguments of the
engine's C constructor (``regex`` registers that with :mod:`copyreg`); building a pattern
from them again takes a few microseconds and does not parse the source.

:func:`compiled` keeps those arguments in the cache (:mod:`healthlint.cache`), one entry per
list of sources, keyed by the sources, the flags, and the ``regex`` and Python builds.
The payload is :mod:`marshal` data, read back only if it holds nothing but strings,
integers, bytes, ``None``, lists, tuples and dictionaries; a pattern whose stored
arguments name another source, or that the constructor refuses, is compiled from its
source. A torn or altered entry fails the cache's checksum and is compiled again; what
keeps out a planted one is what keeps out any planted entry, a cache folder that only its
owner may write.
"""

from __future__ import annotations

import copyreg
import marshal
import sys
from collections.abc import Callable, Sequence
from typing import Any

import regex

__all__ = ["compile", "compiled"]

_PLAIN = (str, int, bytes, type(None))
_Reduce = Callable[[regex.Pattern[str]], tuple[Callable[..., regex.Pattern[str]], tuple[Any, ...]]]


def compile(source: str, flags: int = 0) -> regex.Pattern[str]:
    """``regex.compile(source, flags)``, read back from the cache when this ``regex`` compiled
    ``source`` before: for the patterns healthlint's modules compile as they load."""
    return compiled([source], flags)[0] or regex.compile(source, flags)


def compiled(sources: Sequence[str], flags: int) -> list[regex.Pattern[str] | None]:
    """Each of ``sources`` compiled with ``flags``, or ``None`` where it is left to the
    caller: one that does not compile (the caller's own compile reports the error), and
    all of them when the cache is off or ``regex`` no longer pickles patterns this way.

    From the cache when this build compiled these sources before; otherwise every source
    is compiled now and the arguments are stored."""
    from healthlint.cache import Cache, key_for

    reduce: _Reduce | None = copyreg.dispatch_table.get(regex.Pattern)  # type: ignore[assignment]
    cache = Cache.open("patterns", version=1) if reduce is not None else None
    if cache is None or reduce is None:
        return [None] * len(sources)
    key = key_for("patterns", regex.__version__, regex.DEFAULT_VERSION, sys.version,
                  sys.byteorder, flags, list(sources))
    payload = cache.get(key)
    if payload is not None:
        restored = _restored(payload, sources, reduce)
        if restored is not None:
            return restored
        cache.discard(key)
    patterns: list[regex.Pattern[str] | None] = []
    stored: list[tuple[Any, ...] | None] = []
    for source in sources:
        try:
            pattern = regex.compile(source, flags)
        except (regex.error, ValueError, OverflowError, RecursionError):
            pattern = None
        patterns.append(pattern)
        stored.append(None if pattern is None else tuple(reduce(pattern)[1]))
    cache.put(key, marshal.dumps(stored))
    return patterns


def _restored(payload: bytes, sources: Sequence[str],
              reduce: _Reduce) -> list[regex.Pattern[str] | None] | None:
    """The patterns of a stored entry, or ``None`` unless it has exactly their shape."""
    try:
        stored = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if type(stored) is not list or len(stored) != len(sources) or not _plain(stored):
        return None
    constructor = reduce(regex.compile(""))[0]
    patterns: list[regex.Pattern[str] | None] = []
    for source, arguments in zip(sources, stored, strict=True):
        pattern = None
        if type(arguments) is tuple and arguments and arguments[0] == source:
            try:
                pattern = constructor(*arguments)
            except Exception:  # any refusal only means compiling from source
                pattern = None
        patterns.append(pattern)
    return patterns


def _plain(value: object) -> bool:
    """Whether ``value`` holds plain data only (no code object, set or float from marshal)."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind in _PLAIN:
            continue
        if kind is list or kind is tuple:
            pending.extend(item)  # type: ignore[arg-type]
        elif kind is dict:
            pending.extend(item.keys())  # type: ignore[attr-defined]
            pending.extend(item.values())  # type: ignore[attr-defined]
        else:
            return False
    return True
