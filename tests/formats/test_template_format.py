"""HTML templates: template syntax blanked in every dialect, the HTML between read as
HTML, no warnings caused by template syntax, suppression in each comment syntax."""

from __future__ import annotations

import pytest

from healthlint.builtin.formats.html import HtmlFormat
from healthlint.builtin.formats.template import TemplateFormat, is_template

from .helpers import assert_contract, blocks, visible


def parse(source: str, path: str = "page.liquid"):
    document = TemplateFormat().parse(source, path)
    assert_contract(document)
    return document


@pytest.mark.parametrize(("path", "source"), [
    ("page.liquid", '<p>Calm {{ page.title | upcase }} care{%- if x -%}{%- endif -%}</p>'
                    '{% raw %}<p>{{ code }}</p>{% endraw %}{% schema %}{"a": "<p>x</p>"}'
                    '{% endschema %}'),
    ("page.njk", '<p>Calm {{ "}}" | safe }} care{# note #}{% set x = "<p>" %}</p>'),
    ("single.gohtml", '{{ define "main" }}<p>Calm {{- .Title -}} care</p>{{< figure src="x" >}}'
                      '{{% note %}}{{ end }}'),
    ("page.hbs", '<p>Calm {{{ raw }}} care{{!-- a }} comment --}}{{! short }}</p>{{#each x}}'
                 '{{> partial}}{{/each}}'),
    ("page.erb", '<p>Calm <%= @name %> care<%# note %></p><% if x %><% end %>'),
    ("page.php", '<p>Calm <?php echo "?> not the end"; ?> care<?= $x ?></p><?php if (1): ?>'),
    ("page.blade.php", '@extends("app")\n<p>Calm {{ $x }} care {!! $raw !!}{{-- c --}}</p>\n'
                       '@if(count($a) > 1)<b>@endif\n@php $y = "<p>"; @endphp'),
])
def test_template_syntax_is_blank_and_the_html_is_read(path: str, source: str) -> None:
    document = parse(source, path)
    assert blocks(document)[0] == ("paragraph", "Calm care")
    assert not document.problems, document.problems
    shown = visible(document)
    for code in ("{{", "{%", "<?", "<%", "@if", "endif", "title", "$x", "schema", "code"):
        assert code not in shown, (code, shown)


def test_front_matter_of_jekyll_and_eleventy_templates() -> None:
    document = parse("---\nlayout: base\ntitle: Gentle care\n---\n<p>{{ content }}Hello</p>\n",
                     "page.njk")
    assert blocks(document) == [("front_matter", "Gentle care"), ("paragraph", "Hello")]


def test_directives_in_each_comment_syntax() -> None:
    source = (
        "{% comment %} healthlint-disable-next-line HL101 {% endcomment %}\n"
        "{% # healthlint-disable-next-line HL102 %}\n"
        "{# healthlint-disable-next-line HL103 #}\n"
        "{{/* healthlint-disable-next-line HL104 */}}\n"
        "{{!-- healthlint-disable-next-line HL105 --}}\n"
        "<%# healthlint-disable-next-line HL106 %>\n"
        "<?php /* healthlint-disable-next-line HL107 */ ?>\n"
        "<!-- healthlint-disable-next-line HL108 -->\n"
        "{{ x }}{% if y %}<p>Text</p>{% endif %}\n"
    )
    document = parse(source)
    assert [comment.text.split()[-1] for comment in document.comments] == [
        f"HL10{n}" for n in range(1, 9)]


def test_broken_template_syntax_is_a_problem_but_layout_fragments_are_not() -> None:
    document = parse("</div></section>\n<p>Text {{ unclosed</p>\n<div class='x'>\n")
    assert [problem.message for problem in document.problems] == [
        "template tag '{{' is never closed"]
    assert document.problems[0].offset == len("</div></section>\n<p>Text ")


def test_blade_directives_only_in_blade_files() -> None:
    source = "<p>Write to care@clinic.example or @clinic @if(x) ok</p>\n"
    assert visible(parse(source, "page.blade.php")) == "Write to care@clinic.example or @clinic ok"
    assert visible(parse(source, "page.php")) == "Write to care@clinic.example or @clinic @if(x) ok"


@pytest.mark.parametrize(("path", "source", "template"), [
    ("site/layouts/_default/list.html", "<p>No tags</p>", True),
    ("_includes/footer.html", "<p>No tags</p>", True),
    ("pages/about.html", "<p>Hello {{ name }}</p>", True),
    ("pages/about.html", "---\ntitle: About\n---\n<p>Hi</p>", True),
    ("pages/about.html", "<p>Plain page</p><script>var o = {a: 1};</script>", False),
])
def test_which_html_files_are_templates(path: str, source: str, template: bool) -> None:
    assert is_template(source, path) is template
    document = HtmlFormat().parse(source, path)
    assert_contract(document)
    assert document.format == ("template" if template else "html")


def test_a_layout_fragment_raises_no_unclosed_tag_warning_but_a_page_does() -> None:
    fragment = "<div class='wrap'>\n<main>\n<p>Opened here, closed in the footer"
    assert HtmlFormat().parse(fragment, "layouts/partials/header.html").problems == ()
    assert HtmlFormat().parse(fragment, "pages/header.html").problems != ()
