"""The ``healthlint`` command line: parses the arguments and hands them to a subcommand of
:mod:`healthlint.commands`. Exit codes are documented in :mod:`healthlint.console`.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, NoReturn, TextIO

from healthlint.__about__ import __version__
from healthlint.console import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK
from healthlint.display import visible
from healthlint.errors import ConfigError, HealthlintError
from healthlint.types import Severity

BUILTIN_OUTPUTS = (
    "full", "concise", "json", "sarif", "github", "gitlab", "junit", "checkstyle", "html",
)
"""Named in ``check --help`` without loading the plugins (start-up time); a test checks the
list against what the built-in output plugin registers."""
FAIL_ON_CHOICES = ("error", "warning", "info", "never")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No abbreviations: "--diff" must never silently mean "--diff-base".
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:  # argparse exits 2 itself; keep our wording
        self.print_usage(sys.stderr)
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def _git_ref(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("needs a git ref, such as main or HEAD~1; got ''")
    return value


def _severity_pair(value: str) -> tuple[str, Severity]:
    code, sep, level = value.partition("=")
    if not sep or not code.strip():
        raise argparse.ArgumentTypeError(f"expected CODE=LEVEL, got {value!r}")
    try:
        return code.strip(), Severity.parse(level)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the ``command`` about to run, only that command's
    options are added (every command is still listed, with its help): argparse spends as
    long on each option as on a page of linting, and a run uses one command."""
    parser = _Parser(prog="healthlint", description="Lint health and medical marketing claims.")
    parser.add_argument("--version", action="version", version=f"healthlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_text, add_options) in _COMMANDS.items():
        subparser = commands.add_parser(name, help=help_text)
        if command is None or command == name:
            add_options(subparser)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, if it names one: its first argument that is not an option
    (the top level has no option that takes a value)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in _COMMANDS else None


def _check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or directories to lint ('-' reads standard input); default: .")
    _add_rule_options(check)
    check.add_argument("--fail-on", choices=FAIL_ON_CHOICES,
                       help="lowest severity that makes the run fail (default: warning)")
    check.add_argument("--output-format", default=None, metavar="FORMAT",
                       help=f"{', '.join(BUILTIN_OUTPUTS)} (the first is the default), or a "
                            "format a plugin adds ('healthlint plugins' lists them)")
    check.add_argument("--output-file", "-o", metavar="PATH", help="write the output to PATH")
    check.add_argument("--output", action="append", default=[], metavar="FORMAT:PATH",
                       help="also write FORMAT to PATH (repeatable)")
    check.add_argument("--stdin-filename", metavar="PATH",
                       help="the name to report and choose a format by when reading '-'")
    check.add_argument("--format", dest="document_format", metavar="NAME",
                       help="read every file as this document format (text, markdown, html, mdx, "
                            "template, jsx, astro, data)")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply exclude, the default excludes and data paths to named files "
                            "and --stdin-filename too (for pre-commit)")
    check.add_argument("--statistics", action="store_true", help="count findings per rule")
    check.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--report-unused-suppressions", action="store_true", default=None,
                       help="report suppression comments that matched nothing (HL002)")
    check.add_argument("--require-reason", action="store_true", default=None,
                       help="suppression comments must give a reason after '--' (HL001)")
    check.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="worker processes (default: the CPUs this process may use, less "
                            "those busy now)")
    check.add_argument("--fix", action="store_true",
                       help="apply safe fixes to the files (the shipped rules have none)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff, also apply suggested rewordings that replace "
                            "a whole sentence (they change meaning)")
    check.add_argument("--diff", action="store_true",
                       help="print the changes --fix would make as a unified diff; write nothing")
    _add_cache_option(check)
    check.add_argument("--baseline", metavar="FILE",
                       help="report only findings that are not in this baseline file")
    check.add_argument("--explain-suppressed", action="store_true",
                       help="also list the claims the evidence dropped (negated, reported speech, "
                            "cited, an exception) and the findings it lowered, with the reasons")
    check.add_argument("--diff-base", metavar="REF", type=_git_ref,
                       help="report only findings on lines changed since this git ref")
    check.add_argument("--watch", action="store_true",
                       help="after the first run, lint files again as they change and print "
                            "what changed (needs healthlint[watch])")


def _baseline_options(baseline: argparse.ArgumentParser) -> None:
    baseline.add_argument("paths", nargs="*", metavar="PATH")
    baseline.add_argument("--output", "-o", dest="baseline_file",
                          default=".healthlint-baseline.json", metavar="FILE",
                          help="where to write (default: .healthlint-baseline.json)")
    _add_rule_options(baseline)
    baseline.add_argument("--jobs", "-j", type=int, default=None, metavar="N")
    _add_cache_option(baseline)


def _rules_options(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--profile", help="show severities under this profile")
    rules.add_argument("--pack", help="only this pack")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    _add_config_options(rules)


def _explain_options(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("code", metavar="CODE", help="a rule code or slug")
    explain.add_argument("--markdown", action="store_true",
                         help="print the documentation page as Markdown")
    _add_config_options(explain)


def _no_options(parser: argparse.ArgumentParser) -> None:
    pass


def _settings_options(settings: argparse.ArgumentParser) -> None:
    settings.add_argument("path", nargs="?", default=".", metavar="PATH",
                          help="a file or folder (default: .)")
    _add_rule_options(settings)
    settings.add_argument("--fail-on", choices=FAIL_ON_CHOICES)
    settings.add_argument("--output-format", choices=("text", "json"), default="text")


def _test_options(test: argparse.ArgumentParser) -> None:
    test.add_argument("rule_dirs", nargs="*", metavar="RULE_DIR",
                      help="rule pack folders (default: the 'rules' of the configuration)")
    _add_config_options(test)
    test.add_argument("-v", "--verbose", action="store_true",
                      help="list the examples that behave too")


def _server_options(server: argparse.ArgumentParser) -> None:
    server.add_argument("--stdio", action="store_true",
                        help="accepted for clients that pass it; stdio is the only transport")
    server.add_argument("--debounce-ms", type=float, default=None, metavar="MS",
                        help="edits closer together than this are linted as one burst "
                             "(default 30)")


def _init_options(init: argparse.ArgumentParser) -> None:
    init.add_argument("directory", nargs="?", default=".", metavar="DIRECTORY",
                      help="the site's root folder (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite an existing configuration")


_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "check": ("lint files and directories", _check_options),
    "baseline": ("write the current findings to a baseline file", _baseline_options),
    "rules": ("list the rules", _rules_options),
    "explain": ("show a rule's documentation", _explain_options),
    "plugins": ("list loaded plugins and what they register", _no_options),
    "show-settings": ("show the settings that apply to a path and where each comes from",
                      _settings_options),
    "test": ("run the flag and pass examples of your own rule packs", _test_options),
    "server": ("run the language server on stdin and stdout (needs healthlint[server])",
               _server_options),
    "init": ("detect the site generator and write .healthlint.yaml", _init_options),
}


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--config", metavar="PATH",
                       help="use this configuration file for every path")
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
                        help="jurisdiction or ad-platform profile: "
                             "us, uk, eu, au, google-ads, meta")


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


def _replace_unencodable(stream: TextIO) -> None:
    """Write characters the stream's encoding lacks as ``?`` rather than failing: a
    terminal in a legacy encoding still gets the report."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", "strict") in ("strict", None):
        reconfigure(errors="replace")


@contextlib.contextmanager
def _rare_collections() -> Iterator[None]:
    """Collect reference cycles every 50,000 new objects rather than every 700 while a
    command runs. Loading the rule set and the phrase matcher makes a few hundred thousand
    objects that all live to the end of the run: collecting every 700 new objects walked
    them again and again, freed a few hundred objects in all, and took a twentieth of the
    time to lint one page; over 100 pages, 300 collections took 0.11 s, where one takes
    0.02-0.04 s. Restored afterwards, for a program that calls :func:`main`."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    _replace_unencodable(sys.stdout)
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(arguments))
    try:
        args = parser.parse_args(arguments)
    except _UsageError as exc:
        print(f"healthlint: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        with _rare_collections():
            from healthlint import commands

            handler = getattr(commands, f"run_{args.command.replace('-', '_')}")
            result: int = handler(args, _overrides(args))
        return result
    except HealthlintError as exc:
        print(f"healthlint: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("healthlint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except SystemExit as exc:  # only argparse may exit, and it is handled above
        print(f"healthlint: internal error: a plugin or rule called sys.exit({exc.code!r}); "
              "please report it to the plugin's authors", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception:
        import traceback

        traceback.print_exc()
        print("healthlint: internal error; please report it with the traceback above",
              file=sys.stderr)
        return EXIT_INTERNAL


def run() -> NoReturn:
    """The ``healthlint`` command (its console script and ``python -m healthlint``):
    :func:`main`, then exit with its code.

    The process ends there, and every object it made goes with it, so it ends without
    tearing the interpreter down: freeing each module's objects one by one and collecting
    the reference cycles among them took about 100 ms, a fifth of a one-page run.
    What an ordinary exit does for others still happens first: the exit handlers run
    (``atexit``: those of ``multiprocessing`` and ``logging``, a plugin's own) and the
    standard streams are flushed. Where that cannot be done so simply, the exit is the
    ordinary one, without its last collection of cycles: when another program runs the
    command and has more to do once it returns (``python -m cProfile -m healthlint`` prints
    its profile then), when a thread other than this one is still running (an ordinary exit
    waits for it), or when flushing a stream fails (a closed pipe is reported as an ordinary
    exit reports it)."""
    code = main()
    gc.disable()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if (_started_as_the_program(sys._getframe(1)) and threading.active_count() == 1
            and run_exit_handlers is not None and _flushed()):
        run_exit_handlers()
        if _flushed():
            os._exit(code)
    raise SystemExit(code)


def _started_as_the_program(frame: FrameType | None) -> bool:
    """Whether the calls that led to ``frame`` are only the program starting: the top level
    of a script or module, and :mod:`runpy` running one (``python -m``). A profiler, a
    tracer or another program's function that runs the command shows up there."""
    while frame is not None:
        if frame.f_code.co_name != "<module>" and frame.f_globals.get("__name__") != "runpy":
            return False
        frame = frame.f_back
    return True


def _flushed() -> bool:
    """Flush standard output and error; whether both took it."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "ConfigError", "main",
           "run"]
