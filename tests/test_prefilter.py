"""Anchors: derived from a trigger's syntax tree, and remembered on disk between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.cache import CACHE_ENV
from healthlint.prefilter import Prefilter, anchors_for, anchors_for_all


def test_anchor_sets_are_conjunctions_of_required_literals() -> None:
    assert anchors_for(r"\btreat(?:s|ed)?\b") == (frozenset({"treat"}),)
    sets = anchors_for(r"(?:surgery|drugs)[^.]{0,40}\b(?:is|are) (?:useless|worthless)")
    assert set(sets) == {frozenset({"useless", "worthless"}), frozenset({"surgery", "drugs"})}
    assert anchors_for(r"\d+ ?%") == (frozenset({"%"}),)  # a rare symbol can anchor
    assert anchors_for(r"\w+ \d+") is None  # nothing literal required: checks every sentence


def test_overlapping_anchors_are_all_found() -> None:
    prefilter = Prefilter({("A", 0): (frozenset({"liminat"}),), ("B", 0): (frozenset({"eliminate"}),)})
    hits = prefilter.hits("We eliminate pain.")
    assert hits[("A", 0, 0)] == [4] and hits[("B", 0, 0)] == [3]


def test_anchors_are_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = anchors_for_all([r"\bcure[sd]?\b", r"\w+"])
    files = [p for p in (tmp_path / "anchors-v2").rglob("*") if p.is_file() and len(p.name) == 64]
    assert len(files) == 1
    assert anchors_for_all([r"\w+", r"\bcure[sd]?\b"]) == first  # same entry, any order
    files[0].write_bytes(files[0].read_bytes().replace(b"cure", b"zzzz"))
    assert anchors_for_all([r"\bcure[sd]?\b", r"\w+"]) == first  # altered: rebuilt
    assert b"cure" in files[0].read_bytes()


def test_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert anchors_for_all([r"\bcure\b"]) == {r"\bcure\b": (frozenset({"cure"}),)}
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
