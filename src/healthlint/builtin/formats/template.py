"""HTML templates: Liquid, Go templates (Hugo), Nunjucks/Jinja/Twig, Handlebars and
Mustache, ERB/EJS, PHP and Blade.

Template syntax is blanked first, with the lengths kept, and what is left is read
by the HTML reader, so offsets stay exact and template code is never prose:
``{{ }}``, ``{{{ }}}``, ``{% %}``, Hugo shortcodes ``{{< >}}`` and ``{{% %}}``, the
``{{-``/``-}}`` and ``{%-``/``-%}`` trimming forms, ``{# #}``, ``{{!-- --}}``,
``{{/* */}}``, ``<% %>``, ``<?php ?>`` (to the end of the file when unclosed, as
PHP allows), Blade's ``{!! !!}``, ``{{-- --}}`` and ``@directives(...)``. Blocks
whose content is code or a comment are blanked whole: ``{% raw %}``,
``{% comment %}``, ``{% highlight %}``, ``{% schema %}``, ``{% javascript %}``,
``{% stylesheet %}``, Hugo's ``highlight`` shortcode, ``@php``/``@endphp``.

Templates are fragments: a layout opens ``<div>`` in one partial and closes it in
another, and a conditional opens one of two elements. So the HTML is read
without reporting unclosed or stray tags; template syntax raises no warning
unless it is itself broken (a ``{{`` never closed).

Suppression uses each language's own comments: ``{# healthlint-disable ... #}``,
``{% comment %}healthlint-disable ...{% endcomment %}``, ``{{/* ... */}}``,
``{{!-- ... --}}``, ``{{-- ... --}}``, ``<%# ... %>``, ``<?php /* ... */ ?>``, and
HTML comments everywhere.

An ``.html`` file is read as a template when it stands in a layout folder
(``layouts/``, ``_layouts/``, ``_includes/``, ``templates/``, ``partials/``) or holds
template syntax; otherwise it is plain HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from healthlint.builtin.formats._prose import ProseBuilder
from healthlint.builtin.formats.frontmatter import published_fields, read_front_matter
from healthlint.builtin.formats.html import read_html
from healthlint.types import Document

LAYOUT_FOLDERS = frozenset(
    {"layouts", "_layouts", "_includes", "templates", "partials", "_partials"}
)


@cache
def _syntax() -> re.Pattern[str]:
    """Template syntax (or front matter) that makes an ``.html`` file a template."""
    return re.compile(r"\A\ufeff?(?:---|\+\+\+)[ \t]*\r?\n|\{\{|\{%|<\?(?:php|=)|<%[=#-]?\s")


def is_template(source: str, path: str) -> bool:
    """Whether an ``.html`` file is a template: in a layout folder, or holding template
    syntax or front matter."""
    folders = re.split(r"[\\/]", path)[:-1]
    in_layouts = any(folder in LAYOUT_FOLDERS for folder in folders)
    return in_layouts or _syntax().search(source) is not None


def read_template(
    source: str, path: str, format_name: str, options: Mapping[str, Any] | None = None
) -> Document:
    """Read ``source`` as an HTML template into a document; front matter (Jekyll,
    Eleventy) is read as in Markdown, with the configuration's ``options``."""
    from healthlint.builtin.formats._template import blank_template_syntax

    builder = ProseBuilder(source)
    body = read_front_matter(source, builder, published_fields(options or {}))
    text = blank_template_syntax(
        source, builder, blade=path.lower().endswith(".blade.php"), start=body
    )
    read_html(text[body:], body, builder, strict=False)
    return builder.document(path, format_name)


class TemplateFormat:
    """HTML templates of the common site generators and server frameworks. The template
    scanner (:mod:`._template`) loads when the first template is read."""

    name: str = "template"
    extensions: tuple[str, ...] = (
        ".liquid", ".njk", ".nunjucks", ".jinja", ".jinja2", ".j2", ".twig", ".hbs",
        ".handlebars", ".mustache", ".erb", ".ejs", ".php", ".blade.php", ".gohtml",
        ".tmpl", ".gotmpl",
    )  # fmt: skip

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options = options or {}

    def configured(self, options: Mapping[str, Any]) -> TemplateFormat:
        """This format with the published front-matter fields of a configuration."""
        return TemplateFormat(options)

    def parse(self, source: str, path: str) -> Document:
        return read_template(source, path, self.name, self.options)
