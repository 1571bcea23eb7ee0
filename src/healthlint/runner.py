"""Runs a lint over many files: configuration per file, discovery, and worker processes.

Each file gets the settings of its nearest configuration file; one
:class:`~healthlint.engine.Linter` is built per distinct configuration. Large
runs are spread over processes; every worker builds its linters once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from healthlint.config import ConfigResolver, Settings, matches_any
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.source import SourceError, read_stream
from healthlint.types import FileError, FileResult, Report, Rule

if TYPE_CHECKING:
    from healthlint.discovery import Skipped

PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 512 * 1024


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


def _linter_for(settings: Settings) -> Linter:
    key = (settings.path, repr(sorted(settings.__dict__.items())))
    linter = _worker_linters.get(key)
    if linter is None:
        linter = _worker_linters[key] = Linter(settings)
    return linter


def _lint_one(settings: Settings, path: str, document_format: str | None) -> FileResult:
    """Lint one file; a crash is reported for that file, so the other files still count."""
    try:
        return _linter_for(settings).lint_file(path, format=document_format)
    except HealthlintError:
        raise
    except Exception as exc:
        import traceback

        traceback.print_exc()
        return FileResult(path, errors=[FileError(
            path, f"internal error while linting this file: {exc!r}; please report it with the "
            "traceback printed above", internal=True)])


def _lint_chunk(tasks: list[tuple[Settings, str]], document_format: str | None) -> list[FileResult]:
    return [_lint_one(settings, path, document_format) for settings, path in tasks]


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
        linter = _linter_for(settings)
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
        rules.update(_linter_for(settings).rules)
    if job.progress is not None:
        job.progress.start(len(tasks))
    results.extend(_lint_all(tasks, job))
    results.sort(key=lambda r: r.path)
    assert first is not None
    return Outcome(Report(results, dict(sorted(rules.items()))), first, skipped)


def _lint_all(tasks: list[tuple[Settings, str]], job: Job) -> list[FileResult]:
    jobs = job.jobs or os.cpu_count() or 1
    total = sum(_size(path) for _, path in tasks)
    results: list[FileResult] = []
    done = job.progress.file_done if job.progress is not None else lambda result: None
    small = len(tasks) < PARALLEL_MIN_FILES and total < PARALLEL_MIN_BYTES
    if jobs <= 1 or small or len(tasks) < 2:
        for settings, path in tasks:
            results.append(_lint_one(settings, path, job.document_format))
            done(results[-1])
        return results
    # Interleave big and small files so both workers finish together; chunks of a few
    # files keep the progress count moving on big runs.
    ordered = sorted(tasks, key=lambda t: -_size(t[1]))
    count = max(jobs * 4, min(len(tasks) // 4, 256))
    chunks = [ordered[i::count] for i in range(count)]
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        futures = [pool.submit(_lint_chunk, chunk, job.document_format)
                   for chunk in chunks if chunk]
        for future in as_completed(futures):
            for result in future.result():
                results.append(result)
                done(result)
    return results


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
