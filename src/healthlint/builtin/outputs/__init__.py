"""The built-in output formats."""

from __future__ import annotations

from collections.abc import Callable

from healthlint import hookimpl
from healthlint.builtin.outputs.checkstyle import CheckstyleOutput
from healthlint.builtin.outputs.github import GithubOutput
from healthlint.builtin.outputs.gitlab import GitlabOutput
from healthlint.builtin.outputs.html import HtmlOutput
from healthlint.builtin.outputs.human import ConciseOutput, FullOutput
from healthlint.builtin.outputs.json import JsonOutput
from healthlint.builtin.outputs.junit import JunitOutput
from healthlint.builtin.outputs.sarif import SarifOutput
from healthlint.types import OutputFormat


@hookimpl
def healthlint_register_outputs(register: Callable[[OutputFormat], None]) -> None:
    for output in (FullOutput(), ConciseOutput(), JsonOutput(), SarifOutput(), GithubOutput(),
                   GitlabOutput(), JunitOutput(), CheckstyleOutput(), HtmlOutput()):
        register(output)
