"""Reading pages: special files are refused by type, never read or waited on; UTF-16 and
UTF-32 pages with a byte-order mark are linted; a NUL anywhere marks a binary file."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from healthlint.cli import EXIT_ERROR, EXIT_FINDINGS, main
from healthlint.source import MAX_BYTES, SourceError, decode, encode, read_path, read_stream

CLAIM = "We offer PRP injections. Our treatment is risk-free.\n"
CLAIM_COLUMN = CLAIM.index("risk-free") + 1


def check_json(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, dict]:
    code = main(["check", "--no-config", "--output-format", "json", "--select", "HL104", *paths])
    return code, json.loads(capsys.readouterr().out)


def errors(document: dict) -> dict[str, str]:
    return {e["path"]: e["message"] for e in document["errors"]}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path, capsys,
                                                              monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo("pipe.md")
    Path("good.md").write_text(CLAIM)
    code, document = check_json(capsys, "pipe.md", "good.md")
    assert code == EXIT_ERROR
    assert errors(document) == {"pipe.md": "not a regular file: a named pipe (FIFO)"}
    assert [d["path"] for d in document["diagnostics"]] == ["good.md"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it(capsys) -> None:
    code, document = check_json(capsys, "--format", "text", "/dev/zero")
    assert code == EXIT_ERROR
    assert errors(document) == {"/dev/zero": "not a regular file: a character device"}


def test_a_symbolic_link_loop_is_named_as_one(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.symlink("b.md", "a.md")
    os.symlink("a.md", "b.md")
    os.symlink("nowhere.md", "broken.md")
    code, document = check_json(capsys, "a.md", "broken.md")
    assert code == EXIT_ERROR
    assert errors(document) == {
        "a.md": "symbolic link loop: the link leads back to itself",
        "broken.md": "broken symbolic link to 'nowhere.md'",
    }


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_pages_with_a_mark_are_linted_in_their_characters(
        tmp_path: Path, capsys, monkeypatch, encoding: str) -> None:
    monkeypatch.chdir(tmp_path)
    text = "# Ünsere Klinik 🙂\n\n" + CLAIM
    Path("page.md").write_bytes(("\ufeff" + text).encode(encoding))
    code, document = check_json(capsys, "page.md")
    assert code == EXIT_FINDINGS
    (finding,) = document["diagnostics"]
    assert (finding["line"], finding["column"]) == (3, CLAIM_COLUMN)
    assert not document["errors"]


def test_a_nul_after_the_first_8_kib_marks_a_binary_file(tmp_path: Path, capsys,
                                                         monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("page.md").write_text("Knee pain has many causes.\n" * 1000 + "\0" + CLAIM)
    code, document = check_json(capsys, "page.md")
    assert code == EXIT_ERROR
    assert errors(document) == {"page.md": "binary file (contains NUL bytes)"}
    assert not document["diagnostics"]


def test_a_nul_on_standard_input_is_refused(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Fine.\0" + CLAIM.encode())))
    code, document = check_json(capsys, "-")
    assert code == EXIT_ERROR
    assert errors(document) == {"<stdin>": "standard input is binary (contains NUL bytes)"}


def test_standard_input_is_read_up_to_the_cap() -> None:
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            buffer[:] = b"a" * len(buffer)
            return len(buffer)

    with pytest.raises(SourceError, match="larger than 128 MiB"):
        read_stream(io.BufferedReader(Endless()))  # type: ignore[arg-type]
    assert MAX_BYTES == 128 * 1024 * 1024


def test_a_utf16_mark_with_broken_data_is_reported() -> None:
    with pytest.raises(SourceError, match="not valid UTF-16-LE"):
        decode(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")  # a lone high surrogate


def test_a_decoded_page_encodes_back_to_its_bytes() -> None:
    for data in (b"\xef\xbb\xbfplain\r\n", "\ufeffweit".encode("utf-16-be"), b"no mark"):
        source = decode(data)
        assert not source.text.startswith("\ufeff")
        assert encode(source.text, source) == data


def test_a_directory_read_as_a_page_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        read_path(str(tmp_path))
