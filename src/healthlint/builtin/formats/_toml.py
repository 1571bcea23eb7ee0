"""Exact spans of the strings in a TOML text.

``tomllib`` (``tomli`` before Python 3.11) reports no positions, so a small
scanner walks the text: table headers, arrays of tables, dotted keys, inline
tables, arrays and the four kinds of string. It only has to know where things
end. Soundness does not rest on the scanner alone: every string it finds is
decoded and compared with the value ``tomllib`` read at the same key path, and a
string that does not agree is dropped, never guessed. When the text is not valid
TOML, the part before the line of the error is checked the same way, so the
strings above a typo are still read.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from healthlint.builtin.formats._values import ESCAPE, Leaf, decode_escape, in_place

_SPACE = re.compile(r"[ \t]*")
_TRIVIA = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_STRINGS = {
    '"""': re.compile(r'"""((?:[^"\\]|\\[\s\S]|"{1,2}(?!"))*"{0,2})"""'),
    "'''": re.compile(r"'''((?:[^']|'{1,2}(?!'))*'{0,2})'''"),
    '"': re.compile(r'"((?:[^"\\\r\n]|\\.)*)"'),
    "'": re.compile(r"'([^'\r\n]*)'"),
}
_OTHER_VALUE = re.compile(r"[^\s,\]}#]+(?: \d{2}:\d{2}[^\s,\]}#]*)?")
_LINE_ENDING_BACKSLASH = re.compile(r"\\[ \t]*\r?\n[ \t\r\n]*")
_ERROR_POSITION = re.compile(r"at line (\d+), column (\d+)")


class _Stop(Exception):
    """The scanner met something it does not understand; what it found so far stands."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.strings: list[tuple[tuple[str | int, ...], int, int, str, str]] = []
        """``(path, start, end, delimiter, decoded)`` of each string's content."""
        self.table: tuple[str | int, ...] = ()
        self.array_tables: dict[tuple[str | int, ...], int] = {}

    def scan(self) -> None:
        text = self.text
        try:
            while True:
                self.position = _TRIVIA.match(text, self.position).end()  # type: ignore[union-attr]
                if self.position >= len(text):
                    return
                if text.startswith("[[", self.position):
                    self.position += 2
                    keys = self.keys()
                    self.expect("]]")
                    path = self.resolve(keys)
                    index = self.array_tables.get(path, -1) + 1
                    self.array_tables[path] = index
                    self.table = (*path, index)
                elif text.startswith("[", self.position):
                    self.position += 1
                    keys = self.keys()
                    self.expect("]")
                    self.table = self.resolve(keys)
                else:
                    keys = self.keys()
                    self.expect("=")
                    self.value((*self.table, *keys))
        except _Stop:
            return

    def resolve(self, keys: tuple[str, ...]) -> tuple[str | int, ...]:
        """A header's keys, each but the last followed by the current index of the array
        of tables it names, if it names one (``[fruits.physical]`` after ``[[fruits]]``)."""
        path: tuple[str | int, ...] = ()
        for number, key in enumerate(keys, 1):
            path = (*path, key)
            index = self.array_tables.get(path)
            if index is not None and number < len(keys):
                path = (*path, index)
        return path

    def skip_space(self) -> None:
        self.position = _SPACE.match(self.text, self.position).end()  # type: ignore[union-attr]

    def expect(self, token: str) -> None:
        self.skip_space()
        if not self.text.startswith(token, self.position):
            raise _Stop
        self.position += len(token)

    def keys(self) -> tuple[str, ...]:
        keys: list[str] = []
        while True:
            self.skip_space()
            quote = self.text[self.position : self.position + 1]
            if quote in ('"', "'"):
                match = _STRINGS[quote].match(self.text, self.position)
                if match is None:
                    raise _Stop
                raw = match.group(1)
                keys.append(_decode(raw, quote) if quote == '"' else raw)
            else:
                match = _BARE_KEY.match(self.text, self.position)
                if match is None:
                    raise _Stop
                keys.append(match.group())
            self.position = match.end()
            self.skip_space()
            if not self.text.startswith(".", self.position):
                return tuple(keys)
            self.position += 1

    def value(self, path: tuple[str | int, ...]) -> None:
        self.skip_space()
        text, position = self.text, self.position
        char = text[position : position + 1]
        if char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        elif char in ('"', "'"):
            delimiter = (
                text[position : position + 3] if text.startswith(char * 3, position) else char
            )
            match = _STRINGS[delimiter].match(text, position)
            if match is None:
                raise _Stop
            start, end = match.span(1)
            if len(delimiter) == 3:
                start += 2 if text.startswith("\r\n", start) else text.startswith("\n", start)
            raw = text[start:end]
            decoded = _decode(raw, char) if char == '"' else raw
            self.strings.append((path, start, end, char, decoded))
            self.position = match.end()
        else:
            match = _OTHER_VALUE.match(text, position)
            if match is None:
                raise _Stop
            self.position = match.end()

    def array(self, path: tuple[str | int, ...]) -> None:
        self.position += 1
        index = 0
        while True:
            self.position = _TRIVIA.match(self.text, self.position).end()  # type: ignore[union-attr]
            if self.text.startswith("]", self.position):
                self.position += 1
                return
            self.value((*path, index))
            index += 1
            self.position = _TRIVIA.match(self.text, self.position).end()  # type: ignore[union-attr]
            if self.text.startswith(",", self.position):
                self.position += 1
            elif not self.text.startswith("]", self.position):
                raise _Stop

    def inline_table(self, path: tuple[str | int, ...]) -> None:
        self.position += 1
        while True:
            self.position = _TRIVIA.match(self.text, self.position).end()  # type: ignore[union-attr]
            if self.text.startswith("}", self.position):
                self.position += 1
                return
            keys = self.keys()
            self.expect("=")
            self.value((*path, *keys))
            self.position = _TRIVIA.match(self.text, self.position).end()  # type: ignore[union-attr]
            if self.text.startswith(",", self.position):
                self.position += 1
            elif not self.text.startswith("}", self.position):
                raise _Stop


def _decode(raw: str, quote: str) -> str:
    """The value of a basic string's content (escapes and line-ending backslashes)."""
    if "\\" not in raw or quote != '"':
        return raw
    raw = _LINE_ENDING_BACKSLASH.sub("", raw)
    return ESCAPE.sub(lambda match: decode_escape(match.group()) or "", raw)


def _lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _load(text: str) -> tuple[Any, str | None, int]:
    """``(data, error message, offset of the error)``; on an error, the data of the lines
    above the error's line, when those parse on their own."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    try:
        return tomllib.loads(text), None, 0
    except tomllib.TOMLDecodeError as error:
        offset = _error_offset(text, str(error))
        line_start = text.rfind("\n", 0, offset) + 1
        try:
            data = tomllib.loads(text[:line_start])
        except tomllib.TOMLDecodeError:
            data = {}
        return data, str(error), offset


def _error_offset(text: str, message: str) -> int:
    """The offset ``tomllib`` names in its message (it has no position attributes
    before Python 3.14); 0 when the message names none."""
    position = _ERROR_POSITION.search(message)
    if position is None:
        return 0
    line, column = int(position.group(1)), int(position.group(2))
    line_start = 0
    for _ in range(line - 1):
        line_start = text.find("\n", line_start) + 1
    return min(line_start + column - 1, len(text))


def toml_leaves(text: str) -> tuple[list[Leaf], tuple[int, str] | None]:
    """The strings of a TOML text that ``tomllib`` confirms, with their spans, and the
    ``(offset, message)`` of the error when the text is not valid TOML."""
    data, error, offset = _load(text)
    scanner = _Scanner(text)
    scanner.scan()
    leaves: list[Leaf] = []
    for path, start, end, quote, decoded in scanner.strings:
        if error is not None and end > offset:
            break
        value = _lookup(data, path)
        if isinstance(value, str) and value.replace("\r\n", "\n") == decoded.replace("\r\n", "\n"):
            leaves.append(Leaf(path, start, in_place(text, start, end, quote=quote)))
    return leaves, (offset, error) if error is not None else None
