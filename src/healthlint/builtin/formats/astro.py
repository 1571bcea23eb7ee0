"""Astro components (``.astro``).

An Astro file is a component script between ``---`` fences, then an HTML
template with JSX-like ``{expressions}`` and components. The script is skipped
(its directive comments still count). In the template every ``{expression}``
is blanked, in text and in attributes, found with the MDX reader's brace
scanner, which knows JavaScript strings, template literals and comments; the
rest is read as HTML. ``<script>`` and ``<style>`` are skipped as in HTML.

Components (``<Hero>``, ``<Card.Body>``) are block boundaries, and their
published props (``title="..."``, ``description={"..."}``; the names of
``published-props``) are linted as their own blocks. ``{/* healthlint-... */}``
and ``<!-- healthlint-... -->`` are directive comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from healthlint.builtin.formats.jsx import DEFAULT_PUBLISHED_PROPS
from healthlint.types import Document


class AstroFormat:
    """Astro components and pages. The reader (:mod:`._astro`) loads when the first
    component is read."""

    name: str = "astro"
    extensions: tuple[str, ...] = (".astro",)

    def __init__(self, published_props: tuple[str, ...] = DEFAULT_PUBLISHED_PROPS) -> None:
        self.published_props = frozenset(prop.lower() for prop in published_props)

    def configured(self, options: Mapping[str, Any]) -> AstroFormat:
        """This format with the ``published-props`` of a configuration."""
        props = options.get("published-props")
        return AstroFormat(tuple(props)) if props is not None else self

    def parse(self, source: str, path: str) -> Document:
        from healthlint.builtin.formats._astro import read_astro

        return read_astro(source, path, self.published_props, self.name)
