"""Changed lines: report only what a pull request touched (``--diff-base REF``).

The diff is taken from the merge base of ``REF`` and ``HEAD`` to the working
tree, the "three-dot" diff a pull request shows: lines that changed on the base
branch since the branch point are not the author's and are not reported.
Untracked files (not ignored) count as wholly changed, so a new page is checked
before it is even added.

Keys of the returned mapping are absolute paths, so they can be matched against
diagnostics however the engine reported their paths.

A finding is kept when one of its lines changed. A document-level finding (a
missing disclaimer) is kept when its file changed at all, deletions included:
deleting the disclaimer is exactly the change that should be reported.
"""

from __future__ import annotations

import enum
import os
import re
import subprocess
from collections.abc import Iterable
from typing import Final

from healthlint.errors import ConfigError
from healthlint.types import Diagnostic, FileResult, Report

__all__ = ["ALL", "AllLines", "ChangedLines", "changed_lines", "filter_report", "resolve"]


class AllLines(enum.Enum):
    """Marks a file whose every line is new (an added or untracked file)."""

    ALL = "all"

    def __repr__(self) -> str:
        return "ALL"


ALL: Final = AllLines.ALL

ChangedLines = dict[str, set[int] | AllLines]
"""Absolute path -> the 1-based line numbers that changed, or :data:`ALL`."""

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")

_C_ESCAPES = {
    ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11,
    ord("f"): 12, ord("r"): 13, ord('"'): 34, ord("\\"): 92,
}  # fmt: skip


def _git(cwd: str | os.PathLike[str], *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run git without a shell, with settings that keep its output parseable."""
    # Settings a user's config could change and the parser depends on are pinned here.
    command = [
        "git", "-c", "core.quotePath=false", "-c", "diff.relative=false", *args,
    ]  # fmt: skip
    # No optional locks: a read-only diff must not fight an editor's git for index.lock.
    environ = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, env=environ, check=False)
    except FileNotFoundError:
        raise ConfigError(
            "--diff-base needs git, and git is not installed or not on PATH"
        ) from None


def _stderr(process: subprocess.CompletedProcess[bytes]) -> str:
    return os.fsdecode(process.stderr).strip()


def _toplevel(cwd: str | os.PathLike[str]) -> str:
    process = _git(cwd, "rev-parse", "--show-toplevel")
    if process.returncode != 0:
        raise ConfigError(
            f"--diff-base needs a git repository, and {os.fspath(cwd)} is not inside one "
            f"({_stderr(process)})"
        )
    return os.path.realpath(os.fsdecode(process.stdout.rstrip(b"\n")))


def _base_commit(base_ref: str, cwd: str | os.PathLike[str]) -> str:
    """The merge base of ``base_ref`` and ``HEAD``, or ``base_ref``'s commit when
    the histories share nothing (or ``HEAD`` has no commit yet)."""
    if base_ref.startswith("-"):
        raise ConfigError(f"{base_ref!r} is not a git revision")
    process = _git(cwd, "rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}")
    if process.returncode != 0:
        raise ConfigError(f"git cannot resolve {base_ref!r} to a commit. {_branch_hint(cwd)}"
                          "In a shallow CI checkout, fetch the base branch first "
                          "(actions/checkout with fetch-depth: 0, or `git fetch origin <branch>`).")
    commit = process.stdout.decode("ascii").strip()
    merge_base = _git(cwd, "merge-base", commit, "HEAD")
    if merge_base.returncode == 0:
        return merge_base.stdout.decode("ascii").strip()
    return commit


BRANCHES_SHOWN = 10


def _branch_hint(cwd: str | os.PathLike[str]) -> str:
    """The branches the repository does have (a base named ``main`` where there is only
    ``master`` is the usual mistake), or nothing if there are none."""
    process = _git(cwd, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes")
    names = [name for name in os.fsdecode(process.stdout).splitlines()
             if name and not name.endswith("/HEAD")] if process.returncode == 0 else []
    if not names:
        return "The repository has no branches yet. "
    shown = ", ".join(names[:BRANCHES_SHOWN])
    more = f" and {len(names) - BRANCHES_SHOWN} more" if len(names) > BRANCHES_SHOWN else ""
    return f"Branches here: {shown}{more}. "


def _unquote(name: bytes) -> bytes:
    """Undo git's C-style quoting of a path (``"a\\tb"``, octal ``\\303\\251``)."""
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        return name
    body, out, index = name[1:-1], bytearray(), 0
    while index < len(body):
        byte = body[index]
        if byte != ord("\\") or index + 1 == len(body):
            out.append(byte)
            index += 1
        elif body[index + 1 : index + 4].isdigit():
            out.append(int(body[index + 1 : index + 4], 8))
            index += 4
        else:
            out.append(_C_ESCAPES.get(body[index + 1], body[index + 1]))
            index += 2
    return bytes(out)


def _header_path(line: bytes, prefix: bytes) -> bytes | None:
    """The path of a ``--- a/…`` or ``+++ b/…`` line, or None for ``/dev/null``."""
    name = line[4:]
    # git ends the line with a tab when the name holds a space, for GNU patch.
    if name.endswith(b"\t"):
        name = name[:-1]
    name = _unquote(name)
    if name == b"/dev/null":
        return None
    return name[len(prefix) :] if name.startswith(prefix) else name


def _parse_diff(patch: bytes, toplevel: str) -> ChangedLines:
    """Changed new-side lines per file of a ``--unified=0`` patch.

    Hunk bodies are skipped by their line counts, because a removed line that
    starts with ``--`` reads like a file header.
    """
    changed: ChangedLines = {}
    current: str | None = None
    is_new = False
    old_left = new_left = 0
    for line in patch.split(b"\n"):
        if old_left or new_left:
            if line.startswith(b"-"):
                old_left -= 1
            elif line.startswith(b"+"):
                new_left -= 1
            continue
        if line.startswith(b"diff --git "):
            current, is_new = None, False
        elif line.startswith(b"--- "):
            is_new = _header_path(line, b"a/") is None
        elif line.startswith(b"+++ "):
            name = _header_path(line, b"b/")
            current = None if name is None else _absolute(toplevel, os.fsdecode(name))
            if current is not None:
                changed[current] = ALL if is_new else set()
        elif current is not None and (hunk := _HUNK.match(line)):
            old_left = int(hunk.group(2) or 1)
            start, new_left = int(hunk.group(3)), int(hunk.group(4) or 1)
            lines = changed[current]
            if isinstance(lines, set):
                lines.update(range(start, start + new_left))
    return changed


def _absolute(toplevel: str, relative: str) -> str:
    return os.path.normcase(os.path.normpath(os.path.join(toplevel, relative)))


def resolve(path: str | os.PathLike[str], base: str | os.PathLike[str] = ".") -> str:
    """The absolute form of ``path`` (relative to ``base``) used as a key.

    A directory is fully resolved; for a file only its directory is (a temporary
    folder behind a symlink, as on macOS), because git reports a symlinked page
    under its own name.
    """
    full = os.path.abspath(os.path.join(base, path))
    if os.path.isdir(full):
        return os.path.normcase(os.path.realpath(full))
    directory, name = os.path.split(full)
    return os.path.normcase(os.path.join(os.path.realpath(directory), name))


def _restrict(changed: ChangedLines, paths: Iterable[str], cwd: str) -> ChangedLines:
    """Only the entries at or under one of ``paths``.

    Done here rather than with git pathspecs, so that a run over thousands of
    files never meets the command-line length limit (32 KiB on Windows).
    """
    prefixes = [resolve(path, cwd) for path in paths]
    directories = tuple(prefix.rstrip(os.sep) + os.sep for prefix in prefixes)
    return {
        key: lines
        for key, lines in changed.items()
        if key in prefixes or key.startswith(directories)
    }


def changed_lines(
    base_ref: str,
    paths: Iterable[str | os.PathLike[str]] = (),
    *,
    cwd: str | os.PathLike[str] = ".",
) -> ChangedLines:
    """What changed since ``base_ref``: absolute path -> changed line numbers or :data:`ALL`.

    Files that only changed mode, were renamed without edits or were deleted are
    absent. ``paths`` (files or directories, relative to ``cwd``) limit the
    result; none means the whole repository.

    :raises ConfigError: ``cwd`` is not in a git repository, git is missing, or
        ``base_ref`` does not name a commit.
    """
    if not os.path.isdir(cwd):
        raise ConfigError(f"{os.fspath(cwd)} is not a directory")
    toplevel = _toplevel(cwd)
    base = _base_commit(base_ref, cwd)
    diff = _git(
        toplevel,
        "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv",
        "--ignore-submodules", "-M", "--src-prefix=a/", "--dst-prefix=b/", base,
    )  # fmt: skip
    if diff.returncode != 0:
        raise ConfigError(f"git diff against {base_ref!r} failed: {_stderr(diff)}")
    changed = _parse_diff(diff.stdout, toplevel)
    untracked = _git(toplevel, "ls-files", "--others", "--exclude-standard", "-z")
    if untracked.returncode != 0:
        raise ConfigError(f"git ls-files failed: {_stderr(untracked)}")
    for name in untracked.stdout.split(b"\0"):
        if name:
            changed[_absolute(toplevel, os.fsdecode(name))] = ALL
    wanted = [os.fspath(path) for path in paths]
    return _restrict(changed, wanted, os.fspath(cwd)) if wanted else changed


def _keeps(diagnostic: Diagnostic, lines: set[int] | AllLines) -> bool:
    if isinstance(lines, AllLines) or diagnostic.document_level:
        return True
    return any(line in lines for line in range(diagnostic.start.line, diagnostic.end.line + 1))


def filter_report(report: Report, changed: ChangedLines, *, root: str = ".") -> Report:
    """``report`` without findings outside the changed lines.

    Unchanged files keep their entry (so a baseline still sees them as linted)
    but lose their findings and file errors: neither is this change's doing.
    """
    files: list[FileResult] = []
    for file in report.files:
        lines = changed.get(resolve(file.path, root))
        if lines is None:
            files.append(FileResult(file.path, [], [], file.source))
            continue
        kept = [d for d in file.diagnostics if _keeps(d, lines)]
        files.append(FileResult(file.path, kept, list(file.errors), file.source))
    return Report(files, report.rules)
