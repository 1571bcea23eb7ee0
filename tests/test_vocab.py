"""The pattern language: flexible spaces, ``{@name}`` vocabularies, extending and replacing."""

from __future__ import annotations

import pytest

from healthlint.errors import RuleError
from healthlint.vocab import Vocabulary


def matches(pattern: str, text: str, vocabulary: Vocabulary | None = None) -> str | None:
    found = (vocabulary or Vocabulary()).compile(pattern).search(text)
    return found.group() if found else None


# Spaces ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "completely safe",
    "completely   safe",
    "completely\tsafe",
    "completely\u00a0safe",  # no-break space, common in pasted web copy
    "completely\u202fsafe",  # narrow no-break space
    "completely\nsafe",
    "completely \r\n  safe",
])
def test_a_space_matches_any_whitespace_run(text: str) -> None:
    assert matches("completely safe", text) == text


def test_a_space_needs_some_whitespace() -> None:
    assert matches("completely safe", "completelysafe") is None


def test_matching_ignores_case() -> None:
    assert matches("completely safe", "Completely SAFE") == "Completely SAFE"


@pytest.mark.parametrize(("text", "expected"), [
    ("well tolerated", "well tolerated"),
    ("welltolerated", "welltolerated"),
    ("well \n tolerated", "well \n tolerated"),
])
def test_space_question_mark_is_optional_whitespace(text: str, expected: str) -> None:
    assert matches("well ?tolerated", text) == expected


def test_space_with_a_counted_quantifier_counts_whitespace_characters() -> None:
    assert matches("a {2}b", "a  b") == "a  b"
    assert matches("a {2}b", "a b") is None


def test_spaces_inside_character_classes_are_untouched() -> None:
    # [ ] is exactly one space; a no-break space or a newline is not in the class.
    assert matches("risk[ ]free", "risk free") == "risk free"
    assert matches("risk[ ]free", "risk\u00a0free") is None
    assert matches("risk[ ]free", "risk\nfree") is None
    assert matches("[^ ]+ free", "risk free") == "risk free"
    assert matches(r"[\] ]x", "] x") == " x"
    assert matches("[] ]x", " x") == " x"


def test_an_escaped_space_is_one_literal_space() -> None:
    assert matches(r"risk\ free", "risk free") == "risk free"
    assert matches(r"risk\ free", "risk  free") is None


def test_an_invalid_pattern_raises_with_the_regex_engine_message() -> None:
    with pytest.raises(ValueError, match=r"invalid regex '\(risk free': missing \)"):
        Vocabulary().compile("(risk free")


# {@name} --------------------------------------------------------------------------------------


def _vocabulary() -> Vocabulary:
    vocabulary = Vocabulary()
    vocabulary.add("product", [r"\bstem cells?\b", r"\bexosomes?\b", r"\bPRP\b"], origin="test")
    vocabulary.add("claim", [r"{@product} (?:cure|heal)s?\b"], origin="test")
    return vocabulary


def test_a_vocabulary_expands_to_its_terms() -> None:
    vocabulary = _vocabulary()
    assert matches("our {@product}", "Try our exosomes today", vocabulary) == "our exosomes"
    assert matches("our {@product}", "Try our products today", vocabulary) is None


def test_longest_terms_come_first() -> None:
    vocabulary = Vocabulary()
    vocabulary.add("shot", ["stem", "stem cell", "stem cell injection"], origin="test")
    assert matches("{@shot}", "a stem cell injection", vocabulary) == "stem cell injection"


def test_vocabularies_nest_and_their_spaces_are_flexible() -> None:
    vocabulary = _vocabulary()
    text = "Our stem\u00a0cells\nheal knees."
    assert matches("{@claim}", text, vocabulary) == "stem\u00a0cells\nheal"


def test_an_unknown_vocabulary_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"unknown vocabulary \{@products\} \(known: claim, "
                                         r"product\)"):
        _vocabulary().compile("our {@products}")


def test_a_vocabulary_that_refers_to_itself_is_an_error() -> None:
    vocabulary = Vocabulary()
    vocabulary.add("loop", ["again {@loop}"], origin="test")
    with pytest.raises(ValueError, match="vocabulary 'loop' refers to itself"):
        vocabulary.compile("{@loop}")


def test_a_cycle_through_two_vocabularies_is_an_error() -> None:
    vocabulary = Vocabulary()
    vocabulary.add("ping", ["a {@pong}"], origin="test")
    vocabulary.add("pong", ["b {@ping}"], origin="test")
    with pytest.raises(ValueError, match="refers to itself"):
        vocabulary.compile("{@ping}")


def test_validate_reports_a_broken_vocabulary_with_its_file() -> None:
    vocabulary = Vocabulary()
    vocabulary.load_mapping({"vocabularies": {"loop": {"terms": ["x {@loop}"]}}}, "house.yaml")
    with pytest.raises(RuleError) as caught:
        vocabulary.validate()
    assert caught.value.path == "house.yaml"
    assert "vocabulary 'loop'" in caught.value.reason


# Defining vocabularies ------------------------------------------------------------------------


def test_a_vocabulary_defined_twice_is_extended() -> None:
    vocabulary = Vocabulary()
    vocabulary.load_mapping({"vocabularies": {"product": {
        "description": "Products", "terms": [r"\bPRP\b", r"\bexosomes?\b"]}}}, "shipped.yaml")
    vocabulary.load_mapping({"vocabularies": {"product": {
        "terms": [r"\bglowpods?\b", r"\bPRP\b"]}}}, "house.yaml")
    assert vocabulary.terms["product"] == [r"\bPRP\b", r"\bexosomes?\b", r"\bglowpods?\b"]
    assert vocabulary.descriptions["product"] == "Products"  # kept when not restated
    assert matches("our {@product}", "our glowpods", vocabulary) == "our glowpods"
    assert matches("our {@product}", "our exosomes", vocabulary) == "our exosomes"


def test_replace_true_starts_the_list_afresh() -> None:
    vocabulary = Vocabulary()
    vocabulary.load_mapping({"vocabularies": {"product": {
        "terms": [r"\bPRP\b", r"\bexosomes?\b"]}}}, "shipped.yaml")
    vocabulary.load_mapping({"vocabularies": {"product": {
        "terms": [r"\bglowpods?\b"], "replace": True}}}, "house.yaml")
    assert vocabulary.terms["product"] == [r"\bglowpods?\b"]
    assert vocabulary.origins["product"] == "house.yaml"
    assert matches("our {@product}", "our exosomes", vocabulary) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"words": {}}, "a vocabulary file needs a 'vocabularies' mapping"),
    ({"vocabularies": {"two words": {"terms": ["x"]}}}, "is not an identifier"),
    ({"vocabularies": {"product": {"term": ["x"]}}}, "vocabulary 'product' needs a 'terms' list"),
    ({"vocabularies": {"product": {"terms": ["x"], "extend": True}}},
     "vocabulary 'product' has unknown keys: extend (allowed: description, terms, replace)"),
    ({"vocabularies": {"product": {"terms": ["x", ""]}}}, "has a term that is not text: ''"),
    ({"vocabularies": {"product": {"terms": ["x", 3]}}}, "has a term that is not text: 3"),
])
def test_malformed_vocabulary_files(data: dict, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        Vocabulary().load_mapping(data, "house.yaml")
    assert caught.value.path == "house.yaml"
    assert message in caught.value.reason


# Nested vocabularies ----------------------------------------------------------------------------


def test_nested_vocabularies_expand_once_each() -> None:
    """Sixteen levels of two terms that each name the level below took 36 s: every use
    re-expanded everything beneath it. Each group is now expanded once."""
    vocabulary = Vocabulary()
    vocabulary.add("v0", ["a", "b"], origin="test")
    for level in range(1, 11):
        vocabulary.add(f"v{level}", [f"{{@v{level - 1}}}x", f"{{@v{level - 1}}}y"], origin="test")
    calls = 0
    group = vocabulary._group

    def counting(name: str, stack: tuple[str, ...]) -> str:
        nonlocal calls
        calls += 1
        return group(name, stack)

    vocabulary._group = counting  # type: ignore[method-assign]
    assert matches("{@v10}", "bxyxyxyxyxy", vocabulary) == "bxyxyxyxyxy"
    assert calls <= 2 * 11 + 1, calls


def test_an_expansion_that_explodes_is_refused_with_its_chain() -> None:
    vocabulary = Vocabulary()
    vocabulary.add("v0", ["a", "b"], origin="test")
    for level in range(1, 30):
        vocabulary.add(f"v{level}", [f"{{@v{level - 1}}}{{@v{level - 1}}}"], origin="test")
    with pytest.raises(ValueError, match="expands to more than 1,000,000 characters"):
        vocabulary.expand("{@v29}")


def test_adding_terms_renews_the_expanded_groups() -> None:
    vocabulary = Vocabulary()
    vocabulary.add("hedge", ["may"], origin="test")
    vocabulary.add("claim", ["{@hedge} help"], origin="test")
    assert matches("{@claim}", "might help", vocabulary) is None
    vocabulary.add("hedge", ["might"], origin="test")
    assert matches("{@claim}", "might help", vocabulary) == "might help"
