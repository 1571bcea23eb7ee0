"""Runs a lint over many files: configuration per file, discovery, and worker processes.

Each file gets the settings of its nearest configuration file; one
:class:`~healthlint.engine.Linter` is built per distinct configuration. Large
runs are spread over processes; every worker builds its linters once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from healthlint.config import ConfigResolver, Settings, matches_any
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.source import SourceError, read_stream
from healthlint.types import FileError, FileResult, Report, Rule

PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 512 * 1024


@dataclass
class Job:
    paths: Sequence[str]
    overrides: Mapping[str, Any]
    config: str | None = None
    isolated: bool = False
    jobs: int | None = None
    stdin_filename: str | None = None
    document_format: str | None = None


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


def run(job: Job) -> tuple[Report, Linter]:
    """Lint ``job.paths``; the returned linter is the one for the first path (for its rules)."""
    from healthlint.discovery import discover

    resolver = ConfigResolver(job.config, isolated=job.isolated)
    paths = list(job.paths) or ["."]
    results: list[FileResult] = []
    tasks: list[tuple[Settings, str]] = []
    rules: dict[str, Rule] = {}
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
            try:
                source = read_stream(sys.stdin.buffer)
            except SourceError as exc:
                results.append(FileResult(name, errors=[FileError(name, exc.message, exc.line)]))
                continue
            results.append(linter.lint_text(source.text, name, format=job.document_format))
            rules.update(linter.rules)
            continue
        files, errors = discover([argument], linter.registry.extensions,
                                 include=settings.include, exclude=settings.exclude,
                                 respect_gitignore=settings.respect_gitignore, root=settings.root)
        results.extend(FileResult(e.path, errors=[e]) for e in errors)
        for path in files:
            identity = os.path.realpath(path)
            if identity in seen:
                continue
            seen.add(identity)
            file_settings = resolver.for_path(path).with_overrides(job.overrides)
            if matches_any(path, file_settings.root, file_settings.exclude):
                continue
            tasks.append((file_settings, path))
    for settings in {s.path: s for s, _ in tasks}.values():
        rules.update(_linter_for(settings).rules)
    results.extend(_lint_all(tasks, job))
    results.sort(key=lambda r: r.path)
    assert first is not None
    return Report(results, dict(sorted(rules.items()))), first


def _lint_all(tasks: list[tuple[Settings, str]], job: Job) -> list[FileResult]:
    jobs = job.jobs or os.cpu_count() or 1
    total = sum(_size(path) for _, path in tasks)
    small = len(tasks) < PARALLEL_MIN_FILES and total < PARALLEL_MIN_BYTES
    if jobs <= 1 or small or len(tasks) < 2:
        return _lint_chunk(tasks, job.document_format)
    # Interleave big and small files so both workers finish together.
    ordered = sorted(tasks, key=lambda t: -_size(t[1]))
    chunks = [ordered[i::jobs * 4] for i in range(jobs * 4)]
    results: list[FileResult] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        for chunk_results in pool.map(_lint_chunk, [c for c in chunks if c],
                                      [job.document_format] * len(chunks)):
            results.extend(chunk_results)
    return results


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
