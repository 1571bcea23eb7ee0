"""Reading a page's bytes from a file or standard input, and decoding them.

A page is read only from a regular file: a named pipe would block forever and a
device such as ``/dev/zero`` never ends, so both are refused by type before a byte
is read (``stat`` first, then an ``O_NONBLOCK`` open checked with ``fstat``, so a
file swapped for a pipe in between cannot block either). Every read is capped at
``MAX_BYTES``.

Encodings: UTF-8, with or without a byte-order mark, and UTF-16 or UTF-32 when a
byte-order mark says so. Offsets are those of the decoded text without its mark,
so positions count that file's characters whatever its encoding. A NUL character
anywhere marks a binary file. :func:`encode` writes text back the way it was read,
mark included, for ``--fix``.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "MAX_BYTES",
    "Source",
    "SourceError",
    "decode",
    "encode",
    "missing_reason",
    "read_bytes",
    "read_path",
    "read_stream",
]

MAX_BYTES = 128 * 1024 * 1024
"""The largest page healthlint reads (128 MiB): a web page is far smaller, and a larger
file is a log or an archive that was named like one."""

_CHUNK = 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),  # before UTF-16 LE, whose mark it starts with
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class SourceError(Exception):
    """A page that cannot be read or decoded; ``line`` is set where the problem has one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Source:
    """A decoded page and how its bytes were encoded."""

    text: str
    """The decoded text, without its byte-order mark."""
    encoding: str = "utf-8"
    bom: bytes = b""


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _stat_error(path: str, error: OSError) -> SourceError:
    if error.errno == errno.ELOOP:
        return SourceError("symbolic link loop: the link leads back to itself")
    if error.errno == errno.ENOENT and os.path.islink(path):
        return SourceError(f"broken symbolic link to {os.readlink(path)!r}")
    return SourceError(f"cannot read file: {error.strerror}")


def missing_reason(path: str) -> str:
    """Why ``path``, which does not resolve to a file, cannot be found: a symbolic link
    loop and a broken link are named as such, not as a missing file."""
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP or os.path.islink(path):
            return _stat_error(path, error).message
    return "no such file or directory"


def read_path(path: str) -> Source:
    """Read and decode the file at ``path`` (symbolic links followed).

    :raises SourceError: not a regular file, unreadable, too large, binary or undecodable.
    """
    return decode(read_bytes(path))


def read_bytes(path: str) -> bytes:
    """The bytes of the file at ``path`` (symbolic links followed), not yet decoded.

    :raises SourceError: not a regular file, unreadable or too large.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise _stat_error(path, error) from None
    kind = _kind(mode)
    if kind == "a directory":
        raise SourceError("is a directory")
    if kind is not None:
        raise SourceError(f"not a regular file: {kind}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise _stat_error(path, error) from None
    with open(descriptor, "rb", closefd=True) as stream:
        kind = _kind(os.fstat(descriptor).st_mode)
        if kind is not None:  # swapped for something else since the stat above
            raise SourceError(f"not a regular file: {kind}")
        try:
            return _read_capped(stream, "file")
        except OSError as error:
            raise SourceError(f"cannot read file: {error.strerror}") from None


def read_stream(stream: BinaryIO, what: str = "standard input") -> Source:
    """Read and decode a stream (standard input), at most ``MAX_BYTES``."""
    return decode(_read_capped(stream, what), what)


def _read_capped(stream: BinaryIO, what: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(_CHUNK, MAX_BYTES + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            raise SourceError(f"{what} is larger than {MAX_BYTES // (1024 * 1024)} MiB; "
                              "healthlint reads web pages, not archives or logs")


def decode(data: bytes, what: str = "file") -> Source:
    """Decode a page's bytes: UTF-8, or the UTF-16 or UTF-32 its byte-order mark names.

    :raises SourceError: a NUL character (a binary file) or bytes that do not decode.
    """
    encoding, bom = "utf-8", b""
    for mark, name in _BOMS:
        if data.startswith(mark):
            encoding, bom = name, mark
            break
    body = data[len(bom):]
    if encoding == "utf-8" and b"\x00" in body:
        raise SourceError(_binary(what))
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding == "utf-8":
            line = body.count(b"\n", 0, error.start) + 1
            offset = error.start + len(bom)
            if what == "file":
                raise SourceError(
                    f"not valid UTF-8 (byte 0x{body[error.start]:02x} at offset {offset})", line
                ) from None
            raise SourceError(f"{what} is not valid UTF-8 (offset {offset})") from None
        raise SourceError(f"not valid {encoding.upper()} (its byte-order mark says it is; "
                          f"bad data at offset {error.start + len(bom)})") from None
    if encoding != "utf-8" and "\x00" in text:
        raise SourceError(_binary(what))
    return Source(text, encoding, bom)


def _binary(what: str) -> str:
    if what == "file":
        return "binary file (contains NUL bytes)"
    return f"{what} is binary (contains NUL bytes)"


def encode(text: str, source: Source) -> bytes:
    """``text`` encoded the way ``source`` was read, byte-order mark included."""
    return source.bom + text.encode(source.encoding)
