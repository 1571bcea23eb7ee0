"""The built-in document formats."""

from __future__ import annotations

from collections.abc import Callable

from healthlint import hookimpl
from healthlint.builtin.formats.text import TextFormat
from healthlint.types import DocumentFormat


@hookimpl
def healthlint_register_formats(register: Callable[[DocumentFormat], None]) -> None:
    register(TextFormat())
