"""Code-point offsets to LSP positions, in the encoding the client and server agreed on.

healthlint spans are code-point offsets into the source (DESIGN.md, "Positions");
LSP positions are a zero-based line and a character count in UTF-16 code units
unless the client offered another encoding. This module is the one place the
language server converts between them.

LSP ends a line at ``\\r\\n``, ``\\n`` or a lone ``\\r``; healthlint's own line
numbers count ``\\n`` only, so positions are always derived from offsets here,
never from a diagnostic's line and column.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_LINE_END = re.compile(r"\r\n|\r|\n")

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(text: str, encoding: str = UTF16) -> int:
    """How many code units of ``encoding`` ``text`` takes."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    # Astral characters (most emoji) take two UTF-16 code units, everything else one.
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


@dataclass
class LineIndex:
    """Line starts of one text by LSP's rules, for converting in both directions."""

    text: str
    encoding: str = UTF16
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(self.text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line_end(self, line: int) -> int:
        """The offset where ``line``'s text ends, before its line break."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        end = self.starts[line + 1]
        if self.text[end - 1] == "\n":
            end -= 1
        if end > self.starts[line] and self.text[end - 1] == "\r":
            end -= 1
        return end

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line] : self.line_end(line)]

    def position(self, offset: int) -> tuple[int, int]:
        """``(line, character)`` of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.line_of(offset)
        return line, units(self.text[self.starts[line] : offset], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """The code-point offset of an LSP position; past the end of a line means its end."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.line_end(line)
        if self.encoding == UTF32:
            return min(start + character, end)
        count = 0
        for index in range(start, end):
            if count >= character:
                return index
            count += units(self.text[index], self.encoding)
        return end
