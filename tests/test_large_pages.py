"""Huge pages take the memory-bounded paths (evidence answered from the hit index, the
prose view joined in chunks); findings must be exactly those of the ordinary paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint import evidence
from healthlint.builtin.formats import _prose
from healthlint.engine import Linter
from healthlint.evidence import Analysis

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


def _page() -> str:
    # The example pages one after another, four times: a hundred sentences, many rules firing.
    pages = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.iterdir())
             if path.suffix in (".md", ".txt")]
    return "\n\n".join(pages * 4)


def _ordinary_and_huge(linter: Linter, monkeypatch: pytest.MonkeyPatch
                       ) -> tuple[Analysis, Analysis]:
    """The example page analysed twice over the same hits: at the ordinary memo limit, its
    sentences worked out before the limit is lowered, and past a lowered one."""
    document = linter.format_for("page.md").parse(_page(), "page.md")  # type: ignore[union-attr]
    scanner = linter.lexicon.scanner
    hits = scanner.scan(document.prose)
    ordinary = Analysis(document, hits, scanner.ids)
    assert len(ordinary.sentences) >= 100 and not ordinary._huge
    monkeypatch.setattr(evidence, "MEMO_SENTENCES", 4)
    huge = Analysis(document, hits, scanner.ids)
    assert huge._huge
    return ordinary, huge


@pytest.mark.parametrize("unindexed", [False, True], ids=["memo limit", "every limit"])
def test_a_page_past_the_size_limits_gets_the_same_findings(
        linter: Linter, monkeypatch: pytest.MonkeyPatch, unindexed: bool) -> None:
    from healthlint import scan

    text = _page()
    ordinary = linter.lint_text(text, "page.md")
    assert len(ordinary.diagnostics) > 5
    # Sentences packed in arrays, each sentence's hits answered from the hit index.
    monkeypatch.setattr(evidence, "MEMO_SENTENCES", 4)
    if unindexed:  # hits held compactly too, and shapes run over the unindexed page
        monkeypatch.setattr(scan, "INDEXED_PAGE", 100)
    bounded = linter.lint_text(text, "page.md")
    assert bounded.diagnostics == ordinary.diagnostics
    assert bounded.dropped == ordinary.dropped
    assert bounded.errors == ordinary.errors


def test_the_hit_index_answers_like_the_sentence_tables(
        linter: Linter, monkeypatch: pytest.MonkeyPatch) -> None:
    tables, index = _ordinary_and_huge(linter, monkeypatch)
    scanner = linter.lexicon.scanner
    checked = 0
    for sentence in index.sentences:
        table = tables.sentence_classes(sentence)
        view = index.sentence_classes(sentence)
        assert isinstance(table, dict) and not isinstance(view, dict)  # a table, the index
        assert list(view) == list(table)
        assert len(view) == len(table)
        assert dict(view.items()) == {c: list(m) for c, m in table.items()}
        for class_id in range(len(scanner.names)):
            assert (class_id in view) == (class_id in table)
            assert list(view.get(class_id, ())) == list(table.get(class_id, ()))
        assert -1 not in view
        checked += bool(table)
    assert checked > 40


def test_the_prose_view_joined_in_small_chunks_is_the_same(
        linter: Linter, monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = linter.format_for("page.md")
    assert fmt is not None
    text = _page()
    whole = fmt.parse(text, "page.md")
    monkeypatch.setattr(_prose, "_CHUNK", 7)
    chunked = fmt.parse(text, "page.md")
    assert chunked.prose == whole.prose
    assert chunked.blocks == whole.blocks
    assert len(whole.prose) == len(text)


def test_a_hit_running_past_its_sentence_is_in_neither(monkeypatch: pytest.MonkeyPatch) -> None:
    from healthlint.terms import Hits
    from healthlint.types import Block, Document, Span

    text = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota."
    document = Document("p.txt", text, text, (Block(Span(0, len(text)), "paragraph"),), "text")
    names = ("one", "two")
    # "gamma. Delta" crosses the first sentence's end; "beta" and "zeta" lie inside.
    found = [(6, 10, 0), (11, 24, 1), (32, 36, 0)]
    ids = {name: index for index, name in enumerate(names)}
    tables = Analysis(document, Hits(names, found), ids)
    monkeypatch.setattr(evidence, "MEMO_SENTENCES", 1)
    index = Analysis(document, Hits(names, found), ids)
    assert len(index.sentences) == 3
    for sentence in index.sentences:
        assert dict(index.sentence_classes(sentence).items()) == \
            dict(tables.sentence_classes(sentence).items())
    first, second, _ = index.sentences
    assert 1 not in index.sentence_classes(first)
    assert 1 not in index.sentence_classes(second)
    assert list(index.sentence_classes(first).get(0, ())) == [0]
    assert list(index.sentence_classes(second).get(0, ())) == [2]


def test_packed_sentences_read_like_the_list(
        linter: Linter, monkeypatch: pytest.MonkeyPatch) -> None:
    listed, packed = _ordinary_and_huge(linter, monkeypatch)
    document, scanner = listed.document, linter.lexicon.scanner
    assert isinstance(listed.sentences, list)
    assert not isinstance(packed.sentences, list)
    assert len(packed.sentences) == len(listed.sentences)
    assert list(packed.sentences) == listed.sentences
    assert [packed.sentences[i] for i in range(len(listed.sentences))] == listed.sentences
    assert packed.sentences[-1] == listed.sentences[-1]
    assert packed.sentences[3:40:7] == listed.sentences[3:40:7]
    with pytest.raises(IndexError):
        packed.sentences[len(listed.sentences)]
    assert len(packed.block_sentences) == len(listed.block_sentences) == len(document.blocks)
    assert [list(b) for b in packed.block_sentences] == [list(b) for b in listed.block_sentences]
    assert packed.block_sentences[-1] == listed.block_sentences[-1]
    for offset in range(0, len(document.prose), 97):
        assert packed.sentence_at(offset) == listed.sentence_at(offset)
    every = range(len(scanner.names))
    assert packed.sentences_with(every) == listed.sentences_with(every)
