"""Import hygiene: the layers of the package depend on each other in one direction.

* Every module imports on its own in a fresh interpreter, so no module works only
  because another one happened to be imported first (a hidden import cycle).
* The built-in plugins under ``healthlint/builtin/`` use only what a third-party
  plugin could use, never the engine, the command line or the plugin manager:
  built-in features are plugins like any other (DESIGN.md, "Plugins").
* ``import healthlint`` stays cheap for plugins and embedders: the engine, rule
  loading and configuration load only when ``healthlint.Linter`` is first used.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "healthlint"

FORBIDDEN_IN_BUILTIN = (
    "healthlint.engine",
    "healthlint.cli",
    "healthlint.commands",
    "healthlint.runner",
    "healthlint.config",
    "healthlint.plugins",
)
"""What the built-in plugins must not import: the layers above the plugin contract."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(folder: Path) -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(folder.rglob("*.py"))}


# ``healthlint.__main__`` runs the command line when imported; it is not a library module.
MODULES = sorted(name for name in _modules(PACKAGE) if name != "healthlint.__main__")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_on_its_own(module: str) -> None:
    result = _python(f"import {module}")

    assert result.returncode == 0, result.stderr


def _imports(path: Path, module: str) -> set[str]:
    """Every module name ``path`` imports, anywhere in the file, relative imports resolved.

    ``from healthlint import engine`` counts as importing ``healthlint.engine``.
    Imports under ``if TYPE_CHECKING:`` count too: they are dependencies all the same.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parents, base] if base else parents)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def test_import_parser_sees_every_import_form(tmp_path: Path) -> None:
    """The layering check is only as good as this parser."""
    probe = tmp_path / "probe.py"
    probe.write_text("import healthlint.cli\nfrom ... import engine\nfrom ...runner import run\n"
                     "def later():\n    from healthlint.plugins import load_registry\n",
                     encoding="utf-8")

    found = _imports(probe, "healthlint.builtin.outputs.probe")

    assert {"healthlint.cli", "healthlint.engine", "healthlint.runner",
            "healthlint.plugins"} <= found


@pytest.mark.parametrize("module", sorted(_modules(PACKAGE / "builtin")))
def test_builtin_plugin_uses_only_the_plugin_api(module: str) -> None:
    path = _modules(PACKAGE / "builtin")[module]
    imported = _imports(path, module)

    wrong = sorted(name for name in imported
                   if any(_is_within(name, layer) for layer in FORBIDDEN_IN_BUILTIN))
    assert not wrong, f"{module} imports {wrong}; built-in plugins must not reach above hookspecs"


def test_import_healthlint_loads_the_engine_only_when_used() -> None:
    result = _python(
        "import sys, healthlint\n"
        "before = sorted(m for m in sys.modules if m.startswith('healthlint'))\n"
        "healthlint.Linter\n"
        "print(' '.join(before)); print('healthlint.engine' in sys.modules)\n"
    )

    assert result.returncode == 0, result.stderr
    before, engine_after_use = result.stdout.splitlines()
    heavy = {"healthlint.engine", "healthlint.rules", "healthlint.config", "healthlint.runner",
             "healthlint.plugins", "healthlint.cli", "healthlint.commands"}
    assert not heavy & set(before.split()), before
    assert engine_after_use == "True"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


LAZY_CYCLES_ALLOWED = "healthlint.builtin.formats"
"""The format readers load one another on first use (HTML reads a template's syntax with the
template reader, which builds on the HTML reader), through imports inside functions."""


def test_no_import_cycles() -> None:
    """No two modules need each other, not even through an import inside a function
    (``cli`` and ``commands`` once did), except the format readers' deliberate lazy loading.
    An import of a module names its packages too; those edges are not dependencies."""
    modules = {name: path for name, path in _modules(PACKAGE).items() if name != "healthlint"}
    graph = {name: {other for other in _imports(path, name)
                    if other in modules and other != name and not _is_within(name, other)}
             for name, path in modules.items()}
    cycles = [c for c in _cycles(graph)
              if not all(_is_within(m, LAZY_CYCLES_ALLOWED) for m in c)]
    assert cycles == []
