"""Shapes: a literal space matches any whitespace run, and an optional space an optional run."""



from __future__ import annotations

from functools import cache

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.engine import Linter
from healthlint.scan import compile_shape


def test_a_space_matches_a_whitespace_run() -> None:
    shape = compile_shape(r"\bdoi\.org/")
    assert shape.search("see doi.org/10.1/x")
    assert compile_shape("stem cells").search("stem \n  cells")


def test_an_optional_space_may_be_absent() -> None:
    pmid = compile_shape(r"\bPMID ?:? ?\d{1,8}\b")
    for text in ("PMID: 29883981", "PMID:29883981", "PMID 29883981", "PMID\n 29883981"):
        assert pmid.search(text), text
    assert compile_shape(r"\d ?%").search("92%")
    assert compile_shape(r"\d *%").search("92  %")
    assert not compile_shape(r"\d +%").search("92%")
    assert compile_shape(r"\d +%").search("92 \t%")


def test_spaces_inside_a_character_class_stay_literal() -> None:
    assert compile_shape(r"a[ ]b").search("a b")
    assert not compile_shape(r"a[ ]b").search("a\nb")


def test_a_page_of_blank_lines_is_read_in_full() -> None:
    # Shapes that look for the start of a line once retried every blank line to the end of
    # the run (quadratic: tens of seconds for 20,000 blank lines, then stopped by the time
    # limit and reported as an error); each now starts only at a word.
    from healthlint import Linter

    result = Linter().lint_text("\n" * 20_000 + "Heals acne in days.\n", "page.txt")
    assert result.errors == []
    assert result.diagnostics


# The first word of a sentence, as the health pack finds it, and as it once looked behind for
# the end of the sentence before: the faster pattern finds the same words.
LOOKBEHIND_SENTENCE_START = (
    r'(?m)(?:^|(?<=[.!?][ ])|(?<=[.!?]["”’)][ ]))[\s•*·>"“-]*\K'
    r"(?!(?:The|A|An|This|That|These|Those|Its|Their|His|Her|Your|Our)\b)\w+")


@cache
def _shipped_sentence_start() -> regex.Pattern[str]:
    return compile_shape(Linter().lexicon.shapes["sentence_start"][0].source)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["Cures", "The", "pain", "gone", ".", "!", "?", "?!", " ", "  ",
                                 "\n", "\n\n", '"', "”", "’", ")", "•", "*", "-", "“", "A",
                                 "x", "Our", "\t", "..."]), max_size=30))
def test_the_sentence_start_shape_finds_what_the_lookbehind_form_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [m.span() for m in _shipped_sentence_start().finditer(text)] == \
        [m.span() for m in compile_shape(LOOKBEHIND_SENTENCE_START).finditer(text)]
