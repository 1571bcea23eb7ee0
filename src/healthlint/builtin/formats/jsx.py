"""JavaScript and TypeScript, with or without JSX: the copy of React, Next.js, Gatsby
and other component sites.

Parser: tree-sitter with its JavaScript and TypeScript/TSX grammars, a real
parser with error recovery and exact byte offsets (UTF-8, converted to code
points here). It is imported only when a file of this kind is read; without it
the file is reported with the command that installs it.

What is prose:

* JSX text children, split into blocks at block elements, components and ``<br>``
  as in HTML (inline elements such as ``<strong>`` or ``<a>`` do not split), and
  string literals used as children (``{"..."}``);
* string literals and template-literal text given to a *published* prop
  (``<Hero title="..." />``) or stored under a published object field or variable
  (``{ answer: "..." }``, ``const description = `...```), including arrays of
  them; the names are configurable (``published-props``);
* in *content modules* (``content-modules``: ``data/``, ``content/``,
  ``constants.ts`` and the like), every string in an object, an array or a
  variable, except those under machine keys (``href``, ``image``, ``slug``, ...).

What is skipped: imports, exports from other modules, ``require()``, types and
interfaces, enums, code, ``<code>``, ``<pre>``, ``<script>``, ``<style>`` and
``<svg>`` elements, every prop that is not published (``className``, ``href``,
``key``, ...), template substitutions, and strings that do not read as prose
(URLs, paths, identifiers, class lists, code).

Suppression: ``// healthlint-disable-next-line HL104``, ``/* ... */`` and, in JSX,
``{/* healthlint-disable-next-line HL104 */}``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from healthlint.builtin.formats._prose import ProseBuilder
from healthlint.types import Document

DEFAULT_PUBLISHED_PROPS: tuple[str, ...] = (
    "title", "subtitle", "description", "alt", "label", "text", "heading", "content",
    "answer", "question", "caption", "summary", "excerpt", "tagline", "headline",
    "subheading", "quote",
)  # fmt: skip
DEFAULT_CONTENT_MODULES: tuple[str, ...] = (
    "data/", "content/", "constants/", "copy/", "locales/", "i18n/",
    "constants.*", "content.*", "copy.*", "data.*", "strings.*", "faqs.*", "faq.*",
)  # fmt: skip
"""Gitignore-style patterns, relative to the configuration file's folder."""

_TYPESCRIPT = (".ts", ".mts", ".cts")
_MINIFIED_LINE = 5000
"""A line this long is a bundle, not a module someone writes copy in."""


def _looks_minified(source: str) -> bool:
    lines = source.count("\n") + 1
    return len(source) > _MINIFIED_LINE and len(source) / lines > _MINIFIED_LINE / 10 and any(
        len(line) > _MINIFIED_LINE for line in source.splitlines())


def grammar_for(path: str) -> str:
    """The tree-sitter grammar that reads ``path``: ``tsx``, ``typescript`` or ``javascript``."""
    lowered = path.lower()
    if lowered.endswith(".tsx"):
        return "tsx"
    return "typescript" if lowered.endswith(_TYPESCRIPT) else "javascript"


class JsxFormat:
    """JavaScript, TypeScript, JSX and TSX modules. The reader (:mod:`._jsx`) and the
    parser load when the first such file is read."""

    name: str = "jsx"
    extensions: tuple[str, ...] = (".jsx", ".tsx", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")

    def __init__(
        self,
        published_props: tuple[str, ...] = DEFAULT_PUBLISHED_PROPS,
        content_modules: tuple[str, ...] = DEFAULT_CONTENT_MODULES,
        root: str = ".",
    ) -> None:
        self.published_props = frozenset(prop.lower() for prop in published_props)
        self.content_modules = content_modules
        self.root = root
        self._content_spec: Any = None

    def configured(self, options: Mapping[str, Any]) -> JsxFormat:
        """This format with the ``published-props`` and ``content-modules`` of a configuration."""
        props = options.get("published-props")
        modules = options.get("content-modules")
        return JsxFormat(
            tuple(props) if props is not None else DEFAULT_PUBLISHED_PROPS,
            tuple(modules) if modules is not None else DEFAULT_CONTENT_MODULES,
            str(options.get("root", ".")),
        )

    def is_content_module(self, path: str) -> bool:
        """Whether ``path`` matches ``content-modules`` (relative to the configuration)."""
        if not self.content_modules:
            return False
        if self._content_spec is None:
            from pathspec import GitIgnoreSpec

            self._content_spec = GitIgnoreSpec.from_lines(self.content_modules)
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        return bool(self._content_spec.match_file(relative.replace(os.sep, "/")))

    def parse(self, source: str, path: str) -> Document:
        from healthlint.builtin.formats._jsx import read_jsx

        if _looks_minified(source):
            builder = ProseBuilder(source)
            builder.problem(0, "minified or generated code (lines of thousands of characters) "
                               "is not copy; the file is not read")
            return builder.document(path, self.name)

        return read_jsx(source, path, grammar_for(path), self.published_props,
                        self.is_content_module(path), self.name)
