"""The ``healthlint`` command as a user runs it: ``main([...])`` in-process, output read back.

Pages are written for these tests. Claim rules only fire on promotional pages, so every page that
should produce a finding speaks in a provider's voice ("we offer", "book a consultation").

The ``full`` output is compared with ``tests/snapshots/``; after an intended change run
``HEALTHLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_cli.py`` and review the diff.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from healthlint.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, main

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "core"
SNAPSHOTS = HERE / "snapshots"
SCHEMA = HERE.parent / "src" / "healthlint" / "schemas" / "output.schema.json"
SCORER = HERE.parent.parent / "shared" / "eval" / "score.py"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# One absolute safety claim (HL104 error), one relative one (HL104 warning), and a biologic
# named without its FDA status (HL108, page level).
PAGE = """\
# Knee care

We offer PRP injections at our clinics, and our treatment is risk-free.

The procedure itself is low risk.

Book a consultation today.
"""
# The same claims in careful third-person prose: no provider voice, so no claim findings.
NEUTRAL = """\
# About knee pain

Knee pain has many causes. Rest and gentle exercise help most people recover.
"""
# Only a relative safety claim: HL104 at warning.
WARNING_ONLY = """\
# Our clinic

We offer knee injections. The procedure is low risk.
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def column(text: str, line: int, phrase: str) -> int:
    """The 1-based code-point column of ``phrase`` on a 1-based line."""
    return text.split("\n")[line - 1].index(phrase) + 1


def concise_codes(out: str) -> list[tuple[str, int, int, str, str]]:
    """``(path, line, column, code, severity)`` of every concise finding line."""
    found = re.findall(r"^(.+?):(\d+):(\d+): ([A-Z]+\d+) (error|warning|info) ", out, re.M)
    return [(p, int(line), int(col), code, sev) for p, line, col, code, sev in found]


def assert_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("HEALTHLINT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.is_file(), (
        f"no snapshot {path}; create it with HEALTHLINT_UPDATE_SNAPSHOTS=1 and review it")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"output differs from {path}; if the change is intended, rerun with "
        "HEALTHLINT_UPDATE_SNAPSHOTS=1 and review the diff")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with the promotional page, a neutral page and no configuration."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    write(tmp_path / "page.md", PAGE)
    write(tmp_path / "neutral.md", NEUTRAL)
    return tmp_path


# Paths ----------------------------------------------------------------------------------------


def test_check_a_file_reports_each_finding_where_it_is(site: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "--no-config", "--output-format", "concise", "page.md")
    assert code == EXIT_FINDINGS
    assert err == ""
    assert concise_codes(out) == [
        ("page.md", 3, column(PAGE, 3, "PRP"), "HL108", "warning"),
        ("page.md", 3, column(PAGE, 3, "risk-free"), "HL104", "error"),
        ("page.md", 5, column(PAGE, 5, "low risk"), "HL104", "warning"),
    ]
    assert 'Safety claim "risk-free"' in out
    assert out.splitlines()[-1] == "Found 3 findings (1 error, 2 warnings) in 1 file."


def test_check_a_directory_lints_every_supported_file_in_path_order(site: Path, capsys) -> None:
    write(site / "docs" / "b.txt", "Our clinic offers knee injections. They are risk-free.\n")
    write(site / "docs" / "a.html",
          "<html><body><p>We offer knee injections that are risk-free.</p></body></html>\n")
    write(site / "docs" / "notes.rst", "We offer knee injections that are risk-free.\n")
    write(site / "docs" / "sub" / "c.mdx",
          "# Ours\n\nWe offer knee injections that are risk-free.\n")
    code, out, _ = run(capsys, "check", "--no-config", "--select", "HL104",
                       "--output-format", "concise", "docs")
    assert code == EXIT_FINDINGS
    paths = [p for p, *_ in concise_codes(out)]
    assert paths == ["docs/a.html", "docs/b.txt", "docs/sub/c.mdx"]
    assert "notes.rst" not in out
    assert out.splitlines()[-1] == "Found 3 findings (3 errors) in 3 files."


def test_check_without_paths_lints_the_working_directory(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise")
    assert code == EXIT_FINDINGS
    assert {p for p, *_ in concise_codes(out)} == {"page.md"}
    assert out.splitlines()[-1].endswith("in 2 files.")


def test_a_clean_run_exits_0_and_says_so(site: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "--no-config", "neutral.md")
    assert (code, out, err) == (EXIT_OK, "All clear: no findings in 1 file.\n", "")


def test_an_empty_directory_warns_that_nothing_was_linted(site: Path, capsys) -> None:
    (site / "empty").mkdir()
    code, out, err = run(capsys, "check", "--no-config", "empty")
    assert code == EXIT_OK
    assert "no files to lint" in err and ".md" in err
    assert "0 files" in out


def test_a_file_named_twice_is_linted_once(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "page.md",
                    "./page.md", ".")
    assert len(concise_codes(out)) == 3


def test_a_file_named_by_relative_and_absolute_path_is_linted_once(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "page.md",
                    str(site / "page.md"))
    assert len(concise_codes(out)) == 3


# Standard input -------------------------------------------------------------------------------


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_stdin_is_named_and_parsed_by_stdin_filename(site: Path, capsys, monkeypatch) -> None:
    # In Markdown the inline code is not prose; read as plain text it is a claim.
    text = "# Ours\n\nWe offer knee injections. Reviews call them `risk-free` and low risk.\n"
    monkeypatch.setattr(sys, "stdin", _Stdin(text.encode()))
    code, out, _ = run(capsys, "check", "--no-config", "--select", "HL104",
                       "--output-format", "concise", "-", "--stdin-filename", "site/page.md")
    assert code == EXIT_FINDINGS
    assert concise_codes(out) == [("site/page.md", 3, column(text, 3, "low risk"), "HL104",
                                   "warning")]

    monkeypatch.setattr(sys, "stdin", _Stdin(text.encode()))
    _, out, _ = run(capsys, "check", "--no-config", "--select", "HL104",
                    "--output-format", "concise", "-", "--stdin-filename", "page.txt")
    # One finding per sentence, the most severe: the absolute term, visible only as text.
    assert [c[2:] for c in concise_codes(out)] == [(column(text, 3, "risk-free"), "HL104",
                                                    "error")]


@pytest.mark.parametrize(("line", "code"), [
    # One-line claims with no "our" or "we": judged as marketing copy, no gate.
    ("The injection is painless and completely safe.", "HL104"),
    ("Success rate: 88% of clients sleep through the night after one session.", "HL101"),
    ("Serenexa gummies ease depression and panic attacks.", "HL123"),
    ("This balm reverses arthritis in older dogs and people alike.", "HL113"),
])
def test_a_one_line_claim_on_stdin_is_reported(capsys, monkeypatch, line: str,
                                               code: str) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(line.encode() + b"\n"))
    exit_code, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "-")
    assert exit_code == EXIT_FINDINGS
    assert "All clear" not in out
    assert code in [c[3] for c in concise_codes(out) if c[4] in ("error", "warning")]


def test_stdin_without_a_name_is_reported_as_stdin(site: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"Our clinic offers injections that are risk-free.\n"))
    code, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "-")
    assert code == EXIT_FINDINGS
    assert out.startswith("<stdin>:1:39: HL104 error ")


def test_stdin_that_is_not_utf8_is_a_file_error(site: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"Our clinic \xff offers care.\n"))
    code, out, _ = run(capsys, "check", "--no-config", "--stdin-filename", "typed.md", "-",
                       "page.md")
    assert code == EXIT_ERROR
    assert "typed.md: error: standard input is not valid UTF-8 (offset 11)" in out
    assert "page.md:3:" in out  # the named file is still linted


def test_format_option_forces_a_document_format(site: Path, capsys) -> None:
    # Read as Markdown, the inline code is not prose; read as HTML, the comment hides the claim.
    text = "# Ours\n\nWe offer knee injections. They are `risk-free` and low risk.\n"
    write(site / "notes.txt", text)
    _, out, _ = run(capsys, "check", "--no-config", "--select", "HL104",
                    "--output-format", "concise", "notes.txt")
    assert [c[2] for c in concise_codes(out)] == [column(text, 3, "risk-free")]
    _, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "--format", "markdown",
                    "--output-format", "concise", "notes.txt")
    assert [c[2] for c in concise_codes(out)] == [column(text, 3, "low risk")]


# Selection and severity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], ["HL108", "HL104", "HL104"]),
        (["--select", "HL104"], ["HL104", "HL104"]),
        (["--select", "HL10", "--ignore", "HL104"], ["HL108"]),
        (["--ignore", "safety-claim-unsupported"], ["HL108"]),
        (["--select", "safety-claim-unsupported"], ["HL104", "HL104"]),
        (["--select", "fda-status-disclosure-missing,HL104"], ["HL108", "HL104", "HL104"]),
        # The longest matching prefix wins, whichever option it comes from.
        (["--select", "HL1", "--ignore", "HL10", "--extend-select", "HL104"], ["HL104", "HL104"]),
        (["--ignore", "HL1", "--select", "HL108"], ["HL108"]),
        (["--select", "HL104", "--extend-select", "HL108"], ["HL108", "HL104", "HL104"]),
        (["--ignore", "HL1"], []),
        # A slug counts as more specific than any code prefix.
        (["--ignore", "HL104", "--select", "safety-claim-unsupported"], ["HL104", "HL104"]),
    ],
)
def test_select_ignore_and_extend_select(site: Path, capsys, options: list[str],
                                         expected: list[str]) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", *options,
                       "page.md")
    assert [c[3] for c in concise_codes(out)] == expected
    assert code == (EXIT_FINDINGS if expected else EXIT_OK)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--select", "HL14"], "select: 'HL14' names no rule; did you mean 'HL114'?"),
        (["--ignore", "safety-claim"],
         "ignore: 'safety-claim' names no rule; did you mean 'safety-claim-unsupported'?"),
        (["--extend-select", "XX1"], "extend-select: 'XX1' names no rule"),
        (["--severity", "HL999=info"], "severity: 'HL999' names no rule"),
    ],
)
def test_a_code_that_names_no_rule_is_an_error(site: Path, capsys, options: list[str],
                                               message: str) -> None:
    # A typo must not switch rules off silently.
    code, out, err = run(capsys, "check", "--no-config", *options, "page.md")
    assert code == EXIT_ERROR
    assert out == ""
    assert err.startswith(f"healthlint: error: {message}")


def test_ignore_wins_a_tie_with_select(site: Path, capsys) -> None:
    # As in flake8 and ruff: a code both selected and ignored at the same length is ignored.
    _, out, _ = run(capsys, "check", "--no-config", "--select", "HL104,HL108", "--ignore", "HL104",
                    "--output-format", "concise", "page.md")
    assert [c[3] for c in concise_codes(out)] == ["HL108"]


def test_severity_override_lowers_a_rule(site: Path, capsys) -> None:
    write(site / "warn.md", WARNING_ONLY)
    code, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "--severity",
                       "HL104=info", "--output-format", "concise", "warn.md")
    assert [c[3:] for c in concise_codes(out)] == [("HL104", "info")]
    assert code == EXIT_OK  # info is below the default fail-on threshold (warning)


def test_severity_override_by_prefix_and_off(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "check", "--no-config", "--severity", "HL10=off",
                    "--output-format", "concise", "page.md")
    assert concise_codes(out) == []
    # The longest key wins: HL10 off, HL104 back on.
    _, out, _ = run(capsys, "check", "--no-config", "--severity", "HL10=off", "--severity",
                    "HL104=warning", "--output-format", "concise", "page.md")
    assert [c[3] for c in concise_codes(out)] == ["HL104", "HL104"]


def test_severity_override_raises_a_rule(site: Path, capsys) -> None:
    write(site / "warn.md", WARNING_ONLY)
    code, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "--severity",
                       "HL104=error", "--fail-on", "error", "--output-format", "concise",
                       "warn.md")
    assert [c[3:] for c in concise_codes(out)] == [("HL104", "error")]
    assert code == EXIT_FINDINGS


def test_severity_override_sets_the_level_of_every_finding_of_the_rule(site: Path, capsys) -> None:
    # PAGE has an absolute safety term (error by default) and a relative one (warning).
    code, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "--severity",
                       "HL104=info", "--output-format", "concise", "page.md")
    assert [c[3:] for c in concise_codes(out)] == [("HL104", "info"), ("HL104", "info")]
    assert code == EXIT_OK


def test_severity_override_to_the_default_level_still_sets_every_finding(site: Path,
                                                                         capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "--severity",
                       "HL104=warning", "--fail-on", "error", "--output-format", "concise",
                       "page.md")
    assert [c[3:] for c in concise_codes(out)] == [("HL104", "warning"), ("HL104", "warning")]
    assert code == EXIT_OK


@pytest.mark.parametrize(
    ("page", "fail_on", "expected"),
    [
        pytest.param(PAGE, "error", EXIT_FINDINGS, id="error-on-error-page"),
        pytest.param(WARNING_ONLY, "error", EXIT_OK, id="error-on-warning-page"),
        pytest.param(WARNING_ONLY, "warning", EXIT_FINDINGS, id="warning-on-warning-page"),
        pytest.param(WARNING_ONLY, "info", EXIT_FINDINGS, id="info-on-warning-page"),
        pytest.param(WARNING_ONLY, "never", EXIT_OK, id="never-on-warning-page"),
        pytest.param(PAGE, "never", EXIT_OK, id="never-on-error-page"),
    ],
)
def test_fail_on_changes_the_exit_code_not_the_output(site: Path, capsys, page: str,
                                                      fail_on: str, expected: int) -> None:
    write(site / "target.md", page)
    _, shown, _ = run(capsys, "check", "--no-config", "target.md")
    code, out, _ = run(capsys, "check", "--no-config", "--fail-on", fail_on, "target.md")
    assert code == expected
    assert out == shown


def test_fail_on_info_fails_on_info_findings(site: Path, capsys) -> None:
    write(site / "warn.md", WARNING_ONLY)
    argv = ["check", "--no-config", "--select", "HL104", "--severity", "HL104=info", "warn.md"]
    assert run(capsys, *argv)[0] == EXIT_OK
    assert run(capsys, *argv, "--fail-on", "info")[0] == EXIT_FINDINGS


def test_fail_on_never_still_fails_on_a_file_that_could_not_be_linted(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--fail-on", "never", "page.md", "gone.md")
    assert code == EXIT_ERROR
    assert "gone.md: error: no such file or directory" in out


# Output formats -------------------------------------------------------------------------------


def test_full_output_snapshot(tmp_path: Path, monkeypatch, capsys) -> None:
    """What a user reads: location, code, severity, message, code frame, caret, suggestion.

    The page has a non-ASCII heading and an em dash before a claim (columns count code points),
    a claim broken over two lines, a line longer than the frame, a tab before a claim and a
    suppressed claim.
    """
    shutil.copy(FIXTURES / "clinic.md", tmp_path / "clinic.md")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, err = run(capsys, "check", "--no-config", "--select", "HL104,HL108,HL113",
                         "clinic.md")
    assert code == EXIT_FINDINGS
    assert err == ""
    assert_snapshot("check_full.txt", out)


def test_full_output_puts_the_caret_under_the_exact_columns(site: Path, capsys) -> None:
    text = "# Ours\n\nWe offer PRP injections. Prices in € — and the shots\u00a0are risk-free.\n"
    write(site / "euro.md", text)
    _, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "euro.md")
    lines = out.splitlines()
    source_line = next(i for i, line in enumerate(lines) if line.startswith("3 | "))
    caret = lines[source_line + 1]
    shown = lines[source_line][len("3 | "):]
    start = caret.index("^") - len("  | ")
    width = caret.count("^")
    assert shown[start:start + width] == "risk-free"
    assert lines[0].startswith(f"euro.md:3:{column(text, 3, 'risk-free')}: HL104 error: ")
    suggestion = lines[source_line + 2]
    assert suggestion.startswith("  = suggestion (edit by hand; not applied by --fix)")
    assert suggestion.endswith("Reword as: generally well tolerated; risks include (list the "
                               "specific risks)")


def test_full_output_caret_accounts_for_wide_characters(site: Path, capsys) -> None:
    text = "# Ours\n\n\u2705 We offer injections that are risk-free.\n"
    write(site / "wide.md", text)
    _, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "wide.md")
    lines = out.splitlines()
    caret = lines[3]
    # In a terminal the check mark takes two cells, so the caret starts one cell further right.
    assert caret.index("^") - len("  | ") == column(text, 3, "risk-free")
    assert caret.count("^") == len("risk-free")


def test_full_output_caret_skips_combining_marks(site: Path, capsys) -> None:
    text = "# Ours\n\nCafe\u0301 owners: we offer injections that are risk-free.\n"
    write(site / "combining.md", text)
    _, out, _ = run(capsys, "check", "--no-config", "--select", "HL104", "combining.md")
    caret = out.splitlines()[3]
    # The accent combines with the e before it: one cell fewer than code points.
    assert caret.index("^") - len("  | ") == column(text, 3, "risk-free") - 2


def test_concise_output_is_one_line_per_finding(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "page.md",
                       "neutral.md")
    lines = out.splitlines()
    assert code == EXIT_FINDINGS
    assert len(lines) == 4
    assert lines[1] == (
        f"page.md:3:{column(PAGE, 3, 'risk-free')}: HL104 error Safety claim \"risk-free\" is not "
        "supported: name the specific risks of this treatment (for example infection, bleeding, "
        "nerve injury) or cite safety data (an absolute safety term)")
    assert all(re.match(r"page\.md:\d+:\d+: HL1\d\d (error|warning|info) \S", line)
               for line in lines[:3])
    assert lines[3] == "Found 3 findings (1 error, 2 warnings) in 2 files."


def _validator():
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        pytest.fail(f"{SCHEMA} is missing: the JSON output has no published schema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_json_output_matches_its_schema_and_the_position_contract(site: Path, capsys) -> None:
    # A no-break space and non-ASCII letters before the claims: columns count code points.
    text = ("# Über uns\n\nWe offer PRP injections in Zürich;\u00a0the treatment is risk-free.\n\n"
            "Our injections are completely\nsafe.\n")
    write(site / "clinic.md", text)
    code, out, err = run(capsys, "check", "--no-config", "--output-format", "json", "clinic.md",
                         "gone.md")
    assert code == EXIT_ERROR
    assert err == ""
    document = json.loads(out)
    _validator().validate(document)
    assert document["version"] == 1
    assert document["tool"]["name"] == "healthlint"
    assert document["errors"] == [{"path": "gone.md", "line": None, "column": None,
                                   "severity": "error", "message": "no such file or directory"}]
    # The seed scorer's contract: lines split on "\n", 1-based code-point columns, end exclusive.
    lines = text.split("\n")
    found = []
    for d in document["diagnostics"]:
        assert d["path"] == "clinic.md"
        first, last = lines[d["line"] - 1], lines[d["end_line"] - 1]
        if d["end_line"] == d["line"]:
            covered = first[d["column"] - 1:d["end_column"] - 1]
        else:
            covered = first[d["column"] - 1:] + "\n" + last[:d["end_column"] - 1]
        found.append((d["code"], d["severity"], covered))
    assert found == [
        ("HL108", "warning", "PRP"),
        ("HL104", "error", "risk-free"),
        ("HL104", "error", "completely\nsafe"),
    ]
    page_level = [d for d in document["diagnostics"] if d["document_level"]]
    assert [d["category"] for d in page_level] == ["fda-status-disclosure-missing"]
    assert document["summary"] == {"files": 2, "diagnostics": 3, "file_errors": 1,
                                   "by_severity": {"error": 2, "warning": 1, "info": 0}}


@pytest.mark.shared
def test_json_output_is_read_by_the_seed_scorer(site: Path, capsys) -> None:
    if not SCORER.is_file():
        pytest.skip(f"{SCORER} is absent")
    import importlib.util

    spec = importlib.util.spec_from_file_location("seed_score", SCORER)
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    sys.modules["seed_score"] = score  # its dataclasses look their module up
    try:
        spec.loader.exec_module(score)
    finally:
        del sys.modules["seed_score"]
    _, out, _ = run(capsys, "check", "--no-config", "--output-format", "json", "page.md")
    parsed = score.parse_predictions(json.loads(out))
    assert [(d.span.start, d.span.end, d.category) for d in parsed] == [
        ((3, column(PAGE, 3, "PRP")), (3, column(PAGE, 3, "PRP") + 3),
         "fda-status-disclosure-missing"),
        ((3, column(PAGE, 3, "risk-free")), (3, column(PAGE, 3, "risk-free") + 9),
         "safety-claim-unsupported"),
        ((5, column(PAGE, 5, "low risk")), (5, column(PAGE, 5, "low risk") + 8),
         "safety-claim-unsupported"),
    ]


def test_output_option_writes_several_formats_in_one_run(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--output", "json:out.json",
                       "--output", "concise:out.txt",
                       "--output", "sarif:out.sarif", "page.md")
    assert code == EXIT_FINDINGS
    # The console still gets the human format.
    assert "  |" in out and "^^^^^^^^^ safety-claim-unsupported" in out
    assert len(json.loads((site / "out.json").read_text())["diagnostics"]) == 3
    concise = (site / "out.txt").read_text()
    assert len(concise_codes(concise)) == 3 and "  |" not in concise
    sarif = json.loads((site / "out.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 3


def test_output_file_replaces_the_console_output(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise",
                       "--output-file", "report.txt", "page.md")
    assert code == EXIT_FINDINGS
    assert out == ""
    assert len(concise_codes((site / "report.txt").read_text())) == 3


def test_output_without_a_path_is_a_usage_error(site: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "--no-config", "--output", "json", "page.md")
    assert code == EXIT_ERROR
    assert "--output expects FORMAT:PATH, got 'json'" in err
    assert out == ""


def test_output_to_a_missing_directory_is_a_usage_error(site: Path, capsys) -> None:
    code, _, err = run(capsys, "check", "--no-config", "--output", "json:nowhere/out.json",
                       "page.md")
    assert code == EXIT_ERROR
    assert err == ("healthlint: error: nowhere/out.json: cannot write output file: "
                   "No such file or directory\n")


def test_statistics_count_findings_per_rule_and_severity(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "--statistics",
                    "page.md")
    tail = out.splitlines()[3:]
    assert [line.split() for line in tail[:3]] == [
        ["1", "HL104", "error", "safety-claim-unsupported"],
        ["1", "HL104", "warning", "safety-claim-unsupported"],
        ["1", "HL108", "warning", "fda-status-disclosure-missing"],
    ]
    assert tail[3].startswith("Found 3 findings")


def test_the_summary_line_is_grammatical(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "page.md")
    assert out.splitlines()[-1] == "Found 3 findings (1 error, 2 warnings) in 1 file."


def test_quiet_drops_the_summary_line(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "check", "--no-config", "--output-format", "concise", "-q", "page.md")
    assert len(out.splitlines()) == 3
    assert "Found" not in out
    _, out, _ = run(capsys, "check", "--no-config", "--quiet", "neutral.md")
    assert out == ""


# Colour ---------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _colour_run(monkeypatch, *argv: str) -> str:
    stream = _Terminal()
    monkeypatch.setattr(sys, "stdout", stream)
    main(["check", "--no-config", *argv, "page.md"])
    return stream.getvalue()


def test_colour_only_when_asked_or_on_a_terminal(site: Path, capsys, monkeypatch) -> None:
    _, piped, _ = run(capsys, "check", "--no-config", "page.md")
    assert not ANSI.search(piped)
    _, always, _ = run(capsys, "check", "--no-config", "--color", "always", "page.md")
    assert "\x1b[1;31merror\x1b[0m" in always
    assert ANSI.sub("", always) == piped
    assert ANSI.search(_colour_run(monkeypatch))  # auto on a terminal
    assert not ANSI.search(_colour_run(monkeypatch, "--color", "never"))


def test_no_color_turns_colour_off_on_a_terminal(site: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(_colour_run(monkeypatch))
    # An explicit --color always still wins, as no-color.org asks of command-line flags.
    assert ANSI.search(_colour_run(monkeypatch, "--color", "always"))


def test_files_written_with_output_are_never_coloured(site: Path, capsys) -> None:
    run(capsys, "check", "--no-config", "--color", "always", "--output", "full:full.txt",
        "page.md")
    assert "safety-claim-unsupported" in (site / "full.txt").read_text()
    assert not ANSI.search((site / "full.txt").read_text())


# rules, explain, plugins ----------------------------------------------------------------------


def test_rules_lists_the_23_shipped_rules(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "rules", "--no-config")
    assert code == EXIT_OK
    rows = [line.split() for line in out.splitlines() if re.match(r"HL1\d\d ", line)]
    assert [row[0] for row in rows] == [f"HL{n}" for n in range(101, 124)]
    assert all(row[2] == "health" and row[1] in {"error", "warning", "info"} for row in rows)
    hl104 = next(row for row in rows if row[0] == "HL104")
    assert hl104[1:5] == ["warning", "health", "claim", "safety-claim-unsupported"]
    assert "changed by" not in out


def test_rules_under_a_profile_marks_changed_severities(site: Path, capsys) -> None:
    _, default, _ = run(capsys, "rules", "--no-config", "--output-format", "json")
    base = {r["code"]: r["severity"] for r in json.loads(default)}
    code, out, _ = run(capsys, "rules", "--no-config", "--profile", "google-ads")
    assert code == EXIT_OK
    assert out.startswith("Profile: google-ads (")
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()
            if re.match(r"HL1\d\d ", line)}
    changed = {code for code, severity in rows.items() if severity.endswith("*")}
    assert changed, "the google-ads profile changes no severity"
    for code in rows:
        if code in changed:
            assert rows[code].rstrip("*") != base[code]
        else:
            assert rows[code] == base[code]
    assert out.rstrip().endswith("* changed by the google-ads profile")


def test_rules_of_one_pack(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "rules", "--no-config", "--pack", "health", "--output-format", "json")
    assert len(json.loads(out)) == 23
    code, _, err = run(capsys, "rules", "--no-config", "--pack", "acme", "--output-format", "json")
    assert code == EXIT_ERROR
    assert "no rule pack 'acme'" in err


def test_rules_as_json(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "rules", "--no-config", "--output-format", "json", "--profile",
                       "google-ads")
    assert code == EXIT_OK
    rules = json.loads(out)
    assert len(rules) == 23
    assert set(rules[0]) == {"code", "slug", "category", "severity", "default_severity", "pack",
                             "kind", "summary"}
    hl104 = next(r for r in rules if r["code"] == "HL104")
    assert hl104["slug"] == "safety-claim-unsupported"
    assert hl104["pack"] == "health" and hl104["kind"] == "claim"
    assert any(r["severity"] != r["default_severity"] for r in rules)


def test_rules_with_an_unknown_profile_lists_the_known_ones(site: Path, capsys) -> None:
    code, _out, err = run(capsys, "rules", "--no-config", "--profile", "mars")
    assert code == EXIT_ERROR
    assert "unknown profile 'mars'" in err
    for known in ("us", "uk", "eu", "au", "google-ads", "meta"):
        assert known in err


@pytest.mark.parametrize("name", ["HL104", "safety-claim-unsupported", "hl104"])
def test_explain_shows_a_rule_in_full(site: Path, capsys, name: str) -> None:
    code, out, _ = run(capsys, "explain", "--no-config", name)
    assert code == EXIT_OK
    assert out.startswith("HL104 safety-claim-unsupported\n")
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings == ["## What it flags", "## Why it matters", "## What to write instead",
                        "## Examples", "## References"]
    assert "Default severity: warning" in out and "Pack: health" in out
    examples = out.split("## Examples")[1].split("## References")[0]
    assert "Flagged:\n  - " in examples and "Not flagged:\n  - " in examples
    references = out.split("## References\n\n")[1].rstrip().splitlines()
    assert references and all(line.startswith("  - ") for line in references)


def test_explain_an_unknown_rule_exits_2(site: Path, capsys) -> None:
    code, out, err = run(capsys, "explain", "--no-config", "NOPE")
    assert code == EXIT_ERROR
    assert out == ""
    assert "no rule with code or slug 'NOPE'" in err


def test_plugins_lists_the_builtin_plugins(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "plugins")
    assert code == EXIT_OK
    for plugin in ("builtin.relations", "builtin.formats", "builtin.outputs", "builtin.packs"):
        assert re.search(rf"^{re.escape(plugin)}  \(builtin\)$", out, re.M), plugin
    for provided in ("rule kind: claim", "document format: markdown", "output format: json",
                     "rule pack: health"):
        assert f"    {provided}\n" in out


# Usage errors and exit codes ------------------------------------------------------------------


def test_unknown_output_format_exits_2_and_lists_the_known_ones(site: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "--no-config", "--output-format", "yaml", "page.md")
    assert code == EXIT_ERROR
    assert out == ""
    assert "unknown output format 'yaml'" in err
    assert "concise" in err and "json" in err and "full" in err


def test_bad_severity_value_exits_2_with_the_accepted_levels(site: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "--severity", "HL104=loud", "page.md")
    assert code == EXIT_ERROR
    assert out == ""
    assert "unknown severity 'loud'; expected one of: error, warning, info, off" in err
    code, _, err = run(capsys, "check", "--severity", "HL104", "page.md")
    assert code == EXIT_ERROR
    assert "expected CODE=LEVEL, got 'HL104'" in err


def test_no_subcommand_exits_2_with_help(capsys) -> None:
    code, out, err = run(capsys)
    assert code == EXIT_ERROR
    assert out == ""
    assert "check" in err and "explain" in err


def test_unknown_option_exits_2(capsys) -> None:
    code, _, err = run(capsys, "check", "--frobnicate")
    assert code == EXIT_ERROR
    assert "unrecognized arguments: --frobnicate" in err


def test_version(capsys) -> None:
    from healthlint import __version__

    code, out, _ = run(capsys, "--version")
    assert code == EXIT_OK
    assert out.strip() == f"healthlint {__version__}"


def test_exit_codes(site: Path, capsys) -> None:
    assert run(capsys, "check", "--no-config", "neutral.md")[0] == EXIT_OK
    assert run(capsys, "check", "--no-config", "page.md")[0] == EXIT_FINDINGS
    assert run(capsys, "check", "--no-config", "page.md", "missing.md")[0] == EXIT_ERROR
    assert run(capsys, "check", "--no-config", "neutral.md", "missing.md")[0] == EXIT_ERROR


# Crashes inside a format, a rule or an output -------------------------------------------------


def test_a_crashing_format_is_a_file_error_and_the_run_goes_on(site: Path, capsys,
                                                               monkeypatch) -> None:
    from healthlint.builtin.formats.markdown import MarkdownFormat

    def explode(self, source: str, path: str):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(MarkdownFormat, "parse", explode)
    write(site / "other.txt", "Our clinic offers injections that are risk-free.\n")
    code, out, err = run(capsys, "check", "--no-cache", "--no-config", "--output-format", "concise",
                         "page.md", "other.txt")
    assert code == EXIT_ERROR
    assert ("page.md: error: the markdown format failed to read this file: "
            "RuntimeError('parser exploded')") in out
    assert [c[:4] for c in concise_codes(out)] == [("other.txt", 1, 39, "HL104")]
    assert "Traceback" not in err


def test_a_crashing_rule_is_a_file_error_and_other_rules_still_report(site: Path, capsys,
                                                                     monkeypatch) -> None:
    from healthlint.builtin import relations

    def explode(self, analysis, *args):
        raise ZeroDivisionError("rule bug")

    monkeypatch.setattr(relations.ClaimChecker, "check", explode)
    code, out, err = run(capsys, "check", "--no-cache", "--no-config", "--output-format", "concise",
                         "page.md")
    assert code == EXIT_ERROR
    assert ("page.md: error: rule HL104 (safety-claim-unsupported) failed: "
            "ZeroDivisionError('rule bug')") in out
    # HL108 is a disclosure rule, untouched by the crash.
    assert [c[3] for c in concise_codes(out)] == ["HL108"]
    assert "Traceback" not in err


def test_an_engine_crash_on_one_file_names_it_and_spares_the_others(site: Path, capsys,
                                                                   monkeypatch) -> None:
    import healthlint.engine

    original = healthlint.engine.parse_directives

    def explode_on_one(document):
        if document.path.endswith("twin.md"):
            raise IndexError("directive bug")
        return original(document)

    monkeypatch.setattr(healthlint.engine, "parse_directives", explode_on_one)
    write(site / "twin.md", PAGE)
    code, out, err = run(capsys, "check", "--no-cache", "--no-config", "--output-format", "concise",
                         "page.md", "twin.md")
    assert code == EXIT_INTERNAL
    assert "twin.md" in out + err
    assert [c[0] for c in concise_codes(out)] == ["page.md"] * 3


def test_a_crashing_output_is_an_internal_error(site: Path, capsys, monkeypatch) -> None:
    from healthlint.builtin.outputs.human import ConciseOutput

    def explode(self, report, stream, context):
        raise KeyError("renderer bug")

    monkeypatch.setattr(ConciseOutput, "render", explode)
    code, _, err = run(capsys, "check", "--no-config", "--output-format", "concise", "page.md")
    assert code == EXIT_INTERNAL
    assert "Traceback" in err and "KeyError: 'renderer bug'" in err
    assert "internal error; please report it" in err


# Worker processes -----------------------------------------------------------------------------


def test_worker_processes_report_the_same_as_one_process(site: Path, capsys) -> None:
    for n in range(10):
        write(site / "many" / f"page{n}.md", PAGE.replace("our clinics", f"our clinics ({n})"))
    write(site / "many" / "bad.md", "")
    (site / "many" / "bad.md").write_bytes(b"We offer \xff care.\n")
    serial = run(capsys, "check", "--no-config", "-j", "1", "--output-format", "json", "many")
    parallel = run(capsys, "check", "--no-config", "-j", "3", "--output-format", "json", "many")
    assert serial[0] == parallel[0] == EXIT_ERROR
    assert json.loads(serial[1]) == json.loads(parallel[1])
    assert len(json.loads(parallel[1])["diagnostics"]) == 30


# Help, settings and rule tests ---------------------------------------------------------------


def test_check_help_names_every_built_in_output_format(capsys) -> None:
    from healthlint.cli import BUILTIN_OUTPUTS
    from healthlint.plugins import load_registry

    builtin = {name for (what, name), plugin in load_registry().owners.items()
               if what == "output format" and plugin == "builtin.outputs"}
    assert set(BUILTIN_OUTPUTS) == builtin
    assert main(["check", "--help"]) == EXIT_OK
    help_text = " ".join(capsys.readouterr().out.split())
    assert ", ".join(BUILTIN_OUTPUTS) in help_text


def test_show_settings_says_where_each_value_comes_from(site: Path, capsys) -> None:
    write(site / ".healthlint.yaml", "select: HL1\nper-path:\n  - paths: ['blog/**']\n"
                                     "    ignore: [HL104]\nexclude: ['drafts/**']\n")
    code, out, _ = run(capsys, "show-settings", "blog/post.md", "--fail-on", "error")
    assert code == EXIT_OK
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert rows["select"].endswith(".healthlint.yaml:1") and '["HL1"]' in rows["select"]
    assert rows["fail-on"].endswith("command line (--fail-on)") and '"error"' in rows["fail-on"]
    assert rows["profile"].endswith("default")
    assert rows["per-path"].endswith(".healthlint.yaml:2")
    assert "per-path[0] applies to blog/post.md." in out
    assert "blog/post.md is not excluded by 'exclude'." in out
    code, out, _ = run(capsys, "show-settings", "--output-format", "json", "drafts/a.md")
    document = json.loads(out)
    assert document["excluded"] is True
    assert document["settings"]["exclude"] == {"value": ["drafts/**"],
                                               "source": ".healthlint.yaml:5"}


def test_show_settings_without_a_configuration(site: Path, capsys) -> None:
    code, out, _ = run(capsys, "show-settings", "--no-config")
    assert code == EXIT_OK
    assert "Configuration: none (defaults)" in out
    assert all(line.rstrip().endswith("default") for line in out.splitlines()
               if line.startswith("  "))


@pytest.fixture
def demo_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from demo_plugin import install

    folder = install(site / "plugin-site")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    return site


def test_test_runs_the_examples_of_a_rule_folder(demo_site: Path, capsys) -> None:
    from demo_plugin import RULES

    code, out, _ = run(capsys, "test", "--no-config", str(RULES))
    assert code == EXIT_OK, out
    assert out.strip() == "Tested 1 rule: 4 examples, 4 passed, 0 failed."
    code, out, _ = run(capsys, "test", "--no-config", "--verbose", str(RULES))
    assert "  ok   flag (text): 'Our injections are completely safe.'" in out


def test_test_reports_the_examples_that_misbehave(demo_site: Path, capsys) -> None:
    from demo_plugin import RULES

    rule = (RULES / "DEMO10-completely-safe-sentence.yaml").read_text(encoding="utf-8")
    rule = rule.replace("    - Every procedure has some risk.",
                        "    - Every procedure has some risk.\n    - It is completely safe.")
    rule = rule.replace("    - Our injections are completely safe.",
                        "    - Our injections are completely safe.\n    - Nothing to see here.")
    write(demo_site / "house" / "DEMO10-completely-safe-sentence.yaml", rule)
    write(demo_site / ".healthlint.yaml", "rules: [house]\nignore: [DEMO10]\n")
    code, out, _ = run(capsys, "test")
    assert code == EXIT_FINDINGS
    assert "DEMO10-completely-safe-sentence.yaml: DEMO10 completely-safe-sentence" in out
    assert ("  FAIL flag (text): 'Nothing to see here.'\n"
            "         expected DEMO10 to flag it; it found nothing") in out
    assert ("  FAIL pass (text): 'It is completely safe.'\n"
            "         expected no finding; DEMO10 flagged line 1 column 1") in out
    assert out.rstrip().endswith("Tested 1 rule: 6 examples, 4 passed, 2 failed.")


def test_test_needs_rule_folders(site: Path, capsys) -> None:
    code, _, err = run(capsys, "test", "--no-config")
    assert code == EXIT_ERROR
    assert "no rule folders to test" in err


def test_a_run_leaves_the_collector_as_it_found_it(site: Path, capsys) -> None:
    import gc

    before = gc.get_threshold()
    assert main(["check", "--no-config", "--no-cache", "page.md"]) == EXIT_FINDINGS
    assert gc.get_threshold() == before
    assert gc.isenabled()  # only the command's own exit (run) turns it off
    assert main(["check", "--no-config", "--output-format", "nonsense", "."]) == EXIT_ERROR
    assert gc.get_threshold() == before


def _command(site: Path, prelude: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """The ``healthlint`` command (:func:`healthlint.cli.run`) with ``argv``, in a new
    process that first runs ``prelude`` (what a plugin could have done on import)."""
    code = f"{prelude}\nimport sys\nsys.argv = ['healthlint', *{list(argv)!r}]\n" \
        "from healthlint.cli import run\nrun()\n"
    return subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_command_runs_exit_handlers_and_flushes_its_report_as_it_exits(
        site: Path, capsys) -> None:
    argv = ("check", "--no-config", "--no-cache", "page.md")
    code, report, _ = run(capsys, *argv)
    assert code == EXIT_FINDINGS and "HL104" in report
    done = _command(site, "import atexit\natexit.register(print, 'handler ran')", *argv)
    assert (done.returncode, done.stdout) == (code, report + "handler ran\n"), done.stderr


def test_the_command_waits_for_a_thread_that_is_still_running(site: Path) -> None:
    # The thread prints once the main thread has finished (it does so as an ordinary exit
    # begins): an exit that did not wait for the thread would end the process before.
    prelude = ("import threading\nthreading.Thread(target=lambda: (\n"
               "    threading.main_thread().join(), print('thread done', flush=True))).start()")
    done = _command(site, prelude, "check", "--no-config", "--no-cache", "-q", "page.md")
    assert done.returncode == EXIT_FINDINGS, done.stderr
    assert done.stdout.rstrip().endswith("thread done")


def test_a_profiler_that_runs_the_command_still_prints_its_profile(site: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cProfile", "-m", "healthlint", "check",
                           "--no-config", "--no-cache", "-q", "page.md"], cwd=site,
                          capture_output=True, text=True, timeout=120, check=False)
    # cProfile ends the command's SystemExit itself, then prints the profile and exits 0.
    assert done.returncode == 0, done.stderr
    report, _, profile = done.stdout.partition(" function calls ")
    assert "HL104" in report and "Ordered by" in profile


def test_each_command_parses_as_it_does_with_every_command_built() -> None:
    from healthlint.cli import build_parser

    for argv in (["check", "-q", "--select", "HL1", "page.md"], ["baseline", "-o", "b.json"],
                 ["rules", "--pack", "health"], ["explain", "HL104", "--markdown"], ["plugins"],
                 ["show-settings", "docs"], ["test", "-v"], ["server", "--stdio"],
                 ["init", "--force"]):
        assert build_parser(argv[0]).parse_args(argv) == build_parser().parse_args(argv)
