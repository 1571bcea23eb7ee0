"""``healthlint init``: find a site's generator and write a configuration for its copy.

The generator is recognised from the files it needs (``hugo.toml``, ``_config.yml``,
``astro.config.mjs``, ``next.config.js``, a ``package.json`` dependency, ...), and
each one keeps its copy in known places: the written ``include`` globs point at
them, so a run reads the pages, layouts, components and data files and leaves
the tooling alone. A Decap (Netlify) CMS configuration names the fields editors
fill in: those become ``extend-published-fields`` patterns, and its data files
``data-paths``. What was found, and why, is printed; the file is written only
where no configuration exists yet, unless asked to overwrite it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from healthlint.builtin.formats.data import DEFAULT_DATA_PATHS

CONFIG_NAME = ".healthlint.yaml"
_EXISTING = (".healthlint.yaml", ".healthlint.yml")
_DECAP_CONFIGS = (
    "static/admin/config.yml", "public/admin/config.yml", "admin/config.yml",
    "src/admin/config.yml", "static/admin/config.yaml", "public/admin/config.yaml",
)  # fmt: skip
_CLOUDCANNON_CONFIGS = ("cloudcannon.config.yml", "cloudcannon.config.yaml",
                        "cloudcannon.config.json")
_TEXT_WIDGETS = frozenset({"string", "text", "markdown"})


@dataclass
class Detection:
    """A site generator found in a folder, and what to lint there."""

    generator: str
    reasons: list[str]
    include: list[str]
    exclude: list[str] = field(default_factory=list)
    published_fields: list[str] = field(default_factory=list)
    data_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Site:
    """What a folder holds, read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dependencies = self._dependencies()

    def _dependencies(self) -> set[str]:
        try:
            package = json.loads((self.root / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        if not isinstance(package, dict):
            return set()
        names: set[str] = set()
        for key in ("dependencies", "devDependencies"):
            table = package.get(key)
            if isinstance(table, dict):
                names.update(str(name) for name in table)
        return names

    def first(self, *names: str) -> str | None:
        """The first of ``names`` (paths relative to the root) that exists."""
        return next((name for name in names if (self.root / name).exists()), None)

    def existing(self, *names: str) -> list[str]:
        return [name for name in names if (self.root / name).exists()]

    def read(self, name: str) -> str:
        try:
            return (self.root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    def marker(self, files: Iterable[str], package: str | None) -> str | None:
        """Why the folder looks like the generator: a config file, or a dependency."""
        found = self.first(*files)
        if found is not None:
            return f"found {found}"
        if package is not None and package in self.dependencies:
            return f"package.json depends on {package}"
        return None


def _folders(site: _Site, *names: str) -> list[str]:
    """``names`` that exist, as folder globs (``content/``)."""
    return [f"{name}/" for name in site.existing(*names)]


def _hugo(site: _Site) -> Detection | None:
    reason = site.marker(("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config/_default"),
                        None)
    if reason is None:
        config = site.first("config.toml", "config.yaml", "config.yml")
        if config is not None and re.search(r"(?im)^\s*baseurl\s*[:=]", site.read(config)) \
                and site.first("content", "layouts", "archetypes"):
            reason = f"found {config} with a baseURL and Hugo's folders"
    if reason is None:
        return None
    return Detection("Hugo", [reason],
                     _folders(site, "content", "layouts", "data", "i18n") or ["content/"],
                     exclude=["public/", "resources/"])


def _jekyll(site: _Site) -> Detection | None:
    config = site.first("_config.yml", "_config.yaml")
    gemfile = site.read("Gemfile")
    if config is None and "jekyll" not in gemfile:
        return None
    reasons = [f"found {config}"] if config else []
    if "jekyll" in gemfile:
        reasons.append("the Gemfile names jekyll")
    # Pages, posts, collections and layouts are Markdown or HTML wherever they are.
    include = ["*.md", "*.markdown", "*.html", *_folders(site, "_data")]
    return Detection("Jekyll", reasons, include, exclude=["_site/", "vendor/", ".jekyll-cache/"])


def _eleventy(site: _Site) -> Detection | None:
    configs = (".eleventy.js", "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs",
               "eleventy.config.ts")
    reason = site.marker(configs, "@11ty/eleventy")
    if reason is None:
        return None
    config = site.first(*configs)
    found = re.search(r"""input\s*:\s*["']([^"']+)["']""", site.read(config)) if config else None
    source = found.group(1).strip("./") if found else ""
    prefix = f"{source}/" if source else ""
    include = [f"{prefix}**/*.{ext}" for ext in ("md", "njk", "liquid", "html", "hbs", "webc")]
    include += [f"{prefix}_data/", f"{prefix}_includes/"]
    reasons = [reason] + ([f"{config} reads its input from {source}/"] if source else [])
    return Detection("Eleventy", reasons, include, exclude=["_site/"])


def _astro(site: _Site) -> Detection | None:
    reason = site.marker(("astro.config.mjs", "astro.config.js", "astro.config.ts",
                          "astro.config.mts", "astro.config.cjs"), "astro")
    if reason is None:
        return None
    return Detection("Astro", [reason], _folders(site, "src") or ["src/"],
                     exclude=["dist/", ".astro/"])


def _next(site: _Site) -> Detection | None:
    reason = site.marker(("next.config.js", "next.config.mjs", "next.config.ts",
                          "next.config.cjs"), "next")
    if reason is None:
        return None
    include = _folders(site, "app", "pages", "src", "components", "lib", "content", "data",
                       "posts", "_posts", "constants") or ["src/"]
    exclude = [f"{base}api/" for base in ("app/", "pages/", "src/app/", "src/pages/")
               if (site.root / base / "api").is_dir()]
    return Detection("Next.js", [reason], include, exclude=[".next/", "out/", *exclude],
                     notes=["API routes (api/) are code, not copy: excluded"] if exclude else [])


def _gatsby(site: _Site) -> Detection | None:
    reason = site.marker(("gatsby-config.js", "gatsby-config.ts", "gatsby-config.mjs"), "gatsby")
    if reason is None:
        return None
    include = _folders(site, "src", "content", "data", "blog", "posts") or ["src/"]
    include += site.existing("gatsby-config.js", "gatsby-config.ts", "gatsby-config.mjs")
    return Detection("Gatsby", [reason], include, exclude=["public/", ".cache/"],
                     notes=["gatsby-config's siteMetadata title and description are linted"])


def _docusaurus(site: _Site) -> Detection | None:
    reason = site.marker(("docusaurus.config.js", "docusaurus.config.ts",
                          "docusaurus.config.mjs"), "@docusaurus/core")
    if reason is None:
        return None
    include = _folders(site, "docs", "blog", "src/pages", "src/components", "i18n") or ["docs/"]
    return Detection("Docusaurus", [reason], include, exclude=["build/", ".docusaurus/"])


def _plain_html(site: _Site) -> Detection | None:
    for folder in ("", "public", "site", "www", "docs", "html"):
        base = site.root / folder if folder else site.root
        if (base / "index.html").is_file():
            where = f"{folder}/" if folder else ""
            return Detection(
                "plain HTML", [f"found {where}index.html and no site generator"],
                [f"{where}**/*.html", f"{where}**/*.htm"],
            )
    return None


DETECTORS: tuple[Callable[[_Site], Detection | None], ...] = (
    _hugo, _jekyll, _eleventy, _astro, _docusaurus, _gatsby, _next, _plain_html,
)
"""In order of precedence: a Docusaurus or Gatsby site also depends on React, and some
Next.js sites hold an index.html."""


def detect(root: Path) -> tuple[Detection | None, list[Detection]]:
    """The generator of the site in ``root`` and any others found there too."""
    site = _Site(root)
    found = [detection for detector in DETECTORS if (detection := detector(site)) is not None]
    if found:
        _read_cms(site, found[0])
    return (found[0] if found else None), found[1:]


def _read_cms(site: _Site, detection: Detection) -> None:
    """Add what a Decap (Netlify) CMS or CloudCannon configuration says about the copy."""
    decap = site.first(*_DECAP_CONFIGS)
    if decap is not None:
        fields, data, folders = _decap_fields(site.read(decap))
        detection.reasons.append(
            f"found a Decap/Netlify CMS configuration at {decap}: {len(fields)} text field "
            f"pattern{'s' * (len(fields) != 1)}, {len(data)} data file{'s' * (len(data) != 1)}"
        )
        _add(detection.published_fields, fields)
        _add(detection.data_paths, data, covered_by=DEFAULT_DATA_PATHS)
        _add(detection.include, folders)
    cloudcannon = site.first(*_CLOUDCANNON_CONFIGS)
    if cloudcannon is not None:
        detection.reasons.append(
            f"found {cloudcannon}: CloudCannon's page-builder fields (content_blocks) are "
            "among the default published fields"
        )


def _add(target: list[str], values: Iterable[str], covered_by: Iterable[str] = ()) -> None:
    """Append the ``values`` that no folder glob in ``target`` or ``covered_by`` covers yet."""
    for value in values:
        folders = [folder for folder in (*target, *covered_by) if folder.endswith("/")]
        if value not in target and not any(value.startswith(folder) for folder in folders):
            target.append(value)


def _decap_fields(text: str) -> tuple[list[str], list[str], list[str]]:
    """``(field patterns, data files, content folders)`` of a Decap CMS configuration."""
    import yaml

    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError:
        return [], [], []
    collections = config.get("collections") if isinstance(config, dict) else None
    patterns: list[str] = []
    data: list[str] = []
    folders: list[str] = []
    for collection in collections if isinstance(collections, list) else []:
        if not isinstance(collection, dict):
            continue
        folder = collection.get("folder")
        if isinstance(folder, str):
            folders.append(folder.strip("/") + "/")
            _field_patterns(collection.get("fields"), "", patterns, top_level=True)
        for entry in collection.get("files") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                continue
            path = entry["file"].strip("/")
            if path.endswith((".yml", ".yaml", ".json", ".toml")):
                data.append(path)
            else:
                _field_patterns(entry.get("fields"), "", patterns, top_level=True)
    return patterns, data, folders


def _field_patterns(fields: Any, prefix: str, patterns: list[str], *, top_level: bool) -> None:
    for item in fields if isinstance(fields, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name, widget = item["name"], item.get("widget", "string")
        if top_level and name == "body" and widget == "markdown":
            continue  # the Markdown body of the page, not a front-matter field
        path = f"{prefix}{name}"
        if widget in _TEXT_WIDGETS:
            patterns.append(path)
        elif widget == "object":
            _field_patterns(item.get("fields"), f"{path}.", patterns, top_level=False)
        elif widget == "list":
            if "fields" in item:
                _field_patterns(item["fields"], f"{path}[].", patterns, top_level=False)
            elif isinstance(item.get("field"), dict):
                _field_patterns([item["field"]], f"{path}[].", patterns, top_level=False)
            else:
                patterns.append(f"{path}[]")
        if len(patterns) > 500:
            return


def render(detection: Detection | None) -> str:
    """The configuration file for a detection (``None``: nothing recognised)."""
    lines = ["# Written by `healthlint init`. Every key is described in the README",
             "# (Configuration) and checked against healthlint's configuration schema."]
    if detection is None:
        lines += ["# No site generator was recognised: every supported file is linted,",
                  "# except developer files, dependencies and build output. Narrow it with",
                  "# include: [\"pages/\", \"_data/\"]"]
        return "\n".join(lines) + "\n"
    lines.append(f"# Site generator: {detection.generator} ({'; '.join(detection.reasons)}).")
    lines += _list("include", detection.include)
    if detection.exclude:
        lines += _list("exclude", detection.exclude)
    if detection.published_fields:
        lines.append("# Fields the CMS lets editors write, linted besides the defaults:")
        lines += _list("extend-published-fields", detection.published_fields)
    if detection.data_paths:
        lines += _list("data-paths", [*DEFAULT_DATA_PATHS, *(
            path for path in detection.data_paths if path not in DEFAULT_DATA_PATHS)])
    return "\n".join(lines) + "\n"


def _list(key: str, values: Iterable[str]) -> list[str]:
    return [f"{key}:"] + [f"  - {json.dumps(value)}" for value in values]


def existing_config(root: Path) -> Path | None:
    """A configuration file already in ``root``, if any."""
    for name in _EXISTING:
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and re.search(r"(?m)^\[tool\.healthlint[\].]",
                                         pyproject.read_text(encoding="utf-8", errors="replace")):
        return pyproject
    return None


def run(directory: str, *, force: bool, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    """Detect, print what was found and write the configuration; returns an exit code."""
    from healthlint.config import settings_from_file

    out = out or sys.stdout
    err = err or sys.stderr

    root = Path(directory)
    if not root.is_dir():
        print(f"healthlint: error: {directory}: not a directory", file=err)
        return 2
    existing = existing_config(root)
    if existing is not None and not force:
        print(f"healthlint: error: {existing} already configures healthlint; "
              "use --force to overwrite it with a new .healthlint.yaml", file=err)
        return 2
    detection, others = detect(root)
    if detection is None:
        print("No site generator recognised: every supported file will be linted.", file=out)
    else:
        print(f"Detected {detection.generator}:", file=out)
        for reason in detection.reasons:
            print(f"  - {reason}", file=out)
        for note in detection.notes:
            print(f"  - {note}", file=out)
        print("Linting: " + ", ".join(detection.include), file=out)
    for other in others:
        print(f"Also found {other.generator} ({'; '.join(other.reasons)}); the configuration "
              f"follows {detection.generator if detection else 'none'}", file=out)
    target = root / CONFIG_NAME
    temporary = target.with_name(CONFIG_NAME + ".tmp")
    temporary.write_text(render(detection), encoding="utf-8")
    try:
        settings_from_file(temporary)  # a written file that does not load would be a bug here
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    print(f"Wrote {target}", file=out)
    return 0
