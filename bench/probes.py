#!/usr/bin/env python3
"""Hostile-input probes: how time grows with the size of markup-heavy pages, and what
healthlint does with crafted files and names.

usage: python bench/probes.py [--src DIR] [--timeout SECS] [--shapes] [--cases]
                              [--only NAME] [--scale F]

Shapes. Each shape is a page generator taking a size ``n``; every size runs in its own
process, killed after ``--timeout`` seconds (printed as ``>T``), and the series of a
shape stops at its first timeout. Two times are printed per size:

  reader   the format reader, the directive parser and the sentence and clause
           splitters, which is what this script is about
  lint     the whole ``Linter.lint_text`` (the rule engine included)

``ratio`` is the time of the largest size over the smallest, divided by the size ratio:
about 1 for linear growth, about the size ratio for quadratic growth.

Cases. Each case writes files into a temporary folder, runs ``python -m healthlint``
on them and prints the exit code and what was wrong with the output, if anything
(a traceback, a control character from the page on the terminal, output that is not
UTF-8, JSON a strict parser rejects, a hang, a file changed that should not be).

``--src DIR`` measures the healthlint whose package is in DIR (a ``src`` folder), for
example a ``git archive`` of another commit; by default, this checkout's ``src``.
``--scale`` multiplies every shape size (0.1 for a quick look). The figures go to
standard output; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Shapes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    name: str
    format: str
    sizes: tuple[int, ...]
    unit: str
    make: Callable[[int], str]


def _claim_sentence_with_comment(n: int) -> str:
    return f"We offer stem cell therapy <!-- {'x' * n} --> that cures arthritis.\n"


def _html_sentence_with_svg(n: int) -> str:
    paths = "<path d='M0 0L1 1'/>" * (n // 20)
    return f"<p>Our clinic offers stem cell therapy <svg>{paths}</svg> that cures arthritis.</p>\n"


_CLAIM_WORDS = ("our stem cell therapy cures arthritis and is risk-free and 100% safe with "
                "guaranteed results and studies show 90% of patients heal ")
_SHORT_CLAIMS = "We cure pain. It is risk-free. Studies show it works. 90% heal fast. "
_EXAMPLE = REPO / "examples" / "stem-cell-clinic.md"


def _repeated_example(n: int) -> str:
    page = _EXAMPLE.read_text(encoding="utf-8")
    return page * max(1, n // len(page))


SHAPES: tuple[Shape, ...] = (
    Shape("one unpunctuated claim-dense sentence", "text", (10_000, 20_000, 40_000, 100_000),
          "chars", lambda n: (_CLAIM_WORDS * (n // len(_CLAIM_WORDS) + 1))[:n] + ".\n"),
    Shape("a paragraph of short claim sentences", "text", (10_000, 20_000, 40_000, 100_000),
          "chars", lambda n: (_SHORT_CLAIMS * (n // len(_SHORT_CLAIMS) + 1))[:n] + "\n"),
    Shape("the bundled stem-cell example repeated", "markdown",
          (1_000_000, 5_000_000, 10_000_000), "chars", _repeated_example),
    Shape("<!-- ... --> inside a Markdown sentence", "markdown",
          (5_000, 10_000, 20_000, 40_000, 80_000), "comment chars", _claim_sentence_with_comment),
    Shape("inline <svg> inside an HTML sentence", "html", (5_000, 10_000, 20_000, 80_000),
          "svg chars", _html_sentence_with_svg),
    Shape("MDX: '{' left unclosed, repeated", "mdx", (1_000, 2_000, 5_000, 20_000, 80_000),
          "braces", lambda n: "Our clinic {\n" * n),
    Shape("HTML: <div> x N then stray </b> x N", "html", (2_000, 5_000, 10_000, 20_000, 80_000),
          "N", lambda n: "<div>" * n + "</b>" * n),
    Shape("HTML: <ul>, <div> x N, then <li></li> x N", "html",
          (2_000, 5_000, 10_000, 20_000, 80_000), "N",
          lambda n: "<ul>" + "<div>" * n + "<li>cure</li>" * n),
    Shape("'<!-- healthlint-disable ' + spaces and tabs", "markdown",
          (5_000, 10_000, 20_000, 40_000, 160_000), "whitespace chars",
          lambda n: "<!-- healthlint-disable " + " \t" * (n // 2) + "x -->\n"),
    Shape("'{{< highlight ' repeated", "markdown", (2_000, 5_000, 10_000, 20_000, 80_000),
          "repeats", lambda n: "{{< highlight " * n),
    Shape("MDX: backticks that never close, one paragraph", "mdx", (5_000, 20_000, 80_000),
          "backtick runs", lambda n: "We cure ` it " * n + "\n"),
    Shape("whitespace run inside a sentence (text)", "text",
          (5_000, 10_000, 20_000, 80_000, 320_000), "spaces",
          lambda n: "Our therapy" + " " * n + "cures pain; it is safe.\n"),
)


_WARM_UP = ("We offer PRP and stem cell therapy at our clinic. It is risk-free, 100% safe and "
            "cures arthritis, back pain and more; 90% of our patients feel better. Studies show "
            "it is clinically proven. Book now, only 3 spots left!\n")


def _run_shape_size(shape_index: int, size: int) -> None:
    """Child process: time the reader and the whole lint of one size, print JSON."""
    from healthlint.engine import Linter
    from healthlint.suppress import parse_directives
    from healthlint.text import split_clauses, split_sentences

    shape = SHAPES[shape_index]
    text = shape.make(size)
    linter = Linter()
    fmt = linter.format_for("page", shape.format)
    assert fmt is not None
    start = time.perf_counter()
    document = fmt.parse(text, "page")
    parse_directives(document)
    for block in document.blocks:
        for sentence in split_sentences(document.prose, block.span):
            split_clauses(document.prose, sentence)
    reader = time.perf_counter() - start
    print(json.dumps({"reader": reader}), flush=True)
    # Patterns compile on first use: lint a small claim-dense page first, so the figure
    # is the shape's own cost rather than the compilation.
    linter.lint_text(_WARM_UP, "warm-up", format=shape.format)
    start = time.perf_counter()
    linter.lint_text(text, "page", format=shape.format)
    print(json.dumps({"lint": time.perf_counter() - start}), flush=True)


def _measure(src: Path, shape_index: int, size: int, timeout: float) -> dict[str, float | None]:
    """``reader`` and ``lint`` seconds (``None``: killed at the timeout)."""
    env = {**os.environ, "PYTHONPATH": str(src), "HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, __file__, "--child", str(shape_index), str(size)]
    found: dict[str, float | None] = {"reader": None, "lint": None}
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True,
                          start_new_session=True) as process:
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
    for line in out.splitlines():
        found.update(json.loads(line))
    return found


def _seconds(value: float | None, timeout: float) -> str:
    return f">{timeout:g}" if value is None else f"{value:.3f}"


def run_shapes(src: Path, timeout: float, only: str | None, scale: float) -> None:
    print(f"{'shape':<50} {'size':>8} {'unit':<16} {'bytes':>9} {'reader s':>9} {'lint s':>9}")
    for index, shape in enumerate(SHAPES):
        if only and only.lower() not in shape.name.lower():
            continue
        series: list[tuple[int, float | None, float | None]] = []
        for size in (max(1, int(s * scale)) for s in shape.sizes):
            found = _measure(src, index, size, timeout)
            reader, lint = found["reader"], found["lint"]
            nbytes = len(shape.make(size).encode())
            print(f"{shape.name:<50} {size:>8} {shape.unit:<16} {nbytes:>9} "
                  f"{_seconds(reader, timeout):>9} {_seconds(lint, timeout):>9}", flush=True)
            series.append((size, reader, lint))
            if reader is None or lint is None:
                break
        for label, column in (("reader", 1), ("lint", 2)):
            measured: list[tuple[int, float]] = []
            for row in series:
                seconds = row[column]
                if isinstance(seconds, float) and seconds > 0:
                    measured.append((row[0], seconds))
            if len(measured) >= 2:
                (small, t_small), (large, t_large) = measured[0], measured[-1]
                ratio = (t_large / t_small) / (large / small)
                print(f"{'':<50} {label} growth over size growth: {ratio:.2f}")


# Cases -----------------------------------------------------------------------------------

ESC = "\x1b"
HOSTILE = (f"We offer PRP. Our treatment is risk-free {ESC}]0;pwned{ESC}\\ {ESC}[2J and cures "
           f"pain. 90% of our{ESC}[2J patients feel better after one visit.\n")


@dataclass
class Outcome:
    code: int | None
    out: bytes
    err: bytes


def _cli(src: Path, folder: Path, *args: str, timeout: float = 30, stdin: bytes = b"") -> Outcome:
    env = {**os.environ, "PYTHONPATH": str(src), "HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD": "1",
           "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    command = [sys.executable, "-m", "healthlint", *args]
    with subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          start_new_session=True) as process:
        try:
            out, err = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            return Outcome(None, out, err)
    return Outcome(process.returncode, out, err)


def _problems(outcome: Outcome, *, json_output: bool = False) -> list[str]:
    problems: list[str] = []
    if outcome.code is None:
        problems.append("hang (killed)")
    if b"Traceback" in outcome.err:
        problems.append("traceback")
    for name, data in (("stdout", outcome.out), ("stderr", outcome.err)):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{name} not UTF-8")
            continue
        if ESC in text:
            problems.append(f"raw ESC on {name}")
        if "\ud800" in text:
            problems.append(f"surrogate on {name}")
    if json_output and outcome.out:
        try:
            json.loads(outcome.out.decode("utf-8", "strict"), parse_constant=_reject_constant)
            if b"\\ud8" in outcome.out.lower() or b"\\udc" in outcome.out.lower():
                problems.append("lone surrogate escape in JSON")
        except (ValueError, UnicodeDecodeError):
            problems.append("invalid JSON")
    return problems


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _write(folder: Path, name: str | bytes, data: str | bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


def _case_escape_sequences(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, "page.md", HOSTILE)
    outcome = _cli(src, folder, "check", "--no-config", "page.md")
    return outcome, _problems(outcome)


def _case_escape_sequences_github(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, "page.md", HOSTILE)
    outcome = _cli(src, folder, "check", "--no-config", "--output-format", "github", "page.md")
    return outcome, _problems(outcome)


def _newline_file_name(src: Path, folder: Path, *options: str) -> tuple[Outcome, list[str]]:
    _write(folder, "evil\n::error file=x.md::INJECTED.txt", "We offer PRP. It is risk-free.\n")
    outcome = _cli(src, folder, "check", "--no-config", *options, ".")
    problems = _problems(outcome)
    if any(line.startswith(b"::error file=x.md") for line in outcome.out.splitlines()):
        problems.append("injected workflow command")
    return outcome, problems


def _case_newline_file_name(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    return _newline_file_name(src, folder, "--output-format", "github")


def _case_newline_file_name_full(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    """The default format, read by GitHub Actions from the job log."""
    return _newline_file_name(src, folder)


def _case_surrogate_front_matter(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, "page.md", '---\ndescription: "We offer PRP that cures autism\\uD800 and '
           'more."\n---\n\nWe offer PRP. It is risk-free.\n')
    problems: list[str] = []
    outcome = Outcome(0, b"", b"")
    for fmt in ("full", "concise", "json", "github", "sarif", "gitlab"):
        outcome = _cli(src, folder, "check", "--no-config", "--output-format", fmt, "page.md")
        problems += [f"{fmt}: {p}" for p in _problems(
            outcome, json_output=fmt in ("json", "sarif", "gitlab"))]
        if outcome.code == 3:
            problems.append(f"{fmt}: exit 3")
    return outcome, problems


def _case_non_utf8_name(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, b"caf\xe9.md", "We offer PRP. It is risk-free.\n")
    problems: list[str] = []
    outcome = _cli(src, folder, "check", "--no-config", "--output-format", "json", ".")
    problems += [f"json: {p}" for p in _problems(outcome, json_output=True)]
    outcome = _cli(src, folder, "check", "--no-config", "--output-file", "out.txt", ".")
    problems += [f"--output-file: {p}" for p in _problems(outcome)]
    if outcome.code == 3:
        problems.append("--output-file: exit 3")
    return outcome, problems


def _case_fifo(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    os.mkfifo(folder / "pipe.md")
    outcome = _cli(src, folder, "check", "--no-config", "pipe.md", timeout=10)
    return outcome, _problems(outcome)


def _case_dev_zero(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    outcome = _cli(src, folder, "check", "--no-config", "--format", "text", "/dev/zero",
                   timeout=20)
    return outcome, _problems(outcome)


def _case_utf16(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, "page.md", "\ufeffWe offer PRP. It is risk-free.\n".encode("utf-16-le"))
    outcome = _cli(src, folder, "check", "--no-config", "--output-format", "concise", "page.md")
    problems = _problems(outcome)
    if b"HL104" not in outcome.out:
        problems.append("not linted")
    return outcome, problems


def _case_late_nul(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, "page.md", "We offer PRP.\n" * 1000 + "\0 It is risk-free.\n")
    outcome = _cli(src, folder, "check", "--no-config", "page.md")
    problems = _problems(outcome)
    if b"binary" not in outcome.out + outcome.err:
        problems.append("NUL not reported")
    return outcome, problems


def _case_symlink_loop(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    os.symlink("b.md", folder / "a.md")
    os.symlink("a.md", folder / "b.md")
    outcome = _cli(src, folder, "check", "--no-config", "a.md")
    problems = _problems(outcome)
    if b"loop" not in outcome.out + outcome.err:
        problems.append("loop not named")
    return outcome, problems


def _case_empty_diff_base(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, "page.md", "We offer PRP. It is risk-free.\n")
    outcome = _cli(src, folder, "check", "--no-config", "--diff-base", "", "page.md")
    return outcome, [] if outcome.code == 2 else ["accepted"]


def _alias_bomb() -> str:
    """Nine levels of nine aliases each: 9**9 nodes once expanded."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels.extend(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9))
    return "\n".join(levels) + "\n"


def _refused_in_time(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    """Lint page.md in ``folder``: it should exit 2; the time it took is reported."""
    start = time.perf_counter()
    outcome = _cli(src, folder, "check", "page.md", timeout=60)
    took = time.perf_counter() - start
    problems = _problems(outcome)
    if outcome.code != 2:
        problems.append(f"exit {outcome.code}")
    problems.append(f"{took:.1f} s")
    return outcome, problems


def _case_yaml_bomb_rule(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    rules = folder / "rules"
    rules.mkdir()
    _write(rules, "bomb.yaml", _alias_bomb())
    _write(folder, ".healthlint.yaml", "rules: [rules]\n")
    _write(folder, "page.md", "Fine.\n")
    return _refused_in_time(src, folder)


def _case_yaml_bomb_config(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    _write(folder, ".healthlint.yaml", _alias_bomb() + "select: [HL1]\n")
    _write(folder, "page.md", "Fine.\n")
    return _refused_in_time(src, folder)


def _case_read_only_fix(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    page = _write(folder, "page.md", "We offer PRP. Our treatment is completely safe.\n")
    page.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = page.read_bytes()
    outcome = _cli(src, folder, "check", "--no-config", "--fix", "--unsafe-fixes", "page.md")
    problems = _problems(outcome)
    if page.read_bytes() != before:
        problems.append("read-only file rewritten")
    return outcome, problems


def _case_per_path_typo(src: Path, folder: Path) -> tuple[Outcome, list[str]]:
    # An embedded plugin module cannot be planted without installing it; the same code
    # path is a config that names a pack folder holding an invalid rule instead.
    _write(folder, ".healthlint.yaml", "per-path:\n  - path: ['*.md']\n    ignore: [HL104]\n")
    _write(folder, "page.md", "Fine.\n")
    outcome = _cli(src, folder, "check", "page.md")
    problems = _problems(outcome)
    if b"did you mean" not in outcome.err:
        problems.append("no did-you-mean")
    return outcome, problems


CASES: tuple[tuple[str, Callable[[Path, Path], tuple[Outcome, list[str]]]], ...] = (
    ("escape sequences in a page (full)", _case_escape_sequences),
    ("escape sequences in a page (github)", _case_escape_sequences_github),
    ("file name with newline + ::error (github)", _case_newline_file_name),
    ("file name with newline + ::error (full)", _case_newline_file_name_full),
    ("lone surrogate in front matter", _case_surrogate_front_matter),
    ("file name not UTF-8", _case_non_utf8_name),
    ("explicit FIFO", _case_fifo),
    ("/dev/zero", _case_dev_zero),
    ("UTF-16 page with BOM", _case_utf16),
    ("NUL after the first 8 KiB", _case_late_nul),
    ("symlink loop", _case_symlink_loop),
    ("--diff-base ''", _case_empty_diff_base),
    ("YAML alias bomb in a rule file", _case_yaml_bomb_rule),
    ("YAML alias bomb in .healthlint.yaml", _case_yaml_bomb_config),
    ("--fix on a read-only file", _case_read_only_fix),
    ("per-path key typo", _case_per_path_typo),
)


def run_cases(src: Path, only: str | None) -> None:
    print(f"{'case':<45} {'exit':>5}  problems")
    for name, case in CASES:
        if only and only.lower() not in name.lower():
            continue
        folder = Path(tempfile.mkdtemp(prefix="hl-probe-"))
        try:
            outcome, problems = case(src, folder)
        finally:
            for path in folder.rglob("*"):
                if not path.is_symlink():
                    path.chmod(0o755 if path.is_dir() else 0o644)
            shutil.rmtree(folder, ignore_errors=True)
        code = "hang" if outcome.code is None else str(outcome.code)
        print(f"{name:<45} {code:>5}  {'; '.join(problems) or 'ok'}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        _run_shape_size(int(args[1]), int(args[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--src", type=Path, default=REPO / "src",
                        help="the folder that holds the healthlint package to measure")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--shapes", action="store_true", help="only the size series")
    parser.add_argument("--cases", action="store_true", help="only the crafted cases")
    parser.add_argument("--only", help="only shapes or cases whose name contains this")
    parser.add_argument("--scale", type=float, default=1.0)
    options = parser.parse_args(args)
    src = options.src.resolve()
    print(f"healthlint from {src}")
    both = not options.shapes and not options.cases
    if options.shapes or both:
        run_shapes(src, options.timeout, options.only, options.scale)
    if options.cases or both:
        print()
        run_cases(src, options.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
