"""The built-in rule kinds: rules as relations between term classes.

* ``claim``: a trigger class (or a sequence of classes in order, a few words
  apart) that must meet other classes in a scope (``with``), and must not meet
  others (``unless``); each occurrence is weighed by the evidence model:
  ``final = default - hedges + boosters - citation effect``, with negation,
  reported speech and back-references cancelling it, and an informational page
  lowering it, every change named in the finding.
* ``disclosure``: page level; when a trigger appears, one of the accepted
  classes must appear somewhere on the page. Reported once, at the first trigger.
* ``enumeration``: one therapy presented as treating many conditions.
* ``pattern``: regular expressions (``triggers``, for rules users write); each runs
  once per document, never once per sentence.

A condition reads ``{any: [classes], within: clause|sentence|block|page|N}``
(``N`` words either side), optionally ``side: before|after``, ``count: N``
distinct terms, ``reason`` and ``severity``. A bare class name means that class
in the same sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from healthlint import hookimpl, regexcache
from healthlint.errors import OptionError
from healthlint.evidence import HEDGE_CLASSES, Analysis, Sentence, Strength
from healthlint.lexicon import Lexicon
from healthlint.scan import compile_shape, time_limit
from healthlint.types import Applicability, Edit, Finding, Fix, Rule, RuleKind, Severity, Span

DEFAULT_HEDGE_WEIGHTS = {"strong": 2, "weak": 1, "intent": 1, "limiting": 1, "opinion": 1}
SEQUENCE_GAP = 3
"""Words allowed between the classes of a sequence unless a rule says otherwise."""
CHARS_PER_WORD = 24
"""A distance of N words is looked for within (N + 1) x this many characters."""
MAX_HITS = 512
"""Hits one condition looks at before it gives up: work per claim stays bounded."""
MAX_OCCURRENCES = 64
"""Occurrences of one relation weighed per sentence (the most severe wins anyway)."""

# JSON Schema fragments -------------------------------------------------------

_SEVERITY = {"enum": ["error", "warning", "info", "off"]}
_CLASS_LIST = {"oneOf": [{"type": "string", "minLength": 1},
                         {"type": "array", "items": {"type": "string", "minLength": 1},
                          "minItems": 1}]}
_WITHIN = {"oneOf": [{"enum": ["clause", "sentence", "block", "page"]},
                     {"type": "integer", "minimum": 0, "maximum": 200}]}
_CONDITION = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["any"],
            "properties": {
                "any": _CLASS_LIST,
                "within": _WITHIN,
                "side": {"enum": ["before", "after", "any"]},
                "count": {"type": "integer", "minimum": 1},
                "reason": {"type": "string"},
                "severity": _SEVERITY,
                "message": {"type": "string"},
                "outside": {**_CLASS_LIST, "description": "Ignore hits that lie inside a longer "
                            "hit of these classes (a drug word inside a condition's name)."},
                "closer_than": {**_CLASS_LIST, "description": "With side 'before': holds only "
                                "if its nearest hit is closer to the claim than any hit of "
                                "these classes (the nearer noun is the subject)."},
            },
        },
    ]
}
_CONDITIONS = {"type": "array", "items": _CONDITION}
_MESSAGES = {
    "type": "array",
    "description": "Message variants: the first condition that holds around a claim gives its "
                   "message (so a message can fit the product class found); a relation's own "
                   "message wins over these.",
    "items": {"type": "object", "required": ["any", "message"],
              "properties": _CONDITION["oneOf"][1]["properties"], "additionalProperties": False},
}
_EFFECT = {"oneOf": [{"const": "suppress"}, {"type": "integer", "minimum": 0, "maximum": 3}]}
_TERMS = {
    "type": "object",
    "description": "Term classes of this rule only: name -> phrase list (see the phrase syntax).",
    "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1},
                             "minItems": 1},
}
_SHAPES = {
    "type": "object",
    "description": "Shapes of this rule only: name -> regular expression (at most 300 characters).",
    "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 300},
}
_RELATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["find"],
    "properties": {
        "find": {**_CLASS_LIST, "description": "A class, or classes that follow each other."},
        "gap": {"type": "integer", "minimum": 0, "maximum": 40},
        "with": _CONDITIONS,
        "unless": _CONDITIONS,
        "severity": _SEVERITY,
        "floor": _SEVERITY,
        "reason": {"type": "string"},
        "message": {"type": "string"},
        "suggestion": {"type": "string"},
    },
}
_EVIDENCE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "negation": {"type": "boolean"},
        "reported_speech": {"type": "boolean"},
        "hedges": {"type": "object", "additionalProperties": False,
                   "properties": {k: {"type": "integer", "minimum": 0, "maximum": 3}
                                  for k in DEFAULT_HEDGE_WEIGHTS}},
        "citations": {"type": "object", "additionalProperties": False,
                      "properties": {"strong": _EFFECT, "medium": _EFFECT, "weak": _EFFECT}},
        "study_context": _EFFECT,
        "back_reference": {"type": "boolean"},
        "floor": _SEVERITY,
        "information": {"type": "integer", "minimum": 0, "maximum": 3,
                        "description": "Levels an informational page (no provider voice) "
                                       "lowers a finding by."},
    },
}
CLAIM_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["claims"],
    "properties": {
        "terms": _TERMS,
        "shapes": _SHAPES,
        "claims": {"type": "array", "items": _RELATION, "minItems": 1},
        "with": _CONDITIONS,
        "unless": _CONDITIONS,
        "lower": _CONDITIONS,
        "escalate": _CONDITIONS,
        "promotional": {**_CONDITIONS, "description": (
            "Signs that the sentence itself speaks as a seller (a product class, 'our', "
            "customers): when one holds, an informational page does not lower the finding.")},
        "messages": _MESSAGES,
        "evidence": _EVIDENCE,
        "scopes": {"type": "array", "items": {"type": "string"}},
    },
}
_PAGE_TESTS = {"type": "array", "items": {"oneOf": [_CONDITION, _RELATION]},
               "description": "Conditions on the whole page, or relations that must occur in "
                              "one of its sentences."}
DISCLOSURE_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["triggers", "accept"],
    "properties": {
        "terms": _TERMS,
        "shapes": _SHAPES,
        "triggers": {"type": "array", "items": _RELATION, "minItems": 1},
        "require": _PAGE_TESTS,
        "accept": _PAGE_TESTS,
        "near_miss": _PAGE_TESTS,
        "escalate": _PAGE_TESTS,
        "canonical": {"type": "string"},
        "information": {"type": "integer", "minimum": 0, "maximum": 3,
                        "description": "Levels an informational page lowers the finding by."},
    },
}
ENUMERATION_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["claims", "items"],
    "properties": {
        "terms": _TERMS,
        "shapes": _SHAPES,
        "claims": {"type": "array", "items": _RELATION, "minItems": 1},
        "with": _CONDITIONS,
        "unless": _CONDITIONS,
        "items": _CLASS_LIST,
        "min_items": {"type": "integer", "minimum": 2},
        "open_ended": _CLASS_LIST,
        "messages": _MESSAGES,
        "evidence": _EVIDENCE,
    },
}
PATTERN_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["triggers"],
    "properties": {
        "terms": _TERMS,
        "shapes": _SHAPES,
        "triggers": {"type": "array", "minItems": 1, "items": {"oneOf": [
            {"type": "string", "minLength": 1},
            {"type": "object", "additionalProperties": False, "required": ["pattern"],
             "properties": {"pattern": {"type": "string", "minLength": 1}, "severity": _SEVERITY,
                            "reason": {"type": "string"}, "message": {"type": "string"},
                            "suggestion": {"type": "string"}}}]}},
        "with": _CONDITIONS,
        "unless": _CONDITIONS,
        "evidence": _EVIDENCE,
    },
}


# Compiled pieces ------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    classes: tuple[str, ...]
    within: str | int = "sentence"
    side: str = "any"
    count: int = 1
    reason: str = ""
    severity: Severity | None = None
    message: str | None = None
    outside: tuple[str, ...] = ()
    closer_than: tuple[str, ...] = ()

    def scope(self, analysis: Analysis, sentence: Sentence, claim: Span) -> Span:
        """Where the condition looks: its named scope, or a window of about ``within`` words
        either side of the claim, cut to the sentence; ``side`` keeps one side of the claim."""
        if isinstance(self.within, int):
            reach = (self.within + 1) * CHARS_PER_WORD
            span = Span(max(sentence.span.start, claim.start - reach),
                        min(sentence.span.end, claim.end + reach))
        else:
            span = analysis.scope(sentence, self.within, claim.start)
        if self.side == "before":
            return Span(span.start, max(span.start, claim.start))
        if self.side == "after":
            return Span(min(span.end, claim.end), span.end)
        return span

    def holds(self, analysis: Analysis, sentence: Sentence, claim: Span) -> bool:
        """Whether the condition holds around ``claim``. Bounded work: one lookup per class,
        or a walk that stops at ``count`` distinct terms (and after :data:`MAX_HITS` hits)."""
        if self.count == 1 and self.within == "sentence" and self.side == "any":
            return any(analysis.in_sentence(name, sentence) for name in self.classes)
        span = self.scope(analysis, sentence, claim)
        if self.count == 1 and not isinstance(self.within, int) and not self.outside \
                and not self.closer_than:
            return any(analysis.has(name, span) for name in self.classes)
        return self._enough(analysis, span, claim)

    def _enough(self, analysis: Analysis, span: Span, claim: Span | None) -> bool:
        rivals = bool(self.closer_than) and self.side == "before" and claim is not None
        texts: set[str] = set()
        nearest = -1
        for index in self._candidates(analysis, self.classes, span, claim):
            texts.add(analysis.hit_text(index).lower())
            nearest = max(nearest, analysis.hits.ends[index])
            if len(texts) >= self.count and not rivals:
                return True
        if len(texts) < self.count:
            return False
        # The nearer noun is the subject: a rival class closer to the claim wins.
        return not any(analysis.hits.ends[index] > nearest
                       for index in self._candidates(analysis, self.closer_than, span, claim))

    def _candidates(self, analysis: Analysis, names: tuple[str, ...], span: Span,
                    claim: Span | None) -> Iterator[int]:
        """Hits of ``names`` inside the scope, within ``within`` words of the claim and not
        inside a longer hit of an ``outside`` class; at most :data:`MAX_HITS` are looked at."""
        seen = 0
        for name in names:
            class_id = analysis.class_id(name)
            if class_id < 0:
                continue
            for index in analysis.hits.in_range(class_id, span.start, span.end):
                seen += 1
                if seen > MAX_HITS:
                    return
                if claim is not None and isinstance(self.within, int):
                    start, end = analysis.hits.starts[index], analysis.hits.ends[index]
                    distance = (analysis.words_between(end, claim.start) if end <= claim.start
                                else analysis.words_between(claim.end, start) if start >= claim.end
                                else 0)
                    if distance > self.within:
                        continue
                if self.outside and any(analysis.inside(other, index) for other in self.outside):
                    continue
                yield index

    def on_page(self, analysis: Analysis) -> int | None:
        """The first hit that makes the condition hold on the page, if it does."""
        whole = Span(0, len(analysis.prose))
        if not self._enough(analysis, whole, None):
            return None
        return min(self._candidates(analysis, self.classes, whole, None),
                   key=lambda i: analysis.hits.starts[i])


@dataclass(frozen=True)
class Relation:
    find: tuple[str, ...]
    gap: int = SEQUENCE_GAP
    with_: tuple[Condition, ...] = ()
    unless: tuple[Condition, ...] = ()
    severity: Severity | None = None
    floor: Severity | None = None
    reason: str = ""
    message: str | None = None
    suggestion: str | None = None

    def class_ids(self, analysis: Analysis) -> tuple[int, ...]:
        """The run's ids of the classes of ``find`` (``-1``: a class the run does not scan)."""
        return tuple(analysis.class_id(name) for name in self.find)

    def occurrences(self, analysis: Analysis, sentence: Sentence,
                    ids: tuple[int, ...] | None = None) -> list[Span]:
        """Spans where the classes of ``find`` follow each other in the sentence, each at most
        ``gap`` words after the previous (at most :data:`MAX_OCCURRENCES`). ``ids``: what
        :meth:`class_ids` gives, when the caller has it for every sentence of the page."""
        if ids is None:
            ids = self.class_ids(analysis)
        present = analysis.sentence_classes(sentence)
        first = present.get(ids[0])
        if not first:
            return []
        first = first[:MAX_OCCURRENCES]
        if len(ids) == 1:
            return [analysis.hit_span(i) for i in first]
        later = ids[1:]
        # Every later class is looked for inside the sentence: one missing there (or one
        # the run does not scan), none follows.
        if any(class_id not in present for class_id in later):
            return []
        reach = (self.gap + 1) * CHARS_PER_WORD
        spans: list[Span] = []
        hits = analysis.hits
        for index in first:
            end = hits.ends[index]
            for class_id in later:
                window = min(sentence.span.end, end + reach)
                following = next((c for c in hits.in_range(class_id, end, window)
                                  if analysis.words_between(end, hits.starts[c]) <= self.gap), None)
                if following is None:
                    break
                end = hits.ends[following]
            else:
                spans.append(Span(hits.starts[index], end))
        return spans


def render_message(template: str, match_text: str, reason: str) -> str:
    message = template.replace("{match}", " ".join(match_text.split()))
    if "{reason}" in message:
        return message.replace("{reason}", reason)
    return f"{message} ({reason})" if reason else message


_SLOT = regexcache.compile(r"\{([a-z][a-z0-9_]*)(?:\|([^{}]*))?\}")


def template_slots(templates: Sequence[str | None], lexicon: Lexicon, rule: Rule
                   ) -> dict[str, str]:
    """Class names used as ``{name}`` or ``{name|fallback}`` in messages and suggestions,
    resolved to the classes the run scans (``{match}`` and ``{reason}`` are not slots)."""
    slots: dict[str, str] = {}
    for template in templates:
        for found in _SLOT.finditer(template or ""):
            name = found.group(1)
            if name not in ("match", "reason") and name not in slots:
                slots[name] = lexicon.resolve(rule, name, ("message",))
    return slots


def fill_slots(template: str, analysis: Analysis, sentence: Sentence, claim: Span,
               slots: Mapping[str, str]) -> str:
    """``{name}`` becomes the words of the first hit of class ``name`` in the claim (else in
    its sentence), so a message names what was found ("compared with ibuprofen");
    ``{name|fallback}`` gives the words to use when there is none."""
    if not slots:
        return template

    def replace(found: regex.Match[str]) -> str:
        name = found.group(1)
        qualified = slots.get(name)
        if qualified is None:
            return found.group()
        hits = analysis.find(qualified, claim) or analysis.find(qualified, sentence.span)
        if hits:
            # The longest of the hits that start first: "red light panel", not "red light".
            first = min(analysis.hits.starts[i] for i in hits)
            return analysis.hit_text(max((i for i in hits if analysis.hits.starts[i] == first),
                                         key=lambda i: analysis.hits.ends[i]))
        return found.group(2) if found.group(2) is not None else name.replace("_", " ")

    return _SLOT.sub(replace, template)


def suggestion_fix(text: str | None, span: Span) -> Fix | None:
    """A rewording as an unsafe fix. The engine vets it against the page
    (:func:`healthlint.fixes.vetted`): one with a blank to fill, or that would leave a
    fragment, is shown to the writer and never written."""
    if not text:
        return None
    return Fix((Edit(span, text),), Applicability.UNSAFE, f"Reword as: {text}")


def _effect(value: Any) -> int | None:
    """``None`` means suppress; otherwise the number of levels to lower by."""
    return None if value == "suppress" else int(value or 0)


@dataclass(frozen=True)
class Evidence:
    negation: bool = True
    reported_speech: bool = True
    hedges: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_HEDGE_WEIGHTS))
    citations: Mapping[str, Any] = field(default_factory=dict)
    study_context: Any = 0
    back_reference: bool = False
    floor: Severity | None = None
    information: int = 1


@dataclass(frozen=True)
class Verdict:
    """A weighed claim: its severity, and every reason that moved it, or why it was dropped."""

    severity: Severity
    notes: tuple[str, ...]
    dropped: str | None = None


def weigh(analysis: Analysis, sentence: Sentence, claim: Span, base: Severity,
          reasons: list[str], evidence: Evidence, floor: Severity | None,
          lower: Sequence[Condition] = (), parts: Sequence[str] = (),
          promotional: Sequence[Condition] = ()) -> Verdict:
    """The evidence model's arithmetic, shared by every claim-like kind; ``parts`` are the
    classes the claim is made of (a negation inside one of their hits belongs to it). An
    informational page lowers the finding unless one of the ``promotional`` conditions
    holds: the sentence itself then speaks as a seller ("our clients", a product class)."""
    clause = analysis.clause_at(sentence, claim.start)
    if evidence.negation:
        cue = analysis.negated(clause, claim, parts)
        if cue:
            return Verdict(Severity.OFF, (), f"negated by '{cue}'")
    if evidence.reported_speech:
        cue = analysis.reported(sentence, claim)
        if cue:
            return Verdict(Severity.OFF, (), f"reported or critical speech ('{cue}')")
    why: list[str] = []
    hedging = analysis.hedging(clause, claim)
    levels = hedging.levels(evidence.hedges)
    if levels:
        why.append(hedging.describe(evidence.hedges))
    strength = analysis.citation(sentence)
    if strength > Strength.NONE:
        effect = _effect(evidence.citations.get(str(strength)))
        if effect is None:
            return Verdict(Severity.OFF, (), f"{strength} citation")
        if effect:
            levels += effect
            why.append(f"{strength} citation")
    if evidence.study_context and strength >= Strength.WEAK and \
            len(analysis.study_context(sentence)) >= 2:
        effect = _effect(evidence.study_context)
        if effect is None:
            return Verdict(Severity.OFF, (), "reported with study context")
        levels += effect
        why.append("reported with study context")
    if evidence.back_reference and analysis.back_referenced(sentence, start=claim.start):
        return Verdict(Severity.OFF, (), "backed by a cited passage elsewhere on the page")
    for condition in lower:
        if condition.holds(analysis, sentence, claim):
            levels += 1
            why.append(condition.reason or "mitigated nearby")
            break
    severity = base.shifted(-levels, floor=floor if floor and levels else None)
    # The genre lowers after the floor: a rule's floor keeps a hedged sales claim visible,
    # but reference prose about treatments in general is not selling anything.
    if evidence.information and analysis.genre == "information" and \
            not any(c.holds(analysis, sentence, claim) for c in promotional):
        severity = severity.shifted(-evidence.information)
        why.append("the page reads as information (reference prose, no provider voice, offer "
                   "or call to action)")
    notes = list(reasons)
    if severity != base:
        notes.append(f"{'lowered' if severity < base else 'kept'} from {base} by "
                     + ", ".join(why))
    elif why and levels:
        notes.append(f"kept at {severity} (floor) despite " + ", ".join(why))
    if severity == Severity.OFF:
        return Verdict(Severity.OFF, tuple(notes), "lowered below info by " + ", ".join(why))
    return Verdict(severity, tuple(r for r in notes if r))


@dataclass
class ClaimChecker:
    """Relations found sentence by sentence, weighed by the evidence model."""

    rule: Rule
    relations: tuple[Relation, ...]
    with_: tuple[Condition, ...] = ()
    unless: tuple[Condition, ...] = ()
    lower: tuple[Condition, ...] = ()
    escalate: tuple[Condition, ...] = ()
    evidence: Evidence = field(default_factory=Evidence)
    scopes: frozenset[str] | None = None
    promotional: tuple[Condition, ...] = ()
    slots: Mapping[str, str] = field(default_factory=dict)
    messages: tuple[Condition, ...] = ()

    @property
    def trigger_classes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.find[0] for r in self.relations))

    def check(self, analysis: Analysis, candidates: Sequence[int]) -> list[Finding]:
        findings: list[Finding] = []
        blocks = analysis.document.blocks
        # Each relation's classes, as the run's class ids: a sentence without its trigger
        # is skipped with one lookup instead of a search.
        triggers = [(relation, relation.class_ids(analysis)) for relation in self.relations]
        for index in candidates:
            sentence = analysis.sentences[index]
            if self.scopes is not None and blocks[sentence.block].scope not in self.scopes:
                continue
            finding = self._check_sentence(analysis, sentence, triggers)
            if finding is not None:
                findings.append(finding)
        return findings

    def _check_sentence(self, analysis: Analysis, sentence: Sentence,
                        triggers: Sequence[tuple[Relation, tuple[int, ...]]] | None = None
                        ) -> Finding | None:
        """The sentence's finding, at most one: the most severe surviving occurrence; if
        every occurrence was dropped by evidence, the first drop, kept for the record."""
        best: Finding | None = None
        dropped: Finding | None = None
        present = analysis.sentence_classes(sentence)
        if triggers is None:
            triggers = [(r, r.class_ids(analysis)) for r in self.relations]
        conditions = self.with_
        for relation, ids in triggers:
            if ids[0] not in present:
                continue
            for claim in relation.occurrences(analysis, sentence, ids):
                if not all(c.holds(analysis, sentence, claim)
                           for c in (*conditions, *relation.with_)):
                    continue
                finding = self._weigh(analysis, sentence, relation, claim)
                if finding.severity == Severity.OFF:
                    dropped = dropped or finding
                elif best is None or finding.severity > best.severity:
                    best = finding
        return best or dropped

    def _weigh(self, analysis: Analysis, sentence: Sentence, relation: Relation,
               claim: Span) -> Finding:
        text = analysis.text(claim)
        template = relation.message or variant_message(self.messages, analysis, sentence, claim) \
            or self.rule.message
        message = fill_slots(template, analysis, sentence, claim, self.slots)
        for condition in (*self.unless, *relation.unless):
            if condition.holds(analysis, sentence, claim):
                return _dropped(claim, message, text, condition.reason or "an exception applies")
        base = relation.severity or self.rule.severity
        reasons = [relation.reason] if relation.reason else []
        for condition in self.escalate:
            if condition.severity and condition.severity > base and \
                    condition.holds(analysis, sentence, claim):
                base = condition.severity
                reasons.append(condition.reason or f"raised to {base}")
        verdict = weigh(analysis, sentence, claim, base, reasons, self.evidence,
                        relation.floor or self.evidence.floor, self.lower, relation.find,
                        self.promotional)
        if verdict.dropped:
            return _dropped(claim, message, text, verdict.dropped)
        return Finding(claim, verdict.severity,
                       render_message(message, text, "; ".join(verdict.notes)),
                       suggestion_fix(fill_slots(relation.suggestion or self.rule.suggestion or "",
                                                 analysis, sentence, claim, self.slots) or None,
                                      claim),
                       notes=verdict.notes)


def variant_message(variants: Sequence[Condition], analysis: Analysis, sentence: Sentence,
                    claim: Span) -> str | None:
    """The message of the first variant whose condition holds around the claim."""
    for condition in variants:
        if condition.message and condition.holds(analysis, sentence, claim):
            return condition.message
    return None


def _dropped(span: Span, message: str, text: str, why: str) -> Finding:
    return Finding(span, Severity.OFF, render_message(message, text, ""),
                   notes=(f"dropped: {why}",))


# Compilation ---------------------------------------------------------------


def _classes(value: Any, lexicon: Lexicon, rule: Rule, key: tuple[Any, ...]) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else list(value)
    return tuple(lexicon.resolve(rule, name, key) for name in names)


def _condition(entry: Any, lexicon: Lexicon, rule: Rule, key: tuple[Any, ...]) -> Condition:
    if isinstance(entry, str):
        return Condition(_classes(entry, lexicon, rule, key))
    return Condition(
        classes=_classes(entry["any"], lexicon, rule, (*key, "any")),
        within=entry.get("within", "sentence"),
        side=entry.get("side", "any"),
        count=int(entry.get("count", 1)),
        reason=entry.get("reason", ""),
        severity=Severity.parse(entry["severity"]) if "severity" in entry else None,
        message=entry.get("message"),
        outside=_classes(entry.get("outside") or (), lexicon, rule, (*key, "outside")),
        closer_than=_classes(entry.get("closer_than") or (), lexicon, rule, (*key, "closer_than")),
    )


def _conditions(entries: Any, lexicon: Lexicon, rule: Rule, key: str) -> tuple[Condition, ...]:
    return tuple(_condition(entry, lexicon, rule, (key, index))
                 for index, entry in enumerate(entries or ()))


def _relations(entries: Any, lexicon: Lexicon, rule: Rule, key: str) -> tuple[Relation, ...]:
    relations = []
    for index, entry in enumerate(entries):
        where = (key, index)
        relations.append(Relation(
            find=_classes(entry["find"], lexicon, rule, (*where, "find")),
            gap=int(entry.get("gap", SEQUENCE_GAP)),
            with_=_conditions(entry.get("with"), lexicon, rule, f"{key}[{index}].with"),
            unless=_conditions(entry.get("unless"), lexicon, rule, f"{key}[{index}].unless"),
            severity=Severity.parse(entry["severity"]) if "severity" in entry else None,
            floor=Severity.parse(entry["floor"]) if "floor" in entry else None,
            reason=entry.get("reason", ""),
            message=entry.get("message"),
            suggestion=entry.get("suggestion"),
        ))
    return tuple(relations)


def _evidence(options: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> Evidence:
    data = {**(defaults or {}), **(options.get("evidence") or {})}
    return Evidence(
        negation=bool(data.get("negation", True)),
        reported_speech=bool(data.get("reported_speech", True)),
        hedges={**DEFAULT_HEDGE_WEIGHTS, **(data.get("hedges") or {})},
        citations=dict(data.get("citations") or {}),
        study_context=data.get("study_context", 0),
        back_reference=bool(data.get("back_reference", False)),
        floor=Severity.parse(data["floor"]) if "floor" in data else None,
        information=int(data.get("information", 1)),
    )


def _declare_local(rule: Rule, lexicon: Lexicon) -> None:
    for name, phrases in (rule.options.get("terms") or {}).items():
        lexicon.add_rule_terms(rule, name, phrases)
    for name, source in (rule.options.get("shapes") or {}).items():
        lexicon.add_rule_shape(rule, name, source)


class ClaimKind:
    name = "claim"
    document_level = False
    options_schema: Mapping[str, Any] = CLAIM_OPTIONS

    def compile(self, rule: Rule, lexicon: Lexicon) -> ClaimChecker:
        _declare_local(rule, lexicon)
        options = rule.options
        scopes = options.get("scopes")
        relations = _relations(options["claims"], lexicon, rule, "claims")
        templates = [rule.message, rule.suggestion,
                     *(t for r in relations for t in (r.message, r.suggestion))]
        return ClaimChecker(
            rule=rule,
            relations=relations,
            with_=_conditions(options.get("with"), lexicon, rule, "with"),
            unless=_conditions(options.get("unless"), lexicon, rule, "unless"),
            lower=_conditions(options.get("lower"), lexicon, rule, "lower"),
            escalate=_conditions(options.get("escalate"), lexicon, rule, "escalate"),
            evidence=_evidence(options),
            scopes=frozenset(scopes) if scopes else None,
            promotional=_conditions(options.get("promotional"), lexicon, rule, "promotional"),
            slots=template_slots(templates, lexicon, rule),
            messages=_conditions(options.get("messages"), lexicon, rule, "messages"),
        )


@dataclass(frozen=True)
class PageTest:
    """A page-level test: a condition on the whole page, or a relation that must occur (with
    its ``with`` and without its ``unless`` conditions) in one of the page's sentences."""

    condition: Condition | None = None
    relation: Relation | None = None

    @property
    def severity(self) -> Severity | None:
        return self.condition.severity if self.condition else self.relation.severity  # type: ignore[union-attr]

    @property
    def reason(self) -> str:
        return self.condition.reason if self.condition else self.relation.reason  # type: ignore[union-attr]

    @property
    def message(self) -> str | None:
        return self.condition.message if self.condition else self.relation.message  # type: ignore[union-attr]

    def found(self, analysis: Analysis) -> str | None:
        """The text that makes the test hold on the page, if it does."""
        if self.condition is not None:
            index = self.condition.on_page(analysis)
            return analysis.hit_text(index) if index is not None else None
        relation = self.relation
        assert relation is not None
        class_id = analysis.class_id(relation.find[0])
        for sentence_index in analysis.sentences_with([class_id] if class_id >= 0 else []):
            sentence = analysis.sentences[sentence_index]
            for span in relation.occurrences(analysis, sentence):
                if all(c.holds(analysis, sentence, span) for c in relation.with_) and \
                        not any(c.holds(analysis, sentence, span) for c in relation.unless):
                    return " ".join(analysis.text(span).split())
        return None


@dataclass
class DisclosureChecker:
    rule: Rule
    triggers: tuple[Relation, ...]
    require: tuple[PageTest, ...]
    accept: tuple[PageTest, ...]
    near_miss: tuple[PageTest, ...]
    escalate: tuple[PageTest, ...]
    canonical: str | None
    information: int = 1

    @property
    def trigger_classes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.find[0] for r in self.triggers))

    def _first_trigger(self, analysis: Analysis, candidates: Sequence[int]
                       ) -> tuple[Relation, Span] | None:
        for index in candidates:
            sentence = analysis.sentences[index]
            for relation in self.triggers:
                for claim in relation.occurrences(analysis, sentence):
                    if all(c.holds(analysis, sentence, claim) for c in relation.with_) and \
                            not any(c.holds(analysis, sentence, claim) for c in relation.unless):
                        return relation, claim
        return None

    def check(self, analysis: Analysis, candidates: Sequence[int]) -> list[Finding]:
        if not all(test.found(analysis) is not None for test in self.require):
            return []
        first = self._first_trigger(analysis, candidates)
        if first is None:
            return []
        relation, span = first
        message = relation.message or self.rule.message
        text = analysis.text(span)
        for test in self.accept:
            found = test.found(analysis)
            if found is not None:
                return [_dropped(span, message, text, f"satisfied by '{found}'")]
        severity = relation.severity or self.rule.severity
        reasons = [relation.reason] if relation.reason else []
        for test in self.escalate:
            if test.severity and test.severity > severity and test.found(analysis) is not None:
                severity = test.severity
                reasons.append(test.reason or f"raised to {severity}")
        for test in self.near_miss:
            found = test.found(analysis)
            if found is not None:
                severity = test.severity or severity
                message = test.message or message
                reasons.append(f"found a variant that does not qualify: '{found}'")
                break
        if self.information and analysis.genre == "information":
            if severity == Severity.INFO:
                # An info-level disclosure has no level left to lower to: kept as dropped, with
                # the reason, so an informational page is not told to add a sales disclaimer.
                return [_dropped(span, message, text, "the page reads as information, not "
                                 "promotion, and the finding is already at info")]
            lowered = severity.shifted(-self.information, floor=Severity.INFO)
            if lowered != severity:
                reasons.append(f"lowered from {severity} because the page reads as information, "
                               "not promotion")
                severity = lowered
        if severity == Severity.OFF:
            return []
        fix = None
        if self.canonical:
            # Where a disclosure belongs is an editorial decision: shown, never applied.
            fix = Fix((), Applicability.DISPLAY_ONLY, f"Add the disclosure: {self.canonical}")
        reason = "; ".join(r for r in reasons if r)
        return [Finding(span, severity, render_message(message, text, reason), fix,
                        notes=tuple(r for r in reasons if r))]


def _page_tests(entries: Any, lexicon: Lexicon, rule: Rule, key: str) -> tuple[PageTest, ...]:
    tests = []
    for index, entry in enumerate(entries or ()):
        if isinstance(entry, Mapping) and "find" in entry:
            [relation] = _relations([entry], lexicon, rule, f"{key}[{index}]")
            tests.append(PageTest(relation=relation))
        else:
            tests.append(PageTest(condition=_condition(entry, lexicon, rule, (key, index))))
    return tuple(tests)


class DisclosureKind:
    name = "disclosure"
    document_level = True
    options_schema: Mapping[str, Any] = DISCLOSURE_OPTIONS

    def compile(self, rule: Rule, lexicon: Lexicon) -> DisclosureChecker:
        _declare_local(rule, lexicon)
        options = rule.options
        return DisclosureChecker(
            rule=rule,
            triggers=_relations(options["triggers"], lexicon, rule, "triggers"),
            require=_page_tests(options.get("require"), lexicon, rule, "require"),
            accept=_page_tests(options["accept"], lexicon, rule, "accept"),
            near_miss=_page_tests(options.get("near_miss"), lexicon, rule, "near_miss"),
            escalate=_page_tests(options.get("escalate"), lexicon, rule, "escalate"),
            canonical=options.get("canonical"),
            information=int(options.get("information", 1)),
        )


@dataclass
class EnumerationChecker:
    rule: Rule
    relations: tuple[Relation, ...]
    with_: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    items: tuple[str, ...]
    min_items: int
    open_ended: tuple[str, ...]
    evidence: Evidence
    messages: tuple[Condition, ...] = ()

    @property
    def trigger_classes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.find[0] for r in self.relations))

    def _list_after(self, analysis: Analysis, sentence: Sentence) -> list[Span]:
        """The list items a lead-in (a sentence ending with a colon, or a heading) introduces."""
        blocks = analysis.document.blocks
        sentences = analysis.block_sentences[sentence.block]
        lead_in = (blocks[sentence.block].scope == "heading"
                   or analysis.text(sentence.span).rstrip().endswith(":"))
        if sentences[-1].index != sentence.index or not lead_in:
            return []
        items: list[Span] = []
        index = sentence.block + 1
        while index < len(blocks) and blocks[index].scope == "list_item" and len(items) < 500:
            items.append(blocks[index].span)
            index += 1
        return items

    def check(self, analysis: Analysis, candidates: Sequence[int]) -> list[Finding]:
        findings: list[Finding] = []
        for index in candidates:
            sentence = analysis.sentences[index]
            claim = next((span for relation in self.relations
                          for span in relation.occurrences(analysis, sentence)
                          if all(c.holds(analysis, sentence, span) for c in relation.with_)), None)
            if claim is None or not all(c.holds(analysis, sentence, claim) for c in self.with_):
                continue
            if any(c.holds(analysis, sentence, claim) for c in self.unless):
                continue
            listed = self._list_after(analysis, sentence)
            spans = [sentence.span, *listed]
            named = _distinct_items(analysis, [i for span in spans for name in self.items
                                               for i in analysis.find(name, span)])
            count = len(named)
            open_ended = any(analysis.has(name, span) for span in spans for name in self.open_ended)
            if count < self.min_items and not (open_ended and count >= 1):
                continue
            end = listed[-1].end if listed else sentence.span.end
            whole = Span(sentence.span.start, end)
            why = f"{count} conditions or sites" + (", open-ended" if open_ended else "")
            message = variant_message(self.messages, analysis, sentence, claim) or self.rule.message
            verdict = weigh(analysis, sentence, claim, self.rule.severity, [why], self.evidence,
                            self.evidence.floor)
            text = analysis.text(sentence.span)
            if verdict.dropped:
                findings.append(_dropped(whole, message, text, verdict.dropped))
                continue
            findings.append(Finding(whole, verdict.severity,
                                    render_message(message, text, "; ".join(verdict.notes)),
                                    notes=verdict.notes))
        return findings


def _distinct_items(analysis: Analysis, hits: Sequence[int]) -> set[str]:
    """The distinct items named by ``hits``. A hit inside a longer one ("pain" in "back
    pain", "arthritis" in "rheumatoid arthritis") is part of that item, and so is a hit
    that touches it with only spaces or a hyphen between ("knee osteoarthritis pain" is one
    item, "knees, hips" two)."""
    spans = sorted({(analysis.hits.starts[i], analysis.hits.ends[i]) for i in hits},
                   key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start >= kept[-1][0] and end <= kept[-1][1]:
            continue
        if kept and start >= kept[-1][1] and \
                not analysis.prose[kept[-1][1]:start].strip(" \t-"):
            kept[-1] = (kept[-1][0], max(end, kept[-1][1]))
            continue
        kept.append((start, end))
    return {" ".join(analysis.prose[start:end].lower().split()) for start, end in kept}


class EnumerationKind:
    name = "enumeration"
    document_level = False
    options_schema: Mapping[str, Any] = ENUMERATION_OPTIONS

    def compile(self, rule: Rule, lexicon: Lexicon) -> EnumerationChecker:
        _declare_local(rule, lexicon)
        options = rule.options
        return EnumerationChecker(
            rule=rule,
            relations=_relations(options["claims"], lexicon, rule, "claims"),
            with_=_conditions(options.get("with"), lexicon, rule, "with"),
            unless=_conditions(options.get("unless"), lexicon, rule, "unless"),
            items=_classes(options["items"], lexicon, rule, ("items",)),
            min_items=int(options.get("min_items", 3)),
            open_ended=_classes(options.get("open_ended") or (), lexicon, rule, ("open_ended",)),
            evidence=_evidence(options, {"negation": True, "information": 1}),
            messages=_conditions(options.get("messages"), lexicon, rule, "messages"),
        )


@dataclass(frozen=True)
class _Pattern:
    regex: regex.Pattern[str]
    severity: Severity | None
    reason: str
    message: str | None
    suggestion: str | None


@dataclass
class PatternChecker:
    """Regular expressions run once over the page; each match is weighed like a claim."""

    rule: Rule
    patterns: tuple[_Pattern, ...]
    with_: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    evidence: Evidence

    trigger_classes: tuple[str, ...] = ()

    def check(self, analysis: Analysis, candidates: Sequence[int]) -> list[Finding]:
        findings: dict[int, Finding] = {}
        limit = time_limit(len(analysis.prose))
        for pattern in self.patterns:
            found = pattern.regex.finditer(analysis.prose, timeout=limit)
            for start, end in [m.span() for m in found
                               if m.end() > m.start()]:
                sentence = analysis.sentence_at(start)
                if sentence is None:
                    continue
                claim = Span(start, min(end, sentence.span.end))
                if not all(c.holds(analysis, sentence, claim) for c in self.with_):
                    continue
                message = pattern.message or self.rule.message
                text = analysis.text(claim)
                if any(c.holds(analysis, sentence, claim) for c in self.unless):
                    finding = _dropped(claim, message, text, "an exception applies")
                else:
                    reasons = [pattern.reason] if pattern.reason else []
                    base = pattern.severity or self.rule.severity
                    verdict = weigh(analysis, sentence, claim, base, reasons, self.evidence,
                                    self.evidence.floor)
                    finding = (_dropped(claim, message, text, verdict.dropped) if verdict.dropped
                               else Finding(claim, verdict.severity,
                                            render_message(message, text, "; ".join(verdict.notes)),
                                            suggestion_fix(pattern.suggestion, claim),
                                            notes=verdict.notes))
                current = findings.get(sentence.index)
                if current is None or finding.severity > current.severity:
                    findings[sentence.index] = finding
        return [findings[i] for i in sorted(findings)]


class PatternKind:
    name = "pattern"
    document_level = False
    options_schema: Mapping[str, Any] = PATTERN_OPTIONS

    def compile(self, rule: Rule, lexicon: Lexicon) -> PatternChecker:
        _declare_local(rule, lexicon)
        options = rule.options
        patterns = []
        for index, entry in enumerate(options["triggers"]):
            spec = {"pattern": entry} if isinstance(entry, str) else dict(entry)
            try:
                compiled = compile_shape(spec["pattern"])
            except ValueError as exc:
                raise OptionError(str(exc), ("triggers", index)) from None
            if "{@" in spec["pattern"]:
                raise OptionError("patterns do not expand term classes ({@name}); name the class "
                                  "in a 'with' or 'unless' condition instead", ("triggers", index))
            if compiled.search(""):
                raise OptionError(f"pattern {spec['pattern']!r} matches empty text",
                                  ("triggers", index))
            patterns.append(_Pattern(
                compiled, Severity.parse(spec["severity"]) if "severity" in spec else None,
                spec.get("reason", ""), spec.get("message"), spec.get("suggestion")))
        return PatternChecker(
            rule=rule,
            patterns=tuple(patterns),
            with_=_conditions(options.get("with"), lexicon, rule, "with"),
            unless=_conditions(options.get("unless"), lexicon, rule, "unless"),
            evidence=_evidence(options, {"negation": False, "information": 0}),
        )


BUILTIN_KINDS: tuple[Callable[[], RuleKind], ...] = (
    ClaimKind, DisclosureKind, EnumerationKind, PatternKind,
)


@hookimpl
def healthlint_register_rule_kinds(register: Callable[[RuleKind], None]) -> None:
    for kind in BUILTIN_KINDS:
        register(kind())


__all__ = ["HEDGE_CLASSES", "ClaimKind", "Condition", "DisclosureKind", "EnumerationKind",
           "Evidence", "PatternKind", "Relation", "Verdict", "weigh"]
