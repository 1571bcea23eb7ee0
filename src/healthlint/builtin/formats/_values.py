"""String values of structured files: front matter, data files, JS/TS literals.

A string leaf is linted only if it reads as published copy. Its *key* must not
name a machine value (``url``, ``image``, ``slug``, ``id``, ``date``, ``color``,
``className``, ...), and its *value* must not look like one (an address, a path,
an e-mail, a colour, a date, an identifier, a list of CSS classes, code). The
filters err towards linting: a single word ("Cancer", "guaranteed") is copy unless
it has the shape of an identifier (``heroBanner``, ``btn_primary``, ``a1b2c3``).

Escapes are decoded *in place*: the decoded character stands at the escape's
first offset and the rest of the escape is blank, so the value keeps its
source length and every offset stays exact. A value that holds HTML is read by
the HTML reader over that same-length text, so its tags are blanked.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from healthlint.builtin.formats._prose import ProseBuilder, blank, fill
from healthlint.builtin.formats.html import read_html, reveal_text

ESCAPE = re.compile(
    r"\\(?:x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|\r\n|[\s\S])"
)
"""Backslash escapes of YAML double quotes, TOML basic strings, JSON and JavaScript."""
_DOUBLED_QUOTE = re.compile("''")
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip


def decode_escape(escape: str) -> str | None:
    """The character an escape stands for; ``None`` for an escaped line break, which
    joins lines and must leave the line break itself in the view."""
    if escape == "''":
        return "'"
    letter = escape[1]
    if letter in "\r\n":
        return None
    if letter in "xuU" and len(escape) > 2:
        code = int(escape[2:].strip("{}"), 16)
        return chr(code) if code <= 0x10FFFF else " "
    return _SIMPLE_ESCAPES.get(letter, letter)


def in_place(text: str, start: int, end: int, *, quote: str = "") -> str:
    """``text[start:end]`` with its escapes decoded in place (same length).

    ``quote`` is ``"`` for backslash escapes, ``'`` for YAML's doubled single quote,
    and empty for text without escapes.
    """
    if not quote or (quote == '"' and "\\" not in text[start:end]):
        return text[start:end]
    pattern = ESCAPE if quote == '"' else _DOUBLED_QUOTE
    parts: list[str] = []
    position = start
    for escape in pattern.finditer(text, start, end):
        parts.append(text[position : escape.start()])
        raw = escape.group()
        decoded = decode_escape(raw)
        parts.append(blank(raw) if decoded is None else fill(decoded, len(raw)))
        position = escape.end()
    parts.append(text[position:end])
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Leaf:
    """A string value found in a structured file."""

    path: tuple[str | int, ...]
    """Keys and list indices from the root to the value."""
    start: int
    """Offset of the value's first character (quotes excluded) in the source."""
    text: str
    """The value with escapes decoded in place: as long as its span in the source."""

    @property
    def key(self) -> str | None:
        """The nearest mapping key above the value (list indices skipped)."""
        for part in reversed(self.path):
            if isinstance(part, str):
                return part
        return None


_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_MACHINE_KEY_WORDS = frozenset(
    """url urls uri href link src srcset image img icon logo thumbnail thumb photo picture avatar
    video audio file path permalink route slug id ids uuid guid key ref date time datetime
    timestamp updated created modified pubdate lastmod expirydate color colour background bg
    class classname css style layout template type kind variant theme size width height weight
    order position index draft lang locale language email mail phone tel telephone fax mobile
    whatsapp target rel anchor redirect alias format mime component svg font align alignment lat
    lng lon latitude longitude zoom embed iframe map code script analytics tracking pixel gtm
    handle sku currency status method action schema""".split()
)



def is_machine_key(key: str | None) -> bool:
    """Whether a key names a machine value (``heroImage``, ``cta_url``, ``pubDate``, ``_id``).

    The key's last word decides, so ``imageAlt`` and ``metaDescription`` are copy.
    """
    if key is None:
        return False
    if key[:1] in "_$@":
        return True
    words = _WORD.findall(key)
    if not words:
        return False
    last = words[-1].lower()
    if last in _MACHINE_KEY_WORDS:
        return True
    return len(last) > 3 and last.endswith("s") and last[:-1] in _MACHINE_KEY_WORDS


_ADDRESS = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.|mailto:|tel:|sms:|data:|javascript:)", re.IGNORECASE
)
_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_IDENTIFIER = re.compile(
    r"""[a-z][a-z0-9]*(?:[A-Z][A-Za-z0-9]*)+   # camelCase
    | [A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+          # PascalCase with two humps
    | [A-Za-z0-9]*_[A-Za-z0-9_]*                  # snake_case, SCREAMING_SNAKE
    | (?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]+  # letters and digits: ids, hashes
    | [\w.-]*\.[A-Za-z0-9]{1,5}                   # file names and dotted names""",
    re.VERBOSE,
)
_TWO_LETTERS = re.compile(r"[^\W\d_].*?[^\W\d_]", re.DOTALL)
_NON_PROSE_TOKEN = re.compile(r"[/\\@{}<>=;()\[\]|`$#]|^[.:]")
_CODE = re.compile(r"=>|===|!==|&&|\|\||\$\{|\{\{|\}\}|\);|::|\w=\S")
_CLASS_TOKEN = re.compile(r"!?-?[a-z0-9]+(?:[-:/_.\[\]#%][a-z0-9\[\].#%/-]*)*")
_CLASS_MARK = re.compile(r"[-:/\[_]")


def looks_like_prose(value: str) -> bool:
    """Whether a string value reads as copy rather than a machine value."""
    text = value.strip()
    if not _TWO_LETTERS.search(text) or _ADDRESS.match(text):
        return False
    tokens = text.split()
    if len(tokens) == 1:
        token = tokens[0]
        return not (
            _NON_PROSE_TOKEN.search(token) or _DATE.fullmatch(token) or _IDENTIFIER.fullmatch(token)
        )
    if _CODE.search(text) or _DATE.fullmatch(text):
        return False
    if all(_CLASS_TOKEN.fullmatch(token) for token in tokens):
        marked = sum(1 for token in tokens if _CLASS_MARK.search(token))
        if marked * 2 > len(tokens):
            return False
    return True


_MARKUP = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*[\s/>]|/[A-Za-z]|!--)")
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")


def publish(builder: ProseBuilder, start: int, text: str, scope: str) -> None:
    """Show ``text`` (a value at offset ``start``, escapes decoded in place) as one block,
    or, when it holds HTML, read it as HTML so its tags stay blank."""
    if _MARKUP.search(text):
        read_html(text, start, builder, strict=False)
        return
    if "&" in text and _REFERENCE.search(text):
        reveal_text(builder, text, 0, len(text), start, in_attribute=False)
    else:
        builder.reveal(start, text)
    builder.add_block(start, start + len(text), scope)


def publish_leaves(
    builder: ProseBuilder,
    leaves: Iterable[Leaf],
    *,
    base: int = 0,
    published: Callable[[Leaf], bool] = lambda leaf: True,
    scope: str,
) -> None:
    """Publish every leaf that ``published`` accepts, whose key is not a machine key and
    whose value reads as prose. ``base`` is where the leaves' text stands in the source."""
    for leaf in leaves:
        if published(leaf) and not is_machine_key(leaf.key) and looks_like_prose(leaf.text):
            publish(builder, base + leaf.start, leaf.text, scope)


_HASH_DIRECTIVE = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*(healthlint-[^\r\n]*)", re.MULTILINE)


def hash_comments(builder: ProseBuilder, text: str, base: int, leaves: list[Leaf]) -> None:
    """Record the ``# healthlint-...`` comments of a YAML or TOML text (at ``base`` in the
    source); a ``#`` inside one of the text's string ``leaves`` is not a comment."""
    if "healthlint-" not in text:
        return
    spans = sorted((leaf.start, leaf.start + len(leaf.text)) for leaf in leaves)
    starts = [start for start, _ in spans]
    for comment in _HASH_DIRECTIVE.finditer(text):
        index = bisect_right(starts, comment.start()) - 1
        if index >= 0 and comment.start() < spans[index][1]:
            continue
        end = comment.end()
        builder.add_comment(base + comment.start(), base + end, comment.group(1).rstrip())
