"""GitHub workflow commands: hostile page text never breaks or injects a command.

Each output line is parsed the way the runner parses it (``ActionCommand.TryParseV2``
and its unescape tables in ``actions/runner``), and the parsed fields must equal
the original values exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from healthlint.builtin.outputs.github import GithubOutput, markdown_cell, step_summary
from healthlint.display import visible
from healthlint.types import Span
from outputs.builders import (
    BROKEN,
    RULES,
    at,
    flag,
    page_level,
    render,
    report,
    result,
    sample_report,
)

PROPERTY_UNESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
DATA_UNESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))


@dataclass
class Command:
    name: str
    properties: dict[str, str]
    message: str


def _unescape(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for escaped, plain in table:
        text = text.replace(escaped, plain)
    return text


def parse(line: str) -> Command:
    """Parse one line as the runner does, failing if it is not exactly one command."""
    assert "\n" not in line and "\r" not in line
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, props = info.partition(" ")
    properties: dict[str, str] = {}
    for pair in props.split(","):
        key, sep, value = pair.partition("=")
        assert sep, f"property without '=': {pair!r}"
        assert key not in properties, f"property {key!r} given twice"
        properties[key] = _unescape(value, PROPERTY_UNESCAPES)
    return Command(name, properties, _unescape(data, DATA_UNESCAPES))


def commands(text: str) -> list[Command]:
    assert text.endswith("\n")
    return [parse(line) for line in text[:-1].split("\n")]


def test_one_command_per_finding_with_positions() -> None:
    parsed = commands(render(GithubOutput(), sample_report()))
    assert [c.name for c in parsed] == ["error", "error", "warning", "warning", "error", "notice"]
    broken = parsed[0]
    assert broken.properties == {
        "file": BROKEN,
        "line": "1",
        "col": "13",
        "title": "healthlint: file not fully checked",
    }
    disclaimer = parsed[1]
    assert disclaimer.properties["file"] == "content/café #1 100%.md"
    assert disclaimer.properties["title"] == "healthlint HL201 (missing-disclaimer)"
    assert disclaimer.message == RULES["HL201"].message
    rate = parsed[3]
    assert rate.properties == {
        "file": "content/my page.md",
        "line": "3",
        "endLine": "3",
        "col": "12",
        "endColumn": "36",
        "title": "healthlint HL101 (efficacy-rate-unqualified)",
    }


def test_multi_line_spans_carry_no_columns() -> None:
    parsed = commands(render(GithubOutput(), sample_report()))
    vague = parsed[-1]
    assert vague.properties["file"] == "content/win dir/page.md"
    assert (vague.properties["line"], vague.properties["endLine"]) == ("1", "2")
    assert "col" not in vague.properties and "endColumn" not in vague.properties


HOSTILE = [
    "50% off\r\n::error file=evil.md,line=1::injected",
    "ends with a percent %",
    "already escaped %0A and %25 and %3A",
    "a::b, c=d :: e",
    "\n::warning::at the start",
    "::stop-commands::token",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_messages_stay_inside_their_annotation(text: str) -> None:
    source = "Cures everything.\n"
    diagnostic = flag("page.md", source, "Cures", "HL104", message=text)
    parsed = commands(render(GithubOutput(), report(result("page.md", source, [diagnostic]))))
    assert len(parsed) == 1
    # Line breaks and other control characters are shown, never passed on.
    assert parsed[0].message == visible(text)
    assert parsed[0].properties["file"] == "page.md"


@pytest.mark.parametrize(
    "path",
    [
        "dir,line=99/a.md",
        "c:/fake::error::x.md",
        "new\nline.md",
        "per%cent %0A.md",
        "content\\windows dir\\page,1.md",
    ],
)
def test_hostile_paths_stay_one_property(path: str) -> None:
    source = "Cures everything.\n"
    parsed = commands(
        render(GithubOutput(), report(result(path, source, [flag(path, source, "Cures", "HL104")])))
    )
    assert len(parsed) == 1
    assert parsed[0].properties["file"] == visible(path.replace("\\", "/"))
    assert parsed[0].properties["line"] == "1"


def test_hostile_rule_slug_in_the_title() -> None:
    source = "Cures everything.\n"
    odd = replace(flag("page.md", source, "Cures", "HL104"), rule="x,line=5::\n::error::y")
    (parsed,) = commands(render(GithubOutput(), report(result("page.md", source, [odd]))))
    assert parsed.properties["title"] == "healthlint HL104 (x,line=5::␊::error::y)"
    assert parsed.properties["line"] == "1"


def test_no_annotations_for_a_clean_report() -> None:
    assert render(GithubOutput(), report(result("a.md", "fine\n"))) == ""


def test_step_summary_is_appended_when_the_runner_offers_one(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n\n", encoding="utf-8")
    environ = {"GITHUB_STEP_SUMMARY": str(summary)}
    render(GithubOutput(), sample_report(), options={"environ": environ})
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# Earlier step\n\n## healthlint\n")
    assert "5 findings (2 errors, 2 warnings, 1 notice) in 3 of 5 files." in text
    help_link = "[HL101](https://github.com/healthlint/healthlint/blob/main/docs/rules/HL101.md)"
    assert f"| {help_link} | efficacy-rate-unqualified | 2 |" in text
    assert "| content/my page.md | 2 |" in text
    assert "| content/win dir/page.md | 1 |" in text
    assert "### Files not fully checked (1)" in text
    render(GithubOutput(), sample_report(), options={"environ": environ})
    assert summary.read_text(encoding="utf-8").count("## healthlint") == 2


def test_no_summary_file_without_the_variable(tmp_path: Path) -> None:
    render(GithubOutput(), sample_report(), options={"environ": {"HOME": str(tmp_path)}})
    assert list(tmp_path.iterdir()) == []


def test_summary_cells_cannot_break_the_table() -> None:
    path = "content/a|b *bold* <script>.md"
    source = "Cures everything.\n"
    rep = report(result(path, source, [flag(path, source, "Cures", "HL104")]))
    text = step_summary(rep, ".")
    row = next(line for line in text.splitlines() if "script" in line)
    assert row == r"| content/a\|b \*bold\* \<script\>.md | 1 |"
    assert row.count("|") - row.count(r"\|") == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", r"a\|b"),
        ("line\nbreak", "line break"),
        ("[link](x)", r"\[link\]\(x\)"),
        ("`code` _em_ ~s~ #h &amp; !img", r"\`code\` \_em\_ \~s\~ \#h \&amp; \!img"),
        ("back\\slash", r"back\\slash"),
        ("content/page-1.md", "content/page-1.md"),
    ],
)
def test_markdown_cell(text: str, expected: str) -> None:
    assert markdown_cell(text) == expected


def test_summary_without_findings() -> None:
    assert "No findings in 1 file." in step_summary(report(result("a.md", "ok\n")), ".")


def test_long_summaries_are_capped() -> None:
    files = []
    for n in range(250):
        path = f"content/page{n:03}.md"
        files.append(result(path, "Cures.\n", [at(path, "Cures.\n", Span(0, 5), "HL104")]))
    text = step_summary(report(*files), ".")
    assert "… and 50 more." in text
    assert text.count("| content/page") == 200


def test_document_level_finding_points_at_its_position() -> None:
    source = "Take our supplement daily.\n"
    parsed = commands(
        render(GithubOutput(), report(result("s.md", source, [page_level("s.md", source)])))
    )
    assert parsed[0].properties["line"] == "1"
    assert parsed[0].properties["col"] == parsed[0].properties["endColumn"] == "1"
