"""Configuration files: found per file, validated with file and line, and applied."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from healthlint.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main
from healthlint.config import ConfigResolver, Settings
from healthlint.errors import ConfigError
from healthlint.types import Severity

# HL108 (warning; error under google-ads), HL104 error at "risk-free" and warning at "low risk".
PAGE = """\
# Knee care

We offer PRP injections at our clinics, and our treatment is risk-free.

The procedure itself is low risk.
"""
# Third-person prose: not promotional, so claim rules stay quiet.
NEUTRAL = """\
# About knee injections

Knee injections are risk-free for most people, according to this leaflet.
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], str]:
    """Run ``check`` with JSON output; returns exit code, diagnostics and stderr."""
    code = main(["check", "--output-format", "json", *argv])
    out, err = capsys.readouterr()
    diagnostics = json.loads(out)["diagnostics"] if out else []
    return code, diagnostics, err


def summary(diagnostics: list[dict]) -> list[tuple[str, str, str]]:
    return [(d["path"], d["code"], d["severity"]) for d in diagnostics]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# Finding the configuration --------------------------------------------------------------------


def test_nearest_configuration_wins_for_each_file(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "select: [HL108]\n")
    write(project / "shop" / ".healthlint.yaml", "ignore: [HL1]\n")
    write(project / "blog" / "deep" / ".healthlint.yml", "select: [HL104]\n")
    for folder in ("shop", "blog/deep", "plain"):
        write(project / folder / "page.md", PAGE)
    code, diagnostics, _ = check(capsys, "blog", "plain", "shop")
    assert code == EXIT_FINDINGS
    assert summary(diagnostics) == [
        ("blog/deep/page.md", "HL104", "error"),
        ("blog/deep/page.md", "HL104", "warning"),
        ("plain/page.md", "HL108", "warning"),
    ]


def test_configurations_do_not_merge_across_levels(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "ignore: [HL108]\n")
    write(project / "sub" / ".healthlint.yaml", "severity: {HL104: 'off'}\n")
    write(project / "sub" / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "sub/page.md")
    # Only the nearest file applies: HL108 is back, HL104 is off.
    assert [d["code"] for d in diagnostics] == ["HL108"]


def test_pyproject_tool_table_is_a_configuration(project: Path, capsys) -> None:
    write(project / "pyproject.toml",
          '[project]\nname = "site"\n\n[tool.healthlint]\nselect = ["HL104"]\n'
          'fail-on = "error"\n\n[tool.other]\nselect = ["nothing"]\n')
    write(project / "page.md", PAGE)
    code, diagnostics, _ = check(capsys, "page.md")
    assert [d["code"] for d in diagnostics] == ["HL104", "HL104"]
    assert code == EXIT_FINDINGS


def test_a_pyproject_without_the_table_is_skipped(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "select: [HL108]\n")
    write(project / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    write(project / "pkg" / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "pkg/page.md")
    assert [d["code"] for d in diagnostics] == ["HL108"]


def test_healthlint_yaml_beats_pyproject_in_the_same_folder(project: Path, capsys) -> None:
    write(project / "pyproject.toml", '[tool.healthlint]\nselect = ["HL108"]\n')
    write(project / ".healthlint.yaml", "select: [HL104]\n")
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "page.md")
    assert [d["code"] for d in diagnostics] == ["HL104", "HL104"]


def test_explicit_config_applies_to_every_path(project: Path, capsys) -> None:
    write(project / "a" / ".healthlint.yaml", "select: [HL104]\n")
    write(project / "a" / "page.md", PAGE)
    write(project / "b" / "page.md", PAGE)
    write(project / "settings" / "one.yaml", "select: [HL108]\n")
    _, diagnostics, _ = check(capsys, "--config", "settings/one.yaml", "a", "b")
    assert summary(diagnostics) == [("a/page.md", "HL108", "warning"),
                                    ("b/page.md", "HL108", "warning")]


def test_a_missing_explicit_config_is_an_error(project: Path, capsys) -> None:
    write(project / "page.md", PAGE)
    code, _, err = check(capsys, "--config", "absent.yaml", "page.md")
    assert code == EXIT_ERROR
    assert err == "healthlint: error: absent.yaml: configuration file not found\n"


def test_no_config_ignores_configuration_files(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "select: [HL108]\nexclude: ['page.md']\n")
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "--no-config", "page.md")
    assert [d["code"] for d in diagnostics] == ["HL108", "HL104", "HL104"]


def test_no_config_even_ignores_a_broken_configuration(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "selct: [HL108]\n")
    write(project / "page.md", PAGE)
    code, _, _ = check(capsys, "--no-config", "page.md")
    assert code == EXIT_FINDINGS


def test_stdin_uses_the_configuration_of_its_stdin_filename(project: Path, capsys,
                                                            monkeypatch) -> None:
    write(project / "shop" / ".healthlint.yaml", "select: [HL108]\n")

    class Stdin:
        buffer = io.BytesIO(PAGE.encode())

    monkeypatch.setattr(sys, "stdin", Stdin())
    _, diagnostics, _ = check(capsys, "--stdin-filename", "shop/new.md", "-")
    assert summary(diagnostics) == [("shop/new.md", "HL108", "warning")]


# Validation -----------------------------------------------------------------------------------


def test_unknown_key_in_yaml_names_file_line_and_nearest_key(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "# house style\nselect: [HL1]\nignor: [HL122]\n")
    write(project / "page.md", PAGE)
    code, diagnostics, err = check(capsys, "page.md")
    assert code == EXIT_ERROR
    assert diagnostics == []
    assert err == (f"healthlint: error: {project / '.healthlint.yaml'}:3: configuration: unknown "
                   "key 'ignor' in top level; did you mean 'ignore'?\n")


def test_unknown_key_in_per_path_yaml(project: Path) -> None:
    path = write(project / ".healthlint.yaml",
                 "per-path:\n  - paths: ['blog/**']\n    sevrity: {HL104: info}\n")
    with pytest.raises(ConfigError) as caught:
        ConfigResolver(str(path))
    assert caught.value.line == 3
    assert "unknown key 'sevrity'" in caught.value.reason
    assert "did you mean 'severity'?" in caught.value.reason


def test_unknown_key_in_pyproject_names_file_line_and_nearest_key(project: Path, capsys) -> None:
    write(project / "pyproject.toml",
          '[project]\nname = "site"\n\n[tool.healthlint]\nselect = ["HL1"]\nfail_on = "error"\n')
    write(project / "page.md", PAGE)
    code, _, err = check(capsys, "page.md")
    assert code == EXIT_ERROR
    assert err == (f"healthlint: error: {project / 'pyproject.toml'}:6: configuration: unknown "
                   "key 'fail_on' in top level; did you mean 'fail-on'?\n")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[tool.healthlint]\nselect = ["HL1"]\n\n[[tool.healthlint.per-path]]\n'
         'paths = ["blog/**"]\n\n[[tool.healthlint.per-path]]\npaths = ["shop/**"]\n'
         'sevrity = {HL104 = "info"}\n', 9, "unknown key 'sevrity' in per-path[1]"),
        ('[tool.healthlint]\nselect = ["HL1"]\n\n[tool.healthlint.severity]\nHL103 = "info"\n'
         'HL104 = "loud"\n', 6, "severity.HL104 must be one of"),
    ],
)
def test_errors_in_nested_pyproject_tables_name_their_line(project: Path, text: str, line: int,
                                                           message: str) -> None:
    path = write(project / "pyproject.toml", text)
    with pytest.raises(ConfigError) as caught:
        ConfigResolver(str(path))
    assert message in caught.value.reason
    assert caught.value.line == line


def test_invalid_toml_names_the_line(project: Path) -> None:
    path = write(project / "pyproject.toml", '[tool.healthlint]\nselect = = ["HL1"]\n')
    with pytest.raises(ConfigError) as caught:
        ConfigResolver(str(path))
    assert caught.value.reason.startswith("invalid TOML")
    # tomllib gives the position only in its message before Python 3.14.
    assert caught.value.line == 2 or "line 2" in caught.value.reason


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("select: 5\n", 1, "select must be array or string"),
        ("fail-on: sometimes\n", 1, "fail-on must be one of"),
        ("select: [HL1]\nseverity:\n  HL104: loud\n", 3, "severity.HL104 must be one of"),
        ("require-reason: 'yes'\n", 1, "require-reason must be boolean"),
        ("- select\n", 1, "configuration must be a mapping"),
        ("select: [HL1\n", 2, "invalid YAML"),
    ],
)
def test_wrong_value_types_name_the_line(project: Path, text: str, line: int,
                                         message: str) -> None:
    path = write(project / ".healthlint.yaml", text)
    with pytest.raises(ConfigError) as caught:
        ConfigResolver(str(path))
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in caught.value.reason


def test_an_empty_configuration_means_the_defaults(project: Path) -> None:
    path = write(project / ".healthlint.yaml", "# nothing yet\n")
    settings = ConfigResolver(str(path)).for_path("page.md")
    assert settings == Settings(path=str(path), root=str(project))


# Settings -------------------------------------------------------------------------------------


def test_per_path_overrides_severity_and_selection_for_a_glob(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", """\
per-path:
  - paths: ["blog/**"]
    severity: {HL104: info}
  - paths: ["shop/*.md"]
    ignore: [HL108]
""")
    for folder in ("blog/2024", "shop", "."):
        write(project / folder / "page.md", PAGE)
    code, diagnostics, _ = check(capsys, "--fail-on", "warning", ".")
    assert code == EXIT_FINDINGS
    assert summary(diagnostics) == [
        ("blog/2024/page.md", "HL108", "warning"),
        ("blog/2024/page.md", "HL104", "info"),
        ("blog/2024/page.md", "HL104", "info"),
        ("page.md", "HL108", "warning"),
        ("page.md", "HL104", "error"),
        ("page.md", "HL104", "warning"),
        ("shop/page.md", "HL104", "error"),
        ("shop/page.md", "HL104", "warning"),
    ]




def test_per_path_extend_select_turns_a_rule_on_for_a_glob(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml",
          "ignore: [HL104]\nper-path:\n  - paths: ['blog/**']\n    extend-select: [HL104]\n")
    write(project / "blog" / "page.md", PAGE)
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, ".")
    assert [(d["path"], d["code"]) for d in diagnostics if d["code"] == "HL104"] == [
        ("blog/page.md", "HL104"), ("blog/page.md", "HL104")]


def test_per_path_severity_turns_a_rule_on_for_a_glob(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml",
          "severity: {HL104: 'off'}\nper-path:\n  - paths: ['blog/**']\n"
          "    severity: {HL104: warning}\n")
    write(project / "blog" / "page.md", PAGE)
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, ".")
    assert [(d["path"], d["severity"]) for d in diagnostics if d["code"] == "HL104"] == [
        ("blog/page.md", "warning"), ("blog/page.md", "warning")]


def test_per_path_globs_are_relative_to_the_configuration(project: Path, capsys,
                                                          monkeypatch) -> None:
    write(project / "site" / ".healthlint.yaml",
          "per-path:\n  - paths: ['blog/**']\n    ignore: [HL1]\n")
    write(project / "site" / "blog" / "page.md", PAGE)
    monkeypatch.chdir(project / "site" / "blog")
    code, diagnostics, _ = check(capsys, "page.md")
    assert (code, diagnostics) == (EXIT_OK, [])


def test_exclude_applies_to_files_named_on_the_command_line(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "exclude: ['legal/**', 'drafts/*.md']\n")
    write(project / "legal" / "terms.md", PAGE)
    write(project / "drafts" / "new.md", PAGE)
    write(project / "page.md", PAGE)
    code, diagnostics, _ = check(capsys, "legal/terms.md", "drafts/new.md", "page.md", "legal")
    assert code == EXIT_FINDINGS
    assert {d["path"] for d in diagnostics} == {"page.md"}


def test_exclude_is_relative_to_the_configuration_not_the_working_directory(
        project: Path, capsys, monkeypatch) -> None:
    write(project / "site" / ".healthlint.yaml", "exclude: ['legal/**']\n")
    write(project / "site" / "legal" / "terms.md", PAGE)
    monkeypatch.chdir(project / "site" / "legal")
    _, diagnostics, err = check(capsys, "terms.md")
    assert diagnostics == []
    assert "terms.md is not linted: excluded by legal/**" in err


def test_fail_on_in_the_configuration(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "select: [HL108]\nfail-on: error\n")
    write(project / "page.md", PAGE)
    code, diagnostics, _ = check(capsys, "page.md")
    assert [d["severity"] for d in diagnostics] == ["warning"]
    assert code == EXIT_OK
    code, _, _ = check(capsys, "--fail-on", "warning", "page.md")  # the command line wins
    assert code == EXIT_FINDINGS


def test_fail_on_never_in_the_configuration(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "fail-on: never\n")
    write(project / "page.md", PAGE)
    code, diagnostics, _ = check(capsys, "page.md")
    assert diagnostics and code == EXIT_OK


def test_fail_on_never_on_the_command_line_overrides_the_configuration(project: Path,
                                                                        capsys) -> None:
    write(project / ".healthlint.yaml", "fail-on: error\n")
    write(project / "page.md", PAGE)
    code, _, _ = check(capsys, "--fail-on", "never", "page.md")
    assert code == EXIT_OK


def test_profile_in_the_configuration(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "select: [HL108]\nprofile: google-ads\n")
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "page.md")
    assert summary(diagnostics) == [("page.md", "HL108", "error")]
    _, diagnostics, _ = check(capsys, "--profile", "us", "page.md")
    assert summary(diagnostics) == [("page.md", "HL108", "warning")]


def test_unknown_profile_lists_the_known_ones(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "profile: mars\n")
    write(project / "page.md", PAGE)
    code, _, err = check(capsys, "page.md")
    assert code == EXIT_ERROR
    assert "unknown profile 'mars' (known: au, eu, google-ads, meta, uk, us)" in err
    assert str(project / ".healthlint.yaml") in err


def test_severity_overrides_in_the_configuration(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "severity:\n  HL108: error\n  HL10: 'off'\n")
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "page.md")
    # HL108 is the longer match, so it stays on; every other HL10x is off.
    assert summary(diagnostics) == [("page.md", "HL108", "error")]


def test_command_line_severity_replaces_the_configured_table(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "severity: {HL104: 'off'}\n")
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "--severity", "HL108=off", "page.md")
    assert [d["code"] for d in diagnostics] == ["HL104", "HL104"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("select: [HL14]\n", "select: 'HL14' names no rule"),
        ("severity: {HL1O4: info}\n", "severity: 'HL1O4' names no rule"),
        ("per-path:\n  - paths: ['x/**']\n    ignore: [safety]\n",
         "per-path: 'safety' names no rule"),
    ],
)
def test_a_configured_code_that_names_no_rule(project: Path, capsys, text: str,
                                              message: str) -> None:
    write(project / ".healthlint.yaml", text)
    write(project / "page.md", PAGE)
    code, diagnostics, err = check(capsys, "page.md")
    assert (code, diagnostics) == (EXIT_ERROR, [])
    assert err.startswith(f"healthlint: error: {project / '.healthlint.yaml'}: {message}")


def test_packs_naming_an_unknown_pack(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "packs: [health, wellness]\n")
    write(project / "page.md", PAGE)
    code, _, err = check(capsys, "page.md")
    assert code == EXIT_ERROR
    assert "unknown rule pack 'wellness' (installed: health)" in err


def test_packs_empty_turns_off_the_shipped_rules(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "packs: []\n")
    write(project / "page.md", PAGE)
    code, diagnostics, _ = check(capsys, "page.md")
    assert (code, diagnostics) == (EXIT_OK, [])


HOUSE_RULE = r"""code: ACME201
slug: free-trial-pressure
category: urgency-pressure
kind: pattern
severity: warning
summary: A free-trial offer that pushes the reader to act at once.
message: 'Pressure wording "{match}"'
docs:
  what: Free trials with a deadline.
  why: Fake deadlines are a dark pattern.
  instead: State the real terms.
  references: [House style guide]
options:
  triggers:
    - \bfree trial\b[^.]{0,40}\btoday only\b
examples:
  flag: [Start your free trial today only.]
  pass: [The free trial lasts a fortnight.]
"""


def test_extra_rule_folder_relative_to_the_configuration(project: Path, capsys,
                                                         monkeypatch) -> None:
    write(project / "site" / ".healthlint.yaml", "rules: [compliance/rules]\nselect: [ACME]\n")
    write(project / "site" / "compliance" / "rules" / "ACME201-free-trial-pressure.yaml",
          HOUSE_RULE)
    write(project / "site" / "offer.md", "Start your free trial of our gummies today only!\n")
    monkeypatch.chdir(project / "site" / "compliance")
    code, diagnostics, _ = check(capsys, "../offer.md")
    assert code == EXIT_FINDINGS
    assert [(d["code"], d["pack"], d["column"]) for d in diagnostics] == [("ACME201", "rules", 12)]


def test_vocabularies_extend_the_promotion_vocabulary(project: Path, capsys) -> None:
    page = ("# What is knee pain?\n\nSymptoms of knee pain include stiffness. "
            "Brightknee injections are risk-free for most people.\n")
    write(project / "page.md", page)
    _, [diagnostic], _ = check(capsys, "--select", "HL104", "page.md")
    # Reference prose with no seller's voice: lowered one level, with the reason.
    assert diagnostic["severity"] == "warning"
    assert any("reads as information" in note for note in diagnostic["notes"])
    write(project / ".healthlint.yaml", "vocabularies: [house/vocab.yaml]\nselect: [HL104]\n")
    write(project / "house" / "vocab.yaml",
          "vocabularies:\n  promotion:\n    terms: [brightknee]\n")
    code, diagnostics, _ = check(capsys, "page.md")
    assert code == EXIT_FINDINGS
    assert [(d["code"], d["severity"], d["line"], d["column"]) for d in diagnostics] == [
        ("HL104", "error", 3, page.split("\n")[2].index("risk-free") + 1)]


def test_a_regular_expression_in_a_vocabulary_is_refused_with_its_line(project: Path,
                                                                       capsys) -> None:
    write(project / "neutral.md", NEUTRAL)
    write(project / ".healthlint.yaml", "vocabularies: [house/vocab.yaml]\nselect: [HL104]\n")
    write(project / "house" / "vocab.yaml", "vocabularies:\n  promotion:\n    terms: ['\\A']\n")
    assert main(["check", "neutral.md"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "vocab.yaml:2: vocabulary 'promotion'" in err
    assert "phrases are words, not regular expressions" in err


def test_vocabularies_add_a_term_to_an_existing_vocabulary(project: Path, capsys) -> None:
    page = "# Our clinic\n\nA glowpod eases arthritis.\n"
    write(project / "page.md", page)
    _, diagnostics, _ = check(capsys, "--select", "HL123", "page.md")
    assert diagnostics == []  # "glowpod" is no product the shipped lexicons know
    write(project / ".healthlint.yaml", "vocabularies: [words.yaml]\nselect: [HL123]\n")
    write(project / "words.yaml", "vocabularies:\n  device:\n    terms: ['glowpod[s]']\n")
    _, diagnostics, _ = check(capsys, "page.md")
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [
        ("HL123", 3, page.split("\n")[2].index("eases") + 1)]
    assert "for a device" in diagnostics[0]["message"]


def test_rules_and_explain_read_the_configuration(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "rules: [house]\nprofile: uk\n")
    write(project / "house" / "ACME201-free-trial-pressure.yaml", HOUSE_RULE)
    assert main(["rules"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Profile: uk (")
    [row] = [line.split() for line in out.splitlines() if line.startswith("ACME201")]
    assert row == ["ACME201", "warning", "house", "pattern", "free-trial-pressure",
                   "(urgency-pressure)"]
    assert main(["explain", "free-trial-pressure"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("ACME201 free-trial-pressure\n")
    assert "Pack: house" in out and "  - Start your free trial today only." in out


def test_include_limits_what_directories_yield(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "include: ['content/**/*.md']\n")
    write(project / "content" / "a" / "page.md", PAGE)
    write(project / "content" / "notes.txt", PAGE)
    write(project / "other" / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, ".")
    assert {d["path"] for d in diagnostics} == {"content/a/page.md"}


def test_require_reason_and_unused_suppressions_in_the_configuration(project: Path,
                                                                     capsys) -> None:
    write(project / ".healthlint.yaml", "require-reason: true\nreport-unused-suppressions: true\n"
          "select: [HL104]\n")
    write(project / "page.md", "<!-- healthlint-disable HL113 -->\n<!-- healthlint-disable HL104 "
          "-- quoted from a study -->\n" + PAGE)
    _, diagnostics, _ = check(capsys, "page.md")
    # HL001 for the directive without a reason. Neither directive is unused: the HL104 one
    # suppresses, and HL113 is not selected, so an unused HL113 directive says nothing (HL002).
    assert sorted(d["code"] for d in diagnostics) == ["HL001"]


def test_settings_from_the_configuration(project: Path) -> None:
    path = write(project / ".healthlint.yaml", """\
packs: [health]
rules: [house]
vocabularies: [words.yaml]
profile: uk
select: [HL1]
ignore: [HL122]
extend-select: [HL001]
severity: {HL103: 'off', HL116: info}
fail-on: error
exclude: ["legal/**"]
require-reason: true
published-fields: [title, subtitle]
per-path:
  - paths: ["blog/**"]
    severity: {HL118: info}
""")
    settings = ConfigResolver().for_path(str(project / "page.md"))
    assert settings.path == str(path)
    assert settings.packs == ("health",)
    assert settings.rule_dirs == (str(project / "house"),)
    assert settings.vocabularies == (str(project / "words.yaml"),)
    assert settings.profile == "uk"
    assert (settings.select, settings.ignore, settings.extend_select) == (
        ("HL1",), ("HL122",), ("HL001",))
    assert settings.severity == {"HL103": Severity.OFF, "HL116": Severity.INFO}
    assert settings.fail_on == Severity.ERROR
    assert settings.exclude == ("legal/**",)
    assert settings.require_reason is True
    assert settings.published_fields == ("title", "subtitle")
    [override] = settings.per_path
    assert override.paths == ("blog/**",) and override.severity == {"HL118": Severity.INFO}


def test_unquoted_off_turns_a_rule_off(project: Path) -> None:
    # YAML 1.1 reads a bare off as false; the README's own example writes it bare.
    path = write(project / ".healthlint.yaml", "severity: {HL103: off, HL116: info}\n"
                 "per-path:\n  - paths: ['blog/**']\n    severity: {HL118: off}\n")
    settings = ConfigResolver(str(path)).for_path("page.md")
    assert settings.severity == {"HL103": Severity.OFF, "HL116": Severity.INFO}
    assert settings.per_path[0].severity == {"HL118": Severity.OFF}


def _readme_block(marker: str) -> str:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", readme, re.M | re.S)
    return next(block for block in blocks if marker in block)


def test_the_readme_configuration_example_loads_and_applies(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", _readme_block("per-path:"))
    (project / "compliance" / "rules").mkdir(parents=True)
    write(project / "compliance" / "vocab.yaml", "vocabularies: {}\n")
    write(project / "page.md", PAGE)
    write(project / "legal" / "terms.md", PAGE)
    code, diagnostics, err = check(capsys, ".")
    assert err == ""
    assert {d["path"] for d in diagnostics} == {"page.md"}  # legal/** is excluded
    assert code == EXIT_FINDINGS  # fail-on: error, and "risk-free" is an error


# Hostile and mistaken configuration -------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "message"), [
    ('tool = "x"\n', 1, "'tool' must be a table ([tool]), not a string"),
    ("[tool]\nhealthlint = 5\n", 2, "'tool.healthlint' must be a table ([tool.healthlint]), "
                                    "not an integer"),
    ('[[tool.healthlint]]\nselect = ["HL1"]\n', 1, "'tool.healthlint' must be a table "
                                                 "([tool.healthlint]), not an array of tables"),
])
def test_a_pyproject_of_the_wrong_shape_is_a_configuration_error(
        project: Path, capsys, text: str, line: int, message: str) -> None:
    write(project / "pyproject.toml", text)
    write(project / "page.md", PAGE)
    assert main(["check", "page.md"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert f"pyproject.toml:{line}: {message}" in err
    assert "Traceback" not in err


def test_a_pyproject_that_is_not_utf8_is_a_configuration_error(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_bytes(b'[tool.healthlint]\nselect = ["\xff"]\n')
    write(project / "page.md", PAGE)
    assert main(["check", "page.md"]) == EXIT_ERROR
    assert "pyproject.toml:2: not valid UTF-8 (byte 0xff at offset 29)" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["exclude", "include"])
def test_a_pattern_git_would_refuse_names_its_line(project: Path, capsys, key: str) -> None:
    write(project / ".healthlint.yaml", f"select: [HL1]\n{key}:\n  - '*.txt'\n  - '!'\n")
    write(project / "page.md", PAGE)
    assert main(["check", "page.md"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert f".healthlint.yaml:4: {key}: '!' is not a valid pattern" in err


def test_a_bad_per_path_pattern_names_its_line(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "per-path:\n  - paths: ['\\']\n    ignore: [HL104]\n")
    write(project / "page.md", PAGE)
    assert main(["check", "page.md"]) == EXIT_ERROR
    assert ".healthlint.yaml:2: per-path.0.paths: '\\\\' is not a valid pattern" in (
        capsys.readouterr().err)


def test_a_misspelt_per_path_key_gets_a_did_you_mean(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "per-path:\n  - path: ['blog/**']\n    ignore: [HL104]\n")
    write(project / "page.md", PAGE)
    assert main(["check", "page.md"]) == EXIT_ERROR
    assert ("configuration: unknown key 'path' in per-path[0]; did you mean 'paths'?"
            in capsys.readouterr().err)


def test_a_missing_required_key_is_named(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml", "per-path:\n  - ignore: [HL104]\n")
    write(project / "page.md", PAGE)
    assert main(["check", "page.md"]) == EXIT_ERROR
    assert "configuration: per-path[0] needs 'paths'" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["select: HL104\n", "select: 'HL104, HL108'\n",
                                  "select: HL104 HL108\n"])
def test_select_may_be_one_string_of_codes(project: Path, capsys, text: str) -> None:
    write(project / ".healthlint.yaml", text)
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, "page.md")
    codes = {d["code"] for d in diagnostics}
    assert "HL104" in codes
    assert codes <= {"HL104", "HL108"}


def test_per_path_ignore_may_be_one_string(project: Path, capsys) -> None:
    write(project / "pyproject.toml",
          '[tool.healthlint]\nselect = "HL104"\n[[tool.healthlint.per-path]]\n'
          'paths = ["blog/**"]\nignore = "HL104"\n')
    write(project / "blog" / "page.md", PAGE)
    write(project / "page.md", PAGE)
    _, diagnostics, _ = check(capsys, ".")
    assert {d["path"] for d in diagnostics} == {"page.md"}


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_the_configuration_is_refused(project: Path, capsys) -> None:
    """A 500-byte file that expands to 387 million nodes used 3 GB for a minute, then
    exited 1 ("findings"). Now it exits 2 naming the first alias's line."""
    write(project / ".healthlint.yaml", _alias_bomb())
    write(project / "page.md", PAGE)
    assert main(["check", "page.md"]) == EXIT_ERROR
    assert (".healthlint.yaml:2: YAML aliases expand this file more than 10 times its size"
            in capsys.readouterr().err)


def test_a_few_aliases_are_still_fine(project: Path, capsys) -> None:
    write(project / ".healthlint.yaml",
          "per-path:\n  - paths: ['a/**']\n    ignore: &quiet [HL104, HL108]\n"
          "  - paths: ['b/**']\n    ignore: *quiet\n")
    write(project / "a" / "page.md", PAGE)
    _code, diagnostics, _ = check(capsys, "a")
    assert not diagnostics
