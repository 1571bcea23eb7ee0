"""``--fix`` writes only complete sentences, only into the text it linted, atomically.

The shipped rules' suggestions are fragments or have blanks to fill, so they are shown and
never written. Writing is exercised with the ``demo-sentence`` test plugin, whose
suggestion replaces a whole sentence with a complete one (``tests/demo_plugin.py``).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from demo_plugin import RULES, environment, install
from healthlint.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main
from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.fixes import fix_file, writable
from healthlint.types import Edit, Span

PAGE = "We offer knee injections at our clinic.\nOur injections are completely safe.\n"
SAFE_SENTENCE = "Our injections are completely safe."
SUGGESTION = "Ask us which risks apply to you before you decide."
FIXED = PAGE.replace(SAFE_SENTENCE, SUGGESTION)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo plugin installed for this process, with a config that loads its rule."""
    folder = install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".healthlint.yaml").write_text(f"rules: [{RULES.as_posix()}]\n", encoding="utf-8")
    return folder


def _edit(text: str, original: str, replacement: str) -> Edit:
    start = text.index(original)
    return Edit(Span(start, start + len(original)), replacement)


@pytest.mark.parametrize(("original", "replacement"), [
    ("Our treatment is completely safe.", "Ask us which risks apply to you."),
    ("We offer PRP.", "We offer platelet-rich plasma injections."),
])
def test_a_whole_sentence_replaced_by_a_complete_sentence_is_writable(
        original: str, replacement: str) -> None:
    text = "We offer PRP. Our treatment is completely safe. Call us.\n"
    assert writable(_edit(text, original, replacement), text)


@pytest.mark.parametrize(("original", "replacement", "why"), [
    ("completely safe", "generally well tolerated", "a phrase inside a sentence"),
    ("Our treatment is completely safe.", "Risks include (list the specific risks).",
     "a blank to fill in brackets"),
    ("Our treatment is completely safe.", "Risks include [risks].", "a bracketed blank"),
    ("Our treatment is completely safe.", "may help reduce symptoms in some patients",
     "a lower-case fragment"),
    ("Our treatment is completely safe.", "It is safe; risks include <b>x</b>.", "markup"),
    ("Our treatment is completely safe.", "Fine", "one word, no full stop"),
])
def test_fragments_and_blanks_are_never_writable(original: str, replacement: str,
                                                 why: str) -> None:
    text = "We offer PRP. Our treatment is completely safe. Call us.\n"
    assert not writable(_edit(text, original, replacement), text), why


def test_a_sentence_that_holds_markup_is_not_cut_in_half() -> None:
    text = "We offer PRP. Our <b>treatment</b> is completely safe. Call us.\n"
    edit = _edit(text, "Our <b>treatment</b> is completely safe.", "Ask us about the risks.")
    assert not writable(edit, text)


def test_shipped_suggestions_are_shown_but_never_written(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--no-config", "--fix", "--unsafe-fixes", str(page)]) == EXIT_FINDINGS
    out, err = capsys.readouterr()
    assert page.read_text() == PAGE
    assert "0 fixes applied." in err
    assert "suggestion (edit by hand; not applied by --fix)" in out
    assert "risks include (list the specific risks)" in out


def test_fix_with_nothing_to_apply_says_so(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text("Knee pain has many causes.\n")
    assert main(["check", "--no-config", "--fix", str(page)]) == EXIT_OK
    assert "0 fixes applied." in capsys.readouterr().err


def test_whole_sentence_fix_is_written_keeping_bom_and_crlf(site: Path, tmp_path: Path,
                                                             capsys) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"\xef\xbb\xbf" + PAGE.replace("\n", "\r\n").encode())
    main(["check", "--select", "DEMO10", "--fix", "--unsafe-fixes", str(page)])
    raw = page.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode() == FIXED.replace("\n", "\r\n")
    assert "1 fix applied." in capsys.readouterr().err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".page.md.")]


def test_utf16_pages_are_fixed_in_utf16(site: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"\xff\xfe" + PAGE.encode("utf-16-le"))
    main(["check", "--select", "DEMO10", "--fix", "--unsafe-fixes", str(page)])
    assert page.read_bytes() == b"\xff\xfe" + FIXED.encode("utf-16-le")


def test_without_unsafe_fixes_nothing_is_written(site: Path, tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--select", "DEMO10", "--fix", str(page)]) == EXIT_FINDINGS
    assert page.read_text() == PAGE


def test_a_file_changed_since_it_was_linted_is_left_alone(site: Path, tmp_path: Path) -> None:
    """Offsets from a lint are meaningless in a file edited since: applying them wrote
    "Chimay help reduce symptoms..." into the middle of other words."""
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    result = Linter(Settings(rule_dirs=(str(RULES),), select=("DEMO10",))).lint_file(str(page))
    page.write_text("A line added above.\n" + PAGE)
    outcome = fix_file(str(page), result.diagnostics, unsafe=True, linted=result.source or "")
    assert outcome.applied == 0
    assert "changed after it was linted" in (outcome.error or "")
    assert page.read_text() == "A line added above.\n" + PAGE


def test_a_symbolic_link_is_followed_and_stays_a_link(site: Path, tmp_path: Path) -> None:
    target = tmp_path / "real" / "page.md"
    target.parent.mkdir()
    target.write_text(PAGE)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    main(["check", "--select", "DEMO10", "--fix", "--unsafe-fixes", str(link)])
    assert link.is_symlink()
    assert target.read_text() == FIXED


def test_a_read_only_file_is_reported_and_not_written(site: Path, tmp_path: Path,
                                                      capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    page.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        code = main(["check", "--select", "DEMO10", "--fix", "--unsafe-fixes", str(page)])
    finally:
        page.chmod(0o644)
    out, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert page.read_text() == PAGE
    assert "not fixed: the file is read-only" in out
    assert "Traceback" not in err


def test_an_unwritable_folder_is_reported_per_file(site: Path, tmp_path: Path, capsys,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod cannot stop root from writing, so the folder's refusal is simulated.
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    page = tmp_path / "page.md"
    page.write_text(PAGE)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code = main(["check", "--select", "DEMO10", "--fix", "--unsafe-fixes", str(page)])
    out, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert "not fixed: cannot write: Permission denied" in out
    assert "Traceback" not in err
    assert page.read_text() == PAGE


def test_diff_previews_and_writes_nothing(site: Path, tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--select", "DEMO10", "--diff", "--unsafe-fixes", str(page)]) == 1
    out, err = capsys.readouterr()
    assert page.read_text() == PAGE
    assert f"-{SAFE_SENTENCE}\n+{SUGGESTION}\n" in out
    assert out.startswith(f"--- a/{page}\n+++ b/{page}\n")
    assert "1 fix would be applied." in err


def test_diff_with_nothing_to_apply_exits_zero(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--no-config", "--diff", "--unsafe-fixes", str(page)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 fixes would be applied." in err


def test_option_abbreviations_are_refused(tmp_path: Path, capsys) -> None:
    """``--diff`` used to be taken as an abbreviation of ``--diff-base``."""
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--no-config", "--diff-b", "main", str(page)]) == EXIT_ERROR
    assert "unrecognized arguments: --diff-b" in capsys.readouterr().err


def test_unsafe_fixes_need_fix_or_diff(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--no-config", "--unsafe-fixes", str(page)]) == EXIT_ERROR
    assert "--unsafe-fixes only takes effect with --fix or --diff" in capsys.readouterr().err


@pytest.mark.slow
def test_two_parallel_fix_runs_never_corrupt_a_file(tmp_path: Path) -> None:
    """Two ``--fix --unsafe-fixes`` runs on one file: each either applies its fixes to the
    text it linted or says it did not, and the file ends up fixed exactly once. Before the
    content check and the lock, the second run applied its offsets to the first run's
    output (2 corrupted files in 5 trials) and both exited 1 without a word."""
    site = install(tmp_path / "site")
    # The rule takes a second per check, so both runs have read the page before
    # either writes it, whatever their start-up times.
    slow = tmp_path / "slow-rules"
    slow.mkdir()
    rule = (RULES / "DEMO10-completely-safe-sentence.yaml").read_text(encoding="utf-8")
    (slow / "DEMO10-completely-safe-sentence.yaml").write_text(
        rule.replace("  pattern: completely safe\n", "  pattern: completely safe\n  seconds: 1\n"),
        encoding="utf-8")
    (tmp_path / ".healthlint.yaml").write_text(f"rules: [{slow.as_posix()}]\nselect: [DEMO10]\n",
                                               encoding="utf-8")
    # Several fixes of a different length per file, so stale offsets would show.
    sentences = [f"Treatment {n} is completely safe." for n in range(6)]
    page_text = "\n\n".join(f"We offer care {n}. {s} Call us." for n, s in enumerate(sentences))
    expected = page_text
    for sentence in sentences:
        expected = expected.replace(sentence, SUGGESTION)
    command = [sys.executable, "-m", "healthlint", "check", "--fix", "--unsafe-fixes", "page.md"]
    for trial in range(2):
        page = tmp_path / "page.md"
        page.write_text(page_text + "\n")
        runs = [subprocess.Popen(command, cwd=tmp_path, env=environment(site),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        assert page.read_text() == expected + "\n", f"trial {trial}: {results}"
        for code, out, err in results:
            assert "Traceback" not in err
            said = "6 fixes applied." in err or "0 fixes applied." in err
            assert said, err
            if "not fixed" in out:
                assert "changed after it was linted" in out and code == EXIT_ERROR
        assert sum("6 fixes applied." in err for _, _, err in results) == 1, results
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".healthlint-tmp")]


def test_fix_file_reports_a_missing_file(site: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    result = Linter(Settings(rule_dirs=(str(RULES),), select=("DEMO10",),
                             )).lint_file(str(page))
    os.unlink(page)
    outcome = fix_file(str(page), result.diagnostics, unsafe=True, linted=result.source or "")
    assert outcome.applied == 0
    assert outcome.error == "not fixed: cannot read file: No such file or directory"


def test_a_bad_option_stops_the_run_before_any_file_is_rewritten(site: Path, tmp_path: Path,
                                                                  capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    fix = ["check", "--select", "DEMO10", "--fix", "--unsafe-fixes"]
    for options, message in [
        (["--output-format", "typo"], "unknown output format 'typo'"),
        (["--output", "sarif:missing/dir/out.sarif"], "No such file or directory"),
        (["--output-file", str(tmp_path)], "Is a directory"),
        (["--baseline", "missing.json"], "baseline"),
    ]:
        assert main([*fix, *options, str(page)]) == EXIT_ERROR
        err = capsys.readouterr().err
        assert message in err and "applied" not in err
        assert page.read_text() == PAGE
    main([*fix, str(page)])  # the same fix, with good options, does apply
    assert page.read_text() == FIXED
