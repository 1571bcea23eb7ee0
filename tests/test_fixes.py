"""Suggested rewordings are applied only on request, atomically, keeping BOM and line endings."""

from __future__ import annotations

from pathlib import Path

from healthlint.cli import main

PAGE = "We offer knee injections at our clinic.\nOur injections are completely safe.\n"


def test_suggestions_are_not_applied_without_the_flags(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--no-config", str(page)]) == 1
    assert page.read_text() == PAGE
    assert main(["check", "--no-config", "--fix", str(page)]) == 1  # no safe fixes shipped
    assert page.read_text() == PAGE
    assert "--fix --unsafe-fixes" in capsys.readouterr().out


def test_unsafe_fixes_reword_and_keep_crlf_and_bom(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"\xef\xbb\xbf" + PAGE.replace("\n", "\r\n").encode())
    main(["check", "--no-config", "--fix", "--unsafe-fixes", str(page)])
    raw = page.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode()
    assert "completely safe" not in text
    assert "generally well tolerated; risks include" in text
    assert text.count("\r\n") == 2 and "\n" not in text.replace("\r\n", "")
    assert "Applied 1 fix" in capsys.readouterr().err
    assert not list(tmp_path.glob(".page.md.*")), "no temporary file left behind"


def test_unsafe_fixes_need_fix(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert main(["check", "--no-config", "--unsafe-fixes", str(page)]) == 2
    assert "--unsafe-fixes only takes effect with --fix" in capsys.readouterr().err


def test_a_bad_option_stops_the_run_before_any_file_is_rewritten(tmp_path: Path, capsys,
                                                                  monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    fix = ["check", "--no-config", "--fix", "--unsafe-fixes"]
    for options, message in [
        (["--output-format", "typo"], "unknown output format 'typo'"),
        (["--output", "sarif:missing/dir/out.sarif"], "No such file or directory"),
        (["--output-file", str(tmp_path)], "Is a directory"),
        (["--baseline", "missing.json"], "baseline"),
    ]:
        assert main([*fix, *options, "page.md"]) == 2
        err = capsys.readouterr().err
        assert message in err and "Applied" not in err
        assert page.read_text() == PAGE
    assert main([*fix, "page.md"]) == 1  # the same fix, with good options, does apply
    assert page.read_text() != PAGE
