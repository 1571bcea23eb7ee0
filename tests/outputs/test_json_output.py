"""The JSON output: written a piece at a time, the same text as one ``json.dumps``."""

from __future__ import annotations

import json

import pytest

from healthlint.builtin.outputs import json as json_output
from healthlint.builtin.outputs.json import JsonOutput
from outputs.builders import flag, render, report, result, sample_report


def test_a_report_written_in_many_pieces_is_the_text_of_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    whole = render(JsonOutput(), sample_report())
    monkeypatch.setattr(json_output, "WRITE_CHARS", 40)
    assert render(JsonOutput(), sample_report()) == whole
    assert whole.endswith("}\n") and json.loads(whole)["diagnostics"]


def test_lone_surrogates_become_replacement_characters_in_every_piece(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_output, "WRITE_CHARS", 16)
    source = "Cures eczema.\n"
    message = "surrogate \udcff, " * 20
    text = render(JsonOutput(), report(
        result("a.md", source, [flag("a.md", source, "Cures", "HL104", message=message)])))
    text.encode("utf-8")  # strict: no surrogate is left
    assert json.loads(text)["diagnostics"][0]["message"] == message.replace("\udcff", "\ufffd")
