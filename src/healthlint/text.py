"""Sentence and clause segmentation for health copy.

Written here rather than taken from a library: the candidates (pysbd, syntok,
NLTK punkt, blingfire) either run far below the engine's speed budget (pysbd
manages well under 1 MB/s) or need model data at run time, and none of them
works on a blanked prose view where offsets must stay those of the source.
The approach is a single regex pass for candidate boundaries (terminal
punctuation, optional closing quotes and brackets, whitespace, then something
that can open a sentence) and a check of the word before the stop against
abbreviations that never end a sentence (titles, "e.g.", "U.S.", "et al.").

Decimals and ranges ("2.5", "80-85%") never qualify because a boundary needs
whitespace after the stop. A block (paragraph, list item, cell) always ends a
sentence, so list items without final punctuation stand alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from healthlint import regexcache
from healthlint.types import Span

# Abbreviations after which a full stop does not end a sentence, lower-cased and
# without their final dot. Titles and Latin forms, plus country and degree
# abbreviations that are nearly always followed by a noun in this domain
# ("U.S. Food and Drug Administration", "M.D., a physician").
NON_TERMINAL_ABBREVIATIONS = frozenset(
    """
    dr mr mrs ms mx prof sr st mt no nos vs v e.g eg i.e ie cf al approx appt apt
    fig figs ref refs vol pp p ed eds est dept univ assn inc corp co ltd jr
    u.s u.s.a u.k e.u m.d d.o d.c ph.d n.d r.n p.t m.s b.s dds dmd
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

_BOUNDARY = regexcache.compile(
    r"""
    (?<stop>[.!?…]+|\.{3})        # terminal punctuation, ellipses included
    [\"'”’»)\]]*                  # closing quotes and brackets stay with the sentence
    (?=\s+[\"'“‘«(\[]*[\p{Lu}\p{N}\p{So}\p{Sk}]|\s*$)
    """,
    regex.VERBOSE,
)
_WORD_BEFORE = regexcache.compile(r"(?<![\p{L}'’])([\p{L}.'’]+)\Z")
# A run-in heading: a short title ending with a colon before a capitalised sentence
# ("Key Takeaways: Research shows ..."). At most eight words, no inner punctuation.
_RUN_IN_HEADING = regexcache.compile(r"[^\s.!?:;,][^.!?:;,\n]{0,80}?:(?=\s+[\"“]?\p{Lu})")
_SPACE = regexcache.compile(r"\s+")

# Clause breaks: semicolons, colons, dashes and parentheses always; a comma when a
# new clause starts after it (a subordinator, a conjunction with a subject, or a
# personal pronoun as subject). Hedges and negations scope over their own clause.
# A break may begin only where a whitespace run begins (or where the last break ended),
# and runs are taken possessively: blanked markup leaves runs of thousands of spaces
# inside a sentence, and trying each of their positions as a start would make the split
# quadratic in the length of the run.
_CLAUSE_BREAK = regexcache.compile(
    r"""
    (?:(?<!\s)|\G)(?:
      \s*+[;:]\s++
    | \s++[—–]\s++ | \s*+—\s*+
    | \s++but\s++
    | \s*+[()]\s*+
    | \s++(?=\#[^\W_])
    )
    | ,\s++(?=(?:but|however|although|though|while|whereas|which|who|so|yet|because|since
              |if|unless|whether|when|once|after|before|as|therefore|thus|hence
              |and\s+(?:i|we|you|they|it|this|these|that|there|he|she)
              |i|we|you|they|he|she|it|there|this|these|those)\b)
    """,
    regex.VERBOSE | regex.IGNORECASE,
)
# A leading subordinate clause ("Due to the minimal risk, ...") ends at its first comma.
_LEADING_SUBORDINATE = regexcache.compile(
    r"\s*(?:due\s+to|since|because|although|though|while|if|when|once|after|before|as"
    r"|unless|whereas|given|despite|in\s+spite\s+of)\b[^,;:]*,",
    regex.IGNORECASE,
)


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def split_sentences(prose: str, block: Span) -> Iterator[Span]:
    """The sentences of one block, as trimmed spans into ``prose``."""
    start = block.start
    while start < block.end and prose[start].isspace():
        start += 1
    heading = _RUN_IN_HEADING.match(prose, start, block.end)
    if heading and len(heading.group().split()) <= 8:
        yield Span(start, heading.end())
        block = Span(heading.end(), block.end)
        start = heading.end()
    for match in _BOUNDARY.finditer(prose, block.start, block.end):
        stop = match.start("stop")
        if match.group("stop") == ".":
            before = _WORD_BEFORE.search(prose, max(block.start, stop - 24), stop)
            if before:
                word = before.group(1).lower().rstrip(".")
                # "J. Smith" style initials never end a sentence here; "MRI's." does.
                if word in NON_TERMINAL_ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                    continue
        span = _trim(prose, start, match.end())
        if span:
            yield span
        start = match.end()
    span = _trim(prose, start, block.end)
    if span:
        yield span


def split_clauses(prose: str, sentence: Span) -> list[Span]:
    """The clauses of one sentence, as trimmed spans into ``prose``."""
    cuts: list[tuple[int, int]] = []
    lead = _LEADING_SUBORDINATE.match(prose, sentence.start, sentence.end)
    if lead:
        cuts.append((lead.end() - 1, lead.end()))
    cuts.extend(
        (m.start(), m.end())
        for m in _CLAUSE_BREAK.finditer(prose, lead.end() if lead else sentence.start, sentence.end)
    )
    clauses: list[Span] = []
    start = sentence.start
    for cut_start, cut_end in cuts:
        span = _trim(prose, start, cut_start)
        if span:
            clauses.append(span)
        start = cut_end
    span = _trim(prose, start, sentence.end)
    if span:
        clauses.append(span)
    return clauses or [sentence]


def normalize_space(text: str) -> str:
    """Collapse every whitespace run (no-break spaces included) to one space and strip."""
    return _SPACE.sub(" ", text).strip()
