"""The served store kept on disk between starts, keyed by the inputs and the code (issue 7).

``imtkg serve`` in its default mode (``STORE=memory``) loads the ontology and graph folders, or
a dataset file (``--dataset``), reasons, and hands an on-disk Oxigraph store to the query
workers. That store is built by :mod:`imtkg.store.bulk_build` and kept in the cache folder, as a
build folder of the store root ``<cache dir>/stores`` (:mod:`imtkg.store.store_folders`)::

    <cache dir>/stores/<key>-<nonce>/store/          the Oxigraph store the workers open read-only
    <cache dir>/stores/<key>-<nonce>/manifest.json   what it holds
    (imtkg.store.manifest.DatasetManifest) <cache dir>/stores/<key>-<nonce>/in-use          locked
    (shared) by every server serving it

where ``key`` digests the input files (names and bytes), whether reasoning is on, the source of
every module below the web layer (the subpackages core, rdf, data, reasoning, shacl and store,
whole: :mod:`imtkg.core.code_digest`) and the versions of the libraries they use: editing an
input or that code gives a new key, hence a new build. A start
with an existing key reopens the store without parsing or reasoning anything. Building,
checking, pinning and pruning are those of :func:`imtkg.store.disk_store.open_or_build`: a store is
built in a temporary folder and renamed into place, never replaced under a server reading it; a
store whose manifest is unreadable, whose files are missing or do not match their recorded
checksums, or that Oxigraph cannot open is rebuilt, never served. Only the :data:`KEEP_STORES`
most recently used stores are kept, never one a running server holds.

The cache folder is :func:`imtkg.core.paths.default_cache_dir` (``IMTKG_CACHE_DIR``, ``off`` to
disable it). With the cache off, or when the cache folder cannot be written (read-only, full
disk: a one-line warning names it), the store is built in a temporary folder deleted at exit.

The search index (:mod:`imtkg.store.search_index`) is cached beside the stores, one SQLite file
per dataset version and code (:func:`cached_search_index`)::

    <cache dir>/search/<key>.sqlite

written atomically, opened read-only, the :data:`KEEP_STORES` newest kept.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from imtkg import __version__
from imtkg.core.atomic_files import keep_newest
from imtkg.core.code_digest import STORE_LAYERS, code_digest
from imtkg.core.paths import default_cache_dir
from imtkg.data.version import DatasetVersion
from imtkg.shacl.conformance import NOT_VALIDATED
from imtkg.store.disk_store import STORE_DIR, StoreFolderError, folder_error, open_or_build
from imtkg.store.manifest import DatasetManifest, now_iso
from imtkg.store.search_index import SearchIndex

if TYPE_CHECKING:
    from imtkg.data.sources import Source

log = logging.getLogger(__name__)

STORES_DIR = "stores"
SEARCH_DIR = "search"
#: stores kept in the cache folder (the most recently used ones)
KEEP_STORES = 4
#: libraries whose versions can change what a store holds
LIBRARIES = ("pyoxigraph", "rdflib", "owlrl", "pyshacl")


def code_version() -> str:
    """Return a digest of the code a built store depends on: every subpackage below the web
    layer (:data:`imtkg.core.code_digest.STORE_LAYERS`), whole, and the libraries' versions."""
    return code_digest(STORE_LAYERS, LIBRARIES)


def store_key(input_digest: str, reason: bool) -> str:
    """Return the cache key of the store built from inputs of digest ``input_digest``."""
    return hashlib.sha256(f"{input_digest} {code_version()} reason={reason}".encode()).hexdigest()


@dataclass
class PreparedStore:
    """An on-disk store ready for the query workers.

    :param store_path: the Oxigraph store folder.
    :param manifest: what it holds.
    :param rebuilt: it was built by this call (else reopened from the cache).
    :param seconds: the build's steps (``load``, ``reason``, ``write``) -> seconds; empty when
        the store was reopened.
    :param temporary: the temporary folder of the store, deleted at exit (the cache is off),
        else ``None``.
    """

    store_path: Path
    manifest: DatasetManifest
    rebuilt: bool
    seconds: dict[str, float] = field(default_factory=dict)
    temporary: Path | None = None


def prepare_store(sources: list[Source], inputs: DatasetVersion, reason: bool) -> PreparedStore:
    """Reopen the cached store of ``sources`` or build it (in a temporary folder if no cache).

    :param inputs: the version of the input files (their digest keys the cache).
    :raises InputError: when an input cannot be parsed.
    :raises InconsistentGraphError: when the graph is inconsistent (with the asserted triples
        and graphs behind each problem).
    """
    seconds: dict[str, float] = {}
    build = _builder(sources, inputs, reason, seconds)
    root = default_cache_dir()
    if root is not None:
        key = store_key(inputs.digest, reason)[:32]
        try:
            disk = open_or_build(
                root / STORES_DIR,
                inputs.digest,
                reason,
                build,
                key=key,
                keep=KEEP_STORES,
                fix="or set IMTKG_CACHE_DIR to another folder",
            )
        except StoreFolderError as exc:
            log.warning("%s; building the store in a temporary folder instead", exc)
            seconds.clear()
        else:
            # The cache is keyed by content: a store built from the same bytes in another
            # checkout (or before a fresh clone reset the files' times) is reused, but
            # Last-Modified must describe the files being served now, as the other store
            # modes do.
            manifest = replace(disk.manifest, last_modified=inputs.last_modified.isoformat())
            return PreparedStore(disk.store_path, manifest, disk.rebuilt, seconds)
    return _temporary_store(build, seconds)


def _temporary_store(
    build: Callable[[Path], DatasetManifest], seconds: dict[str, float]
) -> PreparedStore:
    """Build the store in a temporary folder deleted at exit (the cache is off or unwritable).

    :raises StoreFolderError: when the temporary folder cannot be written either.
    """
    temporary_root = Path(tempfile.gettempdir())
    try:
        folder = Path(tempfile.mkdtemp(prefix="imtkg-store-"))
    except OSError as exc:
        raise folder_error(temporary_root, exc, "or set TMPDIR to another folder") from None
    try:
        manifest = build(folder)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise folder_error(folder, exc, "or set TMPDIR to another folder") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    atexit.register(shutil.rmtree, folder, True)
    return PreparedStore(folder / STORE_DIR, manifest, True, seconds, temporary=folder)


def _builder(
    sources: list[Source], inputs: DatasetVersion, reason: bool, seconds: dict[str, float]
) -> Callable[[Path], DatasetManifest]:
    """Return the function building the store of ``sources`` in a folder (and timing it)."""

    def build(folder: Path) -> DatasetManifest:
        # imported here: reopening a cached store (a warm start) needs neither the bulk
        # loader nor the reasoner, which take a tenth of the interpreter's start to import
        from imtkg.reasoning.consistency import InconsistentGraphError
        from imtkg.store.bulk_build import (
            build_store_from_sources,
            explain_inconsistencies,
            release_memory,
        )

        try:
            built = build_store_from_sources(sources, folder / STORE_DIR, reason)
        except InconsistentGraphError as error:
            explain_inconsistencies(sources, error)
            raise
        seconds.update(built.seconds)
        log.info(
            "built the store: %s",
            ", ".join(f"{step} {s:.2f} s" for step, s in built.seconds.items()),
        )
        graphs = built.graphs
        del built  # closes the store (RocksDB) before its files are listed
        release_memory()
        return DatasetManifest(
            digest=inputs.digest,
            last_modified=inputs.last_modified.isoformat(),
            code_version=__version__,
            reasoned=reason,
            validation=NOT_VALIDATED,
            graphs=graphs,
            built=now_iso(),
        )

    return build


def search_index_path(version_digest: str) -> Path | None:
    """Where the search index of the dataset version ``version_digest`` is cached (``None``
    when the cache is off); the name digests the version and the code below the web layer."""
    root = default_cache_dir()
    if root is None:
        return None
    key = hashlib.sha256(f"search {version_digest} {code_version()}".encode()).hexdigest()
    return root / SEARCH_DIR / f"{key[:32]}.sqlite"


def cached_search_index(
    version_digest: str, build: Callable[[], SearchIndex]
) -> tuple[SearchIndex, bool]:
    """The search index of the dataset version ``version_digest``: its cached file opened
    read-only, else ``build()``'s, written to the cache atomically and opened from there.

    With the cache off or unwritable (a warning names it), the built index is served from
    memory. :returns: the index and whether it was built now.
    """
    path = search_index_path(version_digest)
    if path is not None and path.is_file():
        cached = SearchIndex.open(path)
        if cached.readable():
            return cached, False
        log.warning("the cached search index %s is damaged; it is built again", path)
    index = build()
    if path is None:
        return index, True
    try:
        index.save(path)
    except OSError as exc:
        log.warning("cannot write the search index to %s (%s); it is kept in memory", path, exc)
        return index, True
    keep_newest(path.parent.glob("*.sqlite"), KEEP_STORES)
    return SearchIndex.open(path), True
