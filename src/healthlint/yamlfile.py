"""Reading YAML safely, with the line of every key, for rule, vocabulary, shapes and
configuration files. Its own module so that the lexicon and the rule loader can both use it
without needing each other."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthlint.errors import RuleError

if TYPE_CHECKING:
    import yaml

    from healthlint.cache import Cache

# PyYAML is imported only when a document has to be parsed: the files of a run are mostly
# read back from the cache, and importing it took a sixth of a one-page run.

KeyPath = tuple[str | int, ...]


ALIAS_EXPANSION_FACTOR = 10
"""How many times its own size a YAML document may grow when its aliases are expanded.
Reusing an anchored mapping a few times stays far below it; an alias bomb (aliases of
aliases, nine levels of nine) would grow a billion times, and is refused."""
ALIAS_EXPANSION_FLOOR = 10_000


def read_yaml(path: Path) -> tuple[Any, Mapping[KeyPath, int]]:
    """Parse a YAML file safely; also return the 1-based line of every key and item.

    Duplicate mapping keys, which PyYAML would silently merge, are an error, and so are
    aliases that expand the document beyond ``ALIAS_EXPANSION_FACTOR`` times its size.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read file: {exc}", path=str(path)) from None
    cache, key = _cache(text)
    if cache is not None:
        payload = cache.get(key)
        stored = _decoded(payload, path, text) if payload is not None else None
        if stored is not None:
            return stored
        if payload is not None:
            cache.discard(key)
    data, lines = _parse(path, text)
    if cache is not None:
        _store(cache, key, data, lines)
    return data, lines


def _safe_loader() -> type[yaml.SafeLoader]:
    """The C safe loader where PyYAML has it: rule and config files never construct objects."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(path: Path, text: str) -> tuple[Any, dict[KeyPath, int]]:
    import yaml

    try:
        loader = _safe_loader()(text)
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


# Reading a rule pack's two dozen files took longer than the rest of start-up; a document
# already read (and checked) comes back from the cache as JSON, keyed on its text and this
# build. Only one that JSON gives back exactly is stored: no dates, sets or number keys.
# The entry is the document, a line break, then the lines of its keys: those are decoded
# only when asked for (for an error's line, mostly), which most runs never do.

def _cache(text: str) -> tuple[Cache | None, str]:
    from healthlint.cache import Cache, build_digest, key_for

    return Cache.open("yaml", version=2), key_for("yaml", build_digest(), text)


def _store(cache: Cache, key: str, data: Any, lines: dict[KeyPath, int]) -> None:
    stored_lines = [[list(path), line] for path, line in lines.items()]
    try:  # JSON written without indentation holds no line break
        encoded = json.dumps(data, separators=(",", ":"), allow_nan=False)
        exact = json.loads(encoded) == data
        encoded_lines = json.dumps(stored_lines, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return
    if exact:
        cache.put(key, f"{encoded}\n{encoded_lines}".encode())


def _decoded(payload: bytes, path: Path, text: str) -> tuple[Any, Mapping[KeyPath, int]] | None:
    """A stored document and its key lines, or ``None`` if the entry is not of that shape."""
    document, newline, lines = payload.partition(b"\n")
    if not newline:
        return None
    try:
        data = json.loads(document)
    except (ValueError, RecursionError):
        return None
    return data, _StoredLines(lines, path, text)


class _StoredLines(Mapping[KeyPath, int]):
    """The key lines of a document read back from the cache, decoded when first asked for.
    Lines of the wrong shape are found again by parsing the document, as on a miss."""

    def __init__(self, encoded: bytes, path: Path, text: str) -> None:
        self._encoded: bytes | None = encoded
        self._path = path
        self._text = text
        self._lines: dict[KeyPath, int] = {}

    @property
    def _table(self) -> dict[KeyPath, int]:
        if self._encoded is not None:
            lines = _decoded_lines(self._encoded)
            self._lines = lines if lines is not None else _parse(self._path, self._text)[1]
            self._encoded = None
        return self._lines

    def __getitem__(self, key: KeyPath) -> int:
        return self._table[key]

    def __iter__(self) -> Iterator[KeyPath]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def _decoded_lines(encoded: bytes) -> dict[KeyPath, int] | None:
    try:
        value = json.loads(encoded)
    except (ValueError, RecursionError):
        return None
    if type(value) is not list:
        return None
    try:  # a key path that is not a list, or holds a list, fails here
        lines = {tuple(path): line for path, line in value}
    except (TypeError, ValueError):
        return None
    if len(lines) != len(value) or not all(type(line) is int for line in lines.values()):
        return None
    return lines


def _key_lines(root: yaml.Node | None, path: Path, text: str) -> dict[KeyPath, int]:
    """The line of every key and item under ``root``, walked without recursion (a document
    may nest a thousand levels deep) and with a budget on what aliases add."""
    import yaml

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
    import yaml

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
    import yaml

    for event in yaml.parse(text, Loader=_safe_loader()):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return int(event.start_mark.line) + 1
    return None
