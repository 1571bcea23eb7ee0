"""The pre-commit hook, run for real with ``pre-commit try-repo``.

try-repo clones this repository (HEAD plus uncommitted changes to tracked files)
and pip-installs it into a fresh environment, as a content repository's
pre-commit would: it needs PyPI and takes a while, so the two hook runs go in
parallel. Everything runs with its own git configuration and pre-commit home,
so neither the user's settings nor their pre-commit cache take part.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from healthlint.plugins import load_registry

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / ".pre-commit-hooks.yaml"

PAGES = {
    "claim.md": "# Clinic\n\nOur stem cell injections are completely safe and cure arthritis.\n",
    "clean.md": "# Clinic\n\nOur physiotherapists see patients on weekdays from 8 to 6.\n",
    **{f"hours-{n}.md": f"# Hours\n\nThe clinic opens at {n} on Saturdays.\n" for n in range(5)},
}
RUNS = {
    "claim.md": ["claim.md", *(f"hours-{n}.md" for n in range(5))],
    "clean.md": ["clean.md"],
}
"""Each run's files. Six files are more than pre-commit puts in one invocation when it
runs a hook in parallel (at least four per process, split over the CPUs)."""


def _isolated_env(home: Path) -> dict[str, str]:
    """An environment with an empty git configuration, a fixed identity (try-repo commits
    uncommitted changes to a shadow clone) and a private pre-commit home."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GIT_", "PRE_COMMIT", "HEALTHLINT_"))}
    gitconfig = home / "gitconfig"
    gitconfig.write_text("", encoding="utf-8")
    person = {"NAME": "healthlint tests", "EMAIL": "tests@example.invalid"}
    identity = {f"GIT_{role}_{key}": value for role in ("AUTHOR", "COMMITTER")
                for key, value in person.items()}
    return {**env, **identity, "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1",
            "PRE_COMMIT_HOME": str(home / "pre-commit-home"), "NO_COLOR": "1"}


def _content_repo(root: Path, env: dict[str, str]) -> Path:
    """A web-content git repository holding the pages, staged as a writer would have them."""
    repo = root / "site"
    (repo / "pages").mkdir(parents=True)
    for name, text in PAGES.items():
        (repo / "pages" / name).write_text(text, encoding="utf-8")
    for command in (["git", "init", "--quiet"], ["git", "add", "pages"]):
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)
    return repo


@pytest.fixture(scope="module")
def hook_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """``{run: (exit code, output)}`` of the hook run by try-repo on each run's pages."""
    home = tmp_path_factory.mktemp("precommit")
    env = _isolated_env(home)
    site = _content_repo(home, env)
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "healthlint",
             "--verbose", "--color", "never", "--files", *(f"pages/{page}" for page in pages)],
            cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, pages in RUNS.items()
    }
    results: dict[str, tuple[int, str]] = {}
    for name, process in running.items():
        output, _ = process.communicate(timeout=900)
        results[name] = (process.returncode, output)
    return results


@pytest.mark.slow
def test_hook_fails_on_an_unsupported_claim(hook_runs: dict[str, tuple[int, str]]) -> None:
    code, output = hook_runs["claim.md"]

    assert code == 1, output
    assert "healthlint" in output and "Failed" in output
    assert "pages/claim.md:3:30: HL104 error" in output
    assert "pages/claim.md:3:50: HL113 error" in output


@pytest.mark.slow
def test_hook_prints_one_summary_for_all_files(hook_runs: dict[str, tuple[int, str]]) -> None:
    """One healthlint process for the commit's files (require_serial): one report, one
    summary, not one partial summary per CPU."""
    _, output = hook_runs["claim.md"]

    summaries = [line for line in output.splitlines() if line.startswith(("Found ", "All clear"))]
    assert len(summaries) == 1, output
    assert summaries[0].endswith(" in 6 files.")


@pytest.mark.slow
def test_hook_passes_on_a_clean_page(hook_runs: dict[str, tuple[int, str]]) -> None:
    code, output = hook_runs["clean.md"]

    assert code == 0, output
    assert "Passed" in output
    assert "All clear: no findings in 1 file." in output


def test_manifest_is_valid() -> None:
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                             str(MANIFEST)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_selects_every_extension_healthlint_reads() -> None:
    """pre-commit picks the files it names by the hook's ``files`` pattern: it must match
    every extension a registered format reads, and not other source files."""
    (hook,) = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    pattern = re.compile(hook["files"])

    missed = sorted(ext for ext in load_registry().extensions if not pattern.search(f"p{ext}"))
    assert not missed, f"the hook skips files healthlint lints: {missed}"
    assert pattern.search("Pages/Index.HTML")
    assert not any(pattern.search(name) for name in ("setup.py", "main.go", "style.css"))
    assert "--force-exclude" in hook["entry"].split()
