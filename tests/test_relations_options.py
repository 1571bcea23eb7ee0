"""A claim rule's ``promotional`` conditions: a sentence that speaks as a seller is not
lowered by the informational-page rule."""

from __future__ import annotations

from pathlib import Path

from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.types import Severity

RULE = """code: ZZ201
slug: speed-word
category: outcome-timeframe-claim
kind: claim
severity: warning
summary: A speed promise.
message: 'Speed promise "{match}"'
docs:
  what: A speed promise.
  why: Speed needs support.
  instead: Say timing varies.
  references: [Our own style guide]
options:
  terms:
    speedy: [overnight]
    goods: ["{serum|cream}[s]"]
  claims:
    - find: speedy
  promotional:
    - {any: [goods], within: sentence}
examples:
  flag: [This serum works overnight.]
  pass: [Apply it in the evening.]
"""


def _linter(tmp_path: Path) -> Linter:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "ZZ201-speed-word.yaml").write_text(RULE, encoding="utf-8")
    return Linter(Settings(packs=(), rule_dirs=(str(folder),)))


def test_an_informational_page_lowers_a_sentence_without_seller_signs(tmp_path: Path) -> None:
    # Two signs of reference prose ("symptoms of", "see your doctor") and no seller voice.
    page = ("Symptoms of a sprain include swelling. Swelling often goes down overnight. "
            "See your doctor if it does not.")
    result = _linter(tmp_path).lint_text(page)
    [diagnostic] = result.diagnostics
    assert diagnostic.severity == Severity.INFO
    assert any("reads as information" in note for note in diagnostic.notes)


def test_a_sentence_that_names_the_goods_keeps_its_severity(tmp_path: Path) -> None:
    page = ("Symptoms of acne include blemishes. This serum clears blemishes overnight. "
            "See your doctor if they last.")
    result = _linter(tmp_path).lint_text(page)
    [diagnostic] = result.diagnostics
    assert diagnostic.severity == Severity.WARNING
    assert not any("reads as information" in note for note in diagnostic.notes)


SLOT_RULE = """code: ZZ202
slug: rival-word
category: comparative-claim-unsubstantiated
kind: claim
severity: warning
summary: A comparison with a rival.
message: 'Compared with {rival}: "{match}"'
suggestion: 'has not been compared with {rival|the alternative} in a trial'
docs:
  what: A comparison.
  why: Comparisons need head-to-head evidence.
  instead: Describe the product on its own.
  references: [Our own style guide]
options:
  terms:
    better: [works better than, beats]
    rival: [aspirin, ibuprofen]
  claims:
    - find: better
  evidence: {information: 0}
examples:
  flag: [It works better than aspirin.]
  pass: [Take it with water.]
"""


def test_a_message_names_the_class_hit_it_found(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "ZZ202-rival-word.yaml").write_text(SLOT_RULE, encoding="utf-8")
    linter = Linter(Settings(packs=(), rule_dirs=(str(folder),)))
    [found] = linter.lint_text("This balm works better than ibuprofen.").diagnostics
    assert found.message == 'Compared with ibuprofen: "works better than"'
    assert found.fix is not None and "compared with ibuprofen" in found.fix.description
    [fallback] = linter.lint_text("Our balm beats the rest.").diagnostics
    assert fallback.message == 'Compared with rival: "beats"'
    assert fallback.fix is not None and "compared with the alternative" in fallback.fix.description


def test_a_slot_that_names_no_class_is_a_rule_error(tmp_path: Path) -> None:
    import pytest

    from healthlint.errors import RuleError

    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "ZZ202-rival-word.yaml").write_text(
        SLOT_RULE.replace("Compared with {rival}", "Compared with {rivals}"), encoding="utf-8")
    with pytest.raises(RuleError, match="rivals"):
        Linter(Settings(packs=(), rule_dirs=(str(folder),)))
