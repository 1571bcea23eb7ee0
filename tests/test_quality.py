"""The shipped rules, measured on the development data in ../shared (skipped without it).

These run the same commands as the README of ../shared/eval: lint the seed pages to JSON and
score them against the gold annotation; lint careful public-health prose and count findings.
The thresholds are the project's acceptance bar for the rule packs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from healthlint.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared"
pytestmark = pytest.mark.shared
EVAL = SHARED / "eval"
SEEDS = SHARED / "corpus" / "seeds"


def _lint_json(capsys: pytest.CaptureFixture[str], *paths: str) -> str:
    main(["check", "--no-config", "--output-format", "json", "--quiet", *paths])
    return capsys.readouterr().out


def test_seed_pages_meet_the_bar(tmp_path, capsys) -> None:
    predictions = tmp_path / "seeds.json"
    predictions.write_text(_lint_json(capsys, *map(str, sorted(SEEDS.glob("*.txt")))))
    scored = subprocess.run(
        [sys.executable, str(EVAL / "score.py"), "--gold", str(SEEDS / "gold.yaml"),
         "--predictions", str(predictions), "--json"],
        check=True, capture_output=True, text=True,
    )
    result = json.loads(scored.stdout)
    summary = result["summary"]
    assert summary["definite_false_positives"] == 0, result["definite_false_positives"]
    assert summary["strict_recall"] >= 0.95
    assert summary["lenient_recall"] >= 0.97
    assert summary["severity_agreement"] >= 0.75
    expected = [d for d in result["document_level"] if d["expect"] in ("error", "warning")]
    assert all(d["status"] == "hit" for d in expected), expected
    assert not [d for d in result["document_level"] if d["status"] == "false alarm"]


@pytest.mark.slow
def test_public_health_prose_stays_quiet(tmp_path, capsys) -> None:
    corpus = tmp_path / "medquad"
    subprocess.run([sys.executable, str(EVAL / "negatives.py"), "extract", str(corpus)],
                   check=True, capture_output=True)
    predictions = tmp_path / "negatives.json"
    predictions.write_text(_lint_json(capsys, str(corpus)))
    scored = subprocess.run(
        [sys.executable, str(EVAL / "negatives.py"), "score", str(corpus), str(predictions)],
        check=True, capture_output=True, text=True,
    )
    first = scored.stdout.splitlines()[1]  # "diagnostics >= warning ...: N  = R per 10,000 words"
    rate = float(first.split("=")[-1].split()[0])
    assert rate <= 1.0, scored.stdout


CLAIMS_DEV = SHARED / "corpus" / "claims-dev"


@pytest.mark.slow
def test_claims_across_the_field_are_found_and_near_misses_pass(tmp_path, capsys) -> None:
    texts = tmp_path / "claims-dev"
    scorer = str(CLAIMS_DEV / "score_claims.py")
    subprocess.run([sys.executable, scorer, "write", str(texts)], check=True,
                   capture_output=True)
    predictions = tmp_path / "claims.json"
    predictions.write_text(_lint_json(capsys, str(texts)))
    scored = subprocess.run([sys.executable, scorer, "score", "--json", str(texts),
                             str(predictions)], check=True, capture_output=True, text=True)
    result = json.loads(scored.stdout)
    overall = result["summary"]
    assert overall["recall"] >= 0.85, overall
    assert overall["strict_recall"] >= 0.70, overall
    assert overall["false_positive_rate"] <= 0.08, overall
