"""JavaScript, TypeScript, JSX and TSX: JSX text, published props and fields, content
modules, and everything that is code staying blank."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from healthlint.builtin.formats import _jsx
from healthlint.builtin.formats.jsx import JsxFormat, grammar_for
from healthlint.engine import Linter

from .helpers import assert_contract, at, blocks, visible


def parse(source: str, path: str = "page.tsx", fmt: JsxFormat | None = None):
    document = (fmt or JsxFormat()).parse(source, path)
    assert_contract(document)
    return document


def test_jsx_text_blocks_split_at_block_elements_not_inline_ones() -> None:
    document = parse(
        "export default function Page() {\n"
        "  return (\n"
        '    <section className="hero wide">\n'
        "      <h1>Gentle knee care</h1>\n"
        "      <p>Our drips are <strong>very</strong> calming &amp; quick.<br />Book now</p>\n"
        "      <ul><li>Fewer visits</li><li>No downtime</li></ul>\n"
        "    </section>\n"
        "  );\n"
        "}\n"
    )
    assert blocks(document) == [
        ("heading", "Gentle knee care"),
        ("paragraph", "Our drips are very calming & quick."),
        ("paragraph", "Book now"),
        ("list_item", "Fewer visits"),
        ("list_item", "No downtime"),
    ]
    assert "hero" not in visible(document) and "className" not in visible(document)


def test_published_props_and_fields_are_their_own_blocks() -> None:
    document = parse(
        'import Hero from "./Hero";\n'
        "export const metadata = { title: 'Knee clinic',\n"
        "  description: \"Care \\\"you\\\" trust\" };\n"
        "const A = () => (\n"
        '  <Hero title="Relief that lasts" image="/img/knee.png" alt={`Our ${name} team`}\n'
        '        variant="primary" label={ok ? "Book today" : "Call us"} />\n'
        ");\n"
    )
    assert blocks(document) == [
        ("field", "Knee clinic"),
        ("field", 'Care " you" trust'),
        ("field", "Relief that lasts"),
        ("field", "Our team"),
        ("field", "Book today"),
        ("field", "Call us"),
    ]
    title = at(document, "Relief that lasts")
    assert document.blocks[2].span.start == title
    assert "primary" not in visible(document) and "knee.png" not in visible(document)


def test_content_module_strings_are_read_and_machine_values_are_not(tmp_path: Path) -> None:
    source = (
        "export const DRIPS = [\n"
        "  { name: 'MIGRAINE FIGHTER', slug: 'migraine-fighter', price: '$199',\n"
        "    benefits: ['Eases tension', 'Restores fluids'], href: '/drips/migraine',\n"
        "    image: 'migraine.jpg', color: '#ff0055', icon: 'drop' },\n"
        "];\n"
        "export const TAGLINE = `Feel restored today`;\n"
        'export const conditions = ["Menopause", "Fatigue", "heroBanner", "btn_primary"];\n'
    )
    module = parse(source, str(tmp_path / "lib" / "constants.ts"),
                   JsxFormat(root=str(tmp_path)))
    assert [text for _, text in blocks(module)] == [
        "MIGRAINE FIGHTER", "Eases tension", "Restores fluids", "Feel restored today",
        "Menopause", "Fatigue",
    ]
    # Elsewhere only published names count: a variable called TAGLINE is one.
    component = parse(source, str(tmp_path / "components" / "Drips.ts"),
                      JsxFormat(root=str(tmp_path)))
    assert blocks(component) == [("field", "Feel restored today")]


def test_imports_types_and_code_are_never_prose() -> None:
    document = parse(
        'import styles from "./Gentle care.module.css";\n'
        'export { helper } from "./Gentle care";\n'
        'const lazy = import("./Gentle care");\n'
        'type Tone = "Gentle care" | "Other";\n'
        'interface Props { title: "Gentle care" }\n'
        'enum Kind { A = "Gentle care" }\n'
        'const x = <code>Gentle care</code>;\n'
        'const y = <p className="Gentle care" data-x="Gentle care">{"ok"} fine</p>;\n'
    )
    assert "Gentle care" not in visible(document)
    assert blocks(document) == [("paragraph", "ok fine")]


def test_directive_comments_in_both_syntaxes() -> None:
    document = parse(
        "// healthlint-disable-next-line HL104 -- quoted\n"
        "const a = <div>\n"
        "  {/* healthlint-disable-next-line HL116 */}\n"
        "  <p>Text</p>\n"
        "</div>;\n"
        "/* an ordinary comment */\n"
    )
    assert [comment.text for comment in document.comments] == [
        "healthlint-disable-next-line HL104 -- quoted",
        "healthlint-disable-next-line HL116",
    ]


def test_non_ascii_offsets_are_code_points() -> None:
    source = 'const a = <p title="Café 😀">Naïve 😀 “quoted” text</p>;\n'
    document = parse(source, "page.jsx")
    assert blocks(document) == [("field", "Café 😀"), ("paragraph", "Naïve 😀 “quoted” text")]
    assert document.blocks[1].span.start == source.index("Naïve")


def test_syntax_errors_are_a_problem_and_the_rest_is_read() -> None:
    document = parse("const a = <p>Readable text</p>;\nconst b = = 3;\n")
    assert len(document.problems) == 1
    assert document.problems[0].offset >= len("const a = <p>Readable text</p>;\n")
    assert ("paragraph", "Readable text") in blocks(document)


def test_grammar_follows_the_extension() -> None:
    assert [grammar_for(name) for name in ("a.tsx", "a.ts", "a.mts", "a.jsx", "a.js", "a.cjs")] == [
        "tsx", "typescript", "typescript", "javascript", "javascript", "javascript"]
    # A TypeScript cast that the TSX grammar would read as a tag.
    document = parse("const x = <string>value;\nconst t = { title: 'Angle cast' };\n", "a.ts")
    assert blocks(document) == [("field", "Angle cast")]


def test_published_props_are_configurable() -> None:
    fmt = JsxFormat().configured({"published-props": ["tooltip"]})
    document = parse('const a = <Tip tooltip="Shown here" title="Not this" />;\n', fmt=fmt)
    assert blocks(document) == [("field", "Shown here")]


def test_missing_grammars_name_the_extra_to_install(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    _jsx._parser.cache_clear()
    monkeypatch.setitem(sys.modules, "tree_sitter", None)
    try:
        page = tmp_path / "page.tsx"
        page.write_text("const a = <p>Text</p>;\n", encoding="utf-8")
        result = Linter().lint_file(str(page))
    finally:
        _jsx._parser.cache_clear()
    assert [error.severity.name for error in result.errors] == ["ERROR"]
    assert "pip install 'healthlint[jsx]'" in result.errors[0].message
    assert "tree_sitter is not installed" in result.errors[0].message


def test_a_minified_bundle_is_not_read() -> None:
    bundle = "var a=" + ";".join(f'x{n}={{title:"Bundled words {n}"}}' for n in range(400)) + ";\n"
    document = parse(bundle, "static/app.js")
    assert blocks(document) == []
    assert "minified or generated" in document.problems[0].message
    readable = "\n".join(f'const x{n} = {{ title: "Readable words" }};' for n in range(400))
    assert len(blocks(parse(readable, "static/app.js"))) == 400
