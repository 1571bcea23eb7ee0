"""Anchors: derived from a trigger's syntax tree, and remembered on disk between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.prefilter import CACHE_ENV, Prefilter, anchors_for, anchors_for_all


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
    files = list(tmp_path.glob("anchors-*.json"))
    assert len(files) == 1
    assert anchors_for_all([r"\w+", r"\bcure[sd]?\b"]) == first  # same file, any order
    files[0].write_text("{not json")
    assert anchors_for_all([r"\bcure[sd]?\b", r"\w+"]) == first  # a corrupt cache is rebuilt


def test_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    monkeypatch.chdir(tmp_path)
    assert anchors_for_all([r"\bcure\b"]) == {r"\bcure\b": (frozenset({"cure"}),)}
    assert not list(tmp_path.rglob("anchors-*.json"))
