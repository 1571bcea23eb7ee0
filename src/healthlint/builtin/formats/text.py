"""Plain text: paragraphs separated by blank lines, each bullet line its own block.

Plain text has no comment syntax, so a line that holds only a directive is a
comment: ``# healthlint-disable-next-line HL104 -- reason`` (``//`` works too,
and so does a whole-line ``<!-- healthlint-... -->``). Such lines are not prose.
"""

from __future__ import annotations

import re

from healthlint.types import Block, Comment, Document, Span

_DIRECTIVE_LINE = re.compile(
    r"[ \t]*(?:(?:#|//)[ \t]*(?P<hash>healthlint-[^\n]*?)"
    r"|<!--[ \t]*(?P<html>healthlint-.*?)-->)[ \t]*$"
)
_BULLET = re.compile(r"[ \t\u00a0]*(?:[-*+•◦▪‣·]|\d{1,3}[.)])[ \t\u00a0]+(?=\S)")


class TextFormat:
    name = "text"
    extensions: tuple[str, ...] = (".txt", ".text")

    def parse(self, source: str, path: str) -> Document:
        prose = list(source)
        blocks: list[Block] = []
        comments: list[Comment] = []
        paragraph: Span | None = None

        def close() -> None:
            nonlocal paragraph
            if paragraph is not None:
                blocks.append(Block(paragraph, "paragraph"))
                paragraph = None

        offset = 0
        for line in source.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            start, end = offset, offset + len(body)
            offset += len(line)
            directive = _DIRECTIVE_LINE.fullmatch(body)
            if directive:
                close()
                text = directive.group("hash") or directive.group("html") or ""
                comments.append(Comment(Span(start, end), text.strip()))
                prose[start:end] = " " * (end - start)
                continue
            if not body.strip():
                close()
                continue
            bullet = _BULLET.match(body)
            if bullet:
                close()
                # The marker is not prose: "• 1." must not read as a number in a claim.
                prose[start : start + bullet.end()] = " " * bullet.end()
                blocks.append(Block(Span(start + bullet.end(), end), "list_item"))
                continue
            paragraph = Span(start if paragraph is None else paragraph.start, end)
        close()
        view = "".join(prose)
        return Document(
            path=path,
            source=source,
            prose=view,
            blocks=tuple(trimmed for block in blocks if (trimmed := _trim(block, view))),
            format=self.name,
            comments=tuple(comments),
        )


def _trim(block: Block, prose: str) -> Block | None:
    """``block`` without the whitespace at its ends (blocks start and end on prose), or
    ``None`` if nothing else is left."""
    start, end = block.span.start, block.span.end
    while start < end and prose[start].isspace():
        start += 1
    while end > start and prose[end - 1].isspace():
        end -= 1
    return Block(Span(start, end), block.scope) if start < end else None
