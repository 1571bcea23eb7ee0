"""Astro components: the script fence skipped, expressions blanked, components as block
boundaries with their published props linted."""

from __future__ import annotations

from healthlint.builtin.formats.astro import AstroFormat

from .helpers import assert_contract, at, blocks, visible

PAGE = """---
import Layout from "../layouts/Layout.astro";
// healthlint-disable-file HL112 -- the layout carries the disclaimer
const { title } = Astro.props;
const note = "Hidden in the script";
---
<Layout title="Calm knee care" image="/img/knee.png" description={"Relief, gently"}>
  <h1 class:list={["big", { active: title > 1 }]}>{title}</h1>
  {/* healthlint-disable-next-line HL104 */}
  <p>Our team is <b>kind</b> and {name} quick.</p>
  <Card>First card</Card><Card>Second card</Card>
  {items.map((item) => <li>{item.text} hidden</li>)}
  <style>p { color: red; }</style>
  <script>const x = { a: "Hidden in a script" };</script>
</Layout>
"""


def test_template_prose_props_and_comments() -> None:
    document = AstroFormat().parse(PAGE, "page.astro")
    assert_contract(document)
    assert blocks(document) == [
        ("field", "Calm knee care"),
        ("field", "Relief, gently"),
        ("paragraph", "Our team is kind and quick."),
        ("paragraph", "First card"),
        ("paragraph", "Second card"),
    ]
    assert document.blocks[0].span.start == at(document, "Calm knee care")
    assert "Hidden" not in visible(document) and "hidden" not in visible(document)
    assert [comment.text for comment in document.comments] == [
        "healthlint-disable-file HL112 -- the layout carries the disclaimer",
        "healthlint-disable-next-line HL104",
    ]
    assert not document.problems


def test_published_props_are_configurable() -> None:
    source = '<Tip tooltip="Shown here" title="Not this" />\n'
    document = AstroFormat().configured({"published-props": ["tooltip"]}).parse(source, "a.astro")
    assert blocks(document) == [("field", "Shown here")]


def test_a_file_without_a_script_fence_and_an_unclosed_one() -> None:
    assert blocks(AstroFormat().parse("<p>Only a template</p>\n", "a.astro")) == [
        ("paragraph", "Only a template")]
    document = AstroFormat().parse("---\nconst a = 1;\n<p>Never reached</p>\n", "a.astro")
    assert_contract(document)
    assert blocks(document) == []
    assert "never closed" in document.problems[0].message


def test_a_component_inside_an_unclosed_title_shows_its_own_name() -> None:
    # <title> holds text, not tags: the component the reader renamed for the HTML parser is
    # shown as the page wrote it (found by the fuzz suite: the stand-in name leaked).
    source = "<title><Hero title='Cures pain' />"
    document = AstroFormat().parse(source, "page.astro")
    assert_contract(document)
    assert "<Hero" in document.prose and "<div" not in document.prose
