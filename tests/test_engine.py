"""The engine on bad and awkward input, and its public API (``lint_text``, ``lint_paths``).

Every problem is reported for its own file, the other files are still linted, and a run in
which a file could not be linted never exits 0.
"""

from __future__ import annotations

import errno
import json
import os
import pathlib
import time
from pathlib import Path

import pytest

import healthlint
import healthlint.scan
from healthlint.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main
from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.types import Diagnostic, FileError, Report, Severity

CLAIM = "Our clinic offers knee injections that are risk-free.\n"
"""A promotional sentence with one absolute safety claim (HL104 error) at column 44."""
CLAIM_COLUMN = CLAIM.index("risk-free") + 1


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", newline="")
    return path


def check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["check", "--no-config", "--output-format", "json", *argv])
    out, _err = capsys.readouterr()
    return code, json.loads(out)


def errors_by_path(document: dict) -> dict[str, list[tuple[int | None, str]]]:
    found: dict[str, list[tuple[int | None, str]]] = {}
    for error in document["errors"]:
        found.setdefault(error["path"], []).append((error["line"], error["message"]))
    return found


def flagged(document: dict) -> list[tuple[str, int, int, str]]:
    return [(d["path"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "good.txt", CLAIM)
    return tmp_path


# Files that cannot be linted ------------------------------------------------------------------


def test_a_missing_path_is_reported_and_the_rest_is_linted(workdir: Path, capsys) -> None:
    code, document = check_json(capsys, "missing.md", "good.txt")
    assert code == EXIT_ERROR
    assert errors_by_path(document) == {"missing.md": [(None, "no such file or directory")]}
    assert flagged(document) == [("good.txt", 1, CLAIM_COLUMN, "HL104")]


def _make_unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000, and where that does not stop reads (root), make the read fail anyway."""
    path.chmod(0)
    try:
        path.read_bytes()
    except PermissionError:
        return
    original = os.open

    def open_file(name: str, flags: int, *args: int, **kwargs: object) -> int:
        if pathlib.Path(name).resolve() == path.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(name))
        return original(name, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", open_file)


def test_an_unreadable_file_is_reported_and_the_rest_is_linted(workdir: Path, capsys,
                                                               monkeypatch) -> None:
    locked = write(workdir / "locked.md", CLAIM)
    _make_unreadable(locked, monkeypatch)
    try:
        code, document = check_json(capsys, "locked.md", "good.txt")
    finally:
        locked.chmod(0o644)
    assert code == EXIT_ERROR
    assert errors_by_path(document) == {
        "locked.md": [(None, "cannot read file: Permission denied")]}
    assert flagged(document) == [("good.txt", 1, CLAIM_COLUMN, "HL104")]


def test_an_unreadable_directory_is_reported_and_the_rest_is_linted(workdir: Path, capsys,
                                                                    monkeypatch) -> None:
    closed = workdir / "closed"
    write(closed / "inside.md", CLAIM)
    closed.chmod(0)
    try:
        os.listdir(closed)
    except PermissionError:
        pass
    else:  # root reads anything: make listing this one directory fail
        original = os.scandir

        def scandir(path: str = "."):
            if os.path.realpath(path) == os.path.realpath(closed):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return original(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        code, document = check_json(capsys, "closed", "good.txt")
    finally:
        closed.chmod(0o755)
    assert code == EXIT_ERROR
    assert errors_by_path(document) == {
        "closed": [(None, "cannot read directory: Permission denied")]}
    assert flagged(document) == [("good.txt", 1, CLAIM_COLUMN, "HL104")]


def test_a_binary_file_is_reported_and_the_rest_is_linted(workdir: Path, capsys) -> None:
    write(workdir / "image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + CLAIM.encode())
    code, document = check_json(capsys, "image.md", "good.txt")
    assert code == EXIT_ERROR
    assert errors_by_path(document) == {"image.md": [(None, "binary file (contains NUL bytes)")]}
    assert flagged(document) == [("good.txt", 1, CLAIM_COLUMN, "HL104")]


def test_a_latin1_file_is_reported_with_the_line_of_the_first_bad_byte(workdir: Path,
                                                                        capsys) -> None:
    text = "Our clinic is open daily.\nWe offer caf\xe9 and injections that are risk-free.\n"
    write(workdir / "latin.txt", text.encode("latin-1"))
    code, document = check_json(capsys, "latin.txt", "good.txt")
    assert code == EXIT_ERROR
    offset = text.encode("latin-1").index(b"\xe9")
    assert errors_by_path(document) == {
        "latin.txt": [(2, f"not valid UTF-8 (byte 0xe9 at offset {offset})")]}
    assert flagged(document) == [("good.txt", 1, CLAIM_COLUMN, "HL104")]


def test_human_output_names_the_file_and_line_of_a_file_error(workdir: Path, capsys) -> None:
    write(workdir / "latin.txt", "Fine line.\nCaf\xe9.\n".encode("latin-1"))
    assert main(["check", "--no-config", "latin.txt", "good.txt"]) == EXIT_ERROR
    out = capsys.readouterr().out
    assert "latin.txt:2:1: error: not valid UTF-8 (byte 0xe9 at offset 14)" in out
    assert out.splitlines()[-1] == "Found 1 finding (1 error) in 2 files. 1 file error."


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"], ids=["empty", "blank", "bom-only"])
def test_an_empty_file_is_linted_and_clean(workdir: Path, capsys, content: str) -> None:
    write(workdir / "empty.md", content)
    code, document = check_json(capsys, "empty.md")
    assert code == EXIT_OK
    assert document["diagnostics"] == [] and document["errors"] == []
    assert document["summary"]["files"] == 1


def test_malformed_markup_is_linted_with_a_warning_naming_file_and_line(workdir: Path,
                                                                        capsys) -> None:
    write(workdir / "broken.md", "---\ntitle: Our clinic\n\n" + CLAIM)
    code, document = check_json(capsys, "broken.md")
    assert code == EXIT_FINDINGS  # a warning about the markup does not make the run fail
    assert [(e["path"], e["line"], e["severity"]) for e in document["errors"]] == [
        ("broken.md", 1, "warning")]
    assert "front matter" in document["errors"][0]["message"]
    assert flagged(document) == [("broken.md", 4, CLAIM_COLUMN, "HL104")]


# Size -----------------------------------------------------------------------------------------


def test_a_line_of_a_million_characters_is_linted_at_the_right_column(linter: Linter) -> None:
    prefix = "Our clinic offers knee care. " + "walk " * 200_000
    text = prefix + "Our injections are risk-free. Thank you.\n"
    assert len(text) > 1_000_000
    start = time.perf_counter()
    result = linter.lint_text(text, "long.txt")
    assert time.perf_counter() - start < 60
    assert result.errors == []
    [finding] = [d for d in result.diagnostics if d.code == "HL104"]
    assert (finding.start.line, finding.start.column) == (1, text.index("risk-free") + 1)
    assert (finding.end.line, finding.end.column) == (1, text.index("risk-free") + 10)


BIG_HEAD = "# Über unsere Klinik\n\nWe offer knee injections. They are risk-free.\n\n"
BIG_FILLER = "The valley path winds past the old mill — the river runs clear in June.\n\n"
BIG_MIDDLE = "Our injections are completely safe for everyone.\n\n"
BIG_TAIL = "Café hours change in winter; our treatment is harmless.\n"
BIG_COUNT = 5 * 1024 * 1024 // len(BIG_FILLER.encode()) // 2


@pytest.fixture(scope="module")
def big_result(tmp_path_factory: pytest.TempPathFactory, linter: Linter):
    """A 5 MB promotional page, linted once for the tests below."""
    text = BIG_HEAD + BIG_FILLER * BIG_COUNT + BIG_MIDDLE + BIG_FILLER * BIG_COUNT + BIG_TAIL
    assert len(text.encode()) > 5 * 1024 * 1024
    page = write(tmp_path_factory.mktemp("big") / "big.md", text)
    return text, linter.lint_file(str(page))


@pytest.mark.slow
def test_a_five_megabyte_file_finishes_with_exact_positions(big_result) -> None:
    text, result = big_result
    lines = text.split("\n")
    found = [(d.start.line, d.start.column, lines[d.start.line - 1][d.start.column - 1:
                                                                   d.end.column - 1])
             for d in result.diagnostics if d.code == "HL104"]
    assert found == [
        (3, 36, "risk-free"),
        (5 + 2 * BIG_COUNT, 20, "completely safe"),
        (len(lines) - 1, 47, "harmless"),
    ]


@pytest.mark.slow
def test_a_five_megabyte_file_is_not_mistaken_for_catastrophic_backtracking(big_result) -> None:
    # Page-level patterns scan the whole page: linear work on a big page must stay inside the
    # time limit, which grows with the size searched.
    _, result = big_result
    assert result.errors == []


# Patterns that backtrack ----------------------------------------------------------------------

SLOW_RULE = r"""code: ZZ901
slug: runaway-pattern
category: urgency-pressure
kind: pattern
severity: warning
summary: A pattern that backtracks catastrophically on a run of one letter.
message: 'Runaway "{match}"'
docs:
  what: Runs of the letter a.
  why: To test the time limit.
  instead: Nothing.
  references: [none]
options:
  triggers:
    - (a|aa)+$
examples:
  flag: [aaaa]
  pass: [bbbb]
"""


def test_a_catastrophic_pattern_is_stopped_and_reported_for_its_rule_and_file(
        workdir: Path, capsys, monkeypatch) -> None:
    # The regex module copes with the textbook (a+)+$; (a|aa)+$ still takes exponential time.
    monkeypatch.setattr(healthlint.scan, "TIME_LIMIT", 0.2)
    write(workdir / "house" / "ZZ901-runaway-pattern.yaml", SLOW_RULE)
    write(workdir / ".healthlint.yaml", "rules: [house]\n")
    write(workdir / "slow.txt", CLAIM + "\n" + "a" * 40 + "b\n")
    start = time.perf_counter()
    code = main(["check", "--output-format", "json", "slow.txt", "good.txt"])
    elapsed = time.perf_counter() - start
    document = json.loads(capsys.readouterr().out)
    assert code == EXIT_ERROR
    assert elapsed < 30
    assert errors_by_path(document) == {"slow.txt": [(None, (
        "rule ZZ901 (runaway-pattern) was stopped after its time limit: one of its patterns "
        "backtracks catastrophically on this file"))]}
    # The other rules still report on the same file, and the other file is linted.
    assert flagged(document) == [("good.txt", 1, CLAIM_COLUMN, "HL104"),
                                 ("slow.txt", 1, CLAIM_COLUMN, "HL104")]


# Encodings and line endings -------------------------------------------------------------------


def test_a_byte_order_mark_is_not_a_column(workdir: Path, capsys) -> None:
    write(workdir / "bom.txt", "\ufeff" + CLAIM)
    _, document = check_json(capsys, "bom.txt")
    assert flagged(document) == [("bom.txt", 1, CLAIM_COLUMN, "HL104")]
    assert document["diagnostics"][0]["end_column"] == CLAIM_COLUMN + len("risk-free")


@pytest.mark.parametrize("name", ["crlf.txt", "crlf.md", "crlf.html"])
def test_crlf_line_endings_keep_lines_and_columns(workdir: Path, capsys, name: str) -> None:
    text = "Welcome.\r\n\r\nOur clinic offers knee injections.\r\nThey are completely\r\nsafe.\r\n"
    if name.endswith(".html"):
        text = ("<p>Welcome.</p>\r\n\r\n<p>Our clinic offers knee injections.\r\n"
                "They are completely\r\nsafe.</p>\r\n")
    write(workdir / name, text)
    _, document = check_json(capsys, "--select", "HL104", name)
    [d] = document["diagnostics"]
    line = text.split("\n")[d["line"] - 1]
    assert (d["line"], d["end_line"], d["end_column"]) == (4, 5, 5)
    assert line[d["column"] - 1:] == "completely\r"
    assert main(["check", "--no-config", "--select", "HL104", name]) == EXIT_FINDINGS
    frame = capsys.readouterr().out
    assert "4 | They are completely\n" in frame  # no stray carriage return in the code frame


# Public API -----------------------------------------------------------------------------------


def test_lint_text_returns_diagnostics_with_positions() -> None:
    text = "# Ours\n\nWe offer PRP injections.\n\nOur injections are risk-free.\n"
    diagnostics = healthlint.lint_text(text, "page.md")
    assert all(isinstance(d, Diagnostic) for d in diagnostics)
    by_code = {d.code: d for d in diagnostics}
    hl104 = by_code["HL104"]
    assert (hl104.start.line, hl104.start.column) == (5, 20)
    assert (hl104.end.line, hl104.end.column) == (5, 29)
    assert text[hl104.span.start:hl104.span.end] == "risk-free"
    assert hl104.severity == Severity.ERROR
    assert hl104.rule == "safety-claim-unsupported" and hl104.pack == "health"
    assert not hl104.document_level
    assert by_code["HL108"].document_level


def test_lint_text_format_comes_from_the_path_or_the_argument() -> None:
    text = "We offer knee injections. They are `risk-free`.\n"
    codes = [d.code for d in healthlint.lint_text(text, "page.txt")]
    assert "HL104" in codes and "HL003" not in codes
    assert healthlint.lint_text(text, "page.md") == []
    assert healthlint.lint_text(text, "page.txt", format="markdown") == []
    assert [d.code for d in healthlint.lint_text(text)] == ["HL104"]  # text by default


def test_lint_text_with_settings() -> None:
    settings = Settings(select=("HL108",))
    text = "We offer PRP injections. They are risk-free.\n"
    assert [d.code for d in healthlint.lint_text(text, "page.txt", settings=settings)] == ["HL108"]


def test_lint_paths_returns_a_report_with_errors_per_file(workdir: Path) -> None:
    write(workdir / "pages" / "a.md", "# Ours\n\n" + CLAIM)
    write(workdir / "pages" / "b.txt", b"We offer \xff.\n")
    report = healthlint.lint_paths(["pages", "good.txt", "absent.md"])
    assert isinstance(report, Report)
    assert [f.path for f in report.files] == [
        "absent.md", "good.txt", os.path.join("pages", "a.md"), os.path.join("pages", "b.txt")]
    assert [(d.path, d.code) for d in report.diagnostics] == [
        ("good.txt", "HL104"), (os.path.join("pages", "a.md"), "HL104")]
    assert [(e.path, e.line) for e in report.errors] == [
        ("absent.md", None), (os.path.join("pages", "b.txt"), 1)]
    assert all(isinstance(e, FileError) and e.severity == Severity.ERROR for e in report.errors)
    assert "HL104" in report.rules


def test_lint_file_never_raises(linter: Linter, tmp_path: Path) -> None:
    (tmp_path / "folder.md").mkdir()
    for path, message in [(tmp_path / "folder.md", "is a directory"),
                          (tmp_path / "absent.md", "cannot read file: No such file or directory")]:
        result = linter.lint_file(str(path))
        assert [e.message for e in result.errors] == [message]
        assert result.diagnostics == []


# Pages the rules cannot read ------------------------------------------------------------------


def test_a_page_in_another_language_is_reported_as_not_checked_instead_of_all_clear() -> None:
    text = ("Nuestro producto es el mejor para la salud de usted y su familia, y por eso lo "
            "recomendamos a todos los clientes. Con una dosis al día, los resultados de "
            "nuestros pacientes son muy buenos y no hay efectos secundarios en la mayoría de "
            "los casos que se conocen. Es una solución para toda la familia, con envío a su "
            "casa en menos de dos días, para que usted lo pruebe sin costo y con garantía.\n")
    [diagnostic] = healthlint.lint_text(text, "pagina.txt")
    assert (diagnostic.code, diagnostic.severity) == ("HL003", Severity.INFO)
    assert "not checked: page language es" in diagnostic.message
    assert healthlint.lint_text(text, "pagina.txt", settings=Settings(ignore=("HL003",))) == []


def test_a_short_foreign_phrase_on_an_english_page_does_not_stop_the_check() -> None:
    text = ("Our clinic offers PRP injections, and they are completely risk-free. "
            "Se habla español: llame para una cita.\n")
    codes = [d.code for d in healthlint.lint_text(text, "page.txt")]
    assert "HL104" in codes and "HL003" not in codes


# Genre ----------------------------------------------------------------------------------------

INFORMATIONAL = ("What is platelet-rich plasma? It is a treatment option for people with "
                 "tendon injuries. The injections are extremely safe.\n")


def test_a_page_without_a_provider_voice_is_lowered_one_level_with_the_reason() -> None:
    [finding] = healthlint.lint_text(INFORMATIONAL, "page.txt",
                                     settings=Settings(select=("HL104",)))
    assert (finding.code, finding.severity) == ("HL104", Severity.WARNING)
    assert "reads as information" in finding.message
    assert any("lowered from error" in note for note in finding.notes)


def test_a_genre_declared_in_front_matter_or_configuration_wins() -> None:
    page = "---\ntitle: PRP\nhealthlint-genre: promotion\n---\n\n" + INFORMATIONAL
    [finding] = healthlint.lint_text(page, "page.md", settings=Settings(select=("HL104",)))
    assert finding.severity == Severity.ERROR
    [finding] = healthlint.lint_text(INFORMATIONAL, "page.txt",
                                     settings=Settings(genre="promotion", select=("HL104",)))
    assert finding.severity == Severity.ERROR
