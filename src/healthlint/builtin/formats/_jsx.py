"""The JavaScript/TypeScript reader behind :class:`.jsx.JsxFormat`: tree-sitter's syntax
tree walked into a prose view (see :mod:`.jsx` for what is read and skipped)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from healthlint.builtin.formats._prose import ProseBuilder, blank, byte_to_char
from healthlint.builtin.formats._values import in_place, is_machine_key, looks_like_prose, publish
from healthlint.builtin.formats.html import (
    BLOCK_SCOPES,
    SKIPPED_ELEMENTS,
    reveal_text,
)
from healthlint.types import Document

if TYPE_CHECKING:
    import tree_sitter

_INSTALL_HINT = "pip install 'healthlint[jsx]'"
_INLINE_ELEMENTS = frozenset(
    """a abbr b bdi bdo cite data dfn em i mark q s small span strong sub sup time u var del ins
    label font nobr wbr""".split()
)

_JSX_SKIPPED = SKIPPED_ELEMENTS - {"head"}
_JSX_ELEMENTS = frozenset({"jsx_element", "jsx_self_closing_element"})
_STRINGS = frozenset({"string", "template_string"})
_SKIPPED_NODES = frozenset(
    {
        "import_statement", "type_alias_declaration", "interface_declaration",
        "enum_declaration", "ambient_declaration", "type_annotation", "type_arguments",
        "regex", "abstract_class_declaration",
    }
)  # fmt: skip
_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"}
)


@cache
def _parser(grammar: str) -> tree_sitter.Parser:
    """A parser for ``grammar``; the grammars are imported on first use."""
    try:
        import tree_sitter

        if grammar == "javascript":
            import tree_sitter_javascript

            language = tree_sitter_javascript.language()
        else:
            import tree_sitter_typescript

            language = (
                tree_sitter_typescript.language_tsx()
                if grammar == "tsx"
                else tree_sitter_typescript.language_typescript()
            )
    except ImportError as exc:
        raise ModuleNotFoundError(
            f"reading JavaScript and TypeScript files needs tree-sitter and its grammars "
            f"({exc.name} is not installed): {_INSTALL_HINT}"
        ) from None
    return tree_sitter.Parser(tree_sitter.Language(language))


class _Reader:
    """Walks one syntax tree and reveals its prose into a builder."""

    def __init__(
        self, source: str, builder: ProseBuilder, props: frozenset[str], content_module: bool
    ) -> None:
        self.source = source
        self.builder = builder
        self.props = props
        self.content_module = content_module
        self.to_char: Callable[[int], int] = (
            (lambda offset: offset) if source.isascii() else byte_to_char(source)
        )
        self.done: set[int] = set()
        """Start bytes of the strings already shown: a string is reached once as a
        field's value and again by the walk below it."""
        self.block_start = -1
        self.block_end = -1
        self.block_scope = "paragraph"
        self.scopes: list[str] = []

    def span(self, node: tree_sitter.Node) -> tuple[int, int]:
        return self.to_char(node.start_byte), self.to_char(node.end_byte)

    def text(self, node: tree_sitter.Node) -> str:
        start, end = self.span(node)
        return self.source[start:end]

    # The walk -----------------------------------------------------------

    def walk(self, root: tree_sitter.Node) -> None:
        """Visit ``root`` and everything below it (an explicit stack: minified or
        generated code nests deeper than the interpreter's recursion limit)."""
        stack = [root]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind == "comment":
                self.comment(node)
                continue
            if kind in _SKIPPED_NODES or (
                kind == "export_statement" and node.child_by_field_name("source") is not None
            ):
                continue
            if kind in _JSX_ELEMENTS:
                self.element(node)
                continue
            if kind == "call_expression" and self.is_import_call(node):
                continue
            if kind == "pair":
                key = self.key(node.child_by_field_name("key"))
                self.field(key, node.child_by_field_name("value"))
            elif kind == "variable_declarator":
                name = node.child_by_field_name("name")
                if name is not None and name.type == "identifier":
                    self.field(self.text(name), node.child_by_field_name("value"))
            elif kind == "array" and self.content_module:
                self.value(node, "field")
            stack.extend(reversed(node.children))

    def is_import_call(self, node: tree_sitter.Node) -> bool:
        function = node.child_by_field_name("function")
        return (
            function is not None
            and function.type in ("import", "identifier")
            and self.text(function) in ("require", "import")
        )

    def key(self, node: tree_sitter.Node | None) -> str | None:
        if node is None:
            return None
        if node.type == "property_identifier":
            return self.text(node)
        if node.type == "string":
            return self.text(node)[1:-1]
        return None

    def field(self, key: str | None, value: tree_sitter.Node | None) -> None:
        """A value stored under ``key`` (an object field or a variable)."""
        if key is None or value is None:
            return
        if key.lower() in self.props or (self.content_module and not is_machine_key(key)):
            self.value(value, "field")

    def value(self, node: tree_sitter.Node, scope: str) -> None:
        """Show the strings ``node`` stands for: a string, a template literal, an array of
        them, or either branch of a condition."""
        kind = node.type
        if kind in _STRINGS:
            self.string(node, scope, flush=True)
        elif kind == "array":
            for child in node.named_children:
                if child.type in _STRINGS or child.type == "array":
                    self.value(child, scope)
        elif kind in _WRAPPERS:
            inner = node.named_children[0] if node.named_children else None
            if inner is not None:
                self.value(inner, scope)
        elif kind == "ternary_expression":
            for name in ("consequence", "alternative"):
                branch = node.child_by_field_name(name)
                if branch is not None:
                    self.value(branch, scope)
        elif kind == "binary_expression":
            for name in ("left", "right"):
                operand = node.child_by_field_name(name)
                if operand is not None:
                    self.value(operand, scope)

    def string(self, node: tree_sitter.Node, scope: str, *, flush: bool) -> None:
        """Show a string literal or template literal; its own block when ``flush``, else
        part of the JSX text block around it."""
        if node.start_byte in self.done:
            return
        self.done.add(node.start_byte)
        start, end = self.span(node)
        text = in_place(self.source, start + 1, end - 1, quote='"')
        if node.type == "template_string":
            text = self.without_substitutions(node, start + 1, text)
        if not flush:
            self.builder.reveal(start + 1, text)
            self.extend(start + 1, end - 1)
        elif looks_like_prose(text):
            self.flush()
            publish(self.builder, start + 1, text, scope)

    def without_substitutions(self, node: tree_sitter.Node, base: int, text: str) -> str:
        parts: list[str] = []
        position = 0
        for child in node.named_children:
            if child.type == "template_substitution":
                start, end = self.span(child)
                parts.append(text[position : start - base])
                parts.append(blank(self.source[start:end]))
                position = end - base
        parts.append(text[position:])
        return "".join(parts)

    def comment(self, node: tree_sitter.Node) -> None:
        start, end = self.span(node)
        raw = self.source[start:end]
        body = raw[2:] if raw.startswith("//") else raw[2:-2]
        self.builder.add_comment(start, end, body.strip().strip("*").strip())

    # JSX ----------------------------------------------------------------

    def element(self, node: tree_sitter.Node) -> None:
        opening = (
            node
            if node.type == "jsx_self_closing_element"
            else node.child_by_field_name("open_tag")
        )
        name_node = opening.child_by_field_name("name") if opening is not None else None
        name = self.text(name_node) if name_node is not None else ""
        lowered = name.lower()
        inline = name == lowered and lowered in _INLINE_ELEMENTS
        if opening is not None:
            self.attributes(opening)
        if node.type == "jsx_self_closing_element":
            if not inline:
                self.flush()
            return
        if name == lowered and lowered in _JSX_SKIPPED:
            self.flush()
            self.walk_comments(node)
            return
        if not inline:
            self.flush()
        scope = BLOCK_SCOPES.get(lowered) if name == lowered else None
        self.scopes.append(scope or (self.scopes[-1] if self.scopes else "paragraph"))
        for child in node.children:
            kind = child.type
            if kind == "jsx_text" or kind == "html_character_reference":
                start, end = self.span(child)
                reveal_text(self.builder, self.source, start, end, 0, in_attribute=False)
                if not self.source[start:end].isspace():
                    self.extend(start, end)
            elif kind == "jsx_expression":
                self.expression(child)
            elif kind in _JSX_ELEMENTS:
                self.element(child)
        self.scopes.pop()
        if not inline:
            self.flush()

    def walk_comments(self, node: tree_sitter.Node) -> None:
        """Directive comments still count inside a skipped element."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "comment":
                self.comment(current)
            else:
                stack.extend(current.children)

    def attributes(self, opening: tree_sitter.Node) -> None:
        for attribute in opening.named_children:
            if attribute.type != "jsx_attribute":
                if attribute.type == "jsx_expression":  # a spread: {...props}
                    self.walk(attribute)
                continue
            parts = attribute.named_children
            if len(parts) < 2:
                continue
            name, value = self.text(parts[0]), parts[1]
            if value.type == "string" and name.lower() in self.props:
                self.attribute_string(value)
            elif value.type == "jsx_expression":
                if name.lower() in self.props:
                    for inner in value.named_children:
                        self.value(inner, "field")
                self.walk(value)
            elif value.type in _JSX_ELEMENTS:
                self.element(value)

    def attribute_string(self, node: tree_sitter.Node) -> None:
        """A JSX attribute string: no backslash escapes, HTML character references."""
        start, end = self.span(node)
        text = self.source[start + 1 : end - 1]
        if looks_like_prose(text):
            self.flush()
            publish(self.builder, start + 1, text, "field")

    def expression(self, node: tree_sitter.Node) -> None:
        """A ``{...}`` among JSX children: a string in it is text of the block around it."""
        for child in node.named_children:
            if child.type in _STRINGS:
                self.string(child, "", flush=False)
            else:
                self.walk(child)

    def extend(self, start: int, end: int) -> None:
        if start >= end:
            return
        if self.block_start < 0:
            self.block_start = start
            self.block_scope = self.scopes[-1] if self.scopes else "paragraph"
        self.block_end = end

    def flush(self) -> None:
        if self.block_start >= 0:
            self.builder.add_block(self.block_start, self.block_end, self.block_scope)
            self.block_start = -1


def _first_error(root: tree_sitter.Node) -> tree_sitter.Node | None:
    """The first node tree-sitter could not parse, or inserted as missing."""
    node = root
    while True:
        for child in node.children:
            if child.is_error or child.is_missing:
                return child
            if child.has_error:
                node = child
                break
        else:
            return None


def read_jsx(source: str, path: str, grammar: str, props: frozenset[str],
             content_module: bool, format_name: str) -> Document:
    """Read a JavaScript or TypeScript module into a document."""
    tree = _parser(grammar).parse(source.encode("utf-8"))
    builder = ProseBuilder(source)
    reader = _Reader(source, builder, props, content_module)
    root = tree.root_node
    if root.has_error:
        error = _first_error(root)
        offset = reader.to_char(error.start_byte) if error is not None else 0
        builder.problem(offset, "JavaScript syntax the parser could not read; "
                                "the rest of the file is read as well as possible")
    reader.walk(root)
    reader.flush()
    return builder.document(path, format_name)
