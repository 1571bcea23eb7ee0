"""Per-file results remembered between runs, so an unchanged file costs a read and a hash.

A file's result is stored under a key made of everything it depends on, and nothing that
differs between two checkouts of the same tree (no absolute path, no modification time), so
a cache folder restored in CI is as good as a local one:

- the SHA-256 of the file's bytes;
- the settings that apply to it: selection, severities, profile, per-path settings (and
  which of them matches this file), suppression options, published fields;
- the document format it is read as;
- the rule set: the content of every file in every rule pack folder the run loads
  (rules, ``pack.yaml``, ``terms/*.txt`` term files, ``shapes.yaml``), the ``pack.yaml`` of
  every installed pack (the categories it declares apply to all rules, enabled or not), the
  user's vocabulary files, the loaded plugins, and this healthlint build
  (:func:`healthlint.cache.build_digest`, which covers the core term files and shapes).

The path a diagnostic reports is the path the file was named by on this run: it is not part
of the key and is attached again when an entry is read, so a renamed or moved file still
hits. A result whose messages quote its own path is not stored, nor is a result with a file
error (an unreadable file, a rule stopped by its time limit, a crash): those are not a
function of the key. Warnings a format gives (malformed markup) are stored with the result.

Entries are JSON, checked field by field against the result types' own type hints when read,
spans and positions against the page; one that does not have exactly the shape written here
is discarded and the file is linted again.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from healthlint.cache import Cache, build_digest, key_for
from healthlint.config import Settings, matches_any
from healthlint.engine import Linter
from healthlint.types import Diagnostic, FileResult, Position, Severity, Span

NAMESPACE = "results"
VERSION = 1
"""Bump when the stored shape changes; entries of other versions are then never read."""


def _tree_digest(folder: str) -> str:
    """The content of every file under ``folder`` (hidden files and caches aside), by path
    relative to it."""
    parts: list[str] = []
    for current, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders
                               if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(current, name)
            parts += [os.path.relpath(path, folder).replace(os.sep, "/"), _file_digest(path)]
    return key_for(*parts)


def _file_digest(path: str) -> str:
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return "unreadable"


def ruleset_digest(linter: Linter, trees: dict[str, str] | None = None) -> str:
    """Everything besides settings that decides what ``linter`` reports. ``trees`` remembers
    folder digests within one run (never longer: a long-lived process sees edits)."""
    trees = {} if trees is None else trees

    def tree(folder: str) -> str:
        real = os.path.realpath(folder)
        if real not in trees:
            trees[real] = _tree_digest(real)
        return trees[real]

    settings = linter.settings
    registry = linter.registry
    names = settings.packs if settings.packs is not None else tuple(registry.packs)
    parts: list[Any] = [build_digest()]
    for name in names:
        pack = registry.packs.get(name)
        parts += [name, tree(pack.path) if pack is not None else None]
    # The taxonomy: every installed pack's declaration, enabled or not, since the categories
    # it declares (and which are judged per page) apply to the rules of every pack.
    for name in sorted(registry.packs):
        parts += [name, _file_digest(os.path.join(registry.packs[name].path, "pack.yaml"))]
    for folder in settings.rule_dirs:
        parts += [Path(folder).name, tree(folder)]
    parts += [_file_digest(path) for path in settings.vocabularies]
    parts.append([[plugin.name, plugin.source] for plugin in registry.plugins])
    return key_for(*parts)


SETTINGS_NOT_IN_KEY = frozenset({"path", "root", "include", "exclude", "respect_gitignore",
                                 "fail_on"})
"""Settings that never change a file's result: which files are linted, where the
configuration lives, and the exit threshold. Every other setting, including any added later,
is part of the key."""


def _canonical(value: Any) -> Any:
    """``value`` as plain JSON data: dataclasses by field, mappings with sorted keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda i: str(i[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if value is None or isinstance(value, (str, int, float)):
        return value
    return repr(value)


def settings_key(settings: Settings) -> dict[str, Any]:
    """The settings that decide a file's result, without any absolute path: rule folders
    and vocabularies by name (their content is in the rule-set digest). Which per-path
    override matches a file is part of that file's key."""
    key = {f.name: _canonical(getattr(settings, f.name)) for f in dataclasses.fields(settings)
           if f.name not in SETTINGS_NOT_IN_KEY}
    key["rule_dirs"] = [Path(folder).name for folder in settings.rule_dirs]
    key["vocabularies"] = [Path(file).name for file in settings.vocabularies]
    return key


def decoded_text(data: bytes) -> str | None:
    """The text :meth:`Linter.lint_bytes` lints for ``data`` (``None``: it would not)."""
    from healthlint.source import SourceError, decode

    try:
        return decode(data).text.removeprefix("\ufeff")
    except SourceError:
        return None


class ResultCache:
    """The ``results`` namespace of the cache, for one run."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._linters: dict[int, tuple[Linter, str]] = {}
        """Per linter: the digest of its rule set and settings, computed once per run."""
        self._trees: dict[str, str] = {}

    @classmethod
    def open(cls, *, enabled: bool = True) -> ResultCache | None:
        cache = Cache.open(NAMESPACE, version=VERSION, enabled=enabled)
        return cls(cache) if cache is not None else None

    def key(self, linter: Linter, path: str, data: bytes, document_format: str | None) -> str:
        """The key of ``path``, with content ``data``, linted by ``linter``."""
        held = self._linters.get(id(linter))
        if held is None or held[0] is not linter:
            digest = key_for(ruleset_digest(linter, self._trees), settings_key(linter.settings))
            held = self._linters[id(linter)] = (linter, digest)
        settings = linter.settings
        matched = next((index for index, override in enumerate(settings.per_path)
                        if matches_any(path, settings.root, override.paths)), None)
        fmt = linter.format_for(path, document_format)
        return key_for(NAMESPACE, held[1], matched, fmt.name if fmt is not None else None,
                       hashlib.sha256(data).digest())

    def load(self, key: str, path: str, data: bytes) -> FileResult | None:
        """The stored result for ``key`` with ``path`` attached, or ``None``."""
        stored = self.cache.get_json(key)
        if stored is None:
            return None
        text = decoded_text(data)
        result = decode_result(stored, path, text) if text is not None else None
        if result is None:
            self.cache.discard(key)
        return result

    def store(self, key: str, result: FileResult, data: bytes) -> None:
        if not cacheable(result):
            return
        encoded = encode_result(result, decoded_text(data))
        # The path is attached again when read; a result that quotes it (a message naming
        # the file) would carry the old name into a renamed file's report.
        text = json.dumps(encoded["r"])
        if json.dumps(result.path)[1:-1] not in text:
            self.cache.put_json(key, encoded)


def cacheable(result: FileResult) -> bool:
    """Whether ``result`` depends only on what the key holds."""
    return result.source is not None and not any(
        e.severity >= Severity.ERROR or e.internal for e in result.errors)


# The stored shape ------------------------------------------------------------------------
#
# A dataclass is stored as the list of its field values in declaration order, except the
# ``path`` fields (attached again when read) and ``FileResult.source`` (``null`` when it is
# the decoded file, as it nearly always is). Enums are stored as their values. The decoder
# is derived from the same type hints and accepts exactly what they allow, so a field added
# to a result type is stored and checked without a change here.


def encode_result(result: FileResult, text: str | None) -> dict[str, Any]:
    return {"r": _encode(result), "s": None if result.source == text else result.source}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_encode(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in _OMITTED]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


_OMITTED = frozenset({"path", "source"})
"""Fields of the result types that are not stored (see above)."""


class _Invalid(Exception):
    pass


Decoder = Callable[[Any, str], Any]


def _decoder(hint: Any) -> Decoder:
    """A function that turns stored data back into a value of type ``hint``, or raises
    :class:`_Invalid`; the second argument is the path to attach."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_decoder(a) for a in args if a is not type(None)]
        optional = type(None) in args

        def union(data: Any, path: str) -> Any:
            if data is None and optional:
                return None
            for option in options:
                try:
                    return option(data, path)
                except _Invalid:
                    continue
            raise _Invalid

        return union
    if origin in (list, tuple):
        item = _decoder(args[0])
        build: Callable[[Any], Any] = list if origin is list else tuple
        if origin is tuple and (len(args) != 2 or args[1] is not Ellipsis):
            raise TypeError(f"no decoder for {hint!r}")

        def sequence(data: Any, path: str) -> Any:
            if type(data) is not list:
                raise _Invalid
            return build(item(v, path) for v in data)

        return sequence
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = {m.value: m for m in hint}

        def member(data: Any, path: str) -> Any:
            if type(data) is bool or data not in members:  # True == 1: not a severity
                raise _Invalid
            return members[data]

        return member
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if hint in (str, int, bool, float):
        def plain(data: Any, path: str) -> Any:
            if type(data) is not hint:
                raise _Invalid
            return data

        return plain
    raise TypeError(f"no decoder for {hint!r}")


_PATH = object()
"""Stands for the ``path`` argument in a decoder's argument list."""


@functools.cache
def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    arguments = [f for f in dataclasses.fields(cls) if f.init and f.name != "source"]
    stored = [f for f in arguments if f.name not in _OMITTED]
    # Decoders of nested types are looked up on first use, so recursive types terminate.
    decoders: list[Any] = []

    def decode(data: Any, path: str) -> Any:
        if not decoders:
            nested = iter([_decoder(hints[f.name]) for f in stored])
            decoders.extend(_PATH if f.name == "path" else next(nested) for f in arguments)
        if type(data) is not list or len(data) != len(stored):
            raise _Invalid
        values = iter(data)
        # By keyword: a field left out (``source``) may come before others.
        return cls(**{f.name: path if d is _PATH else d(next(values), path)
                      for f, d in zip(arguments, decoders, strict=True)})

    return decode


def decode_result(stored: Any, path: str, text: str) -> FileResult | None:
    """The result :func:`encode_result` stored, for ``path`` whose decoded text is ``text``;
    ``None`` unless every field has exactly the type written and every span and position
    lies inside the page."""
    try:
        if type(stored) is not dict or set(stored) != {"r", "s"}:
            raise _Invalid
        if stored["s"] is not None and type(stored["s"]) is not str:
            raise _Invalid
        result: FileResult = _dataclass_decoder(FileResult)(stored["r"], path)
        result.source = text if stored["s"] is None else stored["s"]
        if not _inside(result, len(result.source)):
            raise _Invalid
    except (_Invalid, ValueError, TypeError, RecursionError):
        return None
    return result


def _inside(result: FileResult, size: int) -> bool:
    """Spans within the page, positions 1-based, and no error a result may not be stored
    with."""
    def span(s: Span) -> bool:
        return 0 <= s.start <= s.end <= size

    def position(p: Position) -> bool:
        return p.line >= 1 and p.column >= 1

    # Every list of diagnostics a result holds (the reported ones, and any others).
    diagnostics = [d for f in dataclasses.fields(result)
                   if isinstance(getattr(result, f.name), list)
                   for d in getattr(result, f.name) if isinstance(d, Diagnostic)]
    for d in diagnostics:
        edits = d.fix.edits if d.fix is not None else ()
        if not (span(d.span) and position(d.start) and position(d.end)
                and all(span(e.span) for e in edits)):
            return False
    return all(e.severity < Severity.ERROR and not e.internal
               and (e.line is None or e.line >= 1) and (e.column is None or e.column >= 1)
               for e in result.errors)
