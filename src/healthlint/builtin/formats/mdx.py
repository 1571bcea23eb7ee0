"""MDX: Markdown with ESM (``import``/``export``), JSX tags and ``{expressions}``.

No maintained MDX parser exists for Python, so this format blanks what is not
Markdown with a small scanner and hands the rest to the Markdown reader. The
scanner knows only what it must to find where each piece ends: fenced code and
code spans (left alone), ``import``/``export`` blocks at the start of a line (up
to the next blank line, as MDX reads them), JSX tags with their quoted or braced
attribute values, and braced expressions with JavaScript strings and comments
inside. Blanking keeps every length, so the Markdown reader's offsets stay exact.

Prose in JSX children is linted; tag names, attributes and expressions are not.
``{/* healthlint-disable ... */}`` is a directive comment. Unbalanced braces and
tags are reported as problems and the rest of the file is read all the same.

MDX has no indented code, but Markdown does, and children are usually indented
under their tag: a line that would open an indented code block (four columns of
indentation after a blank line, the tag line included once blanked) gets a
placeholder character in its indentation, which the parser reads as text and the
prose view shows as a space.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Mapping
from typing import Any

from healthlint.builtin.formats._prose import ProseBuilder, blank
from healthlint.builtin.formats.frontmatter import (
    DEFAULT_PUBLISHED_FIELDS,
    published_fields,
    read_front_matter,
)
from healthlint.builtin.formats.html import VOID_ELEMENTS
from healthlint.builtin.formats.markdown import read_markdown
from healthlint.types import Document

_LINE_CONSTRUCT = r"""(?P<fence>[ ]{0,3}(?:`{3,}|~{3,}))|(?P<esm>(?:import|export)(?=[\s{*"']))"""
_FIRST_LINE = re.compile(_LINE_CONSTRUCT)
_LINE_START = re.compile(rf"\n(?:{_LINE_CONSTRUCT})")
"""Fences and ESM open only at the start of a line. The pattern begins with a line
break, a literal the regex engine finds fast, where ``^`` would be tried everywhere."""
_INLINE = re.compile(r"[`<{}]")
_TICKS = re.compile(r"`+")
_EXPRESSION_TOKEN = re.compile(
    r"""[{}]|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|//[^\n]*|/\*.*?\*/""",
    re.DOTALL,
)
_EXPRESSION_LIMIT = 100_000
"""How far an expression may run to its closing ``}``."""
_FALLBACK_WINDOW = 4096
"""How far a brace is followed once the scanning budget is spent (see ``_Braces``)."""
_TAG_NAME = re.compile(r"[A-Za-z_$][\w$.:-]*")
_ATTRIBUTE_NAME = re.compile(r"[^\s=/>{}\"'<]+")
_SPACE = re.compile(r"\s*")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\r?\n|\Z)")
_PARAGRAPH_END = re.compile(r"\n[ \t]*\r?\n")
_COMMENT_END = re.compile(r"-->")
_COMMENT_EXPRESSION = re.compile(r"\{\s*/\*(?P<body>.*)\*/\s*\}\Z", re.DOTALL)
_INDENTED_AFTER_BLANK = re.compile(r"\n[ \t]*\r?\n(?P<indent>[ ]{0,3}\t|[ ]{4})(?=[ \t]*\S)")
_INDENTED_FIRST_LINE = re.compile(r"(?P<indent>[ ]{0,3}\t|[ ]{4})(?=[ \t]*\S)")
_PLACEHOLDERS = "\ue000\ue001\ue002\ue003"


class _Scanner:
    """Finds the spans of ESM, JSX tags and expressions in an MDX source."""

    def __init__(self, text: str, builder: ProseBuilder) -> None:
        self.text = text
        self.builder = builder
        self.spans: list[tuple[int, int]] = []
        self.open_tags: list[tuple[str, int]] = []
        self.braces = _Braces(text)
        self.paragraph_end = -1
        """Where the paragraph of the last code span ends, found once per paragraph."""
        self.tick_runs: dict[int, list[int]] | None = None
        """Where every run of backticks starts, by its length; built on the first one."""
        self.attribute_expressions: list[tuple[int, int]] = []
        """Braced attribute values and spreads of the tags read by :meth:`attributes_end`."""
        self.attribute_values: list[tuple[str, int, int, bool]] = []
        """Named attribute values of those tags: the name, the span inside the quotes or
        of the braces, and whether the value is braced."""

    def scan(self, position: int) -> list[tuple[int, int]]:
        text = self.text
        line = self.next_line_start(position)
        while True:
            if line is not None and line.start(line.lastgroup or 0) < position:
                line = self.next_line_start(position)
            inline = _INLINE.search(text, position)
            line_start = line.start(line.lastgroup or 0) if line is not None else len(text)
            if line is not None and (inline is None or line_start < inline.start()):
                if line.lastgroup == "fence":
                    position = self.fence_end(line.end())
                else:
                    position = self.esm(line_start)
            elif inline is None:
                break
            else:
                position = self.inline(inline)
        for name, start in self.open_tags:
            self.builder.problem(start, f"JSX element <{name}> is never closed")
        return self.spans

    def next_line_start(self, position: int) -> re.Match[str] | None:
        """The next fence or ESM line that starts at or after ``position``."""
        if position == 0 or self.text[position - 1] == "\n":
            first = _FIRST_LINE.match(self.text, position)
            if first is not None:
                return first
        return _LINE_START.search(self.text, position)

    def inline(self, match: re.Match[str]) -> int:
        text, start = self.text, match.start()
        char = match.group()
        if char == "`":
            return self.code_span_end(start)
        if char == "{":
            return self.expression(start)
        if char == "}":
            self.builder.problem(start, "'}' has no matching '{'")
            self.spans.append((start, start + 1))
            return start + 1
        if text.startswith("<!--", start):
            end = _COMMENT_END.search(text, start + 4)
            return end.end() if end is not None else len(text)
        return self.tag(start)

    def fence_end(self, fence_end: int) -> int:
        """Where the fenced code block whose opening fence ends at ``fence_end`` ends."""
        start = fence_end
        while start > 0 and self.text[start - 1] in "`~":
            start -= 1
        fence = self.text[start:fence_end]
        closing = re.compile(rf"^[ ]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        line_end = self.text.find("\n", fence_end)
        if line_end < 0:
            return len(self.text)
        end = closing.search(self.text, line_end + 1)
        return end.end() if end is not None else len(self.text)

    def esm(self, start: int) -> int:
        blank_line = _BLANK_LINE.search(self.text, start)
        end = blank_line.start() if blank_line is not None else len(self.text)
        self.spans.append((start, end))
        return end

    def code_span_end(self, start: int) -> int:
        """Skip a code span opened by the backtick run at ``start``, if it closes: at the
        next run of exactly as many backticks in the same paragraph."""
        run = _TICKS.match(self.text, start)
        end = run.end() if run is not None else start + 1
        if self.paragraph_end < end:
            paragraph_end = _PARAGRAPH_END.search(self.text, end)
            self.paragraph_end = paragraph_end.start() if paragraph_end else len(self.text)
        if self.tick_runs is None:
            self.tick_runs = {}
            for found in _TICKS.finditer(self.text):
                self.tick_runs.setdefault(found.end() - found.start(), []).append(found.start())
        width = end - start
        starts = self.tick_runs.get(width, [])
        index = bisect_left(starts, end)
        if index < len(starts) and starts[index] + width <= self.paragraph_end:
            return starts[index] + width
        return end

    def expression(self, start: int) -> int:
        end = self.braces.end(start)
        if end < 0:
            self.builder.problem(start, "'{' expression is never closed by '}'")
            return start + 1
        self.spans.append((start, end))
        comment = _COMMENT_EXPRESSION.match(self.text, start, end)
        if comment is not None:
            self.builder.add_comment(start, end, comment.group("body"))
        return end

    def tag(self, start: int) -> int:
        """Blank a JSX tag starting at ``<``; a ``<`` that starts no tag is text."""
        text = self.text
        position = start + 1
        closing = text.startswith("/", position)
        position += closing
        name_match = _TAG_NAME.match(text, position)
        name = name_match.group() if name_match is not None else ""
        if name_match is not None:
            position = name_match.end()
        elif not text.startswith(">", position):
            return start + 1
        if position < len(text) and not (text[position].isspace() or text[position] in "/>{"):
            return start + 1
        end, self_closing = self.attributes_end(position)
        if end < 0:
            self.builder.problem(start, f"JSX tag <{'/' if closing else ''}{name} is never closed")
            line_end = text.find("\n", start)
            end = line_end if line_end >= 0 else len(text)
            self.spans.append((start, end))
            return end
        self.spans.append((start, end))
        if closing:
            self.close(name, start)
        elif not self_closing and name not in VOID_ELEMENTS:
            self.open_tags.append((name, start))
        return end

    def attributes_end(self, position: int) -> tuple[int, bool]:
        """Where the tag whose attributes begin at ``position`` ends, and whether it
        closes itself; ``-1`` when it never ends."""
        text, length = self.text, len(self.text)
        while True:
            position = _skip_space(text, position)
            if position >= length:
                return -1, False
            char = text[position]
            if char == ">":
                return position + 1, False
            if text.startswith("/>", position):
                return position + 2, True
            if char == "{":
                start, position = position, self.braces.end(position)
                if position < 0:
                    return -1, False
                self.attribute_expressions.append((start, position))
                continue
            name = _ATTRIBUTE_NAME.match(text, position)
            if name is None:
                return -1, False
            position = _skip_space(text, name.end())
            if not text.startswith("=", position):
                continue
            position = _skip_space(text, position + 1)
            if text.startswith("{", position):
                start, position = position, self.braces.end(position)
                if position < 0:
                    return -1, False
                self.attribute_expressions.append((start, position))
                self.attribute_values.append((name.group(), start, position, True))
                continue
            value = _QUOTED.match(text, position)
            if value is None:
                return -1, False
            self.attribute_values.append((name.group(), value.start() + 1, value.end() - 1, False))
            position = value.end()

    def close(self, name: str, start: int) -> None:
        for index in range(len(self.open_tags) - 1, -1, -1):
            if self.open_tags[index][0] == name:
                for inner_name, inner_start in self.open_tags[index + 1 :]:
                    self.builder.problem(inner_start, f"JSX element <{inner_name}> is never closed")
                del self.open_tags[index:]
                return
        self.builder.problem(start, f"closing tag </{name}> has no matching opening tag")


def _skip_space(text: str, position: int) -> int:
    space = _SPACE.match(text, position)
    return space.end() if space is not None else position


class _Braces:
    """Finds the ``}`` that closes a ``{``, in time linear in the file overall.

    One scan tokenises from a brace to the end of its expression, skipping strings and
    comments, and records the closing brace of every brace it passes (with a stack), or
    that it never closes. Later braces it passed are then answered from that record: a
    page of thousands of unclosed ``{`` is tokenised once, not once per brace. A brace
    that was inside a string of an earlier scan needs a scan of its own; those are
    charged to a budget of a few times the file's length, after which a brace is
    followed only ``_FALLBACK_WINDOW`` characters.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.closing: dict[int, int] = {}
        """Brace offset to the offset after its closing brace, -1 if there is none."""
        self.budget = 4 * len(text) + _EXPRESSION_LIMIT

    def end(self, start: int) -> int:
        """The offset after the ``}`` that closes the ``{`` at ``start``, or -1."""
        end = self.closing.get(start)
        if end is None:
            end = self.scan(start)
        return end if end - start <= _EXPRESSION_LIMIT else -1

    def scan(self, start: int) -> int:
        text = self.text
        limit = len(text) if self.budget > 0 else min(len(text), start + _FALLBACK_WINDOW)
        opened: list[int] = []
        for token in _EXPRESSION_TOKEN.finditer(text, start, limit):
            symbol = token.group()
            if symbol == "{":
                opened.append(token.start())
            elif symbol == "}":
                if not opened:  # a scan starts at a "{"; this only guards the stack
                    return -1
                self.closing[opened.pop()] = token.end()
                if not opened:
                    return token.end()
        self.budget -= limit - start
        if limit == len(text):  # a window proves nothing about what lies beyond it
            self.closing.update(dict.fromkeys(opened, -1))
        return -1


def _placeholder(source: str) -> str | None:
    """A private-use character that does not occur in ``source``, or ``None`` when a page
    (of private-use characters only) holds every one of them."""
    for candidate in _PLACEHOLDERS:
        if candidate not in source:
            return candidate
    used = set(source)
    ranges = (range(0xF8FF, 0xE000, -1), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))
    return next((chr(code) for codes in ranges for code in codes if chr(code) not in used), None)


def _unindent_code(text: str, placeholder: str) -> str:
    """Put ``placeholder`` in the indentation of lines that would open indented code."""
    text = _INDENTED_AFTER_BLANK.sub(lambda match: match.group()[:-1] + placeholder, text)
    first = _INDENTED_FIRST_LINE.match(text)
    if first is None:
        return text
    return text[: first.end() - 1] + placeholder + text[first.end() :]


class MdxFormat:
    """MDX files: Markdown with JSX, ESM and expressions."""

    name: str = "mdx"
    extensions: tuple[str, ...] = (".mdx",)

    def __init__(self, published_fields: Collection[str] = DEFAULT_PUBLISHED_FIELDS) -> None:
        self.published_fields = frozenset(published_fields)

    def with_published_fields(self, published_fields: Collection[str]) -> MdxFormat:
        """A copy of this format that publishes ``published_fields`` instead."""
        return MdxFormat(published_fields)

    def configured(self, options: Mapping[str, Any]) -> MdxFormat:
        """This format with the published fields of a configuration."""
        return MdxFormat(published_fields(options))

    def parse(self, source: str, path: str) -> Document:
        builder = ProseBuilder(source)
        body = read_front_matter(source, builder, self.published_fields)
        if body == 0 and source.startswith("\ufeff"):
            body = 1
        parts = [blank(source[:body])]
        position = body
        for start, end in _Scanner(source, builder).scan(body):
            parts.append(source[position:start])
            parts.append(blank(source[start:end]))
            position = end
        parts.append(source[position:])
        text = "".join(parts)
        placeholder = _placeholder(source)
        if placeholder is not None:
            text = _unindent_code(text, placeholder)
        read_markdown(text, builder, placeholder=placeholder)
        return builder.document(path, self.name)
