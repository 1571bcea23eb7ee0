"""Fingerprints survive edits that do not touch a claim, and change when the claim does."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from healthlint import fingerprint as fingerprint_module
from healthlint.fingerprint import (
    file_fingerprints,
    fingerprint,
    normalise_path,
    normalise_text,
)
from outputs.builders import flag, page_level, result

PAGE = "content/knee.md"
SOURCE = "# Knee pain\n\nOur injections help 95% of patients walk again.\n"


def _print_of(source: str, text: str, path: str = PAGE, code: str = "HL101") -> str:
    return fingerprint(flag(path, source, text, code), source)


def test_same_claim_same_fingerprint_when_lines_are_added_above() -> None:
    moved = "# Knee pain\n\nA new intro paragraph.\n\nMore words.\n\n" + SOURCE.split("\n\n", 1)[1]
    assert _print_of(SOURCE, "95% of patients") == _print_of(moved, "95% of patients")


def test_whitespace_and_case_edits_keep_the_fingerprint() -> None:
    reflowed = "# Knee pain\n\nOur injections help 95%   OF\n   patients walk again.\n"
    assert _print_of(SOURCE, "95% of patients") == _print_of(reflowed, "95%   OF\n   patients")


def test_rewording_the_claim_changes_the_fingerprint() -> None:
    reworded = SOURCE.replace("95%", "90%")
    assert _print_of(SOURCE, "95% of patients") != _print_of(reworded, "90% of patients")


def test_rule_and_path_are_part_of_the_identity() -> None:
    base = _print_of(SOURCE, "95% of patients")
    assert base != _print_of(SOURCE, "95% of patients", code="HL104")
    assert base != _print_of(SOURCE, "95% of patients", path="content/hip.md")


def test_windows_and_posix_spellings_of_a_path_agree() -> None:
    windows = "content\\knee.md"
    assert _print_of(SOURCE, "95% of patients", path=windows) == _print_of(
        SOURCE, "95% of patients"
    )


def test_absolute_paths_are_made_relative_to_the_root(tmp_path: Path) -> None:
    absolute = str(tmp_path / "content" / "knee.md")
    diagnostic = flag(absolute, SOURCE, "95% of patients")
    assert fingerprint(diagnostic, SOURCE, root=str(tmp_path)) == _print_of(
        SOURCE, "95% of patients"
    )


def test_identical_claims_get_occurrence_indices_in_source_order() -> None:
    source = "Helps 95% of patients.\nReally: helps 95% OF patients.\n"
    first = flag(PAGE, source, "95% of patients")
    second = flag(PAGE, source, "95% OF patients")
    forward = file_fingerprints(result(PAGE, source, [first, second]))
    backward = file_fingerprints(result(PAGE, source, [second, first]))
    assert forward[0] != forward[1]
    assert backward == [forward[1], forward[0]]
    assert forward[0] == fingerprint(first, source, 0)
    assert forward[1] == fingerprint(second, source, 1)


def test_a_different_claim_in_between_does_not_shift_occurrences() -> None:
    source = "Cures colds. Helps 95% of patients.\n"
    alone = file_fingerprints(result(PAGE, source, [flag(PAGE, source, "95% of patients")]))
    with_other = file_fingerprints(
        result(
            PAGE,
            source,
            [flag(PAGE, source, "Cures colds", "HL104"), flag(PAGE, source, "95% of patients")],
        )
    )
    assert alone[0] == with_other[1]


def test_document_level_findings_ignore_text_but_stay_distinct() -> None:
    one = page_level(PAGE, SOURCE)
    other_page_text = "Completely different text.\n"
    assert fingerprint(one, SOURCE) == fingerprint(
        page_level(PAGE, other_page_text), other_page_text
    )
    twice = file_fingerprints(result(PAGE, SOURCE, [one, page_level(PAGE, SOURCE)]))
    assert len(set(twice)) == 2


def test_without_source_the_message_stands_in() -> None:
    a = flag(PAGE, SOURCE, "95% of patients", message="95% of patients: no source")
    b = flag(PAGE, SOURCE, "walk again", message="walk again: no source")
    assert fingerprint(a, None) != fingerprint(b, None)


def test_fingerprint_shape() -> None:
    value = _print_of(SOURCE, "95% of patients")
    assert len(value) == 32
    int(value, 16)


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("content/a.md", ".", "content/a.md"),
        ("./content//a.md", ".", "content/a.md"),
        ("content\\sub dir\\a.md", ".", "content/sub dir/a.md"),
        ("/site/content/a.md", "/site", "content/a.md"),
        ("/site/content/a.md", "/site/", "content/a.md"),
        ("/elsewhere/a.md", "/site", "/elsewhere/a.md"),
        ("/site2/a.md", "/site", "/site2/a.md"),
        ("C:\\site\\content\\a.md", "C:\\site", "content/a.md"),
        ("c:\\site\\content\\a.md", "C:\\site", "content/a.md"),
        ("D:\\other\\a.md", "C:\\site", "D:/other/a.md"),
        ("content/café #1 100%.md", ".", "content/café #1 100%.md"),
    ],
)
def test_normalise_path(path: str, root: str, expected: str) -> None:
    assert normalise_path(path, root) == expected


def test_normalise_text() -> None:
    assert normalise_text("  Cures\tALL\n\n  pain\u00a0fast ") == "cures all pain fast"
    assert normalise_text("STRASSE") == normalise_text("straße")


def test_module_depends_only_on_types_and_the_standard_library() -> None:
    tree = ast.parse(Path(fingerprint_module.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    for name in imported - {"__future__", "healthlint.types"}:
        assert name and name.split(".")[0] in sys.stdlib_module_names, name
