"""``healthlint server``: the language server over stdio, built on pygls.

Buffers are linted on open and on change, in one worker thread, so the protocol
keeps reading while a page is linted. Changes are debounced on both edges: an edit
after a quiet spell is linted at once, and edits that follow each other within the
debounce time wait until they stop (or until the lint under way ends), so a burst
costs one lint, not one per keystroke. Diagnostics never
lag the text: a result is published only if the document still has the version
that was linted; when the text moved on meanwhile, the newest text is linted
again instead. Hover and code actions answer from the result for the current
version, linting it first if it is not there yet.
"""

from __future__ import annotations

import asyncio
import os
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from healthlint.__about__ import __version__
from healthlint.builtin.outputs.sarif import help_uri
from healthlint.server.actions import Action, rewording, suppression
from healthlint.server.documents import Linted, Linters, is_config_file
from healthlint.server.hover import hover_markdown
from healthlint.server.positions import UTF16
from healthlint.types import Diagnostic, FileError, Severity

DEFAULT_DEBOUNCE = 0.03
"""Seconds within which changes count as one burst: long enough to fold key repeat,
a paste or an undo into one lint, short enough to stay far inside the 100 ms an editor
user notices."""

OPEN_DOCS_COMMAND = "healthlint.openRuleDocs"
CONFIG_GLOBS = ("**/.healthlint.yaml", "**/.healthlint.yml", "**/pyproject.toml")

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


class LintThread(Executor):
    """One daemon thread that runs lints in order.

    One thread, because a :class:`~healthlint.engine.Linter` is not shared between
    threads; a daemon, so that ``exit`` does not wait for a lint nobody will read
    (a thread pool's workers are joined when the interpreter exits).
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue())
        threading.Thread(target=self._work, name="healthlint-lint", daemon=True).start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._queue.put((future, lambda: fn(*args, **kwargs)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._queue.put(None)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            future, call = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to whoever awaits the future
                future.set_exception(exc)


class HealthlintServer(LanguageServer):
    """The language server: document state, debounced linting and publishing."""

    def __init__(self, debounce: float = DEFAULT_DEBOUNCE) -> None:
        super().__init__("healthlint", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = debounce
        self.linters = Linters()
        self.executor = LintThread()
        self.linted: dict[str, Linted] = {}
        self.tasks: dict[str, asyncio.Future[None]] = {}
        self.linting: set[str] = set()
        self.last_change: dict[str, float] = {}
        self.generation = 0
        """Counts configuration reloads: a lint that ran across one goes again."""
        self.shutdown_requested = False
        self._reported_errors: set[str] = set()

    # Documents ------------------------------------------------------------

    def document(self, uri: str) -> TextDocument | None:
        # get_text_document would read an unopened file from disk; only open buffers count.
        document: TextDocument | None = self.workspace.text_documents.get(uri)
        return document

    def root_dir(self) -> str:
        for folder in self.workspace.folders.values():
            path = to_fs_path(folder.uri)
            if path:
                return path
        return self.workspace.root_path or os.getcwd()

    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or UTF16)

    async def lint_now(self, uri: str) -> Linted | None:
        """Lint the document's current text and publish the result if the document
        still has that version; returns that result, or ``None`` if the text moved on."""
        document = self.document(uri)
        if document is None:
            return None
        version, text, language = document.version, document.source, document.language_id
        path = to_fs_path(uri) if uri.startswith("file:") else None
        loop = asyncio.get_running_loop()
        linted = await loop.run_in_executor(
            self.executor, self.linters.lint, text, version, path, path or uri, language,
            self.root_dir(), self.encoding())
        current = self.document(uri)
        # The text is compared too: a document closed and opened again restarts its versions.
        if current is None or current.version != version or current.source != text:
            return None
        self.linted[uri] = linted
        self.publish(uri, linted)
        return linted

    async def current(self, uri: str) -> Linted | None:
        """The result for the document's current version, linting it if need be."""
        document = self.document(uri)
        if document is None:
            return None
        linted = self.linted.get(uri)
        if linted is not None and linted.version == document.version:
            return linted
        return await self.lint_now(uri)

    def changed(self, uri: str) -> None:
        """Lint after a change: at once after a quiet spell, after the debounce in a burst."""
        now = asyncio.get_running_loop().time()
        quiet = now - self.last_change.get(uri, float("-inf")) >= self.debounce
        self.last_change[uri] = now
        self.schedule(uri, 0 if quiet else self.debounce)

    def schedule(self, uri: str, delay: float) -> None:
        """Lint ``uri`` after ``delay`` seconds, replacing a lint that has not started."""
        task = self.tasks.get(uri)
        if task is not None and not task.done():
            if uri in self.linting:
                return  # the running lint sees the new version when it ends, and goes again
            task.cancel()
        self.tasks[uri] = asyncio.ensure_future(self._debounced(uri, delay))

    async def _debounced(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        while True:
            document = self.document(uri)
            if document is None:
                return
            version, generation = document.version, self.generation
            self.linting.add(uri)
            try:
                await self.lint_now(uri)
            finally:
                self.linting.discard(uri)
            document = self.document(uri)
            if document is None or (document.version == version
                                    and self.generation == generation):
                return
            await asyncio.sleep(self.debounce)

    def forget(self, uri: str) -> None:
        task = self.tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        self.linted.pop(uri, None)
        self.last_change.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def reload(self) -> None:
        """Read configuration afresh and lint every open document again."""
        self.executor.submit(self.linters.reload)
        self.generation += 1
        self._reported_errors.clear()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    # Publishing -----------------------------------------------------------

    def publish(self, uri: str, linted: Linted) -> None:
        diagnostics: list[types.Diagnostic] = []
        if linted.result is not None:
            diagnostics += [self.to_lsp(d, linted) for d in linted.result.diagnostics]
            diagnostics += [self.error_to_lsp(e, linted) for e in linted.result.errors]
        if linted.error is not None:
            diagnostics.append(types.Diagnostic(
                range=types.Range(start=types.Position(line=0, character=0),
                                  end=types.Position(line=0, character=0)),
                message=f"healthlint could not lint this document: {linted.error}",
                severity=types.DiagnosticSeverity.Error, source="healthlint"))
            if linted.error not in self._reported_errors:
                self._reported_errors.add(linted.error)
                self.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"healthlint: {linted.error}"))
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=diagnostics, version=linted.version))

    def range_of(self, linted: Linted, start: int, end: int) -> types.Range:
        (sl, sc), (el, ec) = linted.index.position(start), linted.index.position(end)
        return types.Range(start=types.Position(line=sl, character=sc),
                           end=types.Position(line=el, character=ec))

    def to_lsp(self, diagnostic: Diagnostic, linted: Linted) -> types.Diagnostic:
        base = linted.base
        message = diagnostic.message
        if diagnostic.document_level:
            message += " (page-level finding, shown at its first trigger)"
        documented = diagnostic.code in linted.documented
        return types.Diagnostic(
            range=self.range_of(linted, diagnostic.span.start + base, diagnostic.span.end + base),
            message=message,
            severity=SEVERITIES.get(diagnostic.severity, types.DiagnosticSeverity.Hint),
            code=diagnostic.code,
            code_description=types.CodeDescription(href=help_uri(diagnostic.code))
            if documented else None,
            source="healthlint",
            tags=[types.DiagnosticTag.Unnecessary] if diagnostic.code == "HL002" else None,
            data={"slug": diagnostic.rule, "category": diagnostic.category,
                  "pageLevel": diagnostic.document_level},
        )

    def error_to_lsp(self, error: FileError, linted: Linted) -> types.Diagnostic:
        """A problem with the document (malformed markup, a rule that timed out)."""
        offset = linted.base
        if error.line is not None and linted.result is not None and linted.result.source:
            # FileError lines and columns are the engine's: lines end at "\n" only.
            source = linted.result.source
            line_start = 0
            for _ in range(error.line - 1):
                found = source.find("\n", line_start)
                if found < 0:
                    break
                line_start = found + 1
            offset += line_start + max(0, (error.column or 1) - 1)
        return types.Diagnostic(
            range=self.range_of(linted, offset, offset),
            message=f"healthlint: {error.message}",
            severity=SEVERITIES.get(error.severity, types.DiagnosticSeverity.Error),
            source="healthlint")

    # Hover and code actions -----------------------------------------------

    def under(self, linted: Linted, start: types.Position, end: types.Position,
              ) -> list[tuple[Diagnostic, types.Range]]:
        """Findings whose range touches ``[start, end]``."""
        if linted.result is None:
            return []
        found = []
        wanted = ((start.line, start.character), (end.line, end.character))
        for diagnostic in linted.result.diagnostics:
            where = self.range_of(linted, diagnostic.span.start + linted.base,
                                  diagnostic.span.end + linted.base)
            first = (where.start.line, where.start.character)
            last = (where.end.line, where.end.character)
            if first <= wanted[1] and wanted[0] <= last:
                found.append((diagnostic, where))
        return found

    def docs_url(self, code: str, linted: Linted) -> str | None:
        return help_uri(code) if code in linted.documented else None

    def workspace_edit(self, uri: str, linted: Linted, action: Action) -> types.WorkspaceEdit:
        edits = [types.TextEdit(range=self.range_of(linted, start, end), new_text=text)
                 for start, end, text in action.edits]
        capabilities = self.client_capabilities.workspace
        versioned = bool(capabilities and capabilities.workspace_edit
                         and capabilities.workspace_edit.document_changes)
        if versioned and linted.version is not None:
            # The client refuses the edit if the buffer has changed since it was linted.
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=linted.version),
                edits=list(edits))])
        return types.WorkspaceEdit(changes={uri: edits})


def create_server(debounce: float = DEFAULT_DEBOUNCE) -> HealthlintServer:
    server = HealthlintServer(debounce)

    @server.feature(types.INITIALIZED)
    def initialized(ls: HealthlintServer, params: types.InitializedParams) -> None:
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is not None and watched.dynamic_registration:
            ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="healthlint-config", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
                    types.FileSystemWatcher(glob_pattern=glob) for glob in CONFIG_GLOBS]))]))
        ls.executor.submit(ls.linters.warm, ls.root_dir())

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: HealthlintServer, params: None) -> None:
        ls.shutdown_requested = True
        for task in ls.tasks.values():
            task.cancel()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: HealthlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: HealthlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: HealthlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: HealthlintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path and is_config_file(path):
            ls.reload()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: HealthlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(is_config_file(to_fs_path(change.uri) or "") for change in params.changes):
            ls.reload()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: HealthlintServer, params: types.HoverParams) -> types.Hover | None:
        linted = await ls.current(params.text_document.uri)
        if linted is None:
            return None
        found = ls.under(linted, params.position, params.position)
        if not found:
            return None
        entries = [(d, linted.rules.get(d.code), ls.docs_url(d.code, linted)) for d, _ in found]
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                        value=hover_markdown(entries)),
            range=found[0][1])

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix]))
    async def code_action(ls: HealthlintServer, params: types.CodeActionParams,
                          ) -> list[types.CodeAction] | None:
        if params.context.only and not any(
                kind.startswith(types.CodeActionKind.QuickFix) for kind in params.context.only):
            return None
        uri = params.text_document.uri
        linted = await ls.current(uri)
        if linted is None:
            return None
        actions: list[types.CodeAction] = []
        documents: set[str] = set()
        for diagnostic, _ in ls.under(linted, params.range.start, params.range.end):
            lsp = [ls.to_lsp(diagnostic, linted)]
            reworded = rewording(diagnostic, linted.base)
            if reworded is not None:
                actions.append(types.CodeAction(
                    title=f"healthlint: {reworded.title}", kind=types.CodeActionKind.QuickFix,
                    diagnostics=lsp, edit=ls.workspace_edit(uri, linted, reworded)))
            suppress = suppression(diagnostic, linted.index, linted.format, linted.base,
                                   linted.name)
            if suppress is not None:
                actions.append(types.CodeAction(
                    title=f"healthlint: {suppress.title}", kind=types.CodeActionKind.QuickFix,
                    diagnostics=lsp, edit=ls.workspace_edit(uri, linted, suppress)))
            url = ls.docs_url(diagnostic.code, linted)
            if url is not None and diagnostic.code not in documents:
                documents.add(diagnostic.code)
                title = f"healthlint: open the documentation of {diagnostic.code}"
                actions.append(types.CodeAction(
                    title=title, kind=types.CodeActionKind.QuickFix, diagnostics=lsp,
                    command=types.Command(title=title, command=OPEN_DOCS_COMMAND, arguments=[url])))
        return actions

    @server.command(OPEN_DOCS_COMMAND)
    def open_docs(ls: HealthlintServer, *arguments: Any) -> None:
        url = str(arguments[0]) if arguments else ""
        if url.startswith("https://"):
            ls.window_show_document(types.ShowDocumentParams(uri=url, external=True))

    return server


def serve(debounce: float = DEFAULT_DEBOUNCE) -> int:
    """Run the server on stdin and stdout until the client says exit; the exit code is 0
    after a shutdown request and 1 without one, as LSP asks."""
    server = create_server(debounce)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Stdout is the protocol channel: anything a plugin prints goes to stderr instead.
    sys.stdout = sys.stderr
    try:
        server.start_io(stdin, stdout)
    finally:
        server.executor.shutdown()
    return 0 if server.shutdown_requested else 1
