"""No page text, file name or message reaches a terminal or a CI log raw, and every output
is valid UTF-8 (machine outputs strict JSON) whatever the page or file name holds."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import pytest

from healthlint.cli import EXIT_INTERNAL, main
from healthlint.display import scrub, scrub_data, visible

ESC = "\x1b"
HOSTILE_PAGE = (f"We offer PRP injections. {ESC}]0;owned{ESC}\\Our treatment is risk-free "
                f"{ESC}[2J{ESC}]8;;https://evil.example{ESC}\\here{ESC}]8;;{ESC}\\ "
                "\u202eand safe.\n")
HUMAN_FORMATS = ("full", "concise", "github")
JSON_FORMATS = ("json", "sarif", "gitlab")
ALL_FORMATS = (*HUMAN_FORMATS, *JSON_FORMATS, "junit", "checkstyle")
OUR_COLOURS = re.compile(r"\x1b\[(?:[0-9;]*)m")


def run_bytes(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, bytes]:
    code = main(list(argv))
    out, err = capsysbinary.readouterr()
    return code, out, err


def strict_json(data: bytes) -> object:
    """Parse as a strict parser would: UTF-8 only, no lone surrogate escapes."""
    text = data.decode("utf-8")
    assert not re.search(r"\\ud[89a-f][0-9a-f]{2}", text, re.IGNORECASE), "lone surrogate escape"
    return json.loads(text)


@pytest.mark.parametrize(("text", "shown"), [
    ("a\x1bb", "a\u241bb"),
    ("tab\tand\nnew\rline", "tab\u2409and\u240anew\u240dline"),
    ("del\x7f", "del\u2421"),
    ("c1\x9bx", "c1\\x9bx"),
    ("bidi\u202eevil", "bidi\\u202eevil"),
    ("caf\udce9.md", "caf\\xe9.md"),
    ("lone\ud800", "lone\ufffd"),
    ("plain text, é and 🙂", "plain text, é and 🙂"),
])
def test_visible_shows_every_control_character(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_visible_can_keep_line_breaks_for_healthlint_own_layout() -> None:
    assert visible("a\n\tb\r\x1b", newlines=True) == "a\n\tb\u240d\u241b"


def test_scrub_replaces_lone_surrogates_only() -> None:
    assert scrub("ok \x1b \ud800 \udce9") == "ok \x1b \ufffd \ufffd"
    assert scrub_data({"a\ud800": ["x\udfff", 1, None]}) == {"a\ufffd": ["x\ufffd", 1, None]}


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
def test_escape_sequences_in_a_page_never_reach_the_terminal(tmp_path: Path, capsysbinary,
                                                             monkeypatch, fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("page.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    _, out, _ = run_bytes(capsysbinary, "check", "--no-config", "--color", "always",
                          "--output-format", fmt, "page.md")
    text = out.decode("utf-8")
    assert "risk-free" in text
    assert ESC not in OUR_COLOURS.sub("", text), "only healthlint's own colours"
    assert "\u202e" not in text
    if fmt == "full":
        assert "\u241b]0;owned" in text, "the sequence is shown, not dropped"


def test_with_colour_off_no_escape_sequence_at_all(tmp_path: Path, capsysbinary,
                                                   monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("page.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    _, out, _ = run_bytes(capsysbinary, "check", "--no-config", "--color", "never", "page.md")
    assert ESC.encode() not in out


@pytest.mark.skipif(sys.platform == "win32", reason="file names with line breaks are POSIX")
def test_a_file_name_cannot_start_a_workflow_command(tmp_path: Path, capsysbinary,
                                                     monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("evil\n::error file=x.md::INJECTED.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    for fmt in ("github", "full", "concise"):
        _, out, _ = run_bytes(capsysbinary, "check", "--no-config", "--output-format", fmt, ".")
        lines = out.decode("utf-8").splitlines()
        assert not [line for line in lines if line.startswith("::error file=x.md")], fmt
        shown = "evil\u240a%3A%3Aerror file=x.md%3A%3AINJECTED.md" if fmt == "github" else (
            "evil\u240a::error file=x.md::INJECTED.md")
        assert any(shown in line for line in lines), (fmt, lines)


def _page_with_a_lone_surrogate(folder: Path) -> None:
    # A YAML escape in front matter is the one way a page's text holds a lone surrogate.
    (folder / "page.md").write_text(
        '---\ndescription: "We offer PRP that cures autism\\uD800 and more."\n---\n\n'
        "We offer PRP injections. Our treatment is risk-free.\n", encoding="utf-8")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_a_lone_surrogate_in_front_matter_never_breaks_an_output(tmp_path: Path, capsysbinary,
                                                                 monkeypatch, fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    _page_with_a_lone_surrogate(tmp_path)
    code, out, err = run_bytes(capsysbinary, "check", "--no-config", "--output-format", fmt,
                               "page.md")
    assert code != EXIT_INTERNAL, err
    text = out.decode("utf-8")
    assert "\ud800" not in text
    if fmt in JSON_FORMATS:
        strict_json(out)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                    reason="needs a file system that takes any bytes in a name")
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_a_file_name_that_is_not_utf8_gives_valid_utf8(tmp_path: Path, capsysbinary,
                                                       monkeypatch, fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.md"), "w", encoding="utf-8") as f:
        f.write(HOSTILE_PAGE)
    code, out, err = run_bytes(capsysbinary, "check", "--no-config", "--output-format", fmt, ".")
    assert code != EXIT_INTERNAL, err
    text = out.decode("utf-8")
    if fmt in JSON_FORMATS:
        strict_json(out)
    if fmt in HUMAN_FORMATS:
        assert "caf\\xe9.md" in text or "caf%5Cxe9.md" in text


@pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                    reason="needs a file system that takes any bytes in a name")
def test_output_file_takes_a_name_that_is_not_utf8(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.md"), "w", encoding="utf-8") as f:
        f.write(HOSTILE_PAGE)
    for fmt in ALL_FORMATS:
        code = main(["check", "--no-config", "--output-format", fmt, "--output-file", "out", "."])
        assert code != EXIT_INTERNAL, capsys.readouterr().err
        Path("out").read_bytes().decode("utf-8")


def test_messages_on_standard_error_are_shown_safely(tmp_path: Path, capsys) -> None:
    config = tmp_path / "bad\x1b[2J.yaml"
    config.write_text("select: [HL1\n", encoding="utf-8")
    main(["check", "--config", str(config), str(tmp_path)])
    err = capsys.readouterr().err
    assert ESC not in err and "bad\u241b[2J.yaml" in err


def test_a_control_character_in_stdin_text_is_shown(capsysbinary, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(HOSTILE_PAGE.encode())))
    _, out, _ = run_bytes(capsysbinary, "check", "--no-config", "--stdin-filename",
                          "x\x1b.md", "-")
    assert ESC.encode() not in out
    assert "x\u241b.md".encode() in out
