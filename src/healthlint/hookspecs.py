"""The plugin contract.

Every hook takes a ``register`` callback and calls it once for each thing the
plugin provides, so one plugin can provide many rule kinds, packs, formats or
outputs. Duplicates are caught in :mod:`healthlint.plugins`, which names both
plugins in the error. Built-in features are registered through these same hooks.

A plugin is a module or object with functions decorated by
:data:`healthlint.hookimpl`, published under the entry-point group ``healthlint``::

    [project.entry-points.healthlint]
    myplugin = "myplugin"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from healthlint._markers import hookspec

if TYPE_CHECKING:
    from healthlint.types import DocumentFormat, OutputFormat, RuleKind, RulePack


@hookspec
def healthlint_register_rule_kinds(register: Callable[[RuleKind], None]) -> None:
    """Register rule kinds.

    Called once per :class:`~healthlint.Linter`, before any rule is loaded.

    :param register: call with each :class:`~healthlint.types.RuleKind`; its
        ``name`` is what a rule file's ``kind:`` names.
    """


@hookspec
def healthlint_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    """Register rule packs.

    Called once per :class:`~healthlint.Linter`. A pack is a folder holding one
    YAML file per rule and, optionally, ``vocab/*.yaml`` vocabularies. Packs are
    enabled by name in the ``packs`` configuration key.

    :param register: call with each :class:`~healthlint.types.RulePack`.
    """


@hookspec
def healthlint_register_formats(register: Callable[[DocumentFormat], None]) -> None:
    """Register document formats.

    Called once per :class:`~healthlint.Linter`. A format turns decoded text into a
    :class:`~healthlint.types.Document` and names the file endings it reads.

    :param register: call with each :class:`~healthlint.types.DocumentFormat`.
    """


@hookspec
def healthlint_register_outputs(register: Callable[[OutputFormat], None]) -> None:
    """Register output formats.

    Called once per :class:`~healthlint.Linter`. ``--output-format NAME`` selects one.

    :param register: call with each :class:`~healthlint.types.OutputFormat`.
    """
