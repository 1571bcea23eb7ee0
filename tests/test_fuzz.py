"""Fuzzing every registered format reader and the whole lint with generated pages.

Pages are drawn from a soup of everything that has broken a reader before: markup of
every format (tags, comments, entities, Markdown markers, MDX braces and JSX, template
tags, front matter fences, code fences and backticks), healthlint directives, claim
words, whitespace runs, control characters, lone surrogates and arbitrary text. The
formats come from the plugin registry, so a format added later is fuzzed too.

Properties: reading never raises and keeps the Document contract; linting never fails
internally, every finding lies inside the file, and every output format writes valid
UTF-8 (strict JSON for the JSON formats, and no control character but a line break in
what people read).

The default run keeps a fast subset. ``HEALTHLINT_FUZZ_EXAMPLES=N`` runs N examples per
test; ``bench/fuzz.py`` runs that with the total at or above 100,000 and prints the count,
the duration and how time grows with page size.
"""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.helpers import assert_contract
from healthlint.__about__ import __version__
from healthlint.display import scrub
from healthlint.engine import Linter
from healthlint.types import OutputContext, Report

LINTER = Linter()
FORMATS = sorted(LINTER.registry.formats)
OUTPUTS = sorted(LINTER.registry.outputs)
EXAMPLES = int(os.environ.get("HEALTHLINT_FUZZ_EXAMPLES") or 0)

MARKUP = [
    "<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<li>", "</li>", "<ul>", "<td>", "<tr>",
    "<table>", "<svg>", "</svg>", "<script>", "</script>", "<title>", "</title>", "<br>",
    "<img alt='We cure pain'>", "<meta name=description content='Risk-free'>", "<!--", "-->",
    "<!-- healthlint-disable HL104 -- reason -->", "<!-- healthlint-enable -->",
    "<!-- healthlint-disable-next-line -->", "&amp;", "&#x2019;", "&nbsp", "&bogus;", "<", ">",
    "# ", "## ", "> ", "- ", "* ", "1. ", "**", "_", "`", "``", "```\n", "~~~", "[link](u)",
    "![alt text](i.png)", "| a | b |\n|---|---|\n", "[^1]", "\\", "---\n", "+++\n",
    "title: We cure pain\n", 'description: "risk\\u0000free \\uD800"\n', "{", "}", "{/* x */}",
    "{/* healthlint-disable */}", "<Hero title='x' />", "<A>", "</A>", "import x from 'y'\n",
    "export const a = {\n", "'", '"', "{{< highlight go >}}", "{{< /highlight >}}", "{{ .Title }}",
    "{% if %}", "{{", "}}", "{%", "%}", "# healthlint-disable-line", "    ",
]
CLAIMS = [
    "We offer PRP injections. ", "Our treatment is risk-free", " and cures arthritis", "100%",
    " of our patients", "stem cell", "FDA approved", "Studies show", " guaranteed", "safe",
    "Book now, only 3 spots left! ", "may help", "no ", "(Smith 2020)", "doi:10.1000/x ",
]
SPACING = [" ", "\n", "\n\n", "\r\n", "\t", "\u00a0", " " * 300, "\u2028", "\r"]
HOSTILE = ["\x1b[2J", "\x1b]0;t\x07", "\x00", "\x7f", "\x9b", "\u202e", "\ufeff", "\ufffe",
           "😀", "e\u0301", "日本"]
TOKENS = st.one_of(
    st.sampled_from(MARKUP), st.sampled_from(CLAIMS), st.sampled_from(SPACING),
    st.sampled_from(HOSTILE), st.characters(categories=["Cs"]),
    st.text(max_size=12),
)
PAGES = st.lists(TOKENS, max_size=60).map("".join)
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

FAST = {"parse": 40, "lint": 10}
"""Examples per test in the default run: a smoke test on every run, the depth is for
the dedicated one."""


def _settings(kind: str) -> settings:
    return settings(max_examples=EXAMPLES or FAST[kind], deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", FORMATS)
@given(text=PAGES)
@_settings("parse")
def test_every_format_reads_anything(name: str, text: str) -> None:
    text = scrub(text)  # the engine hands formats no lone surrogates
    document = LINTER.registry.formats[name].parse(text, f"page.{name}")
    assert document.source == text
    assert_contract(document)


def _render(report: Report, output: str) -> bytes:
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", errors="strict", newline="\n")
    context = OutputContext(tool_version=__version__, options={"environ": {}})
    LINTER.registry.outputs[output].render(report, stream, context)
    stream.flush()
    return buffer.getvalue()


def _assert_no_lone_surrogate(value: object) -> None:
    if isinstance(value, str):
        value.encode("utf-8")  # raises on a lone surrogate
    elif isinstance(value, dict):
        for key, item in value.items():
            _assert_no_lone_surrogate(key)
            _assert_no_lone_surrogate(item)
    elif isinstance(value, list):
        for item in value:
            _assert_no_lone_surrogate(item)


def _check_output(output: str, data: bytes) -> None:
    text = data.decode("utf-8")  # strict: the stream would have raised already
    if output in ("json", "sarif", "gitlab"):
        # An escaped surrogate pair (an emoji written as ASCII) is valid JSON; a lone
        # surrogate, escaped or not, is what strict parsers reject.
        _assert_no_lone_surrogate(json.loads(text))
    elif output in ("full", "concise", "github"):
        assert not CONTROL.search(text), (output, CONTROL.search(text))


@pytest.mark.parametrize("name", FORMATS)
@given(text=PAGES)
@_settings("lint")
def test_linting_anything_keeps_findings_inside_the_file(name: str, text: str) -> None:
    result = LINTER.lint_text(text, f"page.{name}", format=name)
    assert not [e for e in result.errors if e.internal or "failed to read" in e.message], (
        result.errors)
    source = result.source if result.source is not None else text.removeprefix("\ufeff")
    lines = source.split("\n")
    for diagnostic in result.diagnostics:
        span = diagnostic.span
        assert 0 <= span.start <= span.end <= len(source), diagnostic
        line_start = sum(len(line) + 1 for line in lines[: diagnostic.start.line - 1])
        assert line_start + diagnostic.start.column - 1 == span.start, diagnostic
    report = LINTER.report([result])
    for output in OUTPUTS:
        _check_output(output, _render(report, output))
