"""Changed lines from real git repositories, and report filtering by them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from healthlint.errors import ConfigError
from healthlint.gitdiff import ALL, ChangedLines, changed_lines, filter_report
from healthlint.types import FileError
from outputs.builders import flag, page_level, report, result

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PAGE = "\n".join(f"line {n}" for n in range(1, 11)) + "\n"


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git config may change what the tests see."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "author@example.invalid")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, encoding="utf-8"
    )
    return done.stdout


def write(repo: Path, name: str, text: str) -> Path:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on ``main`` with a few pages committed, checked out on ``feature``."""
    root = tmp_path / "site"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "content/page.md", PAGE)
    write(root, "content/old name.md", PAGE)
    write(root, "content/gone.md", PAGE)
    write(root, "content/untouched.md", PAGE)
    write(root, ".gitignore", "*.log\n")
    commit_all(root, "initial pages")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def key(repo: Path, name: str) -> str:
    return os.path.normcase(os.path.join(os.path.realpath(repo), *name.split("/")))


def edit(repo: Path, name: str, replacements: dict[str, str]) -> None:
    path = repo / name
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def test_edited_lines_are_reported_by_number(repo: Path) -> None:
    edit(repo, "content/page.md", {"line 3\n": "line three\n", "line 7\n": "line 7\nadded\n"})
    changed = changed_lines("main", cwd=repo)
    assert changed == {key(repo, "content/page.md"): {3, 8}}


def test_committed_and_uncommitted_changes_both_count(repo: Path) -> None:
    edit(repo, "content/page.md", {"line 2\n": "line two\n"})
    commit_all(repo, "edit line 2")
    edit(repo, "content/page.md", {"line 9\n": "line nine\n"})
    assert changed_lines("main", cwd=repo)[key(repo, "content/page.md")] == {2, 9}


def test_deletion_only_marks_the_file_changed_without_lines(repo: Path) -> None:
    edit(repo, "content/page.md", {"line 5\n": ""})
    assert changed_lines("main", cwd=repo) == {key(repo, "content/page.md"): set()}


def test_new_untracked_and_deleted_files(repo: Path) -> None:
    write(repo, "content/new tracked.md", "fresh\n")
    git(repo, "add", "content/new tracked.md")
    write(repo, "content/untracked.md", "draft\n")
    write(repo, "content/debug.log", "ignored\n")
    (repo / "content/gone.md").unlink()
    changed = changed_lines("main", cwd=repo)
    assert changed == {
        key(repo, "content/new tracked.md"): ALL,
        key(repo, "content/untracked.md"): ALL,
    }


def test_renames_report_the_new_path_and_only_edited_lines(repo: Path) -> None:
    git(repo, "mv", "content/old name.md", "content/new name.md")
    edit(repo, "content/new name.md", {"line 4\n": "line four\n"})
    git(repo, "add", "-A")
    assert changed_lines("main", cwd=repo) == {key(repo, "content/new name.md"): {4}}


def test_a_pure_rename_changes_no_lines(repo: Path) -> None:
    git(repo, "mv", "content/page.md", "content/moved.md")
    assert changed_lines("main", cwd=repo) == {}


@pytest.mark.parametrize(
    "name",
    ["content/with space.md", "content/café é.md", 'content/quo"te.md', "content/tab\tname.md"],
)
def test_unusual_file_names(repo: Path, name: str) -> None:
    write(repo, name, PAGE)
    commit_all(repo, "add an oddly named page")
    edit(repo, name, {"line 6\n": "line six\n"})
    assert changed_lines("HEAD", cwd=repo) == {key(repo, name): {6}}
    write(repo, "untracked " + name, "new\n")
    assert changed_lines("HEAD", cwd=repo)[key(repo, "untracked " + name)] is ALL


def test_removed_lines_that_look_like_headers_do_not_confuse_the_parser(repo: Path) -> None:
    write(repo, "content/dashes.md", "-- signature\n++ plus\nkeep\n")
    commit_all(repo, "dashes")
    write(repo, "content/dashes.md", "+++ b/fake.md\nkeep\n--- a/other.md\n")
    changed = changed_lines("HEAD", cwd=repo)
    assert changed == {key(repo, "content/dashes.md"): {1, 3}}


def test_changes_on_the_base_branch_after_branching_are_not_ours(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    edit(repo, "content/untouched.md", {"line 1\n": "line one on main\n"})
    commit_all(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    edit(repo, "content/page.md", {"line 10\n": "line ten\n"})
    assert changed_lines("main", cwd=repo) == {key(repo, "content/page.md"): {10}}


def test_paths_limit_the_diff_and_are_relative_to_cwd(repo: Path) -> None:
    edit(repo, "content/page.md", {"line 1\n": "line one\n"})
    edit(repo, "content/untouched.md", {"line 1\n": "line one\n"})
    write(repo, "content/other draft.md", "new\n")
    changed = changed_lines("main", ["page.md"], cwd=repo / "content")
    assert changed == {key(repo, "content/page.md"): {1}}


def test_directory_paths_and_very_many_paths(repo: Path) -> None:
    edit(repo, "content/page.md", {"line 1\n": "line one\n"})
    write(repo, "elsewhere/new.md", "new\n")
    assert changed_lines("main", ["content"], cwd=repo) == {key(repo, "content/page.md"): {1}}
    many = [f"content/missing-{n:05}-{'x' * 40}.md" for n in range(5000)] + ["elsewhere"]
    assert changed_lines("main", many, cwd=repo) == {key(repo, "elsewhere/new.md"): ALL}


def test_an_unknown_ref_is_a_config_error(repo: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot resolve 'origin/nope' to a commit.*fetch"):
        changed_lines("origin/nope", cwd=repo)


def test_a_ref_that_looks_like_an_option_is_refused(repo: Path) -> None:
    with pytest.raises(ConfigError, match="not a git revision"):
        changed_lines("--output=/tmp/x", cwd=repo)


def test_outside_a_repository_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    # Even if the temporary folder sits inside some repository, git must not look above it.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(ConfigError, match="not inside one"):
        changed_lines("main", cwd=plain)


def test_a_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a directory"):
        changed_lines("main", cwd=tmp_path / "missing")


def _changed(repo: Path, **lines: set[int]) -> ChangedLines:
    return {key(repo, f"content/{name}.md"): value for name, value in lines.items()}


SOURCE = "Intro.\nHelps 95% of patients.\nCures\nback pain.\nThe end.\n"


def test_filter_keeps_findings_that_touch_a_changed_line(repo: Path) -> None:
    path = "content/page.md"
    findings = [
        flag(path, SOURCE, "95% of patients"),
        flag(path, SOURCE, "Cures\nback pain", "HL104"),
    ]
    full = report(result(path, SOURCE, findings))
    only_line_4 = filter_report(full, _changed(repo, page={4}), root=str(repo))
    assert only_line_4.diagnostics == [findings[1]]
    only_line_2 = filter_report(full, _changed(repo, page={2}), root=str(repo))
    assert only_line_2.diagnostics == [findings[0]]
    assert filter_report(full, _changed(repo, page={1, 5}), root=str(repo)).diagnostics == []
    everything = filter_report(full, {key(repo, path): ALL}, root=str(repo))
    assert everything.diagnostics == findings


def test_document_level_findings_need_only_a_changed_file(repo: Path) -> None:
    path = "content/page.md"
    missing = page_level(path, SOURCE)
    full = report(result(path, SOURCE, [missing]))
    assert filter_report(full, _changed(repo, page=set()), root=str(repo)).diagnostics == [missing]
    assert filter_report(full, {}, root=str(repo)).diagnostics == []


def test_unchanged_files_stay_listed_without_findings_or_errors(repo: Path) -> None:
    path = "content/untouched.md"
    error = FileError(path, "rule timed out")
    full = report(result(path, SOURCE, [flag(path, SOURCE, "95% of patients")], [error]))
    filtered = filter_report(full, {}, root=str(repo))
    assert [(f.path, f.diagnostics, f.errors, f.source) for f in filtered.files] == [
        (path, [], [], SOURCE)
    ]
    kept = filter_report(full, _changed(repo, untouched=set()), root=str(repo))
    assert kept.files[0].errors == [error]


def test_absolute_diagnostic_paths_match_too(repo: Path) -> None:
    path = str(repo / "content" / "page.md")
    finding = flag(path, SOURCE, "95% of patients")
    filtered = filter_report(report(result(path, SOURCE, [finding])), _changed(repo, page={2}))
    assert filtered.diagnostics == [finding]


def test_end_to_end_with_a_real_diff(repo: Path) -> None:
    write(repo, "content/page.md", SOURCE)
    commit_all(repo, "claims")
    edit(repo, "content/page.md", {"Intro.\n": "Intro.\nNew: 100% success.\n"})
    source = (repo / "content/page.md").read_text(encoding="utf-8")
    path = "content/page.md"
    findings = [flag(path, source, "100% success"), flag(path, source, "95% of patients")]
    changed = changed_lines("HEAD", cwd=repo)
    filtered = filter_report(report(result(path, source, findings)), changed, root=str(repo))
    assert filtered.diagnostics == [findings[0]]


def test_an_unknown_base_lists_the_branches_that_exist(repo: Path) -> None:
    """The usual mistake: ``--diff-base main`` in a repository whose branch is ``master``."""
    git(repo, "branch", "-q", "-m", "main", "master")
    with pytest.raises(ConfigError,
                       match=r"cannot resolve 'main'.* Branches here: feature, master\."):
        changed_lines("main", cwd=repo)


def test_an_empty_base_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from healthlint.cli import EXIT_ERROR, main

    monkeypatch.chdir(repo)
    assert main(["check", "--no-config", "--diff-base", "", "content"]) == EXIT_ERROR
    assert "argument --diff-base: needs a git ref" in capsys.readouterr().err
