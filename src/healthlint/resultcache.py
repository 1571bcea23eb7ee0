"""Per-file results remembered between runs, so an unchanged file costs a read and a hash.

A file's result is stored under a key made of everything it depends on, and nothing that
differs between two checkouts of the same tree (no absolute path, no modification time), so
a cache folder restored in CI is as good as a local one:

- the SHA-256 of the file's bytes;
- the settings that apply to it: selection, severities, profile, per-path settings (and
  which of them matches this file), suppression options, published fields;
- the document format it is read as;
- the rule set: the content of every file in every rule pack folder the run loads
  (rules, vocabularies, term files), of the user's vocabulary files, the loaded plugins,
  and this healthlint build (:func:`healthlint.cache.build_digest`).

The path a diagnostic reports is the path the file was named by on this run: it is not part
of the key and is attached again when an entry is read, so a renamed or moved file still
hits. A result whose messages quote its own path is not stored, nor is a result with a file
error (an unreadable file, a rule stopped by its time limit, a crash): those are not a
function of the key. Warnings a format gives (malformed markup) are stored with the result.

Entries are JSON, checked field by field when read; one that does not have exactly the shape
written here is discarded and the file is linted again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from healthlint.cache import Cache, build_digest, key_for
from healthlint.config import Settings, matches_any
from healthlint.engine import Linter
from healthlint.types import (
    Applicability,
    Diagnostic,
    Edit,
    FileError,
    FileResult,
    Fix,
    Position,
    Severity,
    Span,
)

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
    for folder in settings.rule_dirs:
        parts += [Path(folder).name, tree(folder)]
    parts += [_file_digest(path) for path in settings.vocabularies]
    parts.append([[plugin.name, plugin.source] for plugin in registry.plugins])
    return key_for(*parts)


def settings_for_file(settings: Settings, path: str) -> dict[str, Any]:
    """The settings that decide ``path``'s result, without any absolute path."""
    matched = next((index for index, override in enumerate(settings.per_path)
                    if matches_any(path, settings.root, override.paths)), None)
    return {
        "packs": settings.packs,
        "rule-dirs": [Path(folder).name for folder in settings.rule_dirs],
        "select": settings.select,
        "ignore": settings.ignore,
        "extend-select": settings.extend_select,
        "severity": {code: int(level) for code, level in settings.severity.items()},
        "profile": settings.profile,
        "per-path": [[o.paths, o.select, o.ignore, o.extend_select,
                      {code: int(level) for code, level in o.severity.items()}]
                     for o in settings.per_path],
        "per-path-match": matched,
        "require-reason": settings.require_reason,
        "report-unused-suppressions": settings.report_unused_suppressions,
        "published-fields": settings.published_fields,
    }


def decoded_text(data: bytes) -> str | None:
    """The text :meth:`Linter.lint_bytes` lints for ``data`` (``None``: it would not)."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


class ResultCache:
    """The ``results`` namespace of the cache, for one run."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._rulesets: dict[int, tuple[Linter, str]] = {}
        self._trees: dict[str, str] = {}

    @classmethod
    def open(cls, *, enabled: bool = True) -> ResultCache | None:
        cache = Cache.open(NAMESPACE, version=VERSION, enabled=enabled)
        return cls(cache) if cache is not None else None

    def key(self, linter: Linter, settings: Settings, path: str, data: bytes,
            document_format: str | None) -> str:
        held = self._rulesets.get(id(linter))
        if held is None or held[0] is not linter:
            held = self._rulesets[id(linter)] = (linter, ruleset_digest(linter, self._trees))
        fmt = linter.format_for(path, document_format)
        return key_for(NAMESPACE, held[1], settings_for_file(settings, path),
                       fmt.name if fmt is not None else None, hashlib.sha256(data).digest())

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
        if cacheable(result):
            self.cache.put_json(key, encode_result(result, decoded_text(data)))


def cacheable(result: FileResult) -> bool:
    """Whether ``result`` depends only on what the key holds."""
    if result.source is None or any(e.severity >= Severity.ERROR or e.internal
                                    for e in result.errors):
        return False
    path = result.path
    return not any(path in d.message for d in result.diagnostics) and not any(
        path in e.message for e in result.errors)


# The stored shape ------------------------------------------------------------------------
#
# {"d": [diagnostic, ...], "e": [error, ...], "s": null or the source when it differs
#  from the decoded file}
# diagnostic: [code, rule, category, severity, message, start, end, start line,
#              start column, end line, end column, document_level, pack, fix or null]
# fix: [applicability, description, [[start, end, replacement], ...]]
# error: [message, line or null, column or null, severity, internal]


def encode_result(result: FileResult, text: str | None) -> dict[str, Any]:
    return {
        "d": [[d.code, d.rule, d.category, int(d.severity), d.message, d.span.start, d.span.end,
               d.start.line, d.start.column, d.end.line, d.end.column, d.document_level, d.pack,
               _encode_fix(d.fix)] for d in result.diagnostics],
        "e": [[e.message, e.line, e.column, int(e.severity), e.internal] for e in result.errors],
        "s": None if result.source == text else result.source,
    }


def _encode_fix(fix: Fix | None) -> list[Any] | None:
    if fix is None:
        return None
    return [int(fix.applicability), fix.description,
            [[e.span.start, e.span.end, e.replacement] for e in fix.edits]]


class _Invalid(Exception):
    pass


def _int(value: Any, low: int = 0, high: int | None = None) -> int:
    if type(value) is not int or value < low or (high is not None and value > high):
        raise _Invalid
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Invalid
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise _Invalid
    return value


def _list(value: Any, length: int | None = None) -> Sequence[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise _Invalid
    return value


def decode_result(stored: Any, path: str, text: str) -> FileResult | None:
    """The result ``encode_result`` stored, for ``path`` whose decoded text is ``text``;
    ``None`` unless every field has exactly the type and range written."""
    try:
        if type(stored) is not dict or set(stored) != {"d", "e", "s"}:
            raise _Invalid
        source = text if stored["s"] is None else _str(stored["s"])
        size = len(source)
        diagnostics = []
        for item in _list(stored["d"]):
            (code, rule, category, severity, message, start, end, start_line, start_column,
             end_line, end_column, document_level, pack, fix) = _list(item, 14)
            span_start = _int(start, 0, size)
            diagnostics.append(Diagnostic(
                path=path, code=_str(code), rule=_str(rule), category=_str(category),
                severity=Severity(_int(severity, int(Severity.INFO), int(Severity.ERROR))),
                message=_str(message), span=Span(span_start, _int(end, span_start, size)),
                start=Position(_int(start_line, 1), _int(start_column, 1)),
                end=Position(_int(end_line, 1), _int(end_column, 1)),
                document_level=_bool(document_level), pack=_str(pack),
                fix=_decode_fix(fix, size)))
        errors = []
        for item in _list(stored["e"]):
            message, line, column, severity, internal = _list(item, 5)
            errors.append(FileError(
                path, _str(message), None if line is None else _int(line, 1),
                None if column is None else _int(column, 1),
                Severity(_int(severity, int(Severity.OFF), int(Severity.WARNING))),
                _bool(internal)))
            if internal:
                raise _Invalid
    except (_Invalid, ValueError, TypeError):
        return None
    return FileResult(path, diagnostics=diagnostics, errors=errors, source=source)


def _decode_fix(stored: Any, size: int) -> Fix | None:
    if stored is None:
        return None
    applicability, description, edits = _list(stored, 3)
    decoded = []
    for edit in _list(edits):
        start, end, replacement = _list(edit, 3)
        begin = _int(start, 0, size)
        decoded.append(Edit(Span(begin, _int(end, begin, size)), _str(replacement)))
    return Fix(tuple(decoded), Applicability(_int(applicability, 0, int(Applicability.SAFE))),
               _str(description))
