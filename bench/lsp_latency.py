"""How long an editor waits for healthlint's diagnostics after an edit.

Starts ``healthlint server`` as an editor would (stdio, through pygls's own LSP
client, not the server's code), opens an 8 KB Markdown page of a clinic that
offers PRP, and measures the round trip from sending ``textDocument/didChange``
to receiving ``textDocument/publishDiagnostics`` for that version. Each edit comes
after the previous one's diagnostics, as a writer's edits usually do, so the server
lints it at once; edits in a quick burst would wait for the debounce (``--debounce-ms``).

    python bench/lsp_latency.py [--runs 10] [--size 8192] [--debounce-ms MS]

Needs the ``server`` extra: ``pip install -e '.[server]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

SECTION = """\
## {n}. Platelet-rich plasma for sore knees and elbows

Lakeside Sports Clinic offers PRP injections for tendon and joint pain. Our PRP
injections are {safety} and use your own blood, so recovery is quick. Most patients
are back to training within a week, and 9 out of 10 say the pain eased.

- Consultation and ultrasound scan with Dr. Rivera
- One to three injections, four weeks apart
- A follow-up visit six weeks after the last injection

Book your consultation today: only a few appointments are left this month. Studies
show that PRP speeds healing, and many athletes use it instead of surgery.

"""


def cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used (Linux), which a busy machine inflates far less than
    wall time."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page(size: int, safety: str) -> str:
    """A Markdown page of at least ``size`` UTF-8 bytes, with an emoji in the title."""
    text = "# PRP at Lakeside Sports Clinic 🦵\n\n"
    n = 1
    while len(text.encode("utf-8")) < size:
        text += SECTION.format(n=n, safety=safety if n == 1 else "extremely safe")
        n += 1
    return text


async def measure(runs: int, size: int, server_args: list[str]) -> None:
    client = LanguageClient("healthlint-bench", "1")
    published: dict[int | None, asyncio.Event] = {}
    counts: dict[int | None, int] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        counts[params.version] = len(params.diagnostics)
        published.setdefault(params.version, asyncio.Event()).set()

    async def wait(version: int) -> None:
        await asyncio.wait_for(published.setdefault(version, asyncio.Event()).wait(), 120)

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        uri = (root / "prp.md").as_uri()
        started = time.perf_counter()
        await client.start_io(sys.executable, "-m", "healthlint", "server", *server_args)
        await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")]))
        client.initialized(types.InitializedParams())
        text = page(size, "extremely safe")
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id="markdown", version=1, text=text)))
        await wait(1)
        cold = time.perf_counter() - started
        print(f"page: {len(text.encode('utf-8'))} bytes, {counts[1]} diagnostics")
        print(f"cold: start, initialize and first diagnostics in {cold * 1000:.0f} ms")

        timings: list[float] = []
        warm_up = 3
        # pygls keeps the server process private; its pid is where CPU time is read.
        pid = client._server.pid if client._server is not None else 0
        cpu_before: float | None = None
        for version in range(2, 2 + warm_up + runs):
            if version == 2 + warm_up:
                cpu_before = cpu_seconds(pid)
            safety = "generally well tolerated" if version % 2 else "extremely safe"
            text = page(size, safety)
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
            await wait(version)
            if version >= 2 + warm_up:
                timings.append(time.perf_counter() - sent)
        cpu_after = cpu_seconds(pid)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()

    ms = sorted(t * 1000 for t in timings)
    print(f"warm re-lint round trip (didChange -> publishDiagnostics), {runs} runs: "
          f"median {statistics.median(ms):.1f} ms, min {ms[0]:.1f} ms, max {ms[-1]:.1f} ms")
    if cpu_before is not None and cpu_after is not None:
        print(f"server CPU time per re-lint (mean of {runs}): "
              f"{(cpu_after - cpu_before) / runs * 1000:.1f} ms")


def in_process(runs: int, size: int) -> None:
    """The engine alone on the same page, for comparison: what the protocol adds."""
    from healthlint.engine import Linter

    linter = Linter()
    text = page(size, "extremely safe")
    linter.lint_text(text, "prp.md")
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        linter.lint_text(text, "prp.md")
        timings.append((time.perf_counter() - started) * 1000)
    print(f"engine alone (Linter.lint_text, same page): median {statistics.median(timings):.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", type=int, default=8192, help="page size in bytes")
    parser.add_argument("--debounce-ms", type=float, default=None,
                        help="pass this debounce to the server (default: the server's own)")
    args = parser.parse_args(argv)
    server_args = [] if args.debounce_ms is None else ["--debounce-ms", str(args.debounce_ms)]
    asyncio.run(measure(args.runs, args.size, server_args))
    in_process(args.runs, args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
