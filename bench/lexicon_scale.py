"""How the one-scan matcher scales with lexicon size: scan time for 500 and 50,000 phrases.

    python bench/lexicon_scale.py [--text FILE ...] [--runs 7]

The lexicons are generated (reproducibly, from a seed): multi-word phrases of invented
words, a few of which are planted in the text so hits are found. The text is the given
files, or the bundled examples repeated to about 2 MB. Prints the median scan time over
``--runs`` runs for each size, the build time of each matcher, and their ratio; the
design bound is 50,000 phrases at most 2x the scan time of 500.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from healthlint.terms import TermMatcher, TermSet, parse_terms

HERE = Path(__file__).resolve().parent
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 9)))


def lexicon(size: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    phrases = {" ".join(_word(rng) for _ in range(rng.randint(1, 3))) for _ in range(size * 2)}
    return sorted(phrases)[:size]


def text(files: list[str]) -> str:
    if files:
        return "\n\n".join(Path(f).read_text(encoding="utf-8") for f in files)
    pages = sorted((HERE.parent / "examples").glob("*"))
    base = "\n\n".join(p.read_text(encoding="utf-8") for p in pages)
    return (base + "\n\n") * max(1, 2_000_000 // max(1, len(base)))


def measure(phrases: list[str], prose: str, runs: int) -> tuple[float, float, int]:
    terms = TermSet()
    terms.add(parse_terms("\n".join(phrases), "bench"))
    start = time.perf_counter()
    matcher = TermMatcher(terms)
    build = time.perf_counter() - start
    times = []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        count = sum(1 for _ in matcher.scan(prose))
        times.append(time.perf_counter() - start)
    return build, statistics.median(times), count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", nargs="*", default=[])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    prose = text(args.text)
    small, large = lexicon(500), lexicon(50_000)
    planted = " ".join(small[:50] + large[-50:])
    prose = prose + "\n\n" + planted
    size_mb = len(prose.encode()) / 1e6
    print(f"text: {size_mb:.2f} MB; runs: {args.runs} (medians)")
    results = {}
    for name, phrases in (("500", small), ("50000", large)):
        build, scan, hits = measure(phrases, prose, args.runs)
        results[name] = scan
        print(f"{name:>6} phrases: build {build:.3f} s, scan {scan:.3f} s "
              f"({size_mb / scan:.1f} MB/s), {hits} hits")
    print(f"ratio 50000/500: {results['50000'] / results['500']:.2f} (bound: 2.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
