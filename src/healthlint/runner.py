"""Runs a lint over many files: configuration per file, discovery, and worker processes.

Each file gets the settings of its nearest configuration file; one
:class:`~healthlint.engine.Linter` is built per distinct configuration. Files the
result cache holds are not linted again (:mod:`healthlint.resultcache`). Large
runs are spread over processes: on Linux they are forked after this process has
compiled every rule, so workers inherit compiled rules; elsewhere every worker
builds its linters once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from healthlint.cache import silence_warnings
from healthlint.config import ConfigResolver, Settings, matches_any
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.plugins import Registry
from healthlint.resultcache import ResultCache
from healthlint.source import SourceError, read_stream
from healthlint.types import FileError, FileResult, Report, Rule

if TYPE_CHECKING:
    import multiprocessing.context

    from healthlint.discovery import Skipped

PARALLEL_MIN_FILES = 32
PARALLEL_MIN_BYTES = 256 * 1024
"""Below both, forked workers cost more than they save: compiling every rule up front and
starting the workers costs about what linting 250 KB of pages takes (bench/README.md)."""
SPAWN_MIN_FILES = 64
SPAWN_MIN_BYTES = 1024 * 1024
"""The same where workers are spawned and import healthlint and compile every rule
themselves."""
LOADAVG = "/proc/loadavg"
CGROUP_ROOT = "/sys/fs/cgroup"
"""Where the kernel tells what runs now, and where a container's CPU quota is: what the
default number of workers is worked out from."""


class ProgressHook(Protocol):
    """Told how many files a run lints, then of each one as it finishes (in this process)."""

    def start(self, total: int) -> None: ...

    def file_done(self, result: FileResult) -> None: ...


@dataclass
class Job:
    paths: Sequence[str]
    overrides: Mapping[str, Any]
    config: str | None = None
    isolated: bool = False
    jobs: int | None = None
    stdin_filename: str | None = None
    document_format: str | None = None
    progress: ProgressHook | None = None
    cache: bool = True
    """Read and write the result cache (:mod:`healthlint.resultcache`)."""
    registry: Registry | None = None
    """The plugins to use, when the caller has loaded them already."""
    only: Collection[str] | None = None
    """Real paths: lint only these of the files found (``check --watch`` relints)."""
    force_exclude: bool = False
    """Apply ``exclude``, the default excludes and the formats' path restrictions to files
    named on the command line and to ``stdin_filename`` too (ruff's ``--force-exclude``)."""


@dataclass
class Outcome:
    """What a run produced."""

    report: Report
    linter: Linter
    """The linter of the first path (for its rules and output formats)."""
    skipped: list[Skipped] = field(default_factory=list)
    """Files named on the command line that were not linted, with the reason."""


_worker_linters: dict[Any, Linter] = {}


def _linter_for(settings: Settings, registry: Registry | None = None) -> Linter:
    key = (settings.path, repr(sorted(settings.__dict__.items())))
    linter = _worker_linters.get(key)
    if linter is None:
        linter = _worker_linters[key] = Linter(settings, registry=registry)
    return linter


def _lint_one(settings: Settings, path: str, data: bytes | None,
              document_format: str | None) -> FileResult:
    """Lint one file (``data``: its bytes, already read); a crash is reported for that file,
    so the other files still count."""
    try:
        linter = _linter_for(settings)
        if data is None:
            return linter.lint_file(path, format=document_format)
        return linter.lint_bytes(data, path, format=document_format)
    except HealthlintError:
        raise
    except Exception as exc:
        import traceback

        traceback.print_exc()
        return FileResult(path, errors=[FileError(
            path, f"internal error while linting this file: {exc!r}; please report it with the "
            "traceback printed above", internal=True)])


Task = tuple[Settings, str, "bytes | None"]
"""A file to lint: its settings, its path and its bytes when they were read already."""


def _lint_chunk(tasks: list[Task], document_format: str | None) -> list[FileResult]:
    return [_lint_one(settings, path, data, document_format) for settings, path, data in tasks]


def run(job: Job) -> Outcome:
    """Lint ``job.paths`` with the nearest configuration of each."""
    from healthlint.discovery import discover, why_excluded

    resolver = ConfigResolver(job.config, isolated=job.isolated)
    paths = list(job.paths) or ["."]
    results: list[FileResult] = []
    tasks: list[tuple[Settings, str]] = []
    rules: dict[str, Rule] = {}
    skipped: list[Skipped] = []
    first: Linter | None = None
    seen: set[str] = set()
    for argument in paths:
        settings = resolver.for_path(
            job.stdin_filename or argument if argument == "-" else argument
        ).with_overrides(job.overrides)
        linter = _linter_for(settings, job.registry)
        first = first or linter
        if argument == "-":
            name = job.stdin_filename or "<stdin>"
            reason = why_excluded(
                name, exclude=settings.exclude, include=settings.include, root=settings.root,
                default_excludes=settings.default_excludes, restricted=linter.path_patterns,
                force_exclude=True,
            ) if job.force_exclude and job.stdin_filename else None
            if reason is not None:
                from healthlint.discovery import Skipped

                skipped.append(Skipped(name, reason))
                continue
            try:
                source = read_stream(sys.stdin.buffer)
            except SourceError as exc:
                results.append(FileResult(name, errors=[FileError(name, exc.message, exc.line)]))
                continue
            results.append(linter.lint_text(source.text, name, format=job.document_format))
            rules.update(linter.rules)
            continue
        files, errors = discover(
            [argument], linter.registry.extensions, include=settings.include,
            exclude=settings.exclude, respect_gitignore=settings.respect_gitignore,
            root=settings.root, default_excludes=settings.default_excludes,
            restricted=linter.path_patterns, force_exclude=job.force_exclude, skipped=skipped,
        )
        results.extend(FileResult(e.path, errors=[e]) for e in errors)
        for path in files:
            identity = os.path.realpath(path)
            if identity in seen or (job.only is not None and identity not in job.only):
                continue
            seen.add(identity)
            file_settings = resolver.for_path(path).with_overrides(job.overrides)
            if matches_any(path, file_settings.root, file_settings.exclude):
                continue
            tasks.append((file_settings, path))
    for settings in {s.path: s for s, _ in tasks}.values():
        rules.update(_linter_for(settings, job.registry).rules)
    if job.progress is not None:
        job.progress.start(len(tasks))
    results.extend(_lint_all(tasks, job))
    results.sort(key=lambda r: r.path)
    assert first is not None
    return Outcome(Report(results, dict(sorted(rules.items()))), first, skipped)


def _lint_all(tasks: list[tuple[Settings, str]], job: Job) -> list[FileResult]:
    """Results of ``tasks``: from the result cache where it has them, else linted (and
    stored)."""
    done = job.progress.file_done if job.progress is not None else lambda result: None
    cache = ResultCache.open(enabled=job.cache) if tasks else None
    if cache is None:
        return _lint_many([(settings, path, None) for settings, path in tasks], job, done)
    results: list[FileResult] = []
    pending: list[Task] = []
    keys: list[str] = []
    for settings, path in tasks:
        linter = _linter_for(settings)
        data = linter.read(path)
        if isinstance(data, FileResult):  # unreadable: reported, never cached
            found = data
        else:
            key = cache.key(linter, path, data, job.document_format)
            hit = cache.load(key, path, data)
            if hit is None:
                pending.append((settings, path, data))
                keys.append(key)
                continue
            found = hit
        results.append(found)
        done(found)
    linted = _lint_many(pending, job, done)
    for (_, _, read), key, result in zip(pending, keys, linted, strict=True):
        if read is not None:
            cache.store(key, result, read)
    return results + linted


def _default_jobs() -> int:
    """Workers when ``--jobs`` is not given: the CPUs this process may run on (a container's
    CPU quota or ``taskset`` may allow fewer than the machine has), less their share of the
    other tasks running on the machine at this moment. On a machine already busy, a worker
    adds its start-up to the CPU time and no CPU to run it on (bench/README.md, "Worker
    processes"). The moment counts, not the load average: that covers the last minute, so
    back-to-back runs saw their own predecessors as load and ran alone, taking about one
    and a half times the wall time of two workers."""
    machine = os.cpu_count() or 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else machine
    quota = _cpu_quota(CGROUP_ROOT)
    if quota is not None:
        cpus = min(cpus, quota)
    # The kernel spreads the other tasks over every CPU of the machine (a container sees the
    # host's count), so ours carry their share of them.
    idle = 1 - min(1.0, _running_elsewhere(LOADAVG) / max(machine, cpus))
    return max(1, round(cpus * idle))


def _running_elsewhere(path: str) -> int:
    """Tasks running or ready to run besides this one, as the kernel counts them now: the
    fourth field of Linux's ``/proc/loadavg`` is ``runnable/total``. 0 where there is no
    such file."""
    try:
        with open(path, encoding="ascii") as loadavg:
            runnable = loadavg.read().split()[3].partition("/")[0]
        return max(0, int(runnable) - 1)
    except (OSError, IndexError, ValueError):
        return 0


def _cpu_quota(root: str) -> int | None:
    """The CPUs a cgroup CPU quota allows this process, rounded up (a container started with
    ``--cpus 1.5`` gets 2), or ``None`` without one: the cgroup v2 ``cpu.max`` file, else
    cgroup v1's ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us``."""
    try:
        with open(os.path.join(root, "cpu.max"), encoding="ascii") as limits:
            quota, _, period = limits.read().partition(" ")
    except OSError:
        try:
            with open(os.path.join(root, "cpu", "cpu.cfs_quota_us"), encoding="ascii") as f:
                quota = f.read()
            with open(os.path.join(root, "cpu", "cpu.cfs_period_us"), encoding="ascii") as f:
                period = f.read()
        except OSError:
            return None
    try:
        allowed, every = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    if allowed <= 0 or every <= 0:  # -1: no quota
        return None
    return max(1, -(-allowed // every))


def _can_fork() -> bool:
    """Whether workers are forked (Linux): they then inherit the parent's linters with every
    pattern already compiled."""
    return sys.platform.startswith("linux")


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """The ``fork`` start method where it is safe (:func:`_can_fork`)."""
    if _can_fork():
        import multiprocessing

        return multiprocessing.get_context("fork")
    return None


def _parallel(tasks: list[Task], sizes: list[int], jobs: int, forking: bool) -> bool:
    """Whether worker processes finish ``tasks`` sooner than this process alone.

    A forked worker starts with compiled rules; a spawned worker must import healthlint and
    compile every rule again first, which only a larger run repays. The thresholds come from
    ``bench/jobs.py`` (see bench/README.md).
    """
    if jobs <= 1 or len(tasks) < 2:
        return False
    min_files, min_bytes = ((PARALLEL_MIN_FILES, PARALLEL_MIN_BYTES) if forking
                            else (SPAWN_MIN_FILES, SPAWN_MIN_BYTES))
    return len(tasks) >= min_files or sum(sizes) >= min_bytes


def _warm(tasks: list[Task]) -> None:
    """Load, in this process, what every linter of ``tasks`` loads on first use (the phrase
    matcher, read from the cache when the first page is scanned, and anything a rule
    prepares lazily), so forked workers inherit it instead of each loading it again: lint
    the rules' own examples, which between them reach every rule."""
    linters = {id(linter): linter for linter in (_linter_for(s) for s, _, _ in tasks)}
    for linter in linters.values():
        examples = "\n\n".join(example.text for rule in linter.rules.values()
                                for example in rule.examples)
        linter.lint_text(examples, "<warm-up>.txt", format="text")


def _lint_many(tasks: list[Task], job: Job,
               done: Callable[[FileResult], None]) -> list[FileResult]:
    """Results of ``tasks``, in their order; ``done`` is told of each as it finishes."""
    jobs = job.jobs or _default_jobs()
    sizes = [len(data) if data is not None else _size(path) for _, path, data in tasks]
    if not _parallel(tasks, sizes, jobs, _can_fork()):
        results = []
        for task in tasks:
            results.append(_lint_one(*task, job.document_format))
            done(results[-1])
        return results
    context = _fork_context()
    if context is not None:
        _warm(tasks)
    # Interleave big and small files so the workers finish together; chunks of a few files
    # keep the progress count moving on big runs.
    ordered = sorted(range(len(tasks)), key=lambda index: -sizes[index])
    count = max(jobs * 4, min(len(tasks) // 4, 256))
    chunks = [c for c in (ordered[i::count] for i in range(count)) if c]
    found: list[FileResult | None] = [None] * len(tasks)
    # Imported here: a run in one process never needs them, and they cost start-up time.
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context,
                             initializer=silence_warnings) as pool:
        futures = {pool.submit(_lint_chunk, [tasks[i] for i in chunk], job.document_format):
                   chunk for chunk in chunks}
        for future in as_completed(futures):
            for index, result in zip(futures[future], future.result(), strict=True):
                found[index] = result
                done(result)
    return [r for r in found if r is not None]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
