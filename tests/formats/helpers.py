"""Checks every format's documents must pass, and views of a document for assertions."""

from __future__ import annotations

from healthlint.types import Document

DECODED_STARTS = "&\\'"
"""Source characters where a decoded character may stand in the prose view instead:
a character reference, a backslash escape, a doubled YAML quote."""


def assert_contract(document: Document) -> None:
    """The Document contract: same length, prose copied from the source, line breaks
    kept, blocks and comments inside the file, blocks in order and disjoint."""
    source, prose = document.source, document.prose
    assert len(prose) == len(source)
    for offset, (shown, original) in enumerate(zip(prose, source, strict=True)):
        if shown != " " and shown != original:
            assert original in DECODED_STARTS, (offset, shown, original)
        if original in "\r\n" or shown in "\r\n":
            assert shown == original, offset
    previous_end = 0
    for block in document.blocks:
        assert 0 <= block.span.start < block.span.end <= len(source)
        assert block.span.start >= previous_end, document.blocks
        assert not prose[block.span.start].isspace()
        assert not prose[block.span.end - 1].isspace()
        previous_end = block.span.end
    for comment in document.comments:
        assert 0 <= comment.span.start < comment.span.end <= len(source)
    for problem in document.problems:
        assert 0 <= problem.offset <= len(source)


def blocks(document: Document) -> list[tuple[str, str]]:
    """Each block's scope and its prose, whitespace runs folded to one space."""
    return [
        (block.scope, " ".join(document.prose[block.span.start : block.span.end].split()))
        for block in document.blocks
    ]


def visible(document: Document) -> str:
    """The whole prose view, whitespace runs folded to one space."""
    return " ".join(document.prose.split())


def at(document: Document, needle: str, occurrence: int = 0) -> int:
    """The offset of a test's own marker text in the source (a test-side lookup only)."""
    offset = -1
    for _ in range(occurrence + 1):
        offset = document.source.index(needle, offset + 1)
    return offset
