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
    result = _linter(tmp_path).lint_text("Swelling often goes down overnight.")
    [diagnostic] = result.diagnostics
    assert diagnostic.severity == Severity.INFO
    assert any("reads as information" in note for note in diagnostic.notes)


def test_a_sentence_that_names_the_goods_keeps_its_severity(tmp_path: Path) -> None:
    result = _linter(tmp_path).lint_text("This serum clears blemishes overnight.")
    [diagnostic] = result.diagnostics
    assert diagnostic.severity == Severity.WARNING
    assert not any("reads as information" in note for note in diagnostic.notes)
