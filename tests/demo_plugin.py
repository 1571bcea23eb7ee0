"""Install the ``demo-sentence`` test plugin without pip: a folder on the import path that
holds the module and a ``.dist-info`` with its entry point is an installed distribution
as far as ``importlib.metadata`` (and so pluggy) is concerned, in this process and in
any child process given the folder in ``PYTHONPATH``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "demo_sentence"
RULES = FIXTURE / "rules"


def install(folder: Path, module: str = "healthlint_demo_sentence",
            source: str | None = None) -> Path:
    """Make ``folder`` an import-path entry holding a plugin (by default the demo plugin;
    otherwise ``module`` with ``source`` as its code); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    if source is None:
        shutil.copy(FIXTURE / f"{module}.py", folder)
    else:
        (folder / f"{module}.py").write_text(source, encoding="utf-8")
    distribution = module.replace("_", "-")
    info = folder / f"{module}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[healthlint]\n{module.removeprefix('healthlint_')} = {module}\n", encoding="utf-8")
    return folder


def environment(site: Path) -> dict[str, str]:
    """The environment of a child ``healthlint`` that loads the plugin from ``site``."""
    paths = [str(site), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    environ.pop("HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD", None)
    return environ
