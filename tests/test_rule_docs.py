"""The rule documentation pages (the SARIF help URIs) match the rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.commands import explain_markdown
from healthlint.engine import Linter

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"
RULES = [loaded.rule for _, loaded in sorted(Linter().ruleset.rules.items())]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_page_is_current(rule) -> None:
    page = DOCS / f"{rule.code}.md"
    assert page.is_file(), f"missing {page.name}: run healthlint explain {rule.code} --markdown"
    assert page.read_text(encoding="utf-8") == explain_markdown(rule), (
        f"{page.name} is stale: regenerate it with healthlint explain {rule.code} --markdown")


def test_index_lists_every_rule() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"[{rule.code}]({rule.code}.md)" in index
