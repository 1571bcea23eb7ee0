"""YAML (``---``) and TOML (``+++``) front matter at the top of Markdown and MDX files.

Published fields become ``front_matter`` blocks at the exact span of their string
value, quotes excluded; keys and every other field stay blank. Which fields are
published is a list of key patterns (:mod:`._fields`): plain names are top-level
keys as before, and dotted patterns reach into nested mappings and lists
(``hero.*``, ``faqs[].answer``, ``**.description``), as Netlify CMS, CloudCannon,
Astro content collections, Hugo and Jekyll themes nest their copy. A value that
holds HTML (often a YAML block scalar) is read as HTML, tags blanked. Machine
values under a published pattern (image paths, links, slugs, dates, colours) are
left out by their key or their shape (:mod:`._values`). A ``# healthlint-...`` comment in
the front matter is a suppression directive.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from healthlint.builtin.formats._prose import ProseBuilder

if TYPE_CHECKING:
    from healthlint.builtin.formats._fields import FieldMatcher
    from healthlint.builtin.formats._values import Leaf

_COPY_KEYS = """
    title subtitle description summary excerpt lead intro tagline heading subheading headline
    caption blurb teaser abstract text content body copy quote question answer alt label cta
    metatitle metadescription meta_title meta_description seotitle seodescription seo_title
    seo_description""".split()
_COPY_SECTIONS = """
    hero banner intro usp usps features benefits faq faqs testimonials reviews highlights
    services treatments conditions pricing content_blocks""".split()
DEFAULT_PUBLISHED_FIELDS: tuple[str, ...] = (
    "title", "description", "summary", "excerpt",
    *(f"**.{key}" for key in _COPY_KEYS),
    *(f"**.{section}" for section in _COPY_SECTIONS),
)  # fmt: skip
"""Top-level ``title``, ``description``, ``summary`` and ``excerpt`` as before, copy
fields at any depth, and the sections page builders keep copy in."""

_OPENING = re.compile(r"\ufeff?(?P<fence>---|\+\+\+)[ \t]*(?:\r\n|\n|\r)")
_CLOSING = {
    "---": re.compile(r"^(?:---|\.\.\.)[ \t]*(?=\r|\n|\Z)", re.MULTILINE),
    "+++": re.compile(r"^\+\+\+[ \t]*(?=\r|\n|\Z)", re.MULTILINE),
}


def published_fields(options: Mapping[str, Any]) -> tuple[str, ...]:
    """The published field patterns a configuration asks for: ``published-fields``
    (default :data:`DEFAULT_PUBLISHED_FIELDS`) plus ``extend-published-fields``."""
    fields = options.get("published-fields")
    base = tuple(fields) if fields is not None else DEFAULT_PUBLISHED_FIELDS
    return base + tuple(options.get("extend-published-fields") or ())


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
    # Imported here: the readers compile their patterns on import, and most pages of
    # most runs have no front matter.
    from healthlint.builtin.formats._fields import field_matcher

    text = source[opening.end() : closing.start()]
    matcher = field_matcher(tuple(fields))
    if fence == "---":
        _read_yaml(text, opening.end(), builder, matcher)
    else:
        _read_toml(text, opening.end(), builder, matcher)
    return closing.end()


def _publish(
    builder: ProseBuilder, leaves: Iterable[Leaf], base: int, fields: FieldMatcher
) -> None:
    from healthlint.builtin.formats._values import publish_leaves

    publish_leaves(
        builder, leaves, base=base, scope="front_matter",
        published=lambda leaf: fields.publishes(leaf.path),
    )


def _read_yaml(text: str, base: int, builder: ProseBuilder, fields: FieldMatcher) -> None:
    import yaml

    from healthlint.builtin.formats._values import hash_comments
    from healthlint.builtin.formats._yaml import compose_yaml, yaml_leaves

    roots, error = compose_yaml(text, documents=False)
    if error is not None:
        builder.problem(base + error[0], f"invalid YAML front matter: {error[1]}")
        return
    if not roots:
        return
    if not isinstance(roots[0], yaml.MappingNode):
        builder.problem(base, "YAML front matter is not a mapping of keys to values")
        return
    leaves = yaml_leaves(text, roots)
    _publish(builder, leaves, base, fields)
    hash_comments(builder, text, base, leaves)


def _read_toml(text: str, base: int, builder: ProseBuilder, fields: FieldMatcher) -> None:
    from healthlint.builtin.formats._toml import toml_leaves
    from healthlint.builtin.formats._values import hash_comments

    leaves, error = toml_leaves(text)
    if error is not None:
        builder.problem(base + error[0], f"invalid TOML front matter: {error[1]}")
    _publish(builder, leaves, base, fields)
    hash_comments(builder, text, base, leaves)
