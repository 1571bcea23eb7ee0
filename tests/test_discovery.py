"""File discovery: extensions, .gitignore at every level, include/exclude, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from healthlint.discovery import DEFAULT_EXTENSIONS, Skipped, discover, why_excluded


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



def rel(root: Path, files: list[str]) -> list[str]:
    return [os.path.relpath(file, root).replace(os.sep, "/") for file in files]


ALL_EXTENSIONS = (*DEFAULT_EXTENSIONS, ".tsx", ".js", ".ts", ".json", ".yml")


def test_developer_files_dependencies_build_output_and_tests_are_skipped(tmp_path: Path) -> None:
    make(
        tmp_path,
        "index.md", "README.md", "docs/readme.txt", "CHANGELOG.md", "CONTRIBUTING.md",
        "LICENSE.txt", "CODE_OF_CONDUCT.md", "about/history.md",
        "dist/a.html", "build/b.html", "public/c.html", "_site/d.html", "out/e.html",
        ".next/f.html", ".astro/g.md", "resources/_gen/h.html", "site/resources/_gen/i.html",
        "vendor/bundle/j.md", "node_modules/k/l.md",
        "src/Hero.tsx", "src/Hero.test.tsx", "src/Hero.spec.js", "src/__tests__/m.tsx",
        "src/Hero.stories.tsx", "src/env.d.ts", "static/app.min.js", "package-lock.json",
    )
    files, _ = discover([str(tmp_path)], ALL_EXTENSIONS, root=str(tmp_path))
    assert rel(tmp_path, files) == ["about/history.md", "index.md", "src/Hero.tsx"]
    everything, _ = discover([str(tmp_path)], ALL_EXTENSIONS, root=str(tmp_path),
                             default_excludes=False)
    assert len(everything) == 25  # all but the hidden .next/ and .astro/ folders


def test_an_include_glob_that_names_a_skipped_folder_walks_it(tmp_path: Path) -> None:
    make(tmp_path, "public/index.html", "public/about/a.html", "build/b.html")
    assert found(tmp_path, include=["public/**/*.html"]) == ["public/about/a.html",
                                                             "public/index.html"]
    assert found(tmp_path, [str(tmp_path / "public")]) == ["public/about/a.html",
                                                           "public/index.html"]


def test_restricted_extensions_are_found_only_under_their_paths(tmp_path: Path) -> None:
    make(tmp_path, "_data/team.yml", "data/faq.json", "content/x/page.json", "package.json",
         ".github/workflows/ci.yml", "docker-compose.yml", "src/data/a.json")
    restricted = {".yml": ["_data/", "data/"], ".json": ["data/", "content/**/*.json"]}
    files, _ = discover([str(tmp_path)], ALL_EXTENSIONS, root=str(tmp_path),
                        restricted=restricted)
    assert rel(tmp_path, files) == [
        "_data/team.yml", "content/x/page.json", "data/faq.json", "src/data/a.json"]


def test_git_info_exclude_and_the_global_excludes_file(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / ".git" / "info").mkdir(parents=True)
    (repo / ".git" / "info" / "exclude").write_text("local-notes/\n", encoding="utf-8")
    home = tmp_path / "home"
    (home / ".config" / "git").mkdir(parents=True)
    (home / ".config" / "git" / "ignore").write_text("*.scratch.md\nkept.md\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "absent-gitconfig"))
    make(repo, "a.md", "local-notes/b.md", "c.scratch.md", "docs/kept.md")
    (repo / "docs" / ".gitignore").write_text("!kept.md\n", encoding="utf-8")
    assert found(repo) == ["a.md", "docs/kept.md"]
    assert found(repo, [str(repo / "docs")]) == ["docs/kept.md"]

    # core.excludesFile moves the global file; a .gitignore still wins over it.
    (home / "custom-ignore").write_text("a.md\n", encoding="utf-8")
    (home / "gitconfig").write_text(
        '[user]\n\tname = x\n[core]\n\texcludesFile = "~/custom-ignore"\n', encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    assert found(repo) == ["c.scratch.md", "docs/kept.md"]


def test_info_exclude_of_a_worktree_is_in_the_common_git_directory(tmp_path: Path) -> None:
    common = tmp_path / "main" / ".git"
    (common / "info").mkdir(parents=True)
    (common / "info" / "exclude").write_text("drafts/\n", encoding="utf-8")
    (common / "worktrees" / "wt").mkdir(parents=True)
    (common / "worktrees" / "wt" / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = tmp_path / "wt"
    make(worktree, "a.md", "drafts/b.md")
    (worktree / ".git").write_text(f"gitdir: {common / 'worktrees' / 'wt'}\n", encoding="utf-8")
    assert found(worktree) == ["a.md"]


def test_named_files_are_linted_unless_excluded_or_forced(tmp_path: Path) -> None:
    make(tmp_path, "README.md", "legal/terms.md", "src/Hero.test.tsx", "package.json",
         "public/x.html", "page.md")
    names = ["README.md", "legal/terms.md", "src/Hero.test.tsx", "package.json",
             "public/x.html", "page.md"]
    paths = [str(tmp_path / name) for name in names]
    options = {"root": str(tmp_path), "exclude": ["legal/**"],
               "restricted": {".json": ["data/"]}}
    skipped: list[Skipped] = []
    files, _ = discover(paths, ALL_EXTENSIONS, skipped=skipped, **options)  # type: ignore[arg-type]
    assert rel(tmp_path, files) == ["README.md", "package.json", "page.md", "public/x.html",
                                    "src/Hero.test.tsx"]
    assert [(rel(tmp_path, [s.path])[0], s.reason) for s in skipped] == [
        ("legal/terms.md", "excluded by legal/**")]

    skipped.clear()
    files, _ = discover(paths, ALL_EXTENSIONS, skipped=skipped, force_exclude=True,
                        **options)  # type: ignore[arg-type]
    assert rel(tmp_path, files) == ["page.md"]
    assert [s.reason for s in skipped] == [
        "a developer file (README*), not published copy, skipped by default",
        "excluded by legal/**",
        "a test, story, type declaration or generated file, skipped by default",
        ".json files are read only under data/",
        "in public/, skipped by default",
    ]
    assert why_excluded(str(tmp_path / "README.md"), root=str(tmp_path)) is None
    assert why_excluded(str(tmp_path / "README.md"), root=str(tmp_path), force_exclude=True)
