"""Baselines: written stably, read strictly, applied by fingerprint and by count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from healthlint.baseline import (
    BASELINE_VERSION,
    Baseline,
    BaselineEntry,
    apply_baseline,
    baseline_of,
    load_baseline,
    write_baseline,
)
from healthlint.errors import ConfigError
from healthlint.fingerprint import fingerprint
from healthlint.types import FileError, Report
from outputs.builders import flag, page_level, report, result

KNEE = "content/knee.md"
KNEE_SOURCE = "# Knee\n\nOur injections help 95% of patients.\nThey cure arthritis.\n"
HIP = "content/hip.md"
HIP_SOURCE = "Hip pain? 9 in 10 patients recover fully.\n"


def _today() -> Report:
    return report(
        result(
            KNEE,
            KNEE_SOURCE,
            [
                flag(KNEE, KNEE_SOURCE, "95% of patients"),
                flag(KNEE, KNEE_SOURCE, "cure arthritis", "HL104"),
            ],
        ),
        result(
            HIP,
            HIP_SOURCE,
            [flag(HIP, HIP_SOURCE, "9 in 10 patients"), page_level(HIP, HIP_SOURCE)],
        ),
    )


def test_written_file_is_versioned_sorted_and_reviewable(tmp_path: Path) -> None:
    target = tmp_path / "healthlint-baseline.json"
    write_baseline(_today(), target)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["version"] == BASELINE_VERSION
    assert document["tool"] == "healthlint"
    entries = document["entries"]
    assert [(e["path"], e["code"], e["text"]) for e in entries] == [
        (HIP, "HL101", "9 in 10 patients"),
        (HIP, "HL201", ""),
        (KNEE, "HL101", "95% of patients"),
        (KNEE, "HL104", "cure arthritis"),
    ]
    assert all(set(e) == {"path", "code", "fingerprint", "text"} for e in entries)
    assert target.read_bytes().endswith(b"}\n")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_writing_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_baseline(_today(), first)
    shuffled = _today()
    shuffled.files.reverse()
    for file in shuffled.files:
        file.diagnostics.reverse()
    write_baseline(shuffled, second)
    assert first.read_bytes() == second.read_bytes()


def test_long_flagged_text_is_shortened_for_review(tmp_path: Path) -> None:
    source = "Claim: " + "really " * 30 + "works.\n"
    target = tmp_path / "b.json"
    write_baseline(report(result(KNEE, source, [flag(KNEE, source, source.strip())])), target)
    text = json.loads(target.read_text(encoding="utf-8"))["entries"][0]["text"]
    assert len(text) == 80
    assert text.endswith("…")


def test_round_trip_hides_every_existing_finding(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    written = write_baseline(_today(), target)
    loaded = load_baseline(target)
    assert loaded.entries == written.entries
    assert loaded.path == str(target)
    filtered, unmatched = apply_baseline(_today(), loaded)
    assert filtered.diagnostics == []
    assert unmatched == []


def test_new_findings_are_reported_and_moved_ones_are_not(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    write_baseline(_today(), target)
    edited = (
        "# Knee\n\nNew intro.\n\nOur injections help 95% of patients.\nNow with 100% success.\n"
    )
    later = report(
        result(
            KNEE,
            edited,
            [flag(KNEE, edited, "95% of patients"), flag(KNEE, edited, "100% success")],
        ),
    )
    filtered, unmatched = apply_baseline(later, load_baseline(target))
    assert [d.span for d in filtered.diagnostics] == [later.diagnostics[1].span]
    assert [(e.path, e.code, e.text) for e in unmatched] == [(KNEE, "HL104", "cure arthritis")]


def test_counts_are_respected() -> None:
    source = "Helps 95% of patients. Yes, 95% of patients.\n"
    once = report(result(KNEE, source, [flag(KNEE, source, "95% of patients")]))
    twice = report(
        result(
            KNEE,
            source,
            [flag(KNEE, source, "95% of patients"), flag(KNEE, source, "95% of patients", nth=1)],
        )
    )
    filtered, unmatched = apply_baseline(twice, baseline_of(once))
    assert len(filtered.diagnostics) == 1
    assert unmatched == []


def test_duplicate_entries_in_a_hand_edited_file_each_hide_one_finding() -> None:
    finding = flag(KNEE, KNEE_SOURCE, "95% of patients")
    entry = BaselineEntry(KNEE, "HL101", fingerprint(finding, KNEE_SOURCE), "95% of patients")
    filtered, unmatched = apply_baseline(
        report(result(KNEE, KNEE_SOURCE, [finding])), Baseline((entry, entry))
    )
    assert filtered.diagnostics == []
    assert unmatched == [entry]


def test_stale_entries_only_for_files_linted_in_this_run(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    write_baseline(_today(), target)
    only_hip_fixed = report(result(HIP, "Hip pain? Ask us.\n"))
    _, unmatched = apply_baseline(only_hip_fixed, load_baseline(target))
    assert {(e.path, e.code) for e in unmatched} == {(HIP, "HL101"), (HIP, "HL201")}


def test_file_errors_and_sources_pass_through_untouched(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    write_baseline(_today(), target)
    error = FileError(HIP, "rule HL101 timed out")
    current = _today()
    current.files[1].errors.append(error)
    filtered, _ = apply_baseline(current, load_baseline(target))
    assert filtered.files[1].errors == [error]
    assert [f.source for f in filtered.files] == [KNEE_SOURCE, HIP_SOURCE]
    assert filtered.rules is current.rules
    assert len(current.diagnostics) == 4, "the input report is not modified"


def test_windows_paths_match_a_baseline_written_with_posix_paths(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    write_baseline(_today(), target)
    windows = "content\\knee.md"
    current = report(
        result(
            windows,
            KNEE_SOURCE,
            [
                flag(windows, KNEE_SOURCE, "95% of patients"),
                flag(windows, KNEE_SOURCE, "cure arthritis", "HL104"),
            ],
        )
    )
    filtered, unmatched = apply_baseline(current, load_baseline(target))
    assert filtered.diagnostics == []
    assert unmatched == []


def test_non_ascii_text_is_kept_readable(tmp_path: Path) -> None:
    path = "contenu/genou é.md"
    source = "Guérit 95 % des patients.\n"
    target = tmp_path / "b.json"
    write_baseline(report(result(path, source, [flag(path, source, "Guérit 95 %")])), target)
    raw = target.read_text(encoding="utf-8")
    assert "Guérit 95 %" in raw and "genou é.md" in raw
    assert load_baseline(target).entries[0].path == path


def test_undecodable_file_names_round_trip(tmp_path: Path) -> None:
    path = "content/caf\udce9.md"
    target = tmp_path / "b.json"
    rep = report(result(path, KNEE_SOURCE, [flag(path, KNEE_SOURCE, "95% of patients")]))
    write_baseline(rep, target)
    assert "caf\\udce9.md" in target.read_text(encoding="utf-8")
    assert load_baseline(target).entries[0].path == path
    assert apply_baseline(rep, load_baseline(target))[0].diagnostics == []


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(ConfigError, match="baseline file not found") as caught:
        load_baseline(missing)
    assert str(missing) in str(caught.value)


def test_invalid_json_names_the_file_and_line(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_text('{\n  "version": 1,\n  "entries": [,]\n}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON") as caught:
        load_baseline(target)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{target}:3: ")


def test_undecodable_file(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_bytes(b'{"version": 1, "entries": ["\xff"]}')
    with pytest.raises(ConfigError, match="cannot read baseline file") as caught:
        load_baseline(target)
    assert caught.value.path == str(target)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "not a healthlint baseline"),
        ({"version": 1}, "not a healthlint baseline"),
        ({"version": 1, "entries": {}}, "not a healthlint baseline"),
        ({"version": "1", "entries": []}, "must be a positive integer"),
        ({"version": True, "entries": []}, "must be a positive integer"),
        ({"version": 0, "entries": []}, "must be a positive integer"),
        ({"version": 1, "entries": ["x"]}, "entry 0 must be an object"),
        ({"version": 1, "entries": [{"path": "a", "code": "HL1"}]}, "entry 0 must be an object"),
        (
            {"version": 1, "entries": [{"path": "a", "code": "H", "fingerprint": "f", "text": 3}]},
            'entry 0: "text" must be a string',
        ),
    ],
)
def test_wrong_shape(tmp_path: Path, document: object, message: str) -> None:
    target = tmp_path / "b.json"
    target.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_baseline(target)
    assert caught.value.path == str(target)


def test_newer_version_is_refused_with_advice(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_text(
        json.dumps({"version": BASELINE_VERSION + 1, "entries": []}), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"newer than this healthlint reads.*upgrade"):
        load_baseline(target)


def test_a_sarif_file_is_not_mistaken_for_a_baseline(tmp_path: Path) -> None:
    target = tmp_path / "healthlint.sarif"
    target.write_text(json.dumps({"version": "2.1.0", "runs": []}), encoding="utf-8")
    with pytest.raises(ConfigError, match="not a healthlint baseline"):
        load_baseline(target)


def test_a_deeply_nested_file_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="nests too deeply"):
        load_baseline(path)


@pytest.mark.parametrize("where", ["missing/folder/b.json", "."])
def test_writing_where_it_cannot_is_an_error_with_the_path(tmp_path: Path, where: str) -> None:
    target = tmp_path / where
    with pytest.raises(ConfigError, match="cannot write the baseline") as caught:
        write_baseline(_today(), target)
    assert caught.value.path == str(target)


def test_a_read_only_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = open

    def refuse(file: object, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if mode == "x":  # chmod cannot stop root, so the folder's refusal is simulated
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(ConfigError, match="cannot write the baseline: Permission denied"):
        write_baseline(_today(), tmp_path / "b.json")


def test_the_summary_counts_baselined_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from healthlint.cli import main

    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.md"
    page.write_text("We offer PRP injections. Our treatment is risk-free.\n", encoding="utf-8")
    assert main(["baseline", "--no-config", "-o", "b.json", "page.md"]) == 0
    capsys.readouterr()
    assert main(["check", "--no-config", "--baseline", "b.json", "page.md"]) == 0
    assert "All clear: no findings in 1 file (2 baselined findings not shown)." in (
        capsys.readouterr().out)
    page.write_text(page.read_text() + "\nIt cures arthritis.\n", encoding="utf-8")
    main(["check", "--no-config", "--baseline", "b.json", "page.md"])
    assert "in 1 file (2 baselined findings not shown)." in capsys.readouterr().out
    main(["check", "--no-config", "--baseline", "b.json", "--output-format", "json", "page.md"])
    assert json.loads(capsys.readouterr().out)["summary"]["baselined"] == 2
