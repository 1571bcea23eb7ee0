"""Applying suggested fixes to files.

Rewording a health claim changes its meaning, so the shipped rules' suggestions are
*unsafe*: they are applied only with ``--fix --unsafe-fixes``, and only when they can be
written without a human filling a blank. :func:`writable` is that test, made on the
text, not on which rule made the suggestion: an edit is written only when it replaces a
whole sentence with a complete sentence of plain prose. A suggestion that replaces a
phrase inside a sentence cannot be checked for grammar ("may help reduce symptoms in
some patients results or your money back"), one with a bracket is a blank to fill
("risks include (list the specific risks)"), and a lower-case fragment at the start of
a field is not a sentence; all of these are shown, never written.

Writing a file:

- The file is read again under an advisory lock on its folder, and edits are applied
  only if it still holds exactly the text that was linted. Offsets from a lint are
  meaningless in a file that changed since, whether a person edited it or a second
  ``--fix`` run got there first.
- A symbolic link is followed and its target rewritten; the link stays a link.
- A read-only file is left alone and reported.
- The new content goes to a temporary file in the target's folder, is flushed to disk
  (``fsync``), and replaces the target with ``os.replace``: a crash leaves either the
  old file or the new one, never half of each. Mode, byte-order mark, encoding and
  line endings are kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from healthlint.source import Source, SourceError, encode, read_path
from healthlint.types import Applicability, Diagnostic, Edit, Fix

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another healthlint that is fixing files in the same folder."""

_PLAIN_PROSE = re.compile(r"(?:[^\W_]|[ ,.;:!?'’\-–—%/])+")
"""Letters, digits, spaces and sentence punctuation: no brackets (a blank to fill), no
markup characters (``*``, ``_``, ``<``, ``&``, backticks) and no quotes that could end
the string a suggestion is written into."""
_SENTENCE = re.compile(r"[^\W\d_].*[.!?][\"”'’)]*", re.DOTALL)
"""A letter first, terminal punctuation (and closing quotes) last."""
_MARKUP = re.compile(r"[<>*_\[\]`&{}|#\\]")
_SENTENCE_END = re.compile(r"[.!?][\"”'’)\]]*\Z")
_BLOCK_MARKERS = re.compile(r"[ \t]*(?:[#>*+\-]+[ \t]*|\d{1,3}[.)][ \t]*)*\Z")


@dataclass(frozen=True)
class FixOutcome:
    """What fixing one file did."""

    path: str
    applied: int = 0
    error: str | None = None
    """Why the file was left alone (read-only, changed since it was linted, ...)."""
    diff: str = ""
    """The unified diff of the change, when it was asked for."""


def _starts_sentence(source: str, offset: int) -> bool:
    line_start = source.rfind("\n", 0, offset) + 1
    before = source[line_start:offset]
    if _BLOCK_MARKERS.match(before) or before.rstrip().endswith(">"):
        return True
    return bool(_SENTENCE_END.search(before.rstrip()))


def writable(edit: Edit, source: str) -> bool:
    """Whether ``edit`` replaces one whole sentence of ``source`` with a complete sentence
    of plain prose, so that writing it cannot leave a fragment or a blank in the page."""
    replacement = edit.replacement
    if not _PLAIN_PROSE.fullmatch(replacement) or not _SENTENCE.fullmatch(replacement):
        return False
    if len(replacement.split()) < 2 or not replacement[0].isupper():
        return False
    start, end = edit.span.start, edit.span.end
    if not 0 <= start < end <= len(source):
        return False
    original = source[start:end]
    if original != original.strip() or "\n\n" in original or _MARKUP.search(original):
        return False  # markup inside the sentence would be cut in half
    if not _SENTENCE.fullmatch(original) or not original[0].isupper():
        return False
    if end < len(source) and (source[end].isalnum() or source[end] == "_"):
        return False
    return _starts_sentence(source, start)


def vetted(fix: Fix | None, source: str) -> Fix | None:
    """``fix``, made display-only when one of its edits is not :func:`writable`: such a
    suggestion is shown to the writer, never written by ``--fix``."""
    if fix is None or fix.applicability == Applicability.DISPLAY_ONLY or not fix.edits:
        return fix
    if all(writable(edit, source) for edit in fix.edits):
        return fix
    return Fix(fix.edits, Applicability.DISPLAY_ONLY, fix.description)


def applicable(diagnostic: Diagnostic, *, unsafe: bool, source: str | None = None) -> bool:
    """Whether ``--fix`` (with ``unsafe``: ``--fix --unsafe-fixes``) applies this fix; with
    ``source``, each edit must also be :func:`writable` in it."""
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return False
    allowed = fix.applicability == Applicability.SAFE or (
        unsafe and fix.applicability == Applicability.UNSAFE
    )
    return allowed and (source is None or all(writable(e, source) for e in fix.edits))


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


def _edits(diagnostics: Iterable[Diagnostic], linted: str, *, unsafe: bool) -> list[Edit]:
    newline = "\r\n" if "\r\n" in linted else "\n"
    return [
        Edit(edit.span, edit.replacement.replace("\r\n", "\n").replace("\n", newline))
        for diagnostic in diagnostics if applicable(diagnostic, unsafe=unsafe, source=linted)
        for edit in diagnostic.fix.edits  # type: ignore[union-attr]
    ]


def preview(path: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool,
            linted: str) -> FixOutcome:
    """What fixing ``path`` would change, as a unified diff; nothing is written."""
    edits = _edits(diagnostics, linted, unsafe=unsafe)
    if not edits:
        return FixOutcome(path)
    fixed, applied = apply_edits(linted, edits)
    import difflib  # only for --diff

    diff = "".join(difflib.unified_diff(
        linted.splitlines(keepends=True), fixed.splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}"))
    return FixOutcome(path, applied, diff=diff)


def fix_file(path: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool,
             linted: str) -> FixOutcome:
    """Apply the applicable fixes of ``diagnostics`` to the file at ``path``, whose text
    was ``linted`` when they were found. Offsets are those of the decoded text without its
    byte-order mark. Problems are returned, never raised."""
    edits = _edits(diagnostics, linted, unsafe=unsafe)
    if not edits:
        return FixOutcome(path)
    target = os.path.realpath(path)
    try:
        with folder_lock(os.path.dirname(target)):
            return _fix_locked(path, target, edits, linted)
    except TimeoutError:
        return FixOutcome(path, error=f"not fixed: another process kept {os.path.dirname(target)}"
                          f" locked for {LOCK_TIMEOUT:g} s")
    except OSError as error:
        return FixOutcome(path, error=f"not fixed: cannot write: {error.strerror or error}")


def _fix_locked(path: str, target: str, edits: list[Edit], linted: str) -> FixOutcome:
    try:
        current: Source = read_path(target)
    except SourceError as error:
        return FixOutcome(path, error=f"not fixed: {error.message}")
    if current.text != linted:
        return FixOutcome(path, error="not fixed: the file changed after it was linted "
                          "(edited, or fixed by another run); lint it again")
    status = os.stat(target)
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
            target, os.W_OK):
        return FixOutcome(path, error="not fixed: the file is read-only")
    fixed, applied = apply_edits(current.text, edits)
    if applied:
        write_atomically(Path(target), encode(fixed, current), status)
    return FixOutcome(path, applied)


@contextlib.contextmanager
def folder_lock(folder: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an advisory lock on ``folder`` while fixing a file in it.

    The folder, not the file, is locked: a fix replaces the file, so a lock on it would
    be a lock on an inode that no longer has the name. Where ``fcntl`` is missing
    (Windows), a lock file created exclusively in the folder stands in.

    :raises TimeoutError: the lock was not free within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield from _lock_file(folder, deadline)
        return
    descriptor = os.open(folder or ".", os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(folder) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _lock_file(folder: str, deadline: float) -> Iterator[None]:  # pragma: no cover - Windows
    lock = os.path.join(folder, ".healthlint-fix.lock")
    while True:
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise TimeoutError(folder) from None
            time.sleep(0.02)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)


def write_atomically(path: Path, data: bytes, status: os.stat_result | None = None) -> None:
    """Replace ``path`` with ``data``, never leaving a half-written file: a temporary file
    in the same folder, flushed to disk, then renamed over it. ``status`` (the original
    file's) gives the new file its mode and, where allowed, its owner."""
    import tempfile  # here: every run reads this module to vet fixes, few write a file

    status = status or path.stat()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".healthlint-tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        with contextlib.suppress(OSError, AttributeError):
            os.chown(temporary, status.st_uid, status.st_gid)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk, where the platform allows opening a folder."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
