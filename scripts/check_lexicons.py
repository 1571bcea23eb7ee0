"""Check the term-class phrase files of a rule pack and print what each class holds.

    python scripts/check_lexicons.py [TERMS_DIR] [--overlaps]

Every file is parsed (a bad file is reported and the others still are), every include
resolved, and each class's size printed: phrase lines and distinct expanded variants,
includes followed. Classes that must not share a phrase (``DISJOINT``) are compared the
way the matcher reads them: case folded unless ``=``, a right single quote as ``'``, a hyphen as a
hyphen, a space or nothing. ``--overlaps`` also lists phrases shared by other classes,
which is allowed (a word can be a product noun and a device) but worth a look.

Exit status: 0 clean, 1 a syntax error, an unknown include or a disjoint overlap,
2 no such directory.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lexicon_syntax import LexiconError, TermFile, parse_file, resolve, surfaces

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / "rules" / "health" / "terms"

# Pairs of classes that must never match the same text: a structure/function word is
# not a disease (21 CFR 101.93(g)); see wellness.txt.
DISJOINT: tuple[tuple[str, str], ...] = (("condition", "wellness"),)


@dataclass
class ClassSummary:
    """One class after its includes: sizes and the texts it matches."""

    name: str
    lines: int
    variants: int
    description: str = ""
    matched: dict[str, str] = field(default_factory=dict)  # surface -> "file:line: source"


@dataclass
class Report:
    """Everything the check found."""

    errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # lines other lines already cover
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    overlaps: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def load(directory: Path, report: Report) -> dict[str, TermFile]:
    """Parse every ``*.txt`` in ``directory``; errors go to the report."""
    files: dict[str, TermFile] = {}
    for path in sorted(directory.glob("*.txt")):
        try:
            files[path.stem] = parse_file(path)
        except LexiconError as exc:
            report.errors.append(str(exc))
    return files


def summarise(files: dict[str, TermFile], name: str, report: Report) -> ClassSummary | None:
    """The class ``name`` with includes followed; redundant lines of its own file noted."""
    try:
        phrases = resolve(files, name)
    except LexiconError as exc:
        report.errors.append(str(exc))
        return None
    summary = ClassSummary(name, len(phrases), 0, files[name].description)
    variants: set[tuple[str, bool]] = set()
    producers: dict[str, int] = {}
    own: list[tuple[str, set[str]]] = []
    for phrase, origin in phrases:
        where = f"{files[origin].path}:{phrase.line}: {phrase.source}"
        texts = {t for v in phrase.variants for t in surfaces(v, phrase.case_sensitive)}
        for variant in phrase.variants:
            folded = variant if phrase.case_sensitive else variant.lower()
            variants.add((folded, phrase.case_sensitive))
        for text in texts:
            summary.matched.setdefault(text, where)
        if origin == name:
            own.append((where, texts))
            for text in texts:
                producers[text] = producers.get(text, 0) + 1
    # A line is redundant when other lines of its own file already match all it matches
    # (a hand-curated name that an included class also holds is kept on purpose).
    report.duplicates.extend(where for where, texts in own if all(producers[t] > 1 for t in texts))
    summary.variants = len(variants)
    return summary


def _folded(summary: ClassSummary) -> dict[str, str]:
    """Surfaces a case-insensitive reader of the other class would compare."""
    return {text.lower(): where for text, where in summary.matched.items()}


def compare(a: ClassSummary, b: ClassSummary) -> list[str]:
    """Texts both classes match, each with where it comes from in each."""
    left, right = _folded(a), _folded(b)
    shared = sorted(set(left) & set(right))
    return [f"{text!r}: {left[text]} | {right[text]}" for text in shared]


def check(directory: Path, overlaps: bool = False) -> Report:
    """Parse, resolve, size and compare every class in ``directory``."""
    report = Report()
    files = load(directory, report)
    for name in sorted(files):
        summary = summarise(files, name, report)
        if summary is not None:
            report.classes[name] = summary
    pairs = set(DISJOINT)
    if overlaps:
        pairs |= set(itertools.combinations(sorted(report.classes), 2))
    for a, b in sorted(pairs):
        if a in report.classes and b in report.classes:
            shared = compare(report.classes[a], report.classes[b])
            if shared:
                report.overlaps[(a, b)] = shared
    for a, b in DISJOINT:
        for line in report.overlaps.get((a, b), []):
            report.errors.append(f"{a} and {b} share {line}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument(
        "--overlaps", action="store_true", help="list phrases shared between any classes"
    )
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"check_lexicons: no such directory: {args.directory}", file=sys.stderr)
        return 2
    report = check(args.directory, args.overlaps)
    width = max((len(n) for n in report.classes), default=5)
    print(f"{'class':<{width}}  {'lines':>7}  {'variants':>8}")
    for name, summary in report.classes.items():
        print(f"{name:<{width}}  {summary.lines:>7}  {summary.variants:>8}")
    for line in report.duplicates:
        print(f"redundant: {line}")
    if args.overlaps:
        for (a, b), shared in sorted(report.overlaps.items()):
            if (a, b) not in DISJOINT:
                examples = "; ".join(line.split(":")[0] for line in shared[:12])
                print(f"overlap {a} / {b} ({len(shared)}): {examples}")
    for line in report.errors:
        print(f"error: {line}", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
