"""The inferred graph cached on disk, keyed by the input files and the reasoning code.

Reasoning is deterministic: the same ontology and data files, reasoned over by the same code,
give the same inferred graph. :func:`add_inferred_graph_cached` therefore keeps the inferred
triples of a *consistent* graph in ``<cache dir>/closure-<key>.nt``, where the key is a SHA-256
of the input files (names and bytes), of the source of every module the closure depends on (the
subpackages core, rdf, data and reasoning, whole: :mod:`imtkg.core.code_digest`) and of the
versions of rdflib and owlrl. A later load with the same key reads the file instead of reasoning.

A cache file starts with a header line ``# imtkg-closure 1 <key> <triples> <sha256 of the
rest>``; it is written to a temporary file and renamed into place (atomic on POSIX), so readers
never see a partial file. A file whose header, digest or triple count does not match is corrupt:
it is deleted, never served, and the closure is recomputed.

The cache lives in ``$IMTKG_CACHE_DIR`` (``off`` disables it), else ``$XDG_CACHE_HOME/imtkg``,
else ``~/.cache/imtkg``; a cache that cannot be written is skipped with a warning.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph

from imtkg.core.atomic_files import keep_newest, remove_quietly, write_atomically
from imtkg.core.code_digest import CLOSURE_LAYERS, code_digest
from imtkg.core.paths import CACHE_ENV, default_cache_dir  # noqa: F401 - re-exported, tested here
from imtkg.data.dataset import digest_files
from imtkg.reasoning.closure import reason, store_inferred
from imtkg.reasoning.consistency import Inconsistency, inconsistencies_of
from imtkg.reasoning.rl_reasoner import Triple

log = logging.getLogger(__name__)

FORMAT_VERSION = "1"
MAGIC = "# imtkg-closure"
#: cache files kept per directory (the most recent ones)
KEEP_FILES = 8
#: the libraries whose versions can change the inferred graph
LIBRARIES = ("rdflib", "owlrl")


def code_version() -> str:
    """Return a digest of the code the closure depends on (the subpackages of
    :data:`imtkg.core.code_digest.CLOSURE_LAYERS`, whole) and of the libraries it relies on."""
    digest = code_digest(CLOSURE_LAYERS, LIBRARIES)
    return hashlib.sha256(f"{FORMAT_VERSION} {digest}".encode()).hexdigest()


def cache_key(input_files: Iterable[Path], full: bool = False) -> str:
    """Return the cache key of the closure of ``input_files``."""
    return digest_files(input_files, extra=f"{code_version()} full={full}")


class ClosureCache:
    """Inferred graphs on disk, one N-Triples file per key.

    :param directory: where the files live (created on first write).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        """Return the file of ``key``."""
        return self.directory / f"closure-{key}.nt"

    def load(self, key: str) -> Graph | None:
        """Return the cached inferred graph of ``key``; ``None`` if absent or corrupt (deleted)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("closure cache %s cannot be read: %s", path, exc)
            return None
        graph = self._parse(data, key)
        if graph is None:
            deleted = "deleted" if remove_quietly(path) else "left (the folder is read-only)"
            log.warning("closure cache %s is corrupt: %s, the closure is recomputed", path, deleted)
        return graph

    @staticmethod
    def _parse(data: bytes, key: str) -> Graph | None:
        """Check a cache file's header and digest and parse its triples; ``None`` if it is bad."""
        header, _, body = data.partition(b"\n")
        fields = header.decode("utf-8", "replace").split(" ")
        if len(fields) != 6 or " ".join(fields[:2]) != MAGIC or fields[2] != FORMAT_VERSION:
            return None
        if fields[3] != key or fields[5] != hashlib.sha256(body).hexdigest():
            return None
        graph = Graph()
        try:
            graph.parse(data=body, format="nt")
        except Exception:  # noqa: BLE001 - any parser failure means a corrupt file
            return None
        return graph if str(len(graph)) == fields[4] else None

    def store(self, key: str, triples: Iterable[Triple]) -> None:
        """Write the inferred triples of ``key`` atomically; warn (only) when it cannot."""
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        body = b"".join(sorted(line for line in lines if line.strip()))  # stable files
        digest = hashlib.sha256(body).hexdigest()
        header = f"{MAGIC} {FORMAT_VERSION} {key} {len(graph)} {digest}\n".encode()
        try:
            write_atomically(self.path(key), header + body, prefix=".closure-")
        except OSError as exc:
            log.warning("closure cache %s cannot be written: %s", self.directory, exc)
            return
        self.prune()

    def prune(self, keep: int = KEEP_FILES) -> None:
        """Delete all but the ``keep`` most recent cache files."""
        keep_newest(self.directory.glob("closure-*.nt"), keep)


def add_inferred_graph_cached(
    dataset: Dataset, input_files: Iterable[Path], cache_dir: Path | None | str = "default"
) -> list[Inconsistency]:
    """Fill ``dataset``'s ``graph:inferred`` from the cache, or by reasoning (then cache it).

    :param input_files: the files ``dataset`` was loaded from (they make the cache key).
    :param cache_dir: the cache directory; ``"default"`` for :func:`default_cache_dir`,
        ``None`` for no cache.
    :returns: the inconsistencies found (a graph with any is not cached).
    """
    directory = default_cache_dir() if cache_dir == "default" else cache_dir
    cache = ClosureCache(Path(directory)) if directory is not None else None
    key = cache_key(input_files) if cache is not None else ""
    cached = cache.load(key) if cache is not None else None
    if cached is not None:
        store_inferred(dataset, cached)
        return []
    reasoning = reason(dataset)
    store_inferred(dataset, reasoning.inferred)
    inconsistencies = inconsistencies_of(reasoning, dataset)
    if cache is not None and not inconsistencies:
        cache.store(key, reasoning.inferred)
    return inconsistencies
