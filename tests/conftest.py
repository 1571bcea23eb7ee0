"""Shared fixtures. Tests call library functions and ``main([...])`` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint.engine import Linter

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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
