"""``healthlint check --watch``: a real watcher on a temporary folder, in a subprocess."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from healthlint.cli import EXIT_ERROR, main
from healthlint.engine import Linter
from healthlint.watch import difference

SAFE = "We offer PRP injections at our clinic. Our PRP injections are extremely safe.\n"
CURE = "We offer PRP injections at our clinic. Our sessions cure tendon pain.\n"


def _answer_ctrl_c() -> None:
    """Ctrl-C stops the watcher even when the tests themselves ignore it: a shell starts a
    background job (``.ci/run &``) with SIGINT ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Session:
    """``healthlint check --watch`` in a subprocess, its output lines collected as they come."""

    def __init__(self, cwd: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "healthlint", "check", "--watch", *args], cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            preexec_fn=_answer_ctrl_c if os.name == "posix" else None)
        self.out: queue.Queue[str] = queue.Queue()
        self.err: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()

    @staticmethod
    def _collect(stream: IO[str], lines: queue.Queue[str]) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    def until(self, lines: queue.Queue[str], wanted: str, timeout: float = 60) -> list[str]:
        """Lines read up to and including the first that contains ``wanted``."""
        deadline = time.monotonic() + timeout
        read: list[str] = []
        while True:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {wanted!r} within {timeout} s; got {read}"
                                     ) from None
            read.append(line)
            if wanted in line:
                return read

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.mark.slow
def test_watch_prints_only_what_changed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    page = site / "page.md"
    page.write_text(f"# PRP\n\n{SAFE}", encoding="utf-8")
    (site / "other.txt").write_text("Nothing to report here.\n", encoding="utf-8")
    session = Session(tmp_path, "--output-format", "concise", "site")
    try:
        first = session.until(session.out, "Found ")
        assert any("page.md:3:" in line and "HL104" in line for line in first)
        session.until(session.err, "Watching 2 files")

        # The safety claim goes, a cure claim comes.
        page.write_text(f"# PRP\n\n{CURE}", encoding="utf-8")
        changed = session.until(session.out, " re-linted file")
        assert any(line.startswith("site/page.md:3:") and " HL113 " in line for line in changed)
        assert any(line.startswith("resolved: site/page.md:3:") and "HL104" in line
                   for line in changed)
        assert not any("HL108" in line for line in changed)  # unchanged: not printed again
        assert "resolved in 1 re-linted file; now" in changed[-1]

        # A line above the claim moves it without changing it: nothing new, nothing resolved.
        page.write_text(f"# PRP\n\nAn introduction.\n\n{CURE}", encoding="utf-8")
        moved = session.until(session.out, " re-linted file")
        assert moved == [moved[-1]] and "no change in 1 re-linted file" in moved[-1]

        # A new configuration applies to every file.
        (site / ".healthlint.yaml").write_text("ignore: [HL113]\n", encoding="utf-8")
        reconfigured = session.until(session.out, " re-linted file")
        assert any(line.startswith("resolved: site/page.md:5:") and "HL113" in line
                   for line in reconfigured)

        # Ctrl-C ends the watch cleanly.
        assert session.stop() == 0
        assert "stopped watching" in session.until(session.err, "stopped watching")[-1]
    finally:
        session.stop()


def test_watch_rejects_options_it_cannot_honour(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in ((["-"], "standard input"),
                          (["--output-format", "json", "."], "full or concise"),
                          (["--fix", "."], "--fix cannot be combined with --watch")):
        assert main(["check", "--watch", *argv]) == EXIT_ERROR
        assert message in capsys.readouterr().err


def test_watch_without_watchfiles_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles", None)

    assert main(["check", "--watch", str(tmp_path)]) == EXIT_ERROR
    assert "install healthlint[watch]" in capsys.readouterr().err


def test_difference_matches_findings_by_claim_not_by_line(linter: Linter) -> None:
    before = linter.lint_text(f"# PRP\n\n{SAFE}", "page.md")
    moved = linter.lint_text(f"# PRP\n\nAn introduction.\n\n{SAFE}", "page.md")
    twice = linter.lint_text(f"# PRP\n\n{SAFE}\n{SAFE}", "page.md")

    assert difference(before, moved) == ([], [])
    added, resolved = difference(before, twice)
    assert [d.code for d in added] == ["HL104"] and resolved == []
    assert difference(twice, None)[1] == twice.diagnostics
