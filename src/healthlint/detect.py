"""Everything a rule-kind author needs, in one public module.

A rule kind (registered through ``healthlint_register_rule_kinds``) compiles a
rule's options against the run's :class:`Lexicon`, declaring any term classes of
its own there, and returns a checker whose ``trigger_classes`` name the classes
that make candidates and whose ``check(analysis, candidates)`` returns
:class:`~healthlint.types.Finding` values. The engine builds one immutable
:class:`Analysis` per document and passes each checker its candidate sentences
explicitly. The built-in kinds in :mod:`healthlint.builtin.relations` use
nothing else, so they are worked examples.
"""

from __future__ import annotations

from healthlint.builtin.relations import (
    Condition,
    Evidence,
    Relation,
    Verdict,
    render_message,
    suggestion_fix,
    weigh,
)
from healthlint.errors import OptionError
from healthlint.evidence import HEDGE_CLASSES, Analysis, Hedging, Sentence, Strength
from healthlint.lexicon import Lexicon
from healthlint.scan import time_limit
from healthlint.terms import Hits
from healthlint.types import (
    Applicability,
    Edit,
    Finding,
    Fix,
    Rule,
    RuleChecker,
    RuleKind,
    Severity,
    Span,
)

__all__ = [
    "HEDGE_CLASSES",
    "Analysis",
    "Applicability",
    "Condition",
    "Edit",
    "Evidence",
    "Finding",
    "Fix",
    "Hedging",
    "Hits",
    "Lexicon",
    "OptionError",
    "Relation",
    "Rule",
    "RuleChecker",
    "RuleKind",
    "Sentence",
    "Severity",
    "Span",
    "Strength",
    "Verdict",
    "render_message",
    "suggestion_fix",
    "time_limit",
    "weigh",
]
