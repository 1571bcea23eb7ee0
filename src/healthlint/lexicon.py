"""The run's lexicon: every term class and shape, from the core, the packs, the users
and the rules, with the names rules use to refer to them.

Sources, in load order (a class defined again extends the earlier one):

1. the evidence model's classes and shapes shipped with healthlint
   (``healthlint/data/terms/*.txt``, ``healthlint/data/shapes.yaml``);
2. each pack's ``terms/*.txt`` and ``shapes.yaml``;
3. the user's vocabulary files (configuration key ``vocabularies``): phrase
   files (``*.txt``) or YAML files mapping class names to phrase lists;
4. classes and shapes a rule declares for itself (``options.terms``,
   ``options.shapes``), visible to that rule only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthlint._package import package_file
from healthlint.errors import OptionError, RuleError, close_matches
from healthlint.scan import MAX_SHAPE_LENGTH, Scanner, Shape, compile_shape
from healthlint.terms import TermError, TermMatcher, TermSet, parse_terms, read_term_file
from healthlint.types import Rule
from healthlint.yamlfile import read_yaml

if TYPE_CHECKING:
    from healthlint.cache import Cache

__all__ = ["Lexicon", "core_terms_dir"]


def core_terms_dir() -> Path:
    return package_file("data/terms")


def _core_shapes_file() -> Path:
    return package_file("data/shapes.yaml")


class Lexicon:
    """Term classes and shapes of one run, and the names rules may use."""

    def __init__(self, trusted: Iterable[str] = ()) -> None:
        self.terms = TermSet()
        self.shapes: dict[str, list[Shape]] = {}
        self._local: dict[tuple[str, str], str] = {}
        self._scanner: Scanner | None = None
        self.cache_enabled = True
        self.trusted = frozenset(trusted)
        """Packs whose phrases the test suite expands: their rules' own phrase lists are
        expanded (and so checked) only when the matcher is compiled, not at every start."""

    # Loading --------------------------------------------------------------

    def load_core(self) -> None:
        self.load_terms_dir(core_terms_dir())
        self.load_shapes_file(_core_shapes_file(), limit=True, trusted=True)

    def load_pack(self, root: Path, *, trusted: bool = False) -> None:
        terms = root / "terms"
        if terms.is_dir():
            self.load_terms_dir(terms)
        shapes = root / "shapes.yaml"
        if shapes.is_file():
            self.load_shapes_file(shapes, limit=True, trusted=trusted)

    def load_terms_dir(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.txt")):
            self.terms.add(read_term_file(path, validate=False))

    def load_user_file(self, path: Path) -> None:
        """A user's vocabulary: a phrase file, or YAML ``{vocabularies: {name: {terms: [...]}}}``
        (also ``{name: [phrases]}``)."""
        if path.suffix == ".txt":
            self.terms.add(read_term_file(path))
            return
        data, lines = read_yaml(path)
        table = data.get("vocabularies", data) if isinstance(data, Mapping) else None
        if not isinstance(table, Mapping):
            raise RuleError("a vocabulary file maps class names to phrase lists", path=str(path),
                            line=1)
        for name, entry in table.items():
            phrases = entry.get("terms") if isinstance(entry, Mapping) else entry
            line = lines.get(("vocabularies", name)) or lines.get((name,))
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                raise RuleError(f"vocabulary {name!r}: expected a list of phrases",
                                path=str(path), line=line)
            try:
                parsed = parse_terms("\n".join(phrases), str(name), origin=str(path),
                                     first_line=line or 1)
            except RuleError as exc:
                raise RuleError(f"vocabulary {name!r}: {exc.reason}", path=str(path),
                                line=line) from None
            replace = isinstance(entry, Mapping) and bool(entry.get("replace"))
            self.terms.add(parsed, replace=replace)

    def load_shapes_file(self, path: Path, *, limit: bool, trusted: bool = False) -> None:
        """Read a shapes file; each pattern is compiled now, so a bad one stops the run with
        its file and line, unless the file is ``trusted`` (shipped, and compiled by the test
        suite): then a pattern is compiled when a page first needs it."""
        data, lines = read_yaml(path)
        table = (data or {}).get("shapes") if isinstance(data, Mapping) else None
        if not isinstance(table, Mapping):
            raise RuleError("a shapes file holds a 'shapes' mapping of name to pattern",
                            path=str(path), line=1)
        for name, entry in table.items():
            line = lines.get(("shapes", name))
            sources = entry if isinstance(entry, list) else [entry]
            for source in sources:
                if not isinstance(source, str):
                    raise RuleError(f"shape {name!r}: expected a pattern or a list of patterns",
                                    path=str(path), line=line)
                if limit and len(source) > MAX_SHAPE_LENGTH:
                    raise RuleError(f"shape {name!r} is {len(source)} characters long; at most "
                                    f"{MAX_SHAPE_LENGTH} (say long lists as phrases)",
                                    path=str(path), line=line)
                try:
                    if not trusted:
                        compile_shape(source)
                except ValueError as exc:
                    raise RuleError(f"shape {name!r}: {exc}", path=str(path), line=line) from None
                self.shapes.setdefault(str(name), []).append(Shape(str(name), source, str(path)))

    # Rule-local names -----------------------------------------------------

    @staticmethod
    def _local_name(rule: Rule, name: str) -> str:
        return f"{rule.code.lower()}.{name}"

    def add_rule_terms(self, rule: Rule, name: str, phrases: Iterable[str]) -> None:
        qualified = self._local_name(rule, name)
        try:
            parsed = parse_terms("\n".join(phrases), qualified, origin=rule.path,
                                 validate=rule.pack not in self.trusted)
        except RuleError as exc:
            raise OptionError(f"term class {name!r}: {exc.reason}", ("terms", name)) from None
        self.terms.add(parsed, replace=True)
        self._local[(rule.code, name)] = qualified
        self._scanner = None

    def add_rule_shape(self, rule: Rule, name: str, source: str) -> None:
        try:
            if rule.pack not in self.trusted:
                compile_shape(source)
        except ValueError as exc:
            raise OptionError(str(exc), ("shapes", name)) from None
        qualified = self._local_name(rule, name)
        self.shapes[qualified] = [Shape(qualified, source, rule.path)]
        self._local[(rule.code, name)] = qualified
        self._scanner = None

    def resolve(self, rule: Rule, name: str, key: tuple[Any, ...] = ()) -> str:
        """The class a rule means by ``name``: its own first, then the shared ones."""
        local = self._local.get((rule.code, name))
        if local is not None:
            return local
        if name in self.terms or name in self.shapes:
            return name
        known = [n for n in (*self.terms.classes, *self.shapes) if "." not in n]
        near = close_matches(name, known)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise OptionError(f"unknown term class {name!r}{hint}", key)

    def prepare(self) -> None:
        """Make sure the scanner can be built, so that a bad phrase, an unknown include or a
        cycle stops the run at start-up with its file and line rather than at the first page.

        When the cache holds this exact lexicon's matcher, the lexicon compiled before (an
        entry is stored only then) and the matcher is read when the first page is scanned:
        a run whose every page comes from the result cache never reads it."""
        if self._scanner is None and not self._matcher_stored():
            _ = self.scanner

    # Scanning -------------------------------------------------------------

    @property
    def scanner(self) -> Scanner:
        if self._scanner is None:
            shapes = [s for group in self.shapes.values() for s in group]
            try:
                matcher = self._cached_matcher()
            except TermError as exc:
                raise RuleError(f"term classes: {exc}") from None
            except RuleError as exc:
                if exc.path:
                    raise
                origin = next((c.origin for c in self.terms.classes.values()
                               if f"{c.name!r}" in exc.reason), None)
                raise RuleError(exc.reason, path=origin) from None
            self._scanner = Scanner(self.terms, shapes, matcher=matcher,
                                    recompile=self._recompiled_matcher)
        return self._scanner

    def _matcher_cache(self) -> tuple[Cache | None, str]:
        """The cache that keeps compiled matchers, and this lexicon's key in it: a hash of
        every phrase and include, and of this build
        (:func:`~healthlint.cache.build_digest`: another build may normalise or store
        phrases differently)."""
        from healthlint.cache import Cache, build_digest, key_for

        # Version 4: the sorted-forms format of TermMatcher.to_bytes.
        cache = Cache.open("lexicon", version=4, enabled=self.cache_enabled)
        return cache, key_for("matcher", build_digest(), self.terms.fingerprint())

    def _matcher_stored(self) -> bool:
        cache, key = self._matcher_cache()
        return cache is not None and cache.has(key)

    def _cached_matcher(self) -> TermMatcher:
        """The phrase matcher, from the verified on-disk cache when this exact lexicon was
        compiled before, else compiled and stored. An entry that does not verify or decode
        (:meth:`TermMatcher.from_bytes`) is compiled afresh."""
        cache, key = self._matcher_cache()
        if cache is not None:
            data = cache.get(key)
            matcher = TermMatcher.from_bytes(data) if data is not None else None
            if matcher is not None and set(matcher.names) == set(self.terms.classes):
                return matcher
            if data is not None:
                cache.discard(key)
        matcher = TermMatcher(self.terms)
        if cache is not None:
            cache.put(key, matcher.to_bytes())
        return matcher

    def _recompiled_matcher(self, damaged: TermMatcher) -> TermMatcher:
        """A matcher compiled afresh, with the class names (and so the ids) of one read from
        the cache that turned out damaged; the entry is replaced."""
        matcher = TermMatcher(self.terms, names=damaged.names)
        cache, key = self._matcher_cache()
        if cache is not None:
            cache.put(key, matcher.to_bytes())
        return matcher

    def fingerprint(self) -> str:
        import hashlib

        digest = hashlib.sha256(self.terms.fingerprint().encode())
        for name in sorted(self.shapes):
            for shape in self.shapes[name]:
                digest.update(f"{name}\0{shape.source}\0".encode())
        return digest.hexdigest()

    def counts(self) -> Mapping[str, int]:
        return {name: len(self.terms.resolve(name)[0]) for name in sorted(self.terms.classes)}
