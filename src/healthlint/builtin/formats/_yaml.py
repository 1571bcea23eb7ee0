"""Exact spans of the string scalars in a YAML text.

PyYAML's composer (the safe one, in C when libyaml is available) gives every
node its start and end mark, as code-point offsets into the text it was handed.
A scalar's content span follows from its style: quotes are left out, and a block
scalar (``|``, ``>``) begins on the line after its header. Only scalars that
resolve to strings count: ``2024-05-01``, ``true`` and ``12`` are not copy.
Anchors are followed once, so an alias never shows the same text twice and a
recursive document cannot loop.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from healthlint.builtin.formats._values import Leaf, in_place

if TYPE_CHECKING:
    import yaml

_STRING_TAG = "tag:yaml.org,2002:str"
_PROPERTIES = re.compile(r"(?:[&!][^\s]*\s+)*")


def compose_yaml(text: str, *, documents: bool) -> tuple[list[Any], tuple[int, str] | None]:
    """The root nodes of ``text`` (every document when ``documents``, else the one),
    and ``(offset, reason)`` when it is not valid YAML."""
    import yaml  # imported here: most runs never read YAML, and start-up counts

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if documents:
            return [
                node for node in yaml.compose_all(text, Loader=loader) if node is not None
            ], None
        root = yaml.compose(text, Loader=loader)
        return ([root] if root is not None else []), None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "cannot be parsed"
        return [], (mark.index if mark is not None else 0, reason)
    except yaml.reader.ReaderError as error:
        return [], (error.position, error.reason)
    except yaml.YAMLError as error:
        return [], (0, str(error))
    except RecursionError:  # the pure-Python composer, where libyaml is missing
        return [], (0, "it nests too deeply to read")


def yaml_leaves(text: str, roots: list[Any]) -> list[Leaf]:
    """The string scalars under ``roots`` (nodes composed from ``text``), in order."""
    import yaml

    leaves: list[Leaf] = []
    seen: set[int] = set()
    # Depth-first with an explicit stack: deeply nested data must not hit the
    # interpreter's recursion limit.
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(root, ()) for root in reversed(roots)]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STRING_TAG and node.value:
                leaf = _scalar_leaf(text, node, path)
                if leaf is not None:
                    leaves.append(leaf)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(
                (item, (*path, index)) for index, item in reversed(list(enumerate(node.value)))
            )
        elif isinstance(node, yaml.MappingNode):
            stack.extend(
                (value, (*path, key.value))
                for key, value in reversed(node.value)
                if isinstance(key, yaml.ScalarNode)
            )
    leaves.sort(key=lambda leaf: leaf.start)
    return leaves


def _scalar_leaf(text: str, node: yaml.ScalarNode, path: tuple[str | int, ...]) -> Leaf | None:
    start, end = node.start_mark.index, node.end_mark.index
    # A node's mark begins at its properties: an anchor (&name) or a tag (!!str).
    start = _PROPERTIES.match(text, start, end).end()  # type: ignore[union-attr]
    style = node.style
    if style in ('"', "'"):
        return Leaf(path, start + 1, in_place(text, start + 1, end - 1, quote=style))
    if style in ("|", ">"):
        header_end = text.find("\n", start, end)
        if header_end < 0:
            return None
        return Leaf(path, header_end + 1, text[header_end + 1 : end])
    return Leaf(path, start, text[start:end])
