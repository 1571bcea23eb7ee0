"""Shared fixtures. Tests call library functions and ``main([...])`` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.cache import CACHE_ENV
from healthlint.engine import Linter

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
    skip = pytest.mark.skip(reason=f"needs the development data folder {SHARED.name}/ beside the repo")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)
