"""A third-party plugin, installed the way users install one, extends healthlint.

The plugin is the real package in ``tests/fixtures/plugin_pkg`` (``healthlint-demo``):
it adds the ``shouting`` rule kind, the ``demo`` rule pack and the ``tsv`` output.
The slow tests pip-install it next to healthlint in a fresh virtual environment
and drive the installed ``healthlint`` command; the others register it in-process
through :func:`healthlint.plugins.load_registry` to check the registry's rules.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from healthlint import OutputFormat, Severity, hookimpl
from healthlint.config import Settings
from healthlint.engine import Linter
from healthlint.errors import PluginError
from healthlint.plugins import load_registry

REPO = Path(__file__).resolve().parents[1]
PLUGIN_PKG = Path(__file__).resolve().parent / "fixtures" / "plugin_pkg"

# A capitalised sentence with no health claim in it: the demo rule, enabled by default like
# every installed pack, must be the only one to report.
SHOUTING_PAGE = """\
# Opening hours

Our physiotherapy clinic now opens on Saturday mornings.

WE ARE CLOSED ON PUBLIC HOLIDAYS.
"""
SHOUTING_LINE = (
    'page.md\t5\t1\tDEMO01\twarning\tSentence in capitals: "WE ARE CLOSED ON PUBLIC HOLIDAYS."; '
    "capitals read as pressure, write it in sentence case"
)


def _plugin_version() -> str:
    """The version the fixture's pyproject declares (a regex: tomllib is 3.11+)."""
    text = (PLUGIN_PKG / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE)
    assert found is not None
    return found.group(1)


def _clean_env() -> dict[str, str]:
    """This environment without what would let the venv see the checkout or skip plugins."""
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
            and not key.startswith("HEALTHLINT_")}


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_clean_env(),
                          timeout=900, check=False)


@pytest.fixture(scope="session")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding healthlint and the demo plugin, both installed from source, once.

    healthlint is installed non-editable, as users get it from PyPI: the plugin
    must work against the wheel layout (packs under ``healthlint/rules``, data read
    through ``importlib.resources``), which an editable install would hide by
    reading everything from the checkout. Installing both in one pip command lets
    the plugin's ``healthlint`` dependency resolve to this checkout, never to PyPI.
    """
    venv = tmp_path_factory.mktemp("plugin-venv") / "venv"
    created = _run([sys.executable, "-m", "venv", str(venv)])
    assert created.returncode == 0, created.stderr
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                      str(REPO), str(PLUGIN_PKG)])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def _listed_plugins(output: str) -> dict[str, tuple[str, list[str]]]:
    """``healthlint plugins`` output as ``{name: (source, ["what: name", ...])}``."""
    plugins: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    for line in output.splitlines():
        if line and not line[0].isspace():
            name, _, source = line.partition("  (")
            current = []
            plugins[name] = (source.removesuffix(")"), current)
        elif line.strip():
            current.append(line.strip())
    return plugins


@pytest.mark.slow
def test_installed_plugin_is_listed_with_its_distribution(plugin_venv: Path) -> None:
    result = _run([str(plugin_venv / "bin" / "healthlint"), "plugins"])

    assert result.returncode == 0, result.stderr
    plugins = _listed_plugins(result.stdout)
    assert plugins["demo"] == (
        f"healthlint-demo=={_plugin_version()}",
        ["output format: tsv", "rule kind: shouting", "rule pack: demo"],
    )
    assert plugins["builtin.packs"] == ("builtin", ["rule pack: health"])


@pytest.mark.slow
def test_installed_plugin_kind_pack_and_output_work_together(
        plugin_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(SHOUTING_PAGE, encoding="utf-8")

    result = _run([str(plugin_venv / "bin" / "healthlint"), "check", "--output-format", "tsv",
                   "page.md"], cwd=tmp_path)

    assert result.stdout.splitlines() == [SHOUTING_LINE], result.stderr
    assert result.returncode == 1


# In-process registration -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Iterator[ModuleType]:
    """The plugin module imported from the fixture folder, without installing it."""
    sys.path.insert(0, str(PLUGIN_PKG))
    try:
        yield importlib.import_module("healthlint_demo")
    finally:
        sys.path.remove(str(PLUGIN_PKG))
        sys.modules.pop("healthlint_demo", None)


def test_registry_sees_what_the_plugin_registers(demo: ModuleType) -> None:
    registry = load_registry(extra_plugins=[("demo", demo)], autoload=False)

    assert registry.kinds["shouting"].name == "shouting"
    assert registry.packs["demo"].path == str(PLUGIN_PKG / "healthlint_demo" / "rules")
    assert registry.outputs["tsv"].name == "tsv"
    assert {key: owner for key, owner in registry.owners.items() if owner == "demo"} == {
        ("rule kind", "shouting"): "demo",
        ("rule pack", "demo"): "demo",
        ("output format", "tsv"): "demo",
    }


def test_plugin_rule_examples_behave(demo: ModuleType) -> None:
    """The demo rule's own examples flag and pass, like the shipped rules' examples must."""
    linter = Linter(Settings(packs=("demo",)), extra_plugins=[("demo", demo)])
    rule = linter.rules["DEMO01"]
    assert rule.severity == Severity.WARNING
    for example in rule.examples:
        codes = [d.code for d in linter.lint_text(example.text, "example.txt").diagnostics]
        assert codes == (["DEMO01"] if example.flags else []), example.text


class _Copycat:
    """A second plugin that registers an output under a name another plugin already uses."""

    def __init__(self, output: OutputFormat) -> None:
        self.output = output

    @hookimpl
    def healthlint_register_outputs(self, register: Callable[[OutputFormat], None]) -> None:
        register(self.output)


def test_duplicate_output_name_names_both_plugins(demo: ModuleType) -> None:
    with pytest.raises(PluginError) as caught:
        load_registry(extra_plugins=[("demo", demo), ("copycat", _Copycat(demo.TsvOutput()))],
                      autoload=False)

    message = str(caught.value)
    assert "output format 'tsv' is registered twice" in message
    assert "'demo'" in message and "'copycat'" in message


class _Misspelled:
    """A plugin whose hook name lacks the final ``s``: pluggy would silently never call it."""

    @hookimpl
    def healthlint_register_output(self, register: Callable[[OutputFormat], None]) -> None:
        raise AssertionError("a misspelled hook must never be called")


def test_misspelled_hook_is_an_error_naming_plugin_and_hook() -> None:
    with pytest.raises(PluginError) as caught:
        load_registry(extra_plugins=[("typo", _Misspelled())], autoload=False)

    message = str(caught.value)
    assert "'healthlint_register_output'" in message
    assert "'typo'" in message, f"the error should name the plugin as registered: {message}"


def test_installed_entry_points_are_looked_for_without_importlib_metadata(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from healthlint import plugins

    site = tmp_path / "site"
    (site / "other-1.0.dist-info").mkdir(parents=True)
    (site / "other-1.0.dist-info" / "entry_points.txt").write_text(
        "[console_scripts]\nother = other:main\n")
    monkeypatch.setattr(sys, "path", [str(site), str(tmp_path / "missing")])
    assert not plugins._declares_plugins()
    (site / "demo-1.0.dist-info").mkdir()
    (site / "demo-1.0.dist-info" / "entry_points.txt").write_text(
        "[console_scripts]\nx = y:z\n\n[healthlint]\ndemo = demo.plugin\n")
    assert plugins._declares_plugins()
    zipped = tmp_path / "plugins.zip"
    zipped.write_bytes(b"PK")
    monkeypatch.setattr(sys, "path", [str(zipped)])  # only the real lookup can read a zip
    assert plugins._declares_plugins()
