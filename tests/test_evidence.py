"""The evidence model on the hit list, through a small rule of its own: hedges, boosters,
negation, reported speech, citations, genre, and claims dropped with their reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.types import Severity

RULE = """code: ZZ301
slug: wonder-claim
category: cure-or-guarantee-claim
kind: claim
severity: error
summary: A wonder cure.
message: 'Wonder claim "{match}"'
docs:
  what: Wonder cures.
  why: Nothing cures everything.
  instead: Describe realistic outcomes.
  references: [House style]
options:
  terms:
    wonder: ["wonder{drops|balm}"]
    promise: ["cure[s]", "heal[s]"]
    ailment: [arthritis, gout, "migraine[s]"]
  claims:
    - find: [wonder, promise, ailment]
      gap: 4
  evidence:
    citations: {strong: suppress, medium: 1, weak: 0}
examples:
  flag: [Wonderdrops cure arthritis.]
  pass: [Wonderdrops taste of mint.]
"""

SHOP = "Order now from our shop. "


@pytest.fixture(scope="module")
def linter(tmp_path_factory: pytest.TempPathFactory) -> Linter:
    folder: Path = tmp_path_factory.mktemp("house")
    (folder / "ZZ301-wonder-claim.yaml").write_text(RULE, encoding="utf-8")
    return Linter(Settings(packs=(), rule_dirs=(str(folder),)))


Kept = list[tuple[str, Severity, tuple[str, ...]]]


def lint(linter: Linter, text: str) -> tuple[Kept, list[str]]:
    result = linter.lint_text(text, "page.txt")
    kept = [(text[d.span.start : d.span.end], d.severity, d.notes) for d in result.diagnostics]
    dropped = [note for d in result.dropped for note in d.notes]
    return kept, dropped


def test_a_relation_reports_the_span_from_its_first_to_its_last_class(linter: Linter) -> None:
    kept, _ = lint(linter, SHOP + "Wonderdrops quickly cure   painful\narthritis.")
    assert kept == [("Wonderdrops quickly cure   painful\narthritis", Severity.ERROR, ())]


def test_classes_too_far_apart_are_no_relation(linter: Linter) -> None:
    kept, dropped = lint(linter, SHOP + "Wonderdrops, we are told by our many friends here, "
                         "cure arthritis.")
    assert kept == [] and dropped == []


@pytest.mark.parametrize(("text", "severity", "why"), [
    ("Wonderdrops may cure arthritis.", Severity.INFO, "strong hedge 'may'"),
    ("Wonderdrops can cure arthritis.", Severity.WARNING, "weak hedge 'can'"),
    ("Wonderdrops can easily cure arthritis.", Severity.ERROR, None),
])
def test_hedges_lower_and_boosters_cancel(linter: Linter, text: str, severity: Severity,
                                          why: str | None) -> None:
    [(_, found, notes)] = lint(linter, SHOP + text)[0]
    assert found == severity
    if why:
        assert any(why in note for note in notes)


@pytest.mark.parametrize(("text", "reason"), [
    ("Wonderdrops do not cure arthritis.", "negated by 'not'"),
    ("Beware of sellers who say wonderdrops cure arthritis.", "reported or critical speech"),
    ("Wonderdrops cure arthritis (doi:10.1000/xyz123).", "strong citation"),
])
def test_negation_reported_speech_and_strong_citations_drop_the_claim_with_a_trace(
        linter: Linter, text: str, reason: str) -> None:
    kept, dropped = lint(linter, SHOP + text)
    assert kept == []
    assert any(reason in note for note in dropped)


def test_an_informational_page_is_lowered_never_dropped(linter: Linter) -> None:
    page = ("What is gout? Gout is a disease of the joints. Some people say wonderdrops cure "
            "gout.")
    [(_, severity, notes)] = lint(linter, page)[0]
    assert severity == Severity.WARNING
    assert any("reads as information" in note for note in notes)


def test_a_page_with_no_sign_either_way_is_judged_as_marketing(linter: Linter) -> None:
    [(_, severity, _)] = lint(linter, "Wonderdrops cure arthritis.")[0]
    assert severity == Severity.ERROR


def test_a_provider_voice_a_few_words_from_a_business_noun_makes_a_page_promotional(
        linter: Linter) -> None:
    [(_, severity, _)] = lint(linter, "Our award-winning family clinic sells them. "
                              "Wonderdrops cure arthritis.")[0]
    assert severity == Severity.ERROR


def test_a_long_unpunctuated_claim_run_is_linted_in_bounded_work(linter: Linter) -> None:
    # One sentence of thousands of claims: each sentence yields at most one finding.
    text = SHOP + " ".join(["wonderdrops cure arthritis and"] * 3000) + " gout."
    kept, _ = lint(linter, text)
    assert len(kept) == 1 and kept[0][1] == Severity.ERROR
