"""A small synchronous LSP client over a subprocess's stdio, for driving ``healthlint server``.

Messages are framed with ``Content-Length`` headers as LSP specifies. A reader
thread parses everything the server sends into a queue; requests the server
makes of the client (``client/registerCapability``, ``window/showDocument``) are
answered and recorded, so tests can check them too.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO


def path_uri(path: Path) -> str:
    return path.resolve().as_uri()


class LspError(Exception):
    pass


class LspClient:
    def __init__(self, cwd: Path, args: Sequence[str] = (), timeout: float = 60.0) -> None:
        env = dict(os.environ)
        env.pop("CI", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "healthlint", "server", *args], cwd=cwd,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.timeout = timeout
        self.initialized_with: Any = None
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        self._responses: dict[int, dict[str, Any]] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        self.stderr: list[bytes] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()

    # Transport ------------------------------------------------------------

    def _read(self, stream: BinaryIO) -> None:
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def _drain(self, stream: BinaryIO) -> None:
        for line in iter(stream.readline, b""):
            self.stderr.append(line)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        with self._lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def _pump(self, deadline: float) -> bool:
        """Handle one message from the server; False when the deadline passed first."""
        try:
            message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return False
        if "method" in message and "id" in message:
            self.server_requests.append(message)
            result: Any = {"success": True} if message["method"] == "window/showDocument" else None
            self.send({"id": message["id"], "result": result})
        elif "method" in message:
            self.notifications.append(message)
        else:
            self._responses[message["id"]] = message
        return True

    # Requests and notifications --------------------------------------------

    def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        ident = self._next_id
        self.send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + self.timeout
        while ident not in self._responses:
            if not self._pump(deadline):
                raise LspError(f"no answer to {method} within {self.timeout} s; stderr: "
                               f"{b''.join(self.stderr).decode(errors='replace')[-2000:]}")
        response = self._responses.pop(ident)
        if "error" in response:
            raise LspError(f"{method} failed: {response['error']}")
        return response.get("result")

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait_for(self, method: str, where: Callable[[dict[str, Any]], bool] = lambda p: True,
                 timeout: float | None = None) -> dict[str, Any]:
        """The params of the first notification ``method`` matching ``where`` that was not
        returned before; waits for one to arrive."""
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = 0
        while True:
            for index in range(seen, len(self.notifications)):
                message = self.notifications[index]
                if message["method"] == method and where(message["params"]):
                    del self.notifications[index]
                    return dict(message["params"])
            seen = len(self.notifications)
            if not self._pump(deadline):
                raise LspError(f"no {method} notification within the time limit; got "
                               f"{[m['method'] for m in self.notifications]}")

    def wait_request(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        """The params of the first request ``method`` the server made of the client."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for message in self.server_requests:
                if message["method"] == method:
                    return dict(message["params"])
            if not self._pump(deadline):
                raise LspError(f"the server made no {method} request within the time limit")

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict[str, Any]]:
        """The next diagnostics published for ``uri`` (for ``version``, when given)."""
        params = self.wait_for("textDocument/publishDiagnostics",
                               lambda p: p["uri"] == uri
                               and (version is None or p.get("version") == version))
        return list(params["diagnostics"])

    # Session ----------------------------------------------------------------

    def initialize(self, root: Path, capabilities: dict[str, Any] | None = None) -> Any:
        result = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": path_uri(root),
            "workspaceFolders": [{"uri": path_uri(root), "name": root.name}],
            "capabilities": capabilities if capabilities is not None else {
                "workspace": {"workspaceEdit": {"documentChanges": True},
                              "didChangeWatchedFiles": {"dynamicRegistration": True}},
                "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]},
                                 "codeAction": {"codeActionLiteralSupport": {
                                     "codeActionKind": {"valueSet": ["quickfix"]}}}},
            },
        })
        self.notify("initialized", {})
        self.initialized_with = result
        return result

    def open(self, uri: str, text: str, language: str = "markdown", version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": version, "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]})

    def close(self) -> int:
        """Shut the server down as an editor does; returns its exit code."""
        try:
            if self.process.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
