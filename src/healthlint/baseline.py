"""Baselines: adopt healthlint on a site that already has findings.

``healthlint baseline`` records today's findings; later runs report only what
is new. Findings are matched by their fingerprint (:mod:`healthlint.fingerprint`),
not by line, so editing a page above an old claim does not resurface it, while
rewording the claim itself does (the new wording needs review).

The file is JSON meant to be committed and reviewed in pull requests: one entry
per finding, sorted by path, code and text, with the flagged text (shortened)
so a reviewer can see what is being accepted::

    {
      "version": 1,
      "tool": "healthlint",
      "entries": [
        {"path": "content/a.md", "code": "HL101", "fingerprint": "…", "text": "cures arthritis"}
      ]
    }
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from healthlint.display import scrub
from healthlint.errors import ConfigError
from healthlint.fingerprint import file_fingerprints, flagged_text, normalise_path
from healthlint.types import FileResult, Report

__all__ = [
    "BASELINE_VERSION",
    "Baseline",
    "BaselineEntry",
    "apply_baseline",
    "load_baseline",
    "write_baseline",
]

BASELINE_VERSION = 1
"""The newest file format this healthlint reads and the one it writes."""

TEXT_LIMIT = 80
"""Flagged text longer than this is shortened in the file: it is there for
reviewers only, matching uses the fingerprint."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One accepted finding."""

    path: str
    code: str
    fingerprint: str
    text: str = ""


@dataclass(frozen=True)
class Baseline:
    """The accepted findings read from a baseline file."""

    entries: tuple[BaselineEntry, ...]
    path: str = ""
    """The file it was read from, for messages."""


def _review_text(text: str) -> str:
    collapsed = " ".join(text.split())
    if len(collapsed) > TEXT_LIMIT:
        return collapsed[: TEXT_LIMIT - 1] + "…"
    return collapsed


def _entries_of(file: FileResult, root: str) -> Iterable[BaselineEntry]:
    for diagnostic, fingerprint in zip(
        file.diagnostics, file_fingerprints(file, root=root), strict=True
    ):
        yield BaselineEntry(
            path=normalise_path(diagnostic.path, root),
            code=diagnostic.code,
            fingerprint=fingerprint,
            text=scrub(_review_text(flagged_text(diagnostic, file.source))),
        )


def baseline_of(report: Report, *, root: str = ".") -> Baseline:
    """Every finding of ``report`` as a baseline, sorted for stable, reviewable diffs."""
    entries = [entry for file in report.files for entry in _entries_of(file, root)]
    entries.sort(key=lambda e: (e.path, e.code, e.text, e.fingerprint))
    return Baseline(tuple(entries))


def write_baseline(report: Report, path: str | os.PathLike[str], *, root: str = ".") -> Baseline:
    """Write every finding of ``report`` to ``path``, atomically, and return the baseline.

    The temporary file is created next to ``path`` and renamed over it, so an
    interrupted run never leaves a half-written baseline for CI to read.
    """
    baseline = baseline_of(report, root=root)
    document = {
        "version": BASELINE_VERSION,
        "tool": "healthlint",
        "entries": [asdict(entry) for entry in baseline.entries],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    target = Path(path)
    if target.is_dir():
        raise ConfigError("cannot write the baseline: this is a folder", path=str(target))
    # Opened with "x" rather than mkstemp so the file gets the usual umask permissions.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        # A file name that was not valid UTF-8 holds lone surrogates; backslashreplace
        # writes them as JSON escapes (\udcff), which read back to the same name.
        with open(
            temporary, "x", encoding="utf-8", errors="backslashreplace", newline="\n"
        ) as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ConfigError(f"cannot write the baseline: {exc.strerror or exc}",
                          path=str(target)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Baseline(baseline.entries, str(target))


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file.

    :raises ConfigError: the file is missing or unreadable, is not JSON, does not
        have the baseline shape, or was written by a newer healthlint.
    """
    name = os.fspath(path)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "baseline file not found; create it with `healthlint baseline --output FILE PATHS`",
            path=name,
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read baseline file: {exc}", path=name) from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise ConfigError("baseline file is not a healthlint baseline: it nests too deeply",
                          path=name) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"baseline file is not valid JSON: {exc.msg} (column {exc.colno})",
            path=name,
            line=exc.lineno,
        ) from None
    return Baseline(_parse(document, name), name)


def _parse(document: Any, name: str) -> tuple[BaselineEntry, ...]:
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise ConfigError(
            'not a healthlint baseline: expected an object with "version" and "entries"',
            path=name,
        )
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(
            f'baseline "version" must be a positive integer, not {version!r}', path=name
        )
    if version > BASELINE_VERSION:
        raise ConfigError(
            f"baseline format version {version} is newer than this healthlint reads "
            f"(up to {BASELINE_VERSION}); upgrade healthlint or rewrite the baseline",
            path=name,
        )
    return tuple(_entry(item, index, name) for index, item in enumerate(document["entries"]))


def _entry(item: Any, index: int, name: str) -> BaselineEntry:
    required = ("path", "code", "fingerprint")
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in required):
        raise ConfigError(
            f'baseline entry {index} must be an object with string "path", "code" '
            f'and "fingerprint"',
            path=name,
        )
    text = item.get("text", "")
    if not isinstance(text, str):
        raise ConfigError(f'baseline entry {index}: "text" must be a string', path=name)
    return BaselineEntry(
        path=normalise_path(item["path"]),
        code=item["code"],
        fingerprint=item["fingerprint"],
        text=text,
    )


def apply_baseline(
    report: Report, baseline: Baseline, *, root: str = "."
) -> tuple[Report, list[BaselineEntry]]:
    """Drop the findings ``baseline`` accepts; return the rest and the stale entries.

    Entries are counted, not just looked up: a fingerprint recorded once hides
    one finding. Stale entries (accepted findings that are gone, fixed or
    reworded) are reported only for files linted in this run, so linting a
    subset of the site does not call the rest of the baseline stale.
    """
    remaining = Counter(entry.fingerprint for entry in baseline.entries)
    files: list[FileResult] = []
    for file in report.files:
        kept = []
        for diagnostic, fingerprint in zip(
            file.diagnostics, file_fingerprints(file, root=root), strict=True
        ):
            if remaining[fingerprint] > 0:
                remaining[fingerprint] -= 1
            else:
                kept.append(diagnostic)
        files.append(FileResult(file.path, kept, list(file.errors), file.source))
    linted = {normalise_path(file.path, root) for file in report.files}
    unmatched: list[BaselineEntry] = []
    for entry in baseline.entries:
        if entry.path in linted and remaining[entry.fingerprint] > 0:
            remaining[entry.fingerprint] -= 1
            unmatched.append(entry)
    accepted = len(report.diagnostics) - sum(len(file.diagnostics) for file in files)
    return Report(files, report.rules, (report.baselined or 0) + accepted), unmatched
