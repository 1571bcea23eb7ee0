"""``healthlint test``: run the examples of users' own rule packs, as ``semgrep --test`` does.

Every rule file carries examples that must be flagged (``examples.flag``) and examples
that must not (``examples.pass``). This module lints each example on its own, in the
format it names, with every tested rule switched on whatever the configuration selects,
and reports the examples that do not behave, with what the rule found instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.errors import ConfigError
from healthlint.types import Diagnostic, Example, Rule, Severity

__all__ = ["ExampleOutcome", "rules_under", "run_examples", "settings_for_testing"]


@dataclass(frozen=True)
class ExampleOutcome:
    rule: Rule
    example: Example
    found: tuple[Diagnostic, ...]
    """The tested rule's findings on the example."""

    @property
    def passed(self) -> bool:
        return bool(self.found) == self.example.flags


def settings_for_testing(settings: Settings, folders: Sequence[str]) -> Settings:
    """``settings`` with ``folders`` as its local rule packs and nothing switched off:
    selection, severities and per-path overrides say how a site uses its rules, not
    whether the rules work."""
    missing = [folder for folder in folders if not os.path.isdir(folder)]
    if missing:
        raise ConfigError("rule folder not found", path=missing[0])
    return replace(settings, rule_dirs=tuple(os.path.abspath(f) for f in folders), select=(),
                   ignore=(), extend_select=(), severity={}, per_path=())


def rules_under(linter: Linter, folders: Sequence[str]) -> list[Rule]:
    """The loaded rules whose files lie in ``folders``, by code."""
    roots = [Path(folder).resolve() for folder in folders]
    return [loaded.rule for _, loaded in sorted(linter.ruleset.rules.items())
            if any(root in Path(loaded.rule.path).resolve().parents for root in roots)]


def run_examples(linter: Linter, rules: Sequence[Rule]) -> list[ExampleOutcome]:
    """Lint every example of ``rules`` and say whether it behaved."""
    outcomes: list[ExampleOutcome] = []
    for rule in rules:
        # A rule that is off by default is tested as if it were on: its examples
        # still say what it flags.
        forced = {rule.code: Severity.WARNING} if rule.severity == Severity.OFF else {}
        tester = linter if not forced else Linter(replace(
            linter.settings, severity={**linter.settings.severity, **forced}),
            registry=linter.registry)
        for example in rule.examples:
            result = tester.lint_text(example.text, "example", format=example.format)
            found = tuple(d for d in result.diagnostics if d.code == rule.code)
            outcomes.append(ExampleOutcome(rule, example, found))
    return outcomes
