"""Loading rule packs: safe YAML, schema validation with file and line, compilation by kind.

A pack is a folder of rule files (one rule per ``*.yaml``) with an optional
``pack.yaml`` (description, profiles) and ``vocab/*.yaml`` vocabularies. Every
error names the file, the YAML line, the rule and the problem.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from healthlint.errors import OptionError, RuleError
from healthlint.types import Example, Rule, RuleChecker, RuleDocs, RuleKind, RulePack, Severity
from healthlint.vocab import Vocabulary

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The C safe loader where PyYAML has it: rule and config files never construct objects."""
KeyPath = tuple[str | int, ...]


@cache
def _categories() -> list[dict[str, Any]]:
    text = resources.files("healthlint").joinpath("data/categories.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=_SafeLoader)
    return list(data["categories"])


def category_slugs() -> tuple[str, ...]:
    return tuple(c["slug"] for c in _categories())


def document_level_categories() -> frozenset[str]:
    return frozenset(c["slug"] for c in _categories() if c["document_level"])


@cache
def _rule_validator() -> Any:
    import fastjsonschema

    schema = json.loads(
        resources.files("healthlint").joinpath("schemas/rule.schema.json").read_text("utf-8")
    )
    return fastjsonschema.compile(schema)


ALIAS_EXPANSION_FACTOR = 10
"""How many times its own size a YAML document may grow when its aliases are expanded.
Reusing an anchored mapping a few times stays far below it; an alias bomb (aliases of
aliases, nine levels of nine) would grow a billion times, and is refused."""
ALIAS_EXPANSION_FLOOR = 10_000


def read_yaml(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Parse a YAML file safely; also return the 1-based line of every key and item.

    Duplicate mapping keys, which PyYAML would silently merge, are an error, and so are
    aliases that expand the document beyond ``ALIAS_EXPANSION_FACTOR`` times its size.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read file: {exc}", path=str(path)) from None
    try:
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            lines = _key_lines(node, path, text)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleError(f"invalid YAML: {problem}", path=str(path), line=line) from None
    return data, lines


def _key_lines(root: yaml.Node | None, path: Path, text: str) -> dict[KeyPath, int]:
    """The line of every key and item under ``root``, walked without recursion (a document
    may nest a thousand levels deep) and with a budget on what aliases add."""
    lines: dict[KeyPath, int] = {}
    if root is None:
        return lines
    budget = ALIAS_EXPANSION_FACTOR * _distinct_nodes(root) + ALIAS_EXPANSION_FLOOR
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    while stack:
        budget -= 1
        if budget < 0:
            raise RuleError(
                "YAML aliases expand this file more than "
                f"{ALIAS_EXPANSION_FACTOR} times its size; write the values out instead",
                path=str(path), line=_first_alias_line(text))
        current, key_path = stack.pop()
        lines.setdefault(key_path, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in current.value:
                key = key_node.value
                if key in seen:
                    raise RuleError(f"duplicate key {key!r}", path=str(path),
                                    line=key_node.start_mark.line + 1)
                seen.add(key)
                lines[(*key_path, key)] = key_node.start_mark.line + 1
                stack.append((value_node, (*key_path, key)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*key_path, index)) for index, item in enumerate(current.value))
    return lines


def _distinct_nodes(root: yaml.Node) -> int:
    """How many nodes the document holds, each counted once however often aliases reuse it."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack += (key_node, value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


def _first_alias_line(text: str) -> int | None:
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return int(event.start_mark.line) + 1
    return None


def _line_for(lines: Mapping[KeyPath, int], key_path: KeyPath) -> int | None:
    while key_path:
        if key_path in lines:
            return lines[key_path]
        key_path = key_path[:-1]
    return lines.get(())


def _where(key_path: KeyPath) -> str:
    """A key path as a reader finds it in the file: ``per-path[0].select``."""
    text = ""
    for key in key_path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "top level"


def _schema_properties(schema: Mapping[str, Any], key_path: KeyPath) -> list[str]:
    node: Any = schema
    for key in key_path:
        props = node.get("properties", {}) if isinstance(node, Mapping) else {}
        if isinstance(key, str) and key in props:
            node = props[key]
        elif isinstance(key, int) and isinstance(node, Mapping) and "items" in node:
            node = node["items"]
        else:
            return []
    return sorted(node.get("properties", {})) if isinstance(node, Mapping) else []


def validate(data: Any, schema: Mapping[str, Any], validator: Any, *, path: str,
             lines: Mapping[KeyPath, int], what: str, prefix: KeyPath = ()) -> None:
    """Validate ``data`` with a compiled fastjsonschema ``validator``; raise with the YAML line.

    An unknown key is reported with the nearest valid key.
    """
    import fastjsonschema

    try:
        validator(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        key_path: KeyPath = tuple(
            int(p) if isinstance(p, str) and p.isdigit() else p for p in (exc.path or [])[1:]
        )
        where = _where((*prefix, *key_path))
        allowed = _schema_properties(schema, key_path)
        unknown = sorted(set(exc.value) - set(allowed)) if isinstance(exc.value, Mapping) else []
        # A misspelt required key ("path" for "paths") is reported as the unknown key it
        # is, with the near match, rather than as the required key that is missing.
        if exc.rule in ("additionalProperties", "required") and unknown and allowed:
            key = unknown[0]
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; allowed: {', '.join(allowed)}"
            line = _line_for(lines, (*prefix, *key_path, key))
            raise RuleError(f"{what}: unknown key {key!r} in {where}{hint}", path=path,
                            line=line) from None
        if exc.rule == "required":
            required = (exc.rule_definition or []) if isinstance(exc.rule_definition, list) else []
            present = set(exc.value) if isinstance(exc.value, Mapping) else set()
            missing = [key for key in required if key not in present] or required
            names = ", ".join(repr(key) for key in missing) or "a required key"
            raise RuleError(f"{what}: {where} needs {names}", path=path,
                            line=_line_for(lines, (*prefix, *key_path))) from None
        message = exc.message.replace("data." if key_path else "data", "", 1).strip()
        if exc.rule == "enum" and key_path == ("category",):
            message = f"category {exc.value!r} is not one of the 23 catalogue categories"
            near = difflib.get_close_matches(str(exc.value), category_slugs(), n=1)
            if near:
                message += f"; did you mean {near[0]!r}?"
        raise RuleError(f"{what}: {message}", path=path,
                        line=_line_for(lines, (*prefix, *key_path))) from None


@dataclass
class LoadedRule:
    """A rule with its compiled checker and where it came from."""

    rule: Rule
    checker: RuleChecker
    lines: Mapping[KeyPath, int] = field(default_factory=dict, repr=False)


@dataclass
class RuleSet:
    """All loaded rules of a run, the vocabulary they were compiled against, and the profiles."""

    rules: dict[str, LoadedRule]
    vocabulary: Vocabulary
    profiles: dict[str, str]
    """Known profile names with their descriptions."""


def _example(item: Any, flags: bool) -> Example:
    if isinstance(item, str):
        return Example(item, flags)
    return Example(item["text"], flags, item.get("format", "text"))


def build_rule(data: Mapping[str, Any], *, pack: str, path: str) -> Rule:
    docs = data["docs"]
    examples = data["examples"]
    return Rule(
        code=data["code"],
        slug=data["slug"],
        category=data["category"],
        kind=data["kind"],
        severity=Severity.parse(data["severity"]),
        message=data["message"].strip(),
        pack=pack,
        path=path,
        docs=RuleDocs(
            summary=data["summary"].strip(),
            what=docs["what"].strip(),
            why=docs["why"].strip(),
            instead=docs["instead"].strip(),
            references=tuple(docs["references"]),
        ),
        examples=tuple(
            [_example(e, True) for e in examples["flag"]]
            + [_example(e, False) for e in examples["pass"]]
        ),
        options=dict(data.get("options") or {}),
        profiles={k: dict(v) for k, v in (data.get("profiles") or {}).items()},
        suggestion=data.get("suggestion"),
    )


def _pack_files(root: Path) -> tuple[list[Path], list[Path], Path | None]:
    if not root.is_dir():
        raise RuleError("rule pack folder does not exist", path=str(root))
    rule_files = sorted(p for p in root.glob("*.yaml") if p.name != "pack.yaml")
    rule_files += sorted(p for p in root.glob("*.yml"))
    vocab_dir = root / "vocab"
    vocab_files = sorted(vocab_dir.glob("*.yaml")) if vocab_dir.is_dir() else []
    meta = root / "pack.yaml"
    return rule_files, vocab_files, meta if meta.is_file() else None


def load_rules(
    packs: Sequence[RulePack],
    kinds: Mapping[str, RuleKind],
    *,
    base_vocabulary_files: Iterable[Path] = (),
    vocabulary_files: Iterable[Path] = (),
    trusted: Iterable[str] = (),
) -> RuleSet:
    """Load, validate and compile every rule of ``packs``.

    :param base_vocabulary_files: vocabularies loaded before the packs' own (the
        evidence model's), so packs can extend them.
    :param vocabulary_files: user vocabulary files, loaded after the packs' own so
        they extend them.
    :param trusted: pack names whose files the test suite validates; their
        schema check is skipped at run time to keep start-up fast.
    """
    trusted = set(trusted)
    vocabulary = Vocabulary()
    for vocab_path in base_vocabulary_files:
        data, _ = read_yaml(vocab_path)
        vocabulary.load_mapping(data, str(vocab_path))
    profiles: dict[str, str] = {"us": "United States: FTC and FDA (the default)"}
    pack_files: list[tuple[RulePack, list[Path]]] = []
    for pack in packs:
        rule_files, vocab_files, meta = _pack_files(Path(pack.path))
        for vocab_path in vocab_files:
            data, _ = read_yaml(vocab_path)
            vocabulary.load_mapping(data, str(vocab_path))
        if meta is not None:
            data, _ = read_yaml(meta)
            declared = (data or {}).get("profiles") or {}
            if not isinstance(declared, Mapping):
                raise RuleError("'profiles' must map profile names to descriptions", path=str(meta))
            profiles.update({str(k): str(v) for k, v in declared.items()})
        pack_files.append((pack, rule_files))
    for vocab_path in vocabulary_files:
        data, _ = read_yaml(vocab_path)
        vocabulary.load_mapping(data, str(vocab_path))
    trusted_files = frozenset(
        [str(p) for p in base_vocabulary_files]
        + [str(p) for pack, _ in pack_files if pack.name in trusted
           for p in _pack_files(Path(pack.path))[1]]
    )
    vocabulary.validate(trusted_files)

    schema = json.loads(
        resources.files("healthlint").joinpath("schemas/rule.schema.json").read_text("utf-8")
    )
    rules: dict[str, LoadedRule] = {}
    slugs: dict[str, str] = {}
    for pack, rule_files in pack_files:
        for rule_path in rule_files:
            # Shipped packs are tested: their patterns compile on first use (fast start-up);
            # other packs compile at once, so errors name the rule file and line.
            vocabulary.eager = pack.name not in trusted
            loaded = _load_rule_file(rule_path, pack, kinds, vocabulary, schema,
                                     validate_schema=pack.name not in trusted,
                                     profiles=profiles)
            rule = loaded.rule
            for table, key, what in ((rules, rule.code, "code"), (slugs, rule.slug, "slug")):
                if key in table:
                    other = table[key]
                    other_path = other.rule.path if isinstance(other, LoadedRule) else other
                    raise RuleError(
                        f"rule {rule.code}: duplicate {what} {key!r}, already used by {other_path}",
                        path=str(rule_path), line=loaded.lines.get((what,)),
                    )
            rules[rule.code] = loaded
            slugs[rule.slug] = str(rule_path)
    vocabulary.eager = False  # the evidence model's patterns compile on first use too
    return RuleSet(rules=rules, vocabulary=vocabulary, profiles=profiles)


def _load_rule_file(path: Path, pack: RulePack, kinds: Mapping[str, RuleKind],
                    vocabulary: Vocabulary, schema: Mapping[str, Any], *,
                    validate_schema: bool, profiles: Mapping[str, str]) -> LoadedRule:
    data, lines = read_yaml(path)
    label = f"rule {data.get('code', path.stem)}" if isinstance(data, Mapping) else "rule"
    if not isinstance(data, Mapping):
        raise RuleError("a rule file must hold one mapping", path=str(path), line=1)
    # YAML 1.1 reads an unquoted "off" as false.
    data = dict(data)
    if data.get("severity") is False:
        data["severity"] = "off"
    for entry in (data.get("profiles") or {}).values():
        if isinstance(entry, dict) and entry.get("severity") is False:
            entry["severity"] = "off"
    if validate_schema:
        validate(data, schema, _rule_validator(), path=str(path), lines=lines, what=label)
    for name in data.get("profiles") or {}:
        if name not in profiles:
            near = difflib.get_close_matches(name, list(profiles), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known: {', '.join(profiles)}"
            raise RuleError(f"{label}: unknown profile {name!r}{hint}", path=str(path),
                            line=lines.get(("profiles", name)))
    kind = kinds.get(data["kind"])
    if kind is None:
        near = difflib.get_close_matches(data["kind"], list(kinds), n=1)
        hint = (f"; did you mean {near[0]!r}?" if near
                else f"; known kinds: {', '.join(sorted(kinds))}")
        raise RuleError(f"{label}: unknown kind {data['kind']!r}{hint}", path=str(path),
                        line=lines.get(("kind",)))
    if validate_schema and kind.options_schema:
        import fastjsonschema

        validate(data.get("options") or {}, kind.options_schema,
                 fastjsonschema.compile(dict(kind.options_schema)), path=str(path), lines=lines,
                 what=label, prefix=("options",))
    rule = build_rule(data, pack=pack.name, path=str(path))
    if kind.document_level != (rule.category in document_level_categories()):
        expected = "a document-level" if kind.document_level else "a sentence-level"
        raise RuleError(
            f"{label}: kind {kind.name!r} is {expected} kind, but category {rule.category!r} "
            f"is {'not ' if kind.document_level else ''}document-level",
            path=str(path), line=lines.get(("kind",)),
        )
    try:
        checker = kind.compile(rule, vocabulary)
    except OptionError as exc:
        raise RuleError(f"{label}: {exc}", path=str(path),
                        line=_line_for(lines, ("options", *exc.path))) from None
    except ValueError as exc:
        raise RuleError(f"{label}: {exc}", path=str(path), line=lines.get(("options",))) from None
    return LoadedRule(rule, checker, lines)
