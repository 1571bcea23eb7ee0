"""Worker processes: only where they pay, and never a different report."""

from __future__ import annotations

import concurrent.futures
import shutil
import sys
from pathlib import Path

import pytest

from healthlint import runner
from healthlint.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def pages(folder: Path, count: int) -> list[str]:
    sources = sorted(EXAMPLES.iterdir())
    names = []
    for index in range(count):
        source = sources[index % len(sources)]
        target = folder / f"page-{index:02d}{source.suffix}"
        shutil.copy(source, target)
        names.append(target.name)
    return names


def test_a_small_run_stays_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    names = pages(tmp_path, 6)
    assert sum((tmp_path / n).stat().st_size for n in names) < runner.PARALLEL_MIN_BYTES

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool for a run this small")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    assert main(["check", "--no-cache", "--no-config", "-j", "4", *names]) == 1
    assert "page-00" in capsys.readouterr().out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_forked_workers_report_exactly_what_one_process_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 4)  # enough to fork, few to lint
    names = pages(tmp_path, 6)
    check = ["check", "--no-cache", "--no-config", "--output-format", "json", *names]
    assert main([*check, "-j", "1"]) == 1
    alone = capsys.readouterr().out
    warmed: list[int] = []
    original = runner._warm

    def counting(tasks: list[runner.Task]) -> None:
        warmed.append(len(tasks))
        original(tasks)

    monkeypatch.setattr(runner, "_warm", counting)
    assert main([*check, "-j", "2"]) == 1
    assert capsys.readouterr().out == alone
    assert warmed == [len(names)]  # rules compiled once, here, before the workers forked


def test_the_default_leaves_busy_cpus_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(runner.os, "getloadavg", lambda: (0.2, 0.0, 0.0))
    assert runner._default_jobs() == 4
    monkeypatch.setattr(runner.os, "getloadavg", lambda: (2.6, 0.0, 0.0))
    assert runner._default_jobs() == 1
    monkeypatch.setattr(runner.os, "getloadavg", lambda: (9.0, 0.0, 0.0))
    assert runner._default_jobs() == 1
