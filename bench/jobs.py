#!/usr/bin/env python3
"""Whether worker processes pay: ``--jobs`` settings against the number of files linted.

usage: python bench/jobs.py CORPUS_DIR [--files 1,8,50,200] [--jobs 1,2,0] [--runs 3]
                            [--healthlint LABEL=PATH ...]

For each file count N (the first N corpus files, in sorted order) and each ``--jobs``
value, times ``healthlint check --output-format json -q -j J FILES...`` as a whole process
and prints the median wall and CPU time. ``-j 0`` stands for "no -j option": healthlint's
own choice, which is what the runner's thresholds are meant to get right.

``--healthlint LABEL=PATH`` (repeatable) measures other builds side by side, e.g. two
snapshots installed in their own venvs; without it, the ``healthlint`` of this interpreter.
All settings of all builds are interleaved run by run, so a change in the machine's load
hits them alike: on a shared machine, compare figures from one table only.

Every run starts from the same cache folder: a copy of one that a run on a single small
file filled, so compiled rule data is cached (as on any machine after the first run) but no
result of the measured files is. ``--no-cache`` is passed when the measured healthlint has
it. The figures therefore show linting and process start-up, not the result cache (that is
``bench/warm.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench import (
    SUFFIXES,
    describe_build,
    healthlint_command,
    run_once,
    spread,
    supports_no_cache,
    table,
)

CACHE_ENV = "HEALTHLINT_CACHE_DIR"


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("corpus", type=Path, metavar="CORPUS_DIR")
    parser.add_argument("--files", default="1,8,50,200",
                        help="comma-separated file counts (default 1,8,50,200)")
    parser.add_argument("--jobs", default="1,2,0",
                        help="comma-separated -j values; 0 means no -j option (default 1,2,0)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per cell (default 3)")
    parser.add_argument("--healthlint", action="append", default=[], metavar="LABEL=PATH",
                        help="a healthlint executable to measure (repeatable)")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    files = corpus_files(args.corpus)
    counts = [int(n) for n in args.files.split(",")]
    jobs = [int(j) for j in args.jobs.split(",")]
    if not files or max(counts) > len(files):
        parser.error(f"{args.corpus} holds {len(files)} files; asked for up to {max(counts)}")
    builds: dict[str, list[str]] = {}
    for spec in args.healthlint:
        label, sep, path = spec.partition("=")
        if not sep or not Path(path).is_file():
            parser.error(f"--healthlint expects LABEL=PATH to an executable, got {spec!r}")
        builds[label] = [path]
    if not builds:
        builds["this"] = healthlint_command()
        print(f"# {describe_build(builds['this'])}\n", flush=True)
    checks = {label: [*command, "check", "--output-format", "json", "-q",
                      *(["--no-cache"] if supports_no_cache(command) else [])]
              for label, command in builds.items()}
    for label, command in builds.items():
        version = subprocess.run([*command, "--version"], capture_output=True, text=True,
                                 check=False).stdout.strip()
        print(f"# {label}: {version} ({command[0]})", flush=True)
    load = f"load average {os.getloadavg()[0]:.2f} at the start; " if hasattr(
        os, "getloadavg") else ""
    print(f"# {load}{os.cpu_count()} CPUs\n", flush=True)

    rows = []
    with tempfile.TemporaryDirectory(prefix="healthlint-jobs-") as scratch:
        templates = {}
        for label, check in checks.items():
            templates[label] = Path(scratch) / f"template-{label}"
            os.environ[CACHE_ENV] = str(templates[label])
            subprocess.run([*check, str(files[0])], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        for count in counts:
            chosen = [str(p) for p in files[:count]]
            size = sum(p.stat().st_size for p in files[:count])
            walls: dict[tuple[str, int], list[float]] = {}
            cpus: dict[tuple[str, int], list[float]] = {}
            for _ in range(args.runs):
                for label, check in checks.items():
                    for j in jobs:
                        fresh = Path(scratch) / "run"
                        shutil.rmtree(fresh, ignore_errors=True)
                        shutil.copytree(templates[label], fresh)
                        os.environ[CACHE_ENV] = str(fresh)
                        command = [*check, *(["-j", str(j)] if j else []), *chosen]
                        run, _ = run_once(command, args.timeout)
                        if run is None:
                            print(f"  {label} {count} files -j {j}: killed after --timeout",
                                  file=sys.stderr)
                            continue
                        walls.setdefault((label, j), []).append(run.wall)
                        cpus.setdefault((label, j), []).append(run.cpu)
            for (label, j), values in walls.items():
                rows.append([label, str(count), f"{size / 1e6:.2f}",
                             f"-j {j}" if j else "default", spread(values),
                             spread(cpus[(label, j)])])
            summary = ", ".join(f"{label} {('-j ' + str(j)) if j else 'default'} "
                                f"{statistics.median(w):.2f} s" for (label, j), w in walls.items())
            print(f"  {count} files: {summary}", file=sys.stderr, flush=True)
    print(table(["build", "files", "MB", "jobs", "wall s med (min-max)", "CPU s med (min-max)"],
                rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
