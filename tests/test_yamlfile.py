"""Reading YAML: a document read once comes back from the cache exactly as parsed."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from healthlint import yamlfile
from healthlint.cache import CACHE_ENV, Cache
from healthlint.errors import RuleError
from healthlint.yamlfile import read_yaml

RULE = """\
code: ZZ900
options:
  claims:
    - find: [verb, ailment]
      gap: 3
    - find: cure
flags: [true, 1, 1.5, null]
"""


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "yaml-v2" in p.parts
            and not p.name.startswith(".")]


def test_a_second_read_comes_from_the_cache_with_the_same_lines(
        tmp_path: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rule.yaml"
    path.write_text(RULE)
    first = read_yaml(path)
    assert len(stored(cache_folder)) == 1

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yamlfile, "_parse", no_parsing)
    again = read_yaml(path)
    assert again == first
    assert again[1][("options", "claims", 1, "find")] == 6
    assert [type(v) for v in again[0]["flags"]] == [bool, int, float, type(None)]


def test_a_document_read_back_does_not_import_the_parser(
        tmp_path: Path, cache_folder: Path) -> None:
    """A run whose YAML all comes from the cache never pays for importing PyYAML."""
    path = tmp_path / "rule.yaml"
    path.write_text(RULE)
    read_yaml(path)
    script = ("import sys; from pathlib import Path; from healthlint.yamlfile import read_yaml; "
              f"data, lines = read_yaml(Path({str(path)!r})); "
              "assert lines[('options', 'claims', 1, 'find')] == 6; "
              "print('yaml' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, CACHE_ENV: str(cache_folder)}, check=True)
    assert ran.stdout.strip() == "False"


def test_a_changed_file_is_read_again(tmp_path: Path, cache_folder: Path) -> None:
    path = tmp_path / "rule.yaml"
    path.write_text(RULE)
    read_yaml(path)
    path.write_text(RULE.replace("gap: 3", "gap: 4"))
    assert read_yaml(path)[0]["options"]["claims"][0]["gap"] == 4


def test_what_json_cannot_give_back_is_parsed_every_time(tmp_path: Path,
                                                         cache_folder: Path) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text("when: 2026-11-27\n1: one\n")
    for _ in range(2):
        data, _ = read_yaml(path)
        assert data == {"when": datetime.date(2026, 11, 27), 1: "one"}
    assert stored(cache_folder) == []


def test_a_bad_file_is_never_stored_and_still_names_its_line(tmp_path: Path,
                                                             cache_folder: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\na: 2\n")
    for _ in range(2):
        with pytest.raises(RuleError) as caught:
            read_yaml(path)
        assert caught.value.line == 2
    assert stored(cache_folder) == []


def test_an_entry_of_the_wrong_shape_is_parsed_afresh(tmp_path: Path, cache_folder: Path) -> None:
    path = tmp_path / "rule.yaml"
    path.write_text(RULE)
    expected = read_yaml(path)
    cache, key = yamlfile._cache(RULE)
    assert isinstance(cache, Cache)
    for wrong in (b"no line break", b"{not json\n[]", b"[1, 2"):
        cache.put(key, wrong)
        assert read_yaml(path) == expected


@pytest.mark.parametrize("lines", [b"[[[\"a\"], \"x\"]]", b"{}", b"[[1, 2, 3]]", b"[not json",
                                   b"[[[\"code\"], 1], [[\"code\"], 2]]"])
def test_stored_lines_of_the_wrong_shape_are_found_again(lines: bytes, tmp_path: Path,
                                                         cache_folder: Path) -> None:
    path = tmp_path / "rule.yaml"
    path.write_text(RULE)
    data, expected = read_yaml(path)
    cache, key = yamlfile._cache(RULE)
    assert isinstance(cache, Cache)
    payload = cache.get(key)
    assert payload is not None
    cache.put(key, payload.partition(b"\n")[0] + b"\n" + lines)
    again, again_lines = read_yaml(path)
    assert again == data and dict(again_lines) == dict(expected)
    assert again_lines[("options", "claims", 1, "find")] == 6


def test_no_cache_folder_reads_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    path = tmp_path / "rule.yaml"
    path.write_text(RULE)
    assert read_yaml(path)[0] == yaml.safe_load(RULE)
