"""The built-in document formats."""

from __future__ import annotations

from collections.abc import Callable

from healthlint import hookimpl
from healthlint.builtin.formats.astro import AstroFormat
from healthlint.builtin.formats.data import DataFormat
from healthlint.builtin.formats.html import HtmlFormat
from healthlint.builtin.formats.jsx import JsxFormat
from healthlint.builtin.formats.markdown import MarkdownFormat
from healthlint.builtin.formats.mdx import MdxFormat
from healthlint.builtin.formats.template import TemplateFormat
from healthlint.builtin.formats.text import TextFormat
from healthlint.types import DocumentFormat


@hookimpl
def healthlint_register_formats(register: Callable[[DocumentFormat], None]) -> None:
    register(TextFormat())
    register(MarkdownFormat())
    register(MdxFormat())
    register(HtmlFormat())
    register(TemplateFormat())
    register(JsxFormat())
    register(AstroFormat())
    register(DataFormat())
