"""Worker processes: only where they pay, and never a different report."""

from __future__ import annotations

import concurrent.futures
import shutil
import sys
from collections.abc import Callable
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


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[int, int], Path]:
    """Gives this process ``allowed`` of a machine's ``total`` CPUs, and a folder whose
    ``loadavg`` and ``cpu.max`` stand for the kernel's (neither written yet)."""
    monkeypatch.setattr(runner, "CGROUP_ROOT", str(tmp_path))
    monkeypatch.setattr(runner, "LOADAVG", str(tmp_path / "loadavg"))

    def give(total: int, allowed: int) -> Path:
        monkeypatch.setattr(runner.os, "cpu_count", lambda: total)
        monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid: set(range(allowed)),
                            raising=False)
        return tmp_path

    return give


def test_the_default_is_the_cpus_the_process_may_run_on_less_those_busy_now(
        machine: Callable[[int, int], Path]) -> None:
    folder = machine(4, 4)
    loadavg = folder / "loadavg"
    # A high load average over the last minute (often the previous run's own) does not
    # keep workers back; only the tasks running now, this one aside, do.
    loadavg.write_text("9.00 6.50 3.20 1/345 12345\n")
    assert runner._default_jobs() == 4
    loadavg.write_text("0.20 0.30 0.30 3/345 12345\n")
    assert runner._default_jobs() == 2
    loadavg.write_text("9.00 9.00 9.00 12/345 12345\n")
    assert runner._default_jobs() == 1
    loadavg.write_text("not the kernel's format\n")
    assert runner._default_jobs() == 4
    loadavg.write_text("0.00 0.00 0.00 1/345 12345\n")
    (folder / "cpu.max").write_text("150000 100000\n")  # a container given 1.5 CPUs
    assert runner._default_jobs() == 2
    (folder / "cpu.max").write_text("900000 100000\n")  # more than the CPUs it may use
    assert runner._default_jobs() == 4
    loadavg.unlink()  # no such file (not Linux): every CPU
    assert runner._default_jobs() == 4


def test_a_container_on_a_busy_host_counts_its_share_of_the_host_load(
        machine: Callable[[int, int], Path]) -> None:
    """A container sees the host's CPUs and run queue; its quota is a share of the host."""
    folder = machine(64, 64)
    (folder / "cpu.max").write_text("200000 100000\n")
    loadavg = folder / "loadavg"
    loadavg.write_text("20.0 20.0 20.0 11/2000 1\n")  # 10 others on 64 CPUs: mostly idle
    assert runner._default_jobs() == 2
    loadavg.write_text("60.0 60.0 60.0 51/2000 1\n")  # 50 others: most of the host busy
    assert runner._default_jobs() == 1


@pytest.mark.parametrize(("files", "quota"), [
    ({"cpu.max": "max 100000\n"}, None),
    ({"cpu.max": "50000 100000\n"}, 1),
    ({"cpu.max": "200000 100000\n"}, 2),
    ({"cpu.max": "garbled"}, None),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
    ({"cpu/cpu.cfs_quota_us": "300000\n"}, None),
    ({}, None),
])
def test_a_cgroup_cpu_quota_is_read_from_either_cgroup_version(
        tmp_path: Path, files: dict[str, str], quota: int | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    assert runner._cpu_quota(str(tmp_path)) == quota
