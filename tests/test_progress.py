"""Progress on long runs: drawn on a terminal's stderr only, never in a pipe, CI or stdout."""

from __future__ import annotations

import io
import os
import pty
import select
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import healthlint.progress
from healthlint.cli import main
from healthlint.engine import lint_text
from healthlint.progress import Progress, wanted
from healthlint.runner import Job, run
from healthlint.types import FileResult

CLAIM = "We offer knee injections at our clinic. They are risk-free.\n"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _result(findings: int) -> FileResult:
    diagnostics = lint_text(CLAIM, "page.txt")[:findings] if findings else []
    return FileResult("page.txt", diagnostics=diagnostics)


def test_nothing_is_drawn_before_the_delay() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, delay=1.0, ticker=False, clock=clock)
    progress.start(5)
    progress.file_done(_result(1))

    clock.now += 0.9
    progress.tick()

    assert stream.getvalue() == ""


def test_the_line_is_redrawn_in_place_and_erased_at_the_end() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, delay=1.0, ticker=False, clock=clock)
    progress.start(12)
    for _ in range(10):
        progress.file_done(_result(1))
    clock.now += 1.5

    progress.tick()
    progress.file_done(_result(0))
    progress.tick()
    progress.tick()  # nothing moved: no redraw
    progress.close()

    first = "healthlint: 10/12 files, 10 findings so far"
    second = "healthlint: 11/12 files, 10 findings so far"
    assert stream.getvalue() == f"\r{first}\r{second}\r{' ' * len(second)}\r"
    assert "\n" not in stream.getvalue()


def test_a_shorter_line_covers_the_longer_one() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, delay=0, ticker=False, clock=clock)
    progress.start(100)
    progress.findings = 1000
    progress.tick()
    progress.findings = 1
    progress.tick()

    previous, current = stream.getvalue().split("\r")[1:]
    assert current.rstrip() == "healthlint: 0/100 files, 1 finding so far"
    assert len(current) == len(previous)


@pytest.fixture()
def terminal() -> Iterator[tuple[int, io.TextIOWrapper]]:
    """A pseudo-terminal: the read end, and a text stream on the terminal side."""
    master, slave = pty.openpty()
    stream = open(slave, "w", encoding="utf-8")  # noqa: SIM115 - closed in the finally
    try:
        yield master, stream
    finally:
        stream.close()
        os.close(master)


def _read_all(master: int) -> str:
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            return b"".join(chunks).decode("utf-8", errors="replace")
        chunks.append(os.read(master, 65536))


def test_wanted_only_on_a_terminal_outside_ci(terminal: tuple[int, io.TextIOWrapper],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _, stream = terminal
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    read, write = os.pipe()
    with open(write, "w") as pipe:
        assert wanted(stream)
        assert not wanted(pipe)
        monkeypatch.setenv("CI", "true")
        assert not wanted(stream)
        monkeypatch.setenv("CI", "false")
        assert wanted(stream)
    os.close(read)


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    for index in range(40):
        (tmp_path / f"page{index:02}.txt").write_text(CLAIM, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_draws_progress_on_a_terminal_stderr(
        site: Path, jobs: str, terminal: tuple[int, io.TextIOWrapper],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    master, stream = terminal
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(healthlint.progress, "DELAY", 0.0)
    monkeypatch.setattr(healthlint.progress, "REFRESH", 0.001)
    monkeypatch.setattr(sys, "stderr", stream)

    code = main(["check", "--no-config", "--output-format", "concise", "-j", jobs, str(site)])
    stream.flush()

    drawn = _read_all(master)
    assert code == 1
    assert "/40 files, " in drawn
    assert "findings so far" in drawn
    # Cleared at the end: the last thing written is a carriage return after blanks.
    assert drawn.endswith(" \r")
    assert "files, " not in capsys.readouterr().out


def test_check_draws_nothing_into_a_pipe_or_in_ci(
        site: Path, terminal: tuple[int, io.TextIOWrapper], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    master, stream = terminal
    monkeypatch.setattr(healthlint.progress, "DELAY", 0.0)
    monkeypatch.setattr(healthlint.progress, "REFRESH", 0.001)
    read, write = os.pipe()
    with open(write, "w", encoding="utf-8") as pipe:
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.setattr(sys, "stderr", pipe)
        main(["check", "--no-config", "-q", "-j", "1", str(site)])
    with open(read, encoding="utf-8") as piped:
        assert "files, " not in piped.read()

    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(sys, "stderr", stream)
    main(["check", "--no-config", "-q", "-j", "1", str(site)])
    stream.flush()
    assert "files, " not in _read_all(master)
    assert "files, " not in capsys.readouterr().out


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.done: list[str] = []

    def start(self, total: int) -> None:
        self.total = total

    def file_done(self, result: FileResult) -> None:
        self.done.append(result.path)


@pytest.mark.parametrize("jobs", [1, 2])
def test_runner_reports_every_file_as_it_finishes(site: Path, jobs: int) -> None:
    recorder = Recorder()

    report = run(Job([str(site)], {}, isolated=True, jobs=jobs, progress=recorder)).report

    assert recorder.total == 40
    assert sorted(recorder.done) == sorted(r.path for r in report.files)
