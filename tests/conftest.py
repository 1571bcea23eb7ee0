"""Shared fixtures. Tests call library functions and ``main([...])`` in-process."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# Before healthlint is imported: its modules read their compiled patterns from the cache as
# they load, and the tests never use the user's cache folder.
_IMPORT_CACHE = tempfile.mkdtemp(prefix="healthlint-tests-")
os.environ["HEALTHLINT_CACHE_DIR"] = _IMPORT_CACHE
atexit.register(shutil.rmtree, _IMPORT_CACHE, ignore_errors=True)

import pytest  # noqa: E402

from healthlint.cache import CACHE_ENV  # noqa: E402
from healthlint.engine import Linter  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _cache_folder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One cache folder for the session, never the user's: runs share compiled rule data and
    results as repeated runs do, and a test that patches the engine passes ``--no-cache``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def linter() -> Linter:
    """The shipped rules with default settings, built once."""
    return Linter()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``shared`` read the development data beside the repository."""
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(
        reason=f"needs the development data folder {SHARED.name}/ beside the repo")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)
