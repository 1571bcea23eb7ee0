"""``healthlint server``: real LSP sessions over stdio against a server subprocess.

The client (``tests/lsp_client.py``) frames JSON-RPC itself, so these tests see
exactly the bytes an editor sees. Positions are checked in UTF-16 code units
computed here, independently of the server's own conversion.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lsp_client import LspClient, path_uri

pytestmark = pytest.mark.slow

TITLE = "# PRP at Lakeside Sports Clinic 🦵\n\n"
CLAIM_LINE = "🩺 We offer PRP injections at our clinic. Our PRP injections are extremely safe.\n"
CURE_LINE = "Our shockwave sessions cure tendon pain for good.\n"
PAGE = TITLE + CLAIM_LINE + "\n" + CURE_LINE


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def lsp_range(text: str, needle: str) -> dict[str, Any]:
    """The LSP range of the first ``needle`` in ``text``, in UTF-16 code units."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    start = utf16(text[line_start:offset])
    return {"start": {"line": line, "character": start},
            "end": {"line": line, "character": start + utf16(needle)}}


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP text edits (UTF-16 positions) the way an editor does."""
    lines = re.split(r"(?<=\n)", text)

    def offset(position: dict[str, int]) -> int:
        before = sum(len(line) for line in lines[: position["line"]])
        line = lines[position["line"]] if position["line"] < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position["character"]:
                return before + index
            units += utf16(char)
        return before + len(line)

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def only_edits(action: dict[str, Any], uri: str, version: int) -> list[dict[str, Any]]:
    """The edits of a code action, checking they are for this document at this version."""
    (change,) = action["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": uri, "version": version}
    return list(change["edits"])


def codes(diagnostics: list[dict[str, Any]]) -> list[str]:
    return sorted(str(d.get("code")) for d in diagnostics)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="module")
def session(workspace: Path) -> Iterator[LspClient]:
    client = LspClient(workspace)
    try:
        client.initialize(workspace)
        yield client
    finally:
        assert client.close() == 0


def test_initialize_advertises_the_features(session: LspClient) -> None:
    result = session.initialized_with
    capabilities = result["capabilities"]

    assert result["serverInfo"]["name"] == "healthlint"
    assert capabilities["positionEncoding"] == "utf-16"
    assert capabilities["hoverProvider"] is True
    assert capabilities["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
    assert "healthlint.openRuleDocs" in capabilities["executeCommandProvider"]["commands"]
    # The configuration files are watched so that edits to them take effect.
    registration = session.wait_request("client/registerCapability")["registrations"][0]
    assert registration["method"] == "workspace/didChangeWatchedFiles"
    globs = [w["globPattern"] for w in registration["registerOptions"]["watchers"]]
    assert "**/.healthlint.yaml" in globs and "**/pyproject.toml" in globs


def test_safety_claim_is_reported_at_its_exact_utf16_range(session: LspClient,
                                                           workspace: Path) -> None:
    uri = path_uri(workspace / "prp.md")
    session.open(uri, PAGE)

    diagnostics = session.diagnostics(uri, version=1)

    (safety,) = [d for d in diagnostics if d["code"] == "HL104"]
    expected = lsp_range(PAGE, "extremely safe")
    # The emoji before the claim takes two UTF-16 units: the test is about that difference.
    assert expected["start"]["character"] == CLAIM_LINE.index("extremely safe") + 1
    assert safety["range"] == expected
    assert safety["source"] == "healthlint"
    assert safety["severity"] == 1
    assert safety["data"]["slug"] == "safety-claim-unsupported"
    assert safety["codeDescription"]["href"].endswith("/docs/rules/HL104.md")
    assert '"extremely safe"' in safety["message"]


def test_page_level_findings_stand_at_their_first_trigger(session: LspClient,
                                                          workspace: Path) -> None:
    uri = path_uri(workspace / "page-level.md")
    session.open(uri, PAGE)

    diagnostics = session.diagnostics(uri, version=1)

    (fda,) = [d for d in diagnostics if d["code"] == "HL108"]
    assert fda["range"] == lsp_range(PAGE, "PRP")
    assert fda["data"]["pageLevel"] is True
    assert "page-level" in fda["message"]


def test_a_change_publishes_diagnostics_for_the_new_text(session: LspClient,
                                                         workspace: Path) -> None:
    uri = path_uri(workspace / "change.md")
    session.open(uri, PAGE)
    assert "HL104" in codes(session.diagnostics(uri, version=1))
    changed = PAGE.replace("extremely safe", "given by a physician")

    session.change(uri, changed, version=2)
    diagnostics = session.diagnostics(uri)

    assert diagnostics is not None
    assert "HL104" not in codes(diagnostics)
    assert "HL113" in codes(diagnostics)


def test_a_burst_of_changes_costs_one_lint(session: LspClient, workspace: Path) -> None:
    uri = path_uri(workspace / "burst.md")
    session.open(uri, PAGE)
    session.diagnostics(uri, version=1)

    for version in range(2, 12):  # ten keystrokes, faster than any lint
        session.change(uri, PAGE.replace("extremely safe", "safe" + "!" * version), version)
    published = [session.wait_for("textDocument/publishDiagnostics",
                                  lambda p: p["uri"] == uri)["version"]]
    while published[-1] != 11:
        published.append(session.wait_for("textDocument/publishDiagnostics",
                                          lambda p: p["uri"] == uri)["version"])

    # The first edit may be linted at once (it came after a pause), then the last one:
    # never the ones in between, which were already out of date.
    assert set(published) <= {2, 11}, published


def test_hover_explains_the_rule(session: LspClient, workspace: Path) -> None:
    uri = path_uri(workspace / "hover.md")
    session.open(uri, PAGE)
    session.diagnostics(uri, version=1)
    inside = lsp_range(PAGE, "extremely safe")["start"]
    inside = {"line": inside["line"], "character": inside["character"] + 3}

    hover = session.request("textDocument/hover",
                            {"textDocument": {"uri": uri}, "position": inside})

    assert hover["contents"]["kind"] == "markdown"
    text = hover["contents"]["value"]
    assert text.startswith("**HL104** `safety-claim-unsupported`")
    for heading in ("What it flags", "Why it matters", "What to write instead", "References"):
        assert f"#### {heading}" in text
    assert "docs/rules/HL104.md" in text
    assert hover["range"] == lsp_range(PAGE, "extremely safe")


def test_no_hover_away_from_findings(session: LspClient, workspace: Path) -> None:
    uri = path_uri(workspace / "no-hover.md")
    session.open(uri, PAGE)
    session.diagnostics(uri, version=1)

    hover = session.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": 1, "character": 0}})

    assert hover is None


def _actions(session: LspClient, uri: str, text: str, needle: str) -> list[dict[str, Any]]:
    where = lsp_range(text, needle)
    result = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": where, "context": {"diagnostics": []}})
    return list(result)


def test_suppression_action_silences_the_finding(session: LspClient, workspace: Path) -> None:
    uri = path_uri(workspace / "suppress.md")
    session.open(uri, PAGE)
    session.diagnostics(uri, version=1)

    actions = _actions(session, uri, PAGE, "extremely safe")

    (suppress,) = [a for a in actions if a["title"] == "healthlint: Suppress HL104 on this line"]
    assert suppress["kind"] == "quickfix"
    fixed = apply_edits(PAGE, only_edits(suppress, uri, 1))
    assert "<!-- healthlint-disable-next-line HL104 -- reason -->\n" + CLAIM_LINE in fixed
    session.change(uri, fixed, version=2)
    assert "HL104" not in codes(session.diagnostics(uri, version=2))


def test_no_rewording_action_for_a_placeholder_or_a_fragment(session: LspClient,
                                                             workspace: Path) -> None:
    uri = path_uri(workspace / "reword.md")
    session.open(uri, PAGE)
    session.diagnostics(uri, version=1)

    # HL104's suggestion holds "(list the specific risks)", and HL113's replaces one word
    # with a phrase that leaves a broken sentence: neither is offered as an edit.
    safety = _actions(session, uri, PAGE, "extremely safe")
    assert not [a for a in safety if "Reword" in a["title"]]
    cure = _actions(session, uri, PAGE, "cure")
    assert not [a for a in cure if "Reword" in a["title"]]
    assert [a for a in cure if a["title"] == "healthlint: Suppress HL113 on this line"]


def test_open_docs_action_asks_the_editor_to_show_the_page(session: LspClient,
                                                           workspace: Path) -> None:
    uri = path_uri(workspace / "docs.md")
    session.open(uri, PAGE)
    session.diagnostics(uri, version=1)
    actions = _actions(session, uri, PAGE, "extremely safe")
    (docs,) = [a for a in actions if a["title"] == "healthlint: open the documentation of HL104"]

    session.request("workspace/executeCommand", docs["command"])

    shown = session.wait_request("window/showDocument")
    assert shown["uri"].endswith("/docs/rules/HL104.md")
    assert shown["external"] is True


def test_other_formats_get_their_own_comment_syntax(session: LspClient, workspace: Path) -> None:
    cases = {
        "page.mdx": ("mdx", "{/* healthlint-disable-next-line HL104 -- reason */}\n"),
        "page.html": ("html", "<!-- healthlint-disable-next-line HL104 -- reason -->\n"),
        "page.txt": ("plaintext", "# healthlint-disable-next-line HL104 -- reason\n"),
    }
    body = "We offer PRP injections at our clinic.\n\nOur PRP injections are extremely safe.\n"
    for name, (language, comment) in cases.items():
        text = f"<p>{body}</p>\n" if name.endswith(".html") else body
        uri = path_uri(workspace / name)
        session.open(uri, text, language=language)
        assert "HL104" in codes(session.diagnostics(uri, version=1)), name
        (suppress,) = [a for a in _actions(session, uri, text, "extremely safe")
                       if "Suppress HL104" in a["title"]]

        fixed = apply_edits(text, only_edits(suppress, uri, 1))

        assert comment in fixed, name
        session.change(uri, fixed, version=2)
        assert "HL104" not in codes(session.diagnostics(uri, version=2)), name


def test_an_unsaved_buffer_is_linted_by_its_language(session: LspClient) -> None:
    uri = "untitled:Untitled-1"
    session.open(uri, PAGE, language="markdown")

    assert "HL104" in codes(session.diagnostics(uri, version=1))


def test_closing_a_document_clears_its_diagnostics(session: LspClient, workspace: Path) -> None:
    uri = path_uri(workspace / "closed.md")
    session.open(uri, PAGE)
    session.diagnostics(uri, version=1)

    session.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    assert session.diagnostics(uri) == []


def test_diagnostics_never_lag_the_text(tmp_path: Path) -> None:
    """A result for a version the editor has moved past is never published.

    Version 2 is a page big enough that linting it takes far longer than the client
    needs to send version 3 (no debounce, so its lint starts at once); the server
    must drop version 2's result and publish version 3's.
    """
    client = LspClient(tmp_path, ["--debounce-ms", "0"])
    try:
        client.initialize(tmp_path)
        uri = path_uri(tmp_path / "prp.md")
        client.open(uri, PAGE)
        client.diagnostics(uri, version=1)
        big = PAGE + "\n".join(f"Section {i}: our PRP injections are extremely safe for knees."
                               for i in range(500)) + "\n"
        final = PAGE.replace("extremely safe", "given by a physician")

        client.change(uri, big, version=2)
        time.sleep(0.1)
        client.change(uri, final, version=3)
        published = client.wait_for("textDocument/publishDiagnostics",
                                    lambda p: p["uri"] == uri)

        assert published["version"] == 3
        assert "HL104" not in codes(published["diagnostics"])
        # Nothing for version 2 arrives later either.
        with pytest.raises(Exception, match="no textDocument/publishDiagnostics"):
            client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri,
                            timeout=2)
    finally:
        assert client.close() == 0


def test_configuration_follows_each_document_and_reloads(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    config = tmp_path / "b" / ".healthlint.yaml"
    config.write_text("ignore: [HL104]\n", encoding="utf-8")
    client = LspClient(tmp_path)
    try:
        client.initialize(tmp_path)
        a, b = path_uri(tmp_path / "a" / "page.md"), path_uri(tmp_path / "b" / "page.md")
        client.open(a, PAGE)
        client.open(b, PAGE)
        assert "HL104" in codes(client.diagnostics(a, version=1))
        assert "HL104" not in codes(client.diagnostics(b, version=1))

        # The watched configuration file changes: b is linted again with the new settings.
        config.write_text("severity: {HL104: info}\n", encoding="utf-8")
        client.notify("workspace/didChangeWatchedFiles",
                      {"changes": [{"uri": path_uri(config), "type": 2}]})
        (safety,) = [d for d in client.diagnostics(b, version=1) if d["code"] == "HL104"]
        assert safety["severity"] == 3
        assert "HL104" in codes(client.diagnostics(a, version=1))

        # Saving a configuration file from the editor reloads it too; a mistake in it is
        # shown in the document it applies to, with the file and line.
        root_config = tmp_path / ".healthlint.yaml"
        root_config.write_text("ignore: [HL113]\nignroe: [HL104]\n", encoding="utf-8")
        client.notify("textDocument/didSave", {"textDocument": {"uri": path_uri(root_config)}})
        (problem,) = client.diagnostics(a, version=1)
        assert problem["severity"] == 1
        assert ".healthlint.yaml:2" in problem["message"] and "ignroe" in problem["message"]
        assert "ignroe" in client.wait_for("window/showMessage")["message"]
        client.diagnostics(b, version=1)

        root_config.write_text("ignore: [HL113]\nexclude: ['drafts/**']\n", encoding="utf-8")
        client.notify("workspace/didChangeWatchedFiles",
                      {"changes": [{"uri": path_uri(root_config), "type": 2}]})
        # HL113 is ignored; "for good" is still a timing claim (HL102).
        assert sorted(codes(client.diagnostics(a, version=1))) == [
            "HL102", "HL104", "HL107", "HL108", "HL112"]

        # A file the configuration excludes is not linted, as on the command line.
        draft = path_uri(tmp_path / "drafts" / "page.md")
        client.open(draft, PAGE)
        assert client.diagnostics(draft, version=1) == []
    finally:
        assert client.close() == 0


def test_exit_without_shutdown_exits_1(tmp_path: Path) -> None:
    client = LspClient(tmp_path)
    client.initialize(tmp_path)

    client.notify("exit", None)

    assert client.process.wait(timeout=30) == 1


def test_server_without_pygls_says_what_to_install() -> None:
    code = ("import sys; sys.modules['pygls'] = None\n"
            "from healthlint.cli import main; sys.exit(main(['server']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)

    assert result.returncode == 2
    assert "install healthlint[server]" in result.stderr
