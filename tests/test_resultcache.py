"""The result cache as users meet it through ``healthlint check``: the same output as an
uncached run, hits across renames and restored CI folders, and no cache entry, planted or
mangled, that can change what a run reports."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import shutil
from array import array
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint import cache as cache_module
from healthlint import runner
from healthlint.cache import CACHE_ENV, Cache
from healthlint.cli import main
from healthlint.engine import Linter
from healthlint.resultcache import cacheable, decode_result, encode_result
from healthlint.terms import DamagedMatcher, Hits, TermMatcher
from healthlint.types import (
    Applicability,
    Diagnostic,
    Edit,
    FileError,
    FileResult,
    Fix,
    Position,
    Severity,
    Span,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
OTHER_UID = 54321


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled example pages in a folder of their own, the current directory, with a
    cache folder of its own and no linter carried over from other tests."""
    folder = tmp_path / "site"
    shutil.copytree(EXAMPLES, folder)
    monkeypatch.chdir(folder)
    use_cache_folder(tmp_path / "cache", monkeypatch)
    return folder


def use_cache_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(folder))
    forget_process_state(monkeypatch)


def forget_process_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process, as far as caching goes: folders are checked again, linters rebuilt
    (so compiled rule data is read from the cache again)."""
    monkeypatch.setattr(cache_module, "_root_verdicts", {})
    monkeypatch.setattr(runner, "_worker_linters", {})


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-config", "-j", "1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def entries(folder: Path) -> dict[str, list[Path]]:
    """Entry files by namespace folder name (``results-v1``)."""
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*/*/*")):
        if len(path.name) == 64:
            found.setdefault(path.parent.parent.name, []).append(path)
    return found


def replant(path: Path, payload: Any) -> None:
    """Rewrite an entry with ``payload`` (bytes as they are, anything else as JSON) and a
    valid header and checksum, as someone who knows the format would."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    Cache(path.parent.parent).put(path.name, data)


def raw(path: Path) -> bytes:
    return path.read_bytes().split(b"\n", 1)[1]


def stored(path: Path) -> Any:
    return json.loads(raw(path))


@dataclasses.dataclass
class Packed:
    """A stored phrase matcher taken apart: the JSON header, the packed per-form arrays
    (offsets into the class ids, the class ids), then the opening words and the sorted
    forms, as lines of text."""

    header: dict[str, Any]
    offsets: list[int]
    ids: list[int]
    first: bytes
    forms: bytes

    def to_bytes(self) -> bytes:
        encoded = json.dumps(self.header).encode()
        arrays = b"".join(array("i", part).tobytes() for part in (self.offsets, self.ids))
        return b"%d\n" % len(encoded) + encoded + arrays + self.first + self.forms

    def changed(self, **fields: Any) -> bytes:
        return dataclasses.replace(self, **fields).to_bytes()


def matcher_parts(data: bytes) -> Packed:
    length, _, rest = data.partition(b"\n")
    header = json.loads(rest[:int(length)])
    position = int(length)
    parts = []
    for size in (header["count"] + 1, header["ids"]):
        part = array("i")
        part.frombytes(rest[position:position + size * part.itemsize])
        parts.append(list(part))
        position += size * part.itemsize
    first = rest[position:position + header["first"]]
    return Packed(header, parts[0], parts[1], first, rest[position + header["first"]:])


def matcher_bytes(header: Any, tail: bytes) -> bytes:
    """A header of any value, then ``tail`` (packed arrays and forms, or anything)."""
    encoded = json.dumps(header).encode()
    return b"%d\n" % len(encoded) + encoded + tail


def explode_if_linted(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> FileResult:
        raise AssertionError("a file was linted instead of read from the cache")

    monkeypatch.setattr(Linter, "lint_text", explode)


# Same output, cached or not --------------------------------------------------------------


@pytest.mark.parametrize("output", ["json", "full", "concise", "sarif"])
def test_a_cached_run_prints_exactly_what_an_uncached_run_prints(
        site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        output: str) -> None:
    uncached = check(capsys, "--no-cache", "--output-format", output, ".")
    assert uncached[0] == 1 and "HL1" in uncached[1]
    assert check(capsys, "--output-format", output, ".") == uncached  # cold: fills the cache
    assert len(entries(site.parent / "cache")["results-v1"]) == 4
    explode_if_linted(monkeypatch)
    assert check(capsys, "--output-format", output, ".") == uncached  # warm: every file a hit


def test_a_rerun_over_an_unchanged_tree_reads_no_compiled_matcher(
        site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The phrase matcher is the largest entry, and a run whose pages all come from the
    cache has no page to scan: it is read only when a page is linted."""
    cold = check(capsys, "--output-format", "json", ".")
    forget_process_state(monkeypatch)
    loaded: list[bytes] = []
    original = TermMatcher.from_bytes

    def counting(data: bytes) -> TermMatcher | None:
        loaded.append(data)
        return original(data)

    monkeypatch.setattr(TermMatcher, "from_bytes", staticmethod(counting))
    assert check(capsys, "--output-format", "json", ".") == cold
    assert loaded == []
    page = site / "chiropractic.txt"
    page.write_text(page.read_text() + "\nOur adjustments are risk-free.\n")
    check(capsys, ".")
    assert len(loaded) == 1


def test_results_follow_renamed_files_and_a_tree_restored_elsewhere(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    check(capsys, ".")
    # CI: the same tree checked out at another absolute path, the cache folder restored.
    elsewhere = tmp_path / "ci" / "checkout"
    shutil.copytree(site, elsewhere)
    (elsewhere / "chiropractic.txt").rename(elsewhere / "renamed.txt")
    shutil.copytree(tmp_path / "cache", tmp_path / "restored")
    monkeypatch.chdir(elsewhere)
    expected = check(capsys, "--no-cache", "--output-format", "json", ".")
    assert "renamed.txt" in expected[1]
    use_cache_folder(tmp_path / "restored", monkeypatch)
    explode_if_linted(monkeypatch)
    assert check(capsys, "--output-format", "json", ".") == expected


def test_a_changed_page_setting_or_rule_is_linted_again(
        site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    linted: list[str] = []
    original = Linter.lint_bytes

    def counting(self: Linter, data: bytes, path: str, **kwargs: Any) -> FileResult:
        linted.append(Path(path).name)
        return original(self, data, path, **kwargs)

    monkeypatch.setattr(Linter, "lint_bytes", counting)
    check(capsys, ".")
    assert len(linted) == 4
    linted.clear()
    page = site / "chiropractic.txt"
    page.write_text(page.read_text() + "\nOur adjustments are risk-free.\n")
    out = check(capsys, "--output-format", "json", ".")[1]
    assert linted == ["chiropractic.txt"]
    assert out == check(capsys, "--no-cache", "--output-format", "json", ".")[1]
    linted.clear()
    check(capsys, "--severity", "HL104=info", ".")
    assert sorted(linted) == sorted(p.name for p in site.iterdir())
    # A local rule pack, and a vocabulary of the user's (beside the site, so that they are
    # not pages themselves): editing a term file, a shapes file or the vocabulary changes
    # the rule set.
    pages = sorted(p.name for p in site.iterdir())
    (site.parent / "house" / "terms").mkdir(parents=True)
    terms = site.parent / "house" / "terms" / "house_terms.txt"
    terms.write_text("qqzzq\n")
    shapes = site.parent / "house" / "shapes.yaml"
    shapes.write_text("shapes:\n  house_code: 'QQ-\\d{4}'\n")
    vocabulary = site.parent / "vocab.yaml"
    vocabulary.write_text("vocabularies:\n  house_words:\n    terms: [zzqqz]\n")
    (site / ".healthlint.yaml").write_text("rules: [../house]\nvocabularies: [../vocab.yaml]\n")
    for edit in (None, lambda: terms.write_text("qqzzq\nzzqqz\n"),
                 lambda: shapes.write_text("shapes:\n  house_code: 'QQ-\\d{5}'\n"),
                 lambda: vocabulary.write_text(
                     "vocabularies:\n  house_words:\n    terms: [zzqqz, qqqq]\n")):
        if edit is not None:
            edit()
        linted.clear()
        main(["check", "-j", "1", "."])
        assert sorted(linted) == pages, edit
        linted.clear()
        main(["check", "-j", "1", "."])
        assert linted == []
    capsys.readouterr()


def test_the_rule_set_digest_covers_every_installed_packs_taxonomy(tmp_path: Path) -> None:
    """Categories an installed pack declares apply to every rule, so its ``pack.yaml`` is part
    of the rule set even when its own rules are not enabled."""
    from healthlint import hookimpl
    from healthlint.config import Settings
    from healthlint.resultcache import ruleset_digest
    from healthlint.types import RulePack

    extra = tmp_path / "extra"
    extra.mkdir()
    declaration = extra / "pack.yaml"
    declaration.write_text("categories:\n  - slug: house-category\n    document_level: false\n")

    class Extra:
        @hookimpl
        def healthlint_register_rule_packs(self, register: Any) -> None:
            register(RulePack("extra", str(extra), "an installed pack"))

    def digest() -> str:
        linter = Linter(Settings(packs=("health",)), extra_plugins=[("extra", Extra())])
        assert "house-category" in linter.ruleset.categories
        return ruleset_digest(linter)

    first = digest()
    assert digest() == first
    declaration.write_text("categories:\n  - slug: house-category\n    document_level: true\n")
    assert digest() != first


def test_a_file_moved_under_a_per_path_setting_is_linted_again(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / ".healthlint.yaml").write_text(
        "per-path:\n  - paths: ['blog/**']\n    severity: {HL113: info}\n")
    def run(*extra: str) -> str:
        main(["check", "-j", "1", "--output-format", "json", *extra, "."])
        return capsys.readouterr().out

    run()
    (site / "blog").mkdir()
    (site / "chiropractic.txt").rename(site / "blog" / "chiropractic.txt")
    cached = run()
    assert cached == run("--no-cache")
    moved = [d for d in json.loads(cached)["diagnostics"] if d["path"].startswith("blog")]
    assert {d["severity"] for d in moved if d["code"] == "HL113"} == {"info"}


def test_a_result_that_quotes_its_own_path_is_not_cached(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claim = "Our clinic offers injections that are risk-free.\n"
    (site / "risk-free").write_text(claim)  # the finding quotes "risk-free"
    (site / "page").write_text(claim)
    assert "risk-free" in check(capsys, "--format", "text", "risk-free")[1]
    assert "results-v1" not in entries(site.parent / "cache")
    check(capsys, "--format", "text", "page")
    assert len(entries(site.parent / "cache")["results-v1"]) == 1


def test_files_that_could_not_be_linted_are_not_cached(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "binary.md").write_bytes(b"\x00\x01 not text")
    (site / "latin1.txt").write_bytes("Caf\xe9 risk-free\n".encode("latin-1"))
    code, out, _ = check(capsys, "--output-format", "json", ".")
    assert code == 2 and len(json.loads(out)["errors"]) == 2
    assert len(entries(site.parent / "cache")["results-v1"]) == 4
    timed_out = FileResult("p.md", errors=[FileError("p.md", "rule X was stopped")], source="")
    assert not cacheable(timed_out)
    malformed = FileResult("p.md", errors=[FileError("p.md", "unclosed tag", 1, 1,
                                                     Severity.WARNING)], source="")
    assert cacheable(malformed)


def test_no_cache_neither_reads_nor_writes_results(
        site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    check(capsys, "--no-cache", ".")
    assert "results-v1" not in entries(site.parent / "cache")
    assert main(["baseline", "--no-cache", "--no-config", "-o", "base.json", "."]) == 0
    assert "results-v1" not in entries(site.parent / "cache")
    check(capsys, ".")
    explode_if_linted(monkeypatch)
    code, out, _ = check(capsys, "--no-cache", "--output-format", "concise", ".")
    assert code == 3 and "a file was linted instead of read from the cache" in out


# No cache entry changes a result ---------------------------------------------------------


RESULT_FIELDS = [f.name for f in dataclasses.fields(FileResult) if f.name not in ("path", "source")]
DIAGNOSTIC_FIELDS = [f.name for f in dataclasses.fields(Diagnostic) if f.name != "path"]
NO_FINDINGS = {"r": [[] for _ in RESULT_FIELDS], "s": None}


def silencing(namespace: str, path: Path) -> Any:
    """What a hostile writer would store: a phrase matcher whose phrases belong to no class
    (it finds nothing), every page without findings."""
    if namespace.startswith("lexicon"):
        packed = matcher_parts(raw(path))
        header = {**packed.header, "ids": 0, "exact": {}}
        return packed.changed(header=header, offsets=[0] * len(packed.offsets), ids=[])
    return NO_FINDINGS


@pytest.mark.parametrize("refusal", ["another user", "writable by others", "writable by group"])
def test_a_planted_entry_in_a_shared_cache_folder_silences_nothing(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, refusal: str) -> None:
    reference = check(capsys, "--no-cache", "--output-format", "json", ".")
    assert json.loads(reference[1])["diagnostics"]
    check(capsys, ".")  # a run of our own tells the attacker every key
    # Another user prepares healthlint's folder in a shared XDG_CACHE_HOME, with entries
    # that verify, and leaves it as it would be in their hands.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    planted = shared / "healthlint"
    shutil.copytree(tmp_path / "cache", planted)
    for namespace, paths in entries(planted).items():
        for path in paths:
            replant(path, silencing(namespace, path))
    if refusal == "another user":
        planted.chmod(0o755)
        if os.geteuid() == 0:
            os.chown(planted, OTHER_UID, OTHER_UID)
        else:
            monkeypatch.setattr(cache_module, "_uid", lambda: OTHER_UID)
    else:
        planted.chmod(0o777 if refusal == "writable by others" else 0o770)
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    forget_process_state(monkeypatch)

    code, out, err = check(capsys, "--output-format", "json", ".")
    assert (code, out) == reference[:2]
    assert err.count("healthlint: warning:") == 1
    assert f"not using the cache folder {planted}" in err

    # The refusal is what protects: the same entries in a folder of our own would be read.
    if refusal == "another user" and os.geteuid() == 0:
        os.chown(planted, os.getuid(), os.getgid())
    monkeypatch.setattr(cache_module, "_uid", os.getuid)
    planted.chmod(0o700)
    forget_process_state(monkeypatch)
    assert json.loads(check(capsys, "--output-format", "json", ".")[1])["diagnostics"] == []


def wrong_matchers(good: bytes) -> list[bytes]:
    """Phrase matchers that verify but are not what the lexicon writes, made from a ``good``
    one: each would fail or report classes that do not exist if it were used."""
    packed = matcher_parts(good)
    header, names = packed.header, packed.header["names"]

    def with_header(**fields: Any) -> bytes:
        return packed.changed(header={**header, **fields})

    def with_exact(entry: Any) -> bytes:
        return with_header(exact={**header["exact"], "0": entry})

    rising = packed.offsets
    swapped = [rising[0], rising[2], rising[1], *rising[3:]]
    forms = packed.forms.split(b"\n")
    return [
        b"",
        b"x\n{}",
        b"6\n[1, 2]" + packed.forms,                    # a list for a header
        with_header(names="abc"),                       # a string for the names
        with_header(names=[*names[:-1], names[0]]),     # a class named twice
        with_header(names=[*names, 7]),                 # a number for a name
        with_header(extra=True),
        with_header(first="abc"),                       # a string for a length
        with_header(first=-1),
        with_header(count=header["count"] - 1),         # one value fewer than forms
        with_header(count=header["count"] + 1),         # one more
        with_header(count="7"),
        with_header(itemsize=8),                        # arrays written on another machine
        with_header(byteorder="middle"),
        packed.changed(ids=[len(names), *packed.ids[1:]]),  # a class that does not exist
        packed.changed(ids=[-1, *packed.ids[1:]]),
        packed.changed(offsets=swapped),                    # offsets that fall back
        packed.changed(offsets=[0, len(packed.ids) + 5, *rising[2:]]),  # past the ids
        with_exact([["Phrase", [10**6]]]),              # a case-sensitive phrase's class
        with_exact([[7, [0]]]),
        with_header(exact={str(header["count"]): [["Phrase", [0]]]}),  # past the last form
        packed.changed(forms=b"\n".join(forms[: len(forms) // 2])),  # forms missing
        packed.changed(forms=b"\n".join([forms[0], *forms[:-1]])),    # a form twice
        packed.changed(forms=b"\n".join([forms[1], forms[0], *forms[2:]])),  # out of order
        packed.changed(forms=b"\n".join([b"", *forms[1:]])),           # an empty form
        packed.changed(forms=packed.forms[:-1] + b"\xff"),            # not UTF-8
        packed.changed(forms=b""),
    ]


def with_a_fix_first(paths: list[Path]) -> dict[str, Any]:
    """A stored result whose first finding carries a fix."""
    diagnostics, fix = RESULT_FIELDS.index("diagnostics"), DIAGNOSTIC_FIELDS.index("fix")
    for path in paths:
        payload = stored(path)
        found = payload["r"][diagnostics]
        fixed = [d for d in found if d[fix] is not None]
        if fixed:
            payload["r"][diagnostics] = fixed + [d for d in found if d[fix] is None]
            return payload
    raise AssertionError("no example page has a finding with a fix")


def wrong_results(valid: dict[str, Any]) -> list[Any]:
    """Entries that verify but hold values of the wrong type or range, made from a ``valid``
    one with at least one finding and one fix."""
    diagnostics = RESULT_FIELDS.index("diagnostics")

    def changed(name: str, value: Any) -> Any:
        payload = copy.deepcopy(valid)
        payload["r"][diagnostics][0][DIAGNOSTIC_FIELDS.index(name)] = value
        return payload

    def error(severity: int, internal: bool) -> Any:
        payload = copy.deepcopy(NO_FINDINGS)
        payload["r"][RESULT_FIELDS.index("errors")] = [["m", None, None, severity, internal]]
        return payload

    fix = valid["r"][diagnostics][0][DIAGNOSTIC_FIELDS.index("fix")]
    assert fix is not None
    return [
        [],
        {"r": "none", "s": None},
        {**NO_FINDINGS, "extra": True},
        {**NO_FINDINGS, "s": 7},
        {"r": [[]], "s": None},                             # a field missing
        changed("severity", 9),                             # no such severity
        changed("severity", True),                          # a bool is not a severity
        changed("span", [0, 10**7]),                        # past the end of the page
        changed("span", [-1, 4]),
        changed("start", [0, 1]),                           # lines and columns start at 1
        changed("message", ["m"]),
        changed("code", None),
        changed("fix", [[[[0, 10**7], "x"]], fix[1], fix[2]]),  # an edit past the end
        changed("fix", [fix[0], 7, fix[2]]),                # no such applicability
        error(3, False),                                    # an error is never stored
        error(2, True),                                     # nor an internal one
    ]


def test_wrong_typed_values_never_change_results_nor_crash(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    reference = check(capsys, "--no-cache", "--output-format", "json", ".")
    check(capsys, ".")
    folder = tmp_path / "cache"
    [matcher] = entries(folder)["lexicon-v4"]
    good = raw(matcher)
    assert TermMatcher.from_bytes(good) is not None
    bad_results = wrong_results(with_a_fix_first(entries(folder)["results-v1"]))
    bad_matchers = wrong_matchers(good)
    for index, bad_matcher in enumerate(bad_matchers):
        loaded = TermMatcher.from_bytes(bad_matcher)
        # Refused when read, or (a class id that does not exist) when a page meets the form.
        assert loaded is None or damaged_when_met(loaded), index
    # Four runs of four pages give every bad result a page; the matcher is replaced as well.
    for run in range(4):
        replant(matcher, bad_matchers[run * 5 % len(bad_matchers)])
        for index, path in enumerate(entries(folder)["results-v1"]):
            replant(path, bad_results[(run * 4 + index) % len(bad_results)])
        forget_process_state(monkeypatch)
        code, out, err = check(capsys, "--output-format", "json", ".")
        assert (code, out) == reference[:2], run
        assert "Traceback" not in err
    # Every mangled entry was replaced by a good one: now all are hits.
    explode_if_linted(monkeypatch)
    forget_process_state(monkeypatch)
    assert check(capsys, "--output-format", "json", ".")[:2] == reference[:2]


def hit_list(hits: Hits) -> list[tuple[int, int, int]]:
    return sorted((hits.starts[i], hits.ends[i], hits.classes[i]) for i in range(len(hits)))


def damaged_when_met(matcher: TermMatcher) -> bool:
    try:
        for index in range(matcher.size):
            matcher._values[index]
    except DamagedMatcher:
        return True
    return False


def test_a_damaged_matcher_met_on_a_page_is_compiled_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    text = "Our stem cell therapy cures arthritis and is risk-free."
    expected = hit_list(Linter().lexicon.scanner.scan(text))
    [entry] = entries(tmp_path)["lexicon-v4"]
    packed = matcher_parts(raw(entry))
    replant(entry, packed.changed(ids=[len(packed.header["names"]) + 5] * len(packed.ids)))
    forget_process_state(monkeypatch)
    lexicon = Linter().lexicon
    assert hit_list(lexicon.scanner.scan(text)) == expected and expected
    assert TermMatcher.from_bytes(raw(entry)) is not None  # the entry was replaced
    assert not damaged_when_met(TermMatcher.from_bytes(raw(entry)))  # type: ignore[arg-type]


def test_a_result_round_trips_exactly() -> None:
    text = "Our clinic is risk-free.\nCall now."
    diagnostic = Diagnostic(
        path="a/page.md", code="HL104", rule="safety", category="safety", severity=Severity.ERROR,
        message="Safety claim \ud800", span=Span(14, 23), start=Position(1, 15),
        end=Position(1, 24), document_level=False, pack="health",
        fix=Fix((Edit(Span(14, 23), "generally well tolerated"),), Applicability.UNSAFE, "Reword"))
    dropped = dataclasses.replace(diagnostic, code="HL103", severity=Severity.OFF, fix=None,
                                  notes=("dropped: the writer's own experience",))
    result = FileResult("a/page.md", diagnostics=[diagnostic], source=text, errors=[
        FileError("a/page.md", "unclosed tag", 2, 1, Severity.WARNING)], dropped=[dropped])
    stored = json.loads(json.dumps(encode_result(result, text)))
    assert stored["s"] is None  # the page itself is not stored twice
    assert decode_result(stored, "a/page.md", text) == result
    moved = decode_result(stored, "b/renamed.md", text)
    assert moved is not None
    assert moved.dropped == [dataclasses.replace(dropped, path="b/renamed.md")]
    assert {d.path for d in moved.diagnostics} | {e.path for e in moved.errors} == {"b/renamed.md"}


JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=14)
                    | st.dictionaries(st.sampled_from("rsx"), inner, max_size=3),
                    max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_no_stored_value_crashes_a_decoder_or_points_outside_the_page(value: Any) -> None:
    result = decode_result(value, "page.md", "Our clinic is risk-free.")
    if result is not None:
        for diagnostic in result.diagnostics:
            assert 0 <= diagnostic.span.start <= diagnostic.span.end <= 24

@settings(max_examples=150, deadline=None)
@given(JSON, st.binary(max_size=64))
def test_no_stored_header_or_tail_crashes_the_matcher_decoder(value: Any, tail: bytes) -> None:
    matcher = TermMatcher.from_bytes(matcher_bytes(value, tail))
    if matcher is not None:  # only an empty matcher can be made of so little
        assert matcher.size == 0 and list(matcher.scan("a cure for everything")) == []
