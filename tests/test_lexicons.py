"""The shipped term-class files, the checker that validates them and the generator of
the condition index: syntax, sizes, and the line between disease and wellness words."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TERMS = REPO / "rules" / "health" / "terms"
sys.path.insert(0, str(REPO / "scripts"))

import build_condition_lexicon as generator  # noqa: E402
import check_lexicons as checker  # noqa: E402
from lexicon_syntax import LexiconError, expand, parse_lines, resolve, surfaces  # noqa: E402

PRODUCT_CLASSES = (
    "supplement", "botanical", "cannabinoid", "homeopathic", "otc_drug", "compounded",
    "peptide_hormone", "iv_therapy", "device", "medspa", "dental_oral", "antimicrobial",
    "essential_oil", "manual_therapy", "biologic", "biologic_plus", "product_noun",
    "drug_reference",
)


@pytest.fixture(scope="module")
def shipped() -> checker.Report:
    return checker.check(TERMS)


def matches(report: checker.Report, name: str, text: str) -> bool:
    """Would class ``name`` match exactly ``text`` (as the matcher compares)?"""
    matched = report.classes[name].matched
    return text in matched or text.lower() in {t.lower() for t in matched if t.islower()}


# --- the shipped files ---------------------------------------------------------------

def test_every_shipped_file_parses_and_resolves(shipped: checker.Report) -> None:
    assert shipped.errors == []
    assert {"condition", "condition_index", "wellness", *PRODUCT_CLASSES} <= set(shipped.classes)


def test_every_class_describes_itself(shipped: checker.Report) -> None:
    assert [name for name, summary in shipped.classes.items() if not summary.description] == []


def test_hand_written_files_hold_no_redundant_line(shipped: checker.Report) -> None:
    assert shipped.duplicates == []


def test_condition_class_holds_at_least_5000_distinct_phrases(shipped: checker.Report) -> None:
    condition = shipped.classes["condition"]
    assert condition.lines >= 5000
    assert condition.variants >= 5000
    assert shipped.classes["condition_index"].lines >= 5000


def test_product_classes_are_not_toy_lists(shipped: checker.Report) -> None:
    small = {n: shipped.classes[n].lines for n in PRODUCT_CLASSES if shipped.classes[n].lines < 24}
    assert small == {}


def test_no_wellness_phrase_is_in_the_condition_class(shipped: checker.Report) -> None:
    assert checker.compare(shipped.classes["condition"], shipped.classes["wellness"]) == []


WELLNESS_WORDS = ["energy", "focus", "glow", "stress", "brain fog", "immune support",
                  "healthy joints", "restful sleep", "mood", "metabolism", "hot flashes"]


@pytest.mark.parametrize("text", WELLNESS_WORDS)
def test_structure_function_words_are_wellness_not_disease(
    shipped: checker.Report, text: str
) -> None:
    assert matches(shipped, "wellness", text)
    assert not matches(shipped, "condition", text)


@pytest.mark.parametrize("text", ["high blood pressure", "acid reflux", "anxiety", "insomnia",
                                  "erectile dysfunction", "ED", "Low T", "hair loss", "neuropathy",
                                  "COVID-19", "covid 19", "the flu", "gum disease", "cavities",
                                  "Alzheimer's disease", "alzheimers disease", "Hodgkin lymphoma",
                                  "leukaemia", "ovarian cysts", "type 2 diabetes"])
def test_consumer_and_ontology_names_are_conditions(shipped: checker.Report, text: str) -> None:
    assert matches(shipped, "condition", text)


def test_word_like_acronyms_are_case_sensitive(shipped: checker.Report) -> None:
    assert matches(shipped, "condition", "ED")
    assert not matches(shipped, "condition", "ed")
    assert not matches(shipped, "condition", "ms")


def test_condition_index_header_names_source_release_and_licence() -> None:
    text = (TERMS / "condition_index.txt").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    phrases = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert any("Human Disease Ontology" in line and "release 2026-07-31" in line for line in header)
    assert any("CC0 1.0" in line for line in header)
    assert f"# Phrases: {len(phrases)}" in header
    assert len(set(phrases)) == len(phrases)


# --- the phrase reader ---------------------------------------------------------------

@pytest.mark.parametrize(("phrase", "variants"), [
    ("stem cell[s]", ["stem cell", "stem cells"]),
    ("cur{e|es|ed|ing}", ["cure", "cures", "cured", "curing"]),
    ("reduce[s|d] (the) risk of", ["reduce the risk of", "reduce risk of", "reduces the risk of",
                                    "reduces risk of", "reduced the risk of", "reduced risk of"]),
    ("{stem|progenitor} cell[s]",
     ["stem cell", "stem cells", "progenitor cell", "progenitor cells"]),
    ("Alzheimer['s|s]", ["Alzheimer", "Alzheimer's", "Alzheimers"]),
    ("NAD+", ["NAD+"]),
    ("{reaction[s]|rejection}", ["reaction", "reactions", "rejection"]),
    ("(most|many) doctors", ["most doctors", "many doctors", "doctors"]),
])
def test_phrases_expand_as_the_language_says(phrase: str, variants: list[str]) -> None:
    assert sorted(expand(phrase)) == sorted(variants)


@pytest.mark.parametrize(("line", "reason"), [
    ("relieve{s|d", "unclosed"),
    ("pain, aches", "not regular expressions"),
    ("pain\\b", "not regular expressions"),
    ("two  spaces", "single spaces"),
    ("(optional)", "every word is optional"),
    ("(half words", "whole words"),
    ("{a|b|c|d} {a|b|c|d} {a|b|c|d} {a|b|c|d} {a|b|c|d} {a|b}", "more than 1024"),
    ("x{a||b}", "empty alternative"),
    ("-", "no letter or digit"),
])
def test_bad_phrases_are_errors_naming_file_and_line(line: str, reason: str) -> None:
    with pytest.raises(LexiconError) as caught:
        parse_lines(["# a class", "fine phrase", line], "demo", "demo.txt")
    assert caught.value.line == 3
    assert str(caught.value).startswith("demo.txt:3:")
    assert reason in caught.value.reason


def test_includes_resolve_and_cycles_are_errors() -> None:
    files = {
        "a": parse_lines(["alpha", "@b"], "a", "a.txt"),
        "b": parse_lines(["beta", "@a"], "b", "b.txt"),
        "c": parse_lines(["gamma", "@nowhere"], "c", "c.txt"),
    }
    with pytest.raises(LexiconError, match="include cycle"):
        resolve(files, "a")
    with pytest.raises(LexiconError, match="unknown class @nowhere"):
        resolve(files, "c")
    files["b"] = parse_lines(["beta"], "b", "b.txt")
    assert [p.source for p, _ in resolve(files, "a")] == ["alpha", "beta"]


def test_hyphens_match_hyphen_space_or_nothing() -> None:
    assert set(surfaces("anti-aging", False)) == {"anti-aging", "anti aging", "antiaging"}
    assert set(surfaces("NAD+", True)) == {"NAD+"}


# --- the checker ---------------------------------------------------------------------

def test_checker_fails_on_overlap_and_still_reports_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "condition.txt").write_text("# diseases\nacne\nanti-aging\n", encoding="utf-8")
    (tmp_path / "wellness.txt").write_text("# not diseases\nanti aging\nglow\n", encoding="utf-8")
    (tmp_path / "broken.txt").write_text("# bad\ngood line\nbad, line\n", encoding="utf-8")
    (tmp_path / "device.txt").write_text("# devices\nTENS unit[s]\nTENS unit\n", encoding="utf-8")
    assert checker.main([str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "broken.txt:3: unexpected character in 'bad,'" in err
    assert "condition and wellness share 'anti aging'" in err
    assert "device.txt:3: TENS unit" in out  # redundant: line 2 already matches it
    assert "condition " in out and "wellness " in out


def test_checker_passes_clean_directory_and_rejects_missing_one(tmp_path: Path) -> None:
    (tmp_path / "condition.txt").write_text("# diseases\nacne\n@extra\n", encoding="utf-8")
    (tmp_path / "extra.txt").write_text("# more\nrosacea\n", encoding="utf-8")
    (tmp_path / "wellness.txt").write_text("# not diseases\nglow\n", encoding="utf-8")
    assert checker.main([str(tmp_path)]) == 0
    assert checker.check(tmp_path).classes["condition"].lines == 2
    assert checker.main([str(tmp_path / "missing")]) == 2


# --- the generator -------------------------------------------------------------------

OBO = """format-version: 1.2
data-version: doid/releases/2030-01-31/doid.obo

[Term]
id: DOID:1
name: Alzheimer's disease
synonym: "Alzheimer disease" EXACT []
synonym: "AD" EXACT OMO:0003012 []
synonym: "senile dementia of the brain" RELATED []

[Term]
id: DOID:2
name: hypertension
synonym: "hypertension, unspecified" EXACT []
synonym: "Essential Hypertension" EXACT []

[Term]
id: DOID:3
name: nephroblastoma
synonym: "Wilms' tumour" EXACT []
synonym: "Wilms' tumor" EXACT []

[Term]
id: DOID:4
name: autosomal dominant frobnication syndrome type 17
synonym: "frobnication syndrome with long extra words attached" EXACT []

[Term]
id: DOID:5
name: obsolete wobble disease
is_obsolete: true

[Term]
id: DOID:6
name: sleeplessness
synonym: "stress" EXACT []

[Term]
id: DOID:7
name: ovarian cysts

[Term]
id: DOID:9
name: right ventricular hypertrophy
synonym: "right ventricular hypertrophy, bilateral" EXACT []
synonym: "left-sided heart strain" EXACT []

[Typedef]
id: has_symptom
name: has symptom
"""

TSV = (
    'id\tlabel\tsubClassOf\n"DOID:8"\t"leukaemia"\t"cancer"\n'
    '"DOID:5"\t"wobble disease"\t"disease"\n'
)


def build_demo(tmp_path: Path) -> tuple[Path, list[str]]:
    (tmp_path / "demo.obo").write_text(OBO, encoding="utf-8")
    (tmp_path / "demo.tsv").write_text(TSV, encoding="utf-8")
    (tmp_path / "wellness.txt").write_text("# wellness\nsleeplessness\n", encoding="utf-8")
    out = tmp_path / "condition_index.txt"
    args = ["--out", str(out), "--wellness", str(tmp_path / "wellness.txt"),
            str(tmp_path / "demo.obo"), str(tmp_path / "demo.tsv")]
    assert generator.main(args) == 0
    return out, args


def test_generator_normalises_names_to_marketing_forms(tmp_path: Path) -> None:
    out, _ = build_demo(tmp_path)
    text = out.read_text(encoding="utf-8")
    phrases = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert phrases == [
        "Alzheimer['s|s] disease[s]",   # eponym both ways; the synonym is the same name
        "essential hypertension",       # Title Case lowered
        "hypertension",                 # ", unspecified" dropped, then a duplicate
        "left-sided heart strain",      # "left" inside a word is not laterality
        "leuk{e|ae}mia",                # British spelling folded, both offered
        "nephroblastoma",
        "ovarian cyst[s]",              # plural head as an ending
        "right ventricular hypertrophy",  # anatomy kept, a ", bilateral" suffix dropped
        "Wilms['] tum{o|ou}r[s]",
    ]
    assert "release 2030-01-31" in text
    assert "CC0 1.0" in text
    for phrase in phrases:  # every generated line is valid phrase syntax
        assert expand(phrase)


def test_generator_leaves_out_acronyms_codes_obsolete_and_wellness(tmp_path: Path) -> None:
    out, _ = build_demo(tmp_path)
    body = out.read_text(encoding="utf-8").lower()
    for absent in ("\nad\n", "frobnication", "wobble", "sleeplessness", "stress", "senile"):
        assert absent not in body


def test_generator_check_mode_detects_a_stale_file(tmp_path: Path) -> None:
    out, args = build_demo(tmp_path)
    assert generator.main([*args, "--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert generator.main([*args, "--check"]) == 1


def test_generator_names_a_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tother\nx\ty\n", encoding="utf-8")
    assert generator.main(["--out", str(tmp_path / "o.txt"), str(bad)]) == 2
    assert "bad.tsv:1: needs the columns 'id' and 'label'" in capsys.readouterr().err
