#!/usr/bin/env python3
"""Where the start-up of a one-page run goes, phase by phase.

usage: python bench/startup.py FILE [--runs 15]

Each round runs three fresh processes in turn, so a change in the machine's load hits
them alike:

  whole   ``python -m healthlint check --no-cache -q FILE``, timed around the process
          (what a pre-commit hook on one page costs)
  floor   ``python -c "import pluggy, yaml, regex"``, the imports of any tool built on
          the same libraries
  probe   a process that does what ``check`` does, one step at a time, and times each
          step from inside: importing the command line, loading the plugins, building the
          rule set, linting FILE (its parse, loading the scanner, the scan, the rules and
          the rest), writing the report, and linting FILE again (the same page once
          everything is loaded: what the first page costs beyond it is paid once a run)

The table gives the median of each step over ``--runs`` rounds, with (min-max). The
probe also counts the classes that ``@dataclass`` builds while the command line is
imported and the time that took: the decorator writes each class's methods as source
text and compiles it, at every start.

The probe reads healthlint's internals (the linter's rule checkers, its scanner), so it
follows them when they change; the figures it prints are for finding where to look, the
whole-process figure is the one the engine issue bounds (``bench/bench.py``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import describe_build, healthlint_command, run_once, spread, table

PROBE = r"""
import dataclasses, io, json, sys, time

made = [0, 0.0]
build = dataclasses._process_class

def timed_build(cls, *args, **kwargs):
    start = time.perf_counter()
    try:
        return build(cls, *args, **kwargs)
    finally:
        made[0] += 1
        made[1] += time.perf_counter() - start

dataclasses._process_class = timed_build
path = sys.argv[1]
steps = {}
mark = time.perf_counter()

def step(name):
    global mark
    now = time.perf_counter()
    steps[name] = now - mark
    mark = now

import healthlint.cli, healthlint.commands
from healthlint.engine import Linter
from healthlint.lexicon import Lexicon
from healthlint.plugins import load_registry
from healthlint.scan import Scanner
from healthlint.types import OutputContext
step("import the command line")
steps["  of which @dataclass"] = made[1]
dataclasses._process_class = build

registry = load_registry()
step("load the plugins")
linter = Linter(registry=registry)
step("build the rule set")

page = {}

def add(label, seconds):
    page[label] = page.get(label, 0.0) + seconds

def timing(owner, name, label):
    inner = getattr(owner, name)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            add(label, time.perf_counter() - start)
    setattr(owner, name, timed)

load = Lexicon.scanner.fget
def timed_load(self):
    if self._scanner is not None:  # loaded already: only the first access is timed
        return load(self)
    start = time.perf_counter()
    try:
        return load(self)
    finally:
        add("load the scanner", time.perf_counter() - start)
Lexicon.scanner = property(timed_load)
timing(linter.format_for(path), "parse", "parse")
timing(Scanner, "scan", "scan")
for active in linter.active.values():
    timing(active.loaded.checker, "check", "rules")

mark = time.perf_counter()
result = linter.lint_file(path)
step("lint the page")
rest = steps["lint the page"]
for name in ("parse", "load the scanner", "scan", "rules"):
    steps["  " + name] = page.get(name, 0.0)
    rest -= page.get(name, 0.0)
steps["  rest of the page"] = rest

registry.outputs["full"].render(linter.report([result]), io.StringIO(),
                                OutputContext(tool_version="probe"))
step("write the report")
linter.lint_file(path)
step("the same page again")
print(json.dumps({"steps": steps, "classes": made[0]}))
"""
ORDER = (
    "import the command line",
    "  of which @dataclass",
    "load the plugins",
    "build the rule set",
    "lint the page",
    "  parse",
    "  load the scanner",
    "  scan",
    "  rules",
    "  rest of the page",
    "write the report",
    "the same page again",
)
TOP = ("import the command line", "load the plugins", "build the rule set", "lint the page",
       "write the report")


TIMEOUT = 120.0
"""Seconds any one process may take before this script gives up."""


def wall(command: Sequence[str]) -> float:
    """The wall time of one run of ``command``, measured as ``bench.py`` measures it."""
    run, _ = run_once(command, TIMEOUT)
    if run is None:
        sys.exit(f"killed after {TIMEOUT:.0f} s: {' '.join(command)}")
    return run.wall


def probe(path: Path) -> tuple[dict[str, float], int]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                          text=True, check=True, timeout=TIMEOUT)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["steps"], found["classes"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--runs", type=int, default=15, help="rounds (default 15)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"not a file: {args.file}")

    healthlint = healthlint_command()
    whole_command = [*healthlint, "check", "--no-cache", "-q", str(args.file)]
    floor_command = [sys.executable, "-c", "import pluggy, yaml, regex"]
    for command in (whole_command, floor_command):  # warm the file system and the cache
        wall(command)
    probe(args.file)

    wholes: list[float] = []
    floors: list[float] = []
    steps: dict[str, list[float]] = {}
    classes = 0
    for _ in range(args.runs):
        wholes.append(wall(whole_command))
        floors.append(wall(floor_command))
        found, classes = probe(args.file)
        for name, seconds in found.items():
            steps.setdefault(name, []).append(seconds)

    whole = statistics.median(wholes)
    floor = statistics.median(floors)
    ms = 1000.0

    def row(name: str, values: Sequence[float]) -> list[str]:
        label = f"{name} ({classes} classes)" if name == "  of which @dataclass" else name
        share = f"{statistics.median(values) / whole:.0%}"
        return [label, spread([v * ms for v in values]), share]

    rows = [row("whole process", wholes), row("import floor", floors)]
    rows += [row(name, steps[name]) for name in ORDER if name in steps]
    print(f"# Start-up of one page: {args.file.name}, {args.file.stat().st_size:,} bytes, "
          f"{args.runs} rounds in turn\n\n{describe_build(healthlint)}\n")
    print(table(["step", "ms median (min-max)", "of the whole"], rows))
    measured = sum(statistics.median(steps[name]) for name in TOP)
    print(f"\nwhole / floor: {whole / floor:.2f}; the probe's steps add up to "
          f"{measured * ms:.0f} ms of the whole process's {whole * ms:.0f} ms (the rest is "
          "the interpreter's own start, argument parsing, finding the file and exiting)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
