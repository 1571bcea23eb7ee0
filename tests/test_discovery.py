"""File discovery: extensions, .gitignore at every level, include/exclude, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from healthlint.discovery import DEFAULT_EXTENSIONS, discover


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("text\n", encoding="utf-8")


def found(root: Path, paths: list[str] | None = None, **options: object) -> list[str]:
    files, errors = discover(
        paths or [str(root)],
        DEFAULT_EXTENSIONS,
        root=str(root),
        **options,  # type: ignore[arg-type]
    )
    assert errors == []
    return [os.path.relpath(file, root).replace(os.sep, "/") for file in files]


def test_walks_for_extensions_and_skips_hidden_and_node_modules(tmp_path: Path) -> None:
    make(
        tmp_path,
        "a.md",
        "b.HTML",
        "c.mdx",
        "d.txt",
        "e.py",
        "docs/f.markdown",
        "docs/g.htm",
        ".hidden/h.md",
        "node_modules/pkg/i.md",
        ".git/j.md",
    )
    assert found(tmp_path) == ["a.md", "b.HTML", "c.mdx", "d.txt", "docs/f.markdown", "docs/g.htm"]


def test_gitignore_with_nested_negation(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    make(
        tmp_path,
        "keep.md",
        "draft.md",
        "generated/out.md",
        "posts/a.md",
        "posts/draft.md",
        "posts/old/b.md",
        "posts/old/c.md",
    )
    (tmp_path / ".gitignore").write_text("draft.md\ngenerated/\n# comment\n", encoding="utf-8")
    (tmp_path / "posts" / ".gitignore").write_text(
        "!draft.md\nold/*.md\n!old/c.md\n", encoding="utf-8"
    )
    assert found(tmp_path) == ["keep.md", "posts/a.md", "posts/draft.md", "posts/old/c.md"]
    assert found(tmp_path, respect_gitignore=False) == [
        "draft.md",
        "generated/out.md",
        "keep.md",
        "posts/a.md",
        "posts/draft.md",
        "posts/old/b.md",
        "posts/old/c.md",
    ]


def test_gitignore_above_the_walked_directory_applies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    make(tmp_path, "docs/a.md", "docs/private/b.md")
    (tmp_path / ".gitignore").write_text("docs/private/\n", encoding="utf-8")
    assert found(tmp_path, [str(tmp_path / "docs")]) == ["docs/a.md"]


def test_include_and_exclude_are_relative_to_root(tmp_path: Path) -> None:
    make(tmp_path, "a.md", "b.html", "docs/c.md", "docs/d.md", "vendor/e.md")
    assert found(tmp_path, include=["*.md"], exclude=["vendor/", "docs/d.md"]) == [
        "a.md",
        "docs/c.md",
    ]


def test_explicit_files_are_kept_unless_excluded(tmp_path: Path) -> None:
    make(tmp_path, "notes.rst", "draft.md", "ignored.md")
    (tmp_path / ".gitignore").write_text("ignored.md\n", encoding="utf-8")
    paths = [str(tmp_path / name) for name in ("notes.rst", "draft.md", "ignored.md")]
    assert found(tmp_path, paths, exclude=["draft.md"]) == ["ignored.md", "notes.rst"]


def test_results_are_sorted_and_deduplicated(tmp_path: Path) -> None:
    make(tmp_path, "b.md", "a.md")
    assert found(tmp_path, [str(tmp_path), str(tmp_path / "a.md"), str(tmp_path / "b.md")]) == [
        "a.md",
        "b.md",
    ]


def test_missing_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.md")
    files, errors = discover([missing], DEFAULT_EXTENSIONS, root=str(tmp_path))
    assert files == []
    assert [(e.path, e.message) for e in errors] == [(missing, "no such file or directory")]


def test_symlink_loop_is_reported_once(tmp_path: Path) -> None:
    make(tmp_path, "site/a.md")
    os.symlink(tmp_path / "site", tmp_path / "site" / "loop")
    os.symlink(tmp_path / "site", tmp_path / "site" / "again")
    files, errors = discover([str(tmp_path / "site")], DEFAULT_EXTENSIONS, root=str(tmp_path))
    assert files == [str(tmp_path / "site" / "a.md")]
    assert len(errors) == 1
    assert "symbolic link loop" in errors[0].message


def test_directory_that_cannot_be_listed_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreadable directory is reported and the walk goes on. The error is injected
    rather than made with chmod, which root (as in CI) ignores."""
    make(tmp_path, "ok/a.md", "locked/b.md")
    locked = str(tmp_path / "locked")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.abspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, errors = discover([str(tmp_path)], DEFAULT_EXTENSIONS, root=str(tmp_path))
    assert files == [str(tmp_path / "ok" / "a.md")]
    assert [(e.path, e.message) for e in errors] == [
        (locked, "cannot read directory: Permission denied")
    ]
