"""How much of a labelled claim set the term classes see: a figure, not a test.

    python bench/lexicon_coverage.py ../shared/corpus/claims-dev/items

For each domain of the claim set it prints the share of items to flag (``expect: flag``)
and of near-misses (``expect: ok``) in which the condition class finds at least one
phrase, the same share for the regex ``condition`` vocabulary of
``rules/health/vocab/domain.yaml`` (the vocabulary the term class replaces), and the share
of flag items in which any product or service class finds a phrase.

Matching here is a plain n-gram lookup of each class's expanded phrases in the
lower-cased text (hyphens and apostrophes folded as the phrase language folds them), so
the figures describe the lexicons, not the engine's matcher.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from lexicon_syntax import parse_file, resolve, surfaces  # noqa: E402

TERMS = REPO / "rules" / "health" / "terms"
PRODUCT_CLASSES = (
    "supplement", "botanical", "cannabinoid", "homeopathic", "otc_drug", "compounded",
    "peptide_hormone", "iv_therapy", "device", "medspa", "dental_oral", "antimicrobial",
    "essential_oil", "manual_therapy", "biologic", "product_noun",
)
MAX_WORDS = 8
TOKEN = re.compile(r"[\w'+&./-]+")


class Lexicon:
    """The texts one class matches, folded to lower-case token tuples."""

    def __init__(self, name: str) -> None:
        files = {p.stem: parse_file(p) for p in TERMS.glob("*.txt")}
        self.folded: set[tuple[str, ...]] = set()
        self.exact: set[tuple[str, ...]] = set()
        for phrase, _ in resolve(files, name):
            for variant in phrase.variants:
                for text in surfaces(variant, phrase.case_sensitive):
                    target = self.exact if phrase.case_sensitive else self.folded
                    target.add(tuple(_tokens(text)))

    def finds(self, text: str) -> bool:
        words = _tokens(text)
        lowered = [w.lower() for w in words]
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + MAX_WORDS) + 1):
                span = slice(start, end)
                if tuple(lowered[span]) in self.folded or tuple(words[span]) in self.exact:
                    return True
        return False


def _tokens(text: str) -> list[str]:
    text = text.replace("\u2019", "'").replace("-", " ")
    return [t.strip(".'/") for t in TOKEN.findall(text) if t.strip(".'/")]


def regex_condition_vocabulary() -> re.Pattern[str]:
    data = yaml.safe_load((REPO / "rules/health/vocab/domain.yaml").read_text(encoding="utf-8"))
    terms = data["vocabularies"]["condition"]["terms"]
    space = r"\s+"
    return re.compile("|".join(f"(?:{t.replace(' ', space)})" for t in terms), re.IGNORECASE)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("items", type=Path, help="folder of claim-set YAML files")
    args = parser.parse_args(argv)
    condition = Lexicon("condition")
    products = [Lexicon(name) for name in PRODUCT_CLASSES]
    old = regex_condition_vocabulary()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path in sorted(args.items.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            row, text, kind = counts[item["domain"]], item["text"], item["expect"]
            row[kind] += 1
            row[f"{kind}_new"] += condition.finds(text)
            row[f"{kind}_old"] += bool(old.search(text))
            if kind == "flag":
                row["flag_product"] += any(p.finds(text) for p in products)
    total: dict[str, int] = defaultdict(int)
    print(f"{'domain':<22} {'flag':>4}  {'cond new':>8}  {'cond old':>8}  {'product':>7}"
          f"  {'ok':>3}  {'ok new':>6}  {'ok old':>6}")
    for domain in sorted(counts):
        row = counts[domain]
        for key, value in row.items():
            total[key] += value
        print(_line(domain, row))
    print(_line("all", total))
    return 0


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def _line(name: str, row: dict[str, int]) -> str:
    flag, ok = row["flag"], row["ok"]
    return (f"{name:<22} {flag:>4}  {_share(row['flag_new'], flag):>8}  "
            f"{_share(row['flag_old'], flag):>8}  {_share(row['flag_product'], flag):>7}  "
            f"{ok:>3}  {_share(row['ok_new'], ok):>6}  {_share(row['ok_old'], ok):>6}")


if __name__ == "__main__":
    raise SystemExit(main())
