#!/usr/bin/env python3
"""What the HTML review report costs on top of linting: render time and size beside JSON.

usage: python bench/html_report.py PATH... [--runs 5]

Lints the paths once in-process, then renders the same report as ``json`` and as ``html``
``--runs`` times each and prints the median render time (with min-max) and the output
size. It is a script that reports figures, not a test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Sequence

from healthlint import Linter, lint_paths
from healthlint.types import OutputContext, Report


def _times(linter: Linter, name: str, report: Report, runs: int) -> tuple[list[float], int]:
    output = linter.registry.outputs[name]
    context = OutputContext(tool_version="bench", options={"environ": {}})
    times, size = [], 0
    for _ in range(runs):
        stream = io.StringIO()
        start = time.perf_counter()
        output.render(report, stream, context)
        times.append(time.perf_counter() - start)
        size = len(stream.getvalue().encode("utf-8"))
    return times, size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    report, linter = lint_paths(args.paths), Linter()
    print(f"{len(report.files)} files, {len(report.diagnostics)} findings, "
          f"{sum(len(f.source or '') for f in report.files) / 1e6:.2f} M characters")
    print(f"{'output':<8} {'median ms':>10} {'(min-max)':>16} {'MB':>7}")
    for name in ("json", "html"):
        times, size = _times(linter, name, report, args.runs)
        spread = f"({min(times) * 1e3:.0f}-{max(times) * 1e3:.0f})"
        print(f"{name:<8} {statistics.median(times) * 1e3:>10.0f} {spread:>16} {size / 1e6:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
