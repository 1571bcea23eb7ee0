"""A disclosure rule on an informational page: lowered one level, and an info-level one
is kept as dropped (with its reason) instead of telling a public-health page to add a
seller's disclaimer."""

from __future__ import annotations

from pathlib import Path

from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.types import Severity

RULE = """code: ZZ301
slug: advice-note
category: medical-advice-disclaimer-missing
kind: disclosure
severity: {severity}
summary: A page about an ailment without an advice note.
message: 'This page discusses "{{match}}" without an advice note'
docs:
  what: An advice note.
  why: Readers self-diagnose.
  instead: Add one.
  references: ["Our own style guide"]
options:
  terms:
    ailment: ["sore knee[s]"]
    advice: [ask your doctor]
  triggers:
    - find: ailment
  accept:
    - {{any: [advice]}}
examples:
  flag: [Our clinic fixes sore knees. Book now.]
  pass: [Our clinic fixes sore knees. Ask your doctor first. Book now.]
"""


def _linter(tmp_path: Path, severity: str) -> Linter:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "ZZ301-advice-note.yaml").write_text(RULE.format(severity=severity),
                                                   encoding="utf-8")
    return Linter(Settings(packs=(), rule_dirs=(str(folder),)))


INFORMATIONAL = ("What causes sore knees? Sore knees are a common condition; symptoms of wear "
                 "often get better with rest.")


def test_an_info_disclosure_on_an_informational_page_is_kept_as_dropped(tmp_path: Path) -> None:
    result = _linter(tmp_path, "info").lint_text(INFORMATIONAL)
    assert result.diagnostics == []
    [dropped] = result.dropped
    assert any("reads as information" in note for note in dropped.notes)


def test_an_info_disclosure_on_a_promotional_page_is_reported(tmp_path: Path) -> None:
    result = _linter(tmp_path, "info").lint_text("We treat sore knees. Book now.")
    [diagnostic] = result.diagnostics
    assert diagnostic.severity == Severity.INFO


def test_a_warning_disclosure_on_an_informational_page_is_lowered_to_info(tmp_path: Path) -> None:
    result = _linter(tmp_path, "warning").lint_text(INFORMATIONAL)
    [diagnostic] = result.diagnostics
    assert diagnostic.severity == Severity.INFO
    assert any("reads as information" in note for note in diagnostic.notes)
