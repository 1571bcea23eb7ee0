"""Where the files shipped inside the package are.

healthlint walks its packs and term folders as folders, so it runs from an installed tree
of files (as pip installs it), never from a zip file, and finds them beside this module.
``importlib.resources`` would find them too, at the cost of a twentieth of start-up in its
own imports (``zipfile``, ``tempfile`` and their compression modules)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent


def package_file(relative: str) -> Path:
    """The path of a file or folder shipped in the package, from its ``/``-separated path."""
    return PACKAGE.joinpath(*relative.split("/"))
