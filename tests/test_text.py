"""Sentence and clause segmentation, checked against hand-checked fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from healthlint.engine import Linter
from healthlint.evidence import Analysis
from healthlint.text import split_clauses, split_sentences
from healthlint.types import Span

SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = Path(__file__).parent / "fixtures"
CASES = yaml.safe_load((FIXTURES / "sentences.yaml").read_text(encoding="utf-8"))["cases"]
SEED_LINES = yaml.safe_load((FIXTURES / "seed_sentences.yaml").read_text(encoding="utf-8"))["lines"]


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, Span(0, len(text)))]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hand_checked_cases(case: dict) -> None:
    assert sentences(case["text"]) == case["sentences"]


def test_sentences_stay_inside_their_block() -> None:
    text = "First block. Still first.\n\nSecond block without a stop\n\nThird."
    spans = list(split_sentences(text, Span(13, 25)))
    assert [text[s.start : s.end] for s in spans] == ["Still first."]


def test_blanked_markup_reads_as_whitespace() -> None:
    # A prose view blanks tags to spaces; the sentence must still be one sentence.
    text = "Our injections are        extremely safe     . Call us."
    assert sentences(text) == ["Our injections are        extremely safe     .", "Call us."]


def test_a_hedge_in_the_main_clause_does_not_reach_a_leading_subordinate_clause() -> None:
    text = "Due to the minimal risk, we believe this approach may become standard."
    clauses = [text[c.start : c.end] for c in split_clauses(text, Span(0, len(text)))]
    assert clauses == ["Due to the minimal risk", "we believe this approach may become standard."]


def test_clauses_split_at_semicolons_but_not_at_list_commas() -> None:
    text = "It relieves pain, stiffness, and swelling; results vary but most improve."
    clauses = [text[c.start : c.end] for c in split_clauses(text, Span(0, len(text)))]
    assert clauses == ["It relieves pain, stiffness, and swelling", "results vary", "most improve."]


@pytest.mark.shared
@pytest.mark.parametrize("entry", SEED_LINES,
                         ids=[f"{e['file'][:3]}-L{e['line']}" for e in SEED_LINES])
def test_seed_page_boundaries(entry: dict, linter: Linter) -> None:
    path = SHARED / "corpus" / "seeds" / entry["file"]
    source = path.read_text(encoding="utf-8")
    document = linter.format_for(str(path)).parse(source, str(path))
    scanner = linter.lexicon.scanner
    analysis = Analysis(document, scanner.scan(document.prose), scanner.ids)
    start = document.line_starts[entry["line"] - 1]
    last = entry["line"] >= len(document.line_starts)
    end = len(source) if last else document.line_starts[entry["line"]]
    found = [[s.span.start - start + 1, s.span.end - start + 1]
             for s in analysis.sentences if start <= s.span.start < end]
    assert found == entry["sentences"]
