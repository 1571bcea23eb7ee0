"""The wheel holds everything healthlint reads at run time, and works when installed.

An editable install reads the rule packs, schemas and data straight from the
checkout, so a file missing from the wheel goes unnoticed until a user installs
from PyPI. These tests build the wheel, look inside it, install it into a fresh
virtual environment and run the installed command from outside the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from healthlint.__about__ import __version__

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "healthlint"
RULES = REPO / "rules"

CLAIM_PAGE = """\
# Knee pain clinic

Our stem cell injections are completely safe and cure arthritis.
"""

pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    """This environment without what would let the venv see the checkout."""
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
            and not key.startswith("HEALTHLINT_")}


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_clean_env(),
                          timeout=900, check=False)


def _shipped_files(folder: Path, pattern: str, prefix: str) -> set[str]:
    """The wheel paths that the files matching ``pattern`` under ``folder`` must have."""
    return {f"{prefix}/{path.relative_to(folder).as_posix()}"
            for path in folder.glob(pattern) if path.is_file()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)])
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("healthlint-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (not editable), as a user gets it."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    created = _run([sys.executable, "-m", "venv", str(venv)])
    assert created.returncode == 0, created.stderr
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                      str(wheel)])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory outside the checkout, holding a page with health claims."""
    assert not tmp_path.resolve().is_relative_to(REPO)
    (tmp_path / "page.md").write_text(CLAIM_PAGE, encoding="utf-8")
    return tmp_path


def test_wheel_ships_packs_schemas_data_and_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "rule packs": _shipped_files(RULES, "*/*.yaml", "healthlint/rules"),
        "term classes": _shipped_files(RULES, "*/terms/*.txt", "healthlint/rules"),
        "schemas": _shipped_files(PACKAGE / "schemas", "*.json", "healthlint/schemas"),
        "data": _shipped_files(PACKAGE / "data", "**/*", "healthlint/data"),
        "typing marker": {"healthlint/py.typed"},
        "report assets": {f"healthlint/builtin/outputs/html_report.{ext}" for ext in ("css", "js")},
    }
    for what, files in expected.items():
        assert files, f"no {what} found in the checkout"
        assert files <= names, f"{what} missing from {wheel.name}: {sorted(files - names)}"
    stray = sorted(n for n in names
                   if not n.startswith(("healthlint/", f"healthlint-{__version__}.dist-info/")))
    assert not stray, f"files outside the package in {wheel.name}: {stray}"


def test_installed_copy_is_the_wheel_not_the_checkout(venv: Path, outside: Path) -> None:
    result = _run([str(venv / "bin" / "python"), "-c",
                   "import healthlint; print(healthlint.__file__)"], cwd=outside)

    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(venv)


def test_installed_rules_lists_every_shipped_rule(venv: Path, outside: Path) -> None:
    # A pack folder holds its rules, pack.yaml and shared shapes.yaml.
    shipped = {yaml.safe_load(path.read_text(encoding="utf-8"))["code"]
               for path in RULES.glob("*/*.yaml") if path.name not in ("pack.yaml", "shapes.yaml")}

    result = _run([str(venv / "bin" / "healthlint"), "rules", "--output-format", "json"],
                  cwd=outside)

    assert result.returncode == 0, result.stderr
    assert {rule["code"] for rule in json.loads(result.stdout)} == shipped


def test_installed_check_reports_claims(venv: Path, outside: Path) -> None:
    result = _run([str(venv / "bin" / "healthlint"), "check", "page.md"], cwd=outside)

    assert "page.md:3:30: HL104 error" in result.stdout, result.stdout + result.stderr
    assert "page.md:3:50: HL113 error" in result.stdout
    assert result.returncode == 1


def test_installed_check_writes_the_html_report(venv: Path, outside: Path) -> None:
    result = _run([str(venv / "bin" / "healthlint"), "check", "page.md", "--output-format", "html",
                   "-o", "review.html", "--output", "json:findings.json"], cwd=outside)

    assert result.returncode == 1, result.stderr
    report = (outside / "review.html").read_text(encoding="utf-8")
    findings = json.loads((outside / "findings.json").read_text(encoding="utf-8"))
    assert report.count(' data-code="') == len(findings["diagnostics"]) > 0
    assert "--error: #" in report, "the packaged stylesheet is inlined"


def test_installed_check_reads_a_config_file(venv: Path, outside: Path) -> None:
    (outside / ".healthlint.yaml").write_text("ignore: [HL104]\n", encoding="utf-8")

    result = _run([str(venv / "bin" / "healthlint"), "check", "page.md"], cwd=outside)

    assert "HL113" in result.stdout, result.stdout + result.stderr
    assert "HL104" not in result.stdout
    assert result.returncode == 1


def test_installed_module_reports_its_version(venv: Path, outside: Path) -> None:
    result = _run([str(venv / "bin" / "python"), "-m", "healthlint", "--version"], cwd=outside)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"healthlint {__version__}"
