"""Two small additions to the engine that the health rules rely on: words run together in a
hashtag are found by the term scan, and a claim's message can fit the product class found."""

from __future__ import annotations

from pathlib import Path

from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.terms import TermMatcher, TermSet

RULE = r"""code: ZZ201
slug: remedy-claim
category: disease-claim-unapproved-product
kind: claim
severity: error
summary: A remedy said to cure a disease.
message: 'Generic message for "{match}"'
docs:
  what: A remedy said to cure a disease.
  why: Remedies are not approved drugs.
  instead: Say what it is for without naming a disease.
  references: [Our own style guide]
options:
  terms:
    cure_word: ["cur{e|es}"]
    ailment: [gout, "migraine[s]"]
    salve: ["salve[s]", "balm[s]"]
    gadget: ["wand[s]"]
  claims:
    - find: [cure_word, ailment]
      with: [{any: [salve, gadget], within: sentence}]
  messages:
    - {any: [gadget], within: sentence, message: 'A device cannot claim "{match}"'}
    - {any: [salve], within: sentence, message: 'A salve cannot claim "{match}"'}
  evidence: {information: 0}
examples:
  flag: [Our balm cures gout.]
  pass: [Our balm soothes skin.]
"""


def _terms(**classes: list[str]) -> TermSet:
    terms = TermSet()
    for name, phrases in classes.items():
        terms.add_phrases(name, phrases, origin="test")
    return terms


def test_words_run_together_in_a_hashtag_are_found_inside_it() -> None:
    matcher = TermMatcher(_terms(product=["CBD"], verb=["cur{e|es}"], ailment=["anxiety"],
                                 glue=["no more"], drug=["pill[s]"]))
    text = "Try it #CBDcuresanxiety #nomorepills today"
    # A phrase of several words covers its letters in the hashtag ("no more": "nomore").
    found = {(text[s:e], matcher.names[c]) for s, e, c in matcher.scan(text)}
    assert {("cures", "verb"), ("anxiety", "ailment"), ("pills", "drug"),
            ("nomore", "glue")} <= found
    # A hashtag that is one known word is found once, by the ordinary scan.
    assert sorted(matcher.scan("#anxiety")) == [(1, 8, matcher.ids["ailment"])]


def test_a_hashtag_split_keeps_unknown_letters_together() -> None:
    matcher = TermMatcher(_terms(verb=["reverse"], ailment=["diabetes"]))
    body = "reversediabetesnowxyz"
    assert [body[i:j] for i, j in matcher.split_hashtag(body)] == ["reverse", "diabetes",
                                                                    "nowxyz"]


def test_case_sensitive_phrases_keep_their_case_inside_hashtags() -> None:
    matcher = TermMatcher(_terms(ailment=["=UTI[s]"], outcome=["gone"]))
    hits = {(s, e) for s, e, _ in matcher.scan("#UTIgone")}
    assert (1, 4) in hits
    assert not [h for h in matcher.scan("#utigone") if matcher.names[h[2]] == "ailment"]


def test_message_variants_fit_the_product_class_found(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "ZZ201-remedy-claim.yaml").write_text(RULE, encoding="utf-8")
    linter = Linter(Settings(packs=(), rule_dirs=(str(folder),)))
    messages = [linter.lint_text(text, "page.txt").diagnostics[0].message
                for text in ("Our balm cures gout.", "This wand cures migraines.")]
    assert messages == ['A salve cannot claim "cures gout"',
                        'A device cannot claim "cures migraines"']


def test_a_hashtag_starts_a_clause_so_negation_does_not_reach_the_next_one() -> None:
    from healthlint.text import split_clauses
    from healthlint.types import Span

    text = "#nodowntime #permanentresults"
    assert [text[c.start:c.end] for c in split_clauses(text, Span(0, len(text)))] == [
        "#nodowntime", "#permanentresults"]


CLOSER = RULE.replace(
    "  messages:", "  unless:\n"
    "    - {any: [drug], within: 6, side: before, outside: [ailment], closer_than: [salve],"
    " reason: a drug is the subject}\n  messages:").replace(
    "    gadget: [\"wand[s]\"]", "    gadget: [\"wand[s]\"]\n    drug: [aspirin, opioid]\n"
    "    ailment: [opioid withdrawal]").replace(
    "    ailment: [gout, \"migraine[s]\"]",
    "    ailment: [gout, \"migraine[s]\", opioid withdrawal]").replace(
    "    cure_word: [\"cur{e|es}\"]", "    cure_word: [\"cur{e|es}\", eases]").replace(
    "    ailment: [opioid withdrawal]\n", "")


def test_the_nearer_noun_is_the_subject_and_a_word_inside_a_condition_is_no_subject(
        tmp_path: Path) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "ZZ201-remedy-claim.yaml").write_text(CLOSER, encoding="utf-8")
    linter = Linter(Settings(packs=(), rule_dirs=(str(folder),)))

    def codes(text: str) -> list[str]:
        return [d.code for d in linter.lint_text(text, "page.txt").diagnostics]

    assert codes("Unlike aspirin, our balm cures gout.") == ["ZZ201"]  # the balm is nearer
    assert codes("Our balm, like aspirin, cures gout.") == []  # aspirin is nearer
    assert codes("Our balm eases opioid withdrawal.") == ["ZZ201"]  # "opioid" names the condition


def test_the_cached_matcher_still_splits_hashtags() -> None:
    matcher = TermMatcher(_terms(verb=["reverse[s]"], ailment=["diabetes"]))
    copy = TermMatcher.from_bytes(matcher.to_bytes())
    assert copy is not None
    text = "Real results #reversediabetes"
    assert sorted(copy.scan(text)) == sorted(matcher.scan(text))
    assert {copy.names[c] for _, _, c in copy.scan(text)} == {"verb", "ailment"}


def test_a_hashtag_after_a_long_run_of_blanked_markup_still_starts_a_clause() -> None:
    from healthlint.text import split_clauses
    from healthlint.types import Span

    text = "Feel better" + " " * 20000 + "#nodowntime"
    clauses = [text[c.start:c.end].strip() for c in split_clauses(text, Span(0, len(text)))]
    assert clauses == ["Feel better", "#nodowntime"]


ENUMERATION = r"""code: ZZ203
slug: many-ailments
category: many-conditions-one-therapy
kind: enumeration
severity: error
summary: One remedy for many ailments.
message: 'Many ailments ({reason}): "{match}"'
docs:
  what: One remedy for many ailments.
  why: No remedy has evidence for each.
  instead: Name one use and its evidence.
  references: [Our own style guide]
options:
  terms:
    treats: ["relieve[s]"]
    site: ["knee[s]", "hip[s]", "elbow[s]"]
    ailment: [osteoarthritis, pain, gout]
  claims:
    - find: treats
  items: [site, ailment]
  min_items: 3
  evidence: {information: 0}
examples:
  flag: [This balm relieves knee pain, gout and hip pain.]
  pass: [This balm relieves knee pain.]
"""


def test_neighbouring_words_of_one_item_count_once(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "ZZ203-many-ailments.yaml").write_text(ENUMERATION, encoding="utf-8")
    linter = Linter(Settings(packs=(), rule_dirs=(str(folder),)))

    def codes(text: str) -> list[str]:
        return [d.code for d in linter.lint_text(text, "page.txt").diagnostics]

    assert codes("This balm relieves knee osteoarthritis pain.") == []  # one item
    assert codes("This balm relieves knee-osteoarthritis pain.") == []
    assert codes("This balm relieves knees, hips and elbows.") == ["ZZ203"]
    assert codes("This balm relieves knee pain, gout and elbow pain.") == ["ZZ203"]
