"""Digests of the package's own code, by subpackage: what keys the on-disk caches.

The closure cache, the SHACL outcome cache and the start-up store cache must be rebuilt when the
code that decides their content changes. Hand-kept lists of modules went stale (a module left off
the list, edited, left a stale store), so each cache digests *whole subpackages* instead: every
``.py`` file under them, read from the installed package, with the versions of the libraries
that shape the result. The layers make this exact: a subpackage imports only from its own layer
or lower ones, so the code a cache depends on is the union of a few subpackages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

#: the ``imtkg`` package folder, whose sources are digested (this module is ``core/code_digest.py``)
PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: the layers whose code decides what the inferred graph (the closure) holds
CLOSURE_LAYERS = ("core", "rdf", "data", "reasoning")
#: the layers whose code decides a SHACL outcome
VALIDATION_LAYERS = ("core", "rdf", "data", "shacl")
#: the layers below the web layer: they decide what a built store holds and how it validates
STORE_LAYERS = ("core", "rdf", "data", "reasoning", "shacl", "store")


def source_files(subpackages: Iterable[str], root: Path | None = None) -> list[Path]:
    """Return the ``.py`` files of ``subpackages`` of the package at ``root``, sorted.

    :raises FileNotFoundError: when a subpackage is not a folder of ``root`` (a misspelt layer
        must not give a digest of nothing).
    """
    root = root or PACKAGE_DIR
    files: list[Path] = []
    for name in subpackages:
        folder = root / name
        if not folder.is_dir():
            raise FileNotFoundError(f"no subpackage {name!r} in {root}")
        files += folder.rglob("*.py")
    return sorted(files)


def subpackages_digest(
    subpackages: Iterable[str], libraries: Iterable[str] = (), root: Path | None = None
) -> str:
    """Return a SHA-256 hex digest of the sources of ``subpackages`` (paths and bytes) and of
    the installed versions of ``libraries``."""
    root = root or PACKAGE_DIR
    sha = hashlib.sha256(" ".join(f"{n} {version(n)}" for n in libraries).encode())
    for path in source_files(subpackages, root):
        sha.update(path.relative_to(root).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()


def code_digest(subpackages: tuple[str, ...], libraries: tuple[str, ...] = ()) -> str:
    """Return :func:`subpackages_digest` of the installed package, computed once per process."""
    return _cached_digest(PACKAGE_DIR, tuple(subpackages), tuple(libraries))


@lru_cache(maxsize=16)
def _cached_digest(root: Path, subpackages: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    return subpackages_digest(subpackages, libraries, root)


def forget() -> None:
    """Forget the digests computed so far (a test that edits the sources, as a new process)."""
    _cached_digest.cache_clear()
