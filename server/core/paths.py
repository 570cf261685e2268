"""Where the shipped ontology, graph and shapes live, installed or in a source checkout."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

#: the ``imtkg`` package folder (this module is ``imtkg/core/paths.py``)
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
DATA_FOLDERS = ("ontology", "graph", "shapes", "releases")


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
    """Return the cache directory from the environment; ``None`` when caching is off.

    ``$IMTKG_CACHE_DIR`` (``off`` disables the caches), else ``$XDG_CACHE_HOME/imtkg``, else
    ``~/.cache/imtkg``; with no home folder either (a service account), the caches are off
    rather than put in a folder other users could write. Whether the folder can be written is
    found when writing: each cache then warns and carries on without it.
    """
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "none") else Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else None
    if base is None:
        try:
            base = Path.home() / ".cache"
        except (RuntimeError, KeyError):
            log.warning("no home folder: the caches are off (set %s to use one)", CACHE_ENV)
            return None
    return base / "imtkg"
