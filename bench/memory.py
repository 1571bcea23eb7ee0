#!/usr/bin/env python3
"""Where a large page's memory goes, step by step.

usage: python bench/memory.py FILE [FILE ...] [--timeout 900]

For each FILE it runs two fresh processes, one after the other:

  whole   ``healthlint check --no-cache -q --output-format json FILE``, whose peak RSS is
          measured as ``bench.py`` measures it (GNU time's ``%M``)
  probe   a process that does what ``check`` does, one step at a time, and reads its own
          resident set after each step (``VmRSS``, what it holds now, and ``VmHWM``, the
          most it has held: the parse's peak shows there): the rule set and scanner
          loaded, the file read, parsed, scanned, the rules run, the diagnostics made,
          the report written

A run is linear in memory when the probe's steps grow in proportion to the page: the
table gives each step's growth over the loaded linter, and that growth per MB of page.
Linux only (``/proc/self/status``). The probe reads healthlint's internals (its scanner,
the linter's diagnostics step), so it follows them when they change; the whole-process
figure is the one the engine issue bounds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import describe_build, healthlint_command, run_once, table

PROBE = r"""
import io, json, sys

def resident():
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line[:5]] = int(line.split()[1]) / 1024
    return found["VmRSS"], found["VmHWM"]

steps = []

def step(name):
    steps.append((name, *resident()))

from healthlint.engine import Linter
from healthlint.scan import Scanner
from healthlint.types import OutputContext

path = sys.argv[1]
linter = Linter()
linter.lexicon.scanner
step("rule set and scanner loaded")

scan = Scanner.scan
def scanned(self, prose):
    step("parsed")
    hits = scan(self, prose)
    step("scanned")
    return hits
Scanner.scan = scanned

diagnostics = linter._diagnostics
def made(*args, **kwargs):
    step("rules run")
    found = diagnostics(*args, **kwargs)
    step("diagnostics made")
    return found
linter._diagnostics = made

text = linter._read_text(path)
step("read")
result = linter.lint_text(text, path) if isinstance(text, str) else text
del text
linter.registry.outputs["json"].render(linter.report([result]), io.StringIO(),
                                       OutputContext(tool_version="probe"))
step("report written")
print(json.dumps({"steps": steps, "diagnostics": len(result.diagnostics),
                  "dropped": len(result.dropped)}))
"""


def probe(path: Path, timeout: float) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                          text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise SystemExit(f"memory: the probe failed on {path}:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE")
    parser.add_argument("--timeout", type=float, default=900, metavar="SECS",
                        help="give up on a process after SECS seconds (default 900)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").is_file():
        parser.error("this script reads /proc/self/status (Linux only)")
    healthlint = healthlint_command()
    print(f"# {describe_build(healthlint)}\n", flush=True)
    for path in args.files:
        megabytes = path.stat().st_size / 1e6
        whole, _ = run_once([*healthlint, "check", "--no-cache", "-q", "--output-format",
                             "json", str(path)], args.timeout)
        found = probe(path, args.timeout)
        steps = found["steps"]
        assert isinstance(steps, list)
        base = steps[0][1]
        rows = [[name, f"{rss:.0f}", f"{peak:.0f}", f"{rss - base:.0f}",
                 f"{(rss - base) / megabytes:.1f}"] for name, rss, peak in steps]
        peak = f"{whole.rss_mib:.0f} MiB" if whole is not None else "killed after the timeout"
        print(f"## {path.name}: {megabytes:.1f} MB, {found['diagnostics']:,} diagnostics and "
              f"{found['dropped']:,} dropped findings; whole command's peak RSS {peak}\n")
        print(table(["step", "RSS MiB", "peak so far MiB", "growth MiB", "growth per MB"],
                    rows) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
