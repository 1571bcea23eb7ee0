"""Which files a run lints: explicit files, and the files found under directories.

Directories are walked for the formats' extensions, skipping hidden directories
and whatever git ignores. Git's rules are followed with ``pathspec``'s
``GitIgnoreSpec``: every ``.gitignore`` from the repository root down applies to
the paths below it, a deeper file overrides a shallower one (so a nested
``!keep.md`` re-includes), nothing below an ignored directory comes back, and
below those rank the repository's ``.git/info/exclude`` and the user's global
excludes file (``core.excludesFile``, by default ``~/.config/git/ignore``).

A site's published copy is not its developer files, so by default a walk also
skips (:data:`DEFAULT_EXCLUDED_DIRECTORIES`, :func:`default_exclusion`):
``README*``, ``CHANGELOG*``, ``CONTRIBUTING*``, ``LICENSE*``, ``CODE_OF_CONDUCT*``,
dependencies (``node_modules``, ``vendor``), build output (``dist``, ``build``,
``public``, ``_site``, ``out``, ``.next``, ``.astro``, ``resources/_gen``),
lockfiles, tests (``*.test.*``, ``*.spec.*``, ``__tests__/``), stories, type
declarations and minified files. An ``include`` glob that names a default-skipped
folder (``public/**``) walks it all the same. Some formats read their extensions
only under given paths (data files under ``_data/``, ``data/``, ...): those are
``restricted`` extensions.

Explicit files are linted unless ``exclude`` matches them: naming a file is a
stronger statement than an ignore pattern or a default. With ``force_exclude``
(as in ruff, for pre-commit, which names every changed file), the defaults and
the path restrictions apply to named files too. Every named file that is not
linted is reported in ``skipped`` with the reason.

``include`` and ``exclude`` are gitignore-style patterns relative to ``root``
(the working directory by default). Results are sorted and free of duplicates,
so outputs come in a stable order.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from healthlint.source import missing_reason
from healthlint.types import FileError

__all__ = [
    "DEFAULT_EXCLUDED_DIRECTORIES", "DEFAULT_EXTENSIONS", "Skipped", "discover", "why_excluded",
]

DEFAULT_EXTENSIONS = (".md", ".markdown", ".mdx", ".html", ".htm", ".txt")
DEFAULT_EXCLUDED_DIRECTORIES = frozenset(
    {
        "node_modules", "bower_components", "jspm_packages", "vendor", "dist", "build",
        "public", "_site", "out", ".next", ".nuxt", ".output", ".astro", ".svelte-kit",
        ".docusaurus", ".cache", "coverage", "__tests__", "__mocks__", "__snapshots__",
        "__fixtures__", "venv", "site-packages", "__pycache__",
    }
)  # fmt: skip
"""Folders a walk skips by name, at any depth: dependencies, build output, tests."""
_EXCLUDED_PATHS = ("resources/_gen",)
"""Folders a walk skips by their last parts (Hugo's generated resources)."""
_DEVELOPER_FILE = re.compile(
    r"(?:readme|changelog|contributing|licen[cs]e|copying|code_of_conduct)(?:[.\-_].*)?\Z",
    re.IGNORECASE,
)
_LOCKFILES = frozenset(
    {
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
        "composer.lock", "gemfile.lock", "bun.lockb", "deno.lock", "poetry.lock",
        "cargo.lock", "pipfile.lock",
    }
)  # fmt: skip
_GENERATED_OR_TEST = re.compile(
    r".\.(?:test|spec|stories|story)\.[^.]+\Z|\.d\.[cm]?ts\Z|\.min\.[^.]+\Z|\.map\Z", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file named on the command line that is not linted, and why."""

    path: str
    reason: str


def default_exclusion(name: str) -> str | None:
    """Why a file called ``name`` is skipped by default, or ``None``."""
    if _DEVELOPER_FILE.match(name):
        return f"a developer file ({name.split('.')[0]}*), not published copy"
    if name.lower() in _LOCKFILES:
        return "a lockfile"
    if _GENERATED_OR_TEST.search(name):
        return "a test, story, type declaration or generated file"
    return None


def discover(
    paths: Sequence[str],
    extensions: Sequence[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    root: str | None = None,
    default_excludes: bool = True,
    restricted: Mapping[str, Sequence[str]] | None = None,
    force_exclude: bool = False,
    skipped: list[Skipped] | None = None,
) -> tuple[list[str], list[FileError]]:
    """The files to lint under ``paths``, and the errors met finding them.

    ``restricted`` maps extensions (with the dot) to the gitignore-style globs under
    which a walk looks for them. Named files that are not linted are appended to
    ``skipped`` when it is given.
    """
    walk = _Walk.of(root, extensions, include, exclude, respect_gitignore, default_excludes,
                    restricted)
    for path in paths:
        if os.path.isdir(path):
            walk.directory(path)
        elif os.path.exists(path):
            reason = walk.named_file_exclusion(path, force=force_exclude)
            if reason is None:
                walk.files.add(os.path.normpath(path))
            elif skipped is not None:
                skipped.append(Skipped(path, reason))
        else:
            walk.errors.append(FileError(path, missing_reason(path)))
    return sorted(walk.files), walk.errors


def why_excluded(
    path: str,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    root: str | None = None,
    default_excludes: bool = True,
    restricted: Mapping[str, Sequence[str]] | None = None,
    force_exclude: bool = False,
) -> str | None:
    """Why a named file (or the name given to standard input) would not be linted, or
    ``None``; the same decision :func:`discover` makes for files named to it."""
    walk = _Walk.of(root, (), include, exclude, False, default_excludes, restricted)
    return walk.named_file_exclusion(path, force=force_exclude)


def _literal_folders(include: Sequence[str]) -> tuple[str, ...]:
    """The folder prefixes ``include`` globs spell out before their first wildcard."""
    folders: list[str] = []
    for pattern in include:
        literal = re.split(r"[*?\[]", pattern.lstrip("/"), maxsplit=1)[0]
        if "/" in literal:
            folders.append(literal.rsplit("/", 1)[0] + "/")
    return tuple(folders)


if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

    _Ignores = tuple[tuple[str, GitIgnoreSpec], ...]
    """Ignore specs with the directory each is relative to, lowest precedence first."""


def _spec(lines: Sequence[str]) -> GitIgnoreSpec:
    # Imported on first use: pathspec takes longer to import than a small page to lint.
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


@dataclass
class _Walk:
    root: str
    extensions: tuple[str, ...]
    include: GitIgnoreSpec | None
    exclude: GitIgnoreSpec | None
    respect_gitignore: bool
    default_excludes: bool = True
    included_folders: tuple[str, ...] = ()
    restricted_globs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _restricted: dict[str, GitIgnoreSpec] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    errors: list[FileError] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    reported_loops: set[str] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        root: str | None,
        extensions: Sequence[str],
        include: Sequence[str],
        exclude: Sequence[str],
        respect_gitignore: bool,
        default_excludes: bool,
        restricted: Mapping[str, Sequence[str]] | None,
    ) -> _Walk:
        restricted = restricted or {}
        return cls(
            root=os.path.abspath(root if root is not None else os.getcwd()),
            extensions=tuple(extension.lower() for extension in extensions),
            include=_spec(include) if include else None,
            exclude=_spec(exclude) if exclude else None,
            respect_gitignore=respect_gitignore,
            default_excludes=default_excludes,
            included_folders=_literal_folders(include),
            restricted_globs={ext.lower(): tuple(globs) for ext, globs in restricted.items()},
        )

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
                if entry.name.startswith(".") or self.default_folder(child, entry.name):
                    continue
                if not self.ignored(child, ignores, is_directory=True):
                    self.walk(child, ignores, inside)
            elif (
                entry.name.lower().endswith(self.extensions)
                and _is_file(entry)
                and not (self.default_excludes and default_exclusion(entry.name))
                and self.allowed_here(child) is None
                and not self.ignored(child, ignores, is_directory=False)
                and self.included(child)
            ):
                self.files.add(child)

    def default_folder(self, path: str, name: str) -> bool:
        """Whether a walk skips this folder by default (unless ``include`` names it)."""
        if not self.default_excludes:
            return False
        relative = _relative(path, self.root, is_directory=True)
        if not (name in DEFAULT_EXCLUDED_DIRECTORIES or relative.rstrip("/").endswith(
                _EXCLUDED_PATHS)):
            return False
        return not any(folder.startswith(relative) or relative.startswith(folder)
                       for folder in self.included_folders)

    def allowed_here(self, path: str) -> str | None:
        """Why a file of a restricted extension is not looked for at ``path``, or ``None``."""
        lowered = path.lower()
        for extension, globs in self.restricted_globs.items():
            if lowered.endswith(extension):
                spec = self._restricted.get(extension)
                if spec is None:  # made when a file of the extension first turns up
                    spec = self._restricted[extension] = _spec(globs)
                if spec.match_file(_relative(path, self.root, is_directory=False)):
                    return None
                where = ", ".join(self.restricted_globs[extension]) or "nowhere"
                return f"{extension} files are read only under {where}"
        return None

    def named_file_exclusion(self, path: str, *, force: bool) -> str | None:
        """Why a file named on the command line is not linted, or ``None``."""
        if self.exclude is not None:
            result = self.exclude.check_file(_relative(path, self.root, is_directory=False))
            if result.include and result.index is not None:
                pattern = self.exclude.patterns[result.index].pattern
                return f"excluded by {pattern.decode() if isinstance(pattern, bytes) else pattern}"
        if not force:
            return None
        if self.default_excludes:
            reason = default_exclusion(os.path.basename(path))
            if reason is not None:
                return f"{reason}, skipped by default"
            folder = self.default_parent(path)
            if folder is not None:
                return f"in {folder}, skipped by default"
        return self.allowed_here(path)

    def default_parent(self, path: str) -> str | None:
        """The default-skipped folder ``path`` lies in, relative to ``root``, if any."""
        relative = _relative(path, self.root, is_directory=False)
        parts = relative.split("/")[:-1]
        for index, name in enumerate(parts):
            folder = "/".join(parts[: index + 1])
            if name == ".." or not (name in DEFAULT_EXCLUDED_DIRECTORIES
                                    or folder.endswith(_EXCLUDED_PATHS)):
                continue
            if not any(included.startswith(folder + "/") or (folder + "/").startswith(included)
                       for included in self.included_folders):
                return folder + "/"
        return None

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
        spec = _read_ignore_file(os.path.join(directory, ".gitignore"))
        if spec is None:
            return ignores
        return (*ignores, (os.path.abspath(directory), spec))

    def ancestor_ignores(self, path: str) -> _Ignores:
        """The ignore files that apply to ``path`` from above it: the global excludes
        file and ``.git/info/exclude`` of its repository, then the ``.gitignore`` files
        up to the repository root (or up to ``root`` outside a repository)."""
        absolute = os.path.abspath(path)
        ignores: list[tuple[str, GitIgnoreSpec]] = []
        for directory in _ancestors(absolute, self.root):
            spec = _read_ignore_file(os.path.join(directory, ".gitignore"))
            if spec is not None:
                ignores.append((directory, spec))
        ignores.reverse()
        repository = _repository_root(absolute)
        if repository is not None:
            below = [_read_ignore_file(name) for name in (
                _global_excludes_file(repository), _info_exclude_file(repository)) if name]
            ignores[:0] = [(repository, spec) for spec in below if spec is not None]
        return tuple(ignores)


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


def _repository_root(path: str) -> str | None:
    """The nearest directory at or above ``path`` that holds ``.git``."""
    directory = path
    while not os.path.exists(os.path.join(directory, ".git")):
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
    return directory


def _git_directory(repository: str) -> str:
    """The repository's git directory; for a worktree or submodule (``.git`` is a file
    that points elsewhere) the common directory that holds ``info/exclude``."""
    dot_git = os.path.join(repository, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    try:
        with open(dot_git, encoding="utf-8") as file:
            pointer = file.read().strip()
    except (OSError, UnicodeDecodeError):
        return dot_git
    if not pointer.startswith("gitdir:"):
        return dot_git
    git_dir = os.path.normpath(os.path.join(repository, pointer[len("gitdir:") :].strip()))
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as file:
            return os.path.normpath(os.path.join(git_dir, file.read().strip()))
    except (OSError, UnicodeDecodeError):
        return git_dir


def _info_exclude_file(repository: str) -> str:
    return os.path.join(_git_directory(repository), "info", "exclude")


def _global_excludes_file(repository: str) -> str | None:
    """``core.excludesFile`` from the repository's, the user's and the system's git
    configuration (the nearest wins), else git's default ``$XDG_CONFIG_HOME/git/ignore``."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    candidates = [
        os.path.join(_git_directory(repository), "config"),
        os.environ.get("GIT_CONFIG_GLOBAL") or os.path.join(home, ".gitconfig"),
        os.path.join(xdg, "git", "config"),
        os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig",
    ]
    for config in candidates:
        value = _excludes_setting(config)
        if value is not None:
            return os.path.expanduser(value) if value else None
    return os.path.join(xdg, "git", "ignore")


_SECTION = re.compile(r"\s*\[\s*([A-Za-z0-9.-]+)(?:\s+\"[^\"]*\")?\s*\]")
_EXCLUDES_KEY = re.compile(r"\s*excludesfile\s*=\s*(.*?)\s*(?:[#;].*)?\Z", re.IGNORECASE)


def _excludes_setting(config: str) -> str | None:
    """The last ``core.excludesFile`` in one git config file, or ``None`` if unset."""
    try:
        with open(config, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    section = ""
    value: str | None = None
    for line in lines:
        header = _SECTION.match(line)
        if header is not None:
            section = header.group(1).lower()
            continue
        setting = _EXCLUDES_KEY.match(line)
        if section == "core" and setting is not None:
            value = setting.group(1).strip('"')
    return value


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_ignore_file(path: str) -> GitIgnoreSpec | None:
    try:
        with open(path, encoding="utf-8") as file:
            return _spec(file.read().splitlines())
    except (OSError, UnicodeDecodeError):
        return None


def _gitignored(path: str, ignores: _Ignores, *, is_directory: bool) -> bool:
    """Whether the deepest ignore file with a pattern for ``path`` ignores it."""
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
