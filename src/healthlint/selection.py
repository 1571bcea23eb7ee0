"""What a rule name means, decided in one place for the command line, configuration files
and suppression comments.

A *name* is a rule code (``HL104``), a code prefix (``HL1``), a slug
(``safety-claim-unsupported``), a category a rule pack declares in its ``pack.yaml`` (it names
every rule of that category, whatever its pack) or ``ALL``, in any case: ``hl104`` is
``HL104``. The core's own findings (HL001-HL003) are named by code and slug. A name that
names no rule and no declared category is an error wherever it is written, with the nearest
code, slug or category offered.

On top of that sit the decisions: which rules are selected (``select``, ``extend-select``,
``ignore``: flake8's rule, the longest matching name wins and ``ignore`` wins a tie), which
severity a table sets, what a per-path override decides, and a rule's default under a
profile.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from healthlint.errors import close_matches
from healthlint.types import Rule, Severity

ALL = "ALL"


class Named(Protocol):
    """Anything with a code, a slug and a category: a rule, or one of the core's findings."""

    @property
    def code(self) -> str: ...

    @property
    def slug(self) -> str: ...

    @property
    def category(self) -> str: ...


N = TypeVar("N", bound=Named)


@dataclass(frozen=True)
class RuleName:
    """The code and slug of something that is named like a rule without being one."""

    code: str
    slug: str
    category: str = ""
    """A pack-declared category, or empty: the core's own findings have none to be named by."""


class Override(Protocol):
    """The selection part of a per-path override (:class:`healthlint.config.PathOverride`)."""

    @property
    def select(self) -> tuple[str, ...]: ...

    @property
    def ignore(self) -> tuple[str, ...]: ...

    @property
    def extend_select(self) -> tuple[str, ...]: ...

    @property
    def severity(self) -> Mapping[str, Severity]: ...


def match_length(rule: Named, name: str) -> int:
    """How specifically ``name`` names ``rule``: -1 not at all, 0 for ``ALL``, the prefix
    length for a code or code prefix, as much as the whole code for the rule's category (a
    tie with the code goes to ``ignore``), and more than any of those for the slug."""
    wanted = name.strip()
    if not wanted:
        return -1
    upper = wanted.upper()
    if upper == ALL:
        return 0
    if wanted.lower() == rule.slug.lower():
        return len(rule.code) + 1
    if rule.code.upper().startswith(upper):
        return len(upper)
    if rule.category and wanted.lower() == rule.category.lower():
        return len(rule.code)
    return -1


def names(rule: Named, name: str) -> bool:
    return match_length(rule, name) >= 0


def names_any(rule: Named, wanted: Iterable[str]) -> bool:
    """Whether one of ``wanted`` names ``rule``; an empty ``wanted`` names nothing."""
    return any(names(rule, name) for name in wanted)


def longest_match(rule: Named, wanted: Iterable[str]) -> int:
    return max((match_length(rule, name) for name in wanted), default=-1)


def is_selected(rule: Named, select: Sequence[str], extend_select: Sequence[str],
                ignore: Sequence[str]) -> bool:
    """flake8's decision: the longest matching name wins, ignore wins a tie; no selection
    means all."""
    chosen = longest_match(rule, (*select, *extend_select))
    ignored = longest_match(rule, ignore)
    if chosen < 0 and ignored < 0:
        return not select
    return chosen > ignored  # a tie goes to ignore, as in flake8 and ruff


def configured_severity(rule: Named, table: Mapping[str, Severity]) -> Severity | None:
    """The severity the most specific name in ``table`` sets for ``rule``, if any."""
    best, found = -1, None
    for name, value in table.items():
        length = match_length(rule, name)
        if length > best:
            best, found = length, value
    return found


def override_decision(rule: Named, override: Override) -> bool | None:
    """Whether a per-path override turns ``rule`` on (True) or off (False) for its paths,
    or ``None`` when it does not name the rule."""
    mentioned = (*override.select, *override.extend_select, *override.ignore,
                 *override.severity)
    if longest_match(rule, mentioned) < 0:
        return None
    severity = configured_severity(rule, override.severity)
    if severity is not None:
        return severity != Severity.OFF and is_selected(
            rule, override.select or (rule.code,), override.extend_select, override.ignore)
    return is_selected(rule, override.select, override.extend_select, override.ignore)


def profile_severity(rule: Rule, profile: str) -> Severity:
    """The rule's default severity under ``profile``."""
    entry = rule.profiles.get(profile, {})
    return Severity.parse(entry["severity"]) if "severity" in entry else rule.severity


def find(rules: Iterable[N], name: str) -> N | None:
    """The rule whose code or slug is exactly ``name`` (any case), for commands about one
    rule."""
    wanted = name.strip()
    for rule in rules:
        if wanted.upper() == rule.code.upper() or wanted.lower() == rule.slug.lower():
            return rule
    return None


def problem(name: str, rules: Sequence[Named], categories: Collection[str] = ()) -> str | None:
    """``None`` when ``name`` names one of ``rules`` or one of the declared ``categories``
    (which may have no rule loaded), else what is wrong with it, with the nearest code, slug
    or category when there is one."""
    wanted = name.strip()
    if any(names(rule, name) for rule in rules) or wanted.lower() in {
            c.lower() for c in categories}:
        return None
    slugs = sorted({r.slug.lower() for r in rules} | {c.lower() for c in categories})
    close = (close_matches(wanted.upper(), [r.code.upper() for r in rules])
             or close_matches(wanted.lower(), slugs))
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{name!r} names no rule{hint}"


def unknown_names(named: Iterable[tuple[str, str]], rules: Sequence[Named],
                  categories: Collection[str] = ()) -> list[tuple[str, str]]:
    """``(where, problem)`` for every ``(where, name)`` in ``named`` that names no rule and
    no declared category."""
    found = []
    for where, name in named:
        message = problem(name, rules, categories)
        if message is not None:
            found.append((where, message))
    return found
