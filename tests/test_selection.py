"""One meaning for a rule name: the command line, configuration files and suppression
comments accept and reject the same spellings, with the same words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from healthlint import selection
from healthlint.cli import EXIT_ERROR, main
from healthlint.selection import RuleName
from healthlint.types import Severity

# An absolute safety claim (HL104 error) on line 3, and HL108 at page level.
PAGE = """\
# Knee care

We offer PRP injections at our clinics, and our treatment is risk-free.

Book a consultation today.
"""
SUPPRESSED = PAGE.replace("We offer", "<!-- healthlint-disable-next-line {name} -->\nWe offer")

HL104 = RuleName("HL104", "safety-claim-unsupported")
# Each spelling goes through a dozen runs; the other spellings are covered below, where the
# one function every path calls is tested on its own.
ACCEPTED = ["hL104", "Safety-Claim-Unsupported"]
REJECTED = {
    "hl14": "'hl14' names no rule; did you mean 'HL114'?",
    "safety-claim": "'safety-claim' names no rule; did you mean 'safety-claim-unsupported'?",
}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def codes(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["check", "--output-format", "json", *argv])
    out, err = capsys.readouterr()
    found = sorted(d["code"] for d in json.loads(out)["diagnostics"]) if out else []
    return code, found, err


def problem(text: str) -> str:
    """The reason after the ``option:`` or ``directive:`` that says where the name was."""
    match = re.search(r"'[^']*' names no rule[^\n\"]*", text)
    assert match, text
    return match.group(0)


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_name_is_accepted_alike_on_the_command_line_in_config_and_in_comments(
        site: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    (site / "page.md").write_text(PAGE)
    assert codes(capsys, "--no-config", "page.md")[1] == ["HL104", "HL108"]
    assert codes(capsys, "--no-config", "--select", name, "page.md")[1] == ["HL104"]
    assert codes(capsys, "--no-config", "--ignore", name, "page.md")[1] == ["HL108"]
    assert codes(capsys, "--no-config", "--severity", f"{name}=off", "page.md")[1] == ["HL108"]
    (site / ".healthlint.yaml").write_text(f"select: ['{name}']\n")
    assert codes(capsys, "page.md")[1] == ["HL104"]
    (site / ".healthlint.yaml").write_text(f"ignore: ['{name}']\n")
    assert codes(capsys, "page.md")[1] == ["HL108"]
    (site / ".healthlint.yaml").write_text(
        f"per-path:\n  - paths: ['*.md']\n    severity: {{'{name}': info}}\n")
    assert codes(capsys, "page.md")[1] == ["HL104", "HL108"]
    (site / "page.md").write_text(SUPPRESSED.format(name=name.strip()))
    _, found, err = codes(capsys, "--no-config", "--report-unused-suppressions", "page.md")
    assert found == ["HL108"] and err == ""


@pytest.mark.parametrize("name", list(REJECTED))
def test_a_name_is_rejected_alike_with_the_same_words(
        site: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    (site / "page.md").write_text(PAGE)
    for option in ("--select", "--ignore", "--extend-select"):
        code, found, err = codes(capsys, "--no-config", option, name, "page.md")
        assert (code, found) == (EXIT_ERROR, [])
        assert err.startswith(f"healthlint: error: {option[2:]}: {REJECTED[name]}")
    code, _, err = codes(capsys, "--no-config", "--severity", f"{name}=info", "page.md")
    assert code == EXIT_ERROR and problem(err) == REJECTED[name]

    (site / ".healthlint.yaml").write_text(f"ignore: ['{name}']\n")
    code, found, err = codes(capsys, "page.md")
    assert (code, found) == (EXIT_ERROR, [])
    assert f".healthlint.yaml: ignore: {REJECTED[name]}" in err
    (site / ".healthlint.yaml").unlink()

    # In a page the comment is reported where it stands, and suppresses nothing.
    (site / "page.md").write_text(SUPPRESSED.format(name=name))
    main(["check", "--no-config", "--output-format", "json", "page.md"])
    report = json.loads(capsys.readouterr().out)
    assert sorted(d["code"] for d in report["diagnostics"]) == ["HL104", "HL108"]
    [error] = report["errors"]
    assert (error["line"], error["severity"]) == (3, "warning")
    assert error["message"] == f"healthlint-disable-next-line: {REJECTED[name]}"


def test_suppression_findings_are_named_like_rules(site: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (site / "page.md").write_text(SUPPRESSED.format(name="hl116"))  # nothing to suppress
    found = codes(capsys, "--no-config", "--report-unused-suppressions", "page.md")[1]
    assert found == ["HL002", "HL104", "HL108"]
    for name in ("hl002", "HL00", "unused-suppression"):
        assert codes(capsys, "--no-config", "--report-unused-suppressions", "--ignore", name,
                     "page.md")[1] == ["HL104", "HL108"]


def test_matching_rules() -> None:
    assert selection.match_length(HL104, "HL104") == 5
    assert selection.match_length(HL104, "hl1") == 3
    assert selection.match_length(HL104, "all") == 0
    assert selection.match_length(HL104, "SAFETY-claim-unsupported") == 6  # beats any prefix
    for name in ("HL14", "", "  ", "safety", "HL1040"):
        assert selection.match_length(HL104, name) == -1
    rules = [HL104, RuleName("HL114", "many-conditions")]
    assert selection.problem(" HL104 ", rules) is None
    assert selection.problem("HL14", rules) == "'HL14' names no rule; did you mean 'HL114'?"
    assert selection.problem("XX1", rules) == "'XX1' names no rule"
    assert selection.is_selected(HL104, ["hl1"], [], ["HL10"]) is False
    assert selection.is_selected(HL104, ["hl104"], [], ["HL10"]) is True
    assert selection.is_selected(HL104, ["HL1"], [], ["hl1"]) is False  # ignore wins a tie
    assert selection.is_selected(HL104, [], [], []) is True
    assert selection.is_selected(HL104, ["HL2"], ["hl104"], []) is True
    table = {"hl1": Severity.INFO, "HL104": Severity.ERROR, "all": Severity.OFF}
    assert selection.configured_severity(HL104, table) == Severity.ERROR
    assert selection.configured_severity(RuleName("HL120", "x"), table) == Severity.INFO
    assert selection.find([HL104], "safety-CLAIM-unsupported") is HL104
    assert selection.find([HL104], "HL10") is None  # one rule, not a prefix


HOUSE_RULE = r"""code: ZZ901
slug: miracle-word
category: safety-claim-unsupported
kind: pattern
severity: warning
summary: The word miracle used of a treatment.
message: 'Miracle wording "{match}"'
docs:
  what: The word miracle.
  why: It promises more than any treatment can.
  instead: Describe realistic outcomes.
  references: [Our own style guide]
options:
  triggers:
    - \bmiracle\b
examples:
  flag: [A miracle for your knees.]
  pass: [A modest help for your knees.]
"""


def test_a_declared_category_names_every_rule_of_it_whatever_its_pack(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The categories come from the packs' pack.yaml: a local rule filed under one of the
    health pack's categories is selected, ignored and suppressed with it, and a category
    no loaded rule has is still a name, not a typo."""
    (site / "house").mkdir()
    (site / "house" / "ZZ901.yaml").write_text(HOUSE_RULE)
    (site / "page.md").write_text(PAGE + "\nA miracle for your knees.\n")
    (site / ".healthlint.yaml").write_text("rules: [house]\n")
    assert codes(capsys, "page.md")[1] == ["HL104", "HL108", "HL113", "HL116", "ZZ901"]
    assert codes(capsys, "--select", "Safety-Claim-Unsupported", "page.md")[1] == [
        "HL104", "ZZ901"]
    # A category counts as much as a whole code: the code's ignore wins the tie.
    assert codes(capsys, "--select", "safety-claim-unsupported", "--ignore", "zz901",
                 "page.md")[1] == ["HL104"]
    assert codes(capsys, "--select", "HL1,ZZ", "--ignore", "safety-claim-unsupported",
                 "page.md")[1] == ["HL108", "HL113", "HL116"]
    (site / "page.md").write_text(SUPPRESSED.format(name="safety-claim-unsupported")
                                  + "\nA miracle for your knees. "
                                  "<!-- healthlint-disable-line safety-claim-unsupported -->\n")
    _, found, err = codes(capsys, "--report-unused-suppressions", "page.md")
    assert found == ["HL108", "HL113", "HL116"] and err == ""
    # Only the house rules loaded: the health pack's categories are still known.
    (site / "page.md").write_text(PAGE + "\nA miracle for your knees.\n")
    (site / ".healthlint.yaml").write_text("rules: [house]\npacks: []\n")
    assert codes(capsys, "--ignore", "efficacy-rate-unqualified", "page.md")[:2] == (1, ["ZZ901"])
    code, _, err = codes(capsys, "--ignore", "efficacy-rate-unqualifed", "page.md")
    assert code == EXIT_ERROR
    assert problem(err) == ("'efficacy-rate-unqualifed' names no rule; "
                            "did you mean 'efficacy-rate-unqualified'?")


def test_matching_categories() -> None:
    house = RuleName("ZZ901", "miracle-word", "safety-claim-unsupported")
    assert selection.match_length(house, "SAFETY-claim-unsupported") == 5
    assert selection.match_length(house, "miracle-word") == 6
    assert selection.match_length(RuleName("HL001", "suppression-reason-missing"),
                                  "suppression") == -1  # the core's findings have none
    categories = ["safety-claim-unsupported", "urgency-pressure"]
    assert selection.problem("Urgency-Pressure", [HL104], categories) is None
    assert selection.problem("urgency", [HL104], categories) == (
        "'urgency' names no rule; did you mean 'urgency-pressure'?")
