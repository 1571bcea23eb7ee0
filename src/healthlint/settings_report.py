"""``healthlint show-settings PATH``: the settings that apply to a path, and where each
value came from (a line of a configuration file, the command line, or the default).

Configuration files are not merged across folders: the nearest one applies (see
:mod:`healthlint.config`), and command-line options are laid over it. The keys are
those of the configuration schema, so a key added to the schema is shown without a
change here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from healthlint.config import (
    ConfigResolver,
    PathOverride,
    Settings,
    config_keys,
    matches_any,
    read_config_file,
)
from healthlint.types import Severity

__all__ = ["SettingRow", "SettingsReport", "settings_report"]

_FIELD_FOR_KEY = {"rules": "rule_dirs"}
"""Configuration keys whose Settings field is not the key with ``_`` for ``-``."""
_OPTION_FOR_FIELD = {"extend_select": "--extend-select", "fail_on": "--fail-on",
                     "report_unused_suppressions": "--report-unused-suppressions",
                     "require_reason": "--require-reason"}


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: Any
    """Plain data (strings, numbers, lists, mappings), as it would be written in a file."""
    source: str
    """``default``, ``command line (--select)`` or ``FILE:LINE``."""


@dataclass(frozen=True)
class SettingsReport:
    path: str
    config: str | None
    rows: tuple[SettingRow, ...]
    excluded: bool
    """Whether ``exclude`` keeps the path from being linted."""
    per_path: int | None
    """The index of the ``per-path`` entry that applies to the path, if any."""


def _plain(value: Any) -> Any:
    """A Settings value as it would be written in a configuration file."""
    if isinstance(value, Severity):
        return "never" if value == Severity.OFF else str(value)
    if isinstance(value, PathOverride):
        fields = {"paths": value.paths, "select": value.select, "ignore": value.ignore,
                  "extend-select": value.extend_select, "severity": value.severity}
        return {key: _plain(item) for key, item in fields.items() if item}
    if isinstance(value, Mapping):
        return {str(key): (str(item) if isinstance(item, Severity) else _plain(item))
                for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


def _field(key: str) -> str:
    return _FIELD_FOR_KEY.get(key, key.replace("-", "_"))


def settings_report(path: str, resolver: ConfigResolver,
                    overrides: Mapping[str, Any]) -> SettingsReport:
    """The settings for ``path``: every configuration key, with its value and source."""
    settings: Settings = resolver.for_path(path).with_overrides(overrides)
    raw: dict[str, Any] = {}
    lines: Mapping[tuple[str | int, ...], int] = {}
    if settings.path is not None:
        found = read_config_file(Path(settings.path))
        if found is not None:
            raw, lines = found
    where = _shown(settings.path) if settings.path else ""
    defaults = Settings()
    rows: list[SettingRow] = []
    for key in config_keys():
        name = _field(key)
        has_field = hasattr(settings, name)
        value = getattr(settings, name) if has_field else raw.get(key)
        if name in overrides and overrides[name] is not None:
            option = _OPTION_FOR_FIELD.get(name, "--" + name.replace("_", "-"))
            source = f"command line ({option})"
        elif key in raw:
            line = lines.get((key,))
            source = f"{where}:{line}" if line else where
        else:
            source = "default"
            value = getattr(defaults, name) if has_field else None
        if key == "packs" and value is None:
            value = "every installed pack"
        rows.append(SettingRow(key, _plain(value), source))
    applies = next((index for index, override in enumerate(settings.per_path)
                    if matches_any(path, settings.root, override.paths)), None)
    excluded = matches_any(path, settings.root, settings.exclude)
    return SettingsReport(path, settings.path, tuple(rows), excluded, applies)


def _shown(path: str) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path


def as_dict(report: SettingsReport) -> dict[str, Any]:
    """The report as JSON data."""
    return {
        "path": report.path,
        "config": report.config,
        "excluded": report.excluded,
        "per_path": report.per_path,
        "settings": {row.key: {"value": row.value, "source": row.source} for row in report.rows},
    }


def render_text(report: SettingsReport) -> str:
    """The report as aligned text, one setting a line."""
    import json

    lines = [f"Settings for {report.path}",
             f"Configuration: {_shown(report.config) if report.config else 'none (defaults)'}"]
    width = max(len(row.key) for row in report.rows)
    values = [json.dumps(row.value, ensure_ascii=False) for row in report.rows]
    value_width = min(48, max(len(value) for value in values))
    lines.append("")
    for row, value in zip(report.rows, values, strict=True):
        lines.append(f"  {row.key:<{width}}  {value:<{value_width}}  {row.source}")
    lines.append("")
    if report.per_path is not None:
        lines.append(f"per-path[{report.per_path}] applies to {report.path}.")
    lines.append(f"{report.path} is {'excluded by' if report.excluded else 'not excluded by'} "
                 "'exclude'.")
    return "\n".join(lines) + "\n"
