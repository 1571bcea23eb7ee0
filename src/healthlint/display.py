"""Making text from pages, file names and messages safe to show.

Pages and file names are untrusted: an ``ESC`` sequence in a sentence can clear a
reader's terminal, retitle its window or hide a link, a newline in a file name can
start a fake line in a CI log (a GitHub workflow command), and a right-to-left
override can make a log line read differently from what it holds. Every output that
people read passes its text through :func:`visible`, the one place where characters
are escaped:

* C0 controls and DEL become their Unicode control pictures (``ESC`` shows as ``␛``,
  a line feed as ``␊``), one character for one, so code-frame carets stay aligned;
* C1 controls become ``\\x9b``, and bidirectional controls and the Unicode line and
  paragraph separators ``\\u202e``;
* a byte that was not UTF-8 in a file name (Python holds it as a lone surrogate,
  ``surrogateescape``) shows as ``\\xe9``, and any other lone surrogate, which no
  encoding can write, as U+FFFD.

Machine outputs (JSON, SARIF, GitLab) keep control characters, which JSON escapes,
and only need :func:`scrub`: lone surrogates become U+FFFD, so the output is valid
UTF-8 and strict JSON. This module depends on the standard library only, so the
built-in outputs may use it.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["scrub", "scrub_data", "visible"]

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_KEEPING_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if code <= 0x9F:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\u{code:04x}"


def visible(text: str, *, newlines: bool = False) -> str:
    """``text`` with every control character shown instead of acted on.

    ``newlines`` keeps line feeds and tabs, for multi-line text that healthlint itself
    lays out (a diff, a rule's documentation); a carriage return is still shown.
    """
    pattern = _UNSAFE_KEEPING_LINES if newlines else _UNSAFE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def scrub(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so that it encodes as UTF-8."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def scrub_data(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, strings) with every string scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_data(key): scrub_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_data(item) for item in value]
    return value
