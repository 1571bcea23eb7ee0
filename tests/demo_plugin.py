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


def install(folder: Path) -> Path:
    """Make ``folder`` an import-path entry holding the plugin; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE / "healthlint_demo_sentence.py", folder)
    info = folder / "healthlint_demo_sentence-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: healthlint-demo-sentence\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[healthlint]\ndemo_sentence = healthlint_demo_sentence\n", encoding="utf-8")
    return folder


def environment(site: Path) -> dict[str, str]:
    """The environment of a child ``healthlint`` that loads the plugin from ``site``."""
    paths = [str(site), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    environ.pop("HEALTHLINT_DISABLE_PLUGIN_AUTOLOAD", None)
    return environ
