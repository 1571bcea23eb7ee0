"""The language server's pure parts: position conversion and the edits code actions make.

Each suppression edit is checked the way it matters: the edited page, linted
again, no longer reports the finding, and in Markdown it keeps its structure.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from healthlint.engine import Linter
from healthlint.server.actions import rewording, suppression
from healthlint.server.positions import UTF8, UTF16, UTF32, LineIndex, units
from healthlint.types import Applicability, Diagnostic, Edit, Fix, Span


def test_units_count_astral_characters_twice_in_utf16() -> None:
    assert units("a🦵b", UTF16) == 4
    assert units("a🦵b", UTF32) == 3
    assert units("aé🦵", UTF8) == 1 + 2 + 4


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_positions_follow_lsp_line_breaks(newline: str) -> None:
    text = f"first{newline}🩺 safe{newline}last"
    index = LineIndex(text)
    offset = text.index("safe")

    assert index.position(offset) == (1, 3)
    assert index.offset(1, 3) == offset
    assert index.line_text(1) == "🩺 safe"
    assert index.position(len(text)) == (2, 4)


@pytest.mark.parametrize(("encoding", "character"), [(UTF8, 7), (UTF16, 4), (UTF32, 3)])
def test_positions_in_the_negotiated_encoding(encoding: str, character: int) -> None:
    text = "x\né🩺 safe"
    index = LineIndex(text, encoding)

    assert index.position(text.index("safe")) == (1, character)
    assert index.offset(1, character) == text.index("safe")


def test_offset_past_the_end_of_a_line_is_its_end() -> None:
    index = LineIndex("ab\ncd\n")

    assert index.offset(0, 99) == 2
    assert index.offset(9, 0) == len("ab\ncd\n")


def _edit(text: str, edits: tuple[tuple[int, int, str], ...]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _finding(linter: Linter, text: str, path: str, code: str) -> Diagnostic:
    (found,) = [d for d in linter.lint_text(text, path).diagnostics if d.code == code]
    return found


def _codes(linter: Linter, text: str, path: str) -> set[str]:
    return {d.code for d in linter.lint_text(text, path).diagnostics}


def _blocks(linter: Linter, text: str) -> list[str]:
    markdown = linter.format_for("page.md")
    assert markdown is not None
    return [block.scope for block in markdown.parse(text, "page.md").blocks]


CLAIM = "Our PRP injections are extremely safe."


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("first line of a paragraph",
     f"# PRP\n\nWe offer PRP at our clinic.\n\n{CLAIM}\n",
     f"<!-- healthlint-disable-next-line HL104 -- reason -->\n{CLAIM}\n"),
    ("inside a paragraph: a comment line would split it",
     f"# PRP\n\nWe offer PRP at our clinic.\n{CLAIM}\nBook today.\n",
     f"{CLAIM} <!-- healthlint-disable-line HL104 -- reason -->\nBook today."),
    ("a list item after another: a comment line would end the list",
     f"We offer PRP at our clinic.\n\n- Fast recovery\n- {CLAIM}\n",
     f"- {CLAIM} <!-- healthlint-disable-line HL104 -- reason -->\n"),
    ("a table row keeps its closing pipe",
     f"We offer PRP at our clinic.\n\n| treatment | note |\n|---|---|\n| PRP | {CLAIM} |\n",
     f"| PRP | {CLAIM} <!-- healthlint-disable-line HL104 -- reason --> |\n"),
    ("a hard line break stays at the end",
     f"We offer PRP at our clinic.  \n{CLAIM}  \nBook today.\n",
     f"{CLAIM} <!-- healthlint-disable-line HL104 -- reason -->  \n"),
    ("front matter takes a YAML comment",
     f"---\ntitle: PRP\ndescription: {CLAIM}\n---\n\nWe offer PRP at our clinic.\n",
     f"title: PRP\n# healthlint-disable-next-line HL104 -- reason\ndescription: {CLAIM}\n"),
    ("inside a block scalar a comment line would be text: the whole file",
     f"---\ntitle: PRP\ndescription: |\n  We use your own blood.\n  {CLAIM}\n---\n\n"
     "We offer PRP at our clinic.\n",
     "---\n<!-- healthlint-disable-file HL104 -- reason -->\n\nWe offer PRP"),
])
def test_markdown_suppression(linter: Linter, name: str, text: str, expected: str) -> None:
    finding = _finding(linter, text, "page.md", "HL104")
    action = suppression(finding, LineIndex(text), "markdown")
    assert action is not None

    fixed = _edit(text, action.edits)

    assert expected in fixed, name
    assert "HL104" not in _codes(linter, fixed, "page.md"), name
    # The page keeps its structure (a comment line inside a paragraph would split it)
    # and its other findings.
    assert _blocks(linter, fixed) == _blocks(linter, text), name
    assert _codes(linter, fixed, "page.md") == _codes(linter, text, "page.md") - {"HL104"}


@pytest.mark.parametrize(("path", "fmt", "text", "expected"), [
    ("page.mdx", "mdx", f"We offer PRP at our clinic.\n\n  {CLAIM}\n",
     f"  {{/* healthlint-disable-next-line HL104 -- reason */}}\n  {CLAIM}"),
    ("page.html", "html", f"<p>We offer PRP at our clinic.</p>\n  <p>{CLAIM}</p>\n",
     f"  <!-- healthlint-disable-next-line HL104 -- reason -->\n  <p>{CLAIM}"),
    ("page.txt", "text", f"We offer PRP at our clinic.\r\n{CLAIM}\r\n",
     f"# healthlint-disable-next-line HL104 -- reason\r\n{CLAIM}"),
    ("page.njk", "template", f"<p>We offer PRP at our clinic.</p>\n<p>{CLAIM}</p>\n",
     f"<!-- healthlint-disable-next-line HL104 -- reason -->\n<p>{CLAIM}"),
    ("data/page.yaml", "data", f"intro: We offer PRP at our clinic.\nbody: {CLAIM}\n",
     f"# healthlint-disable-next-line HL104 -- reason\nbody: {CLAIM}"),
    ("data/page.toml", "data", f"intro = 'We offer PRP at our clinic.'\nbody = '{CLAIM}'\n",
     f"# healthlint-disable-next-line HL104 -- reason\nbody = '{CLAIM}'"),
])
def test_suppression_in_other_formats(linter: Linter, path: str, fmt: str, text: str,
                                      expected: str) -> None:
    finding = _finding(linter, text, path, "HL104")
    action = suppression(finding, LineIndex(text), fmt, path=path)
    assert action is not None

    fixed = _edit(text, action.edits)

    assert expected in fixed
    assert "HL104" not in _codes(linter, fixed, path)


def test_no_suppression_for_a_format_without_known_comments(linter: Linter) -> None:
    text = f"We offer PRP at our clinic. {CLAIM}\n"
    finding = _finding(linter, text, "page.txt", "HL104")
    data = f'{{"intro": "We offer PRP at our clinic. {CLAIM}"}}\n'
    in_json = _finding(linter, data, "data/page.json", "HL104")

    assert suppression(finding, LineIndex(text), "docx") is None
    assert suppression(in_json, LineIndex(data), "data", path="data/page.json") is None


def test_suppression_counts_a_byte_order_mark(linter: Linter) -> None:
    text = f"\ufeffWe offer PRP at our clinic.\n\n{CLAIM}\n"
    finding = _finding(linter, text, "page.md", "HL104")
    action = suppression(finding, LineIndex(text), "markdown", base=1)
    assert action is not None

    fixed = _edit(text, action.edits)

    assert f"\n<!-- healthlint-disable-next-line HL104 -- reason -->\n{CLAIM}" in fixed


def test_rewording_is_offered_only_where_it_rewrites_a_whole_sentence(linter: Linter) -> None:
    text = f"We offer PRP at our clinic. {CLAIM} Our sessions cure tendon pain.\n"
    safety = _finding(linter, text, "page.txt", "HL104")
    cure = _finding(linter, text, "page.txt", "HL113")

    # A blank to fill, or a phrase dropped into the middle of a sentence ("sessions may help
    # reduce symptoms in some patients tendon pain"), is shown in the message, never offered.
    assert rewording(safety) is None
    assert rewording(cure) is None

    sentence = text.index("Our sessions")
    whole = replace(cure, fix=Fix(
        (Edit(Span(sentence, len(text) - 1), "Our sessions may ease tendon pain for some."),),
        Applicability.UNSAFE, "Reword"))
    action = rewording(whole)
    assert action is not None
    assert _edit(text, action.edits).endswith("Our sessions may ease tendon pain for some.\n")
    assert "changes the claim" in action.title


def test_no_rewording_for_a_finding_without_an_edit(linter: Linter) -> None:
    text = f"We offer PRP at our clinic. {CLAIM}\n"
    page_level = _finding(linter, text, "page.txt", "HL108")

    assert page_level.fix is not None and not page_level.fix.edits
    assert rewording(page_level) is None
