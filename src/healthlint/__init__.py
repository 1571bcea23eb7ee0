"""healthlint: a linter for health and medical marketing claims.

The names listed in ``__all__`` are the public API; every other module may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from healthlint.__about__ import __version__
from healthlint._markers import hookimpl
from healthlint.types import (
    Applicability,
    Block,
    Comment,
    Diagnostic,
    Document,
    DocumentFormat,
    Edit,
    Example,
    FileError,
    FileResult,
    Finding,
    Fix,
    OutputContext,
    OutputFormat,
    Position,
    Problem,
    Report,
    Rule,
    RuleChecker,
    RuleDocs,
    RuleKind,
    RulePack,
    Severity,
    Span,
)

if TYPE_CHECKING:
    from healthlint.engine import Linter, lint_paths, lint_text

__all__ = [
    "Applicability",
    "Block",
    "Comment",
    "Diagnostic",
    "Document",
    "DocumentFormat",
    "Edit",
    "Example",
    "FileError",
    "FileResult",
    "Finding",
    "Fix",
    "Linter",
    "OutputContext",
    "OutputFormat",
    "Position",
    "Problem",
    "Report",
    "Rule",
    "RuleChecker",
    "RuleDocs",
    "RuleKind",
    "RulePack",
    "Severity",
    "Span",
    "__version__",
    "hookimpl",
    "lint_paths",
    "lint_text",
]

_ENGINE_NAMES = {"Linter", "lint_paths", "lint_text"}


def __getattr__(name: str) -> Any:
    # The engine pulls in rule loading; keep `import healthlint` cheap for plugins.
    if name in _ENGINE_NAMES:
        from healthlint import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'healthlint' has no attribute {name!r}")
