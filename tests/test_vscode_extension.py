"""The VS Code extension in ``editors/vscode`` builds, passes its unit tests and packages.

It runs what its README documents, on a copy (the source tree gets no node_modules):
``npm ci``, ``npm run compile``, ``npm test`` (node's test runner on the compiled
settings logic; no VS Code needed) and ``npx vsce package``. It needs npm: without
it the test is skipped on a developer's machine and fails in CI, where the
extension must be built.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[1] / "editors" / "vscode"

pytestmark = pytest.mark.slow


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("npm is not installed: CI must build the VS Code extension")
        pytest.skip("npm is not installed; the VS Code extension cannot be built here")
    return npm


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def test_extension_builds_tests_and_packages(tmp_path: Path) -> None:
    npm = _npm()
    work = tmp_path / "vscode"
    shutil.copytree(EXTENSION, work, ignore=shutil.ignore_patterns("node_modules", "out", "*.vsix"))

    _run([npm, "ci", "--no-audit", "--no-fund"], work)
    _run([npm, "run", "compile"], work)
    tested = _run([npm, "test"], work)
    vsix = tmp_path / "healthlint.vsix"
    _run([npm, "exec", "--", "vsce", "package", "--out", str(vsix)], work)

    passed = re.search(r"^# pass (\d+)$", tested, re.MULTILINE)
    assert passed and int(passed.group(1)) > 0, tested
    assert re.search(r"^# fail 0$", tested, re.MULTILINE), tested
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
    assert {"extension/out/extension.js", "extension/out/serverCommand.js",
            "extension/node_modules/vscode-languageclient/package.json"} <= names
    assert not any(name.startswith("extension/src/") for name in names)
    settings = manifest["contributes"]["configuration"]["properties"]
    assert {"healthlint.path", "healthlint.interpreter", "healthlint.args",
            "healthlint.documentTypes"} <= set(settings)
