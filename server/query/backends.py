"""Which store answers the queries: the ``STORE`` setting and the engine it makes.

* ``memory`` (the default): the graph (the ONTOLOGY_DIR/GRAPH_DIR folders, or a DATASET file)
  is loaded and reasoned over into an on-disk store kept in the start-up cache, reopened as it is
  while the inputs and the code are unchanged (:mod:`imtkg.store.startup_cache`), and queried by the
  worker pool (:class:`~imtkg.query.worker_pool.WorkerPoolEngine`);
* ``oxigraph:PATH``: the same worker pool over a store persisted in ``PATH``, rebuilt only when
  the inputs or the code changed (:mod:`imtkg.store.disk_store`), so a restart parses nothing;
* ``sparql:URL``: a remote SPARQL 1.1 engine loaded by ``imtkg push``
  (:class:`imtkg.query.remote.RemoteQueryEngine`); the dataset version and the graphs come from
  the manifest the push stored there, so every replica of the server agrees on its ETags.

In every mode the rdflib dataset is not loaded at start; the few features that need it
(explanations, dumps) load it from ONTOLOGY_DIR/GRAPH_DIR on first use, and only when those files
are the ones the store was built from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from imtkg.core.config import float_setting, int_setting, path_setting
from imtkg.core.errors import ImtKgError
from imtkg.data.version import DatasetVersion
from imtkg.query.errors import QueryError
from imtkg.query.interface import QueryEngine
from imtkg.query.worker_pool import WorkerPoolEngine
from imtkg.store.disk_store import open_disk_store
from imtkg.store.knowledge import KnowledgeGraph, load_knowledge_graph
from imtkg.store.manifest import DatasetManifest, ManifestError, manifest_query
from imtkg.store.prepared import input_version

if TYPE_CHECKING:
    from rdflib import Dataset

    from imtkg.query.remote import RemoteQueryEngine

log = logging.getLogger(__name__)

STORE_KINDS = ("memory", "oxigraph", "sparql")


class StoreSettingError(ImtKgError):
    """A ``STORE`` setting that names no known kind of store."""


@dataclass(frozen=True)
class StoreSetting:
    """A parsed ``STORE`` setting: a kind of :data:`STORE_KINDS` and a path or URL."""

    kind: str
    target: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind


@dataclass
class Backend:
    """What :func:`make_engine` returns: the engine and what the server says about its data.

    :param engine: answers the queries.
    :param version: the dataset version behind ETags and Last-Modified.
    :param graph_sizes: public named-graph IRI -> number of triples.
    :param default_graph_size: distinct triples of the default graph (``None``: not known).
    :param kg: the loaded knowledge graph (memory mode), else ``None``.
    :param kg_loader: loads it on demand in the other modes.
    :param validation: the SHACL outcome recorded when the store was built, ``None`` if not built.
    """

    engine: QueryEngine
    version: DatasetVersion
    graph_sizes: dict[str, int]
    kg: KnowledgeGraph | None = None
    default_graph_size: int | None = None
    kg_loader: Callable[[], KnowledgeGraph] | None = None
    #: loads the asserted graphs and the ontology alone (what SHACL validation reads)
    asserted_loader: Callable[[], Dataset] | None = None
    validation: str | None = None
    #: how long building the store took, step by step (empty when it was reopened)
    build_seconds: dict[str, float] = field(default_factory=dict)


def parse_store(value: object) -> StoreSetting:
    """Parse a ``STORE`` setting: ``memory``, ``oxigraph:PATH`` or ``sparql:URL``.

    :raises StoreSettingError: naming the accepted forms.
    """
    text = str(value or "memory").strip()
    kind, _, target = text.partition(":")
    kind = kind.lower()
    if kind == "memory" and not target:
        return StoreSetting("memory")
    if kind == "oxigraph" and target:
        return StoreSetting("oxigraph", target)
    if kind == "sparql" and target.startswith(("http://", "https://")):
        return StoreSetting("sparql", target)
    raise StoreSettingError(
        f"STORE={text!r}: expected memory, oxigraph:PATH (a folder) or sparql:URL "
        "(http:// or https:// query endpoint)"
    )


def make_engine(config: Mapping[str, object], start: bool = True) -> Backend:
    """Make the query engine the ``STORE`` setting names, ready to answer.

    With ``start=False`` the store is prepared but the query workers are not started: the
    caller starts them (``backend.engine.start()``) in the process that will serve.

    :raises ImtKgError: when the store cannot be built, opened or reached.
    """
    setting = parse_store(config.get("STORE"))
    if setting.kind == "sparql":
        return _remote_backend(config, setting.target, start)
    if setting.kind == "oxigraph":
        return _disk_backend(config, Path(setting.target), start)
    return _memory_backend(config, start)


def _dirs(config: Mapping[str, object]) -> tuple[Path | None, Path | None]:
    return path_setting(config, "ONTOLOGY_DIR"), path_setting(config, "GRAPH_DIR")


def _pool_options(config: Mapping[str, object]) -> dict:
    return {
        "timeout": float_setting(config, "QUERY_TIMEOUT"),
        "row_limit": int_setting(config, "RESULT_LIMIT"),
        "byte_limit": int_setting(config, "RESULT_MAX_BYTES"),
    }


def _ready(engine: QueryEngine, started: bool = True) -> QueryEngine:
    """Wait until ``engine`` answers (when ``started``); close it and re-raise if it does not."""
    if not started:
        return engine
    try:
        engine.wait_ready()
    except Exception:
        engine.close()
        raise
    return engine


def _memory_backend(config: Mapping[str, object], start: bool = True) -> Backend:
    """Serve the ontology and graph folders (or the DATASET file) from the start-up cache.

    The store is reopened as it is when the inputs and the code are unchanged, else built by
    :mod:`imtkg.store.bulk_build` (:func:`imtkg.store.startup_cache.prepare_store`); the rdflib
    dataset is loaded only when a feature needs it. The SHACL outcome is left to the caller
    (``validation=None``).
    """
    from imtkg.data.dataset import graph_files, ontology_files
    from imtkg.data.sources import dataset_sources, folder_sources
    from imtkg.data.version import dataset_version
    from imtkg.store.startup_cache import prepare_store

    ontology_dir, graph_dir = _dirs(config)
    reason = bool(config.get("REASON", True))
    dataset = path_setting(config, "DATASET")
    if dataset is not None:
        files = [dataset]
        sources = dataset_sources(files)
        version = dataset_version(files)
    else:
        files = [*ontology_files(ontology_dir), *graph_files(graph_dir)]
        sources = folder_sources(ontology_files(ontology_dir), graph_files(graph_dir))
        version = input_version(ontology_dir, graph_dir)
    prepared = prepare_store(sources, version, reason)
    engine = WorkerPoolEngine(
        prepared.store_path,
        workers=int_setting(config, "WORKERS"),
        start=start,
        **_pool_options(config),
    )
    manifest = prepared.manifest
    if config.get("DATASET"):
        loader = _dataset_loader(sources, files, reason)
    else:
        loader = _loader(config, manifest)
    backend = Backend(
        _ready(engine, start),
        manifest.version,
        manifest.public_graphs,
        kg_loader=loader,
        default_graph_size=manifest.default_graph_size,
    )
    backend.build_seconds = prepared.seconds
    backend.asserted_loader = _asserted_loader(config, sources)
    return backend


def _asserted_loader(config: Mapping[str, object], sources) -> Callable[[], Dataset]:
    """Return a function loading what validation reads, without reasoning or building a store:
    the folders parsed by rdflib, or a DATASET file parsed by Oxigraph and converted."""
    ontology_dir, graph_dir = _dirs(config)

    def load() -> Dataset:
        if config.get("DATASET"):
            from imtkg.store.bulk_build import rdflib_dataset

            return rdflib_dataset(sources)
        from imtkg.data.dataset import load_dataset

        return load_dataset(ontology_dir, graph_dir)

    return load


def _dataset_loader(sources, files: list[Path], reason: bool) -> Callable[[], KnowledgeGraph]:
    """Return a function loading the rdflib dataset of DATASET files (with its inferences)."""

    def load() -> KnowledgeGraph:
        from imtkg.reasoning.closure_cache import add_inferred_graph_cached
        from imtkg.store.bulk_build import rdflib_dataset
        from imtkg.store.oxigraph_store import build_store

        dataset = rdflib_dataset(sources)
        inconsistencies = add_inferred_graph_cached(dataset, files) if reason else []
        return KnowledgeGraph(dataset, build_store(dataset), inconsistencies)

    return load


def _disk_backend(config: Mapping[str, object], path: Path, start: bool = True) -> Backend:
    """Open (or build) the on-disk store and start the worker pool on it."""
    ontology_dir, graph_dir = _dirs(config)
    disk = open_disk_store(path, ontology_dir, graph_dir, reason=bool(config.get("REASON", True)))
    engine = WorkerPoolEngine(
        disk.store_path,
        workers=int_setting(config, "WORKERS"),
        start=start,
        **_pool_options(config),
    )
    manifest = disk.manifest
    return Backend(
        _ready(engine, start),
        manifest.version,
        manifest.public_graphs,
        kg_loader=_loader(config, manifest),
        validation=manifest.validation,
        default_graph_size=manifest.default_graph_size,
    )


def _remote_backend(config: Mapping[str, object], url: str, start: bool = True) -> Backend:
    """Reach the remote engine, read the manifest ``imtkg push`` left there, query through it.

    Its guard processes (``WORKERS`` of them) start now, or with ``start=False`` when the
    caller starts the engine in the process that will serve."""
    from imtkg.query.remote import RemoteQueryEngine  # urllib3 and friends, for this mode only

    engine = RemoteQueryEngine(
        url,
        graphs=None,
        concurrency=int_setting(config, "THREADS"),
        guard_workers=int_setting(config, "WORKERS"),
        start=start,
        **_pool_options(config),
    )
    _ready(engine)
    try:
        manifest = read_remote_manifest(engine)
    except Exception:
        engine.close()
        raise
    engine.graphs = list(manifest.public_graphs)
    log.info("serving %s: %d graphs pushed %s", url, len(engine.graphs), manifest.built)
    return Backend(
        engine,
        manifest.version,
        manifest.public_graphs,
        kg_loader=_loader(config, manifest),
        validation=manifest.validation,
        default_graph_size=manifest.default_graph_size,
    )


def read_remote_manifest(engine: RemoteQueryEngine) -> DatasetManifest:
    """Read the manifest ``imtkg push`` stored in the engine's hidden manifest graph.

    :raises ImtKgError: when there is none (nothing was pushed) or it cannot be read.
    """
    try:
        rows = engine.select(manifest_query())["results"]["bindings"]
    except QueryError as exc:
        raise ImtKgError(f"cannot read the dataset manifest at {engine.endpoint}: {exc}") from None
    if len(rows) != 1:
        raise ImtKgError(
            f"the SPARQL engine at {engine.endpoint} holds no IMT knowledge graph "
            f"({len(rows)} manifests): load it with `imtkg push {engine.endpoint}`"
        )
    try:
        return DatasetManifest.from_json(rows[0]["json"]["value"])
    except ManifestError as exc:
        raise ImtKgError(f"the SPARQL engine at {engine.endpoint}: {exc}") from None


def _loader(
    config: Mapping[str, object], manifest: DatasetManifest
) -> Callable[[], KnowledgeGraph]:
    """Return a function loading the knowledge graph the store was built from, on demand."""
    ontology_dir, graph_dir = _dirs(config)
    reason = bool(config.get("REASON", True))

    def load() -> KnowledgeGraph:
        local = input_version(ontology_dir, graph_dir)
        if local.digest != manifest.digest:
            raise ImtKgError(
                "this feature needs the dataset's files, and the local ONTOLOGY_DIR/GRAPH_DIR "
                f"differ from those the store was built from (digest {local.digest[:12]} here, "
                f"{manifest.digest[:12]} in the store)"
            )
        return load_knowledge_graph(ontology_dir, graph_dir, reason=reason)

    return load
