"""The shared detection model, on the hit list: one analysed document that every rule reads.

An :class:`Analysis` is built once per document from its prose view and the
hits of the run's one scan (:mod:`healthlint.scan`), and never changes
afterwards. It answers the evidence questions of the rule catalogue (section 2)
the way ConText and NegEx do for clinical notes: a trigger hit, a scope (the
clause, the sentence, the block, the page) and the cue classes found in that
scope:

* hedges (strong, weak, intent, limiting, opinion) and boosters in the claim's
  clause, pseudo-qualifiers that only look like hedges;
* negation cues a few words before the claim in the same clause;
* reported or critical speech ("is being touted to", "claims to") before it;
* the strongest citation covering the sentence: identifiers, numbered markers
  that resolve to the page's reference list, named institutions and venues,
  weak attributions; lead-ins that open a cited list or quote;
* study context and back-references to figures cited elsewhere on the page;
* the page's genre: promotion in a provider's voice, or information.

Every question costs time linear in the scope it looks at; page-wide indexes
(figures, cited sentences) are built once.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import overload

from healthlint import regexcache
from healthlint.terms import Hits
from healthlint.text import split_clauses, split_sentences
from healthlint.types import Block, Document, Span

__all__ = ["HEDGE_CLASSES", "Analysis", "Hedging", "Sentence", "Strength"]

HEDGE_CLASSES = ("strong", "weak", "intent", "limiting", "opinion")
NEGATION_WORDS = 6
"""A negation cue scopes over a claim that starts at most this many words after it."""
INFORMATION_SIGNS = 2
"""Different signs of reference prose a page needs, with no provider voice, to read as
information."""
MAX_SCOPE_WORDS = 400
"""Word counts stop here: a distance is never measured over more text than this."""
MEMO_SENTENCES = 1024
"""Sentences whose hit tables and clauses are kept at once. The engine runs a page's rules
one after another, each over the sentences in order, so a table is asked for again mostly
while its rule is still on that sentence. A normal page (a few hundred sentences) keeps every
table. A page with more sentences than this is huge: its sentences are held packed in arrays,
a sentence's hits are answered from the hit index (the last sentence's answer kept), and the
clause memo is emptied when full, so memory stays bounded."""

_WORD = regexcache.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)*")
_CONTENT_WORD = regexcache.compile(r"[\p{L}]{4,}")
_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
_MARKER_NUMBERS = regexcache.compile(r"\d{1,3}")
_ENTRY_NUMBER = regexcache.compile(
    r"\s*(?:\[(?P<a>\d{1,3})\]|\((?P<b>\d{1,3})\)|(?P<c>\d{1,3})[.)]?)\s+(?=\S)")
_FIGURE = regexcache.compile(r"\d{1,3}(?:\.\d+)?")
_LEAD_IN = regexcache.compile(r":\s*$")
_UNKNOWN = 0xFF
"""A strength not yet worked out, in the per-sentence memos."""
_STOPWORDS = frozenset(
    """that this these those with from have has been were which their there they them than then
    what when where while your yours about into over under after before more most such some many
    much very also each other only just like will would could should shows show shown showed
    research study studies found find reported report suggest suggests evidence science""".split()
)


class Strength(IntEnum):
    """How strong the source behind a sentence is (catalogue 2.3)."""

    NONE = 0
    WEAK = 1
    MEDIUM = 2
    STRONG = 3

    def __str__(self) -> str:
        return self.name.lower()


_STRENGTHS = tuple(Strength)
"""Each strength at the index of its value."""


@dataclass(frozen=True, slots=True)
class Sentence:
    span: Span
    block: int
    """Index into ``Document.blocks``."""
    index: int


@dataclass(frozen=True)
class Hedging:
    """The qualifiers found in a claim's clause, by class, with the words found."""

    strong: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    intent: tuple[str, ...] = ()
    limiting: tuple[str, ...] = ()
    opinion: tuple[str, ...] = ()
    boosters: tuple[str, ...] = ()

    def levels(self, weights: Mapping[str, int]) -> int:
        """Net levels to lower by: each present class counts once, each booster cancels one."""
        total = sum(weights.get(name, 0) for name in HEDGE_CLASSES if getattr(self, name))
        return max(0, total - len(self.boosters))

    def describe(self, weights: Mapping[str, int]) -> str:
        parts = [f"{name} hedge '{getattr(self, name)[0]}'" for name in HEDGE_CLASSES
                 if getattr(self, name) and weights.get(name, 0)]
        if parts and self.boosters:
            parts.append(f"cancelled by booster '{self.boosters[0]}'")
        return ", ".join(parts)


class Analysis:
    """One document, segmented, with its term hits and the evidence answers on demand.

    Built by the engine; rules only read it. Memoised answers are private caches,
    never visible state: asking twice gives the same answer.
    """

    def __init__(self, document: Document, hits: Hits, ids: Mapping[str, int],
                 genre: str | None = None) -> None:
        self.document = document
        self.prose = document.prose
        self.hits = hits
        self._ids = ids
        self.declared_genre = genre
        self._clauses: dict[int, list[Span]] = {}
        self._in_span: dict[tuple[int, int], dict[int, list[int]]] = {}
        self._by_sentence: dict[int, tuple[Span, dict[int, list[int]]]] = {}
        self._last_sentence: tuple[int, Span, _SentenceHits] | None = None

    # Classes and hits -----------------------------------------------------

    def class_id(self, name: str) -> int:
        """The id of a term class or shape; ``-1`` for one the run does not scan."""
        return self._ids.get(name, -1)

    def find(self, name: str, span: Span) -> list[int]:
        """Hit indices of class ``name`` inside ``span``."""
        # An unknown class (-1) has no hits.
        return self.hits.in_range(self._ids.get(name, -1), span.start, span.end)

    def has(self, name: str, span: Span) -> bool:
        return self.hits.any_in(self._ids.get(name, -1), span.start, span.end)

    def _classes_in(self, span: Span) -> dict[int, list[int]]:
        """The hits inside ``span``, by class, in order: built once per span while the memo
        has room (a sentence is asked about by many relations of many rules)."""
        key = (span.start, span.end)
        table = self._in_span.get(key)
        if table is None:
            table = _classes_in(self.hits, span.start, span.end)
            if len(self._in_span) >= MEMO_SENTENCES:
                # Both memos hold the same tables: emptied together, or neither frees them.
                self._in_span.clear()
                self._by_sentence.clear()
            self._in_span[key] = table
        return table

    @cached_property
    def _huge(self) -> bool:
        """Too many sentences to keep a table for each (they are packed, past
        :data:`MEMO_SENTENCES`): answered from the hit index."""
        return isinstance(self.sentences, _Sentences)

    def sentence_classes(self, sentence: Sentence) -> Mapping[int, Sequence[int]]:
        """Class id -> hit indices inside the sentence, for the classes it holds; shared, so
        callers must not change it."""
        # Keyed by the sentence's index; the span identity check sends a sentence built
        # elsewhere (same index, another span) to the span-keyed table.
        entry = self._by_sentence.get(sentence.index)
        if entry is not None and entry[0] is sentence.span:
            return entry[1]
        if self._huge:
            # Rules visit the page one after another, so a table would be rebuilt for each
            # rule: the hit index answers instead. A rule asks about one sentence many
            # times in a row, so the last answer is kept.
            last = self._last_sentence
            if last is not None and last[0] == sentence.index and last[1] == sentence.span:
                return last[2]
            view = _SentenceHits(self.hits, sentence.span)
            self._last_sentence = (sentence.index, sentence.span, view)
            return view
        table = self._classes_in(sentence.span)
        self._by_sentence[sentence.index] = (sentence.span, table)
        return table

    def in_sentence(self, name: str, sentence: Sentence) -> Sequence[int]:
        """Hit indices of class ``name`` inside the sentence, like ``find(name,
        sentence.span)``; the sequence is shared, so callers must not change it."""
        return self.sentence_classes(sentence).get(self._ids.get(name, -1), ())

    def on_page(self, name: str) -> bool:
        class_id = self.class_id(name)
        return class_id >= 0 and self.hits.count(class_id) > 0

    def hit_span(self, index: int) -> Span:
        return Span(self.hits.starts[index], self.hits.ends[index])

    def hit_text(self, index: int) -> str:
        return " ".join(self.prose[self.hits.starts[index] : self.hits.ends[index]].split())

    def text(self, span: Span) -> str:
        return self.prose[span.start : span.end]

    def words_between(self, start: int, end: int) -> int:
        """Words in ``[start, end)``, counted up to :data:`MAX_SCOPE_WORDS`."""
        if end <= start:
            return 0
        count = 0
        for _ in _WORD.finditer(self.prose, start, min(end, start + 12 * MAX_SCOPE_WORDS)):
            count += 1
            if count >= MAX_SCOPE_WORDS:
                break
        return count

    # Segmentation ---------------------------------------------------------

    @cached_property
    def sentences(self) -> Sequence[Sentence]:
        """The page's sentences in order. Past :data:`MEMO_SENTENCES` they are held as three
        arrays of integers and each :class:`Sentence` is made when asked for: a few bytes a
        sentence instead of a few hundred."""
        result: list[Sentence] = []
        for block_index, block in enumerate(self.document.blocks):
            for span in split_sentences(self.prose, block.span):
                result.append(Sentence(span, block_index, len(result)))
            if len(result) > MEMO_SENTENCES:
                return _Sentences.packed(result, self.prose, self.document.blocks,
                                         block_index + 1)
        return result

    @cached_property
    def _bounds(self) -> tuple[Sequence[int], Sequence[int]]:
        """The starts and the ends of the sentences, in order."""
        sentences = self.sentences
        if isinstance(sentences, _Sentences):
            return sentences.starts, sentences.ends
        return [s.span.start for s in sentences], [s.span.end for s in sentences]

    @cached_property
    def block_sentences(self) -> Sequence[Sequence[Sentence]]:
        """The sentences of each block, by the block's index."""
        sentences = self.sentences
        if isinstance(sentences, _Sentences):
            return sentences.by_block
        table: list[list[Sentence]] = [[] for _ in self.document.blocks]
        for sentence in sentences:
            table[sentence.block].append(sentence)
        return table

    def sentence_at(self, offset: int) -> Sentence | None:
        starts, ends = self._bounds
        index = bisect.bisect_right(starts, offset) - 1
        return self.sentences[index] if index >= 0 and offset < ends[index] else None

    def sentences_with(self, class_ids: Iterable[int]) -> list[int]:
        """Indices of the sentences that hold a hit of any of these classes, in order."""
        found: set[int] = set()
        starts, ends = self._bounds
        hit_starts = self.hits.starts
        for class_id in class_ids:
            for index in self.hits.of(class_id):
                offset = hit_starts[index]
                position = bisect.bisect_right(starts, offset) - 1
                if position >= 0 and offset < ends[position]:
                    found.add(position)
        return sorted(found)

    def clauses(self, sentence: Sentence) -> list[Span]:
        clauses = self._clauses.get(sentence.index)
        if clauses is None:
            if len(self._clauses) >= MEMO_SENTENCES:
                self._clauses.clear()
            clauses = self._clauses[sentence.index] = split_clauses(self.prose, sentence.span)
        return clauses

    def clause_at(self, sentence: Sentence, offset: int) -> Span:
        for clause in self.clauses(sentence):
            if offset < clause.end:
                return clause
        return sentence.span

    def scope(self, sentence: Sentence, name: str, offset: int) -> Span:
        """The span of a named scope around ``offset`` in ``sentence``."""
        if name == "clause":
            return self.clause_at(sentence, offset)
        if name == "sentence":
            return sentence.span
        if name == "block":
            return self.document.blocks[sentence.block].span
        if name == "page":
            return Span(0, len(self.prose))
        raise ValueError(f"unknown scope {name!r}")

    # Qualifiers -----------------------------------------------------------

    def _cue_words(self, name: str, start: int, end: int, *, outside: str | None = None
                   ) -> tuple[str, ...]:
        found = []
        for index in self.find(name, Span(start, end)):
            if outside and self._inside(outside, index):
                continue
            found.append(self.hit_text(index))
        return tuple(found)

    def inside(self, name: str, index: int) -> bool:
        """Whether hit ``index`` lies within a longer hit of class ``name``."""
        return self._inside(name, index)

    def _inside(self, name: str, index: int) -> bool:
        """Whether hit ``index`` lies within a hit of class ``name`` that is longer."""
        start, end = self.hits.starts[index], self.hits.ends[index]
        class_id = self.class_id(name)
        if class_id < 0:
            return False
        for other in self.hits.in_range(class_id, max(0, start - 40), end + 40):
            if self.hits.starts[other] <= start and end <= self.hits.ends[other] and \
                    self.hits.ends[other] - self.hits.starts[other] > end - start:
                return True
        return False

    def hedging(self, clause: Span, claim: Span) -> Hedging:
        """Hedges and boosters in ``clause`` that scope over ``claim``: before the claim ends
        (limiting quantifiers anywhere in the clause); hedge words that are part of a
        pseudo-qualifier ("may not", "up to") do not count."""
        end = min(clause.end, claim.end)
        hedges = {
            name: self._cue_words(f"hedge_{name}", clause.start,
                                  clause.end if name == "limiting" else end,
                                  outside="pseudo_qualifier")
            for name in HEDGE_CLASSES
        }
        return Hedging(boosters=self._cue_words("booster", clause.start, end), **hedges)

    def negated(self, clause: Span, claim: Span, parts: Sequence[str] = ()) -> str | None:
        """The cue that negates ``claim`` ("no guarantee", "not a cure", "do not cure"): a
        negation in the same clause at most :data:`NEGATION_WORDS` words before the claim, or
        between its parts. Cues inside a hit of one of the claim's own classes (``parts``)
        belong to the claim ("no risk")."""
        cue = None
        window = max(clause.start, claim.start - (NEGATION_WORDS + 1) * 24)
        for index in self.find("negation", Span(window, claim.end)):
            start, end = self.hits.starts[index], self.hits.ends[index]
            if start >= claim.start and any(self._covered(name, start, end) for name in parts):
                continue
            if end <= claim.start and self.words_between(end, claim.start) > NEGATION_WORDS:
                continue
            cue = self.hit_text(index)
        return cue

    def _covered(self, name: str, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside a hit of class ``name``."""
        class_id = self.class_id(name)
        if class_id < 0:
            return False
        return any(self.hits.starts[i] <= start and end <= self.hits.ends[i]
                   for i in self.hits.in_range(class_id, max(0, start - 80), end + 80))

    def reported(self, sentence: Sentence, claim: Span) -> str | None:
        """Reported, attributed or critical speech before the claim in its sentence
        ("is being touted to treat", "falsely claim", "beware of products that")."""
        class_id = self.class_id("reported_speech")
        last = None
        if class_id >= 0:
            for index in self.hits.in_range(class_id, sentence.span.start, claim.start):
                last = index
        return self.hit_text(last) if last is not None else None

    # Citations ------------------------------------------------------------

    @cached_property
    def references(self) -> frozenset[int]:
        """Numbers of the page's reference-list entries: numbered blocks (or lines) that read
        as bibliographic references, or any numbered block after a "References" heading."""
        numbers: set[int] = set()
        in_list = False
        bibliographic = ("doi", "pmid", "pmc", "year")
        for block in self.document.blocks:
            span = block.span
            if self.has("reference_heading", span) and \
                    self.words_between(span.start, span.end) <= 4:
                in_list = True
                continue
            for line_start, line in _lines(self.prose, span):
                entry = _ENTRY_NUMBER.match(line)
                if not entry:
                    continue
                line_span = Span(line_start + entry.end(), line_start + len(line))
                if in_list or any(self.has(name, line_span) for name in bibliographic):
                    numbers.add(int(entry.group("a") or entry.group("b") or entry.group("c")))
        return frozenset(numbers)

    def _marker_resolves(self, index: int) -> bool:
        text = self.prose[self.hits.starts[index] : self.hits.ends[index]].translate(_SUPERSCRIPTS)
        numbers = [int(n) for n in _MARKER_NUMBERS.findall(text)]
        return any(n in self.references for n in numbers)

    def own_citation(self, sentence: Sentence) -> Strength:
        """The strongest source named in the sentence itself."""
        memo = self._own_memo
        index = sentence.index
        known = 0 <= index < len(memo)
        if known and memo[index] != _UNKNOWN:
            return _STRENGTHS[memo[index]]
        span = sentence.span
        if self.has("citation_strong", span) or (
                self.references and any(self._marker_resolves(i)
                                        for i in self.find("marker", span))):
            found = Strength.STRONG
        elif self.has("citation_medium", span) or self._named_source(span):
            found = Strength.MEDIUM
        elif self.has("citation_weak", span):
            found = Strength.WEAK
        else:
            found = Strength.NONE
        if known:
            memo[index] = found
        return found

    def _named_source(self, span: Span) -> bool:
        """An institution with an attribution ("according to the CDC", "NIH data"), or a
        named venue with a year or a publication verb."""
        if (self.has("institution", span) or self.has("institution_name", span)) and \
                self.has("attribution", span):
            return True
        venue = self.has("venue", span) or self.has("venue_name", span)
        return venue and (self.has("year", span) or self.has("attribution", span))

    def citation(self, sentence: Sentence) -> Strength:
        """The strongest source covering the sentence: its own, or that of an attribution
        lead-in ("... as the Journal (2) reported:") opening the list or quote it stands in;
        a lead-in that points back at a study ("this research") inherits the source cited
        just before it."""
        memo = self._citation_memo
        index = sentence.index
        known = 0 <= index < len(memo)
        if known and memo[index] != _UNKNOWN:
            return _STRENGTHS[memo[index]]
        found = max(self.own_citation(sentence), self._inherited_citation(sentence))
        if known:
            memo[index] = found
        return found

    @cached_property
    def _own_memo(self) -> bytearray:
        """Each sentence's own citation strength once known, :data:`_UNKNOWN` before: one
        byte a sentence, however large the page."""
        return bytearray([_UNKNOWN]) * len(self.sentences)

    @cached_property
    def _citation_memo(self) -> bytearray:
        """Each sentence's citation strength once known, as :attr:`_own_memo`."""
        return bytearray([_UNKNOWN]) * len(self.sentences)

    def _lead_in(self, block_index: int) -> Sentence | None:
        blocks = self.document.blocks
        scope = blocks[block_index].scope
        if scope not in ("list_item", "quote", "table_cell"):
            return None
        index = self._run_start(block_index) - 1
        if index < 0 or not self.block_sentences[index]:
            return None
        last = self.block_sentences[index][-1]
        return last if _LEAD_IN.search(self.text(last.span)) else None

    @cached_property
    def _runs(self) -> list[tuple[int, int]]:
        """For each block, the first and last block of the run of same-scope blocks holding it."""
        blocks = self.document.blocks
        runs: list[tuple[int, int]] = [(0, 0)] * len(blocks)
        start = 0
        for index in range(1, len(blocks) + 1):
            if index == len(blocks) or blocks[index].scope != blocks[start].scope:
                run = (start, index - 1)  # one tuple shared by the run's blocks
                for member in range(start, index):
                    runs[member] = run
                start = index
        return runs

    def _run_start(self, block_index: int) -> int:
        return self._runs[block_index][0]

    def _run_end(self, block_index: int) -> int:
        return self._runs[block_index][1]

    def _inherited_citation(self, sentence: Sentence) -> Strength:
        strength = Strength.NONE
        if self.document.blocks[sentence.block].scope in ("list_item", "quote"):
            end = self._run_end(sentence.block)
            if end != sentence.block and self.block_sentences[end]:
                strength = max(self.own_citation(s) for s in self.block_sentences[end])
                if strength < Strength.MEDIUM:
                    strength = Strength.NONE
        lead = self._lead_in(sentence.block)
        if lead is None:
            return strength
        strength = max(strength, self.own_citation(lead))
        if strength >= Strength.MEDIUM or not self.has("study_reference", lead.span):
            return strength
        for previous in reversed(self.sentences[max(0, lead.index - 12) : lead.index]):
            found = self.own_citation(previous)
            if found >= Strength.MEDIUM:
                return found
        return strength

    def study_context(self, sentence: Sentence) -> tuple[str, ...]:
        """Which parts of a study report the sentence's block gives."""
        span = self.document.blocks[sentence.block].span
        return tuple(part for part in ("comparator", "time point", "measure", "sample")
                     if self.has("study_" + part.replace(" ", ""), span))

    # Back-references ------------------------------------------------------

    @cached_property
    def _sentence_figures(self) -> dict[int, frozenset[str]]:
        """The percentages of each sentence that has any (one pass over the page's hits)."""
        found: dict[int, set[str]] = {}
        class_id = self.class_id("percent")
        if class_id < 0:
            return {}
        for index in self.hits.of(class_id):
            offset = self.hits.starts[index]
            sentence = self.sentence_at(offset)
            figure = _FIGURE.match(self.prose, offset, self.hits.ends[index])
            if sentence is not None and figure:
                found.setdefault(sentence.index, set()).add(figure.group())
        return {index: frozenset(figures) for index, figures in found.items()}

    @cached_property
    def _figure_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for sentence_index, figures in self._sentence_figures.items():
            for figure in figures:
                index.setdefault(figure, []).append(sentence_index)
        return index

    def _cited(self, index: int) -> bool:
        return self.citation(self.sentences[index]) >= Strength.MEDIUM

    def figures_cited_elsewhere(self, sentence: Sentence) -> bool:
        """The sentence's figures appear in a cited sentence elsewhere on the page: two of
        them anywhere, or one in a cited sentence of the three blocks just before."""
        figures = self._sentence_figures.get(sentence.index)
        if not figures:
            return False
        shared: dict[int, int] = {}
        for figure in figures:
            for index in self._figure_index.get(figure, ())[:64]:
                if index != sentence.index:
                    shared[index] = shared.get(index, 0) + 1
        return any((count >= 2 or 0 <= sentence.block - self.sentences[index].block <= 3)
                   and self._cited(index) for index, count in shared.items())

    @cached_property
    def _cited_stem_index(self) -> dict[str, list[int]]:
        """Content-word stems of the cited sentences (and of the lists around them)."""
        candidates: set[int] = set()
        for name in ("citation_strong", "citation_medium", "marker", "institution",
                     "institution_name", "venue", "venue_name"):
            class_id = self.class_id(name)
            if class_id >= 0:
                candidates.update(self.sentences_with([class_id]))
        blocks = {self.sentences[i].block for i in candidates}
        for block in blocks:
            for neighbour in (block - 1, block + 1):
                if 0 <= neighbour < len(self.document.blocks):
                    first, last = self._runs[neighbour]
                    for member in range(first, min(last, first + 200) + 1):
                        candidates.update(s.index for s in self.block_sentences[member])
        index: dict[str, list[int]] = {}
        for sentence_index in sorted(candidates):
            if self._cited(sentence_index):
                for stem in _stems(self.prose, self.sentences[sentence_index].span.start,
                                   self.sentences[sentence_index].span.end):
                    index.setdefault(stem, []).append(sentence_index)
        return index

    def back_referenced(self, sentence: Sentence, *, start: int | None = None) -> bool:
        """The claim is backed by a cited passage elsewhere on the page: its figures appear
        there, another sentence of its block has cited figures, or at least three of its
        content words (from ``start`` on) appear in one cited sentence."""
        if self.figures_cited_elsewhere(sentence):
            return True
        siblings = self.block_sentences[sentence.block]
        if len(siblings) <= 64 and any(self.figures_cited_elsewhere(other) for other in siblings
                                       if other.index != sentence.index):
            return True
        stems = _stems(self.prose, sentence.span.start if start is None else start,
                       sentence.span.end)
        if len(stems) < 3:
            return False
        shared: dict[int, int] = {}
        for stem in stems:
            for index in self._cited_stem_index.get(stem, ())[:64]:
                if index != sentence.index:
                    shared[index] = shared.get(index, 0) + 1
        return any(count >= 3 for count in shared.values())

    # The page -------------------------------------------------------------

    @cached_property
    def genre(self) -> str:
        """``promotion`` when the page speaks in a provider's voice (our clinic, we offer,
        book now, prices); ``information`` when it has no such voice and reads as reference
        prose (at least :data:`INFORMATION_SIGNS` different signs: "what is", "symptoms of",
        "researchers have found", "see your doctor"); ``marketing`` otherwise, the default:
        a page with no sign either way (a snippet, one sentence) is judged as marketing copy.
        A genre declared in front matter or configuration wins."""
        if self.declared_genre:
            return self.declared_genre
        if self.on_page("promotion") or self.on_page("price") or self._provider_noun():
            return "promotion"
        signs = {self.hit_text(i).lower()
                 for i in self.find("informational", Span(0, len(self.prose)))[:200]}
        return "information" if len(signs) >= INFORMATION_SIGNS else "marketing"

    def _provider_noun(self) -> bool:
        """"our" within three words of a business noun ("our board-certified team")."""
        nouns = self.class_id("business_noun")
        for index in self.find("provider_possessive", Span(0, len(self.prose)))[:200]:
            end = self.hits.ends[index]
            window = self.hits.in_range(nouns, end, min(len(self.prose), end + 80))
            if any(self.words_between(end, self.hits.starts[n]) <= 3 for n in window):
                return True
        return False


class _Sentences(Sequence[Sentence]):
    """A huge page's sentences: their starts, ends and blocks in arrays, each
    :class:`Sentence` made when asked for (equal to, not the same object as, the last one
    made for that index)."""

    __slots__ = ("_first", "blocks", "ends", "starts")

    def __init__(self, starts: array[int], ends: array[int], blocks: array[int],
                 block_count: int) -> None:
        self.starts, self.ends, self.blocks = starts, ends, blocks
        # The index of each block's first sentence (and of the end), for by_block.
        first = array("l", [0]) * (block_count + 1)
        position = 0
        for block in range(block_count + 1):
            while position < len(blocks) and blocks[position] < block:
                position += 1
            first[block] = position
        self._first = first

    @classmethod
    def packed(cls, head: list[Sentence], prose: str, blocks: Sequence[Block],
               rest: int) -> _Sentences:
        """``head`` (the sentences of the blocks before ``rest``, in order) and those of the
        blocks from ``rest`` on, split from ``prose``."""
        starts = array("l", (s.span.start for s in head))
        ends = array("l", (s.span.end for s in head))
        numbers = array("l", (s.block for s in head))
        for block_index in range(rest, len(blocks)):
            for span in split_sentences(prose, blocks[block_index].span):
                starts.append(span.start)
                ends.append(span.end)
                numbers.append(block_index)
        return cls(starts, ends, numbers, len(blocks))

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Sentence: ...

    @overload
    def __getitem__(self, index: slice) -> list[Sentence]: ...

    def __getitem__(self, index: int | slice) -> Sentence | list[Sentence]:
        if isinstance(index, slice):
            return [self._make(i) for i in range(*index.indices(len(self.starts)))]
        if index < 0:
            index += len(self.starts)
        return self._make(index)

    def _make(self, index: int) -> Sentence:
        return Sentence(Span(self.starts[index], self.ends[index]), self.blocks[index], index)

    def __iter__(self) -> Iterator[Sentence]:
        return map(self._make, range(len(self.starts)))

    @property
    def by_block(self) -> Sequence[list[Sentence]]:
        """The sentences of each block, made when a block is asked for."""
        return _BlockSentences(self)


class _BlockSentences(Sequence[list[Sentence]]):
    __slots__ = ("_sentences",)

    def __init__(self, sentences: _Sentences) -> None:
        self._sentences = sentences

    def __len__(self) -> int:
        return len(self._sentences._first) - 1

    @overload
    def __getitem__(self, block: int) -> list[Sentence]: ...

    @overload
    def __getitem__(self, block: slice) -> list[list[Sentence]]: ...

    def __getitem__(self, block: int | slice) -> list[Sentence] | list[list[Sentence]]:
        if isinstance(block, slice):
            return [self[b] for b in range(*block.indices(len(self)))]
        if block < 0:
            block += len(self)
        if not 0 <= block < len(self):
            raise IndexError(block)
        first = self._sentences._first
        return self._sentences[first[block] : first[block + 1]]


def _classes_in(hits: Hits, start: int, end: int) -> dict[int, list[int]]:
    """The hits inside ``[start, end)``, by class, in order of start."""
    table: dict[int, list[int]] = {}
    starts, ends, classes = hits.starts, hits.ends, hits.classes
    low = bisect.bisect_left(starts, start)
    high = bisect.bisect_left(starts, end, low)
    for index in range(low, high):
        if ends[index] <= end:
            members = table.get(classes[index])
            if members is None:
                table[classes[index]] = [index]
            else:
                members.append(index)
    return table


class _SentenceHits(Mapping[int, Sequence[int]]):
    """One sentence's hits by class, read from the page's hit index rather than copied
    into a table: what :meth:`Analysis.sentence_classes` gives on a huge page. Only the
    set of classes present is worked out (one walk over the sentence's hits); a class's
    hits are looked up when asked for."""

    __slots__ = ("_classes", "_hits", "_span")

    def __init__(self, hits: Hits, span: Span) -> None:
        self._hits = hits
        self._span = span
        starts, ends, classes = hits.starts, hits.ends, hits.classes
        low = bisect.bisect_left(starts, span.start)
        high = bisect.bisect_left(starts, span.end, low)
        end = span.end
        self._classes = {classes[i] for i in range(low, high) if ends[i] <= end}

    def __contains__(self, class_id: object) -> bool:
        return class_id in self._classes

    def __getitem__(self, class_id: int) -> Sequence[int]:
        if class_id not in self._classes:
            raise KeyError(class_id)
        return self._hits.in_range(class_id, self._span.start, self._span.end)

    def get(self, class_id: int, default: Sequence[int] | None = None  # type: ignore[override]
            ) -> Sequence[int] | None:
        # Mapping's own get goes through a KeyError for every class the sentence lacks.
        if class_id in self._classes:
            return self._hits.in_range(class_id, self._span.start, self._span.end)
        return default

    def __iter__(self) -> Iterator[int]:
        # The order of the table: classes by their first hit.
        return iter(_classes_in(self._hits, self._span.start, self._span.end))

    def __len__(self) -> int:
        return len(self._classes)


def _lines(prose: str, span: Span) -> Iterator[tuple[int, str]]:
    start = span.start
    while start < span.end:
        end = prose.find("\n", start, span.end)
        end = span.end if end == -1 else end
        yield start, prose[start:end]
        start = end + 1


def _stems(prose: str, start: int, end: int) -> frozenset[str]:
    return frozenset(w.group().lower()[:6]
                     for w in _CONTENT_WORD.finditer(prose, start, min(end, start + 4000))
                     if w.group().lower() not in _STOPWORDS)


def first_of(values: Sequence[int]) -> int | None:
    return values[0] if values else None
