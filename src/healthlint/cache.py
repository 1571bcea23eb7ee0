"""The one on-disk cache: every cache healthlint keeps between runs goes through it.

Where: ``HEALTHLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/healthlint``, else
``~/.cache/healthlint``; an empty ``HEALTHLINT_CACHE_DIR`` switches caching off. The folder is
created with mode 0700. A folder that another user owns, or that group or others may write
to, is never used: anyone who can write there could plant entries that silence findings, and
no checksum can tell a planted entry from ours. healthlint says so once, on standard error.

Layout: ``ROOT/<namespace>-v<version>/<2 hex digits>/<64 hex digits>``, one file per entry.
An entry is a header line and a payload::

    healthlint-cache 1 <key> <sha256 of the payload> <payload length>\\n<payload>

The reader checks the key (an entry copied under another name answers nothing), the length
and the checksum (a torn or altered entry), and the file's owner and mode; an entry that
does not verify is deleted and reported as a miss, so the caller rebuilds it. Payloads are
bytes, JSON or marshal data holding only strings, numbers, bytes and containers of them,
never pickles: callers validate the decoded structure, so no stored value can run code, and
one of the wrong shape is treated as a miss too.

Writes go to a temporary file in the entry's folder, then ``os.replace``: a reader sees the
old entry or the new one, never half of one, and concurrent runs may write the same key.
Entries unused for :data:`MAX_AGE` seconds are deleted, then the oldest until the namespace
holds at most its byte budget; a namespace is pruned at most once per :data:`PRUNE_INTERVAL`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CACHE_ENV = "HEALTHLINT_CACHE_DIR"
MAGIC = b"healthlint-cache"
ENTRY_FORMAT = b"1"
DAY = 24 * 60 * 60
MAX_AGE = 30 * DAY
"""Entries unused this long (seconds) are pruned."""
PRUNE_INTERVAL = DAY
TOUCH_AFTER = DAY
"""A hit refreshes an entry's modification time (its "last used") when it is older than this,
so a warm run does not rewrite the time of every entry."""
STALE_TEMPORARY = 60 * 60
"""Temporary files older than this were left by a killed run."""
MAX_BYTES = 512 * 1024 * 1024
"""Default byte budget of one namespace."""
MAX_ENTRY = 256 * 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{64}\Z")
_NAMESPACE = re.compile(r"[a-z][a-z0-9-]{0,40}\Z")
_PRUNE_MARKER = ".last-pruned"
_TEMPORARY_PREFIX = ".tmp-"

_root_verdicts: dict[str, bool] = {}
"""Whether each cache root was found usable, checked (and warned about) once per process."""
_warnings = True


def _uid() -> int:
    """The user the cache must belong to (a function, so tests can play another user)."""
    return os.getuid() if hasattr(os, "getuid") else -1


def _foreign(info: os.stat_result) -> str | None:
    """Why a folder or entry with this status is not safely ours, or ``None``. Only POSIX
    modes and owners say so; elsewhere (Windows) the user's profile folder is private."""
    if os.name != "posix":
        return None
    if _uid() >= 0 and info.st_uid != _uid():
        return f"it belongs to another user (uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"group or others may write to it (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def silence_warnings() -> None:
    """No more warnings about the cache folder from this process (a worker whose parent
    already gave them)."""
    global _warnings
    _warnings = False


def cache_root() -> Path | None:
    """The configured cache folder, or ``None`` when an empty ``HEALTHLINT_CACHE_DIR``
    switches caching off. Nothing is created or checked here."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "healthlint"


def _warn(message: str) -> None:
    if _warnings:
        print(f"healthlint: warning: {message}", file=sys.stderr)


def _usable_root(root: Path) -> bool:
    """Create ``root`` (mode 0700) if needed and decide once whether it may be used."""
    key = str(root)
    verdict = _root_verdicts.get(key)
    if verdict is None:
        verdict = _root_verdicts[key] = _check_root(root)
    return verdict


def _check_root(root: Path) -> bool:
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(root, 0o700)
        info = os.stat(root)
    except OSError:
        return False  # a read-only home or a full disk only costs time; say nothing
    advice = f"set {CACHE_ENV} to a folder of your own, or to an empty value to cache nothing"
    if not stat.S_ISDIR(info.st_mode):
        _warn(f"not using the cache folder {root}: it is not a folder; {advice}")
        return False
    problem = _foreign(info)
    if problem is not None:
        _warn(f"not using the cache folder {root}: {problem}; {advice}")
        return False
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        with contextlib.suppress(OSError):  # ours and safe, but others may read it: close it
            os.chmod(root, 0o700)
    return True


@functools.cache
def build_digest() -> str:
    """A digest of this healthlint: its version and the content of every file of the package
    (code, schemas, data), so that entries written by another build, or by a checkout
    before an edit, are never read. Contents, not modification times: a fresh clone of the
    same commit, as in CI, has the same digest. Computed once per process: the code it
    runs is the code it loaded.

    Reading the two hundred files took a twentieth of start-up, so the digest is also kept
    in the cache under the files' sizes, modification times and inode numbers (as git's
    index keeps them): a checkout or install left as it was is read again only when the
    entry is gone."""
    from healthlint.__about__ import __version__

    return folder_digest(Path(__file__).parent, __version__)


def folder_digest(package: Path, version: str) -> str:
    """:func:`build_digest` of the files under ``package`` (``__pycache__`` aside) and
    ``version``."""
    files: list[tuple[str, str, os.stat_result]] = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        inside = os.path.relpath(folder, package).replace(os.sep, "/")
        prefix = "" if inside == "." else inside + "/"
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            files.append((prefix + name, path, info))
    memo = Cache.open("build", version=1)
    signature = key_for("stat", version, str(package), [
        [relative, info.st_size, info.st_mtime_ns, info.st_ino] for relative, _, info in files])
    if memo is not None:
        stored = memo.get(signature)
        if stored is not None and _KEY.match(stored.decode("ascii", "replace")):
            return stored.decode("ascii")
    digest = hashlib.sha256(version.encode())
    for relative, path, _ in files:
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            continue
        digest.update(key_for(relative, data).encode())
    if memo is not None:
        memo.put(signature, digest.hexdigest().encode("ascii"))
    return digest.hexdigest()


def key_for(*parts: Any) -> str:
    """A cache key: the SHA-256 of ``parts`` in a canonical form.

    Strings and bytes are hashed as they are, anything else as canonical JSON (sorted keys);
    each part is tagged with its type and length, so ``("ab",)``, ``("a", "b")`` and ``(1,)``
    against ``("1",)`` all differ.
    """
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            tag, data = b"b", part
        elif isinstance(part, str):
            tag, data = b"s", part.encode("utf-8", "surrogatepass")
        elif part is None or isinstance(part, (bool, int, float, list, tuple, dict)):
            tag, data = b"j", json.dumps(part, sort_keys=True, separators=(",", ":")).encode()
        else:
            raise TypeError(f"cannot make a cache key from {type(part).__name__}")
        digest.update(tag + str(len(data)).encode() + b":" + data)
    return digest.hexdigest()


class Cache:
    """One namespace of the cache folder. Obtain one with :meth:`open`."""

    key_for = staticmethod(key_for)

    def __init__(self, folder: Path, *, max_bytes: int = MAX_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    @classmethod
    def open(cls, namespace: str, *, version: int = 1, enabled: bool = True,
             max_bytes: int = MAX_BYTES) -> Cache | None:
        """The cache ``namespace`` at ``version``; ``None`` when caching is off or the cache
        folder may not be used (then the caller simply computes everything)."""
        if not _NAMESPACE.match(namespace):
            raise ValueError(f"invalid cache namespace {namespace!r}")
        root = cache_root() if enabled else None
        if root is None or not _usable_root(root):
            return None
        folder = root / f"{namespace}-v{version}"
        try:
            os.makedirs(folder, 0o700, exist_ok=True)
        except OSError:
            return None
        cache = cls(folder, max_bytes=max_bytes)
        cache._prune_if_due(root, namespace)
        return cache

    # Entries --------------------------------------------------------------

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"invalid cache key {key!r}: expected 64 lower-case hex digits")
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The payload stored under ``key``, or ``None`` (absent, or did not verify)."""
        path = self._path(key)
        try:
            handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return None
        except OSError:  # a symlink (ELOOP), a folder, no permission: not ours to trust
            self._delete(path)
            return None
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if (not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY
                    or _foreign(info) is not None):
                payload = None
            else:
                payload = _verified(stream.read(), key)
        if payload is None:
            self._delete(path)
            return None
        if time.time() - info.st_mtime > TOUCH_AFTER:
            with contextlib.suppress(OSError):
                os.utime(path)
        return payload

    def has(self, key: str) -> bool:
        """Whether an entry of ours is stored under ``key``, without reading it (:meth:`get`
        verifies it when it is read); the entry counts as used, as when it is read."""
        path = self._path(key)
        try:
            info = os.stat(path, follow_symlinks=False)
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or _foreign(info) is not None:
            return False
        if time.time() - info.st_mtime > TOUCH_AFTER:
            with contextlib.suppress(OSError):
                os.utime(path)
        return True

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, atomically; a failure to write only costs time."""
        path = self._path(key)
        header = b" ".join([MAGIC, ENTRY_FORMAT, key.encode(),
                            hashlib.sha256(data).hexdigest().encode(), str(len(data)).encode()])
        temporary = None
        try:
            os.makedirs(path.parent, 0o700, exist_ok=True)
            import tempfile  # only to write: a warm run never does

            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=_TEMPORARY_PREFIX)
            with os.fdopen(handle, "wb") as stream:
                stream.write(header + b"\n" + data)
            os.replace(temporary, path)
        except OSError:
            if temporary is not None:
                self._delete(Path(temporary))

    def discard(self, key: str) -> None:
        """Delete an entry, e.g. one whose payload verified but did not decode as expected."""
        self._delete(self._path(key))

    def get_json(self, key: str) -> Any:
        """The JSON value stored under ``key``, or ``None``. The caller validates its shape
        (and calls :meth:`discard` when it is wrong)."""
        payload = self.get(key)
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except (ValueError, RecursionError):
            self.discard(key)
            return None

    def put_json(self, key: str, value: Any) -> None:
        # ASCII escapes keep lone surrogates (possible in messages quoting a page) storable.
        self.put(key, json.dumps(value, separators=(",", ":")).encode("ascii"))

    def keys(self) -> list[str]:
        """Every key stored in this namespace (verified or not)."""
        return sorted(path.name for path, _ in self._entries(self.folder) if _KEY.match(path.name))

    @staticmethod
    def _delete(path: Path) -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)

    # Pruning --------------------------------------------------------------

    def _prune_if_due(self, root: Path, namespace: str) -> None:
        marker = self.folder / _PRUNE_MARKER
        now = time.time()
        try:
            last = os.stat(marker).st_mtime
        except FileNotFoundError:
            last = None
        except OSError:
            return
        if last is not None and now - last < PRUNE_INTERVAL:
            return
        try:
            # Claim the day's pruning first, so concurrent runs do not all walk the folder.
            with open(marker, "w", encoding="ascii") as stream:
                stream.write(f"{now:.0f}\n")
        except OSError:
            return
        if last is None:
            return  # a new namespace: nothing to prune yet
        self.prune(root, namespace, now=now)

    def prune(self, root: Path, namespace: str, *, now: float | None = None) -> None:
        """Delete entries unused for :data:`MAX_AGE` (in every version of this namespace) and
        temporary files left by killed runs, then the least recently used entries until this
        version holds at most ``max_bytes``."""
        now = time.time() if now is None else now
        current: list[tuple[float, int, Path]] = []
        folders = [self.folder, *(p for p in root.glob(f"{namespace}-v*")
                                  if p.is_dir() and p != self.folder)]
        for folder in folders:
            for path, info in self._entries(folder):
                age = now - info.st_mtime
                temporary = path.name.startswith(_TEMPORARY_PREFIX)
                if age > MAX_AGE or (temporary and age > STALE_TEMPORARY):
                    self._delete(path)
                elif folder == self.folder and not temporary:
                    current.append((info.st_mtime, info.st_size, path))
            if folder != self.folder:
                _remove_empty(folder)
        total = sum(size for _, size, _ in current)
        if total > self.max_bytes:
            for _, size, path in sorted(current):
                self._delete(path)
                total -= size
                if total <= self.max_bytes * 3 // 4:
                    break

    @staticmethod
    def _entries(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
        try:
            shards = list(os.scandir(folder))
        except OSError:
            return
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            try:
                files = list(os.scandir(shard.path))
            except OSError:
                continue
            for entry in files:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                yield Path(entry.path), info


def _verified(data: bytes, key: str) -> bytes | None:
    """The payload of an entry's bytes if its header names ``key`` and its checksum holds."""
    newline = data.find(b"\n", 0, 256)
    if newline < 0:
        return None
    parts = data[:newline].split(b" ")
    if len(parts) != 5 or parts[0] != MAGIC or parts[1] != ENTRY_FORMAT:
        return None
    payload = data[newline + 1:]
    if parts[2] != key.encode() or parts[4] != str(len(payload)).encode():
        return None
    if parts[3] != hashlib.sha256(payload).hexdigest().encode():
        return None
    return payload


def _remove_empty(folder: Path) -> None:
    """Remove ``folder`` if pruning left it with nothing but empty shards and its marker."""
    try:
        for shard in os.scandir(folder):
            if shard.name == _PRUNE_MARKER:
                continue
            if not shard.is_dir(follow_symlinks=False):
                return
            os.rmdir(shard.path)  # fails, and keeps it, when it holds anything
        marker = folder / _PRUNE_MARKER
        if marker.exists():
            os.unlink(marker)
        os.rmdir(folder)
    except OSError:
        pass
