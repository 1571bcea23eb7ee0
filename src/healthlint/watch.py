"""``healthlint check --watch``: lint once, then lint again what changes and print the difference.

After the first full run (printed like any ``check``), the linted paths are
watched with watchfiles. A changed file is linted again and only what changed
is printed: its new findings, in the chosen format, and the findings that went
away, then one summary line. Findings are matched by their fingerprint
(:mod:`healthlint.fingerprint`: rule, file, flagged text), so a line inserted
above a claim does not report it as new. A change to a configuration file lints
everything again. Ctrl-C stops watching and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from healthlint.__about__ import __version__
from healthlint.config import CONFIG_NAMES, ConfigResolver
from healthlint.console import EXIT_OK, use_color
from healthlint.engine import Linter
from healthlint.errors import ConfigError
from healthlint.fingerprint import file_fingerprints
from healthlint.progress import progress_on
from healthlint.runner import Job, run
from healthlint.types import Diagnostic, FileResult, OutputContext, Report, Rule, Severity

TEXT_FORMATS = ("full", "concise")
WATCHER_TIMEOUT_MS = 500
"""How often the watcher wakes when nothing changes; its first wake says it is running."""


def _check_options(args: argparse.Namespace) -> None:
    if any(path == "-" for path in args.paths):
        raise ConfigError("--watch cannot watch standard input")
    for option, given in (("--fix", args.fix), ("--output-file", args.output_file),
                          ("--output", args.output), ("--baseline", args.baseline),
                          ("--diff-base", args.diff_base)):
        if given:
            raise ConfigError(f"{option} cannot be combined with --watch")
    if (args.output_format or "full") not in TEXT_FORMATS:
        raise ConfigError("--watch prints what changed as text: use --output-format full or "
                          f"concise, not {args.output_format!r}")


def _key(diagnostic: Diagnostic, fingerprint: str) -> tuple[str, Severity]:
    return fingerprint, diagnostic.severity


def _keyed(result: FileResult | None) -> dict[tuple[str, Severity], list[Diagnostic]]:
    keyed: dict[tuple[str, Severity], list[Diagnostic]] = {}
    if result is not None:
        prints = file_fingerprints(result)
        for diagnostic, fingerprint in zip(result.diagnostics, prints, strict=True):
            keyed.setdefault(_key(diagnostic, fingerprint), []).append(diagnostic)
    return keyed


def difference(old: FileResult | None, new: FileResult | None,
               ) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The findings of ``new`` that ``old`` lacked, and those of ``old`` that ``new`` lacks."""
    before, after = _keyed(old), _keyed(new)
    added = [d for key, found in after.items() for d in found[len(before.get(key, ())):]]
    resolved = [d for key, found in before.items() for d in found[len(after.get(key, ())):]]
    return sorted(added, key=Diagnostic.sort_key), sorted(resolved, key=Diagnostic.sort_key)


class Watcher:
    """The state between runs: the last result of every file, by real path."""

    def __init__(self, args: argparse.Namespace, job: Job) -> None:
        self.args = args
        self.job = job
        self.results: dict[str, FileResult] = {}
        self.rules: Mapping[str, Rule] = {}
        self.linter: Linter | None = None

    def context(self) -> OutputContext:
        return OutputContext(tool_version=__version__, color=use_color(self.args.color, sys.stdout),
                             root=str(Path.cwd()), quiet=True)

    def output(self) -> Any:
        assert self.linter is not None
        return self.linter.registry.outputs[self.args.output_format or "full"]

    def first_run(self) -> Report:
        with progress_on(sys.stderr) as progress:
            outcome = run(replace(self.job, progress=progress))
            report, self.linter = outcome.report, outcome.linter
        self.rules = report.rules
        self.results = {os.path.realpath(r.path): r for r in report.files}
        context = replace(self.context(), quiet=self.args.quiet, statistics=self.args.statistics)
        self.output().render(report, sys.stdout, context)
        sys.stdout.flush()
        return report

    def watched_paths(self) -> list[str]:
        """The linted paths, and the configuration files that apply to the files found."""
        paths = {os.path.abspath(p) for p in (self.job.paths or ["."])}
        resolver = ConfigResolver(self.job.config, isolated=self.job.isolated)
        for path in self.results:
            config = resolver.for_path(path).path
            if config:
                paths.add(os.path.abspath(config))
        return sorted(p for p in paths if os.path.exists(p))

    def relint(self, changed: Iterable[str]) -> None:
        """Lint the changed files again (everything after a configuration change) and
        print what changed."""
        changed = list(changed)
        config = os.path.abspath(self.job.config) if self.job.config else None
        everything = any(Path(p).name in CONFIG_NAMES or os.path.abspath(p) == config
                         for p in changed)
        only = None if everything else {os.path.realpath(p) for p in changed}
        try:
            outcome = run(replace(self.job, only=only))
            report, self.linter = outcome.report, outcome.linter
        except ConfigError as exc:
            print(f"healthlint: error: {exc}", file=sys.stderr)
            return
        self.rules = {**self.rules, **report.rules}
        fresh = {os.path.realpath(r.path): r for r in report.files}
        affected = set(self.results) | set(fresh) if everything else only or set()
        shown = Report([], self.rules)
        added_count = resolved_count = files = 0
        for path in sorted(affected):
            old, new = self.results.get(path), fresh.get(path)
            added, resolved = difference(old, new)
            errors = new.errors if new is not None else []
            if new is None:
                self.results.pop(path, None)
            else:
                self.results[path] = new
            if not added and not resolved and not errors:
                continue
            files += 1
            added_count += len(added)
            resolved_count += len(resolved)
            if added or errors:
                name = new.path if new is not None else path
                shown.files.append(FileResult(name, added, errors, new.source if new else None))
            for d in resolved:
                print(f"resolved: {d.path}:{d.start.line}:{d.start.column}: {d.code} "
                      f"{d.severity} {d.message}")
        if shown.files:
            self.output().render(shown, sys.stdout, self.context())
        if not self.args.quiet:
            print(self.summary(added_count, resolved_count, len(affected)))
        sys.stdout.flush()

    def summary(self, added: int, resolved: int, changed: int) -> str:
        counts = Counter(d.severity for r in self.results.values() for d in r.diagnostics)
        total = sum(counts.values())
        parts = ", ".join(f"{counts[s]} {s}{'s' * (counts[s] != 1 and s != Severity.INFO)}"
                          for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s])
        with_findings = sum(1 for r in self.results.values() if r.diagnostics)
        stamp = time.strftime("%H:%M:%S")
        what = f"{added} new, {resolved} resolved" if added or resolved else "no change"
        return (f"[{stamp}] {what} in {changed} re-linted file{'s' * (changed != 1)}; now "
                f"{total} finding{'s' * (total != 1)}{f' ({parts})' if parts else ''} in "
                f"{with_findings} file{'s' * (with_findings != 1)}.")


def watch(args: argparse.Namespace, job: Job) -> int:
    """Run ``check --watch`` until Ctrl-C; returns 0."""
    _check_options(args)
    try:
        import watchfiles
    except ModuleNotFoundError as exc:
        if exc.name != "watchfiles":
            raise
        raise ConfigError("--watch needs watchfiles, which is not installed: install "
                          "healthlint[watch] (pip install 'healthlint[watch]')") from None
    watcher = Watcher(args, job)
    try:
        watcher.first_run()
        assert watcher.linter is not None
        extensions = tuple(watcher.linter.registry.extensions)

        class LintableFilter(watchfiles.DefaultFilter):
            def __call__(self, change: watchfiles.Change, path: str) -> bool:
                name = os.path.basename(path)
                return super().__call__(change, path) and (
                    name in CONFIG_NAMES or name.lower().endswith(extensions))

        paths = watcher.watched_paths()
        announced = False
        for changes in watchfiles.watch(*paths, watch_filter=LintableFilter(),
                                        rust_timeout=WATCHER_TIMEOUT_MS, yield_on_timeout=True):
            if not announced:
                print(f"Watching {len(watcher.results)} file{'s' * (len(watcher.results) != 1)}"
                      " for changes (Ctrl-C to stop)...", file=sys.stderr, flush=True)
                announced = True
            if changes:
                watcher.relint(path for _, path in changes)
    except KeyboardInterrupt:
        print("healthlint: stopped watching", file=sys.stderr)
    return EXIT_OK
