"""Rule files that cannot be loaded: every error names the file, the YAML line, the rule and the
problem, and stops the run with exit code 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from healthlint.cli import EXIT_ERROR, EXIT_FINDINGS, main
from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.errors import HealthlintError, RuleError

RULE = r"""code: ZZ101
slug: miracle-word
category: cure-or-guarantee-claim
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


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def make_pack(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def load(folder: Path) -> Linter:
    return Linter(Settings(packs=(), rule_dirs=(str(folder),)))


def load_error(tmp_path: Path, files: dict[str, str]) -> RuleError:
    folder = make_pack(tmp_path / "house", files)
    with pytest.raises(RuleError) as caught:
        load(folder)
    assert isinstance(caught.value, HealthlintError)
    return caught.value


def test_a_valid_local_rule_loads_and_reports(tmp_path: Path) -> None:
    linter = load(make_pack(tmp_path / "house", {"ZZ101-miracle-word.yaml": RULE}))
    assert list(linter.rules) == ["ZZ101"]
    assert linter.rules["ZZ101"].pack == "house"
    result = linter.lint_text("Our knee injections are a miracle.\n", "page.txt")
    assert [(d.code, d.start.column, d.message) for d in result.diagnostics] == [
        ("ZZ101", 27, 'Miracle wording "miracle"')]


def test_unknown_key_names_the_nearest_valid_key(tmp_path: Path) -> None:
    text = RULE.replace("summary:", "sumary: A typo.\nsummary:")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.path == str(tmp_path / "house" / "ZZ101.yaml")
    assert error.line == line_of(text, "sumary:") == 6
    assert "rule ZZ101" in str(error)
    assert "unknown key 'sumary'" in str(error) and "did you mean 'summary'?" in str(error)
    assert str(error).startswith(f"{error.path}:6: ")


def test_unknown_key_in_options_names_the_option_line(tmp_path: Path) -> None:
    text = RULE.replace("  triggers:", "  trigers: []\n  triggers:")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == line_of(text, "trigers:") == 14
    assert "unknown key 'trigers'" in error.reason and "did you mean 'triggers'?" in error.reason


def test_invalid_regex_carries_the_regex_engine_message(tmp_path: Path) -> None:
    text = RULE.replace(r"    - \bmiracle\b", "    - \\bmiracle\\b\n    - \\bwonder (cure\\b")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == line_of(text, "wonder") == 16
    assert "rule ZZ101" in error.reason
    assert "invalid regex" in error.reason and "missing )" in error.reason
    assert "wonder (cure" in error.reason


def test_missing_field_is_named(tmp_path: Path) -> None:
    text = RULE.replace("""message: 'Miracle wording "{match}"'\n""", "")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == 1
    assert "rule ZZ101" in error.reason and "'message'" in error.reason


def test_duplicate_code_names_both_files(tmp_path: Path) -> None:
    other = RULE.replace("miracle-word", "wonder-word")
    error = load_error(tmp_path, {"ZZ101-a.yaml": RULE, "ZZ101-b.yaml": other})
    assert error.path == str(tmp_path / "house" / "ZZ101-b.yaml")
    assert error.line == 1
    assert "duplicate code 'ZZ101'" in error.reason
    assert str(tmp_path / "house" / "ZZ101-a.yaml") in error.reason


def test_duplicate_slug_across_two_files_names_both_files(tmp_path: Path) -> None:
    other = RULE.replace("ZZ101", "ZZ102")
    error = load_error(tmp_path, {"ZZ101.yaml": RULE, "ZZ102.yaml": other})
    assert error.path == str(tmp_path / "house" / "ZZ102.yaml")
    assert error.line == line_of(other, "slug:") == 2
    assert "rule ZZ102" in error.reason and "duplicate slug 'miracle-word'" in error.reason
    assert str(tmp_path / "house" / "ZZ101.yaml") in error.reason


def test_duplicate_slug_across_two_packs(tmp_path: Path) -> None:
    first = make_pack(tmp_path / "one", {"ZZ101.yaml": RULE})
    second = make_pack(tmp_path / "two", {"ZZ102.yaml": RULE.replace("ZZ101", "ZZ102")})
    with pytest.raises(RuleError) as caught:
        Linter(Settings(packs=(), rule_dirs=(str(first), str(second))))
    assert str(first / "ZZ101.yaml") in str(caught.value)
    assert str(second / "ZZ102.yaml") in str(caught.value)


def test_a_slug_that_clashes_with_a_shipped_rule(tmp_path: Path) -> None:
    clash = RULE.replace("miracle-word", "safety-claim-unsupported")
    folder = make_pack(tmp_path / "house", {"ZZ101.yaml": clash})
    with pytest.raises(RuleError, match=r"duplicate slug 'safety-claim-unsupported'.*HL104"):
        Linter(Settings(rule_dirs=(str(folder),)))


def test_unknown_category_suggests_the_nearest(tmp_path: Path) -> None:
    text = RULE.replace("category: cure-or-guarantee-claim", "category: cure-or-guarantee")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == 3
    assert "unknown category 'cure-or-guarantee'" in error.reason
    assert "did you mean 'cure-or-guarantee-claim'?" in error.reason


def test_unknown_kind_suggests_the_nearest(tmp_path: Path) -> None:
    error = load_error(tmp_path, {"ZZ101.yaml": RULE.replace("kind: pattern", "kind: patern")})
    assert error.line == 4
    assert "rule ZZ101: unknown kind 'patern'; did you mean 'pattern'?" in error.reason


def test_unknown_profile(tmp_path: Path) -> None:
    text = RULE + "profiles:\n  mars: {severity: error}\n"
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == line_of(text, "mars:") == 20
    assert "rule ZZ101: unknown profile 'mars'" in error.reason


def test_a_profile_declared_by_the_pack_is_known(tmp_path: Path) -> None:
    folder = make_pack(tmp_path / "house", {
        "ZZ101.yaml": RULE + "profiles:\n  mars: {severity: error}\n",
        "pack.yaml": "profiles:\n  mars: Mars colony rules\n",
    })
    linter = Linter(Settings(packs=(), rule_dirs=(str(folder),), profile="mars"))
    [finding] = linter.lint_text("Our knee injections are a miracle.\n").diagnostics
    assert str(finding.severity) == "error"


def test_invalid_yaml_syntax_names_the_line(tmp_path: Path) -> None:
    text = RULE.replace("severity: warning", "severity: [warning")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == 6  # where the parser noticed the unclosed list
    assert error.reason.startswith("invalid YAML: ")


def test_duplicate_yaml_key_is_an_error_not_a_silent_merge(tmp_path: Path) -> None:
    text = RULE.replace("severity: warning", "severity: warning\nseverity: error")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == 6
    assert "duplicate key 'severity'" in error.reason


def test_unknown_term_class(tmp_path: Path) -> None:
    text = RULE.replace("options:\n", "options:\n  with: [wonders]\n")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == line_of(text, "with: [wonders]") == 14
    assert "rule ZZ101" in error.reason and "unknown term class 'wonders'" in error.reason


def test_a_misspelt_term_class_gets_a_suggestion(tmp_path: Path) -> None:
    text = RULE.replace("options:\n", "options:\n  unless: [negatoin]\n")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert "did you mean 'negation'?" in error.reason


def test_a_pattern_that_matches_empty_text(tmp_path: Path) -> None:
    text = RULE.replace(r"    - \bmiracle\b", "    - (?:miracle)?")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == 15
    assert "rule ZZ101: pattern '(?:miracle)?' matches empty text" in error.reason


@pytest.mark.parametrize(
    ("option", "needle", "expected"),
    [
        ("  with: paragraph\n", "with:", "with must be"),
        ("  unless: 3\n", "unless:", "unless must be array"),
    ],
)
def test_a_kind_option_of_the_wrong_type(tmp_path: Path, option: str, needle: str,
                                         expected: str) -> None:
    text = RULE.replace("options:\n", "options:\n" + option)
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == line_of(text, needle) == 14
    assert f"rule ZZ101: {expected}" in error.reason


def test_a_claim_option_of_the_wrong_type(tmp_path: Path) -> None:
    text = RULE.replace("kind: pattern", "kind: claim").replace(
        "options:\n  triggers:\n    - \\bmiracle\\b\n",
        "options:\n  terms: {miracle: [miracle]}\n  claims: [{find: miracle}]\n"
        "  evidence:\n    hedges:\n      strong: lots\n")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == line_of(text, "strong: lots") == 18
    assert "evidence.hedges.strong must be integer" in error.reason


def test_a_kind_whose_level_does_not_fit_the_category(tmp_path: Path) -> None:
    text = RULE.replace("kind: pattern", "kind: disclosure").replace(
        "options:\n", "options:\n  accept: [disclaimer]\n")
    error = load_error(tmp_path, {"ZZ101.yaml": text})
    assert error.line == 4
    assert "document-level" in error.reason


def test_a_term_file_with_a_broken_phrase_names_its_file_and_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, {
        "ZZ101.yaml": RULE,
        "terms/wonders.txt": "# Wonder words.\nmarvel\nmarvel(\n",
    })
    assert error.path == str(tmp_path / "house" / "terms" / "wonders.txt")
    assert error.line == 3
    assert "phrase 'marvel('" in error.reason


def test_rule_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    error = load_error(tmp_path, {"ZZ101.yaml": "- one\n- two\n"})
    assert (error.line, error.reason) == (1, "a rule file must hold one mapping")


def test_a_missing_rule_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="rule pack folder does not exist"):
        load(tmp_path / "nowhere")


def test_a_broken_rule_pack_named_in_the_config_stops_the_cli(tmp_path: Path, capsys,
                                                              monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = RULE.replace("summary:", "sumary: A typo.\nsummary:")
    make_pack(tmp_path / "house", {"ZZ101.yaml": text})
    (tmp_path / "cfg.yaml").write_text("rules: [house]\n", encoding="utf-8")
    (tmp_path / "page.md").write_text("We offer a miracle cure.\n", encoding="utf-8")
    code = main(["check", "--config", "cfg.yaml", "page.md"])
    out, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert out == ""
    rule_file = Path("house") / "ZZ101.yaml"  # relative to the configuration, as it was named
    assert err == (f"healthlint: error: {rule_file}:6: rule ZZ101: unknown key 'sumary' in top "
                   "level; did you mean 'summary'?\n")


def test_a_working_rule_pack_named_in_the_config_is_used(tmp_path: Path, capsys,
                                                         monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_pack(tmp_path / "house", {"ZZ101.yaml": RULE})
    (tmp_path / "cfg.yaml").write_text("rules: [house]\nselect: [ZZ]\n", encoding="utf-8")
    (tmp_path / "page.md").write_text("We offer a miracle cure.\n", encoding="utf-8")
    code = main(["check", "--config", "cfg.yaml", "--output-format", "concise", "page.md"])
    out, _ = capsys.readouterr()
    assert code == EXIT_FINDINGS
    assert out.splitlines()[0] == 'page.md:1:12: ZZ101 warning Miracle wording "miracle"'


def test_the_readme_rule_example_loads_and_its_examples_hold(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", readme, re.M | re.S)
    example = next(block for block in blocks if block.startswith("code: "))
    folder = make_pack(tmp_path / "acme", {"ACME201-free-trial-pressure.yaml": example})
    linter = Linter(Settings(rule_dirs=(str(folder),), select=("ACME201",)))
    rule = linter.rules["ACME201"]
    assert rule.pack == "acme" and rule.examples
    for example_case in rule.examples:
        codes = [d.code for d in linter.lint_text(example_case.text).diagnostics]
        assert codes == (["ACME201"] if example_case.flags else []), example_case.text


def test_only_folders_with_pack_yaml_are_shipped_packs(tmp_path: Path, monkeypatch) -> None:
    """Rules parked in a folder without pack.yaml (not yet ported) are not loaded."""
    from healthlint.builtin import packs
    from healthlint.plugins import load_registry

    (tmp_path / "ready").mkdir()
    (tmp_path / "ready" / "pack.yaml").write_text("name: ready\ndescription: Ready rules\n")
    (tmp_path / "parked").mkdir()
    (tmp_path / "parked" / "ZZ1-broken.yaml").write_text("code: ZZ1\n")
    monkeypatch.setattr(packs, "shipped_rules_dir", lambda: tmp_path)
    registry = load_registry(autoload=False)
    assert "ready" in registry.packs
    assert "parked" not in registry.packs


# Hostile YAML ---------------------------------------------------------------------------------


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_a_rule_file_is_refused_with_its_line(tmp_path: Path) -> None:
    """491 bytes that expand to 387 million nodes took 13 s and 1.1 GB, or ended in
    MemoryError and exit 3; the expansion is now capped and the file refused."""
    error = load_error(tmp_path, {"ZZ101-bomb.yaml": _alias_bomb()})
    assert error.path and error.path.endswith("ZZ101-bomb.yaml")
    assert error.line == 2
    assert "YAML aliases expand this file more than 10 times its size" in error.reason


def test_an_alias_bomb_in_a_yaml_file_of_any_kind_is_refused(tmp_path: Path) -> None:
    from healthlint.rules import read_yaml

    path = tmp_path / "vocab.yaml"
    path.write_text("vocabularies:\n  x:\n    terms: [ok]\n" + _alias_bomb(levels=12, width=4))
    with pytest.raises(RuleError, match="aliases expand"):
        read_yaml(path)


def test_a_bomb_on_the_command_line_exits_2(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_pack(tmp_path / "house", {"ZZ101-bomb.yaml": _alias_bomb()})
    (tmp_path / ".healthlint.yaml").write_text("rules: [house]\n", encoding="utf-8")
    (tmp_path / "page.md").write_text("Fine.\n", encoding="utf-8")
    assert main(["check", "page.md"]) == EXIT_ERROR
    assert "ZZ101-bomb.yaml:2: YAML aliases expand" in capsys.readouterr().err


def test_a_thousand_levels_of_nesting_are_read_without_recursion(tmp_path: Path) -> None:
    from healthlint.rules import read_yaml

    path = tmp_path / "deep.yaml"
    depth = 990  # libyaml refuses deeper flow nesting itself
    path.write_text("a: " + "[" * depth + "x" + "]" * depth + "\n", encoding="utf-8")
    data, lines = read_yaml(path)
    assert lines[("a",)] == 1
    assert (("a",) + (0,) * depth) in lines
    assert data is not None


def test_a_plugin_that_exits_while_it_is_imported_is_named(tmp_path: Path, capsys,
                                                           monkeypatch) -> None:
    """It used to end the run with its own exit code (0) and no output at all."""
    from demo_plugin import install

    site = install(tmp_path / "site", "healthlint_quitter", "import sys\nsys.exit(0)\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    # Linters are kept per configuration within a process: start from none, so this run
    # loads the plugins installed now.
    from healthlint import runner

    monkeypatch.setattr(runner, "_worker_linters", {})
    (tmp_path / "page.md").write_text("Fine.\n", encoding="utf-8")
    assert main(["check", "--no-config", str(tmp_path / "page.md")]) == EXIT_ERROR
    assert ("installed plugin 'quitter' (healthlint_quitter) failed to load: called sys.exit(0)"
            in capsys.readouterr().err)
