"""Progress of a long run: files done out of files found, and findings so far.

Shown on standard error only, only when it is a terminal, only outside CI, and
only once the run has taken about a second: a quick run, a pipe, a pre-commit
hook or a CI log never see it. The line is redrawn in place and cleared when
the run ends, so the report that follows starts on a clean line.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from healthlint.types import FileResult

DELAY = 1.0
"""Seconds a run must last before progress appears."""

REFRESH = 0.1
"""Seconds between redraws."""


def wanted(stream: TextIO) -> bool:
    """Whether progress may be drawn on ``stream``: a terminal, and not a CI job."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """Counts finished files and redraws one status line on ``stream``.

    The runner calls :meth:`start` once the files are found and :meth:`file_done`
    as each one finishes; a background thread redraws, so progress also shows
    while one slow file holds every worker. Call :meth:`close` when the run ends.
    """

    def __init__(self, stream: TextIO, *, delay: float | None = None,
                 refresh: float | None = None, ticker: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.delay = DELAY if delay is None else delay
        self.refresh = REFRESH if refresh is None else refresh
        self.ticker = ticker
        """Whether a background thread redraws; without it, whoever counts calls :meth:`tick`."""
        self.clock = clock
        self.started = clock()
        self.total: int | None = None
        self.done = 0
        self.findings = 0
        self._drawn = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_stream(cls, stream: TextIO) -> Progress | None:
        """A progress line on ``stream``, or ``None`` where none may be drawn."""
        return cls(stream) if wanted(stream) else None

    def start(self, total: int) -> None:
        self.total = total
        if self.ticker and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="healthlint-progress",
                                            daemon=True)
            self._thread.start()

    def file_done(self, result: FileResult) -> None:
        with self._lock:
            self.done += 1
            self.findings += len(result.diagnostics)

    def line(self) -> str:
        findings = f"{self.findings} finding{'s' * (self.findings != 1)}"
        return f"healthlint: {self.done}/{self.total} files, {findings} so far"

    def tick(self) -> None:
        """Redraw the line if the run has lasted long enough and the count moved."""
        with self._lock:
            if self.total is None or self.clock() - self.started < self.delay:
                return
            line = self.line()
            if line == self._drawn:
                return
            # Pad over a longer previous line; \r returns to the start without a new line.
            self.stream.write("\r" + line.ljust(len(self._drawn)))
            self.stream.flush()
            self._drawn = line

    def close(self) -> None:
        """Stop redrawing and erase the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._drawn:
                self.stream.write("\r" + " " * len(self._drawn) + "\r")
                self.stream.flush()
                self._drawn = ""

    def _run(self) -> None:
        while not self._stop.wait(self.refresh):
            self.tick()


@contextmanager
def progress_on(stream: TextIO) -> Iterator[Progress | None]:
    """A :class:`Progress` on ``stream`` for the ``with`` block (``None`` where none may be
    drawn), erased when the block ends, however it ends."""
    progress = Progress.for_stream(stream)
    try:
        yield progress
    finally:
        if progress is not None:
            progress.close()
