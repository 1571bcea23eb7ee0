"""Compiled shapes read back from the cache match exactly what compiling them matches, and a
damaged entry only costs a compile."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest
import regex

import healthlint.regexcache
from healthlint.cache import CACHE_ENV, Cache
from healthlint.regexcache import compiled
from healthlint.scan import SHAPE_FLAGS, Scanner, _whitespace_runs
from healthlint.terms import TermSet

SOURCES = [
    r"\b\d{1,3}(?:\.\d+)?\s*%",
    r"\b(?:heals?|cures?)\b(?<verb>\s+\w+)?",
    r"(?<=\.\s)\p{Lu}\w*",
    r"[™®]",
]
PAGE = "It heals fast. Cures acne in 90 % of cases. Brand™ cures 12.5% more. Heal it."


def found(patterns: list[regex.Pattern[str]]) -> list[list[tuple[tuple[int, int], dict]]]:
    return [[(m.span(), m.groupdict()) for m in p.finditer(PAGE)] for p in patterns]


def test_patterns_read_back_match_what_compiled_ones_match(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    expected = [regex.compile(source, SHAPE_FLAGS) for source in SOURCES]
    first = compiled(SOURCES, SHAPE_FLAGS)  # compiled now, stored
    monkeypatch.setattr(healthlint.regexcache.regex, "compile", refuse_source)
    second = compiled(SOURCES, SHAPE_FLAGS)  # read back: nothing is parsed again
    assert found(first) == found(second) == found(expected)  # type: ignore[arg-type]
    assert all(p is not None and p.flags == e.flags and p.pattern == e.pattern
               for p, e in zip(second, expected, strict=True))
    assert found(expected)[1], "the page exercises the shapes"


def test_a_source_that_does_not_compile_is_left_to_the_caller(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    for _ in range(2):  # compiled, then read back
        patterns = compiled([r"\d+", r"(unclosed"], SHAPE_FLAGS)
        assert patterns[0] is not None and patterns[0].findall("a 12 b") == ["12"]
        assert patterns[1] is None


def test_no_cache_compiles_nothing_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    assert compiled(SOURCES, SHAPE_FLAGS) == [None] * len(SOURCES)


@pytest.mark.parametrize("payload", [
    b"not marshal data",
    marshal.dumps([None]),  # another count
    marshal.dumps([("another source", 0)] * len(SOURCES)),
    marshal.dumps([{1, 2}] * len(SOURCES)),  # a set: not plain data
    marshal.dumps([(SOURCES[0], "flags")] * len(SOURCES)),  # refused by the constructor
    marshal.dumps([compile("1", "<entry>", "eval")] * len(SOURCES)),  # a code object
])
def test_a_damaged_entry_is_compiled_again(payload: bytes, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    expected = found([regex.compile(source, SHAPE_FLAGS) for source in SOURCES])
    compiled(SOURCES, SHAPE_FLAGS)
    cache = Cache.open("patterns", version=1)
    assert cache is not None
    [key] = cache.keys()
    cache.put(key, payload)
    patterns = compiled(SOURCES, SHAPE_FLAGS)
    assert found([p or regex.compile(s, SHAPE_FLAGS)  # type: ignore[misc]
                  for p, s in zip(patterns, SOURCES, strict=True)]) == expected


def test_a_scanner_finds_the_same_with_stored_patterns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from healthlint.scan import Shape

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    shapes = [Shape(f"shape_{index}", source) for index, source in enumerate(SOURCES)]
    cold = sorted(Scanner(TermSet(), shapes)._found(PAGE))
    monkeypatch.setattr(healthlint.regexcache.regex, "compile", refuse_source)
    assert sorted(Scanner(TermSet(), shapes)._found(PAGE)) == cold
    assert len({class_id for _, _, class_id in cold}) == len(SOURCES)
    assert _whitespace_runs(SOURCES[0]) == SOURCES[0]


def refuse_source(source: str, flags: int = 0) -> regex.Pattern[str]:
    if source == "":  # how the constructor is found, not a shape
        return regex.Regex("", flags)
    raise AssertionError(f"compiled again: {source!r}")


def test_compile_reads_a_module_pattern_back_and_reports_a_bad_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    source = r"(?<stop>[.!?]+)[\"')]*(?=\s+\p{Lu}|\s*$)"
    first = healthlint.regexcache.compile(source, regex.VERBOSE)
    monkeypatch.setattr(healthlint.regexcache.regex, "compile", refuse_source)
    again = healthlint.regexcache.compile(source, regex.VERBOSE)
    text = 'It works. Really!) Yes'
    assert [m.span() for m in again.finditer(text)] == [m.span() for m in first.finditer(text)]
    assert [m.group("stop") for m in again.finditer(text)] == [".", "!"]
    monkeypatch.undo()
    with pytest.raises(regex.error):
        healthlint.regexcache.compile("(unclosed")
