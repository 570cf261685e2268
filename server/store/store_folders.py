"""Versioned store folders: each build in its own folder, pinned by its readers, pruned when free.

A store root (``STORE=oxigraph:PATH``, or the start-up cache's ``stores/`` folder) holds::

    ROOT/.imtkg-store.lock      locked (exclusive) while a server opens, builds or prunes
    ROOT/<key>-<nonce>/         one build, never modified once renamed into place:
        store/                  the Oxigraph store the query workers open read-only
        manifest.json           what it holds (imtkg.store.manifest.DatasetManifest)
        checksums.sha256        its files' checksums (imtkg.store.store_checksums)
        in-use                  locked (shared) by every server reading this build
    ROOT/.building-<random>/    a build in progress (a crash's leftover is deleted)

where ``key`` names the inputs a build was made from. A server pins the build it opened (a shared
``flock`` on its ``in-use`` file) for as long as it runs; its query workers, and the workers
that replace them, open that folder and no other. A server started on the same root with other
inputs builds a new folder beside it, and old builds are deleted only when no server pins them
(an exclusive ``flock`` that does not wait). Pins are taken and builds deleted only under the
root's lock, so a build cannot be deleted between its check and its pinning.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

LOCK_FILE = ".imtkg-store.lock"
IN_USE_FILE = "in-use"
MANIFEST_FILE = "manifest.json"
STORE_DIR = "store"
BUILDING_PREFIX = ".building-"
#: errors meaning "this folder cannot be written" rather than a bug
UNWRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT})

#: the pins this process holds: build folder -> open in-use files (released at exit)
_PINS: dict[Path, list[BinaryIO]] = {}


def builds(root: Path) -> list[Path]:
    """Return the build folders of ``root`` (those with a manifest), most recently used first."""
    try:
        children = [p for p in root.iterdir() if not p.name.startswith(".") and p.is_dir()]
    except OSError:
        return []
    found = [p for p in children if (p / MANIFEST_FILE).is_file() or (p / STORE_DIR).is_dir()]
    return sorted(found, key=last_used, reverse=True)


def last_used(build: Path) -> float:
    """Return when ``build`` was last opened (its manifest's modification time), 0 if unknown."""
    try:
        return (build / MANIFEST_FILE).stat().st_mtime
    except OSError:
        return 0.0


def is_store_root(root: Path) -> bool:
    """Tell whether ``root`` is missing, empty, or a folder this module (or an older layout,
    ``store/`` and ``manifest.json`` at the top) made: anything else is never written to."""
    if not root.exists():
        return True
    if not root.is_dir():
        return False
    names = {p.name for p in root.iterdir()}
    if not names or LOCK_FILE in names or MANIFEST_FILE in names or STORE_DIR in names:
        return True
    if all(name.startswith(".") and name.endswith(".in-use") for name in names):
        return True  # the start-up cache's folder as an older version left it
    return bool(builds(root))


@contextmanager
def root_lock(root: Path) -> Iterator[bool]:
    """Hold the exclusive lock of ``root``; yield whether it could be taken.

    A root whose lock file cannot be created (a read-only folder) yields ``False``: it can be
    read but no server can build in it either.
    """
    handle = _open_lock(root / LOCK_FILE)
    if handle is None:
        yield False
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_lock(path: Path) -> BinaryIO | None:
    """Open (or create) the lock file ``path``; ``None`` when the folder is read-only and the
    file is missing. A lock needs no write access: ``flock`` works on a read-only file."""
    try:
        return open(path, "a+b")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            raise
    try:
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except OSError:
        return None


def pin(build: Path) -> bool:
    """Hold a shared lock on ``build``'s in-use file until :func:`unpin` or this process exits.

    :returns: whether the pin was taken (not in a read-only folder without an in-use file).
    """
    handle = _open_lock(build / IN_USE_FILE)
    if handle is None:
        log.warning("cannot pin the store %s (read-only folder): keep its readers apart", build)
        return False
    fcntl.flock(handle, fcntl.LOCK_SH)
    if not _PINS:
        atexit.register(_unpin_all)
    _PINS.setdefault(build, []).append(handle)
    return True


def unpin(build: Path) -> None:
    """Release one pin this process holds on ``build`` (none: nothing happens)."""
    handles = _PINS.get(build)
    if handles:
        handles.pop().close()
        if not handles:
            del _PINS[build]


def _unpin_all() -> None:
    for handles in _PINS.values():
        while handles:
            handles.pop().close()
    _PINS.clear()


def is_pinned(build: Path) -> bool:
    """Tell whether a server (this process included) pins ``build``."""
    try:
        handle = open(build / IN_USE_FILE, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False  # a build of an older layout: no server of this code reads it
    except OSError:
        return True  # cannot tell: keep it
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def delete_if_free(build: Path) -> bool:
    """Delete ``build`` unless a server pins it (call under the root's lock); tell if it was."""
    if build in _PINS or is_pinned(build):
        return False
    shutil.rmtree(build, ignore_errors=True)
    return not build.exists()


def prune(root: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` most recently used builds of ``root`` that no server pins.

    Call it under the root's lock. :returns: the deleted folders.
    """
    return [build for build in builds(root)[keep:] if delete_if_free(build)]


def remove_leftovers(root: Path) -> None:
    """Delete the folders of builds that a crash interrupted (none runs: the lock is held)."""
    for leftover in root.glob(BUILDING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


def remove_old_layout(root: Path) -> None:
    """Delete a store of the older layout (``store/`` and ``manifest.json`` in ``root``)."""
    if (root / STORE_DIR).is_dir() or (root / MANIFEST_FILE).is_file():
        log.info("removing the store of the previous layout in %s", root)
        shutil.rmtree(root / STORE_DIR, ignore_errors=True)
        (root / MANIFEST_FILE).unlink(missing_ok=True)


def write_synced(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` and flush it to the disk."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
