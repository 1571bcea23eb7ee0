"""Loading rule packs: safe YAML, schema validation with file and line, compilation by kind.

A pack is a folder of rule files (one rule per ``*.yaml``) with an optional
``pack.yaml`` (description, profiles), ``terms/*.txt`` phrase files and a
``shapes.yaml`` (see :mod:`healthlint.lexicon`). Every error names the file, the
YAML line, the rule and the problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from healthlint._package import package_file
from healthlint.errors import OptionError, RuleError, close_matches
from healthlint.lexicon import Lexicon
from healthlint.types import Example, Rule, RuleChecker, RuleDocs, RuleKind, RulePack, Severity

# Re-exported: rule-pack tools and tests read YAML through this module.
from healthlint.yamlfile import KeyPath as KeyPath
from healthlint.yamlfile import read_yaml as read_yaml


@cache
def _rule_validator() -> Any:
    import fastjsonschema

    schema = json.loads(
        package_file("schemas/rule.schema.json").read_text("utf-8")
    )
    return fastjsonschema.compile(schema)


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
            near = close_matches(str(key), allowed)
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
    """All loaded rules of a run, the lexicon they were compiled against, and the profiles."""

    rules: dict[str, LoadedRule]
    lexicon: Lexicon
    profiles: dict[str, str]
    """Known profile names with their descriptions."""
    categories: dict[str, bool] = field(default_factory=dict)
    """The categories the packs declare, and whether each is judged per page."""


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


def _pack_files(root: Path) -> tuple[list[Path], Path | None]:
    if not root.is_dir():
        raise RuleError("rule pack folder does not exist", path=str(root))
    rule_files = sorted(p for p in root.glob("*.yaml")
                        if p.name not in ("pack.yaml", "shapes.yaml"))
    rule_files += sorted(p for p in root.glob("*.yml"))
    meta = root / "pack.yaml"
    return rule_files, meta if meta.is_file() else None


def load_rules(
    packs: Sequence[RulePack],
    kinds: Mapping[str, RuleKind],
    *,
    vocabulary_files: Iterable[Path] = (),
    trusted: Iterable[str] = (),
    installed: Iterable[RulePack] = (),
) -> RuleSet:
    """Load, validate and compile every rule of ``packs``.

    :param vocabulary_files: the user's term files, loaded after the packs' own so
        they extend them.
    :param trusted: pack names whose files the test suite validates; their
        schema check is skipped at run time to keep start-up fast.
    :param installed: every installed pack; the categories they declare are known
        even when their rules are not enabled, so local rules can use them.
    """
    trusted = set(trusted)
    lexicon = Lexicon(trusted)
    lexicon.load_core()
    profiles: dict[str, str] = {"us": "United States: FTC and FDA (the default)"}
    categories: dict[str, bool] = {}
    for pack in installed:
        declaration = Path(pack.path) / "pack.yaml"
        if declaration.is_file():
            data, lines = read_yaml(declaration)
            categories.update(_declared_categories(data, lines, declaration))
    pack_files: list[tuple[RulePack, list[Path]]] = []
    for pack in packs:
        rule_files, meta = _pack_files(Path(pack.path))
        lexicon.load_pack(Path(pack.path), trusted=pack.name in trusted)
        if meta is not None:
            data, lines = read_yaml(meta)
            declared = (data or {}).get("profiles") or {}
            if not isinstance(declared, Mapping):
                raise RuleError("'profiles' must map profile names to descriptions", path=str(meta))
            profiles.update({str(k): str(v) for k, v in declared.items()})
            categories.update(_declared_categories(data, lines, meta))
        pack_files.append((pack, rule_files))
    for vocab_path in vocabulary_files:
        lexicon.load_user_file(vocab_path)

    schema = json.loads(
        package_file("schemas/rule.schema.json").read_text("utf-8")
    )
    rules: dict[str, LoadedRule] = {}
    slugs: dict[str, str] = {}
    for pack, rule_files in pack_files:
        for rule_path in rule_files:
            loaded = _load_rule_file(rule_path, pack, kinds, lexicon, schema,
                                     validate_schema=pack.name not in trusted,
                                     profiles=profiles, categories=categories)
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
    lexicon.prepare()
    return RuleSet(rules=rules, lexicon=lexicon, profiles=profiles, categories=categories)


def _declared_categories(data: Any, lines: Mapping[KeyPath, int], path: Path) -> dict[str, bool]:
    """A pack's ``categories``: a list of ``{slug, document_level, ...}`` entries."""
    entries = data.get("categories") or [] if isinstance(data, Mapping) else []
    found: dict[str, bool] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else [None]):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("slug"), str):
            raise RuleError("each entry of 'categories' needs a 'slug' (and 'document_level')",
                            path=str(path), line=lines.get(("categories", index)))
        found[entry["slug"]] = bool(entry.get("document_level", False))
    return found


def _load_rule_file(path: Path, pack: RulePack, kinds: Mapping[str, RuleKind],
                    lexicon: Lexicon, schema: Mapping[str, Any], *,
                    validate_schema: bool, profiles: Mapping[str, str],
                    categories: Mapping[str, bool]) -> LoadedRule:
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
            near = close_matches(name, profiles)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known: {', '.join(profiles)}"
            raise RuleError(f"{label}: unknown profile {name!r}{hint}", path=str(path),
                            line=lines.get(("profiles", name)))
    kind = kinds.get(data["kind"])
    if kind is None:
        near = close_matches(data["kind"], kinds)
        hint = (f"; did you mean {near[0]!r}?" if near
                else f"; known kinds: {', '.join(sorted(kinds))}")
        raise RuleError(f"{label}: unknown kind {data['kind']!r}{hint}", path=str(path),
                        line=lines.get(("kind",)))
    category = str(data.get("category"))
    if category not in categories:
        near = close_matches(str(category), categories)
        hint = f"; did you mean {near[0]!r}?" if near else (
            f"; the loaded packs declare: {', '.join(categories)}" if categories else
            "; no loaded pack declares categories (a pack.yaml lists them)")
        raise RuleError(f"{label}: unknown category {category!r}{hint}", path=str(path),
                        line=lines.get(("category",)))
    if kind.document_level != categories[category]:
        expected = "a document-level" if kind.document_level else "a sentence-level"
        raise RuleError(
            f"{label}: kind {kind.name!r} is {expected} kind, but category {category!r} "
            f"is {'not ' if kind.document_level else ''}document-level",
            path=str(path), line=lines.get(("kind",)),
        )
    if validate_schema and kind.options_schema:
        import fastjsonschema

        validate(data.get("options") or {}, kind.options_schema,
                 fastjsonschema.compile(dict(kind.options_schema)), path=str(path), lines=lines,
                 what=label, prefix=("options",))
    rule = build_rule(data, pack=pack.name, path=str(path))
    try:
        checker = kind.compile(rule, lexicon)
    except OptionError as exc:
        raise RuleError(f"{label}: {exc}", path=str(path),
                        line=_line_for(lines, ("options", *exc.path))) from None
    except ValueError as exc:
        raise RuleError(f"{label}: {exc}", path=str(path), line=lines.get(("options",))) from None
    return LoadedRule(rule, checker, lines)
