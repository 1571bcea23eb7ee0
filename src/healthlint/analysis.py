"""The shared detection model: one analysed document that every rule checks.

:class:`Analysis` splits a :class:`~healthlint.types.Document` into sentences and
clauses and answers the evidence questions of the rule catalogue (section 2):
which hedges and boosters scope over a claim, whether it is negated, how strong
the citation covering a sentence is (identifiers, numbered markers resolved
against the page's reference list, named venues and institutions, weak
attributions), whether the sentence reports a study in enough context, and
whether its figures are cited elsewhere on the page (a back-reference).

Everything is computed lazily and at most once per document, so rules that
share a question share the work. The vocabularies behind the answers are
compiled once per run in :class:`EvidenceModel`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property, lru_cache
from typing import Any

import regex

from healthlint.prefilter import Prefilter, anchors_for
from healthlint.text import split_clauses, split_sentences
from healthlint.types import Document, Span
from healthlint.vocab import FLAGS, Vocabulary

__all__ = ["Analysis", "EvidenceModel", "Hedging", "Sentence", "Strength"]

LONG_SPAN = 2000
"""Spans longer than this are searched through their anchors (see :meth:`Analysis.contains`)."""


@lru_cache(maxsize=4096)
def cached_anchors(pattern: str) -> tuple[frozenset[str], ...] | None:
    return anchors_for(pattern)


class Strength(IntEnum):
    """How strong the source behind a sentence is (catalogue 2.3)."""

    NONE = 0
    WEAK = 1
    MEDIUM = 2
    STRONG = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Sentence:
    span: Span
    block: int
    """Index into ``Document.blocks``."""
    index: int


HEDGE_CLASSES = ("strong", "weak", "intent", "limiting", "opinion")


@dataclass(frozen=True)
class Hedging:
    """The qualifiers found in a claim's clause, by class, with the words that were found."""

    strong: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    intent: tuple[str, ...] = ()
    limiting: tuple[str, ...] = ()
    opinion: tuple[str, ...] = ()
    boosters: tuple[str, ...] = ()

    def levels(self, weights: Mapping[str, int]) -> int:
        """Net levels to lower by: each present class counts once, each booster cancels one."""
        total = sum(weights.get(name, 0) for name in HEDGE_CLASSES
                    if getattr(self, name))
        return max(0, total - len(self.boosters))

    def describe(self, weights: Mapping[str, int]) -> str:
        parts = [f"{name} hedge '{getattr(self, name)[0]}'"
                 for name in HEDGE_CLASSES
                 if getattr(self, name) and weights.get(name, 0)]
        if parts and self.boosters:
            parts.append(f"cancelled by booster '{self.boosters[0]}'")
        return ", ".join(parts)


# Numbered citation markers: "(1)", "[2]", "[1, 3]", "[2-4]", superscript digits.
_MARKER = regex.compile(
    r"(?<![\w(])(?:\((?P<p>\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\)|\[(?P<b>\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]"
    r"|(?P<s>[¹²³⁴⁵⁶⁷⁸⁹⁰]+))"
)
_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
# A reference-list entry: a number, then something bibliographic (a year plus an
# identifier, a journal abbreviation with volume/pages, or author initials).
_ENTRY_NUMBER = regex.compile(r"\s*(?:\[(?P<a>\d{1,3})\]|\((?P<b>\d{1,3})\)|(?P<c>\d{1,3})[.)]?)\s+(?=\S)")
_BIBLIOGRAPHIC = regex.compile(
    r"(?:19|20)\d\d\b.*?(?:\b(?i:doi|PMID|PMC\d|vol|journal)\b|\d+\s*\(\d+\)\s*:\s*\d+|;\s*\d+|\bJ\.)"
    r"|\b\p{Lu}[\p{Ll}'’-]+ \p{Lu}{1,3}[,.]",  # "Daniell JR," author with initials
    regex.DOTALL,
)
_NUMBER = regex.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b)", FLAGS)
# What a study report says about itself: comparator, time point, measure, sample.
_STUDY_CONTEXT = {
    "comparator": regex.compile(
        r"\b(?:compared (?:to|with)|control group|placebo|versus|vs\.?|sham|randomi[sz]ed)\b", FLAGS),
    "time point": regex.compile(
        r"\b(?:\d+|one|two|three|four|five|six|twelve)[- ](?:day|week|month|year)s?[- ]follow[- ]?up\b"
        r"|\bfollow[- ]?up\b|\bat \d+ (?:days|weeks|months|years)\b|\bbaseline\b", FLAGS),
    "measure": regex.compile(
        r"\b(?:ODI|VAS|NRS(?:-\d+)?|MCID|WOMAC|KOOS|score|scale|index|questionnaire|mean|median)\b",
        FLAGS),
    "sample": regex.compile(
        r"\bn ?= ?\d+\b|\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|all \w+) "
        r"(?:patients|participants|subjects|people|adults|cases)\b(?! who)|\bthe study group\b", FLAGS),
}
_LEAD_IN = regex.compile(r":\s*$")
_STUDY_REFERENCE = regex.compile(
    r"\b(?:this|the|our|that) (?:research|study|trial|review|article|paper)\b|\bwe wrote\b|\bwrote\b"
    r"|^\s*(?:results?|methods?|conclusions?|findings|study design|discussion)\s*:?\s*$",
    FLAGS,
)
_WORD = regex.compile(r"[\p{L}]{4,}")
_STOPWORDS = frozenset(
    """that this these those with from have has been were which their there they them than then
    what when where while your yours about into over under after before more most such some many
    much very also each other only just like will would could should shows show shown showed
    research study studies found find reported report suggest suggests evidence science""".split()
)


class EvidenceModel:
    """The evidence vocabularies, compiled once per run."""


    def __init__(self, vocabulary: Vocabulary) -> None:
        def pattern(name: str) -> regex.Pattern[str] | None:
            return vocabulary.compile("{@" + name + "}") if name in vocabulary.terms else None

        self.hedges = {name: pattern(f"hedge_{name}") for name in HEDGE_CLASSES}
        self.booster = pattern("booster")
        self.negation = pattern("negation")
        # One pattern per term: the regex engines try every branch of a large alternation
        # at every position, and these terms are long; separate searches are several times
        # faster than their alternation.
        def terms(name: str) -> list[regex.Pattern[str]]:
            return [vocabulary.compile(t) for t in vocabulary.terms.get(name, ())]

        self.citations: list[tuple[regex.Pattern[str], Strength]] = [
            *((p, Strength.STRONG) for p in terms("citation_strong")),
            *((p, Strength.MEDIUM) for p in terms("citation_medium")),
            *((p, Strength.WEAK) for p in terms("citation_weak")),
        ]
        self.citation_sources = [pattern.pattern for pattern, _ in self.citations]
        self.reference_heading = (
            vocabulary.compile(r"^\s*(?:{@reference_heading})\s*:?\s*$")
            if "reference_heading" in vocabulary.terms else None
        )
        self._citation_prefilter: Prefilter | None = None
        self._unanchored_citations: list[int] = []

    def build_citation_prefilter(self, known: Mapping[str, Any]) -> None:
        """Find, in one pass, the sentences where each citation term can match; ``known``
        holds anchors already derived (see :func:`healthlint.prefilter.anchors_for_all`)."""
        self._citation_prefilter = Prefilter({
            ("citation", index): known[source] if source in known else anchors_for(source)
            for index, source in enumerate(self.citation_sources)
        })
        self._unanchored_citations = [
            index for index in range(len(self.citations))
            if ("citation", index) in self._citation_prefilter.unanchored
        ]

    @property
    def citation_prefilter(self) -> Prefilter:
        if self._citation_prefilter is None:
            self.build_citation_prefilter({})
        assert self._citation_prefilter is not None
        return self._citation_prefilter

    @property
    def unanchored_citations(self) -> list[int]:
        """Citation terms with no anchors: they are searched wherever a source may stand."""
        self.citation_prefilter  # builds the list
        return self._unanchored_citations


def _found(pattern: regex.Pattern[str] | None, text: str, pos: int, endpos: int) -> tuple[str, ...]:
    if pattern is None or pos >= endpos:
        return ()
    return tuple(m.group() for m in pattern.finditer(text, pos, endpos))


def _marker_numbers(match: regex.Match[str]) -> Iterator[int]:
    raw = match.group("p") or match.group("b") or match.group("s").translate(_SUPERSCRIPTS)
    for part in regex.split(r"\s*[,–-]\s*", raw):
        yield int(part)


def _stem(word: str) -> str:
    return word.lower()[:6]


class Analysis:
    """One document, segmented, with the evidence model's answers computed on demand."""

    def __init__(self, document: Document, model: EvidenceModel) -> None:
        self.document = document
        self.prose = document.prose
        self.model = model
        self.candidates: frozenset[int] | None = None
        """Sentences where the run's combined scan found the current rule's anchors
        (``None``: every sentence)."""
        self._trigger_hits: dict[int, list[int]] | None = None
        self._clauses: dict[int, list[Span]] = {}
        self._citations: dict[int, Strength] = {}
        self._own: dict[int, Strength] = {}
        self._searches: dict[tuple[int, int, int], bool] = {}

    # Segmentation ---------------------------------------------------------

    @cached_property
    def sentences(self) -> list[Sentence]:
        result: list[Sentence] = []
        for block_index, block in enumerate(self.document.blocks):
            for span in split_sentences(self.prose, block.span):
                result.append(Sentence(span, block_index, len(result)))
        return result

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.span.start for s in self.sentences]

    @cached_property
    def block_sentences(self) -> list[list[Sentence]]:
        table: list[list[Sentence]] = [[] for _ in self.document.blocks]
        for sentence in self.sentences:
            table[sentence.block].append(sentence)
        return table

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing ``offset``, if any."""
        index = bisect.bisect_right(self._sentence_starts, offset) - 1
        if index >= 0 and self.sentences[index].span.start <= offset < self.sentences[index].span.end:
            return self.sentences[index]
        return None

    def sentences_overlapping(self, start: int, end: int) -> range:
        """Indices of the sentences that overlap ``[start, end)``."""
        first = max(0, bisect.bisect_right(self._sentence_starts, start) - 1)
        last = bisect.bisect_left(self._sentence_starts, end)
        while first < last and self.sentences[first].span.end <= start:
            first += 1
        return range(first, last)

    def sentences_at(self, offsets: list[int]) -> frozenset[int]:
        """Indices of the sentences containing any of ``offsets``."""
        starts = self._sentence_starts
        sentences = self.sentences
        found: set[int] = set()
        for offset in offsets:
            index = bisect.bisect_right(starts, offset) - 1
            if index >= 0 and offset < sentences[index].span.end:
                found.add(index)
        return frozenset(found)

    def restrict(self, trigger_sentences: Mapping[int, frozenset[int]] | None) -> None:
        """Set the current rule's candidates: for each trigger index, the sentences where the
        combined scan found its anchors; ``None`` means every sentence and every trigger."""
        if trigger_sentences is None:
            self.candidates = None
            self._trigger_hits = None
            return
        hits: dict[int, list[int]] = {}
        for index, sentences in trigger_sentences.items():
            for sentence in sentences:
                hits.setdefault(sentence, []).append(index)
        self._trigger_hits = hits
        self.candidates = frozenset(hits)

    def triggers_for(self, sentence: Sentence, count: int) -> list[int]:
        """Indices of the current rule's triggers worth trying on ``sentence``."""
        if self._trigger_hits is None:
            return list(range(count))
        return sorted(self._trigger_hits.get(sentence.index, ()))

    def contains(self, pattern: regex.Pattern[str], span: Span, timeout: float | None = None) -> bool:
        """Whether ``pattern`` matches inside ``span``; remembered, since many claims of one
        block or page ask the same question of the same span.

        Over long spans the pattern runs only on the sentences that hold one of its anchors
        (found with ``str.find``), which is many times faster than letting the regex engine
        walk the whole page.
        """
        key = (id(pattern), span.start, span.end)
        found = self._searches.get(key)
        if found is None:
            found = self._searches[key] = self._search(pattern, span, timeout)
        return found

    def _search(self, pattern: regex.Pattern[str], span: Span, timeout: float | None) -> bool:
        anchor_sets = cached_anchors(pattern.pattern) if len(span) > LONG_SPAN else None
        if anchor_sets is None:
            return pattern.search(self.prose, span.start, span.end, timeout=timeout) is not None
        lowered = self._lowered
        windows: set[tuple[int, int]] = set()
        for anchor in anchor_sets[0]:  # every match holds one of these; the most selective set
            offset = lowered.find(anchor, span.start, span.end)
            while offset != -1:
                sentence = self.sentence_at(offset)
                if sentence is not None:
                    windows.add((max(span.start, sentence.span.start),
                                 min(span.end, sentence.span.end)))
                else:
                    windows.add((max(span.start, offset - 200), min(span.end, offset + 200)))
                offset = lowered.find(anchor, offset + 1, span.end)
        return any(pattern.search(self.prose, start, end, timeout=timeout) is not None
                   for start, end in sorted(windows))

    @cached_property
    def _lowered(self) -> str:
        lowered = self.prose.lower()
        if len(lowered) != len(self.prose):  # a character whose lower case is longer
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.prose)
        return lowered

    def candidate_sentences(self) -> Iterator[Sentence]:
        if self.candidates is None:
            yield from self.sentences
        else:
            for index in sorted(self.candidates):
                yield self.sentences[index]

    def text(self, span: Span) -> str:
        return self.prose[span.start : span.end]

    def clauses(self, sentence: Sentence) -> list[Span]:
        clauses = self._clauses.get(sentence.index)
        if clauses is None:
            clauses = self._clauses[sentence.index] = split_clauses(self.prose, sentence.span)
        return clauses

    def clause_at(self, sentence: Sentence, offset: int) -> Span:
        for clause in self.clauses(sentence):
            if offset < clause.end:
                return clause
        return sentence.span

    def scope(self, sentence: Sentence, name: str) -> Span:
        """The span of a named scope around ``sentence``: clause is not handled here."""
        if name == "sentence":
            return sentence.span
        if name == "block":
            return self.document.blocks[sentence.block].span
        if name == "document":
            return Span(0, len(self.prose))
        raise ValueError(f"unknown scope {name!r}")

    # Qualifiers -----------------------------------------------------------

    def hedging(self, clause: Span, claim: Span) -> Hedging:
        """Hedges and boosters in ``clause`` that can scope over ``claim``.

        A qualifier counts when it stands in the claim's clause before the claim
        ends; words inside the claim itself count too ("may easily last").
        Limiting quantifiers count anywhere in the clause ("relieves pain in some
        patients").
        """
        end = min(clause.end, claim.end)
        hedges = {
            name: _found(pattern, self.prose, clause.start,
                         clause.end if name == "limiting" else end)
            for name, pattern in self.model.hedges.items()
        }
        return Hedging(boosters=_found(self.model.booster, self.prose, clause.start, end), **hedges)

    def negated(self, clause: Span, claim: Span, *, window: int = 40) -> str | None:
        """The negation cue that negates ``claim`` ("no guarantee", "not a cure"), if any.

        The cue must stand in the same clause, at most ``window`` characters
        before the claim. Cues inside the claim are part of it ("no risk").
        """
        pattern = self.model.negation
        if pattern is None:
            return None
        start = max(clause.start, claim.start - window)
        match = None
        for match in pattern.finditer(self.prose, start, claim.start):
            pass
        return match.group() if match else None

    # Citations ------------------------------------------------------------

    @cached_property
    def references(self) -> frozenset[int]:
        """Numbers of the page's reference-list entries.

        An entry is a block that starts with a number and reads as a bibliographic
        reference, or any numbered block after a "References" heading.
        """
        numbers: set[int] = set()
        heading = self.model.reference_heading
        in_list = False
        for block in self.document.blocks:
            text = self.prose[block.span.start : block.span.end]
            if heading is not None and heading.match(text):
                in_list = True
                continue
            # A reference list in plain text is often one block with an entry per line.
            for line in text.split("\n"):
                entry = _ENTRY_NUMBER.match(line)
                if entry and (in_list or _BIBLIOGRAPHIC.search(line, entry.end())):
                    numbers.add(int(entry.group("a") or entry.group("b") or entry.group("c")))
        return frozenset(numbers)

    def _resolves(self, match: regex.Match[str]) -> bool:
        return any(n in self.references for n in _marker_numbers(match))

    @cached_property
    def _citation_terms(self) -> dict[int, list[int]]:
        """For each sentence, the citation terms whose anchors it holds (one pass)."""
        per_set: dict[tuple[int, int], set[int]] = {}
        for (_, term, anchor_set), offsets in self.model.citation_prefilter.hits(self.prose).items():
            per_set.setdefault((term, anchor_set), set()).update(self.sentences_at(offsets))
        by_term: dict[int, set[int]] = {}
        for (term, _), sentences in per_set.items():
            by_term[term] = by_term[term] & sentences if term in by_term else set(sentences)
        terms: dict[int, list[int]] = {}
        for term, sentences in sorted(by_term.items()):
            for index in sentences:
                terms.setdefault(index, []).append(term)
        return terms

    def own_citation(self, sentence: Sentence) -> Strength:
        """The strongest source named in the sentence itself."""
        cached = self._own.get(sentence.index)
        if cached is not None:
            return cached
        span = sentence.span
        found = Strength.NONE
        if self.references and any(self._resolves(m) for m in
                                   _MARKER.finditer(self.prose, span.start, span.end)):
            found = Strength.STRONG
        else:
            terms = sorted({*self._citation_terms.get(sentence.index, ()),
                            *self.model.unanchored_citations})
            for term in terms:  # strongest first: citations are ordered strong, medium, weak
                pattern, strength = self.model.citations[term]
                if pattern.search(self.prose, span.start, span.end):
                    found = strength
                    break
        self._own[sentence.index] = found
        return found

    def citation(self, sentence: Sentence) -> Strength:
        """The strongest source covering the sentence.

        Its own sources; those of an attribution lead-in ("... Journal (2):",
        "... wrote:", "These are the results of this study:") that opens the list
        or quote the sentence stands in; and a lead-in that refers back to a
        study ("this research") inherits the source cited just before it.
        """
        cached = self._citations.get(sentence.index)
        if cached is None:
            cached = max(self.own_citation(sentence), self._inherited_citation(sentence))
            self._citations[sentence.index] = cached
        return cached

    def _lead_in(self, block_index: int) -> Sentence | None:
        """The lead-in sentence ending with a colon that opens the list or quote holding this block."""
        blocks = self.document.blocks
        scope = blocks[block_index].scope
        if scope not in ("list_item", "quote", "table_cell"):
            return None
        index = block_index - 1
        while index >= 0 and blocks[index].scope == scope:
            index -= 1
        if index < 0 or not self.block_sentences[index]:
            return None
        last = self.block_sentences[index][-1]
        return last if _LEAD_IN.search(self.text(last.span)) else None

    def _run_end(self, block_index: int) -> int:
        """The last block of the run of list items or quotes that holds this block."""
        blocks = self.document.blocks
        scope = blocks[block_index].scope
        index = block_index
        while index + 1 < len(blocks) and blocks[index + 1].scope == scope:
            index += 1
        return index

    def _inherited_citation(self, sentence: Sentence) -> Strength:
        strength = Strength.NONE
        if self.document.blocks[sentence.block].scope in ("list_item", "quote"):
            # A quoted list that ends with its source ("...”(6)") is covered by that source.
            end = self._run_end(sentence.block)
            if end != sentence.block and self.block_sentences[end]:
                strength = max(self.own_citation(s) for s in self.block_sentences[end])
                if strength < Strength.MEDIUM:
                    strength = Strength.NONE
        lead = self._lead_in(sentence.block)
        if lead is None:
            return strength
        strength = max(strength, self.own_citation(lead))
        if strength >= Strength.MEDIUM or not _STUDY_REFERENCE.search(self.text(lead.span)):
            return strength
        # "These are the learning points of this research:" points at the study named just before.
        for previous in reversed(self.sentences[max(0, lead.index - 12) : lead.index]):
            found = self.own_citation(previous)
            if found >= Strength.MEDIUM:
                return found
        return strength

    def study_context(self, sentence: Sentence) -> tuple[str, ...]:
        """Which parts of a study report the sentence's block gives: comparator, time point,
        measure, sample."""
        span = self.document.blocks[sentence.block].span
        return tuple(name for name, pattern in _STUDY_CONTEXT.items()
                     if pattern.search(self.prose, span.start, span.end))

    # Back-references ------------------------------------------------------

    @cached_property
    def _sentence_numbers(self) -> dict[int, frozenset[str]]:
        """The percentages of each sentence that has any, from one pass over the document."""
        found: dict[int, set[str]] = {}
        for match in _NUMBER.finditer(self.prose):
            sentence = self.sentence_at(match.start())
            if sentence is not None:
                found.setdefault(sentence.index, set()).add(match.group(1))
        return {index: frozenset(numbers) for index, numbers in found.items()}

    @cached_property
    def _cited_candidates(self) -> list[int]:
        """Sentences that may be cited (medium or strong): those where a citation pattern's
        anchors occur, and the lists and quotes next to them that can inherit a source."""
        model = self.model
        offsets = [m.start() for m in _MARKER.finditer(self.prose)]
        for index in model.unanchored_citations:
            pattern, strength = model.citations[index]
            if strength >= Strength.MEDIUM:
                offsets.extend(m.start() for m in pattern.finditer(self.prose))
        own = set(self.sentences_at(offsets))
        own.update(index for index, terms in self._citation_terms.items()
                   if any(model.citations[t][1] >= Strength.MEDIUM for t in terms))
        blocks = {self.sentences[i].block for i in own}
        inherit: set[int] = set()
        for block in blocks:
            for neighbour in (block + 1, block - 1):
                if 0 <= neighbour < len(self.document.blocks):
                    end = self._run_end(neighbour)
                    start = neighbour
                    while start > 0 and self.document.blocks[start - 1].scope == \
                            self.document.blocks[neighbour].scope:
                        start -= 1
                    for b in range(start, end + 1):
                        inherit.update(s.index for s in self.block_sentences[b])
        return sorted(own | inherit)

    @cached_property
    def _cited_stem_index(self) -> dict[str, list[int]]:
        """Content-word stems of the cited sentences, mapped to those sentences."""
        index: dict[str, list[int]] = {}
        for sentence_index in self._cited_candidates:
            if self._cited(sentence_index):
                for stem in self._stems(sentence_index):
                    index.setdefault(stem, []).append(sentence_index)
        return index

    def _stems(self, index: int) -> frozenset[str]:
        span = self.sentences[index].span
        return frozenset(_stem(w.group()) for w in _WORD.finditer(self.prose, span.start, span.end)
                         if w.group().lower() not in _STOPWORDS)

    def _cited(self, index: int) -> bool:
        return self.citation(self.sentences[index]) >= Strength.MEDIUM

    @cached_property
    def _number_index(self) -> dict[str, list[int]]:
        """Sentences by the percentages they contain."""
        index: dict[str, list[int]] = {}
        for sentence_index, numbers in self._sentence_numbers.items():
            for number in numbers:
                index.setdefault(number, []).append(sentence_index)
        return index

    def numbers_cited_elsewhere(self, sentence: Sentence) -> bool:
        """True when the sentence's figures appear in a cited sentence elsewhere on the page:
        two of them anywhere, or one in a cited sentence of the three blocks just before."""
        numbers = self._sentence_numbers.get(sentence.index)
        if not numbers:
            return False
        shared: dict[int, int] = {}
        for number in numbers:
            for index in self._number_index.get(number, ()):
                if index != sentence.index:
                    shared[index] = shared.get(index, 0) + 1
        for index, count in shared.items():
            near = 0 <= sentence.block - self.sentences[index].block <= 3
            if (count >= 2 or near) and self._cited(index):
                return True
        return False

    def back_referenced(self, sentence: Sentence, *, start: int | None = None) -> bool:
        """True when the claim is backed by a cited passage elsewhere on the page.

        Either its figures appear there, another sentence of its block has cited
        figures, or (for claims without figures) at least three of its content
        words from ``start`` on appear in one cited sentence.
        """
        if self.numbers_cited_elsewhere(sentence):
            return True
        if any(self.numbers_cited_elsewhere(other) for other in self.block_sentences[sentence.block]
               if other.index != sentence.index):
            return True
        begin = sentence.span.start if start is None else start
        stems = {_stem(w.group()) for w in _WORD.finditer(self.prose, begin, sentence.span.end)
                 if w.group().lower() not in _STOPWORDS}
        if len(stems) < 3:
            return False
        shared: dict[int, int] = {}
        for stem in stems:
            for index in self._cited_stem_index.get(stem, ()):
                shared[index] = shared.get(index, 0) + 1
        return any(count >= 3 and index != sentence.index for index, count in shared.items())
