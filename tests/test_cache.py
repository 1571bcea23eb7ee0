"""The verified on-disk cache: private folders, entries that must verify, atomic writes,
pruning."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest

from healthlint import cache as cache_module
from healthlint.cache import CACHE_ENV, DAY, MAX_AGE, Cache, folder_digest, key_for

OTHER_UID = 54321


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder (not yet created), with this process's verdicts forgotten."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    monkeypatch.setattr(cache_module, "_root_verdicts", {})
    return folder


def entry_path(cache: Cache, key: str) -> Path:
    return cache.folder / key[:2] / key


def play_other_owner(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``folder`` belong to another user: for real as root, else by changing the user
    the cache expects."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(folder, OTHER_UID, OTHER_UID)
    else:
        monkeypatch.setattr(cache_module, "_uid", lambda: OTHER_UID)


def test_entries_round_trip_in_a_private_folder(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    key = key_for("a page", 1)
    assert cache.get(key) is None
    cache.put(key, b"\x00payload\xff")
    assert cache.get(key) == b"\x00payload\xff"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry_path(cache, key).stat().st_mode) & 0o077 == 0
    cache.put_json(key, {"lone surrogate": "\ud800", "n": [1, None]})
    assert cache.get_json(key) == {"lone surrogate": "\ud800", "n": [1, None]}
    assert cache.keys() == [key]


def test_namespaces_and_versions_are_separate(root: Path) -> None:
    first, second = Cache.open("things"), Cache.open("things", version=2)
    assert first is not None and second is not None
    key = key_for("x")
    first.put(key, b"one")
    assert second.get(key) is None
    assert Cache.open("others").get(key) is None  # type: ignore[union-attr]


@pytest.mark.parametrize("damage", ["payload", "truncated", "header", "other key", "empty"])
def test_an_entry_that_does_not_verify_is_deleted_and_missed(root: Path, damage: str) -> None:
    cache = Cache.open("things")
    assert cache is not None
    key, other = key_for("a"), key_for("b")
    cache.put(key, b'{"anchors": ["cure"]}')
    path = entry_path(cache, key)
    data = path.read_bytes()
    if damage == "payload":  # same length, one byte changed
        path.write_bytes(data.replace(b"cure", b"curd"))
    elif damage == "truncated":
        path.write_bytes(data[:-3])
    elif damage == "header":
        path.write_bytes(b"not a header\n" + data.split(b"\n", 1)[1])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a valid entry copied under another key answers nothing
        target = entry_path(cache, other)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        path = target
        key = other
    assert cache.get(key) is None
    assert not path.exists()


def test_an_entry_that_is_a_symlink_or_not_a_file_is_never_read(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    good, linked, fifo = key_for("good"), key_for("linked"), key_for("fifo")
    cache.put(good, b"secret")
    target = entry_path(cache, linked)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(entry_path(cache, good))
    assert cache.get(linked) is None
    if hasattr(os, "mkfifo"):
        path = entry_path(cache, fifo)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
        assert cache.get(fifo) is None  # and does not hang
    assert cache.get(good) == b"secret"


def test_an_entry_others_may_write_is_not_trusted(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    key = key_for("a")
    cache.put(key, b"value")
    entry_path(cache, key).chmod(0o666)
    assert cache.get(key) is None


def test_undecodable_json_is_a_miss(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    key = key_for("a")
    cache.put(key, b"{not json")
    assert cache.get_json(key) is None
    assert cache.keys() == []


def test_keys_are_canonical_and_typed() -> None:
    assert key_for("a", "b") != key_for("ab") != key_for("a", "b", "")
    assert key_for(1) != key_for("1") != key_for(b"1")
    assert key_for({"b": 1, "a": [1, 2]}) == key_for({"a": [1, 2], "b": 1})
    assert key_for(("x", None)) == key_for(["x", None])
    with pytest.raises(TypeError):
        key_for(object())


def test_keys_and_namespaces_cannot_name_other_files(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    for key in ("../../etc/passwd", "A" * 64, key_for("x")[:-1]):
        with pytest.raises(ValueError):
            cache.get(key)
    with pytest.raises(ValueError):
        Cache.open("../elsewhere")


def test_caching_switched_off(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Cache.open("things", enabled=False) is None
    monkeypatch.setenv(CACHE_ENV, "")
    assert Cache.open("things") is None
    assert not root.exists()


def test_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_module.cache_root() == tmp_path / "xdg" / "healthlint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_module.cache_root() == tmp_path / "home" / ".cache" / "healthlint"


def test_a_readable_folder_of_our_own_is_closed_to_others(root: Path) -> None:
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    assert Cache.open("things") is not None
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_a_folder_of_another_user_is_refused_with_one_warning(
        root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root.mkdir(mode=0o700)
    play_other_owner(root, monkeypatch)
    assert Cache.open("things") is None
    assert Cache.open("others") is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"healthlint: warning: not using the cache folder {root}: it belongs "
                          "to another user")
    assert f"set {CACHE_ENV}" in err


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_folder_others_may_write_to_is_refused_with_one_warning(
        root: Path, mode: int, capsys: pytest.CaptureFixture[str]) -> None:
    root.mkdir()
    root.chmod(mode)
    assert Cache.open("things") is None
    assert Cache.open("things") is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "group or others may write to it" in err and f"{mode & 0o7777:04o}" in err
    assert stat.S_IMODE(root.stat().st_mode) == mode & 0o7777  # not "repaired" behind our back


def test_an_unwritable_location_turns_caching_off_quietly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    monkeypatch.setattr(cache_module, "_root_verdicts", {})
    assert Cache.open("things") is None
    assert capsys.readouterr().err == ""


def _age(path: Path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_pruning_deletes_unused_entries_at_most_once_a_day(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    old, fresh, older_version = key_for("old"), key_for("fresh"), key_for("v0")
    cache.put(old, b"x")
    cache.put(fresh, b"y")
    _age(entry_path(cache, old), MAX_AGE + DAY)
    stale = Cache.open("things", version=0)
    assert stale is not None
    stale.put(older_version, b"z")
    _age(entry_path(stale, older_version), MAX_AGE + DAY)
    leftover = entry_path(cache, fresh).parent / ".tmp-killed"
    leftover.write_bytes(b"half")
    _age(leftover, 2 * 60 * 60)

    assert Cache.open("things") is not None  # pruned less than a day ago: nothing happens
    assert entry_path(cache, old).exists()
    _age(cache.folder / ".last-pruned", DAY + 60)
    assert Cache.open("things") is not None
    assert cache.keys() == [fresh]
    assert not leftover.exists()
    assert not stale.folder.exists()  # the old version's last entry aged out


def test_a_hit_keeps_an_entry_alive(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    key = key_for("used")
    cache.put(key, b"x")
    _age(entry_path(cache, key), MAX_AGE - DAY)
    assert cache.get(key) == b"x"
    assert time.time() - entry_path(cache, key).stat().st_mtime < 60


def test_pruning_keeps_a_namespace_within_its_budget(root: Path) -> None:
    cache = Cache.open("things", max_bytes=10_000)
    assert cache is not None
    keys = [key_for(i) for i in range(20)]
    for age, key in enumerate(keys):
        cache.put(key, b"x" * 1000)
        _age(entry_path(cache, key), age * 60)  # keys[0] is the newest
    cache.prune(root, "things")
    kept = cache.keys()
    assert kept == sorted(keys[: len(kept)])  # the most recently used survive
    total = sum(entry_path(cache, k).stat().st_size for k in kept)
    assert total <= 10_000 * 3 // 4


def _hammer(folder: str, key: str, payload: bytes, rounds: int) -> None:
    os.environ[CACHE_ENV] = folder
    cache = Cache.open("things")
    assert cache is not None
    for _ in range(rounds):
        cache.put(key, payload)


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method")
def test_concurrent_writers_never_leave_a_torn_entry(root: Path) -> None:
    cache = Cache.open("things")
    assert cache is not None
    key = key_for("shared")
    payloads = [bytes([65 + i]) * (5000 * (i + 1)) for i in range(3)]
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_hammer, args=(str(root), key, p, 150)) for p in payloads]
    for writer in writers:
        writer.start()
    seen = set()
    while any(w.is_alive() for w in writers):
        value = cache.get(key)
        if value is not None:
            assert value in payloads
            seen.add(value)
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert cache.get(key) in payloads
    assert [p.name for p in entry_path(cache, key).parent.iterdir()] == [key]  # no leftovers
    assert seen


def test_the_build_digest_follows_the_content_and_is_remembered_by_file_times(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "a.py").write_text("A = 1\n")
    (package / "sub" / "rules.yaml").write_text("rules: []\n")
    (package / "__pycache__" / "a.pyc").write_bytes(b"ignored")
    monkeypatch.setenv(CACHE_ENV, "")
    uncached = folder_digest(package, "1.0")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert folder_digest(package, "1.0") == uncached  # computed, remembered
    assert folder_digest(package, "1.0") == uncached  # remembered
    assert folder_digest(package, "1.1") != uncached
    (package / "__pycache__" / "a.pyc").write_bytes(b"still ignored")
    assert folder_digest(package, "1.0") == uncached
    (package / "sub" / "rules.yaml").write_text("rules: [1]\n")
    edited = folder_digest(package, "1.0")
    assert edited != uncached
    monkeypatch.setenv(CACHE_ENV, "")
    assert folder_digest(package, "1.0") == edited
    # The same content elsewhere (a fresh clone) has the same digest.
    clone = tmp_path / "clone"
    shutil.copytree(package, clone)
    assert folder_digest(clone, "1.0") == edited
