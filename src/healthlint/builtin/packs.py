"""Registers the rule packs shipped with healthlint (the top-level ``rules/`` folder).

In a wheel the packs live at ``healthlint/rules``; in a source checkout or an
editable install they are read from the repository's ``rules/`` folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from healthlint import hookimpl
from healthlint._package import package_file
from healthlint.types import RulePack


def shipped_rules_dir() -> Path:
    installed = package_file("rules")
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "rules"


def _description(folder: Path) -> str:
    meta = folder / "pack.yaml"
    if not meta.is_file():
        return ""
    for line in meta.read_text(encoding="utf-8").splitlines():
        if line.startswith("description:"):
            return line.partition(":")[2].strip().strip("\"'")
    return ""


@hookimpl
def healthlint_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    root = shipped_rules_dir()
    # A shipped pack declares itself with a pack.yaml; other folders are not packs.
    for folder in sorted(p for p in root.iterdir() if (p / "pack.yaml").is_file()):
        register(RulePack(folder.name, str(folder), _description(folder)))
