"""docs/ci.md: every recipe's commands parse with the real CLI and name real formats,
and each workflow uploads the file its lint step writes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from healthlint.cli import build_parser

CI_DOC = Path(__file__).parents[2] / "docs" / "ci.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FORMATS = {"full", "concise", "json", "sarif", "github", "gitlab", "junit", "checkstyle"}


def blocks(language: str) -> list[str]:
    text = CI_DOC.read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def shell_commands() -> list[str]:
    return [line for body in blocks("shell") for line in body.splitlines() if line.strip()]


def workflows() -> list[dict[str, Any]]:
    return [yaml.safe_load(body) for body in blocks("yaml")]


def yaml_commands() -> list[str]:
    """The healthlint commands of GitHub ``run:`` steps and GitLab ``script:`` lists."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                lines = [value] if name == "run" else value if name == "script" else []
                found.extend(line for line in lines if line.startswith("healthlint "))
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for workflow in workflows():
        walk(workflow)
    return found


def test_every_shell_line_is_a_healthlint_command() -> None:
    commands = shell_commands()
    assert len(commands) >= 8
    for line in commands:
        assert line.startswith("healthlint "), line


@pytest.mark.parametrize("command", shell_commands() + yaml_commands())
def test_commands_parse_and_name_known_formats(command: str) -> None:
    args = build_parser().parse_args(shlex.split(command)[1:])
    if args.command == "check":
        named = [args.output_format or "full"] + [spec.split(":", 1)[0] for spec in args.output]
        assert set(named) <= FORMATS, named


def _step_running(steps: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    return next(step for step in steps if str(step.get("run", "")).startswith(prefix))


def test_github_code_scanning_recipe_uploads_what_it_writes() -> None:
    workflow = next(w for w in workflows() if "code-scanning" in w.get("jobs", {}))
    job = workflow["jobs"]["code-scanning"]
    assert job["permissions"]["security-events"] == "write"
    lint = build_parser().parse_args(
        shlex.split(_step_running(job["steps"], "healthlint ")["run"])[1:]
    )
    upload = next(
        s
        for s in job["steps"]
        if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["uses"].endswith("@v3")
    assert (lint.output_format, lint.output_file) == ("sarif", upload["with"]["sarif_file"])


def test_github_annotation_recipe_fetches_history_for_diff_base() -> None:
    workflow = next(w for w in workflows() if "annotate" in w.get("jobs", {}))
    steps = workflow["jobs"]["annotate"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    lint = build_parser().parse_args(shlex.split(_step_running(steps, "healthlint ")["run"])[1:])
    assert lint.output_format == "github"
    assert lint.diff_base


def test_gitlab_recipe_publishes_what_it_writes() -> None:
    workflow = next(w for w in workflows() if "healthlint" in w)
    job = workflow["healthlint"]
    command = next(line for line in job["script"] if line.startswith("healthlint "))
    args = build_parser().parse_args(shlex.split(command)[1:])
    reports = job["artifacts"]["reports"]
    assert (args.output_format, args.output_file) == ("gitlab", reports["codequality"])
    assert f"junit:{reports['junit']}" in args.output
    assert job["artifacts"]["when"] == "always"
