"""The plugin manager and the registry of what plugins provide.

One :class:`pluggy.PluginManager` per :class:`Registry`, never a module global,
so tests and embedders can build as many as they like.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pluggy

from healthlint import hookspecs
from healthlint._markers import PROJECT
from healthlint.errors import PluginError
from healthlint.types import DocumentFormat, OutputFormat, RuleKind, RulePack

BUILTIN_PLUGINS: tuple[str, ...] = (
    "healthlint.builtin.relations",
    "healthlint.builtin.formats",
    "healthlint.builtin.outputs",
    "healthlint.builtin.packs",
)
"""Modules registered as plugins under the name ``builtin.<last part>``."""

DISABLE_AUTOLOAD_ENV = "HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD"

T = TypeVar("T")


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin, as ``healthlint plugins`` lists it."""

    name: str
    source: str
    """Where it came from: ``builtin``, or ``distribution==version`` for an entry point."""
    hooks: tuple[str, ...]


@dataclass
class Registry:
    """Everything the loaded plugins registered, by name, with the plugin that registered it."""

    kinds: dict[str, RuleKind] = field(default_factory=dict)
    packs: dict[str, RulePack] = field(default_factory=dict)
    formats: dict[str, DocumentFormat] = field(default_factory=dict)
    outputs: dict[str, OutputFormat] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)

    def format_for(self, path: str) -> DocumentFormat | None:
        """The format whose longest matching extension ends ``path`` (case-insensitive)."""
        lowered = path.lower()
        best: tuple[int, DocumentFormat] | None = None
        for fmt in self.formats.values():
            for ext in fmt.extensions:
                if lowered.endswith(ext.lower()) and (best is None or len(ext) > best[0]):
                    best = (len(ext), fmt)
        return best[1] if best else None

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(sorted({ext for fmt in self.formats.values() for ext in fmt.extensions}))


def _registrar(
    registry: Registry,
    what: str,
    table: dict[str, T],
    plugin: str,
    check: Callable[[Any], bool],
) -> Callable[[T], None]:
    def register(item: T) -> None:
        name = getattr(item, "name", None)
        if not isinstance(name, str) or not name or not check(item):
            raise PluginError(f"plugin {plugin!r} registered an invalid {what}: {item!r}")
        owner = registry.owners.get((what, name))
        if owner is not None:
            raise PluginError(
                f"{what} {name!r} is registered twice: by plugin {owner!r} and by plugin {plugin!r}"
            )
        registry.owners[(what, name)] = plugin
        table[name] = item

    return register


def _hooks_of(pm: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    return tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))


def _declares_plugins() -> bool:
    """Whether an installed distribution may declare a ``healthlint`` entry point. A look at
    the ``entry_points.txt`` files of the folders on ``sys.path``, so that a run with no plugin
    installed does not import ``importlib.metadata`` (a tenth of start-up); anything else
    on the path (a zip file) or any error answers yes, and the real lookup decides."""
    for entry in sys.path:
        folder = entry or "."
        try:
            if not os.path.isdir(folder):
                if os.path.exists(folder):
                    return True
                continue
            with os.scandir(folder) as items:
                for item in items:
                    if item.name.endswith((".dist-info", ".egg-info")):
                        try:
                            with open(os.path.join(item.path, "entry_points.txt"),
                                      encoding="utf-8") as stream:
                                if _GROUP.search(stream.read()):
                                    return True
                        except FileNotFoundError:
                            continue
        except (OSError, UnicodeDecodeError):
            return True
    return False


_GROUP = re.compile(rf"^\s*\[\s*{PROJECT}\s*\]", re.MULTILINE)


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    """Load the installed plugins one entry point at a time, so that a failure names the
    plugin. ``SystemExit`` is caught too: a plugin that exits while it is imported must
    not end the run with its exit code and no output."""
    if not _declares_plugins():
        return
    from importlib.metadata import entry_points

    for entry in entry_points(group=PROJECT):
        try:
            pm.load_setuptools_entrypoints(PROJECT, name=entry.name)
        except (Exception, SystemExit) as exc:
            what = f"called sys.exit({exc.code!r})" if isinstance(exc, SystemExit) else repr(exc)
            raise PluginError(f"installed plugin {entry.name!r} ({entry.value}) failed to "
                              f"load: {what}") from None


def load_registry(
    extra_plugins: Iterable[tuple[str, object]] = (),
    *,
    autoload: bool | None = None,
    blocked: Iterable[str] = (),
) -> Registry:
    """Build a plugin manager, load built-in and installed plugins, and collect what they register.

    :param extra_plugins: ``(name, plugin)`` pairs registered after the built-ins,
        for embedders and tests.
    :param autoload: load the ``healthlint`` entry-point group; defaults to true
        unless ``HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD`` is set.
    :param blocked: plugin names not to load (``builtin.packs``, an entry-point name).
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    blocked = set(blocked)
    for name in blocked:
        pm.set_blocked(name)
    sources: dict[str, str] = {}
    for module_name in BUILTIN_PLUGINS:
        short = "builtin." + module_name.rsplit(".", 1)[1]
        if short in blocked:
            continue
        pm.register(importlib.import_module(module_name), name=short)
        sources[short] = "builtin"
    for name, plugin in extra_plugins:
        pm.register(plugin, name=name)
        sources[name] = "embedded"
    if autoload is None:
        autoload = not os.environ.get(DISABLE_AUTOLOAD_ENV)
    if autoload:
        _load_entry_points(pm)
        for plugin, dist in pm.list_plugin_distinfo():
            name = pm.get_name(plugin) or repr(plugin)
            sources[name] = f"{dist.project_name}=={dist.version}"
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        unknown = ", ".join(
            repr(hook) for hook in dir(exc.plugin)
            if hook.startswith("healthlint_") and not hasattr(pm.hook, hook)
        ) or str(exc)
        raise PluginError(
            f"plugin {name!r} implements an unknown hook: {unknown} (the hooks are listed in "
            "healthlint.hookspecs)"
        ) from exc

    registry = Registry()
    for name, plugin in pm.list_name_plugin():
        if plugin is not None:  # None marks a blocked name
            registry.plugins.append(
                PluginInfo(name, sources.get(name, "embedded"), _hooks_of(pm, plugin))
            )
    hooks: list[tuple[str, str, dict[str, Any], Callable[[Any], bool]]] = [
        ("healthlint_register_rule_kinds", "rule kind", registry.kinds,
         lambda k: callable(getattr(k, "compile", None))),
        ("healthlint_register_rule_packs", "rule pack", registry.packs,
         lambda p: isinstance(getattr(p, "path", None), str)),
        ("healthlint_register_formats", "document format", registry.formats,
         lambda f: callable(getattr(f, "parse", None))),
        ("healthlint_register_outputs", "output format", registry.outputs,
         lambda o: callable(getattr(o, "render", None))),
    ]
    for hook_name, what, table, check in hooks:
        # Call each implementation on its own so every registration is traced to its plugin.
        for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
            register = _registrar(registry, what, table, impl.plugin_name, check)
            try:
                impl.function(register=register)
            except PluginError:
                raise
            except (Exception, SystemExit) as exc:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed in {hook_name}: {exc!r}"
                ) from None
    return registry
