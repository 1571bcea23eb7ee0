#!/usr/bin/env python3
"""The result cache: a re-run over an unchanged tree, against the first run.

usage: python bench/warm.py CORPUS_DIR [--runs 3] [--jobs N] [--output-format json]

Each trial starts from an empty cache folder (``HEALTHLINT_CACHE_DIR`` pointed at a new
temporary folder) and runs ``healthlint check --output-format FORMAT -q CORPUS_DIR`` three
times:

  cold      the first run: nothing cached, every file linted, every result stored
  warm      the same command again: every result read from the cache
  no-cache  the same with ``--no-cache``: every file linted, nothing read or stored (compiled
            rule data stays cached, as after any first run)

and checks that the warm run printed exactly what the cold run printed. The table gives the
median wall and CPU seconds of each kind of run and warm/cold, the figure the engine issue
bounds at 15%. CPU time includes the worker processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench import describe_build, healthlint_command, input_size, spread, table

CACHE_ENV = "HEALTHLINT_CACHE_DIR"
KINDS = ("cold", "warm", "no-cache")


def timed(command: Sequence[str], output: Path) -> tuple[float, float, int]:
    """``(wall, cpu, exit)`` of one run, its standard output written to ``output``."""
    with open(output, "wb") as stdout:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("corpus", type=Path, metavar="CORPUS_DIR")
    parser.add_argument("--runs", type=int, default=3, help="trials (default 3)")
    parser.add_argument("--jobs", type=int, metavar="N", help="pass --jobs N to healthlint")
    parser.add_argument("--output-format", default="json", metavar="FORMAT",
                        help="healthlint's output format (default json)")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"not a directory: {args.corpus}")

    healthlint = healthlint_command()
    check = [*healthlint, "check", "--output-format", args.output_format, "-q"]
    if args.jobs:
        check += ["--jobs", str(args.jobs)]
    nfiles, nbytes = input_size(args.corpus)
    print(f"# {describe_build(healthlint)}\n", flush=True)
    walls: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpus: dict[str, list[float]] = {kind: [] for kind in KINDS}
    ratios: list[float] = []
    same = True
    with tempfile.TemporaryDirectory(prefix="healthlint-warm-") as scratch:
        for trial in range(args.runs):
            os.environ[CACHE_ENV] = str(Path(scratch) / f"cache-{trial}")
            outputs = {}
            for kind in KINDS:
                command = [*check, *(["--no-cache"] if kind == "no-cache" else []),
                           str(args.corpus)]
                outputs[kind] = Path(scratch) / f"{kind}.out"
                wall, cpu, code = timed(command, outputs[kind])
                if code not in (0, 1):
                    print(f"  note: {kind} run exited {code}", file=sys.stderr)
                walls[kind].append(wall)
                cpus[kind].append(cpu)
            ratios.append(walls["warm"][-1] / walls["cold"][-1])
            identical = outputs["cold"].read_bytes() == outputs["warm"].read_bytes()
            same = same and identical
            print(f"  trial {trial + 1}: cold {walls['cold'][-1]:.2f} s, warm "
                  f"{walls['warm'][-1]:.2f} s ({ratios[-1]:.1%}), no-cache "
                  f"{walls['no-cache'][-1]:.2f} s; warm output "
                  f"{'identical' if identical else 'DIFFERENT'}", file=sys.stderr, flush=True)

    rows = [[kind, spread(walls[kind]), spread(cpus[kind]),
             f"{statistics.median(walls[kind]) / statistics.median(walls['cold']):.1%}"]
            for kind in KINDS]
    print(f"## Re-run over {nfiles} unchanged files, {nbytes / 1e6:.1f} MB "
          f"({args.runs} trials, each from an empty cache folder)\n")
    print(table(["run", "wall s med (min-max)", "CPU s med (min-max)", "of cold (wall)"], rows))
    against_lint = statistics.median(walls["warm"]) / statistics.median(walls["no-cache"])
    print(f"\nwarm / cold wall, median of the trials: {statistics.median(ratios):.1%}; "
          f"warm / no-cache wall (medians): {against_lint:.1%}; "
          f"warm output identical to cold: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
