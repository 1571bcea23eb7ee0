"""The template scanner behind :class:`.template.TemplateFormat`: finds and blanks
template syntax (see :mod:`.template` for the dialects)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from healthlint.builtin.formats._prose import ProseBuilder, blank

_OPENER = re.compile(
    r"""(?=[{<@])  # a fast skip to the characters an opener starts with
    (?:(?P<hbs_long_comment>\{\{!--)
    | (?P<blade_comment>\{\{--)
    | (?P<hbs_comment>\{\{!)
    | (?P<go_comment>\{\{-?[ \t]*/\*)
    | (?P<triple>\{\{\{)
    | (?P<shortcode>\{\{[<%])
    | (?P<expression>\{\{)
    | (?P<tag>\{%)
    | (?P<hash_comment>\{\#)
    | (?P<blade_raw>\{!!)
    | (?P<php><\?(?:php\b|=)?)
    | (?P<erb><%(?!%))
    | (?P<blade>(?<![\w@.])@(?P<directive>[A-Za-z_]\w*)))""",
    re.VERBOSE | re.IGNORECASE,
)
_CLOSERS = {
    "hbs_long_comment": re.compile(r"--\}\}"),
    "blade_comment": re.compile(r"--\}\}"),
    "hbs_comment": re.compile(r"\}\}"),
    "go_comment": re.compile(r"\*/[ \t]*-?\}\}"),
    "hash_comment": re.compile(r"\#\}"),
}
_QUOTED_CLOSERS = {
    "triple": r"\}\}\}",
    "shortcode": r"[>%]\}\}",
    "expression": r"\}\}",
    "tag": r"%\}",
    "blade_raw": r"!!\}",
    "erb": r"%>",
}
_QUOTED = {
    kind: re.compile(
        rf"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|(?!{closer})[^"'`])*?{closer}"""
    )
    for kind, closer in _QUOTED_CLOSERS.items()
}
"""A tag up to its closer, skipping quoted strings, so ``{{ "}}" }}`` ends at the right place."""
_PLAIN = {kind: re.compile(closer) for kind, closer in _QUOTED_CLOSERS.items()}
_TAG_LIMIT = 4096
"""How far a tag may run: a stray ``{{`` must not scan a large file to its end."""

_TAG_NAME = re.compile(r"\{%-?\s*(#|[A-Za-z_]\w*)")
_WHOLE_BLOCKS = frozenset(
    {"comment", "raw", "verbatim", "highlight", "schema", "javascript", "stylesheet", "style"}
)
"""Liquid/Jinja block tags whose content is a comment or code, blanked whole."""
_SHORTCODE_NAME = re.compile(r"\{\{[<%]\s*([\w/-]+)")
_PHP_TOKEN = re.compile(
    r"""'(?:[^'\\]|\\[\s\S])*'|"(?:[^"\\]|\\[\s\S])*"|/\*[\s\S]*?\*/|(?://|\#)(?:[^\r\n?]|\?(?!>))*|\?>"""
)
_PHP_COMMENT = re.compile(r"\s*(?://|\#)(?P<line>[^\n]*?)\s*\Z|\s*/\*(?P<block>[\s\S]*?)\*/\s*\Z")
_BLADE_DIRECTIVES = frozenset(
    """if elseif else unless isset empty auth guest production env hassection sectionmissing
    switch case break default for foreach forelse while continue include includeif
    includewhen includeunless includefirst each once push pushonce prepend stack section show
    yield extends parent component slot props aware class style checked selected disabled
    readonly required csrf method error lang choice json js vite livewire livewirestyles
    livewirescripts inject can cannot canany dd dump use fragment session viteReactRefresh
    php verbatim append stop overwrite""".lower().split()
)
_PARENTHESES = re.compile(
    r"""\s*\((?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^()"']|\((?:[^()]|\([^()]*\))*\))*\)"""
)
_ENDPHP = re.compile(r"@endphp\b")


class _Blanker:
    """Finds the spans of template syntax in a source, with the comments among them."""

    def __init__(self, source: str, builder: ProseBuilder, *, blade: bool) -> None:
        self.source = source
        self.builder = builder
        self.blade = blade

    def spans(self, position: int) -> Iterator[tuple[int, int]]:
        source = self.source
        while True:
            match = _OPENER.search(source, position)
            if match is None:
                return
            kind = match.lastgroup or ""
            if kind == "blade":
                kind = "directive"
            start = match.start()
            end = self.end(kind, match)
            if end is None:
                position = match.end()
                continue
            yield start, end
            position = end

    def end(self, kind: str, match: re.Match[str]) -> int | None:
        """Where the template construct opened by ``match`` ends; ``None`` when the
        opener is not template syntax after all."""
        start, source = match.start(), self.source
        if kind == "php":
            return self.php(match)
        if kind == "directive":
            return self.directive(match)
        if kind == "blade_comment" and not self.blade:
            kind = "expression"
        closer = _CLOSERS.get(kind)
        if closer is not None:
            found = closer.search(source, match.end())
            if found is None:
                return self.unclosed(start, match.group())
            self.builder.add_comment(start, found.end(), source[match.end() : found.start()])
            return found.end()
        end = self.quoted_end(kind, match)
        if end is None:
            return self.unclosed(start, match.group())
        if kind == "erb" and source.startswith("<%#", start):
            self.builder.add_comment(start, end, source[start + 3 : end - 2])
        elif kind == "tag":
            return self.block(start, end)
        elif kind == "shortcode":
            return self.shortcode_block(start, end)
        return end

    def quoted_end(self, kind: str, match: re.Match[str]) -> int | None:
        limit = min(len(self.source), match.end() + _TAG_LIMIT)
        found = _QUOTED[kind].match(self.source, match.end(), limit) or _PLAIN[kind].search(
            self.source, match.end(), limit
        )
        return found.end() if found is not None else None

    def unclosed(self, start: int, opener: str) -> int:
        self.builder.problem(start, f"template tag {opener!r} is never closed")
        return start + len(opener)

    def block(self, start: int, end: int) -> int:
        """A ``{% ... %}`` tag; a comment or code block runs to its end tag."""
        name_match = _TAG_NAME.match(self.source, start)
        if name_match is None:
            return end
        name = name_match.group(1).lower()
        if name == "#":
            body = self.source[name_match.end() : end - 2].rstrip("-")
            self.builder.add_comment(start, end, body)
            return end
        if name not in _WHOLE_BLOCKS:
            return end
        closing = re.compile(rf"\{{%-?\s*end{name}\s*-?%\}}", re.IGNORECASE).search(
            self.source, end
        )
        if closing is None:
            self.builder.problem(start, f"{{% {name} %}} has no {{% end{name} %}}")
            return end
        if name == "comment":
            self.builder.add_comment(start, closing.end(), self.source[end : closing.start()])
        return closing.end()

    def shortcode_block(self, start: int, end: int) -> int:
        """A Hugo shortcode; ``highlight`` blanks the code up to its closing shortcode."""
        name_match = _SHORTCODE_NAME.match(self.source, start)
        if name_match is None or name_match.group(1) != "highlight":
            return end
        closing = re.compile(r"\{\{[<%]\s*/highlight\s*[>%]\}\}").search(self.source, end)
        return closing.end() if closing is not None else end

    def php(self, match: re.Match[str]) -> int:
        """PHP code runs to ``?>`` outside strings and block comments, or to the end."""
        source = self.source
        for token in _PHP_TOKEN.finditer(source, match.end()):
            if token.group() == "?>":
                self.php_comment(match.start(), match.end(), token.start(), token.end())
                return token.end()
        self.php_comment(match.start(), match.end(), len(source), len(source))
        return len(source)

    def php_comment(self, start: int, code_start: int, code_end: int, end: int) -> None:
        comment = _PHP_COMMENT.fullmatch(self.source, code_start, code_end)
        if comment is not None:
            body = (
                comment.group("line")
                if comment.group("line") is not None
                else comment.group("block")
            )
            self.builder.add_comment(start, end, body or "")

    def directive(self, match: re.Match[str]) -> int | None:
        """A Blade ``@directive``, with its parenthesised arguments; only in Blade files,
        and only known directives, so an ``@handle`` in the text stays text."""
        name = match.group("directive").lower()
        if not self.blade or not (name in _BLADE_DIRECTIVES or name.startswith("end")):
            return None
        end = match.end()
        arguments = _PARENTHESES.match(self.source, end, min(len(self.source), end + _TAG_LIMIT))
        if arguments is not None:
            end = arguments.end()
        if name == "php" and arguments is None:
            closing = _ENDPHP.search(self.source, end)
            if closing is None:
                self.builder.problem(match.start(), "@php has no @endphp")
                return end
            return closing.end()
        return end


def blank_template_syntax(
    source: str, builder: ProseBuilder, *, blade: bool = False, start: int = 0
) -> str:
    """``source`` with every template construct from ``start`` on blanked (same length);
    comments holding healthlint directives and broken template syntax are recorded in
    ``builder``. The text before ``start`` is blanked too."""
    parts: list[str] = [blank(source[:start])]
    position = start
    for span_start, span_end in _Blanker(source, builder, blade=blade).spans(start):
        parts.append(source[position:span_start])
        parts.append(blank(source[span_start:span_end]))
        position = span_end
    parts.append(source[position:])
    return "".join(parts)
