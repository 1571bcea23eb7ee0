#!/usr/bin/env python3
"""The dedicated fuzz run: ``tests/test_fuzz.py`` with enough examples to reach a total
of at least ``--total`` generated pages, then how time grows with page size, and
optionally coverage-guided fuzzing with atheris.

usage: python bench/fuzz.py [--total 100000] [--growth-only] [--no-growth]
                            [--atheris-runs N]

Hypothesis   runs the fuzz tests (every registered format reader, and the whole lint with
             every output) with ``HEALTHLINT_FUZZ_EXAMPLES`` set so that the examples of all
             tests add up to ``--total``; prints each test's example count from
             Hypothesis's statistics, the total and the duration. A failure is printed with
             the page that caused it, as pytest reports it.
Growth       for each format, random pages of the same soup at 16, 64 and 256 KB: seconds
             to read and to lint (median of three pages), and the growth exponent
             ``log(t_large / t_small) / log(size_large / size_small)``: about 1 is linear,
             2 quadratic.
Atheris      with ``--atheris-runs N`` and atheris installed (``pip install -e '.[fuzz]'``,
             Linux): N coverage-guided inputs through every format reader, the directive
             parser and the sentence and clause splitters.

Nothing here passes or fails; the figures go to standard output.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
SIZES = (16_000, 64_000, 256_000)


def run_hypothesis(total: int) -> int:
    sys.path.insert(0, str(TESTS))
    from test_fuzz import FORMATS

    tests = 2 * len(FORMATS)  # a reading test and a linting test per format
    per_test = math.ceil(total / tests)
    print(f"Hypothesis: {tests} tests x {per_test:,} examples (HEALTHLINT_FUZZ_EXAMPLES)",
          flush=True)
    environ = {**os.environ, "HEALTHLINT_FUZZ_EXAMPLES": str(per_test)}
    command = [sys.executable, "-m", "pytest", str(TESTS / "test_fuzz.py"), "-q",
               "-p", "no:cacheprovider", "--hypothesis-show-statistics"]
    start = time.perf_counter()
    process = subprocess.run(command, cwd=REPO, env=environ, capture_output=True, text=True,
                             check=False)
    elapsed = time.perf_counter() - start
    output = process.stdout + process.stderr
    counts = _example_counts(output)
    for name, count in counts.items():
        print(f"  {count:>9,}  {name}")
    generated = sum(counts.values())
    print(f"  {generated:>9,}  total generated pages")
    print(f"  duration {elapsed:,.0f} s ({elapsed / 60:.1f} min), pytest exit {process.returncode}")
    if process.returncode != 0:
        print(output[-20_000:])
    return process.returncode


def _example_counts(output: str) -> dict[str, int]:
    """Examples per test from ``--hypothesis-show-statistics``: every phase's passing,
    failing and invalid examples."""
    counts: dict[str, int] = {}
    current = None
    for line in output.splitlines():
        header = re.match(r"(\S+::\S+):\s*$", line.strip())
        if header:
            current = header.group(1)
            continue
        found = re.search(r"(\d+) passing, (\d+) failing, and (\d+) invalid", line)
        if found and current:
            counts[current] = counts.get(current, 0) + sum(int(n) for n in found.groups())
    return counts


def _page(rng: random.Random, size: int, tokens: list[str]) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        token = rng.choice(tokens)
        parts.append(token)
        length += len(token)
    return "".join(parts)


def run_growth() -> None:
    sys.path.insert(0, str(TESTS))
    from test_fuzz import CLAIMS, HOSTILE, LINTER, MARKUP, SPACING

    tokens = MARKUP + CLAIMS * 3 + SPACING * 2 + HOSTILE + [" lorem ipsum dolor ", "sit amet. "]
    print(f"\nGrowth: random pages at {', '.join(f'{s // 1000} KB' for s in SIZES)} "
          "(median of 3 pages each)")
    print(f"{'format':<10} {'step':<6} " + " ".join(f"{s // 1000:>6} KB" for s in SIZES)
          + "  exponent")
    for name, fmt in sorted(LINTER.registry.formats.items()):
        warm_up = _page(random.Random(99), SIZES[0], tokens)
        fmt.parse(warm_up, f"page.{name}")
        LINTER.lint_text(warm_up, f"page.{name}", format=name)
        reads: list[float] = []
        lints: list[float] = []
        for size in SIZES:
            read_times, lint_times = [], []
            for seed in range(3):
                page = _page(random.Random(seed), size, tokens)
                start = time.perf_counter()
                fmt.parse(page, f"page.{name}")
                read_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                LINTER.lint_text(page, f"page.{name}", format=name)
                lint_times.append(time.perf_counter() - start)
            reads.append(statistics.median(read_times))
            lints.append(statistics.median(lint_times))
        for step, times in (("read", reads), ("lint", lints)):
            exponent = math.log(times[-1] / times[0]) / math.log(SIZES[-1] / SIZES[0])
            print(f"{name:<10} {step:<6} " + " ".join(f"{t:>8.3f}s"[1:] for t in times)
                  + f"  {exponent:8.2f}", flush=True)


def run_atheris(runs: int) -> int:
    """Run the atheris child in a process of its own: atheris exits when it is done."""
    command = [sys.executable, __file__, "--atheris-child", str(runs)]
    start = time.perf_counter()
    process = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    summary = [line for line in (process.stdout + process.stderr).splitlines()
               if line.startswith(("Done", "==", "#")) or "Exception" in line]
    print(f"\nAtheris: {runs:,} runs through every format reader in {elapsed:,.0f} s, "
          f"exit {process.returncode}")
    for line in summary[-5:]:
        print(f"  {line}")
    return process.returncode


def _atheris_child(runs: int) -> None:
    import atheris

    with atheris.instrument_imports(include=["healthlint"]):
        import healthlint.builtin.formats
        import healthlint.builtin.formats.frontmatter
        import healthlint.builtin.formats.html
        import healthlint.builtin.formats.markdown
        import healthlint.builtin.formats.mdx
        import healthlint.builtin.formats.text
        import healthlint.suppress
        import healthlint.text
        from healthlint.display import scrub
        from healthlint.engine import Linter

    formats = list(Linter().registry.formats.values())
    splitters = (healthlint.text.split_sentences, healthlint.text.split_clauses)

    def one_input(data: bytes) -> None:
        text = scrub(data.decode("utf-8", "surrogateescape"))
        for fmt in formats:
            document = fmt.parse(text, "page")
            assert len(document.prose) == len(text)
            healthlint.suppress.parse_directives(document)
            for block in document.blocks:
                for sentence in splitters[0](document.prose, block.span):
                    splitters[1](document.prose, sentence)

    atheris.Setup([sys.argv[0], f"-runs={runs}", "-max_len=4096"], one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--atheris-child"]:
        _atheris_child(int(args[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--total", type=int, default=100_000,
                        help="generated pages over all fuzz tests (default 100,000)")
    parser.add_argument("--growth-only", action="store_true")
    parser.add_argument("--no-growth", action="store_true")
    parser.add_argument("--atheris-runs", type=int, default=0)
    options = parser.parse_args(args)
    code = 0
    if not options.growth_only:
        code = run_hypothesis(options.total)
    if not options.no_growth:
        run_growth()
    if options.atheris_runs:
        try:
            import atheris  # noqa: F401
        except ImportError:
            print("\nAtheris: not installed (pip install -e '.[fuzz]', Linux only)")
        else:
            code = code or run_atheris(options.atheris_runs)
    return code


if __name__ == "__main__":
    sys.exit(main())
