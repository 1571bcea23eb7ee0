"""The ``healthlint`` command line: parses the arguments and hands them to a subcommand of
:mod:`healthlint.commands`. Exit codes are documented in :mod:`healthlint.console`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from healthlint.__about__ import __version__
from healthlint.console import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK
from healthlint.errors import ConfigError, HealthlintError
from healthlint.types import Severity

FAIL_ON_CHOICES = ("error", "warning", "info", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits 2 itself; keep our wording
        self.print_usage(sys.stderr)
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def _severity_pair(value: str) -> tuple[str, Severity]:
    code, sep, level = value.partition("=")
    if not sep or not code.strip():
        raise argparse.ArgumentTypeError(f"expected CODE=LEVEL, got {value!r}")
    try:
        return code.strip(), Severity.parse(level)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="healthlint", description="Lint health and medical marketing claims.")
    parser.add_argument("--version", action="version", version=f"healthlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="lint files and directories")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or directories to lint ('-' reads standard input); default: .")
    _add_rule_options(check)
    check.add_argument("--fail-on", choices=FAIL_ON_CHOICES,
                       help="lowest severity that makes the run fail (default: warning)")
    check.add_argument("--output-format", default=None, metavar="FORMAT",
                       help="full (default), concise, json, or a format a plugin adds")
    check.add_argument("--output-file", metavar="PATH", help="write the output to PATH")
    check.add_argument("--output", action="append", default=[], metavar="FORMAT:PATH",
                       help="also write FORMAT to PATH (repeatable)")
    check.add_argument("--stdin-filename", metavar="PATH",
                       help="the name to report and choose a format by when reading '-'")
    check.add_argument("--format", dest="document_format", metavar="NAME",
                       help="read every file as this document format (text, markdown, html, mdx)")
    check.add_argument("--statistics", action="store_true", help="count findings per rule")
    check.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--report-unused-suppressions", action="store_true", default=None,
                       help="report suppression comments that matched nothing (HL002)")
    check.add_argument("--require-reason", action="store_true", default=None,
                       help="suppression comments must give a reason after '--' (HL001)")
    check.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="worker processes (default: the CPUs other processes leave idle)")
    check.add_argument("--fix", action="store_true",
                       help="apply safe fixes to the files (the shipped rules have none)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix, also apply suggested rewordings (they change meaning)")
    _add_cache_option(check)
    check.add_argument("--baseline", metavar="FILE",
                       help="report only findings that are not in this baseline file")
    check.add_argument("--diff-base", metavar="REF",
                       help="report only findings on lines changed since this git ref")

    baseline = commands.add_parser("baseline", help="write the current findings to a baseline file")
    baseline.add_argument("paths", nargs="*", metavar="PATH")
    baseline.add_argument("--output", "-o", dest="baseline_file", default=".healthlint-baseline.json",
                          metavar="FILE", help="where to write (default: .healthlint-baseline.json)")
    _add_rule_options(baseline)
    baseline.add_argument("--jobs", "-j", type=int, default=None, metavar="N")
    _add_cache_option(baseline)

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--profile", help="show severities under this profile")
    rules.add_argument("--pack", help="only this pack")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    _add_config_options(rules)

    explain = commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="a rule code or slug")
    explain.add_argument("--markdown", action="store_true",
                         help="print the documentation page as Markdown")
    _add_config_options(explain)

    commands.add_parser("plugins", help="list loaded plugins and what they register")
    return parser


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--config", metavar="PATH", help="use this configuration file for every path")
    group.add_argument("--no-config", action="store_true", help="ignore configuration files")


def _add_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write cached results (HEALTHLINT_CACHE_DIR='' "
                             "also turns off the cache of compiled rule data)")


def _add_rule_options(parser: argparse.ArgumentParser) -> None:
    _add_config_options(parser)
    parser.add_argument("--select", type=_codes, action="extend", metavar="CODES",
                        help="only these codes or prefixes (comma-separated)")
    parser.add_argument("--ignore", type=_codes, action="extend", metavar="CODES",
                        help="skip these codes or prefixes")
    parser.add_argument("--extend-select", type=_codes, action="extend", metavar="CODES",
                        help="add these codes or prefixes to the selection")
    parser.add_argument("--severity", type=_severity_pair, action="append", metavar="CODE=LEVEL",
                        help="override a rule's severity (repeatable)")
    parser.add_argument("--profile", metavar="NAME",
                        help="jurisdiction or ad-platform profile: us, uk, eu, au, google-ads, meta")


@dataclass
class Options:
    """What the command line asked for, passed down as one object."""

    command: str
    paths: list[str] = field(default_factory=list)
    overrides: dict[str, Any] = field(default_factory=dict)
    args: argparse.Namespace | None = None


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name in ("select", "ignore", "extend_select"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = tuple(value)
    if getattr(args, "severity", None):
        overrides["severity"] = dict(args.severity)
    if getattr(args, "profile", None):
        overrides["profile"] = args.profile
    fail_on = getattr(args, "fail_on", None)
    if fail_on is not None:
        overrides["fail_on"] = Severity.OFF if fail_on == "never" else Severity.parse(fail_on)
    for name in ("report_unused_suppressions", "require_reason"):
        if getattr(args, name, None):
            overrides[name] = True
    return overrides


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        print(f"healthlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        from healthlint import commands

        handler = getattr(commands, f"run_{args.command}")
        result: int = handler(args, _overrides(args))
        return result
    except HealthlintError as exc:
        print(f"healthlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("healthlint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        import traceback

        traceback.print_exc()
        print("healthlint: internal error; please report it with the traceback above",
              file=sys.stderr)
        return EXIT_INTERNAL


__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "ConfigError", "main"]
