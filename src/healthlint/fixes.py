"""Applying suggested fixes to files.

Rewording a health claim changes its meaning, so the shipped rules' suggestions are
*unsafe*: they are applied only with ``--fix --unsafe-fixes``. A file is rewritten
atomically (a temporary file in the same folder, then a rename) and keeps its
byte-order mark and its line endings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from healthlint.types import Applicability, Diagnostic, Edit


def applicable(diagnostic: Diagnostic, *, unsafe: bool) -> bool:
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return False
    return fix.applicability == Applicability.SAFE or (
        unsafe and fix.applicability == Applicability.UNSAFE
    )


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, int]:
    """``text`` with non-overlapping edits applied (the first of two overlapping ones wins),
    and the number applied."""
    pieces: list[str] = []
    cursor = 0
    applied = 0
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        if edit.span.start < cursor or edit.span.end > len(text):
            continue
        pieces.append(text[cursor : edit.span.start])
        pieces.append(edit.replacement)
        cursor = edit.span.end
        applied += 1
    pieces.append(text[cursor:])
    return "".join(pieces), applied


def fix_file(path: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool) -> int:
    """Apply the applicable fixes of ``diagnostics`` to the file at ``path``; return how many
    were applied. Offsets are those of the decoded text without its byte-order mark."""
    raw = Path(path).read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    edits = [
        Edit(edit.span, edit.replacement.replace("\r\n", "\n").replace("\n", newline))
        for diagnostic in diagnostics if applicable(diagnostic, unsafe=unsafe)
        for edit in diagnostic.fix.edits  # type: ignore[union-attr]
    ]
    if not edits:
        return 0
    fixed, applied = apply_edits(text, edits)
    if applied:
        write_atomically(Path(path), ("\ufeff" if bom else "") + fixed)
    return applied


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8), never leaving a half-written file."""
    mode = path.stat().st_mode & 0o777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
