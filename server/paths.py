"""Where the shipped ontology, graph and shapes live, installed or in a source checkout."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FOLDERS = ("ontology", "graph", "shapes")


def resource_dir(name: str) -> Path:
    """Return the folder of shipped ``name`` files (``ontology``, ``graph`` or ``shapes``).

    A wheel carries them as ``imtkg/resources/<name>``; a source checkout or an editable install
    reads them from the repository's top-level folders.
    """
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; expected one of {DATA_FOLDERS}")
    installed = _PACKAGE_DIR / "resources" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def turtle_files(folder: Path) -> list[Path]:
    """Return the ``.ttl`` files of ``folder`` in a stable (sorted) order."""
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


#: environment variable naming the cache folder (closure, validation, start-up stores)
CACHE_ENV = "IMTKG_CACHE_DIR"


def default_cache_dir() -> Path | None:
    """Return the cache directory from the environment; ``None`` when caching is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "none") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "imtkg"
