"""Inline suppression comments in Markdown, HTML, MDX and plain text.

Each test page is promotional (so claim rules apply) and has claims on separate lines; a finding
is identified by the text of its line and its code, so inserting directives does not shift the
expectations.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from healthlint.cli import EXIT_FINDINGS, EXIT_OK, main
from healthlint.config import Settings
from healthlint.engine import Linter

INTRO = "# Our clinic\n\nWe offer knee injections at our clinic.\n\n"
SAFE = "Our injections are risk-free."  # HL104 (safety-claim-unsupported)
CURE = "Our injections cure arthritis."  # HL113 (cure-or-guarantee-claim)
BOTH = "Our injections are harmless and cure gout."  # HL104 and HL113
EVERYTHING = [(SAFE, "HL104"), (CURE, "HL113"), (BOTH, "HL104"), (BOTH, "HL113")]


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(Settings(select=("HL104", "HL113")))


def page(*parts: str) -> str:
    """The intro, then each part on its own line, paragraphs separated by blank lines."""
    return INTRO + "\n".join(parts) + "\n"


def found(linter: Linter, text: str, path: str = "page.md") -> list[tuple[str, str]]:
    result = linter.lint_text(text, path)
    lines = text.split("\n")
    return [(lines[d.start.line - 1].strip(), d.code) for d in result.diagnostics]


def test_without_directives_every_claim_is_reported(linter: Linter) -> None:
    assert found(linter, page(SAFE, "", CURE, "", BOTH)) == EVERYTHING


# disable-next-line ----------------------------------------------------------------------------


def test_disable_next_line_with_code_and_reason(linter: Linter) -> None:
    text = page("<!-- healthlint-disable-next-line HL104 -- risks are listed in the table -->",
                SAFE, "", CURE, "", BOTH)
    assert found(linter, text) == [(CURE, "HL113"), (BOTH, "HL104"), (BOTH, "HL113")]


def test_disable_next_line_suppresses_only_its_codes(linter: Linter) -> None:
    text = page(SAFE, "", CURE, "", "<!-- healthlint-disable-next-line HL113 -->", BOTH)
    assert found(linter, text) == [(SAFE, "HL104"), (CURE, "HL113"), (BOTH, "HL104")]


def test_disable_next_line_without_codes_suppresses_every_rule(linter: Linter) -> None:
    text = page(SAFE, "", CURE, "", "<!-- healthlint-disable-next-line -->", BOTH)
    assert found(linter, text) == [(SAFE, "HL104"), (CURE, "HL113")]


def test_disable_next_line_reaches_only_the_next_line(linter: Linter) -> None:
    # A blank line after the comment: the next line holds no claim, so nothing is suppressed.
    text = page("<!-- healthlint-disable-next-line HL104 -->", "", SAFE, "", CURE, "", BOTH)
    assert found(linter, text) == EVERYTHING


@pytest.mark.parametrize("codes", ["HL1", "safety-claim-unsupported", "HL104,HL113",
                                   "HL104 HL113", "HL104, HL113 -- a reason"])
def test_codes_may_be_prefixes_slugs_and_lists(linter: Linter, codes: str) -> None:
    text = page(f"<!-- healthlint-disable-next-line {codes} -->", BOTH)
    expected = [] if codes != "safety-claim-unsupported" else [(BOTH, "HL113")]
    assert found(linter, text) == expected


# disable-line, disable-file -------------------------------------------------------------------


def test_disable_line_is_the_line_the_comment_is_on(linter: Linter) -> None:
    text = page(SAFE + " <!-- healthlint-disable-line HL104 -- quoted review -->", "", CURE, "",
                BOTH)
    assert found(linter, text) == [(CURE, "HL113"), (BOTH, "HL104"), (BOTH, "HL113")]


def test_disable_file_anywhere_in_the_file(linter: Linter) -> None:
    text = page(SAFE, "", CURE, "", BOTH, "", "<!-- healthlint-disable-file HL113 -- archive -->")
    assert found(linter, text) == [(SAFE, "HL104"), (BOTH, "HL104")]


def test_disable_file_with_a_slug(linter: Linter) -> None:
    text = "<!-- healthlint-disable-file safety-claim-unsupported -->\n" + page(SAFE, "", BOTH)
    assert found(linter, text) == [(BOTH, "HL113")]


# disable / enable ranges ----------------------------------------------------------------------


def test_disable_until_enable(linter: Linter) -> None:
    text = page("<!-- healthlint-disable HL104 -->", SAFE, "<!-- healthlint-enable HL104 -->", "",
                CURE, "", BOTH)
    assert found(linter, text) == [(CURE, "HL113"), (BOTH, "HL104"), (BOTH, "HL113")]


def test_disable_without_enable_runs_to_the_end(linter: Linter) -> None:
    text = page(SAFE, "", "<!-- healthlint-disable HL104 -->", CURE, "", BOTH)
    assert found(linter, text) == [(SAFE, "HL104"), (CURE, "HL113"), (BOTH, "HL113")]


def test_disable_all_until_enable_all(linter: Linter) -> None:
    text = page("<!-- healthlint-disable -->", SAFE, "", CURE, "<!-- healthlint-enable -->", "",
                BOTH)
    assert found(linter, text) == [(BOTH, "HL104"), (BOTH, "HL113")]


def test_enable_without_codes_closes_a_disable_with_codes(linter: Linter) -> None:
    text = page("<!-- healthlint-disable HL104, HL113 -->", SAFE, "", CURE,
                "<!-- healthlint-enable -->", "", BOTH)
    assert found(linter, text) == [(BOTH, "HL104"), (BOTH, "HL113")]


def test_disable_a_prefix_until_enable_of_that_prefix(linter: Linter) -> None:
    text = page("<!-- healthlint-disable HL1 -->", SAFE, "", CURE, "<!-- healthlint-enable HL1 -->",
                "", BOTH)
    assert found(linter, text) == [(BOTH, "HL104"), (BOTH, "HL113")]


def test_a_range_suppresses_only_its_codes(linter: Linter) -> None:
    text = page("<!-- healthlint-disable cure-or-guarantee-claim -->", SAFE, "", CURE, "", BOTH,
                "<!-- healthlint-enable cure-or-guarantee-claim -->")
    assert found(linter, text) == [(SAFE, "HL104"), (BOTH, "HL104")]


_ENABLE = "healthlint-enable with codes ends the wrong ranges: it matches a range only by exact "


def test_enable_by_slug_closes_a_disable_by_code(linter: Linter) -> None:
    text = page("<!-- healthlint-disable HL104 -->", SAFE,
                "<!-- healthlint-enable safety-claim-unsupported -->", "", BOTH)
    assert found(linter, text) == [(BOTH, "HL104"), (BOTH, "HL113")]


def test_enable_of_one_code_keeps_the_other_codes_disabled(linter: Linter) -> None:
    text = page("<!-- healthlint-disable HL104, HL113 -->", SAFE,
                "<!-- healthlint-enable HL104 -->", "", BOTH)
    assert found(linter, text) == [(BOTH, "HL104")]


def test_enable_of_one_code_inside_a_disable_of_all(linter: Linter) -> None:
    text = page("<!-- healthlint-disable -->", SAFE, "<!-- healthlint-enable HL104 -->", "", BOTH)
    assert found(linter, text) == [(BOTH, "HL104")]


def test_enable_of_one_code_inside_a_disabled_prefix(linter: Linter) -> None:
    text = page("<!-- healthlint-disable HL1 -->", SAFE, "<!-- healthlint-enable HL104 -->", "",
                BOTH)
    assert found(linter, text) == [(BOTH, "HL104")]


# Mistyped directives --------------------------------------------------------------------------


def test_a_mistyped_action_does_not_become_a_range(linter: Linter) -> None:
    text = page("<!-- healthlint-disable-nextline HL104 -->", SAFE, "", CURE, "", BOTH)
    assert (BOTH, "HL104") in found(linter, text)


def test_an_unknown_directive_is_reported_with_its_line(linter: Linter) -> None:
    text = page("<!-- healthlint-disabel-next-line HL104 -->", SAFE)
    result = linter.lint_text(text, "page.md")
    assert [(e.line, e.severity.name) for e in result.errors] == [(5, "WARNING")]
    assert "healthlint-disabel-next-line" in result.errors[0].message


def test_ordinary_comments_are_not_directives(linter: Linter) -> None:
    text = page("<!-- TODO: ask legal about this line -->", SAFE)
    result = linter.lint_text(text, "page.md")
    assert result.errors == []
    assert [(d.code) for d in result.diagnostics] == ["HL104"]


@pytest.mark.parametrize(("path", "text"), [
    ("page.md", page("```html", "<!-- healthlint-disable-file -->", "```", "",
                     "Write `<!-- healthlint-disable-file -->` to silence a file.", "", SAFE)),
    ("page.mdx", page("```", "{/* healthlint-disable-file */}", "```", "", SAFE)),
    ("page.html", "<p>We offer knee injections at our clinic.</p>\n"
                  "<pre>&lt;!-- healthlint-disable-file --&gt;</pre>\n"
                  "<script>// <!-- healthlint-disable-file --></script>\n"
                  f"<p>{SAFE}</p>\n"),
])
def test_directives_quoted_in_code_are_not_directives(linter: Linter, path: str,
                                                      text: str) -> None:
    # A page that documents healthlint must not switch it off.
    assert [d.code for d in linter.lint_text(text, path).diagnostics] == ["HL104"]


# Other formats --------------------------------------------------------------------------------


def test_html_comments(linter: Linter) -> None:
    text = ("<html><body>\n<p>We offer knee injections at our clinic.</p>\n"
            "<!-- healthlint-disable-next-line HL104 -- see the risks table -->\n"
            f"<p>{SAFE}</p>\n<p>{BOTH}</p>\n</body></html>\n")
    assert found(linter, text, "page.html") == [(f"<p>{BOTH}</p>", "HL104"),
                                                (f"<p>{BOTH}</p>", "HL113")]


def test_mdx_comments(linter: Linter) -> None:
    text = page("{/* healthlint-disable-next-line HL104 -- see the risks table */}", SAFE, "",
                "{/* healthlint-disable HL113 */}", CURE, "{/* healthlint-enable HL113 */}", "",
                BOTH)
    assert found(linter, text, "page.mdx") == [(BOTH, "HL104"), (BOTH, "HL113")]


def test_plain_text_directive_lines(linter: Linter) -> None:
    text = page("# healthlint-disable-next-line HL104 -- see the risks table", SAFE, "",
                "// healthlint-disable-next-line HL113", CURE, "", BOTH)
    assert found(linter, text, "page.txt") == [(BOTH, "HL104"), (BOTH, "HL113")]


def test_plain_text_directive_lines_are_not_prose(linter: Linter) -> None:
    # The directive line itself mentions a cure; it must not be linted as a claim.
    text = page("# healthlint-disable-next-line HL104 -- we never say cure here", SAFE)
    assert found(linter, text, "page.txt") == []


# HL001 and HL002 ------------------------------------------------------------------------------


def _check(capsys, tmp_path: Path, text: str, *options: str) -> tuple[int, list[dict]]:
    (tmp_path / "page.md").write_text(text, encoding="utf-8")
    code = main(["check", "--no-config", "--select", "HL104,HL113", "--output-format", "json",
                 *options, str(tmp_path / "page.md")])
    return code, json.loads(capsys.readouterr().out)["diagnostics"]


def test_require_reason_reports_directives_without_a_reason(tmp_path: Path, capsys) -> None:
    text = page("<!-- healthlint-disable-next-line HL104 -- the risks are listed below -->", SAFE,
                "", "<!-- healthlint-disable-next-line HL113 -->", CURE, "",
                "<!-- healthlint-disable-next-line HL104 -- -->", BOTH)
    code, diagnostics = _check(capsys, tmp_path, text, "--require-reason")
    assert code == EXIT_FINDINGS
    reported = [(d["line"], d["column"], d["code"], d["severity"]) for d in diagnostics]
    assert reported == [(8, 1, "HL001", "warning"), (11, 1, "HL001", "warning"),
                        (12, BOTH.index("cure") + 1, "HL113", "error")]
    first = diagnostics[0]
    assert first["message"] == "healthlint-disable-next-line needs a reason after '--'"
    assert first["rule"] == "suppression-reason-missing" and first["category"] == "suppression"
    # The directive still suppresses: the reason is asked for, not required to work.
    assert [d["code"] for d in diagnostics].count("HL104") == 0


def test_without_require_reason_no_reason_is_fine(tmp_path: Path, capsys) -> None:
    text = page("<!-- healthlint-disable-next-line -->", SAFE)
    code, diagnostics = _check(capsys, tmp_path, text)
    assert (code, diagnostics) == (EXIT_OK, [])


def test_report_unused_suppressions(tmp_path: Path, capsys) -> None:
    text = page("<!-- healthlint-disable-next-line HL104 -- risks below -->", SAFE, "",
                "<!-- healthlint-disable-next-line HL113 -- nothing to hide here -->", SAFE, "",
                "<!-- healthlint-disable-file HL1 -->")
    code, diagnostics = _check(capsys, tmp_path, text, "--report-unused-suppressions")
    # The first directive and the file-wide one matched findings; the HL113 one matched none.
    assert [(d["line"], d["code"]) for d in diagnostics] == [(8, "HL002")]
    assert diagnostics[0]["message"] == ("unused suppression: healthlint-disable-next-line "
                                         "(HL113) matched no finding")
    assert diagnostics[0]["rule"] == "unused-suppression"
    assert code == EXIT_FINDINGS


def test_an_unused_range_is_reported_once(tmp_path: Path, capsys) -> None:
    text = page("<!-- healthlint-disable HL113 -->", SAFE, "<!-- healthlint-enable HL113 -->")
    _, diagnostics = _check(capsys, tmp_path, text, "--report-unused-suppressions")
    assert [(d["line"], d["code"]) for d in diagnostics] == [(5, "HL002"), (6, "HL104")]


def test_hl002_obeys_ignore_and_severity(tmp_path: Path, capsys) -> None:
    text = page("<!-- healthlint-disable-next-line HL113 -- not needed -->", SAFE)
    _, diagnostics = _check(capsys, tmp_path, text, "--report-unused-suppressions",
                            "--ignore", "HL002")
    assert [d["code"] for d in diagnostics] == ["HL104"]
    _, diagnostics = _check(capsys, tmp_path, text, "--report-unused-suppressions",
                            "--severity", "HL002=error")
    assert [(d["code"], d["severity"]) for d in diagnostics] == [("HL002", "error"),
                                                                 ("HL104", "error")]
