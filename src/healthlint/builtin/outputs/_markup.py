"""HTML building with escaping in one place.

Every string that reaches the HTML report passes through :func:`escape` unless it
is already :class:`Markup`, and only the functions here make :class:`Markup`. Page
text, file names, messages and rule documentation are therefore always text: a
page that contains ``<script>`` shows those characters and never runs them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from functools import cache

AttrValue = str | int | bool | None
Attrs = Mapping[str, AttrValue]

_NAME = re.compile(r"\A[a-z][a-z0-9-]*\Z")
"""Tag and attribute names come from this module's callers, never from input; the check
keeps it that way."""

_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f\ud800-\udfff]")
"""Characters HTML cannot carry faithfully: C0 controls (a lone carriage return would
become a line break), DEL and lone surrogates, which cannot even be encoded as UTF-8."""


class Markup(str):
    """A string that is already HTML and is never escaped again."""

    __slots__ = ()

    def __add__(self, other: str) -> Markup:
        """Concatenation stays markup, and escapes a plain string on the right."""
        return Markup(str.__add__(self, escape(other)))


def escape(value: str) -> Markup:
    """``value`` as HTML text (or an attribute value); :class:`Markup` passes unchanged."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(_UNSAFE_CHARS.sub("\ufffd", value), quote=True))


def join(parts: Iterable[str]) -> Markup:
    """Concatenate, escaping every part that is not already :class:`Markup`."""
    return Markup("".join(escape(part) for part in parts))


@cache
def _checked(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not an HTML {what} name: {name!r}")
    return name


def _attributes(attrs: Attrs) -> str:
    rendered = []
    for name, value in attrs.items():
        _checked(name, "attribute")
        if value is None or value is False:
            continue
        if value is True:
            rendered.append(f" {name}")
        else:
            rendered.append(f' {name}="{escape(str(value))}"')
    return "".join(rendered)


def start_tag(tag: str, attrs: Attrs | None = None) -> Markup:
    """``<tag attr="value">``; ``None`` and ``False`` values leave the attribute out."""
    return Markup(f"<{_checked(tag, 'tag')}{_attributes(attrs or {})}>")


def end_tag(tag: str) -> Markup:
    return Markup(f"</{_checked(tag, 'tag')}>")


def element(tag: str, attrs: Attrs | None = None, *children: str) -> Markup:
    """``<tag attrs>children</tag>``; children that are plain strings are escaped."""
    return start_tag(tag, attrs) + join(children) + end_tag(tag)


def void(tag: str, attrs: Attrs | None = None) -> Markup:
    """An element without content or end tag, such as ``<meta>`` or ``<input>``."""
    return start_tag(tag, attrs)


def raw_block(tag: str, attrs: Attrs | None, body: str) -> Markup:
    """A ``<style>`` or ``<script>`` holding the report's own packaged code.

    Their content is not parsed as HTML, so it cannot be escaped; the one thing
    that could end the element early is its own end tag, which is refused.
    """
    if tag not in ("style", "script"):
        raise ValueError(f"raw content is allowed only in style and script, not {tag!r}")
    if f"</{tag}" in body.lower():
        raise ValueError(f"the {tag} body contains its own end tag")
    return Markup(str(start_tag(tag, attrs)) + body + str(end_tag(tag)))
