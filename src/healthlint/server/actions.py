"""What the language server's code actions change, as plain text edits.

Two edits are offered for a finding:

- the rule's suggested rewording (``Diagnostic.fix``), only when it reads as a
  finished sentence: a suggestion that still holds a placeholder such as
  "(list the specific risks)" or "[condition]" would put the placeholder into
  published copy;
- a suppression comment for the finding's line, in the comment syntax of the
  document's format (see :mod:`healthlint.suppress`).

Edits are ``(start, end, text)`` code-point offsets into the text the client
holds; :mod:`healthlint.server.positions` turns them into LSP ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from healthlint.server.positions import LineIndex
from healthlint.suppress import SUPPRESSION_CODES
from healthlint.types import Applicability, Diagnostic

_PLACEHOLDER = re.compile(r"[()\[\]{}<>]|\.\.\.|…")
"""Brackets or an ellipsis: the suggestion leaves something for the writer to fill in."""

REASON_PLACEHOLDER = "reason"

_COMMENT = {
    "markdown": "<!-- {directive} -->",
    "html": "<!-- {directive} -->",
    "mdx": "{{/* {directive} */}}",
    "text": "# {directive}",
}
"""Suppression comment syntax per document format (README, "Suppressing a finding")."""

_FRONT_MATTER_OPENING = re.compile(r"\ufeff?(?P<fence>---|\+\+\+)[ \t]*(?:\r\n|\n|\r)")
_FRONT_MATTER_CLOSING = {
    "---": re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\n|\r|\Z)", re.MULTILINE),
    "+++": re.compile(r"^\+\+\+[ \t]*(?:\r\n|\n|\r|\Z)", re.MULTILINE),
}
_OWN_LINE = re.compile(
    r"[ \t]*(?:#{1,6}(?:[ \t].*)?|<!--.*-->|\{/\*.*\*/\}|(?:[-*_][ \t]*){3,})[ \t]*"
)
"""Lines after which a new Markdown block starts even without a blank line: ATX
headings, comment lines and thematic breaks."""

_KEY_LINE = re.compile(r"""[ \t]*(?:-[ \t]+)?(?:[\w.-]+|"[^"]*"|'[^']*')[ \t]*[:=](?:[ \t]|$)""")
"""A YAML ``key:`` (or ``- key:``) or TOML ``key =`` line: a comment line above it is
outside any value."""

_BLOCK_SCALAR = re.compile(r":[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$")

Edit = tuple[int, int, str]


@dataclass(frozen=True)
class Action:
    title: str
    edits: tuple[Edit, ...]


def rewording(diagnostic: Diagnostic, base: int = 0) -> Action | None:
    """The suggested rewording of ``diagnostic`` as an action, when it is a complete text.

    ``base`` is added to every offset (1 when the client's text starts with a byte
    order mark, which the engine does not count).
    """
    fix = diagnostic.fix
    if fix is None or not fix.edits or fix.applicability < Applicability.UNSAFE:
        return None
    if any(_PLACEHOLDER.search(edit.replacement) for edit in fix.edits):
        return None
    edits = tuple((e.span.start + base, e.span.end + base, e.replacement) for e in fix.edits)
    single = len(fix.edits) == 1
    title = f'Reword as "{fix.edits[0].replacement}"' if single else fix.description
    if fix.applicability == Applicability.UNSAFE:
        title += " (changes the claim: check it is true)"
    return Action(title, edits)


def _body(code: str, action: str) -> str:
    return f"healthlint-{action} {code} -- {REASON_PLACEHOLDER}"


def directive(code: str, action: str, comment_format: str) -> str:
    """A suppression comment for ``code`` in ``comment_format``'s syntax."""
    return _COMMENT[comment_format].format(directive=_body(code, action))


def suppression(diagnostic: Diagnostic, index: LineIndex, document_format: str,
                base: int = 0, path: str = "") -> Action | None:
    """A comment that suppresses ``diagnostic`` on its line, or ``None`` when the format
    has no comment syntax the server knows for that place (JSON, JavaScript, Astro, a
    plugin's format) or the finding is itself about a suppression comment.

    A comment on its own line above is the rule. Where such a line would change the
    page, Markdown and MDX get a ``disable-line`` comment at the end of the line
    instead: inside a paragraph or list an HTML comment line ends the paragraph or
    the list, and inside a table it ends the table. Front matter and YAML or TOML data
    take a ``#`` comment above a ``key:`` line; inside a multi-line value, where such a
    line would become part of the text, the whole file is suppressed instead.
    """
    if diagnostic.code in SUPPRESSION_CODES:
        return None
    code, text = diagnostic.code, index.text
    offset = diagnostic.span.start + base
    line = index.line_of(offset)
    if document_format == "data":
        if path.lower().endswith(".json"):
            return None
        return _yaml_or_toml(index, line, code, None, 0)
    if document_format in ("markdown", "mdx"):
        closing = _front_matter_end(text)
        if closing is not None and offset < closing:
            return _yaml_or_toml(index, line, code, document_format, closing)
        if not _starts_block(index, line):
            return _at_line_end(index, line, directive(code, "disable-line", document_format),
                                code)
    syntax = "html" if document_format == "template" else document_format
    if syntax not in _COMMENT:
        return None
    return _above(index, line, directive(code, "disable-next-line", syntax), code)


def _above(index: LineIndex, line: int, comment: str, code: str) -> Action:
    """``comment`` on a line of its own above ``line``, with the same indentation."""
    line_text = index.line_text(line)
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    start = index.starts[line]
    return Action(f"Suppress {code} on this line",
                  ((start, start, indent + comment + _newline(index.text)),))


def _yaml_or_toml(index: LineIndex, line: int, code: str, page_format: str | None,
                  file_start: int) -> Action:
    """A ``#`` comment above a ``key:`` line. A line inside a multi-line value gets a
    ``disable-file`` comment instead, at ``file_start``: the top of a data file, or the
    line after the front matter, in the page's own comment syntax (``page_format``)."""
    if _KEY_LINE.match(index.line_text(line)) and not _in_block_scalar(index, line):
        return _above(index, line, "# " + _body(code, "disable-next-line"), code)
    comment = ("# " + _body(code, "disable-file") if page_format is None
               else directive(code, "disable-file", page_format))
    return Action(f"Suppress {code} in this file (the value spans several lines)",
                  ((file_start, file_start, comment + _newline(index.text)),))


def _in_block_scalar(index: LineIndex, line: int) -> bool:
    """Whether ``line`` is inside a YAML block scalar (``key: |`` or ``key: >``): the
    nearest line above it with less indentation ends with the block indicator."""
    text = index.line_text(line)
    indent = len(text) - len(text.lstrip(" \t"))
    for previous in range(line - 1, -1, -1):
        above = index.line_text(previous)
        if above.strip() and len(above) - len(above.lstrip(" \t")) < indent:
            return bool(_BLOCK_SCALAR.search(above))
    return False


def _front_matter_end(text: str) -> int | None:
    """Where the line after a closing front-matter fence starts, if there is front matter."""
    opening = _FRONT_MATTER_OPENING.match(text)
    if opening is None:
        return None
    closing = _FRONT_MATTER_CLOSING[opening.group("fence")].search(text, opening.end())
    return None if closing is None else closing.end()


def _starts_block(index: LineIndex, line: int) -> bool:
    if line == 0:
        return True
    previous = index.line_text(line - 1)
    return not previous.strip() or bool(_OWN_LINE.fullmatch(previous))


def _at_line_end(index: LineIndex, line: int, comment: str, code: str) -> Action:
    line_text = index.line_text(line)
    # Keep a hard line break (two trailing spaces or a backslash) after the comment,
    # and keep a table row's closing pipe: a cell after it would be dropped.
    content = line_text.rstrip(" \t")
    if content.endswith("\\"):
        content = content[:-1]
    if content.lstrip().startswith("|") and content.endswith("|") and len(content.strip()) > 1:
        content = content[:-1].rstrip(" \t")
    at = index.starts[line] + len(content)
    return Action(f"Suppress {code} on this line", ((at, at, " " + comment),))


def _newline(text: str) -> str:
    """The text's own line ending, so an inserted line does not mix endings."""
    return "\r\n" if "\r\n" in text else "\n"
