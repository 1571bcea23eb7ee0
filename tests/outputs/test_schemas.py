"""The vendored schemas are the published files, unmodified (see schemas/PROVENANCE.md)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

SCHEMAS = Path(__file__).parent / "schemas"
SHARED_SCHEMAS = Path(__file__).parents[2] / ".." / "shared" / "schemas"

SHA256 = {
    "sarif-schema-2.1.0.json": "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e",
    "JUnit.xsd": "147ff89ef34a82f9a1b2951e7cad251b98c9a7a48a0e0c8e44937141791f57a8",
}


@pytest.mark.parametrize("name", sorted(SHA256))
def test_vendored_schema_is_unmodified(name: str) -> None:
    digest = hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest()
    assert digest == SHA256[name]
    assert SHA256[name] in (SCHEMAS / "PROVENANCE.md").read_text(encoding="utf-8")


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(SHA256))
def test_vendored_schema_matches_the_shared_copy(name: str) -> None:
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"{SHARED_SCHEMAS} is absent (only development checkouts have ../shared)")
    assert (SCHEMAS / name).read_bytes() == (SHARED_SCHEMAS / name).read_bytes()
