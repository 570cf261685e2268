"""Where the shipped ontology, graph and shapes live, installed or in a source checkout."""

from __future__ import annotations

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
