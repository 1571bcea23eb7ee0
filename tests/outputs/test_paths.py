"""Every format reports the same relative, forward-slash path for awkward file names."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest

from healthlint.builtin.outputs.checkstyle import CheckstyleOutput
from healthlint.builtin.outputs.github import GithubOutput
from healthlint.builtin.outputs.gitlab import GitlabOutput
from healthlint.builtin.outputs.junit import JunitOutput
from healthlint.builtin.outputs.sarif import SarifOutput
from healthlint.types import OutputFormat, Report
from outputs.builders import flag, render, report, result
from outputs.test_github import commands

SOURCE = "Our serum cures eczema.\n"


def awkward_report(root: Path) -> tuple[Report, set[str]]:
    """Paths as the engine might report them, and how every output must show them."""
    reported = {
        "content/my page.md": "content/my page.md",
        "content/café #1 100%.md": "content/café #1 100%.md",
        "content\\win dir\\page.md": "content/win dir/page.md",
        str(root / "sub dir" / "ünï?.md"): "sub dir/ünï?.md",
        "./content/./dots.md": "content/dots.md",
    }
    rep = report(
        *(result(path, SOURCE, [flag(path, SOURCE, "cures eczema", "HL104")]) for path in reported)
    )
    return rep, set(reported.values())


def sarif_paths(text: str) -> list[str]:
    run = json.loads(text)["runs"][0]
    return [
        unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    ]


def github_paths(text: str) -> list[str]:
    return [command.properties["file"] for command in commands(text)]


def gitlab_paths(text: str) -> list[str]:
    return [issue["location"]["path"] for issue in json.loads(text)]


def junit_paths(text: str) -> list[str]:
    return [suite.get("name", "") for suite in ET.fromstring(text)]


def checkstyle_paths(text: str) -> list[str]:
    return [file.get("name", "") for file in ET.fromstring(text)]


READERS: list[tuple[OutputFormat, Callable[[str], list[str]]]] = [
    (SarifOutput(), sarif_paths),
    (GithubOutput(), github_paths),
    (GitlabOutput(), gitlab_paths),
    (JunitOutput(), junit_paths),
    (CheckstyleOutput(), checkstyle_paths),
]


@pytest.mark.parametrize(("output", "read"), READERS, ids=[o.name for o, _ in READERS])
def test_awkward_paths(
    tmp_path: Path, output: OutputFormat, read: Callable[[str], list[str]]
) -> None:
    rep, expected = awkward_report(tmp_path)
    paths = read(render(output, rep, root=str(tmp_path)))
    assert sorted(paths) == sorted(expected)


def test_sarif_uris_encode_what_a_uri_cannot_hold(tmp_path: Path) -> None:
    rep, _ = awkward_report(tmp_path)
    run = json.loads(render(SarifOutput(), rep, root=str(tmp_path)))["runs"][0]
    uris = sorted(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    )
    assert uris == [
        "content/caf%C3%A9%20%231%20100%25.md",
        "content/dots.md",
        "content/my%20page.md",
        "content/win%20dir/page.md",
        "sub%20dir/%C3%BCn%C3%AF%3F.md",
    ]
