"""YAML (``---``) and TOML (``+++``) front matter at the top of Markdown and MDX files.

Published fields (by default ``title``, ``description``, ``summary`` and
``excerpt``) become ``front_matter`` blocks at the exact span of their string
value, quotes excluded; keys and every other field stay blank. YAML positions come
from PyYAML's node marks, which count code points of the text they were given.
TOML is checked with ``tomllib`` (``tomli`` before Python 3.11), which reports no
positions for values, so the top-level ``key = "value"`` lines are found by a line
pattern over the same text; a value the pattern does not understand is skipped,
never guessed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection
from typing import TYPE_CHECKING

from healthlint.builtin.formats._prose import ProseBuilder

if TYPE_CHECKING:
    import yaml

DEFAULT_PUBLISHED_FIELDS: tuple[str, ...] = ("title", "description", "summary", "excerpt")

_OPENING = re.compile(r"\ufeff?(?P<fence>---|\+\+\+)[ \t]*(?:\r\n|\n|\r)")
_CLOSING = {
    "---": re.compile(r"^(?:---|\.\.\.)[ \t]*(?=\r|\n|\Z)", re.MULTILINE),
    "+++": re.compile(r"^\+\+\+[ \t]*(?=\r|\n|\Z)", re.MULTILINE),
}
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|\r\n|[\s\S])")
_DOUBLED_QUOTE = re.compile("''")
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_TOML_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)
_TOML_STRING = re.compile(
    r"""^[ \t]*(?P<key>[A-Za-z0-9_-]+|"[^"\r\n]*"|'[^'\r\n]*')[ \t]*=[ \t]*
    (?P<value>\"\"\"(?:[^\\]|\\[\s\S])*?\"\"\"(?!")|'''[\s\S]*?'''(?!')
      |"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*')""",
    re.MULTILINE | re.VERBOSE,
)
_TOML_ERROR_POSITION = re.compile(r"at line (\d+), column (\d+)")
_BRACKETS = re.compile(r"[\[\]{}]")
MAX_NESTING = 100
"""The deepest nesting of ``[`` and ``{`` that YAML front matter is parsed with."""


def read_front_matter(source: str, builder: ProseBuilder, fields: Collection[str]) -> int:
    """Read the front matter at the top of ``source``, if any, into ``builder``.

    Returns the offset where the document body begins: 0 when there is no front
    matter, or when it is never closed (then the body is read from the top, and a
    problem says why).
    """
    opening = _OPENING.match(source)
    if opening is None:
        return 0
    fence = opening.group("fence")
    closing = _CLOSING[fence].search(source, opening.end())
    if closing is None:
        builder.problem(
            opening.start("fence"),
            f"front matter opened with '{fence}' is never closed by a '{fence}' line; "
            "the file is read as if it had none",
        )
        return 0
    text = source[opening.end() : closing.start()]
    if fence == "---":
        _read_yaml(text, opening.end(), builder, fields)
    else:
        _read_toml(text, opening.end(), builder, fields)
    return closing.end()


def _nesting(text: str) -> int:
    """How deep flow collections (``[``, ``{``) nest in ``text``, quotes not considered."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def _read_yaml(text: str, base: int, builder: ProseBuilder, fields: Collection[str]) -> None:
    import yaml  # imported here: most runs never read front matter, and start-up counts

    if _nesting(text) > MAX_NESTING:
        # PyYAML's pure-Python scanner slows quadratically with the depth of flow
        # collections before it runs out of recursion; front matter is never this deep.
        builder.problem(base, f"YAML front matter nests more than {MAX_NESTING} levels deep; "
                        "its fields are not linted")
        return
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        offset = base + (mark.index if mark is not None else 0)
        reason = error.problem or error.context or "cannot be parsed"
        builder.problem(offset, f"invalid YAML front matter: {reason}")
        return
    except yaml.reader.ReaderError as error:
        builder.problem(base + error.position, f"invalid YAML front matter: {error.reason}")
        return
    except yaml.YAMLError as error:
        builder.problem(base, f"invalid YAML front matter: {error}")
        return
    except RecursionError:
        builder.problem(base, "YAML front matter nests too deeply to read; its fields are "
                        "not linted")
        return
    if root is None:
        return
    if not isinstance(root, yaml.MappingNode):
        builder.problem(base, "YAML front matter is not a mapping of keys to values")
        return
    for key, value in root.value:
        if (
            isinstance(key, yaml.ScalarNode)
            and key.value in fields
            and isinstance(value, yaml.ScalarNode)
            and value.value
        ):
            _reveal_yaml_scalar(text, value, base, builder)


def _reveal_yaml_scalar(text: str, node: yaml.ScalarNode, base: int, builder: ProseBuilder) -> None:
    start, end = node.start_mark.index, node.end_mark.index
    style = node.style
    if style in ('"', "'"):
        start, end = start + 1, end - 1
        _reveal_escaped(text, start, end, base, builder, quote=style)
    elif style in ("|", ">"):
        header_end = text.find("\n", start, end)
        if header_end < 0:
            return
        start = header_end + 1
        builder.reveal(base + start, text[start:end])
    else:
        builder.reveal(base + start, text[start:end])
    builder.add_block(base + start, base + end, "front_matter")


def _reveal_escaped(
    text: str, start: int, end: int, base: int, builder: ProseBuilder, *, quote: str
) -> None:
    """Reveal a quoted string, each escape decoded at its first offset.

    ``quote`` is ``"`` for backslash escapes (YAML double quotes, TOML basic
    strings) and ``'`` for YAML single quotes, where ``''`` stands for ``'``.
    """
    pattern = _ESCAPE if quote == '"' else _DOUBLED_QUOTE
    position = start
    for escape in pattern.finditer(text, start, end):
        builder.reveal(base + position, text[position : escape.start()])
        position = escape.end()
        decoded = _decode_escape(escape.group())
        if decoded is not None:
            builder.reveal_decoded(base + escape.start(), base + escape.end(), decoded)
    builder.reveal(base + position, text[position:end])


def _decode_escape(escape: str) -> str | None:
    """The character an escape stands for; ``None`` for an escaped line break,
    which joins lines and must leave the line break itself in the view."""
    if escape == "''":
        return "'"
    letter = escape[1]
    if letter in "\r\n":
        return None
    if letter in "xuU":
        return chr(int(escape[2:], 16))
    return _SIMPLE_ESCAPES.get(letter, letter)


def _read_toml(text: str, base: int, builder: ProseBuilder, fields: Collection[str]) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        builder.problem(
            base + _toml_error_offset(text, str(error)), f"invalid TOML front matter: {error}"
        )
    table = _TOML_TABLE.search(text)
    top_level_end = table.start() if table is not None else len(text)
    for line in _TOML_STRING.finditer(text, 0, top_level_end):
        key = line.group("key").strip("\"'")
        if key not in fields:
            continue
        value = line.group("value")
        width = 3 if value[:3] in ('"""', "'''") else 1
        start, end = line.start("value") + width, line.end("value") - width
        if value.startswith('"'):
            _reveal_escaped(text, start, end, base, builder, quote='"')
        else:
            builder.reveal(base + start, text[start:end])
        builder.add_block(base + start, base + end, "front_matter")


def _toml_error_offset(text: str, message: str) -> int:
    """The offset ``tomllib`` names in its message (it has no position attributes
    before Python 3.14); 0 when the message names none."""
    position = _TOML_ERROR_POSITION.search(message)
    if position is None:
        return 0
    line, column = int(position.group(1)), int(position.group(2))
    line_start = 0
    for _ in range(line - 1):
        line_start = text.find("\n", line_start) + 1
    return min(line_start + column - 1, len(text))
