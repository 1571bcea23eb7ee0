"""Stable identities for findings, shared by baselines and the CI outputs.

A fingerprint must survive the edits that do not change a finding (lines added
above it, whitespace reflowed, letter case changed) and must change when the
flagged claim itself is reworded, so that a reworded claim is reviewed again.
Line numbers therefore play no part. The recipe (version 1) hashes:

- the rule code,
- the file path, relative, with forward slashes,
- the flagged text, casefolded, whitespace runs collapsed to one space and
  stripped (empty for a document-level finding, which has no flagged text),
- the occurrence index of that (code, text) pair in the file, counted in
  source order, so that two identical claims on one page stay distinct.

This module depends only on :mod:`healthlint.types` and the standard library,
so the built-in outputs, which may import only the public API, can use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections import Counter

from healthlint.types import Diagnostic, FileResult

__all__ = [
    "FINGERPRINT_VERSION",
    "file_fingerprints",
    "fingerprint",
    "flagged_text",
    "normalise_path",
    "normalise_text",
]

FINGERPRINT_VERSION = 1
"""Bump when the recipe changes: every stored baseline then needs rewriting."""

_DIGEST_CHARS = 32
"""128 bits of SHA-256: collisions are out of reach and baselines stay small."""

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def normalise_path(path: str, root: str = ".") -> str:
    """``path`` as reported in every output: relative to ``root`` when it lies
    under it, with forward slashes, without ``./`` segments.

    Backslashes are read as separators, so a path written on Windows gives the
    same fingerprint and the same output on any machine. A relative ``path`` is
    taken to be relative to ``root`` already (that is how the engine reports
    paths); an absolute one outside ``root`` stays absolute.
    """
    slashed = path.replace("\\", "/")
    if not _is_absolute(slashed):
        return posixpath.normpath(slashed)
    base = root.replace("\\", "/")
    if not _is_absolute(base):
        base = os.path.abspath(root).replace("\\", "/")
    base = posixpath.normpath(base)
    slashed = posixpath.normpath(slashed)
    prefix = base if base.endswith("/") else base + "/"
    if _same_prefix(slashed, prefix):
        return slashed[len(prefix) :]
    return slashed


def _is_absolute(slashed: str) -> bool:
    return slashed.startswith("/") or bool(_WINDOWS_DRIVE.match(slashed))


def _same_prefix(path: str, prefix: str) -> bool:
    # Drive letters are case-insensitive on Windows: "c:/site" holds "C:/site/a.md".
    if _WINDOWS_DRIVE.match(prefix):
        return path[:1].lower() == prefix[:1].lower() and path[1:].startswith(prefix[1:])
    return path.startswith(prefix)


def normalise_text(text: str) -> str:
    """Casefold and collapse every whitespace run (line breaks included) to one space."""
    return " ".join(text.casefold().split())


def flagged_text(diagnostic: Diagnostic, source: str | None) -> str:
    """The source text a diagnostic flags, or ``""`` for a document-level finding.

    Without the source (an embedder that dropped it) the message stands in: it
    usually quotes the claim, which keeps identical-code findings apart better
    than nothing would.
    """
    if diagnostic.document_level:
        return ""
    if source is None:
        return diagnostic.message
    return source[diagnostic.span.start : diagnostic.span.end]


def fingerprint(
    diagnostic: Diagnostic, source: str | None, occurrence: int = 0, *, root: str = "."
) -> str:
    """The version-1 fingerprint of ``diagnostic``, a 32-character hex string.

    ``occurrence`` is the index of this (code, normalised text) pair among the
    file's diagnostics in source order; :func:`file_fingerprints` counts it.
    """
    parts = [
        FINGERPRINT_VERSION,
        diagnostic.code,
        normalise_path(diagnostic.path, root),
        normalise_text(flagged_text(diagnostic, source)),
        occurrence,
    ]
    # A JSON array keeps the parts apart whatever characters the text holds.
    digest = hashlib.sha256(json.dumps(parts).encode("ascii"))
    return digest.hexdigest()[:_DIGEST_CHARS]


def file_fingerprints(result: FileResult, *, root: str = ".") -> list[str]:
    """Fingerprints of ``result.diagnostics``, in the list's own order.

    Occurrence indices are counted in source order whatever order the list is in,
    so the same page always gives the same fingerprints.
    """
    diagnostics, source = result.diagnostics, result.source
    order = sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key())
    seen: Counter[tuple[str, str]] = Counter()
    prints = [""] * len(diagnostics)
    for index in order:
        diagnostic = diagnostics[index]
        key = (diagnostic.code, normalise_text(flagged_text(diagnostic, source)))
        prints[index] = fingerprint(diagnostic, source, seen[key], root=root)
        seen[key] += 1
    return prints
