"""Which files a run lints: explicit files, and the files found under directories.

Directories are walked for the formats' extensions, skipping hidden directories,
``node_modules`` and whatever ``.gitignore`` files exclude. Git's rules are
followed with ``pathspec``'s ``GitIgnoreSpec``: every ``.gitignore`` from the
repository root down applies to the paths below it, a deeper file overrides a
shallower one (so a nested ``!keep.md`` re-includes), and nothing below an
ignored directory comes back. Explicit files are always linted unless
``exclude`` matches them: naming a file is a stronger statement than an ignore
pattern.

``include`` and ``exclude`` are gitignore-style patterns relative to ``root``
(the working directory by default). Results are sorted and free of duplicates,
so outputs come in a stable order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from pathspec import GitIgnoreSpec

from healthlint.source import missing_reason
from healthlint.types import FileError

__all__ = ["DEFAULT_EXTENSIONS", "discover"]

DEFAULT_EXTENSIONS = (".md", ".markdown", ".mdx", ".html", ".htm", ".txt")
_SKIPPED_DIRECTORIES = frozenset({"node_modules"})


def discover(
    paths: Sequence[str],
    extensions: Sequence[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    root: str | None = None,
) -> tuple[list[str], list[FileError]]:
    """The files to lint under ``paths``, and the errors met finding them."""
    walk = _Walk(
        root=os.path.abspath(root if root is not None else os.getcwd()),
        extensions=tuple(extension.lower() for extension in extensions),
        include=GitIgnoreSpec.from_lines(include) if include else None,
        exclude=GitIgnoreSpec.from_lines(exclude) if exclude else None,
        respect_gitignore=respect_gitignore,
    )
    for path in paths:
        if os.path.isdir(path):
            walk.directory(path)
        elif os.path.exists(path):
            if not walk.excluded(path, is_directory=False):
                walk.files.add(os.path.normpath(path))
        else:
            walk.errors.append(FileError(path, missing_reason(path)))
    return sorted(walk.files), walk.errors


_Ignores = tuple[tuple[str, GitIgnoreSpec], ...]
"""``.gitignore`` specs with the directory each is relative to, shallowest first."""


@dataclass
class _Walk:
    root: str
    extensions: tuple[str, ...]
    include: GitIgnoreSpec | None
    exclude: GitIgnoreSpec | None
    respect_gitignore: bool
    files: set[str] = field(default_factory=set)
    errors: list[FileError] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    reported_loops: set[str] = field(default_factory=set)

    def directory(self, path: str) -> None:
        ignores = self.ancestor_ignores(path) if self.respect_gitignore else ()
        self.walk(path, ignores, frozenset())

    def walk(self, path: str, ignores: _Ignores, ancestors: frozenset[str]) -> None:
        real = os.path.realpath(path)
        if real in ancestors:
            if real not in self.reported_loops:
                self.reported_loops.add(real)
                self.errors.append(
                    FileError(path, f"symbolic link loop: {path} leads back to {real}")
                )
            return
        if real in self.visited:
            return
        self.visited.add(real)
        try:
            with os.scandir(path) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            self.errors.append(FileError(path, f"cannot read directory: {error.strerror}"))
            return
        if self.respect_gitignore:
            ignores = self.with_gitignore(path, ignores)
        inside = ancestors | {real}
        for entry in entries:
            child = os.path.normpath(os.path.join(path, entry.name))
            if _is_directory(entry):
                if entry.name.startswith(".") or entry.name in _SKIPPED_DIRECTORIES:
                    continue
                if not self.ignored(child, ignores, is_directory=True):
                    self.walk(child, ignores, inside)
            elif (
                entry.name.lower().endswith(self.extensions)
                and _is_file(entry)
                and not self.ignored(child, ignores, is_directory=False)
                and self.included(child)
            ):
                self.files.add(child)

    def ignored(self, path: str, ignores: _Ignores, *, is_directory: bool) -> bool:
        return self.excluded(path, is_directory=is_directory) or _gitignored(
            path, ignores, is_directory=is_directory
        )

    def excluded(self, path: str, *, is_directory: bool) -> bool:
        return self.exclude is not None and self.exclude.match_file(
            _relative(path, self.root, is_directory=is_directory)
        )

    def included(self, path: str) -> bool:
        return self.include is None or self.include.match_file(
            _relative(path, self.root, is_directory=False)
        )

    def with_gitignore(self, directory: str, ignores: _Ignores) -> _Ignores:
        spec = _read_gitignore(directory)
        if spec is None:
            return ignores
        return (*ignores, (os.path.abspath(directory), spec))

    def ancestor_ignores(self, path: str) -> _Ignores:
        """The ``.gitignore`` files above ``path`` that apply to it: up to the
        repository root (the nearest directory holding ``.git``), or up to ``root``
        outside a repository."""
        ignores: list[tuple[str, GitIgnoreSpec]] = []
        for directory in _ancestors(os.path.abspath(path), self.root):
            spec = _read_gitignore(directory)
            if spec is not None:
                ignores.append((directory, spec))
        return tuple(reversed(ignores))


def _ancestors(path: str, root: str) -> list[str]:
    """The directories above ``path``, nearest first, as far as its repository root."""
    chain: list[str] = []
    directory = path
    while not os.path.exists(os.path.join(directory, ".git")):
        parent = os.path.dirname(directory)
        if parent == directory:
            return [above for above in chain if _is_within(above, root)]
        chain.append(parent)
        directory = parent
    return chain


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_gitignore(directory: str) -> GitIgnoreSpec | None:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8") as file:
            return GitIgnoreSpec.from_lines(file.read().splitlines())
    except (OSError, UnicodeDecodeError):
        return None


def _gitignored(path: str, ignores: _Ignores, *, is_directory: bool) -> bool:
    """Whether the deepest ``.gitignore`` with a pattern for ``path`` ignores it."""
    absolute = os.path.abspath(path)
    for base, spec in reversed(ignores):
        result = spec.check_file(_relative(absolute, base, is_directory=is_directory))
        if result.include is not None:
            return result.include
    return False


def _relative(path: str, base: str, *, is_directory: bool) -> str:
    relative = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    return relative + "/" if is_directory else relative


def _is_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False
