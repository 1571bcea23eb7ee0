"""The linting engine: files in, diagnostics out.

One :class:`Linter` holds one plugin registry, one compiled rule set and one
scanner for every term class and shape of the run. For each document it runs
the scan once (:mod:`healthlint.scan`), builds the immutable
:class:`~healthlint.evidence.Analysis`, and hands each rule the sentences that
hold its trigger classes. Findings become diagnostics (positions computed here,
once), then configuration overrides and inline suppressions apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from healthlint import selection
from healthlint.config import PathOverride, Settings, matches_any
from healthlint.display import scrub
from healthlint.errors import ConfigError, HealthlintError
from healthlint.evidence import Analysis
from healthlint.language import detect_language
from healthlint.plugins import Registry, load_registry
from healthlint.rules import LoadedRule, RuleSet, load_rules
from healthlint.scan import ShapeTimeout
from healthlint.suppress import (
    SUPPRESSION_CODES,
    Suppressions,
    directive_findings,
    parse_directives,
)
from healthlint.types import (
    Diagnostic,
    Document,
    DocumentFormat,
    FileError,
    FileResult,
    Finding,
    Report,
    Rule,
    RulePack,
    Severity,
    Span,
)

_FRONT_MATTER_GENRE = re.compile(r"^healthlint-genre\s*[:=]\s*[\"']?(promotion|information)\b",
                                 re.MULTILINE)


@dataclass
class ActiveRule:
    loaded: LoadedRule
    severity: Severity
    """The rule's default under the active profile; the evidence model lowers or raises
    findings relative to it."""
    fixed: Severity | None = None
    """A severity set by configuration or ``--severity``: every finding of the rule gets it."""
    everywhere: bool = True
    """False when only a per-path override turns the rule on."""

    @property
    def rule(self) -> Rule:
        return self.loaded.rule


class Linter:
    """Lints documents with one configuration."""

    def __init__(self, settings: Settings | None = None, *, registry: Registry | None = None,
                 extra_plugins: Iterable[tuple[str, object]] = ()) -> None:
        self.settings = settings or Settings()
        self.registry = registry or load_registry(extra_plugins)
        self.ruleset = self._load_rules()
        if self.settings.profile not in self.ruleset.profiles:
            known = ", ".join(sorted(self.ruleset.profiles))
            raise ConfigError(f"unknown profile {self.settings.profile!r} (known: {known})",
                              path=self.settings.path)
        self.lexicon = self.ruleset.lexicon
        self.active = self._activate()
        self._formats = self._configure_formats()

    # Set-up ---------------------------------------------------------------

    def _load_rules(self) -> RuleSet:
        settings = self.settings
        names = settings.packs if settings.packs is not None else tuple(self.registry.packs)
        packs: list[RulePack] = []
        for name in names:
            pack = self.registry.packs.get(name)
            if pack is None:
                known = ", ".join(sorted(self.registry.packs)) or "none"
                raise ConfigError(f"unknown rule pack {name!r} (installed: {known})",
                                  path=settings.path)
            packs.append(pack)
        for folder in settings.rule_dirs:
            packs.append(RulePack(Path(folder).name, folder, "local rules"))
        # Shipped packs are validated by the test suite; skipping their schema check keeps
        # start-up fast. Packs from elsewhere are always validated.
        trusted = {name for (what, name), plugin in self.registry.owners.items()
                   if what == "rule pack" and plugin == "builtin.packs"}
        return load_rules(
            packs,
            self.registry.kinds,
            vocabulary_files=[Path(p) for p in settings.vocabularies],
            trusted=trusted,
            installed=list(self.registry.packs.values()),
        )

    def _check_codes(self) -> None:
        """Every name in select, ignore or severity must name a rule: a typo would otherwise
        switch rules off silently."""
        settings = self.settings
        named = [("select", c) for c in settings.select] + [("ignore", c) for c in settings.ignore]
        named += [("extend-select", c) for c in settings.extend_select]
        named += [("severity", c) for c in settings.severity]
        for override in settings.per_path:
            named += [("per-path", c) for c in (*override.select, *override.ignore,
                                                *override.extend_select, *override.severity)]
        for option, problem in selection.unknown_names(named, self.named,
                                                       self.ruleset.categories):
            raise ConfigError(f"{option}: {problem}", path=settings.path)

    def _activate(self) -> dict[str, ActiveRule]:
        self._check_codes()
        settings = self.settings
        active: dict[str, ActiveRule] = {}
        for code, loaded in self.ruleset.rules.items():
            rule = loaded.rule
            base = selection.profile_severity(rule, settings.profile)
            fixed = selection.configured_severity(rule, settings.severity)
            selected = selection.is_selected(rule, settings.select, settings.extend_select,
                                             settings.ignore)
            everywhere = selected and (fixed if fixed is not None else base) != Severity.OFF
            # A per-path override may turn a rule on for its glob only: run it, decide per file.
            somewhere = any(selection.override_decision(rule, o) for o in settings.per_path)
            if everywhere or somewhere:
                active[code] = ActiveRule(loaded, base, fixed, everywhere)
        return active

    def _configure_formats(self) -> dict[str, DocumentFormat]:
        """Each format as this configuration asks for it: through its ``configured(options)``
        method if it has one, else ``with_published_fields`` (the older hook)."""
        formats: dict[str, DocumentFormat] = {}
        fields = self.settings.published_fields
        options = self.settings.format_options()
        for name, fmt in self.registry.formats.items():
            configured = getattr(fmt, "configured", None)
            legacy = getattr(fmt, "with_published_fields", None)
            if configured is not None:
                formats[name] = configured(options)
            elif fields is not None and legacy is not None:
                formats[name] = legacy(fields)
            else:
                formats[name] = fmt
        return formats

    META_RULES = tuple(selection.RuleName(code, slug)
                       for code, (slug, _) in SUPPRESSION_CODES.items())
    """The core's own findings, named like rules (by code and slug)."""

    @property
    def named(self) -> list[selection.Named]:
        """Everything a name in settings or comments may name: every loaded rule (active or
        not) and the core's own findings. Names of the categories the installed packs
        declare are accepted too (``ruleset.categories``)."""
        return [*(loaded.rule for loaded in self.ruleset.rules.values()), *self.META_RULES]

    @property
    def path_patterns(self) -> dict[str, tuple[str, ...]]:
        """Extensions that formats look for only under some paths (``path_patterns``, globs
        relative to the configuration's folder), for discovery."""
        restricted: dict[str, tuple[str, ...]] = {}
        for fmt in self._formats.values():
            patterns = getattr(fmt, "path_patterns", None)
            if patterns is not None:
                for extension in fmt.extensions:
                    restricted[extension.lower()] = tuple(patterns)
        return restricted

    @property
    def rules(self) -> dict[str, Rule]:
        """The active rules, by code."""
        return {code: a.rule for code, a in sorted(self.active.items())}

    def format_for(self, path: str, name: str | None = None) -> DocumentFormat | None:
        if name is not None:
            return self._formats.get(name)
        found = self.registry.format_for(path)
        return self._formats.get(found.name) if found is not None else None

    # Linting --------------------------------------------------------------

    def lint_text(self, text: str, path: str = "<text>", *,
                  format: str | None = None) -> FileResult:
        """Lint decoded text. ``format`` defaults to the one ``path``'s extension names, else
        text."""
        fmt = self.format_for(path, format) or self._formats.get("text")
        if fmt is None:
            return FileResult(path, errors=[FileError(path, "no document format is registered")])
        # A str can hold lone surrogates (a file's bytes never decode to one); formats and
        # parsers may refuse them, so each becomes U+FFFD, which keeps every offset.
        text = scrub(text.removeprefix("\ufeff"))
        try:
            document = fmt.parse(text, path)
        except ImportError as exc:  # a parser that is not installed: the message says how
            return FileResult(path, source=text, errors=[
                FileError(path, f"the {fmt.name} format cannot read this file: {exc}")])
        except Exception as exc:  # a format plugin must never take the run down
            return FileResult(path, source=text, errors=[
                FileError(path, f"the {fmt.name} format failed to read this file: {exc!r}")])
        return self.lint_document(document)

    def lint_file(self, path: str, *, format: str | None = None) -> FileResult:
        """Read, decode and lint one file; problems become file errors, never exceptions.
        The file's bytes are let go once decoded, before the page is linted."""
        text = self._read_text(path)
        return text if isinstance(text, FileResult) else self.lint_text(text, path, format=format)

    def _read_text(self, path: str) -> str | FileResult:
        data = self.read(path)
        return data if isinstance(data, FileResult) else _decoded(data, path)

    @staticmethod
    def read(path: str) -> bytes | FileResult:
        """The bytes of a page (a regular file of bounded size: :mod:`healthlint.source`), or
        the result that reports why it cannot be read."""
        from healthlint.source import SourceError, read_bytes

        try:
            return read_bytes(path)
        except SourceError as exc:
            return FileResult(path, errors=[FileError(path, exc.message, exc.line)])

    def lint_bytes(self, data: bytes, path: str, *, format: str | None = None) -> FileResult:
        """Decode and lint the bytes of a page; binary or undecodable data is a file error."""
        text = _decoded(data, path)
        return text if isinstance(text, FileResult) else self.lint_text(text, path, format=format)

    def lint_document(self, document: Document) -> FileResult:
        result = FileResult(document.path, source=document.source)
        for problem in document.problems:
            position = document.position(min(problem.offset, len(document.source)))
            result.errors.append(FileError(document.path, problem.message, position.line,
                                           position.column, Severity.WARNING))
        language = detect_language(document.prose)
        if language != "en":
            result.diagnostics = self._diagnostics(document, [], result, language=language)
            return result
        scanner = self.lexicon.scanner
        try:
            hits = scanner.scan(document.prose)
        except ShapeTimeout as exc:
            result.errors.append(FileError(
                document.path, f"shape {exc.name!r} ({exc.origin}) was stopped after its time "
                "limit: its pattern backtracks catastrophically on this file"))
            return result
        analysis = Analysis(document, hits, scanner.ids, genre=self._declared_genre(document))
        findings: list[tuple[ActiveRule, Finding]] = []
        everything = range(len(analysis.sentences))
        for active in self.active.values():
            checker = active.loaded.checker
            classes = checker.trigger_classes
            candidates = (analysis.sentences_with(scanner.ids[c] for c in classes)
                          if classes else everything)
            if not candidates and classes:
                continue
            try:
                findings.extend((active, f) for f in checker.check(analysis, candidates))
            except TimeoutError:
                result.errors.append(FileError(
                    document.path,
                    f"rule {active.rule.code} ({active.rule.slug}) was stopped after its time "
                    "limit: one of its patterns backtracks catastrophically on this file"))
            except HealthlintError:
                raise
            except Exception as exc:
                result.errors.append(FileError(
                    document.path, f"rule {active.rule.code} ({active.rule.slug}) failed: {exc!r}"))
        kept = [(a, f) for a, f in findings if f.severity > Severity.OFF]
        result.dropped = [self._diagnostic(document, a.rule.code, a.rule.slug, a.rule.category,
                                           Severity.OFF, f, a.rule.pack)
                          for a, f in findings if f.severity == Severity.OFF]
        result.diagnostics = self._diagnostics(document, kept, result)
        return result

    def _declared_genre(self, document: Document) -> str | None:
        """The genre the page's front matter (``healthlint-genre``), a per-path setting or the
        configuration declares, in that order; ``None`` lets the evidence model read it."""
        head = document.source[:4096]
        if head.startswith(("---", "+++")):
            declared = _FRONT_MATTER_GENRE.search(head)
            if declared:
                return declared.group(1)
        override = self._path_override(document.path)
        if override is not None and override.genre:
            return override.genre
        return self.settings.genre

    def _path_override(self, path: str) -> PathOverride | None:
        for override in self.settings.per_path:
            if matches_any(path, self.settings.root, override.paths):
                return override
        return None

    def _diagnostics(self, document: Document, findings: Sequence[tuple[ActiveRule, Finding]],
                     result: FileResult, *, language: str = "en") -> list[Diagnostic]:
        override = self._path_override(document.path)
        diagnostics: list[Diagnostic] = []
        for active, finding in findings:
            rule = active.rule
            severity = finding.severity
            if active.fixed is not None:
                severity = active.fixed
            elif active.severity != rule.severity:
                # A profile moves the rule's default; the evidence still moves relative to it.
                severity = Severity(max(Severity.INFO, min(
                    Severity.ERROR, finding.severity + active.severity - rule.severity)))
            decision = (selection.override_decision(rule, override) if override is not None
                        else None)
            if not (active.everywhere if decision is None else decision):
                continue
            if override is not None:
                configured = selection.configured_severity(rule, override.severity)
                if configured is not None:
                    severity = configured
                elif not active.everywhere and active.fixed == Severity.OFF:
                    severity = active.severity  # turned on here; "off" elsewhere is no level
                if severity == Severity.OFF:
                    continue
            diagnostics.append(self._diagnostic(document, rule.code, rule.slug, rule.category,
                                                severity, finding, rule.pack))
        suppressions = parse_directives(document)
        result.errors.extend(suppressions.errors)
        result.errors.extend(self._unknown_suppressed_names(document, suppressions))
        diagnostics = suppressions.apply(diagnostics)
        settings = self.settings
        core = list(directive_findings(
            document, suppressions, require_reason=settings.require_reason,
            report_unused=settings.report_unused_suppressions, running=self._runs_any))
        if language != "en":
            core.append(("HL003", Span(0, 0), f"not checked: page language {language}; the rules "
                         "read English only, so this page was not judged"))
        for code, span, message in core:
            slug = SUPPRESSION_CODES[code][0]
            meta = selection.RuleName(code, slug)
            # Asked for by their own options, these obey --ignore but not --select.
            if selection.names_any(meta, settings.ignore):
                continue
            configured = selection.configured_severity(meta, settings.severity)
            default = Severity.INFO if code == "HL003" else Severity.WARNING
            severity = default if configured is None else configured
            if severity == Severity.OFF:
                continue
            category = "language" if code == "HL003" else "suppression"
            diagnostics.append(self._diagnostic(document, code, slug, category, severity,
                                                Finding(span, severity, message), "core"))
        diagnostics.sort(key=Diagnostic.sort_key)
        return diagnostics

    def _runs_any(self, codes: tuple[str, ...]) -> bool:
        """Whether a suppression naming ``codes`` could suppress anything in this run; an
        unused suppression of rules that are not running is not worth reporting."""
        running: list[selection.Named] = [*self.META_RULES, *(a.rule for a in self.active.values())]
        return not codes or any(selection.names_any(rule, codes) for rule in running)

    def _unknown_suppressed_names(self, document: Document,
                                  suppressions: Suppressions) -> list[FileError]:
        """A suppression comment naming no rule is reported as the command line and the
        configuration report it (there as an error, here as a warning about the comment)."""
        errors = []
        for directive in suppressions.directives:
            named = [(f"healthlint-{directive.action}", c) for c in directive.codes]
            for where, problem in selection.unknown_names(named, self.named,
                                                          self.ruleset.categories):
                position = document.position(directive.comment.start)
                errors.append(FileError(document.path, f"{where}: {problem}", position.line,
                                        position.column, Severity.WARNING))
        return errors

    def _diagnostic(self, document: Document, code: str, slug: str, category: str,
                    severity: Severity, finding: Finding, pack: str) -> Diagnostic:
        from healthlint.fixes import vetted


        return Diagnostic(
            path=document.path,
            code=code,
            rule=slug,
            category=category,
            severity=severity,
            message=finding.message,
            span=finding.span,
            start=document.position(finding.span.start),
            end=document.position(finding.span.end),
            document_level=self.ruleset.categories.get(category, False),
            pack=pack,
            fix=vetted(finding.fix, document.source),
            notes=finding.notes,
        )

    def report(self, results: list[FileResult]) -> Report:
        return Report(results, self.rules)


def lint_text(text: str, path: str = "<text>", *, settings: Settings | None = None,
              format: str | None = None) -> list[Diagnostic]:
    """Lint one text with the shipped rules (or ``settings``) and return its diagnostics."""
    return Linter(settings).lint_text(text, path, format=format).diagnostics


def lint_paths(paths: Sequence[str], *, settings: Settings | None = None) -> Report:
    """Lint files and directories with one configuration, in this process."""
    from healthlint.discovery import discover

    linter = Linter(settings)
    files, errors = discover(paths, linter.registry.extensions,
                             include=linter.settings.include, exclude=linter.settings.exclude,
                             respect_gitignore=linter.settings.respect_gitignore,
                             root=linter.settings.root,
                             default_excludes=linter.settings.default_excludes,
                             restricted=linter.path_patterns)
    results = [FileResult(e.path, errors=[e]) for e in errors]
    results += [linter.lint_file(path) for path in files]
    results.sort(key=lambda r: r.path)
    return linter.report(results)


def _decoded(data: bytes, path: str) -> str | FileResult:
    """The text of a page's bytes, or the result that reports why they do not decode."""
    from healthlint.source import SourceError, decode

    try:
        return decode(data).text
    except SourceError as exc:
        return FileResult(path, errors=[FileError(path, exc.message, exc.line)])
