"""Core value types shared by the engine, the plugins and the outputs.

Positions: every span is a 0-based, half-open offset into ``Document.source``
(Python ``str`` indices, i.e. code points). Lines and columns exist only on a
:class:`Diagnostic`, computed once by :meth:`Document.position`; they are
1-based, columns count code points, and the end is exclusive.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Protocol, TextIO, runtime_checkable

__all__ = [
    "Applicability",
    "Block",
    "Comment",
    "Diagnostic",
    "Document",
    "DocumentFormat",
    "Edit",
    "Example",
    "FileError",
    "FileResult",
    "Finding",
    "Fix",
    "OutputContext",
    "OutputFormat",
    "Position",
    "Problem",
    "Report",
    "Rule",
    "RuleChecker",
    "RuleDocs",
    "RuleKind",
    "RulePack",
    "Severity",
    "Span",
]


class Severity(IntEnum):
    """How serious a finding is. Ordered, so ``max()`` and comparisons work."""

    OFF = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, name: str) -> Severity:
        """Read a severity name (``error``, ``warning``, ``info``, ``off``)."""
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {name!r}; expected one of: error, warning, info, off"
            ) from None

    def __str__(self) -> str:
        return self.name.lower()

    def shifted(self, levels: int, *, floor: Severity | None = None) -> Severity:
        """This severity moved by ``levels`` (negative lowers), clamped to [OFF, ERROR]."""
        value = max(Severity.OFF, min(Severity.ERROR, self + levels))
        if floor is not None and value < floor:
            value = floor
        return Severity(value)


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of code-point offsets into a document's source."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and 1-based code-point column."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Block:
    """A stretch of published prose: a paragraph, heading, list item, table cell, ...

    Sentences are split inside blocks, never across them.
    """

    span: Span
    scope: str
    """What the block is: ``paragraph``, ``heading``, ``list_item``, ``table_cell``,
    ``quote``, ``footnote``, ``link_text``, ``alt_text``, ``title``, ``meta``,
    ``front_matter``, ``caption`` or ``field`` (a string value of a data file, or a
    published prop or field of a JavaScript module)."""


@dataclass(frozen=True, slots=True)
class Comment:
    """A source comment, which may carry a ``healthlint-...`` directive."""

    span: Span
    """Where the whole comment stands, delimiters included."""
    text: str
    """The comment body without its delimiters, stripped of surrounding whitespace."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a format noticed while reading a file (unclosed tag, bad front matter).

    The file is still linted as well as it can be; the problem is reported as a warning.
    """

    offset: int
    message: str


@dataclass(frozen=True)
class Document:
    """A parsed file: the source text, its prose view and its prose blocks.

    ``prose`` has exactly the length of ``source``. Everything that is not
    published prose (markup, code, URLs, comments, front-matter keys) is blanked
    to spaces with newlines kept, so an offset into ``prose`` is an offset into
    ``source`` and no mapping table is needed. Character references are decoded
    in place: the decoded character stands at the reference's first offset and
    the rest of the reference is blanked.
    """

    path: str
    source: str
    prose: str
    blocks: tuple[Block, ...]
    format: str
    comments: tuple[Comment, ...] = ()
    problems: tuple[Problem, ...] = ()
    _line_starts: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.prose) != len(self.source):
            raise ValueError(
                f"{self.path}: prose view has {len(self.prose)} characters, "
                f"source has {len(self.source)}; a format must keep them the same length"
            )

    @property
    def line_starts(self) -> list[int]:
        """Offsets where each line begins (after each ``\\n``), computed once."""
        if not self._line_starts:
            starts = [0]
            find = self.source.find
            index = find("\n")
            while index != -1:
                starts.append(index + 1)
                index = find("\n", index + 1)
            self._line_starts.extend(starts)
        return self._line_starts

    def position(self, offset: int) -> Position:
        """The 1-based line and column of a 0-based offset."""
        starts = self.line_starts
        line = bisect.bisect_right(starts, offset) - 1
        return Position(line + 1, offset - starts[line] + 1)

    def line_text(self, line: int) -> str:
        """The source text of a 1-based line, without its line ending."""
        starts = self.line_starts
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.source)
        return self.source[start:end].rstrip("\r")


class Applicability(IntEnum):
    """Whether a fix may be applied without a human reading it."""

    DISPLAY_ONLY = 0
    UNSAFE = 1
    """Changes meaning (rewording a health claim always does); applied only on request."""
    SAFE = 2

    def __str__(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``span`` with ``replacement``; an empty span inserts, an empty text deletes."""

    span: Span
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A suggested change, with how safe it is to apply."""

    edits: tuple[Edit, ...]
    applicability: Applicability
    description: str


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule checker reports, before selection, suppression and positions."""

    span: Span
    severity: Severity
    message: str
    fix: Fix | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A finding as users see it: a rule, a place in a file, a severity and a message."""

    path: str
    code: str
    rule: str
    """The rule's slug."""
    category: str
    severity: Severity
    message: str
    span: Span
    start: Position
    end: Position
    """Exclusive end."""
    document_level: bool = False
    """True for page-level findings, such as a missing disclaimer."""
    pack: str = ""
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.start, self.span.end, self.code)


@dataclass(frozen=True, slots=True)
class FileError:
    """A problem with one file (unreadable, binary, malformed markup, a rule timed out).

    ``severity`` is ``error`` when the file could not be linted fully, ``warning``
    when it was linted as well as it could be.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    severity: Severity = Severity.ERROR
    internal: bool = False
    """A bug in healthlint or a plugin, not a problem with the file (exit code 3)."""


@dataclass(frozen=True, slots=True)
class Example:
    """A rule example: ``text`` must produce a finding of the rule when ``flags`` is true,
    and none when it is false."""

    text: str
    flags: bool
    format: str = "text"


@dataclass(frozen=True, slots=True)
class RuleDocs:
    """What ``healthlint explain`` shows."""

    summary: str
    what: str
    why: str
    instead: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A loaded rule: identity, reporting defaults, documentation and kind options."""

    code: str
    slug: str
    category: str
    kind: str
    severity: Severity
    message: str
    pack: str
    path: str
    """The rule file, for error messages."""
    docs: RuleDocs
    examples: tuple[Example, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per-profile overrides, e.g. ``{"uk": {"severity": "error"}}``."""
    suggestion: str | None = None
    """A safer wording offered as an unsafe fix, where one exists."""


@dataclass(frozen=True, slots=True)
class RulePack:
    """A named folder of rule files (``*.yaml``) and vocabularies (``vocab/*.yaml``)."""

    name: str
    path: str
    description: str = ""


@dataclass
class FileResult:
    """Everything one file produced."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    source: str | None = None
    """The decoded source, kept for outputs that show code frames or fingerprint text."""


@dataclass
class Report:
    """The result of a run, handed to an output format."""

    files: list[FileResult]
    rules: Mapping[str, Rule]
    """Every rule that was active in the run, by code."""
    baselined: int | None = None
    """How many findings a baseline file accepted and removed; ``None`` without one."""

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics]

    @property
    def errors(self) -> list[FileError]:
        return [e for f in self.files for e in f.errors]


@dataclass(frozen=True)
class OutputContext:
    """What an output format knows about the run besides the report."""

    tool_version: str
    color: bool = False
    root: str = "."
    """The directory relative paths are reported against."""
    statistics: bool = False
    quiet: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class RuleChecker(Protocol):
    """A rule compiled by its kind, ready to check documents."""

    triggers: Sequence[str]
    """Regex sources that find this rule's candidates. The engine folds every rule's
    triggers into one combined scan and calls :meth:`check` only on documents where
    one of them matched. An empty sequence means: call :meth:`check` on every document."""

    def check(self, analysis: Any) -> Sequence[Finding]:
        """Check one analysed document (:class:`healthlint.text.Analysis`)."""
        ...


@runtime_checkable
class RuleKind(Protocol):
    """A kind of rule: compiles a rule's ``options`` once and checks documents."""

    name: str
    document_level: bool
    options_schema: Mapping[str, Any]
    """JSON Schema for the rule's ``options`` mapping."""

    def compile(self, rule: Rule, vocabulary: Any) -> RuleChecker:
        """Compile ``rule`` (raising ``ValueError`` with a reason if its options are
        unusable) against the run's :class:`healthlint.vocab.Vocabulary`."""
        ...


@runtime_checkable
class DocumentFormat(Protocol):
    """Turns decoded source text into a :class:`Document`."""

    name: str
    extensions: tuple[str, ...]
    """File name endings this format reads by default, with the dot: ``(".md",)``.

    Optional: ``configured(options) -> DocumentFormat``, the format as a configuration asks
    for it (see :meth:`healthlint.config.Settings.format_options`), and ``path_patterns``,
    gitignore-style globs outside which a directory walk does not look for these extensions."""

    def parse(self, source: str, path: str) -> Document: ...


@runtime_checkable
class OutputFormat(Protocol):
    """Renders a :class:`Report` to a text stream."""

    name: str
    description: str

    def render(self, report: Report, stream: TextIO, context: OutputContext) -> None: ...
