"""The subcommands behind :mod:`healthlint.cli`; each returns an exit code."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from healthlint.__about__ import __version__
from healthlint.config import ConfigResolver
from healthlint.console import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, use_color
from healthlint.display import scrub_data, visible
from healthlint.engine import Linter
from healthlint.errors import ConfigError
from healthlint.plugins import Registry, load_registry
from healthlint.progress import progress_on
from healthlint.runner import Job, Outcome, run
from healthlint.selection import find as find_rule
from healthlint.selection import profile_severity
from healthlint.types import FileError, OutputContext, Report, Rule, Severity


def _job(args: argparse.Namespace, overrides: dict[str, Any],
         registry: Registry | None = None) -> Job:
    return Job(
        paths=args.paths,
        overrides=overrides,
        config=getattr(args, "config", None),
        isolated=getattr(args, "no_config", False),
        jobs=getattr(args, "jobs", None),
        stdin_filename=getattr(args, "stdin_filename", None),
        document_format=getattr(args, "document_format", None),
        force_exclude=getattr(args, "force_exclude", False),
        cache=not getattr(args, "no_cache", False),
        registry=registry,
    )


def _run_with_progress(job: Job) -> Outcome:
    """Run ``job`` with a progress line on stderr where one may be drawn."""
    with progress_on(sys.stderr) as progress:
        return run(replace(job, progress=progress))


def _outputs(args: argparse.Namespace, registry: Registry) -> list[tuple[str, str | None]]:
    """``(format, path or None for stdout)`` pairs, checked against the registered formats
    and the file system before anything is linted or fixed."""
    wanted: list[tuple[str, str | None]] = [(args.output_format or "full", args.output_file)]
    for spec in args.output:
        name, sep, path = spec.partition(":")
        if not sep or not name or not path:
            raise ConfigError(f"--output expects FORMAT:PATH, got {spec!r}")
        wanted.append((name, path))
    for name, path in wanted:
        if name not in registry.outputs:
            known = ", ".join(sorted(registry.outputs))
            raise ConfigError(f"unknown output format {name!r} (available: {known})")
        if path is not None:
            _check_writable(path)
    return wanted


def _check_writable(path: str) -> None:
    """Fail now, not after a run (and its fixes), when an output file cannot be written."""
    problem = (errno.EISDIR if os.path.isdir(path)
               else None if os.path.isdir(os.path.dirname(os.path.abspath(path)))
               else errno.ENOENT)
    if problem is not None:  # worded as opening the file would word it
        raise ConfigError(f"cannot write output file: {os.strerror(problem)}", path=path)


def _open_output(stack: ExitStack, path: str) -> TextIO:
    try:
        return stack.enter_context(open(path, "w", encoding="utf-8", newline="\n"))
    except OSError as exc:
        raise ConfigError(f"cannot write output file: {exc.strerror}", path=path) from None


def _fix(args: argparse.Namespace, job: Job, report: Report,
         linter: Linter) -> tuple[Report, Linter]:
    """Apply fixes file by file, then lint again so positions and findings are current.
    A file that could not be fixed keeps its findings and gets a file error saying why."""
    from healthlint.fixes import fix_file

    outcomes = [fix_file(result.path, result.diagnostics, unsafe=args.unsafe_fixes,
                         linted=result.source)
                for result in report.files if result.diagnostics and result.source is not None]
    applied = sum(outcome.applied for outcome in outcomes)
    print(f"{applied} fix{'es' * (applied != 1)} applied.", file=sys.stderr)
    if applied:
        outcome = _run_with_progress(job)
        report, linter = outcome.report, outcome.linter
    failed = {outcome.path: outcome.error for outcome in outcomes if outcome.error}
    for result in report.files:
        message = failed.get(result.path)
        if message is not None:
            result.errors.append(FileError(result.path, message))
    return report, linter


def _diff(args: argparse.Namespace, report: Report) -> int:
    """``--diff``: print what ``--fix`` would change as a unified diff; write nothing.
    Exit 1 when there is something to apply, as ``ruff check --diff`` does."""
    from healthlint.fixes import preview

    outcomes = [preview(result.path, result.diagnostics, unsafe=args.unsafe_fixes,
                        linted=result.source)
                for result in report.files if result.diagnostics and result.source is not None]
    for outcome in outcomes:
        sys.stdout.write(visible(outcome.diff, newlines=True))
    count = sum(outcome.applied for outcome in outcomes)
    print(f"{count} fix{'es' * (count != 1)} would be applied.", file=sys.stderr)
    if any(e.severity == Severity.ERROR for e in report.errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if count else EXIT_OK


def _exit_code(report: Report, fail_on: Severity) -> int:
    if any(e.internal for e in report.errors):
        return EXIT_INTERNAL
    if any(e.severity == Severity.ERROR for e in report.errors):
        return EXIT_ERROR
    if fail_on != Severity.OFF and any(d.severity >= fail_on for d in report.diagnostics):
        return EXIT_FINDINGS
    return EXIT_OK


def run_check(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    # Every option is resolved before a file is linted or fixed: a typo in one must not leave
    # files rewritten behind an error.
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise ConfigError("--unsafe-fixes only takes effect with --fix or --diff")
    if args.diff and args.fix:
        raise ConfigError("--diff shows the fixes instead of applying them; "
                          "use one of --fix and --diff")
    if args.fix and "-" in args.paths:
        raise ConfigError("--fix cannot rewrite standard input")
    registry = load_registry()
    outputs = _outputs(args, registry)
    baseline = None
    if args.baseline:
        from healthlint.baseline import load_baseline

        baseline = load_baseline(args.baseline)
    if args.diff_base:
        from healthlint.gitdiff import changed_lines

        changed_lines(args.diff_base, cwd=str(Path.cwd()))  # the ref names a commit
    job = _job(args, overrides, registry)
    if args.watch:
        from healthlint.watch import watch

        return watch(args, job)
    outcome = _run_with_progress(job)
    report, linter = outcome.report, outcome.linter
    if args.diff:
        return _diff(args, report)
    if args.fix:
        report, linter = _fix(args, job, report, linter)
    for skipped in outcome.skipped:
        print(f"healthlint: {skipped.path} is not linted: {skipped.reason}", file=sys.stderr)
    if not report.files and not outcome.skipped:
        wanted = ", ".join(linter.registry.extensions)
        print(f"healthlint: warning: no files to lint (looked for {wanted})", file=sys.stderr)
    if baseline is not None:
        from healthlint.baseline import apply_baseline

        report, stale = apply_baseline(report, baseline)
        for entry in stale:
            print(f"healthlint: baseline entry no longer matches: {entry.path}: {entry.code} "
                  f"{entry.text!r}", file=sys.stderr)
    if args.diff_base:
        from healthlint.gitdiff import changed_lines, filter_report

        report = filter_report(report, changed_lines(args.diff_base, [f.path for f in report.files],
                                                     cwd=str(Path.cwd())))
    with ExitStack() as stack:
        for name, path in outputs:
            stream: TextIO = _open_output(stack, path) if path else sys.stdout
            context = OutputContext(
                tool_version=__version__,
                color=path is None and use_color(args.color, sys.stdout),
                root=str(Path.cwd()),
                statistics=args.statistics,
                quiet=args.quiet,
            )
            linter.registry.outputs[name].render(report, stream, context)
        sys.stdout.flush()
    if args.explain_suppressed:
        human = outputs[0][0] in ("full", "concise") and outputs[0][1] is None
        _explain_suppressed(report, sys.stdout if human else sys.stderr)
    return _exit_code(report, linter.settings.fail_on)


def _explain_suppressed(report: Report, stream: TextIO) -> None:
    """What the evidence model lowered or dropped, and why: nothing disappears silently."""
    lowered = [d for d in report.diagnostics if d.notes]
    dropped = [d for f in report.files for d in f.dropped]
    stream.write(f"\nLowered or raised by evidence: {len(lowered)}; dropped: {len(dropped)}.\n")
    for title, rows in (("Lowered or raised", lowered), ("Dropped", dropped)):
        for d in rows:
            where = f"{d.path}:{d.start.line}:{d.start.column}"
            stream.write(f"{title}: {where}: {d.code} {d.severity}: {'; '.join(d.notes)}\n")


def run_baseline(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from healthlint.baseline import write_baseline

    report = _run_with_progress(_job(args, overrides)).report
    write_baseline(report, args.baseline_file)
    count = len(report.diagnostics)
    print(f"Wrote {count} finding{'s' * (count != 1)} to {args.baseline_file}.", file=sys.stderr)
    return EXIT_ERROR if any(e.severity == Severity.ERROR for e in report.errors) else EXIT_OK


def _linter(args: argparse.Namespace, overrides: dict[str, Any]) -> Linter:
    resolver = ConfigResolver(getattr(args, "config", None),
                              isolated=getattr(args, "no_config", False))
    return Linter(resolver.for_path(".").with_overrides(overrides))


def run_rules(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    linter = _linter(args, overrides)
    profile = linter.settings.profile
    rows = [loaded.rule for _, loaded in sorted(linter.ruleset.rules.items())
            if not args.pack or loaded.rule.pack == args.pack]
    if args.pack and not rows:
        packs = ", ".join(sorted({loaded.rule.pack for loaded in linter.ruleset.rules.values()}))
        raise ConfigError(f"no rule pack {args.pack!r} is loaded (loaded: {packs})")
    if args.output_format == "json":
        json.dump([{"code": r.code, "slug": r.slug, "category": r.category,
                    "severity": str(profile_severity(r, profile)),
                    "default_severity": str(r.severity), "pack": r.pack, "kind": r.kind,
                    "summary": r.docs.summary} for r in rows], sys.stdout, indent=2)
        print()
        return EXIT_OK
    print(f"Profile: {profile} ({linter.ruleset.profiles.get(profile, '')})")
    print(f"{'code':<7} {'severity':<9} {'pack':<10} {'kind':<12} "
          "slug (category, where it differs)")
    for rule in rows:
        severity = profile_severity(rule, profile)
        changed = "*" if severity != rule.severity else ""
        category = f" ({rule.category})" if rule.category != rule.slug else ""
        print(f"{rule.code:<7} {str(severity) + changed:<9} {rule.pack:<10} {rule.kind:<12} "
              f"{rule.slug}{category}")
    if any(profile_severity(r, profile) != r.severity for r in rows):
        print(f"\n* changed by the {profile} profile")
    return EXIT_OK


def run_explain(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    linter = _linter(args, overrides)
    wanted = args.code.strip()
    rule = find_rule((loaded.rule for loaded in linter.ruleset.rules.values()), wanted)
    if rule is None:
        print(f"healthlint: error: no rule with code or slug {wanted!r}; see 'healthlint rules'",
              file=sys.stderr)
        return EXIT_ERROR
    print(explain_markdown(rule), end="") if args.markdown else print(explain_text(rule))
    return EXIT_OK


def explain_markdown(rule: Rule) -> str:
    """The rule's documentation page (``docs/rules/CODE.md``, the SARIF help URI)."""
    def block(text: str) -> str:
        return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))

    lines = [f"# {rule.code} {rule.slug}", "", block(rule.docs.summary), "",
             "| category | default severity | pack | kind |", "|---|---|---|---|",
             f"| `{rule.category}` | {rule.severity} | {rule.pack} | {rule.kind} |"]
    if rule.profiles:
        lines += ["", "Profiles: " + ", ".join(f"`{name}` {entry.get('severity')}"
                                               for name, entry in sorted(rule.profiles.items()))]
    lines += ["", "## What it flags", "", block(rule.docs.what),
              "", "## Why it matters", "", block(rule.docs.why),
              "", "## What to write instead", "", block(rule.docs.instead)]
    if rule.suggestion:
        lines += ["", f"Suggested wording, offered as an unsafe fix: *{rule.suggestion}*"]
    lines += ["", "## Examples", "", "Flagged:", ""]
    lines += [f"- {e.text}" for e in rule.examples if e.flags]
    lines += ["", "Not flagged:", ""] + [f"- {e.text}" for e in rule.examples if not e.flags]
    lines += ["", "## References", ""] + [f"- {r}" for r in rule.docs.references]
    return "\n".join(lines) + "\n"


def explain_text(rule: Rule) -> str:
    def para(text: str) -> str:
        import textwrap

        return "\n\n".join(textwrap.fill(" ".join(p.split()), 88) for p in text.split("\n\n"))

    lines = [f"{rule.code} {rule.slug}", "", para(rule.docs.summary), "",
             f"Category: {rule.category}    Default severity: {rule.severity}    "
             f"Pack: {rule.pack}    Kind: {rule.kind}"]
    if rule.profiles:
        changes = ", ".join(f"{name}: {entry.get('severity')}" for name, entry in
                            sorted(rule.profiles.items()))
        lines.append(f"Profiles: {changes}")
    lines += ["", "## What it flags", "", para(rule.docs.what),
              "", "## Why it matters", "", para(rule.docs.why),
              "", "## What to write instead", "", para(rule.docs.instead)]
    if rule.suggestion:
        lines += ["", f"Suggested wording (offered as an unsafe fix): {rule.suggestion}"]
    flagged = [e.text for e in rule.examples if e.flags]
    passing = [e.text for e in rule.examples if not e.flags]
    lines += ["", "## Examples", "", "Flagged:"] + [f"  - {t}" for t in flagged]
    lines += ["", "Not flagged:"] + [f"  - {t}" for t in passing]
    lines += ["", "## References", ""] + [f"  - {r}" for r in rule.docs.references]
    return "\n".join(lines)


def run_plugins(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    registry = load_registry()
    for info in registry.plugins:
        print(f"{info.name}  ({info.source})")
        provided = sorted((what, name) for (what, name), owner in registry.owners.items()
                          if owner == info.name)
        for what, name in provided:
            print(f"    {what}: {name}")
    return EXIT_OK


def run_show_settings(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from healthlint.settings_report import as_dict, render_text, settings_report

    resolver = ConfigResolver(args.config, isolated=args.no_config)
    report = settings_report(args.path, resolver, overrides)
    if args.output_format == "json":
        json.dump(scrub_data(as_dict(report)), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        sys.stdout.write(visible(render_text(report), newlines=True))
    return EXIT_OK


def run_test(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from healthlint.ruletest import rules_under, run_examples, settings_for_testing

    settings = ConfigResolver(args.config, isolated=args.no_config).for_path(".")
    folders = args.rule_dirs or list(settings.rule_dirs)
    if not folders:
        raise ConfigError("no rule folders to test: name them (healthlint test rules/) or list "
                          "them under 'rules' in the configuration")
    linter = Linter(settings_for_testing(settings, folders))
    rules = rules_under(linter, folders)
    if not rules:
        raise ConfigError(f"no rule files in {', '.join(folders)}")
    outcomes = run_examples(linter, rules)
    failed = [o for o in outcomes if not o.passed]
    current = None
    for outcome in outcomes:
        if outcome.passed and not args.verbose:
            continue
        rule = outcome.rule
        if rule.path != current:
            current = rule.path
            print(visible(f"{os.path.relpath(rule.path)}: {rule.code} {rule.slug}"))
        for line in _example_lines(outcome):
            print(visible(line))
    tested = len({o.rule.code for o in outcomes})
    print(f"{'' if not failed and not args.verbose else chr(10)}Tested {tested} "
          f"rule{'s' * (tested != 1)}: {len(outcomes)} examples, "
          f"{len(outcomes) - len(failed)} passed, {len(failed)} failed.")
    return EXIT_FINDINGS if failed else EXIT_OK


def _example_lines(outcome: Any) -> list[str]:
    example = outcome.example
    expected = "flag" if example.flags else "pass"
    status = "ok  " if outcome.passed else "FAIL"
    text = " ".join(example.text.split())
    if len(text) > 70:
        text = text[:69] + "…"
    lines = [f"  {status} {expected} ({example.format}): {text!r}"]
    if not outcome.passed and example.flags:
        lines.append(f"         expected {outcome.rule.code} to flag it; it found nothing")
    elif not outcome.passed:
        found = outcome.found[0]
        lines.append(f"         expected no finding; {found.code} flagged line {found.start.line} "
                     f"column {found.start.column}: {found.message}")
    return lines


def _missing_extra(exc: ModuleNotFoundError, modules: tuple[str, ...]) -> bool:
    name = exc.name or ""
    return any(name == m or name.startswith(m + ".") for m in modules)


def run_server(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    try:
        from healthlint.server.app import DEFAULT_DEBOUNCE, serve
    except ModuleNotFoundError as exc:
        if _missing_extra(exc, ("pygls", "lsprotocol")):
            raise ConfigError("the language server needs pygls, which is not installed: "
                              "install healthlint[server] (pip install 'healthlint[server]')"
                              ) from None
        raise
    debounce = DEFAULT_DEBOUNCE if args.debounce_ms is None else max(0.0, args.debounce_ms / 1000)
    return serve(debounce)


def run_init(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from healthlint import init

    return init.run(args.directory, force=args.force)
