"""Anchored shapes: a shape tried only where its opening words stand finds exactly what
the same shape run over the whole page finds."""

# ruff: noqa: RUF001 - curly quotes, look-alike letters and marks are the point of these tests

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import healthlint.anchors
import healthlint.scan
from healthlint.anchors import (
    Anchors,
    Openers,
    anchors_of,
    folds_into_ascii,
    openers_of,
    openings_of,
    required_of,
)
from healthlint.cache import CACHE_ENV, Cache
from healthlint.engine import Linter
from healthlint.scan import Scanner, Shape, ShapeTimeout, _Page, _whitespace_runs, compile_shape
from healthlint.terms import TermSet


def anchors(source: str) -> Anchors | None:
    return anchors_of(_whitespace_runs(source))


def test_a_shape_that_opens_with_listed_words_is_anchored_on_them() -> None:
    found = anchors(r"\b(?:heals|cures) (?:your )?\w+")
    assert found is not None
    assert found.words == {"heals", "cures"} and not found.prefixes and not found.digits


def test_optional_words_and_stems_give_every_opening() -> None:
    found = anchors(r"\b(?:gently |quickly )?(?:heal|sooth)e?s\b")
    assert found is not None
    assert found.words == {"gently", "quickly", "heals", "heales", "soothes", "sooths"}


def test_a_word_that_may_run_on_is_a_prefix() -> None:
    found = anchors(r"\bPMID ?:? ?\d{1,8}\b")  # "PMID12345" is one word
    assert found is not None and found.prefixes == ("pmid",) and found.words == {"pmid"}
    stem = anchors(r"\breliev\w*")
    assert stem is not None and stem.prefixes == ("reliev",)


def test_figures_anchor_on_words_that_open_with_a_digit() -> None:
    found = anchors(r"(?<![\w.])\d{1,3}(?:\.\d+)? ?%")
    assert found is not None and found.digits
    assert found.admits("80") and not found.admits("percent")


@pytest.mark.parametrize("source", [
    r"(?:heals|cures)\b",              # no word boundary before: may open inside a word
    r"[:] \K(?:heal|cure)\b",          # reports a start after where it opened
    r"\b\w+ly\b",                      # opens with any word
    r"#\w+",                           # opens with punctuation
    r"(?m)^\s*(?:heals|cures)",        # may open with blanks
    r"\b[A-Z][a-z]+ Journal",          # any capitalised word
    r"\b(?:a|b)?\bheals",              # a boundary after what may be a letter
    r"\bcaf\u00e9s\b",                 # not ASCII
])
def test_a_shape_that_may_open_otherwise_is_not_anchored(source: str) -> None:
    assert anchors(source) is None


def test_a_shape_with_no_opening_words_still_needs_its_literal_text() -> None:
    required = required_of(_whitespace_runs(r"\w+[™®]|(?-i:Journal of \w+)"))
    assert required is not None
    assert required.folded == ("®", "™") and required.exact == ("Journal",)
    assert required.absent_from("the journal of x", "the journal of x")
    assert not required.absent_from("Brand™", "brand™")
    assert required_of(_whitespace_runs(r"(?:foo)?\w+")) is None  # only an optional piece


@pytest.mark.parametrize(("source", "openers"), [
    (r"(?m)(?:^|[.!?]\"? )\s*\K\w+", Openers(frozenset(".!?"), True)),
    (r"(?m)^[ \t•-]*\w+:", Openers(frozenset(), True)),
    (r"(?<![\w(])(?:\(\d{1,3}\)|\[\d{1,3}\]|[¹²³]+)", Openers(frozenset("([¹²³"), False)),
    (r"[—–:] ?(?:for|against)\b", Openers(frozenset("—–:"), False)),
    (r"(?:[$£€] ?\d+)", Openers(frozenset("$£€"), False)),
])
def test_a_shape_that_opens_with_punctuation_or_a_line_start_is_tried_only_there(
        source: str, openers: Openers) -> None:
    assert openers_of(_whitespace_runs(source)) == openers


@pytest.mark.parametrize("source", [
    r"(?:x)?\.",            # may open with a letter, which case folding reaches
    r"[A-Z]\w+:",           # a letter
    r"\d+%",               # a digit
    r"\s*:",               # any blank
    r".:",                 # any character
    r"[^a-z]:",            # a negated set
    r"(?:\.)?",            # an empty match
    r"\b(?:\.|\w)",        # one way through opens with any word character
    r"(?:(\.)|x)\1",       # a letter again
    r"[\u24b6]",           # a circled letter has a case
])
def test_a_shape_that_may_open_anywhere_gets_no_openers(source: str) -> None:
    assert openers_of(_whitespace_runs(source)) is None


def test_a_page_whose_letters_fold_into_ascii_is_scanned_whole() -> None:
    # The regex engine, ignoring case, matches "s" with the long s and "i" with the dotted
    # capital I; their lower case does not show it.
    assert folds_into_ascii("Dre\u017fs") and folds_into_ascii("\u0130ndia")
    assert not folds_into_ascii("caf\u00e9 \u212a") and not folds_into_ascii("plain")
    scanner = Scanner(TermSet(), [Shape("s", r"\w+ ?(?:lose|shed)\w*")])
    assert len(scanner.scan("We \u017fhed it.")) == 1


def test_a_shape_with_no_anchors_still_runs_everywhere() -> None:
    scanner = Scanner(TermSet(), [Shape("s", r"(?:heals|cures)\b")])
    hits = scanner.scan("It unheals.")
    assert [(hits.starts[i], hits.ends[i]) for i in range(len(hits))] == [(5, 10)]


# The shipped shapes, anchored and not, over pages made of their own words and of the
# characters where words and boundaries are easy to get wrong.

TRICKY = ["o'", "'", "+", "&", "_", "²", "½", "İ", "K", "ſ", "é", "e\u0301", "ﬁ", "ß", "-",
          "’", "“", "”", ".", "!", "?", ":", ";", ",", "(", ")", "#", "%", "$", "\n", "\n\n",
          "  ", "\t", "•", "—", "1", "12", "80%", "1990", "2024", "10.1000/x", "x", "The",
          "A", "Dr.", "n=", "et al", "up to", "as much as", "in", "the", "our", "my",
          "\r", "\r\n", "\u2028", "\x0b", "\x0c", "\x85", "[1]", "(2)", "¹²", "–", "*", ">",
          "…", "\u00a0"]


@pytest.fixture(scope="module")
def shipped() -> Scanner:
    return Linter().lexicon.scanner


def _vocabulary(scanner: Scanner) -> list[str]:
    words: set[str] = set()
    for shape in scanner.shapes:
        if shape.anchors is not None:
            words |= shape.anchors.words | set(shape.anchors.prefixes)
        if shape.required is not None:
            words |= set(shape.required.folded) | set(shape.required.exact)
    return sorted(words)


def test_every_shipped_shape_compiles(shipped: Scanner) -> None:
    # Shipped shapes are compiled when a page first needs them, not checked at start-up.
    for shape in shipped.shapes:
        assert shape.pattern.pattern, shape.shape.name


def test_every_shipped_shape_with_a_word_list_is_anchored(shipped: Scanner) -> None:
    anchored = [s.shape.name for s in shipped.shapes if s.anchors is not None]
    assert {"headline_claim", "imperative_benefit", "opening_claim", "rate",
            "hl119.volume_count"} <= set(anchored)
    assert len(anchored) >= len(shipped.shapes) / 2


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_anchored_shapes_find_what_the_whole_page_scan_finds(shipped: Scanner,
                                                             data: st.DataObject) -> None:
    vocabulary = _vocabulary(shipped)
    token = st.one_of(
        st.sampled_from(vocabulary),
        st.sampled_from(vocabulary).map(str.upper),
        st.sampled_from(vocabulary).map(str.title),
        st.sampled_from(TRICKY),
        st.text(alphabet="abcdeflnorsty0123456789'+&_²İKſ\u0301 ", max_size=6),
    )
    pieces = data.draw(st.lists(token, max_size=40))
    separators = data.draw(st.lists(st.sampled_from(["", " ", " ", "\n", ". ", ": "]),
                                    min_size=len(pieces), max_size=len(pieces)))
    prose = "".join(p + s for p, s in zip(pieces, separators, strict=True))
    assert_anchored_scans_agree(shipped, prose)


def assert_anchored_scans_agree(scanner: Scanner, prose: str) -> None:
    page = _Page(prose, scanner)
    for shape in scanner.shapes:
        whole = [m.span() for m in shape.pattern.finditer(prose) if m.end() > m.start()]
        assert shape.spans(page, 5.0) == whole, (shape.shape.name, prose)


@pytest.mark.parametrize("prose", [
    "Dre\u017fs lo\u017fe weight; \u0130nstantly heals. Journal of x\u2122",
    "Our balm o'heals skin.",        # an apostrophe the regex engine reads as a boundary
    "It ²heals fast.",               # a superscript is no word character to the regex engine
    "x_heals and HEALS and Heals.",  # an underscore joins; case does not matter
    "NAD+heals, K\u212aills",        # a plus sign; the Kelvin sign folds to k
])
def test_openings_at_unusual_boundaries_are_found(shipped: Scanner, prose: str) -> None:
    assert_anchored_scans_agree(shipped, prose)


def test_an_anchored_shape_keeps_its_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # (a|aa)+$ takes exponential time in the regex engine; anchored, it must still stop.
    monkeypatch.setattr(healthlint.scan, "TIME_LIMIT", 0.2)
    shape = Shape("runaway", r"\bheals (?:a|aa)+$")
    assert anchors_of(compile_shape(shape.source).pattern) is not None
    scanner = Scanner(TermSet(), [shape])
    with pytest.raises(ShapeTimeout):
        scanner.scan("heals " + "a" * 40 + "b")


def test_a_page_too_long_to_index_finds_the_same_hits(shipped: Scanner,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    prose = ("Our drip heals 90% of patients in 3 sessions. Instantly relieves pain! "
             "Journal of Pain Research, 2019;12(3):45. \n" * 40)
    indexed = sorted(shipped._found(prose))
    monkeypatch.setattr(healthlint.scan, "INDEXED_PAGE", 100)
    assert sorted(shipped._found(prose)) == indexed and indexed


def test_derivations_read_back_from_the_cache_are_the_ones_derived(
        shipped: Scanner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    sources = [_whitespace_runs(s.shape.source) for s in shipped.shapes]
    derived = openings_of(sources)  # stored
    monkeypatch.setattr(healthlint.anchors, "anchors_of", explode)
    assert openings_of(sources) == derived  # read back, nothing derived again
    assert [(s.anchors, s.required, s.openers) for s in shipped.shapes] == derived


def test_a_stored_derivation_of_the_wrong_shape_is_derived_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    sources = [_whitespace_runs(r"\b(?:heals|cures)\b"), _whitespace_runs(r"\w+™")]
    expected = openings_of(sources)
    cache = Cache.open("shapes", version=2)
    assert cache is not None
    [key] = cache.keys()
    for wrong in ([], [[None, None, None]], [[["x"], [], "no"], None, None] * 2,
                  [[None, [[1], []], None]] * 2, [[None, None, [["ab"], True]]] * 2,
                  [[None, None, [[], "yes"]]] * 2, [[None, None]] * 2):
        cache.put_json(key, wrong)
        assert openings_of(sources) == expected


def explode(*args: object) -> None:
    raise AssertionError("derived again")
