"""The same claim in .txt, .md, .html and .mdx files is reported at the exact same place.

Each page is built from parts whose lengths are known, so the expected line and column come
from the construction, never from searching the output's text. Columns are 1-based code
points with an exclusive end; a UTF-8 byte-order mark is not a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthlint.engine import Linter
from healthlint.types import Diagnostic

CODE = "HL104"  # safety-claim-unsupported: "extremely safe" is an absolute safety term


@dataclass(frozen=True)
class Variant:
    name: str
    before: str = ""
    """Text on the claim's line before the claim."""
    gap: str = " "
    """Between "extremely" and "safe" (source text)."""
    newline: str = "\n"
    bom: bool = False


VARIANTS = [
    Variant("plain"),
    Variant("crlf", newline="\r\n"),
    Variant("bom", bom=True),
    Variant("tabs", before="Knee\tcare:\t\t"),  # mid-line: leading tabs make Markdown code
    Variant("no-break space", gap="\u00a0"),
    Variant("emoji outside the BMP", before="🦴🦵 "),
    Variant("combining marks", before="Cafe\u0301 Ame\u0301lie: "),
    Variant("curly quotes", before="“"),
    Variant("split across lines", gap="\n"),
    Variant("split across lines with crlf", gap="\r\n", newline="\r\n"),
]

LEAD = "Our stem cell injections are "


def _page(fmt: str, v: Variant, inline: tuple[str, str] = ("", "")) -> tuple[str, int, int]:
    """A page in ``fmt`` with the claim on its own line, and that line's number and the
    claim's 0-based column in it (before any inline markup)."""
    nl = v.newline
    open_tag, close_tag = inline
    claim_line = f"{v.before}{LEAD}{open_tag}extremely{close_tag}{v.gap}safe."
    if fmt == "txt":
        head = [f"Knee Clinic{nl}", nl]
        tail = [nl, f"Book a consultation today.{nl}"]
        body = [claim_line + nl]
    elif fmt == "md":
        head = [f"---{nl}", f"title: Knee care{nl}", f"---{nl}", nl, f"# Knee care{nl}", nl,
                f"```{nl}", f"extremely safe code is not prose{nl}", f"```{nl}", nl]
        body = [claim_line + nl]
        tail = [nl, f"[Book a consultation](https://example.org/book) today.{nl}"]
    elif fmt == "html":
        head = [f"<!doctype html>{nl}", f"<html><head><title>Knee care</title>{nl}",
                f"<script>var s = 'extremely safe';</script></head>{nl}", f"<body>{nl}", f"<p>{nl}"]
        body = [claim_line + nl]
        tail = [f"</p>{nl}", f"<p>Book a consultation today.</p></body></html>{nl}"]
    else:  # mdx
        head = [f"import Hero from './hero'{nl}", nl, f"<Hero title=\"extremely safe\" />{nl}", nl]
        body = [claim_line + nl]
        tail = [nl, f"Book a consultation {{props.today}}.{nl}"]
    line = len(head) + 1
    text = "".join(head + body + tail)
    column = len(v.before) + len(LEAD)
    return ("\ufeff" if v.bom else "") + text, line, column


def _lint(tmp_path: Path, linter: Linter, name: str, text: str) -> list[Diagnostic]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    result = linter.lint_file(str(path))
    assert not [e for e in result.errors if e.severity.name == "ERROR"], result.errors
    return [d for d in result.diagnostics if d.code == CODE]


def _expected_end(v: Variant, line: int, column: int, inline_len: int) -> tuple[int, int]:
    if "\n" in v.gap:
        return line + 1, len("safe") + 1
    return line, column + len("extremely") + inline_len + len(v.gap) + len("safe") + 1


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "mdx"])
@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_claim_is_reported_at_the_exact_position(tmp_path: Path, linter: Linter, fmt: str,
                                                 variant: Variant) -> None:
    text, line, column = _page(fmt, variant)
    found = _lint(tmp_path, linter, f"page.{fmt}", text)
    assert len(found) == 1, [f"{d.start} {d.message}" for d in found]
    diagnostic = found[0]
    assert (diagnostic.start.line, diagnostic.start.column) == (line, column + 1)
    assert (diagnostic.end.line, diagnostic.end.column) == _expected_end(variant, line, column, 0)


@pytest.mark.parametrize(("fmt", "inline"), [
    ("html", ("<b>", "</b>")),
    ("html", ("<span class=\"x\">", "</span>")),
    ("md", ("**", "**")),
    ("md", ("_", "_")),
    ("mdx", ("<strong>", "</strong>")),
])
def test_inline_markup_does_not_break_the_claim(tmp_path: Path, linter: Linter, fmt: str,
                                                inline: tuple[str, str]) -> None:
    variant = Variant("inline")
    text, line, column = _page(fmt, variant, inline)
    found = _lint(tmp_path, linter, f"page.{fmt}", text)
    assert len(found) == 1
    start_column = column + len(inline[0]) + 1
    assert (found[0].start.line, found[0].start.column) == (line, start_column)
    end_column = start_column + len("extremely") + len(inline[1]) + len(" safe")
    assert (found[0].end.line, found[0].end.column) == (line, end_column)


def test_html_entities_are_decoded_for_matching(tmp_path: Path, linter: Linter) -> None:
    text = ("<p>Book a consultation at our clinic.</p>\n"
            "<p>Our stem cell injections are extremely&nbsp;safe &amp; fast.</p>\n")
    found = _lint(tmp_path, linter, "page.html", text)
    assert len(found) == 1
    column = len("<p>Our stem cell injections are ") + 1
    assert (found[0].start.line, found[0].start.column) == (2, column)
    assert found[0].end.column == column + len("extremely&nbsp;safe")


def test_markup_only_mentions_are_not_prose(tmp_path: Path, linter: Linter) -> None:
    pages = {
        "page.md": "Book a consultation at our clinic.\n\n`extremely safe`\n\n"
                   "<!-- extremely safe -->\n\n[link](https://x.org/extremely-safe)\n",
        "page.html": "<p>Book a consultation at our clinic.</p><script>extremely safe</script>"
                     "<style>.extremely-safe{}</style><!-- extremely safe -->"
                     "<a href=\"/extremely safe\">here</a>",
        "page.mdx": "export const note = 'extremely safe'\n\nBook a consultation at our clinic.\n\n"
                    "<Badge label=\"extremely safe\" />\n\n{'extremely safe'}\n",
    }
    for name, text in pages.items():
        assert _lint(tmp_path, linter, name, text) == [], name


# Property: whatever Markdown or HTML the page holds, every span reported lies inside the
# file and covers prose that stands in the source, never blanked markup.
WORDS = st.sampled_from([
    "Our", "clinic", "stem", "cell", "injections", "are", "extremely", "safe", "and", "cure",
    "arthritis", "100%", "risk-free", "café", "naïve", "🦴", "“quoted”", "&amp;", "&nbsp;",
    "book", "a", "consultation", "today.", "we", "offer", "PRP", "pain", "free",
])
MARKDOWN_PIECES = st.sampled_from([
    "\n\n", "\n", "# ", "- ", "> ", "**", "_", "`", "[", "](https://e.org/safe)", "![alt ",
    "](i.png)", "<b>", "</b>", "<!-- c -->", "{{< shortcode >}}", "\n```\ncode safe\n```\n",
    "| a | b |\n",
])
HTML_PIECES = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<br>", "<script>x safe</script>",
    "<style>p{}</style>", "<!-- safe -->", "<a href=\"/safe\">", "</a>", "<li>", "</ul>",
    "<img alt=\"our safe cure\" src=\"x.png\">", "&amp;", "&#8217;", "&bogus;", "<",
])


def _check_spans(linter: Linter, name: str, text: str) -> None:
    result = linter.lint_text(text, name)
    document_format = linter.format_for(name)
    assert document_format is not None
    prose = document_format.parse(text, name).prose
    for diagnostic in result.diagnostics:
        span = diagnostic.span
        assert 0 <= span.start <= span.end <= len(text)
        if diagnostic.document_level or diagnostic.code.startswith("HL00"):
            continue
        covered = prose[span.start : span.end]
        assert covered.strip(), f"{diagnostic.code} covers no prose: {text[span.start:span.end]!r}"
        for offset in (span.start, span.end - 1):
            assert not prose[offset].isspace(), (diagnostic.code, text[span.start : span.end])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(WORDS.map(lambda w: w + " "), MARKDOWN_PIECES), max_size=60))
def test_markdown_spans_cover_prose(linter: Linter, parts: list[str]) -> None:
    _check_spans(linter, "page.md", "Book a consultation at our clinic.\n\n" + "".join(parts))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(WORDS.map(lambda w: w + " "), HTML_PIECES), max_size=60))
def test_html_spans_cover_prose(linter: Linter, parts: list[str]) -> None:
    _check_spans(linter, "page.html", "<p>Book a consultation at our clinic.</p>" + "".join(parts))


# The formats that read copy out of code, data and templates: the same claim, the same
# variants, at the exact place. Each page is built from parts, and the claim's offset is
# the sum of the lengths before it; lines and columns follow from that offset.

def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and code-point column of an offset the test constructed."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _structured_page(fmt: str, v: Variant) -> tuple[str, str, int, int]:
    """``(file name, text, claim start offset, claim end offset)`` for ``fmt``."""
    nl = v.newline
    before, gap = v.before, v.gap
    indent = ""
    if fmt in ("frontmatter", "yaml"):  # block scalar lines keep their indentation
        indent = "    "
        gap = gap.replace("\n", "\n" + indent)
    if fmt == "json":  # JSON strings hold tabs and line breaks only as escapes
        escapes = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}
        before = "".join(escapes.get(c, c) for c in before)
        gap = "".join(escapes.get(c, c) for c in gap)
    claim = f"extremely{gap}safe"
    lead = f"{indent}{before}{LEAD}"
    if fmt in ("tsx", "jsx"):
        head = (f'import Hero from "./extremely-safe";{nl}{nl}export default function Page() {{{nl}'
                f'  return ({nl}    <main className="extremely safe">{nl}'
                f'      <Hero title="Book a consultation today." href="/extremely safe" />{nl}'
                f"      <p>{nl}")
        tail = f".{nl}      </p>{nl}    </main>{nl}  );{nl}}}{nl}"
        name = f"page.{fmt}"
    elif fmt == "ts":
        head = (f'import {{ extremely }} from "extremely safe";{nl}export const faqs = [{nl}'
                f'  {{{nl}    question: "Is it safe?",{nl}    href: "/extremely safe",{nl}'
                f"    answer: `{nl}")
        tail = f".{nl}`,{nl}  }},{nl}];{nl}"
        name = "lib/faqs.ts"
    elif fmt == "frontmatter":
        head = (f"---{nl}title: Knee care{nl}hero:{nl}  image: /img/extremely safe.png{nl}"
                f"  extremely safe: true{nl}  text: >{nl}")
        tail = f".{nl}---{nl}Book a consultation at our clinic.{nl}"
        name = "page.md"
    elif fmt == "yaml":
        head = (f"- name: Knee care{nl}  url: https://example.org/extremely-safe{nl}"
                f"  extremely safe: yes{nl}  description: >-{nl}")
        tail = f".{nl}"
        name = "_data/services.yml"
    elif fmt == "json":
        head = (f'{{{nl}  "extremely safe": "https://example.org/extremely-safe",{nl}'
                f'  "items": [{nl}    {{"id": "extremely-safe", "answer": "')
        tail = f'."}}{nl}  ]{nl}}}{nl}'
        name = "content/faq.json"
    elif fmt == "liquid":
        head = (f"---{nl}layout: extremely-safe{nl}---{nl}"
                f"{{% comment %}} extremely safe {{% endcomment %}}{nl}"
                f'<div class="extremely safe {{{{ page.class }}}}">{nl}'
                f'  {{% assign note = "extremely safe" %}}{{{{ "extremely safe" | upcase }}}}{nl}'
                f"  <p>{nl}")
        tail = f".{nl}  </p>{nl}</div>{nl}"
        name = "_layouts/page.html"
    elif fmt == "gotemplate":
        head = (f'{{{{ define "main" }}}}{nl}{{{{- /* extremely safe */ -}}}}{nl}'
                f'<article class="extremely-safe">{nl}  {{{{ $note := "extremely safe" }}}}{nl}'
                f"  <h1>{{{{ .Title }}}}</h1>{nl}  <p>{nl}")
        tail = f".{nl}  </p>{nl}</article>{nl}{{{{ end }}}}{nl}"
        name = "layouts/_default/single.html"
    else:  # astro
        head = (f'---{nl}import Layout from "../layouts/extremely-safe.astro";{nl}'
                f'const note = "extremely safe";{nl}---{nl}'
                f'<Layout title="Knee care" image="/extremely safe.png">{nl}'
                f'  <h1 class="extremely safe">{{note}}</h1>{nl}  <p>{nl}')
        tail = f".{nl}  </p>{nl}</Layout>{nl}"
        name = "page.astro"
    start = len(head) + len(lead)
    text = head + lead + claim + tail
    return name, ("\ufeff" if v.bom else "") + text, start, start + len(claim)


STRUCTURED = ["tsx", "jsx", "ts", "frontmatter", "yaml", "json", "liquid", "gotemplate", "astro"]


@pytest.mark.parametrize("fmt", STRUCTURED)
@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_claim_in_code_data_and_templates_is_at_the_exact_position(
        tmp_path: Path, linter: Linter, fmt: str, variant: Variant) -> None:
    name, text, start, end = _structured_page(fmt, variant)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    found = _lint(tmp_path, linter, name, text)
    source = text.removeprefix("\ufeff")
    assert len(found) == 1, [f"{d.start} {d.message}" for d in found]
    assert (found[0].start.line, found[0].start.column) == _line_column(source, start)
    assert (found[0].end.line, found[0].end.column) == _line_column(source, end)


@pytest.mark.parametrize(("name", "text"), [
    ("page.tsx", 'import x from "extremely safe";\nconst a = <p className="extremely safe" '
                 'href="https://e.org/extremely-safe" data-note="extremely safe">Book our clinic.'
                 '</p>;\nconst b = { extremelySafe: 1, "extremely safe": 2, '
                 'id: "extremely safe" };\n'
                 'const c = t("extremely safe");\nconst d = <code>extremely safe</code>;\n'),
    ("page.ts", 'export * from "extremely safe";\nconst k = require("extremely safe");\n'
                'type T = "extremely safe";\n'
                'const u = { href: "/extremely safe", title: "Our clinic" };\n'),
    ("page.astro", '---\nconst a = "extremely safe";\n---\n'
                   '<p class="extremely safe">{"extremely safe"}'
                   ' Book our clinic.</p>\n<script>const x = "extremely safe";</script>\n'
                   '<style>.extremely-safe { color: red }</style>\n'),
    ("_layouts/page.html", '---\nlayout: extremely safe\n---\n<p>{{ "extremely safe" }} {% if '
                           'extremely safe %}Book our clinic.{% endif %}</p>\n'
                           '{# extremely safe #}{% raw %}extremely safe{% endraw %}\n'),
    ("page.php", '<p>Book our clinic. <?php echo "extremely safe"; ?></p>\n'
                 '<?= $extremely_safe ?>\n'),
    ("_data/info.yml", 'extremely safe: https://e.org/extremely-safe\nurl: "extremely safe"\n'
                       'title: Our clinic\n'),
    ("data/info.json", '{"extremely safe": "Our clinic", "href": "extremely safe"}\n'),
    ("data/info.toml", '"extremely safe" = "Our clinic"\nlink = "extremely safe"\n'),
])
def test_code_keys_and_template_syntax_are_not_prose(tmp_path: Path, linter: Linter, name: str,
                                                     text: str) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    assert _lint(tmp_path, linter, name, text) == []


@pytest.mark.parametrize(("name", "inline"), [
    ("page.tsx", ("<strong>", "</strong>")),
    ("page.jsx", ("<a href=\"/book\">", "</a>")),
    ("page.astro", ("<b>", "</b>")),
    ("_layouts/page.html", ("<em>", "</em>")),
    ("_layouts/page.html", ("{{ x }}", "{% endif %}")),
])
def test_inline_markup_in_new_formats_does_not_break_the_claim(
        tmp_path: Path, linter: Linter, name: str, inline: tuple[str, str]) -> None:
    head = "<main>\n<p>\n" if not name.endswith("x") else "export const A = () => (<main>\n<p>\n"
    tail = "\n</p>\n</main>\n" + (");\n" if name.endswith("x") else "")
    line = f"{LEAD}{inline[0]}extremely{inline[1]} safe."
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    found = _lint(tmp_path, linter, name, head + line + tail)
    assert len(found) == 1
    assert (found[0].start.line, found[0].start.column) == (3, len(LEAD) + len(inline[0]) + 1)
    assert found[0].end.column == len(line)
