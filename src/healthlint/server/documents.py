"""Linting editor buffers with the configuration of each document, off the protocol thread.

Every document follows its nearest ``.healthlint.yaml`` or ``pyproject.toml``, as
on the command line; one :class:`~healthlint.engine.Linter` is built per distinct
set of settings and kept warm, because building one costs far more than linting
a page. Nothing here knows about LSP: :mod:`healthlint.server.app` calls it from a
single worker thread, so the linters are never used by two threads at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from healthlint.config import CONFIG_NAMES, ConfigResolver, Settings, matches_any
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.server.positions import UTF16, LineIndex
from healthlint.types import FileResult, Rule

LANGUAGE_FORMATS: Mapping[str, str] = {
    "markdown": "markdown",
    "mdx": "mdx",
    "html": "html",
    "plaintext": "text",
}
"""Editor language ids to healthlint formats, for buffers whose name has no known extension."""


def is_config_file(path: str) -> bool:
    """Whether ``path`` is a file healthlint reads its configuration from."""
    return Path(path).name in CONFIG_NAMES


@dataclass
class Linted:
    """One version of one buffer, linted."""

    version: int | None
    text: str
    index: LineIndex
    result: FileResult | None = None
    """``None`` when the document was not linted (excluded, or configuration error)."""
    format: str = "text"
    rules: Mapping[str, Rule] = field(default_factory=dict)
    """The rules that produced the findings, for hover documentation."""
    documented: frozenset[str] = frozenset()
    """Codes whose documentation page exists (the shipped packs' rules)."""
    error: str | None = None
    """A configuration, rule or plugin error that stopped the document from being linted."""
    name: str = ""
    """The path or URI the document was linted as."""

    @property
    def base(self) -> int:
        """Offset of the engine's text in the buffer: the engine drops a leading BOM."""
        return 1 if self.text.startswith("\ufeff") else 0


class Linters:
    """Linters by settings, and the configuration resolver, both reset by :meth:`reload`."""

    def __init__(self) -> None:
        self._resolver = ConfigResolver()
        self._linters: dict[str, Linter] = {}

    def reload(self) -> None:
        """Forget every configuration file read and every linter built from one."""
        self._resolver = ConfigResolver()
        self._linters.clear()

    def settings_for(self, path: str) -> Settings:
        return self._resolver.for_path(path)

    def linter_for(self, settings: Settings) -> Linter:
        # Settings hold dicts, so they are not hashable; their repr is a faithful key.
        key = repr(sorted(settings.__dict__.items()))
        linter = self._linters.get(key)
        if linter is None:
            linter = self._linters[key] = Linter(settings)
        return linter

    def lint(self, text: str, version: int | None, path: str | None, name: str,
             language_id: str | None, fallback_dir: str, encoding: str = UTF16) -> Linted:
        """Lint buffer ``text``. ``path`` is the file it belongs to (``None`` for an unsaved
        buffer, which takes the configuration of ``fallback_dir``); ``name`` is what the
        engine reports it as."""
        linted = Linted(version, text, LineIndex(text, encoding), name=name)
        try:
            settings = self.settings_for(path or os.path.join(fallback_dir, "untitled"))
            linter = self.linter_for(settings)
        except HealthlintError as exc:
            linted.error = str(exc)
            return linted
        if path is not None and matches_any(path, settings.root, settings.exclude):
            return linted
        fmt = linter.format_for(name) if path is not None else None
        if fmt is None:
            fmt = linter.format_for(name, LANGUAGE_FORMATS.get(language_id or "", "text"))
        format_name = fmt.name if fmt is not None else "text"
        linted.result = linter.lint_text(text, name, format=format_name)
        linted.format = format_name
        linted.rules = linter.rules
        linted.documented = frozenset(
            code for code, rule in linted.rules.items()
            if linter.registry.owners.get(("rule pack", rule.pack)) == "builtin.packs")
        return linted

    def warm(self, directory: str) -> None:
        """Build the linter for ``directory`` and run every rule once, so that patterns
        compiled on first use are compiled before the first keystroke."""
        try:
            linter = self.linter_for(self.settings_for(os.path.join(directory, "untitled")))
        except HealthlintError:
            return  # reported when a document is linted
        by_format: dict[str, list[str]] = {}
        for rule in linter.rules.values():
            for example in rule.examples:
                by_format.setdefault(example.format, []).append(example.text)
        for name, texts in by_format.items():
            if linter.format_for("", name) is not None:
                linter.lint_text("\n\n".join(texts), f"warm-up.{name}", format=name)
