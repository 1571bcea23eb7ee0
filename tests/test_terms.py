"""The phrase language of term classes and the one-scan matcher: forms, positions, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.errors import RuleError
from healthlint.terms import Hits, TermError, TermMatcher, TermSet, expand, parse_terms


def found(phrases: str, text: str, name: str = "term") -> list[str]:
    terms = TermSet()
    terms.add(parse_terms(phrases, name))
    hits = TermMatcher(terms).hits(text)
    return [text[hits.starts[i] : hits.ends[i]] for i in range(len(hits))]


# The phrase language --------------------------------------------------------------------------


@pytest.mark.parametrize(("phrase", "forms"), [
    ("pill[s]", ["pill", "pills"]),
    ("cur{e|es|ed}", ["cure", "cures", "cured"]),
    ("reduce (the) risk", ["reduce the risk", "reduce risk"]),
    ("without (the|any) risk", ["without the risk", "without any risk", "without risk"]),
    ("Centers for Disease Control (and Prevention)",
     ["centers for disease control and prevention", "centers for disease control"]),
    ("immune {reaction[s]|rejection}", ["immune reaction", "immune reactions", "immune rejection"]),
    ("anti-inflammatory", ["anti inflammatory", "antiinflammatory"]),
    ("NAD+", ["nad+"]),
    ("Alzheimer’s", ["alzheimer's"]),
    ("100% natural", ["100 natural"]),
])
def test_phrase_forms(phrase: str, forms: list[str]) -> None:
    assert expand(phrase) == forms


@pytest.mark.parametrize(("phrase", "reason"), [
    ("safe\\b", "unexpected character"),
    ("(?:safe)", "unexpected character"),
    ("cur{e|es", "unclosed"),
    ("cure}", "unmatched"),
    ("---", "no letters or digits"),
    ("{a|b|c|d|e|f|g|h} {a|b|c|d|e|f|g|h} {a|b|c|d|e|f|g|h} {a|b|c|d|e|f|g|h}", "variants"),
])
def test_phrases_that_are_not_phrases_are_refused(phrase: str, reason: str) -> None:
    with pytest.raises(TermError, match=reason):
        expand(phrase)


def test_an_error_in_a_term_file_names_the_file_and_line(tmp_path: Path) -> None:
    from healthlint.terms import read_term_file

    path = tmp_path / "remedy.txt"
    path.write_text("# Remedies.\nherbal remed{y|ies}\nmiracle (cure\n", encoding="utf-8")
    with pytest.raises(RuleError) as error:
        read_term_file(path)
    assert f"{path}:3:" in str(error.value)


def test_the_leading_comment_is_the_description_and_includes_are_followed() -> None:
    terms = TermSet()
    terms.add(parse_terms("# Oils.\n\ncastor oil\n@spice", "oil"))
    terms.add(parse_terms("turmeric", "spice"))
    assert terms.classes["oil"].description == "Oils."
    assert terms.resolve("oil")[0] == {"castor oil", "turmeric"}


def test_classes_that_include_each_other_are_an_error() -> None:
    terms = TermSet()
    terms.add(parse_terms("@b", "a"))
    terms.add(parse_terms("@a", "b"))
    with pytest.raises(RuleError, match="include each other"):
        terms.resolve("a")


# Matching -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "It is completely safe.",
    "It is completely   safe.",
    "It is completely\nsafe.",
    "It is completely\u00a0safe.",
    "It is COMPLETELY <b>safe</b>.",
])
def test_a_phrase_matches_across_any_whitespace_and_markup_blanks(text: str) -> None:
    prose = text.replace("<b>", "   ").replace("</b>", "    ")
    [hit] = found("completely safe", prose)
    assert " ".join(hit.split()).lower() == "completely safe"


def test_whole_words_only() -> None:
    assert found("cure", "secure cures manicure, cure.") == ["cure"]
    assert found("can", "cancer can't can") == ["can"]


def test_hyphens_spaces_and_joined_forms_meet() -> None:
    assert found("platelet-rich plasma", "platelet rich plasma; Platelet-Rich Plasma") == [
        "platelet rich plasma", "Platelet-Rich Plasma"]
    assert found("risk-free", "riskfree, risk free") == ["riskfree", "risk free"]


def test_case_sensitive_phrases_only_match_their_case() -> None:
    assert found("=ED", "Treats ED. Ed said it worked, as ed.") == ["ED"]


def test_overlapping_terms_of_several_classes_all_hit() -> None:
    terms = TermSet()
    terms.add(parse_terms("stem cell[s]", "biologic"))
    terms.add(parse_terms("cell[s]", "tissue"))
    matcher = TermMatcher(terms)
    hits = matcher.hits("Our stem cells heal.")
    pairs = [(hits.names[hits.classes[i]], hits.starts[i], hits.ends[i]) for i in range(len(hits))]
    assert pairs == [("biologic", 4, 14), ("tissue", 9, 14)]


def test_positions_survive_long_whitespace_runs_and_chunking() -> None:
    # Runs of blanks (left by markup) are collapsed in the matcher's view; every hit still maps
    # back to its exact source offsets, also when the page is scanned in pieces.
    unit = "Our    clinic \n\n   offers      PRP.          It is extremely\t \t safe.\n"
    text = unit * 3000
    terms = TermSet()
    terms.add(parse_terms("extremely safe\nPRP", "t"))
    matcher = TermMatcher(terms)
    spans = [(text[s:e]) for s, e, _ in matcher.scan(text, chunk=4096)]
    assert len(spans) == 6000
    assert set(spans) == {"PRP", "extremely\t \t safe"}


def test_non_ascii_case_folding_keeps_offsets() -> None:
    text = "İİ Our PRP is risk-free."
    assert found("risk-free", text) == ["risk-free"]


def test_a_matcher_read_back_from_its_cache_bytes_finds_the_same_hits() -> None:
    terms = TermSet()
    terms.add(parse_terms("stem cell[s]\nextremely safe\n=PRP", "claim"))
    terms.add(parse_terms("cell[s]\n=PRP", "tissue"))
    built = TermMatcher(terms)
    loaded = TermMatcher.from_bytes(built.to_bytes())
    assert loaded is not None
    text = "Our PRP and stem cells are extremely safe; prp and cells too."
    assert list(loaded.scan(text)) == list(built.scan(text))
    # "PRP" is case-sensitive in both classes: the upper-case one only, once per class.
    assert sorted(loaded.names[c] for *_, c in loaded.scan(text)) == \
        ["claim", "claim", "claim", "tissue", "tissue", "tissue"]


# Words that open one another as strings ("pain", "pains", "painful"), so that the forms
# opening with one word sit next to forms opening with a longer one in sorted order.
_WORDS = ["a", "ab", "abc", "b", "ba", "pain", "pains", "painful", "relief"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4), min_size=1,
                max_size=12),
       st.lists(st.sampled_from(_WORDS), max_size=60))
def test_every_run_of_words_that_is_a_form_is_found(phrases: list[list[str]],
                                                     page: list[str]) -> None:
    forms = {" ".join(words) for words in phrases}
    terms = TermSet()
    terms.add(parse_terms("\n".join(sorted(forms)), "term"))
    built = TermMatcher(terms)
    loaded = TermMatcher.from_bytes(built.to_bytes())
    assert loaded is not None
    text = " ".join(page)
    starts = [sum(len(w) + 1 for w in page[:i]) for i in range(len(page))]
    expected = sorted((starts[i], starts[j - 1] + len(page[j - 1]))
                      for i in range(len(page)) for j in range(i + 1, len(page) + 1)
                      if " ".join(page[i:j]) in forms)
    for matcher in (built, loaded):
        assert sorted((start, end) for start, end, _ in matcher.scan(text)) == expected


def test_cache_bytes_that_are_cut_short_or_altered_give_no_matcher() -> None:
    terms = TermSet()
    terms.add(parse_terms("stem cell[s]", "claim"))
    data = TermMatcher(terms).to_bytes()
    header_end = data.index(b"\n") + 1 + int(data.split(b"\n", 1)[0])
    assert TermMatcher.from_bytes(data[: header_end + 3]) is None
    assert TermMatcher.from_bytes(b"12\nnot json at all") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300_000), st.integers(0, 40), st.integers(0, 9)),
                max_size=200))
def test_hits_held_compactly_are_the_same_hits(raw: list[tuple[int, int, int]]) -> None:
    found = [(start, start + length, class_id) for start, length, class_id in raw]
    names = [f"c{i}" for i in range(10)]
    plain, compact = Hits(names, found), Hits.compact(names, iter(found))
    assert (plain.starts, plain.ends, plain.classes) == \
        (compact.starts, compact.ends, compact.classes)
    for class_id in range(10):
        assert plain.of(class_id) == compact.of(class_id)
        assert plain.in_range(class_id, 1000, 200_000) == compact.in_range(class_id, 1000, 200_000)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2_000), st.integers(0, 40), st.integers(0, 4)),
                max_size=120),
       st.lists(st.tuples(st.integers(0, 2_100), st.integers(0, 300)), min_size=1, max_size=8))
def test_range_queries_find_what_a_walk_over_the_hits_finds(
        raw: list[tuple[int, int, int]], ranges: list[tuple[int, int]]) -> None:
    found = [(start, start + length, class_id) for start, length, class_id in raw]
    names = [f"c{i}" for i in range(5)]
    for hits in (Hits(names, found), Hits.compact(names, iter(found))):
        for class_id in range(6):  # 5 names no hit has
            for start, width in ranges:
                end = start + width
                walked = [i for i in range(len(hits)) if hits.classes[i] == class_id
                          and start <= hits.starts[i] < end and hits.ends[i] <= end]
                assert hits.in_range(class_id, start, end) == walked
                assert hits.any_in(class_id, start, end) == bool(walked)


def test_hits_out_of_the_packed_range_are_kept_too() -> None:
    found = [(5, 5 + (1 << 21), 1), (2, 3, 0), (1 << 32, (1 << 32) + 1, 2)]
    compact = Hits.compact(["a", "b", "c"], found)
    assert list(compact.starts) == [2, 5, 1 << 32] and list(compact.classes) == [0, 1, 2]


def test_a_matcher_that_forgets_its_lookups_finds_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    terms = TermSet()
    terms.add(parse_terms("stem cell[s]\nstem cell therapy\npain\npain relief", "claim"))
    text = "Stem cell therapy for pain; stem cells bring pain relief, pains, painful." * 3
    expected = list(TermMatcher(terms).scan(text))
    monkeypatch.setattr("healthlint.terms.MAX_REMEMBERED_RUNS", 2)
    matcher = TermMatcher(terms)
    assert list(matcher.scan(text)) == expected and len(expected) == 18
    assert len(matcher._steps) <= 2
