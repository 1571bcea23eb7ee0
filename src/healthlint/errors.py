"""Errors that stop a run (exit code 2). Per-file problems are FileError values, not exceptions."""

from __future__ import annotations

from collections.abc import Iterable


class HealthlintError(Exception):
    """A problem with how healthlint was set up: a rule, a config file, a plugin, an option."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = path or ""
        if path and line is not None:
            where = f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class RuleError(HealthlintError):
    """A rule file or vocabulary that cannot be loaded."""


class ConfigError(HealthlintError):
    """A configuration file or command-line option that is not valid."""


class PluginError(HealthlintError):
    """A plugin that cannot be loaded or registers something invalid."""


class OptionError(ValueError):
    """Raised by a rule kind for an unusable option.

    ``path`` points into the rule's ``options`` (``("triggers", 2)``) so the loader
    can name the YAML line.
    """

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


def close_matches(word: str, choices: Iterable[str]) -> list[str]:
    """The one choice closest to a mistyped ``word``, if any is close, for "did you mean".
    ``difflib`` is imported here, on the way to an error, not at every start."""
    import difflib

    return difflib.get_close_matches(word, list(choices), n=1)
