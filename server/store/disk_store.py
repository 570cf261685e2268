"""An on-disk Oxigraph store that outlives the server: built once per input, reopened after.

``STORE=oxigraph:PATH`` keeps the loaded, reasoned dataset (the named graphs and the hidden union
graph, as :func:`imtkg.store.oxigraph_store.build_store` lays them out) in a build folder of
``PATH``::

    PATH/<input digest>-<reasoned|asserted>-<nonce>/store/          the Oxigraph store
    PATH/<input digest>-<reasoned|asserted>-<nonce>/manifest.json   a DatasetManifest
    PATH/<input digest>-<reasoned|asserted>-<nonce>/checksums.sha256

(:mod:`imtkg.store.store_folders` describes the layout, the lock and the pins). A start with the
same inputs (ontology and graph files, code version, reasoning on or off) opens their build as it
is: nothing is parsed or reasoned. Otherwise a new build is made in a temporary folder of ``PATH``
and renamed into place. A build is never replaced or modified once made: a server pins the build
it opened, its query workers (and those that replace them) open that folder only, and a second
server started with other inputs on the same ``PATH`` builds its own folder beside it, so the
first never answers from data its ``/health`` and ETags do not describe. Builds no server pins
are pruned to the :data:`KEEP_BUILDS` most recently used.

A build whose manifest is unreadable, whose files are missing, of another size or do not match
the SHA-256 checksums recorded when it was built, or that Oxigraph cannot open, is rebuilt
(logged with the reason), never served. A folder that cannot be written (read-only, full disk)
stops the start with one line naming it, unless it already holds a sound build of the inputs,
which is then served as it is.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from imtkg.core.errors import ImtKgError
from imtkg.store.manifest import FORMAT, DatasetManifest, ManifestError
from imtkg.store.oxigraph_store import ASSERTED_UNION, build_store
from imtkg.store.prepared import input_version, prepare_dataset
from imtkg.store.store_checksums import (
    CHECKSUMS_FILE,
    checksum_problem,
    file_checksums,
    format_checksums,
)
from imtkg.store.store_folders import (
    BUILDING_PREFIX,
    IN_USE_FILE,
    MANIFEST_FILE,
    STORE_DIR,
    builds,
    delete_if_free,
    is_store_root,
    pin,
    prune,
    remove_leftovers,
    remove_old_layout,
    root_lock,
    write_synced,
)

__all__ = ["MANIFEST_FILE", "STORE_DIR", "DiskStore", "StoreFolderError", "open_disk_store"]

log = logging.getLogger(__name__)

#: builds kept in PATH when no server pins them: the one served and the one before (switching
#: back to the previous inputs then reopens it)
KEEP_BUILDS = 2
#: what the system says of a folder it does not let us write (Oxigraph's errors have no errno)
READ_ONLY = ("Read-only file system", "Permission denied", "Operation not permitted")


class StoreFolderError(ImtKgError):
    """A store folder that cannot be written or read (read-only, full disk): names it and the
    fix, in one line."""


@dataclass(frozen=True)
class DiskStore:
    """A ready on-disk store, pinned by this process.

    :param path: the build folder holding ``store/`` and ``manifest.json``.
    :param manifest: what the store holds.
    :param rebuilt: the store was (re)built by this call rather than reopened.
    :param root: the folder of builds ``path`` is in (``PATH`` of ``STORE=oxigraph:PATH``).
    """

    path: Path
    manifest: DatasetManifest
    rebuilt: bool
    root: Path | None = None

    @property
    def store_path(self) -> Path:
        """The Oxigraph store folder."""
        return self.path / STORE_DIR


def open_disk_store(
    path: Path, ontology_dir: Path | None = None, graph_dir: Path | None = None, reason: bool = True
) -> DiskStore:
    """Open the build of the current inputs in ``path`` if there is a sound one, else build it.

    :raises ImtKgError: when ``path`` is a folder that is not an imtkg store (it is never
        written to), or when the inputs cannot be loaded.
    :raises StoreFolderError: when a build is needed and ``path`` cannot be written.
    """
    version = input_version(ontology_dir, graph_dir)

    def build(folder: Path) -> DatasetManifest:
        return _build_store(folder, ontology_dir, graph_dir, reason)

    return open_or_build(
        path, version.digest, reason, build, fix="or serve another --store oxigraph:PATH"
    )


def build_key(digest: str, reason: bool) -> str:
    """Return the name prefix of the builds of inputs of digest ``digest``."""
    return f"{re.sub(r'[^0-9A-Za-z]', '', digest)[:16]}-{'reasoned' if reason else 'asserted'}"


def open_or_build(
    root: Path,
    digest: str,
    reason: bool,
    build: Callable[[Path], DatasetManifest],
    key: str | None = None,
    keep: int = KEEP_BUILDS,
    fix: str = "or choose another folder",
) -> DiskStore:
    """Open and pin a sound build of ``root`` for ``digest`` and ``reason``, else make one.

    :param build: writes a store into ``folder/store`` and returns its manifest (without the
        file list, added here); it runs in a temporary folder of ``root``, renamed after.
    :param key: the name prefix of the builds to consider (:func:`build_key` by default).
    :param keep: the builds kept when no server pins them (the most recently used).
    :param fix: the end of the advice given when ``root`` cannot be written.
    :raises StoreFolderError: when a build is needed and ``root`` cannot be written.
    """
    root = Path(root).resolve()
    key = key or build_key(digest, reason)
    if not is_store_root(root):
        raise ImtKgError(f"{root} is not an imtkg store; refusing to replace what it holds")
    if not root.is_dir():
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise folder_error(root, exc, fix) from None
    try:
        return _open_or_build_locked(root, key, digest, reason, build, keep, fix)
    except OSError as exc:  # the lock file or a folder listing: the folder itself is at fault
        raise folder_error(root, exc, fix) from None


def _open_or_build_locked(
    root: Path,
    key: str,
    digest: str,
    reason: bool,
    build: Callable[[Path], DatasetManifest],
    keep: int,
    fix: str,
) -> DiskStore:
    """:func:`open_or_build` under the lock of ``root``."""
    with root_lock(root) as locked:
        if locked:
            remove_leftovers(root)
        found, why = _open_build(root, key, digest, reason, locked)
        if found is not None:
            return found
        if not locked:
            raise StoreFolderError(
                f"cannot build the store in {root}: the folder is read-only ({why}); "
                f"make it writable {fix}"
            )
        log.info("building the on-disk store in %s (%s)", root, why)
        folder = _build(root, key, build, fix)
        pin(folder)
        remove_old_layout(root)
        for pruned in prune(root, keep):
            log.info("deleted the store %s, which no server was reading", pruned)
        return DiskStore(folder, read_manifest(folder), True, root)


def _open_build(
    root: Path, key: str, digest: str, reason: bool, locked: bool
) -> tuple[DiskStore | None, str]:
    """Return the pinned, sound build of ``key`` in ``root`` (or ``None``) and, if none, why."""
    why = "no store built from these inputs yet"
    for folder in builds(root):
        if folder.name != key and not folder.name.startswith(key + "-"):
            continue
        problem = check_store(folder, digest, reason)
        if problem is None:
            pin(folder)
            _touch(folder)
            return DiskStore(folder, read_manifest(folder), False, root), ""
        deleted = locked and delete_if_free(folder)
        log.warning(
            "the on-disk store %s cannot be served: %s; %s",
            folder,
            problem,
            "deleted, rebuilding it" if deleted else "left to the server reading it",
        )
        why = problem
    return None, why


def read_manifest(path: Path) -> DatasetManifest:
    """Read ``path/manifest.json``.

    :raises ManifestError: when it is missing or unreadable.
    """
    try:
        text = (path / MANIFEST_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read {path / MANIFEST_FILE}: {exc}") from None
    return DatasetManifest.from_json(text)


def check_store(path: Path, digest: str, reason: bool) -> str | None:
    """Return why the build folder ``path`` cannot be served as it is, or ``None`` if it can.

    The files are compared with the manifest (names, sizes) and with the checksums recorded
    at build (every byte), then Oxigraph opens the store.
    """
    try:
        manifest = read_manifest(path)
    except ManifestError as exc:
        return f"unreadable manifest ({exc})"
    if manifest.format != FORMAT or manifest.digest != digest or manifest.reasoned != reason:
        return "the inputs or the code changed"
    if store_files(path / STORE_DIR) != manifest.files:
        return "missing or altered store files"
    problem = checksum_problem(path / STORE_DIR, path / CHECKSUMS_FILE)
    if problem is not None:
        return problem
    try:
        store = ox.Store.read_only(str(path / STORE_DIR))
        complete = store.contains_named_graph(ox.NamedNode(ASSERTED_UNION))
        del store
        gc.collect()  # close RocksDB before the workers open the store
    except (OSError, RuntimeError, ValueError) as exc:
        return f"the store cannot be opened ({exc})"
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


def folder_error(folder: Path, exc: OSError, fix: str) -> StoreFolderError:
    """Return the one-line error of a store folder that cannot be written, with the fix."""
    message = " ".join(str(exc).split())
    # Oxigraph's I/O errors carry no errno; their last part says what the system said
    reason = exc.strerror or message.rsplit(": ", 1)[-1]
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left" in message:
        advice = f"free space on its disk {fix}"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) or reason in READ_ONLY:
        advice = f"make it writable {fix}"
    else:
        return StoreFolderError(f"building the store in {folder} failed: {message}")
    return StoreFolderError(f"cannot write the store in {folder}: {reason}; {advice}")


def _build_store(
    folder: Path, ontology_dir: Path | None, graph_dir: Path | None, reason: bool
) -> DatasetManifest:
    """Load, reason and validate the inputs into a store in ``folder/store``."""
    prepared = prepare_dataset(ontology_dir, graph_dir, reason=reason)
    store = build_store(prepared.kg.dataset, folder / STORE_DIR)
    store.flush()
    store.optimize()  # compacted files: faster reads (see bulk_build.build_store_from_sources)
    manifest = prepared.manifest(store)
    del store
    gc.collect()  # release RocksDB's lock so that the files are final and others may open them
    return manifest


def _build(root: Path, key: str, build: Callable[[Path], DatasetManifest], fix: str) -> Path:
    """Build a store in a temporary folder of ``root``, then rename it to a new build folder."""
    try:
        building = Path(tempfile.mkdtemp(prefix=BUILDING_PREFIX, dir=root))
    except OSError as exc:
        raise folder_error(root, exc, fix) from None
    try:
        manifest = build(building)
        gc.collect()
        manifest = replace(manifest, files=store_files(building / STORE_DIR))
        sums = format_checksums(file_checksums(building / STORE_DIR))
        write_synced(building / CHECKSUMS_FILE, sums)
        write_synced(building / MANIFEST_FILE, manifest.to_json())
        (building / IN_USE_FILE).touch()
        folder = root / f"{key}-{uuid.uuid4().hex[:8]}"
        os.rename(building, folder)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise folder_error(root, exc, fix) from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return folder


def _touch(folder: Path) -> None:
    """Mark the build as just used (pruning keeps the most recently used ones)."""
    try:
        os.utime(folder / MANIFEST_FILE)
    except OSError:
        pass  # a read-only folder: nothing is pruned there either
