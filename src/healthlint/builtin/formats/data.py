"""Data files: YAML, JSON and TOML that hold a site's copy.

Jekyll's ``_data/``, Hugo's ``data/`` and ``i18n/``, Eleventy's ``_data/``,
Astro's ``src/content/`` and JSON content dumps keep testimonials, service menus
and FAQ answers as structured data. Every string value is a candidate; keys are
never prose, and values whose key names a machine value (``url``, ``image``,
``slug``, ``id``, ``date``, ``color``, ...) or whose shape is one (addresses,
paths, e-mails, colours, dates, identifiers, class lists) stay blank. Each value
is its own ``field`` block, so sentences never run from one value into the next.
YAML and TOML comments carry suppressions: ``# healthlint-disable-next-line HL104``.

Only files under the configured data paths are found when a directory is walked
(``path_patterns``): a ``package.json`` or a CI workflow is not copy. A data file
named on the command line is read wherever it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from healthlint.builtin.formats._prose import ProseBuilder
from healthlint.types import Document

if TYPE_CHECKING:
    from healthlint.builtin.formats._values import Leaf

DEFAULT_DATA_PATHS: tuple[str, ...] = (
    "_data/",
    "data/",
    "i18n/",
    "locales/",
    "content/**/*.json",
    "src/content/",
    "src/data/",
)
"""Gitignore-style patterns, relative to the configuration file's folder."""


class DataFormat:
    """YAML, JSON and TOML data files under the data paths."""

    name: str = "data"
    extensions: tuple[str, ...] = (".yaml", ".yml", ".json", ".toml")

    def __init__(self, path_patterns: tuple[str, ...] = DEFAULT_DATA_PATHS) -> None:
        self.path_patterns = path_patterns
        """Where files of these extensions are looked for when a directory is walked."""

    def configured(self, options: Mapping[str, Any]) -> DataFormat:
        """This format with the ``data-paths`` of a configuration."""
        paths = options.get("data-paths")
        return DataFormat(tuple(paths)) if paths is not None else self

    def parse(self, source: str, path: str) -> Document:
        from healthlint.builtin.formats._values import hash_comments, publish_leaves

        builder = ProseBuilder(source)
        kind, leaves, error = _read(source, path.lower())
        if error is not None:
            builder.problem(error[0], f"invalid {kind}: {error[1]}")
        if kind != "JSON":  # JSON has no comments
            hash_comments(builder, source, 0, leaves)
        publish_leaves(builder, leaves, scope="field")
        return builder.document(path, self.name)


def _read(source: str, path: str) -> tuple[str, list[Leaf], tuple[int, str] | None]:
    if path.endswith(".json"):
        from healthlint.builtin.formats._json import json_leaves

        leaves, error = json_leaves(source)
        return "JSON", leaves, error
    if path.endswith(".toml"):
        from healthlint.builtin.formats._toml import toml_leaves

        leaves, error = toml_leaves(source)
        return "TOML", leaves, error
    from healthlint.builtin.formats._yaml import compose_yaml, yaml_leaves

    roots, error = compose_yaml(source, documents=True)
    return "YAML", yaml_leaves(source, roots), error
