"""Exact spans of the strings in a JSON text.

The standard library's decoder gives no positions for values, and JSON's grammar
is small enough that an exact scanner is shorter than any workaround: one
pattern finds each token and a recursive descent tracks the key path. The
scanner is strict (RFC 8259): the first thing that is not JSON stops it with a
message at that offset, and the strings before it still count.
"""

from __future__ import annotations

import json
import re

from healthlint.builtin.formats._values import Leaf, in_place

_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
      (?P<string>"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*")
    | (?P<punct>[{}\[\]:,])
    | (?P<literal>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)
    )""",
    re.VERBOSE,
)
_SPACE = re.compile(r"[ \t\r\n]*")
_MAX_DEPTH = 400
"""Deeper nesting is reported rather than risking the interpreter's recursion limit."""


class _Error(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 1 if text.startswith("\ufeff") else 0
        self.leaves: list[Leaf] = []

    def next(self, wanted: str) -> tuple[str, str, int]:
        """The next token's kind, text and offset; an error naming ``wanted`` if none."""
        match = _TOKEN.match(self.text, self.position)
        if match is None or match.lastgroup is None:
            offset = _SPACE.match(self.text, self.position).end()  # type: ignore[union-attr]
            found = repr(self.text[offset]) if offset < len(self.text) else "the end of the file"
            raise _Error(offset, f"expected {wanted}, found {found}")
        self.position = match.end()
        return match.lastgroup, match.group(match.lastgroup), match.start(match.lastgroup)

    def expect(self, punctuation: str, wanted: str) -> str:
        kind, token, offset = self.next(wanted)
        if kind != "punct" or token not in punctuation:
            raise _Error(offset, f"expected {wanted}, found {token[:20]!r}")
        return token

    def value(self, path: tuple[str | int, ...], depth: int) -> None:
        kind, token, offset = self.next("a value")
        if kind == "string":
            self.leaves.append(
                Leaf(
                    path, offset + 1, in_place(self.text, offset + 1, self.position - 1, quote='"')
                )
            )
        elif kind == "literal":
            return
        elif depth >= _MAX_DEPTH:
            raise _Error(offset, f"JSON nested more than {_MAX_DEPTH} levels deep")
        elif token == "{":
            self.object(path, depth + 1)
        elif token == "[":
            self.array(path, depth + 1)
        else:
            raise _Error(offset, f"expected a value, found {token!r}")

    def object(self, path: tuple[str | int, ...], depth: int) -> None:
        if self.peek("}"):
            return
        while True:
            kind, token, offset = self.next("a string key")
            if kind != "string":
                raise _Error(offset, f"expected a string key, found {token[:20]!r}")
            key: str = json.loads(token)
            self.expect(":", "':'")
            self.value((*path, key), depth)
            if self.expect(",}", "',' or '}'") == "}":
                return

    def array(self, path: tuple[str | int, ...], depth: int) -> None:
        if self.peek("]"):
            return
        index = 0
        while True:
            self.value((*path, index), depth)
            index += 1
            if self.expect(",]", "',' or ']'") == "]":
                return

    def peek(self, closer: str) -> bool:
        """Consume ``closer`` if it comes next (an empty container)."""
        position = _SPACE.match(self.text, self.position).end()  # type: ignore[union-attr]
        if self.text.startswith(closer, position):
            self.position = position + 1
            return True
        return False


def json_leaves(text: str) -> tuple[list[Leaf], tuple[int, str] | None]:
    """The string values of a JSON text (keys excluded) with their spans, and the
    ``(offset, message)`` of the first error, if the text is not JSON."""
    scanner = _Scanner(text)
    try:
        scanner.value((), 0)
        end = _SPACE.match(text, scanner.position).end()  # type: ignore[union-attr]
        if end < len(text):
            raise _Error(end, "more data after the top-level value")
    except _Error as error:
        return scanner.leaves, (error.offset, error.message)
    return scanner.leaves, None
