"""The built-in rule kinds: ``pattern``, ``claim``, ``disclosure`` and ``enumeration``.

* ``pattern`` reports trigger phrases, with optional exclusions, subject and negation.
* ``claim`` weighs a trigger against its context with the evidence model
  (catalogue section 2): hedges and boosters in the claim's clause, negation,
  the citation covering the sentence, study context and back-references, then
  ``final = default - hedges + boosters - citation effect``, clamped.
* ``disclosure`` is document-level: when a trigger appears, one of the accepted
  texts must appear somewhere on the page; reported once, at the first trigger.
* ``enumeration`` finds one therapy presented as treating many conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from healthlint import hookimpl
from healthlint.analysis import Analysis, Sentence, Strength
from healthlint.errors import OptionError
from healthlint.types import Applicability, Edit, Finding, Fix, Rule, RuleKind, Severity, Span
from healthlint.vocab import Vocabulary

PATTERN_TIMEOUT = 2.0
"""Seconds one pattern search may take, plus :data:`TIMEOUT_PER_MB` for each megabyte it
searches, before the rule is stopped for that file. Linear work on a large page stays well
inside it; catastrophic backtracking does not."""
TIMEOUT_PER_MB = 4.0


def timeout_for(span: Span) -> float:
    return PATTERN_TIMEOUT + TIMEOUT_PER_MB * len(span) / 1_000_000

DEFAULT_HEDGE_WEIGHTS = {"strong": 2, "weak": 1, "intent": 1, "limiting": 1, "opinion": 1}

# JSON Schema fragments shared by the kinds' option schemas.
_SEVERITY = {"enum": ["error", "warning", "info", "off"]}
_SCOPE = {"enum": ["clause_before", "clause", "sentence", "block", "document"]}
_PATTERN_ENTRY = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "required": ["pattern"],
            "additionalProperties": False,
            "properties": {
                "pattern": {"type": "string", "minLength": 1},
                "severity": _SEVERITY,
                "floor": _SEVERITY,
                "scope": _SCOPE,
                "reason": {"type": "string"},
                "message": {"type": "string"},
                "suggestion": {"type": "string"},
                "context": {"type": "string", "description": "The entry counts only if this "
                            "also matches within context_scope."},
                "unless": {"type": "string", "description": "The entry does not count if this "
                           "matches within context_scope."},
                "context_scope": _SCOPE,
            },
        },
    ]
}
_PATTERN_LIST = {"type": "array", "items": _PATTERN_ENTRY}
_EFFECT = {"oneOf": [{"const": "suppress"}, {"type": "integer", "minimum": 0, "maximum": 3}]}

PATTERN_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["triggers"],
    "properties": {
        "triggers": {**_PATTERN_LIST, "minItems": 1,
                     "description": "Phrases that make a finding; each may set its own severity."},
        "subject": {**_PATTERN_LIST,
                    "description": "The claim must be about one of these, within the entry's scope."},
        "require": {**_PATTERN_LIST,
                    "description": "Every one of these must match within its scope."},
        "page": {**_PATTERN_LIST,
                 "description": "The page must match one of these somewhere (e.g. {@promotion})."},
        "exclude": {**_PATTERN_LIST, "description": "A match within the entry's scope cancels."},
        "escalate": {**_PATTERN_LIST, "description": "Raise to the entry's severity when it matches."},
        "negation": {"type": "boolean", "description": "A negation cue before the trigger cancels."},
        "scopes": {"type": "array", "items": {"type": "string"},
                   "description": "Block scopes to check (default: all)."},
    },
}
CLAIM_OPTIONS: dict[str, Any] = {
    **PATTERN_OPTIONS,
    "properties": {
        **PATTERN_OPTIONS["properties"],
        "hedges": {
            "type": "object", "additionalProperties": False,
            "properties": {k: {"type": "integer", "minimum": 0, "maximum": 3}
                           for k in DEFAULT_HEDGE_WEIGHTS},
            "description": "Levels each hedge class lowers the claim by.",
        },
        "citations": {
            "type": "object", "additionalProperties": False,
            "properties": {"strong": _EFFECT, "medium": _EFFECT, "weak": _EFFECT},
            "description": "What a citation of each strength does: suppress, or lower by N levels.",
        },
        "study_context": {**_EFFECT, "description": "Effect when the block reports a study with at "
                          "least two of comparator, time point, measure and sample."},
        "back_reference": {"type": "boolean",
                           "description": "Suppress when the claim is backed by a cited passage "
                                          "elsewhere on the page."},
        "floor": {**_SEVERITY, "description": "Hedges never lower the claim below this."},
        "lower": {**_PATTERN_LIST, "description": "Lower the claim one level when one of these "
                                                 "matches in its scope (e.g. risks named nearby)."},
    },
}
DISCLOSURE_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["triggers", "accept"],
    "properties": {
        "triggers": {**_PATTERN_LIST, "minItems": 1,
                     "description": "Any of these puts the page in scope."},
        "require": {**_PATTERN_LIST,
                    "description": "Each of these must also appear somewhere on the page."},
        "exclude": {**_PATTERN_LIST, "description": "Triggers in a sentence matching one of "
                                                    "these do not count."},
        "accept": {**_PATTERN_LIST, "minItems": 1,
                   "description": "Any of these on the page satisfies the rule."},
        "accept_count": {
            "type": "object", "additionalProperties": False, "required": ["pattern", "count"],
            "properties": {"pattern": {"type": "string"}, "count": {"type": "integer", "minimum": 1}},
            "description": "Also satisfied by this many distinct matches of a pattern.",
        },
        "near_miss": {**_PATTERN_LIST, "description": "Variants that do not satisfy the rule; "
                                                      "reported with their own message and severity."},
        "escalate": {**_PATTERN_LIST, "description": "Raise to the entry's severity when it "
                                                     "appears on the page."},
        "canonical": {"type": "string", "description": "The recommended text, quoted in the fix."},
    },
}
ENUMERATION_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["triggers", "items"],
    "properties": {
        "triggers": {**_PATTERN_LIST, "minItems": 1,
                     "description": "Treatment predicates that introduce a list of conditions."},
        "subject": PATTERN_OPTIONS["properties"]["subject"],
        "exclude": PATTERN_OPTIONS["properties"]["exclude"],
        "page": PATTERN_OPTIONS["properties"]["page"],
        "items": {"type": "string", "description": "A condition or body site; distinct matches count."},
        "min_items": {"type": "integer", "minimum": 2},
        "open_ended": {"type": "string", "description": "An open-ended list ending (\"and more\")."},
    },
}


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern entry with its per-entry settings."""

    regex: Any
    """A compiled ``regex`` pattern, or a :class:`healthlint.vocab.LazyPattern`."""
    source: str
    severity: Severity | None = None
    floor: Severity | None = None
    scope: str = "sentence"
    reason: str = ""
    message: str | None = None
    suggestion: str | None = None
    context: regex.Pattern[str] | None = None
    unless: regex.Pattern[str] | None = None
    context_scope: str = "block"

    def search(self, analysis: Analysis, span: Span) -> regex.Match[str] | None:
        return self.regex.search(analysis.prose, span.start, span.end, timeout=timeout_for(span))

    def finditer(self, analysis: Analysis, span: Span) -> Any:
        return self.regex.finditer(analysis.prose, span.start, span.end,
                                   timeout=timeout_for(span))


def compile_patterns(entries: Sequence[Any] | None, vocabulary: Vocabulary, key: str,
                     default_scope: str = "sentence", *, findings: bool = False) -> list[Pattern]:
    """Compile a list of pattern entries; ``findings`` marks patterns whose matches become
    findings, which must not match empty text (a gate such as ``\\A`` may)."""
    patterns: list[Pattern] = []
    for index, entry in enumerate(entries or ()):
        spec = {"pattern": entry} if isinstance(entry, str) else dict(entry)
        try:
            compiled = vocabulary.compile(spec["pattern"])
            context = vocabulary.compile(spec["context"]) if "context" in spec else None
            unless = vocabulary.compile(spec["unless"]) if "unless" in spec else None
        except ValueError as exc:
            raise OptionError(str(exc), (key, index)) from None
        if findings and vocabulary.eager and compiled.search(""):
            raise OptionError(f"pattern {spec['pattern']!r} matches empty text", (key, index))
        patterns.append(Pattern(
            regex=compiled,
            source=spec["pattern"],
            severity=Severity.parse(spec["severity"]) if "severity" in spec else None,
            floor=Severity.parse(spec["floor"]) if "floor" in spec else None,
            scope=spec.get("scope", default_scope),
            reason=spec.get("reason", ""),
            message=spec.get("message"),
            suggestion=spec.get("suggestion"),
            context=context,
            unless=unless,
            context_scope=spec.get("context_scope", "block"),
        ))
    return patterns


def expanded_triggers(patterns: Sequence[Pattern]) -> list[str]:
    return [p.regex.pattern for p in patterns]


def _scope_span(analysis: Analysis, sentence: Sentence, scope: str, offset: int) -> Span:
    """The span of ``scope`` around ``offset``; ``clause_before`` is the clause up to it."""
    if scope == "clause":
        return analysis.clause_at(sentence, offset)
    if scope == "clause_before":
        return Span(analysis.clause_at(sentence, offset).start, offset)
    return analysis.scope(sentence, scope)


def _entry_matches(pattern: Pattern, analysis: Analysis, sentence: Sentence, offset: int) -> bool:
    scope = _scope_span(analysis, sentence, pattern.scope, offset)
    if not analysis.contains(pattern.regex, scope, timeout_for(scope)):
        return False
    if pattern.context is None and pattern.unless is None:
        return True
    around = _scope_span(analysis, sentence, pattern.context_scope, offset)
    if pattern.context is not None and not analysis.contains(pattern.context, around,
                                                             timeout_for(around)):
        return False
    return pattern.unless is None or not analysis.contains(pattern.unless, around,
                                                           timeout_for(around))


def _any_in_scope(patterns: Sequence[Pattern], analysis: Analysis, sentence: Sentence,
                  offset: int) -> Pattern | None:
    for pattern in patterns:
        if _entry_matches(pattern, analysis, sentence, offset):
            return pattern
    return None


def render_message(template: str, match_text: str, reason: str) -> str:
    message = template.replace("{match}", " ".join(match_text.split()))
    if "{reason}" in message:
        return message.replace("{reason}", reason)
    return f"{message} ({reason})" if reason else message


def suggestion_fix(text: str | None, span: Span) -> Fix | None:
    if not text:
        return None
    return Fix((Edit(span, text),), Applicability.UNSAFE, f"Reword as: {text}")


@dataclass
class PatternChecker:
    """Checks trigger phrases sentence by sentence."""

    rule: Rule
    triggers_compiled: list[Pattern]
    subject: list[Pattern] = field(default_factory=list)
    require: list[Pattern] = field(default_factory=list)
    exclude: list[Pattern] = field(default_factory=list)
    escalate: list[Pattern] = field(default_factory=list)
    page: list[Pattern] = field(default_factory=list)
    negation: bool = False
    scopes: frozenset[str] | None = None

    @property
    def triggers(self) -> list[str]:
        return expanded_triggers(self.triggers_compiled)

    def check(self, analysis: Analysis) -> list[Finding]:
        findings: list[Finding] = []
        blocks = analysis.document.blocks
        whole = Span(0, len(analysis.prose))
        if self.page and not any(analysis.contains(p.regex, whole, timeout_for(whole))
                                 for p in self.page):
            return findings
        for sentence in analysis.candidate_sentences():
            if self.scopes is not None and blocks[sentence.block].scope not in self.scopes:
                continue
            finding = self._check_sentence(analysis, sentence)
            if finding is not None:
                findings.append(finding)
        return findings

    def _check_sentence(self, analysis: Analysis, sentence: Sentence) -> Finding | None:
        """The sentence's finding, at most one: the most severe surviving trigger match.

        Only the triggers whose anchors the combined scan found in this sentence run.
        """
        best: Finding | None = None
        for index in analysis.triggers_for(sentence, len(self.triggers_compiled)):
            trigger = self.triggers_compiled[index]
            # Materialised first: a finditer's time limit runs from its creation, and the
            # evaluation between matches is not the pattern's time.
            for match in list(trigger.finditer(analysis, sentence.span)):
                finding = self.evaluate(analysis, sentence, trigger, match)
                if finding is not None and (best is None or finding.severity > best.severity):
                    best = finding
                    break
        return best

    def _gate(self, analysis: Analysis, sentence: Sentence, match: regex.Match[str],
              clause: Span) -> bool:
        """Subject present, nothing excluding, not negated."""
        if self.subject and _any_in_scope(self.subject, analysis, sentence, match.start()) is None:
            return False
        if any(not _entry_matches(p, analysis, sentence, match.start()) for p in self.require):
            return False
        if self.exclude and _any_in_scope(self.exclude, analysis, sentence, match.start()):
            return False
        return not (self.negation and analysis.negated(clause, Span(*match.span())))

    def _base(self, analysis: Analysis, sentence: Sentence, trigger: Pattern,
              match: regex.Match[str]) -> tuple[Severity, list[str]]:
        severity = trigger.severity or self.rule.severity
        reasons = [trigger.reason] if trigger.reason else []
        for entry in self.escalate:
            if entry.severity and entry.severity > severity and entry.search(
                analysis, _scope_span(analysis, sentence, entry.scope, match.start())
            ):
                severity = entry.severity
                reasons.append(entry.reason or f"raised to {severity}")
        return severity, reasons

    def evaluate(self, analysis: Analysis, sentence: Sentence, trigger: Pattern,
                 match: regex.Match[str]) -> Finding | None:
        clause = analysis.clause_at(sentence, match.start())
        if not self._gate(analysis, sentence, match, clause):
            return None
        severity, reasons = self._base(analysis, sentence, trigger, match)
        return self._finding(trigger, match, severity, "; ".join(r for r in reasons if r))

    def _finding(self, trigger: Pattern, match: regex.Match[str], severity: Severity,
                 reason: str) -> Finding | None:
        if severity == Severity.OFF:
            return None
        span = Span(*match.span())
        message = render_message(trigger.message or self.rule.message, match.group(), reason)
        return Finding(span, severity, message,
                       suggestion_fix(trigger.suggestion or self.rule.suggestion, span))


def _effect(value: Any) -> int | None:
    """``None`` means suppress; otherwise the number of levels to lower by."""
    return None if value == "suppress" else int(value or 0)


@dataclass
class ClaimChecker(PatternChecker):
    """A pattern checker that weighs each trigger with the evidence model."""

    hedge_weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_HEDGE_WEIGHTS))
    citation_effects: Mapping[str, Any] = field(default_factory=dict)
    study_context: Any = 0
    back_reference: bool = False
    floor: Severity | None = None
    lower: list[Pattern] = field(default_factory=list)

    def evaluate(self, analysis: Analysis, sentence: Sentence, trigger: Pattern,
                 match: regex.Match[str]) -> Finding | None:
        clause = analysis.clause_at(sentence, match.start())
        if not self._gate(analysis, sentence, match, clause):
            return None
        base, reasons = self._base(analysis, sentence, trigger, match)
        claim = Span(*match.span())
        why: list[str] = []

        hedging = analysis.hedging(clause, claim)
        levels = hedging.levels(self.hedge_weights)
        if levels:
            why.append(hedging.describe(self.hedge_weights))

        strength = analysis.citation(sentence)
        if strength > Strength.NONE:
            effect = _effect(self.citation_effects.get(str(strength)))
            if effect is None:
                return None
            if effect:
                levels += effect
                why.append(f"{strength} citation")

        if self.study_context and len(analysis.study_context(sentence)) >= 2 \
                and strength >= Strength.WEAK:
            effect = _effect(self.study_context)
            if effect is None:
                return None
            levels += effect
            why.append("reported with study context")

        if self.back_reference and analysis.back_referenced(sentence, start=match.start()):
            return None

        mitigation = _any_in_scope(self.lower, analysis, sentence, match.start())
        if mitigation is not None:
            levels += 1
            why.append(mitigation.reason or "mitigated nearby")

        floor = trigger.floor or self.floor
        severity = base.shifted(-levels, floor=floor if floor and levels else None)
        if severity != base:
            reasons.append(f"{'lowered' if severity < base else 'kept'} from {base} by "
                           + ", ".join(why))
        elif why and levels:
            reasons.append(f"kept at {severity} (floor) despite " + ", ".join(why))
        return self._finding(trigger, match, severity, "; ".join(r for r in reasons if r))


class PatternKind:
    name = "pattern"
    document_level = False
    options_schema: Mapping[str, Any] = PATTERN_OPTIONS
    checker_class: type[PatternChecker] = PatternChecker

    def _common(self, rule: Rule, vocabulary: Vocabulary) -> dict[str, Any]:
        options = rule.options
        scopes = options.get("scopes")
        return {
            "rule": rule,
            "triggers_compiled": compile_patterns(options["triggers"], vocabulary, "triggers", findings=True),
            "subject": compile_patterns(options.get("subject"), vocabulary, "subject"),
            "require": compile_patterns(options.get("require"), vocabulary, "require"),
            "exclude": compile_patterns(options.get("exclude"), vocabulary, "exclude"),
            "escalate": compile_patterns(options.get("escalate"), vocabulary, "escalate"),
            "page": compile_patterns(options.get("page"), vocabulary, "page", "document"),
            "negation": bool(options.get("negation", self.name == "claim")),
            "scopes": frozenset(scopes) if scopes else None,
        }

    def compile(self, rule: Rule, vocabulary: Vocabulary) -> PatternChecker:
        return self.checker_class(**self._common(rule, vocabulary))


class ClaimKind(PatternKind):
    name = "claim"
    options_schema = CLAIM_OPTIONS
    checker_class = ClaimChecker

    def compile(self, rule: Rule, vocabulary: Vocabulary) -> ClaimChecker:
        options = rule.options
        return ClaimChecker(
            **self._common(rule, vocabulary),
            hedge_weights={**DEFAULT_HEDGE_WEIGHTS, **(options.get("hedges") or {})},
            citation_effects=dict(options.get("citations") or {}),
            study_context=options.get("study_context", 0),
            back_reference=bool(options.get("back_reference", False)),
            floor=Severity.parse(options["floor"]) if "floor" in options else None,
            lower=compile_patterns(options.get("lower"), vocabulary, "lower"),
        )


@dataclass
class DisclosureChecker:
    rule: Rule
    triggers_compiled: list[Pattern]
    require: list[Pattern]
    exclude: list[Pattern]
    accept: list[Pattern]
    accept_count: tuple[regex.Pattern[str], int] | None
    near_miss: list[Pattern]
    escalate: list[Pattern]
    canonical: str | None

    @property
    def triggers(self) -> list[str]:
        return expanded_triggers(self.triggers_compiled)

    def _first_trigger(self, analysis: Analysis) -> tuple[Pattern, regex.Match[str]] | None:
        for sentence in analysis.candidate_sentences():
            if self.exclude and _any_in_scope(self.exclude, analysis, sentence, sentence.span.start):
                continue
            for index in analysis.triggers_for(sentence, len(self.triggers_compiled)):
                trigger = self.triggers_compiled[index]
                match = trigger.search(analysis, sentence.span)
                if match:
                    return trigger, match
        return None

    def check(self, analysis: Analysis) -> list[Finding]:
        whole = Span(0, len(analysis.prose))
        if not all(analysis.contains(p.regex, whole, timeout_for(whole)) for p in self.require):
            return []
        first = self._first_trigger(analysis)
        if first is None:
            return []
        if any(analysis.contains(p.regex, whole, timeout_for(whole)) for p in self.accept):
            return []
        if self.accept_count is not None:
            pattern, count = self.accept_count
            found = {m.group().lower() for m in
                     pattern.finditer(analysis.prose,
                                      timeout=timeout_for(Span(0, len(analysis.prose))))}
            if len(found) >= count:
                return []
        trigger, match = first
        severity = trigger.severity or self.rule.severity
        reasons = [trigger.reason] if trigger.reason else []
        for entry in self.escalate:
            if entry.severity and entry.severity > severity and analysis.contains(
                    entry.regex, whole, timeout_for(whole)):
                severity = entry.severity
                reasons.append(entry.reason or f"raised to {severity}")
        message = self.rule.message
        for variant in self.near_miss:
            found = variant.search(analysis, whole)
            if found:
                severity = variant.severity or severity
                message = variant.message or message
                reasons.append(f"found a variant that does not qualify: "
                               f"'{' '.join(found.group().split())}'")
                break
        if severity == Severity.OFF:
            return []
        span = Span(*match.span())
        fix = None
        if self.canonical:
            # Where a disclosure belongs is an editorial decision: shown, never applied.
            fix = Fix((), Applicability.DISPLAY_ONLY, f"Add the disclosure: {self.canonical}")
        text = render_message(message, match.group(), "; ".join(r for r in reasons if r))
        return [Finding(span, severity, text, fix)]


class DisclosureKind:
    name = "disclosure"
    document_level = True
    options_schema: Mapping[str, Any] = DISCLOSURE_OPTIONS

    def compile(self, rule: Rule, vocabulary: Vocabulary) -> DisclosureChecker:
        options = rule.options
        count = options.get("accept_count")
        accept_count = None
        if count:
            try:
                accept_count = (vocabulary.compile(count["pattern"]), int(count["count"]))
            except ValueError as exc:
                raise OptionError(str(exc), ("accept_count", "pattern")) from None
        return DisclosureChecker(
            rule=rule,
            triggers_compiled=compile_patterns(options["triggers"], vocabulary, "triggers", findings=True),
            require=compile_patterns(options.get("require"), vocabulary, "require", "document"),
            exclude=compile_patterns(options.get("exclude"), vocabulary, "exclude"),
            accept=compile_patterns(options["accept"], vocabulary, "accept", "document"),
            accept_count=accept_count,
            near_miss=compile_patterns(options.get("near_miss"), vocabulary, "near_miss", "document"),
            escalate=compile_patterns(options.get("escalate"), vocabulary, "escalate", "document"),
            canonical=options.get("canonical"),
        )


@dataclass
class EnumerationChecker:
    rule: Rule
    triggers_compiled: list[Pattern]
    subject: list[Pattern]
    exclude: list[Pattern]
    items: regex.Pattern[str]
    min_items: int
    open_ended: regex.Pattern[str] | None
    page: list[Pattern] = field(default_factory=list)

    @property
    def triggers(self) -> list[str]:
        return expanded_triggers(self.triggers_compiled)

    def _list_after(self, analysis: Analysis, sentence: Sentence) -> list[Span]:
        """The list items that a lead-in (a sentence ending with a colon, or a heading)
        introduces."""
        blocks = analysis.document.blocks
        sentences = analysis.block_sentences[sentence.block]
        lead_in = (blocks[sentence.block].scope == "heading"
                   or analysis.text(sentence.span).endswith(":"))
        if sentences[-1].index != sentence.index or not lead_in:
            return []
        items: list[Span] = []
        index = sentence.block + 1
        while index < len(blocks) and blocks[index].scope == "list_item":
            items.append(blocks[index].span)
            index += 1
        return items

    def check(self, analysis: Analysis) -> list[Finding]:
        findings: list[Finding] = []
        whole = Span(0, len(analysis.prose))
        if self.page and not any(analysis.contains(p.regex, whole, timeout_for(whole))
                                 for p in self.page):
            return findings
        for sentence in analysis.candidate_sentences():
            match = None
            for index in analysis.triggers_for(sentence, len(self.triggers_compiled)):
                match = self.triggers_compiled[index].search(analysis, sentence.span)
                if match:
                    break
            if match is None:
                continue
            if self.subject and _any_in_scope(self.subject, analysis, sentence, match.start()) is None:
                continue
            if self.exclude and _any_in_scope(self.exclude, analysis, sentence, match.start()):
                continue
            listed = self._list_after(analysis, sentence)
            spans = [sentence.span, *listed]
            named = {" ".join(m.group().lower().split())
                     for span in spans
                     for m in self.items.finditer(analysis.prose, span.start, span.end,
                                                  timeout=timeout_for(span))}
            count = max(len(named), len(listed))
            open_ended = self.open_ended is not None and any(
                self.open_ended.search(analysis.prose, s.start, s.end, timeout=timeout_for(s))
                for s in spans)
            if count < self.min_items and not open_ended:
                continue
            end = listed[-1].end if listed else sentence.span.end
            why = f"{count} conditions or sites" + (", open-ended" if open_ended else "")
            message = render_message(self.rule.message, analysis.text(sentence.span), why)
            findings.append(Finding(Span(sentence.span.start, end), self.rule.severity, message))
        return findings


class EnumerationKind:
    name = "enumeration"
    document_level = False
    options_schema: Mapping[str, Any] = ENUMERATION_OPTIONS

    def compile(self, rule: Rule, vocabulary: Vocabulary) -> EnumerationChecker:
        options = rule.options
        try:
            items = vocabulary.compile(options["items"])
            open_ended = vocabulary.compile(options["open_ended"]) if options.get("open_ended") else None
        except ValueError as exc:
            raise OptionError(str(exc), ("items",)) from None
        return EnumerationChecker(
            rule=rule,
            triggers_compiled=compile_patterns(options["triggers"], vocabulary, "triggers", findings=True),
            subject=compile_patterns(options.get("subject"), vocabulary, "subject"),
            exclude=compile_patterns(options.get("exclude"), vocabulary, "exclude"),
            items=items,
            min_items=int(options.get("min_items", 3)),
            open_ended=open_ended,
            page=compile_patterns(options.get("page"), vocabulary, "page", "document"),
        )


BUILTIN_KINDS: tuple[Callable[[], RuleKind], ...] = (
    PatternKind, ClaimKind, DisclosureKind, EnumerationKind,
)


@hookimpl
def healthlint_register_rule_kinds(register: Callable[[RuleKind], None]) -> None:
    for kind in BUILTIN_KINDS:
        register(kind())
