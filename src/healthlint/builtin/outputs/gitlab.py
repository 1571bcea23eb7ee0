"""GitLab Code Quality: the JSON array ``artifacts:reports:codequality`` reads.

GitLab reads a subset of the Code Climate issue format: ``description``,
``check_name``, ``fingerprint``, ``severity`` and ``location`` (path and begin
line). It does not display ``check_name``, so the description starts with the
rule code and slug.

Severity mapping. GitLab knows ``info``, ``minor``, ``major``, ``critical`` and
``blocker``. A healthlint error maps to ``major``: it is a finding to fix before
publishing, like ruff's errors. ``critical`` is kept for a file that could not be
checked at all, because then nothing is known about what it claims; ``blocker``
is never used, since blocking is the pipeline's decision (the exit code), not
the report's. Warnings map to ``minor``, infos to ``info``.

The fingerprint is the finding's stable fingerprint from
:mod:`healthlint.fingerprint`, so GitLab's "new / fixed" comparison between the
source and target branches survives lines moving, as baselines do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, TextIO

from healthlint.builtin.outputs.sarif import dump_json
from healthlint.fingerprint import file_fingerprints, normalise_path
from healthlint.types import Diagnostic, FileError, OutputContext, Report, Severity

SEVERITIES: Mapping[Severity, str] = {
    Severity.ERROR: "major",
    Severity.WARNING: "minor",
    Severity.INFO: "info",
    Severity.OFF: "info",
}

FILE_ERROR_SEVERITIES: Mapping[Severity, str] = {
    Severity.ERROR: "critical",
    Severity.WARNING: "minor",
    Severity.INFO: "info",
    Severity.OFF: "info",
}

FILE_ERROR_CHECK = "healthlint/file-error"


def _issue(diagnostic: Diagnostic, fingerprint: str, root: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": diagnostic.code,
        "description": f"{diagnostic.code} ({diagnostic.rule}): {diagnostic.message}",
        "fingerprint": fingerprint,
        "severity": SEVERITIES[diagnostic.severity],
        "location": {
            "path": normalise_path(diagnostic.path, root),
            "positions": {
                "begin": {"line": diagnostic.start.line, "column": diagnostic.start.column},
                "end": {"line": diagnostic.end.line, "column": diagnostic.end.column},
            },
        },
    }


def _error_issue(error: FileError, root: str) -> dict[str, Any]:
    path = normalise_path(error.path, root)
    identity = f"{FILE_ERROR_CHECK}\0{path}\0{error.message}"
    return {
        "type": "issue",
        "check_name": FILE_ERROR_CHECK,
        "description": f"healthlint could not fully check this file: {error.message}",
        "fingerprint": hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32],
        "severity": FILE_ERROR_SEVERITIES[error.severity],
        "location": {"path": path, "lines": {"begin": error.line or 1}},
    }


def _make_unique(issues: list[dict[str, Any]]) -> None:
    """Re-hash repeated fingerprints: GitLab shows issues that share one as a single issue.

    Findings already carry an occurrence index, so this only bites when a report
    holds the same file twice or one file error is reported twice.
    """
    seen: set[str] = set()
    for issue in issues:
        value = issue["fingerprint"]
        while value in seen:
            value = hashlib.sha256(value.encode("ascii")).hexdigest()[:32]
        issue["fingerprint"] = value
        seen.add(value)


def code_quality_issues(report: Report, root: str) -> list[dict[str, Any]]:
    """The Code Quality issues of ``report``, sorted by path and position."""
    issues: list[tuple[tuple[str, int, int, str], dict[str, Any]]] = []
    for file in report.files:
        for error in file.errors:
            path = normalise_path(error.path, root)
            issues.append(((path, -1, -1, error.message), _error_issue(error, root)))
        for diagnostic, fingerprint in zip(
            file.diagnostics, file_fingerprints(file, root=root), strict=True
        ):
            span = diagnostic.span
            key = (normalise_path(diagnostic.path, root), span.start, span.end, diagnostic.code)
            issues.append((key, _issue(diagnostic, fingerprint, root)))
    issues.sort(key=lambda entry: entry[0])
    ordered = [issue for _, issue in issues]
    _make_unique(ordered)
    return ordered


class GitlabOutput:
    """GitLab Code Quality report (``artifacts:reports:codequality``)."""

    name = "gitlab"
    description = "GitLab Code Quality JSON report"

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None:
        dump_json(code_quality_issues(report, context.root), stream)
