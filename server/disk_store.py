"""An on-disk Oxigraph store that outlives the server: built once per input, reopened after.

``STORE=oxigraph:PATH`` keeps the loaded, reasoned dataset (the named graphs and the hidden union
graph, as :func:`imtkg.store.build_store` lays them out) in ``PATH``::

    PATH/store/           the Oxigraph (RocksDB) store the query workers open read-only
    PATH/manifest.json    a DatasetManifest: input digest, code version, graph sizes, store files

A restart with the same inputs (ontology and graph files, code version, reasoning on or off)
opens the store as it is: nothing is parsed or reasoned. Otherwise the store is rebuilt in a
sibling temporary folder and swapped in by renames, so ``PATH`` never holds half a store; a store
whose manifest is unreadable, whose files are missing or of the wrong size, or that Oxigraph
cannot open is rebuilt too. A lock file beside ``PATH`` keeps two processes from building at once.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from .errors import ImtKgError
from .manifest import FORMAT, DatasetManifest, ManifestError
from .prepared import input_version, prepare_dataset
from .store import ASSERTED_UNION, build_store

log = logging.getLogger(__name__)

STORE_DIR = "store"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class DiskStore:
    """A ready on-disk store.

    :param path: the folder holding ``store/`` and ``manifest.json``.
    :param manifest: what the store holds.
    :param rebuilt: the store was (re)built by this call rather than reopened.
    """

    path: Path
    manifest: DatasetManifest
    rebuilt: bool

    @property
    def store_path(self) -> Path:
        """The Oxigraph store folder."""
        return self.path / STORE_DIR


def open_disk_store(
    path: Path, ontology_dir: Path | None = None, graph_dir: Path | None = None, reason: bool = True
) -> DiskStore:
    """Open the store at ``path`` if it was built from the current inputs, else (re)build it.

    :raises ImtKgError: when ``path`` is a folder that is not an imtkg store (it is never
        overwritten), or when the inputs cannot be loaded.
    """
    version = input_version(ontology_dir, graph_dir)

    def build(folder: Path) -> DatasetManifest:
        return _build_store(folder, ontology_dir, graph_dir, reason)

    return open_or_build(path, version.digest, reason, build)


def open_or_build(
    path: Path, digest: str, reason: bool, build: Callable[[Path], DatasetManifest]
) -> DiskStore:
    """Open the store at ``path`` if its manifest says ``digest`` and ``reason``, else rebuild it.

    :param build: writes a store into ``folder/store`` and returns its manifest (without the
        file list, added here); it runs in a temporary folder beside ``path``, swapped in after.
    """
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path):
        _remove_leftovers(path)
        problem = check_store(path, digest, reason)
        if problem is None:
            return DiskStore(path, read_manifest(path), rebuilt=False)
        log.info("building the on-disk store at %s (%s)", path, problem)
        manifest = _build(path, build)
        return DiskStore(path, manifest, rebuilt=True)


def read_manifest(path: Path) -> DatasetManifest:
    """Read ``PATH/manifest.json``.

    :raises ManifestError: when it is missing or unreadable.
    """
    try:
        text = (path / MANIFEST_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read {path / MANIFEST_FILE}: {exc}") from None
    return DatasetManifest.from_json(text)


def check_store(path: Path, digest: str, reason: bool) -> str | None:
    """Return why the store at ``path`` cannot be served as it is, or ``None`` if it can."""
    if not path.exists():
        return "no store yet"
    if not (path / MANIFEST_FILE).exists() and not (path / STORE_DIR).exists():
        if any(path.iterdir()):
            raise ImtKgError(f"{path} is not an imtkg store; refusing to replace what it holds")
        return "empty folder"
    try:
        manifest = read_manifest(path)
    except ManifestError as exc:
        log.warning("the on-disk store at %s is damaged: %s", path, exc)
        return "unreadable manifest"
    if manifest.format != FORMAT or manifest.digest != digest or manifest.reasoned != reason:
        return "the inputs or the code changed"
    if store_files(path / STORE_DIR) != manifest.files:
        log.warning("the on-disk store at %s is incomplete or altered", path)
        return "missing or altered store files"
    try:
        store = ox.Store.read_only(str(path / STORE_DIR))
        complete = store.contains_named_graph(ox.NamedNode(ASSERTED_UNION))
        del store
        gc.collect()  # close RocksDB before the workers open the store
    except (OSError, RuntimeError, ValueError) as exc:
        log.warning("the on-disk store at %s cannot be opened: %s", path, exc)
        return "the store cannot be opened"
    return None if complete else "the store lacks the union graph"


def store_files(directory: Path) -> dict[str, int]:
    """Return the files under ``directory`` (relative POSIX paths) -> their sizes."""
    if not directory.is_dir():
        return {}
    return {
        p.relative_to(directory).as_posix(): p.stat().st_size
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _build_store(
    folder: Path, ontology_dir: Path | None, graph_dir: Path | None, reason: bool
) -> DatasetManifest:
    """Load, reason and validate the inputs into a store in ``folder/store``."""
    prepared = prepare_dataset(ontology_dir, graph_dir, reason=reason)
    store = build_store(prepared.kg.dataset, folder / STORE_DIR)
    store.flush()
    manifest = prepared.manifest(store)
    del store
    gc.collect()  # release RocksDB's lock so that the files are final and others may open them
    return manifest


def _build(path: Path, build: Callable[[Path], DatasetManifest]) -> DatasetManifest:
    """Build a store beside ``path`` with ``build``, then swap it in."""
    building = Path(tempfile.mkdtemp(prefix=f".{path.name}.building-", dir=path.parent))
    try:
        manifest = build(building)
        gc.collect()
        manifest = replace(manifest, files=store_files(building / STORE_DIR))
        _write_file(building / MANIFEST_FILE, manifest.to_json())
        _swap(building, path)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return manifest


def _write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` and flush it to the disk."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def _swap(new: Path, path: Path) -> None:
    """Put the folder ``new`` at ``path``, moving what was there aside first, then delete it."""
    old = None
    if path.exists():
        old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(path, old)
    os.rename(new, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(path: Path) -> None:
    """Delete the temporary folders of builds or swaps that a crash left beside ``path``."""
    for pattern in (f".{path.name}.building-*", f".{path.name}.old-*"):
        for leftover in path.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``.<name>.lock`` beside ``path``."""
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a+b") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
