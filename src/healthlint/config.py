"""Configuration: ``.healthlint.yaml`` or ``[tool.healthlint]`` in ``pyproject.toml``.

The nearest configuration file walking up from each linted path applies to it
(ruff's rule); there is no merging across levels. Command-line options override
every file's settings. Every key is validated against ``schemas/config.schema.json``
and errors name the file and line.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from healthlint._package import package_file
from healthlint.errors import ConfigError, RuleError
from healthlint.rules import validate
from healthlint.types import Severity
from healthlint.yamlfile import KeyPath, read_yaml

CONFIG_NAMES = (".healthlint.yaml", ".healthlint.yml", "pyproject.toml")


@dataclass(frozen=True)
class PathOverride:
    paths: tuple[str, ...]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    genre: str | None = None


@dataclass(frozen=True)
class Settings:
    """Resolved settings for a group of files."""

    path: str | None = None
    """The configuration file, if any."""
    root: str = "."
    """Directory that relative paths and globs in the configuration are resolved against."""
    packs: tuple[str, ...] | None = None
    rule_dirs: tuple[str, ...] = ()
    vocabularies: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    """The lowest severity that fails the run; ``OFF`` means never fail on findings."""
    profile: str = "us"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_path: tuple[PathOverride, ...] = ()
    require_reason: bool = False
    report_unused_suppressions: bool = False
    published_fields: tuple[str, ...] | None = None
    extend_published_fields: tuple[str, ...] = ()
    published_props: tuple[str, ...] | None = None
    content_modules: tuple[str, ...] | None = None
    data_paths: tuple[str, ...] | None = None
    respect_gitignore: bool = True
    genre: str | None = None
    """``promotion`` or ``information`` declared for every page; ``None``: read each page."""
    default_excludes: bool = True

    def format_options(self) -> dict[str, Any]:
        """What document formats may read from the configuration (their ``configured``
        method): the keys as spelled in the file, unset ones left out, and ``root``."""
        options: dict[str, Any] = {"root": self.root}
        for key, value in (
            ("published-fields", self.published_fields),
            ("extend-published-fields", self.extend_published_fields or None),
            ("published-props", self.published_props),
            ("content-modules", self.content_modules),
            ("data-paths", self.data_paths),
        ):
            if value is not None:
                options[key] = value
        return options

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """These settings with command-line values laid over them (``None`` values ignored)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        package_file("schemas/config.schema.json").read_text("utf-8")
    )
    return data


def config_keys() -> tuple[str, ...]:
    """Every key a configuration may set, in the schema's order."""
    return tuple(_schema()["properties"])


@cache
def _validator() -> Any:
    import fastjsonschema

    return fastjsonschema.compile(_schema())


def _toml_lines(text: str) -> dict[KeyPath, int]:
    """Lines of the keys under ``[tool.healthlint]`` (tomllib keeps no positions).

    Tables below it (``[tool.healthlint.severity]``) and arrays of tables
    (``[[tool.healthlint.per-path]]``, numbered in order) are followed too.
    """
    lines: dict[KeyPath, int] = {}
    prefix: KeyPath | None = None
    arrays: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("["):
            header = line.strip("[] ").replace(" ", "")
            prefix = None
            if header == "tool.healthlint":
                prefix = ()
            elif header.startswith("tool.healthlint."):
                name = header[len("tool.healthlint."):].strip("\"'")
                if line.startswith("[["):
                    arrays[name] = arrays.get(name, -1) + 1
                    prefix = (name, arrays[name])
                else:
                    prefix = (name,)
            if prefix is not None:
                lines.setdefault(prefix, number)
            continue
        if prefix is not None and "=" in line and not line.startswith("#"):
            key = line.split("=", 1)[0].strip().strip("\"'")
            lines.setdefault((*prefix, key), number)
    return lines


_TOML_TYPES = {dict: "a table", list: "an array", str: "a string", bool: "a boolean",
               int: "an integer", float: "a float"}


def _toml_type(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "an array of tables"
    return _TOML_TYPES.get(type(value), "a date or time")


def _first_line(text: str, pattern: str) -> int | None:
    """The 1-based line of the first line matching ``pattern`` (a regex), if any."""
    found = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _read_pyproject(path: Path) -> tuple[dict[str, Any], Mapping[KeyPath, int]] | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", path=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                          path=str(path), line=raw.count(b"\n", 0, exc.start) + 1) from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"invalid TOML: {exc}", path=str(path), line=line) from None
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"'tool' must be a table ([tool]), not {_toml_type(tool)}",
                          path=str(path), line=_first_line(text, r"^\s*\[*\s*tool\b"))
    table = tool.get("healthlint")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(
            f"'tool.healthlint' must be a table ([tool.healthlint]), not {_toml_type(table)}",
            path=str(path),
            line=_first_line(
                text, r"^\s*(?:\[\[\s*tool\.healthlint\s*\]\]|(?:tool\.)?healthlint\s*=)"))
    return table, _toml_lines(text)


def read_config_file(path: Path) -> tuple[dict[str, Any], Mapping[KeyPath, int]] | None:
    """The raw healthlint table of a config file, or ``None`` for a pyproject without one."""
    if path.name == "pyproject.toml":
        return _read_pyproject(path)
    try:
        data, lines = read_yaml(path)
    except RuleError as exc:
        raise ConfigError(exc.reason, path=exc.path, line=exc.line) from None
    if data is None:
        return {}, lines
    if not isinstance(data, dict):
        raise ConfigError("configuration must be a mapping of keys to values", path=str(path),
                          line=1)
    return data, lines


def _severities(table: Mapping[str, str]) -> dict[str, Severity]:
    return {code: Severity.parse(value) for code, value in table.items()}


def off_as_text(value: Any) -> Any:
    """YAML 1.1 reads an unquoted ``off`` as false; in a severity it means "off"."""
    return "off" if value is False else value


_CODE_LISTS = ("select", "ignore", "extend-select")
_GLOB_LISTS = ("include", "exclude")


def _code_list(value: Any) -> Any:
    """``select: HL1`` or ``select: "HL1, HL2"`` means a list of those codes."""
    if isinstance(value, str):
        return [code for code in re.split(r"[\s,]+", value) if code]
    return value


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    overrides = [o for o in data.get("per-path") or [] if isinstance(o, dict)]
    for table in [data.get("severity")] + [o.get("severity") for o in overrides]:
        if isinstance(table, dict):
            for code, value in table.items():
                table[code] = off_as_text(value)
    for mapping in [data, *overrides]:
        for key in _CODE_LISTS:
            if key in mapping:
                mapping[key] = _code_list(mapping[key])
    return data


def _check_globs(data: Mapping[str, Any], path: Path, lines: Mapping[KeyPath, int]) -> None:
    """Every include, exclude and per-path glob must be a pattern git would accept."""
    from pathspec import GitIgnoreSpec

    lists: list[tuple[KeyPath, Sequence[str]]] = [((key,), data.get(key) or ())
                                                   for key in _GLOB_LISTS]
    lists += [(("per-path", index, "paths"), override.get("paths") or ())
              for index, override in enumerate(data.get("per-path") or ())]
    for key_path, globs in lists:
        for index, glob in enumerate(globs):
            try:
                GitIgnoreSpec.from_lines([glob])
            except ValueError as exc:
                where = ".".join(str(part) for part in key_path)
                line = lines.get((*key_path, index), lines.get(key_path))
                raise ConfigError(f"{where}: {glob!r} is not a valid pattern ({exc})",
                                  path=str(path), line=line) from None


def _fail_on(value: str) -> Severity:
    return Severity.OFF if value == "never" else Severity.parse(value)


def _check_field_patterns(data: Mapping[str, Any], path: Path,
                          lines: Mapping[KeyPath, int]) -> None:
    """Say what a key pattern should look like, rather than quote the schema's regex."""
    import re

    syntax = re.compile(_schema()["properties"]["published-fields"]["items"]["pattern"])
    for key in ("published-fields", "extend-published-fields"):
        values = data.get(key)
        for index, value in enumerate(values if isinstance(values, list) else []):
            if isinstance(value, str) and not syntax.match(value):
                raise ConfigError(
                    f"{key}: {value!r} is not a key pattern: keys joined by dots, with * and ** "
                    "wildcards and [] for list items, e.g. hero.*, faqs[].answer, **.description",
                    path=str(path), line=lines.get((key, index)) or lines.get((key,)))


def _optional(data: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    """A list setting that replaces a default: ``None`` when the file does not set it."""
    return tuple(data[key]) if key in data else None


def settings_from_file(path: Path) -> Settings | None:
    """Validated settings from one configuration file (``None``: pyproject without a table)."""
    raw = read_config_file(path)
    if raw is None:
        return None
    data, lines = raw
    data = _normalise(data)
    _check_field_patterns(data, path, lines)
    try:
        validate(data, _schema(), _validator(), path=str(path), lines=lines, what="configuration")
    except RuleError as exc:
        raise ConfigError(exc.reason, path=exc.path, line=exc.line) from None
    _check_globs(data, path, lines)
    root = path.parent
    return Settings(
        path=str(path),
        root=str(root),
        packs=tuple(data["packs"]) if "packs" in data else None,
        rule_dirs=tuple(str(root / p) for p in data.get("rules", ())),
        vocabularies=tuple(str(root / p) for p in data.get("vocabularies", ())),
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        extend_select=tuple(data.get("extend-select", ())),
        severity=_severities(data.get("severity", {})),
        fail_on=_fail_on(data.get("fail-on", "warning")),
        profile=data.get("profile", "us"),
        include=tuple(data.get("include", ())),
        exclude=tuple(data.get("exclude", ())),
        per_path=tuple(
            PathOverride(
                paths=tuple(o["paths"]),
                select=tuple(o.get("select", ())),
                ignore=tuple(o.get("ignore", ())),
                extend_select=tuple(o.get("extend-select", ())),
                severity=_severities(o.get("severity", {})),
                genre=o.get("genre"),
            )
            for o in data.get("per-path", ())
        ),
        require_reason=bool(data.get("require-reason", False)),
        report_unused_suppressions=bool(data.get("report-unused-suppressions", False)),
        published_fields=_optional(data, "published-fields"),
        extend_published_fields=tuple(data.get("extend-published-fields", ())),
        published_props=_optional(data, "published-props"),
        content_modules=_optional(data, "content-modules"),
        data_paths=_optional(data, "data-paths"),
        respect_gitignore=bool(data.get("respect-gitignore", True)),
        genre=data.get("genre"),
        default_excludes=bool(data.get("default-excludes", True)),
    )


class ConfigResolver:
    """Finds the nearest configuration for each path, reading each file once."""

    def __init__(self, explicit: str | None = None, *, isolated: bool = False) -> None:
        self._explicit: Settings | None = None
        self._isolated = isolated
        self._by_dir: dict[Path, Settings] = {}
        if explicit is not None:
            path = Path(explicit)
            if not path.is_file():
                raise ConfigError("configuration file not found", path=explicit)
            self._explicit = settings_from_file(path) or Settings(path=explicit)

    def for_path(self, path: str) -> Settings:
        if self._explicit is not None:
            return self._explicit
        if self._isolated or path == "-":
            return Settings()
        start = Path(path).absolute()
        directory = start if start.is_dir() else start.parent
        return self._for_dir(directory)

    def _for_dir(self, directory: Path) -> Settings:
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        found: Settings | None = None
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                found = settings_from_file(candidate)
                if found is not None:
                    break
        if found is None:
            found = Settings() if directory.parent == directory else self._for_dir(directory.parent)
        self._by_dir[directory] = found
        return found


def matches_any(path: str, root: str, globs: Sequence[str]) -> bool:
    """Whether ``path`` matches one of gitignore-style ``globs`` relative to ``root``."""
    if not globs:
        return False
    try:
        relative = Path(path).absolute().relative_to(Path(root).absolute()).as_posix()
    except ValueError:
        relative = Path(path).as_posix()
    return bool(_spec(tuple(globs)).match_file(relative))


@cache
def _spec(globs: tuple[str, ...]) -> Any:
    import pathspec

    # gitignore-style globs: "gitignore" since pathspec 1.0, where "gitwildmatch" is
    # deprecated; before it, "gitwildmatch" (and "gitignore" the deprecated name).
    style = "gitignore" if int(pathspec.__version__.split(".")[0]) >= 1 else "gitwildmatch"
    return pathspec.PathSpec.from_lines(style, globs)
