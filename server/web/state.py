"""What the running app holds: the knowledge graph, the query engine and derived facts.

Kept in ``app.extensions["imt_kg"]``; blueprints reach it through :func:`current_state`.

What the app computes once and keeps (the data never changes while it runs) goes in one of two
bounded :class:`Memo` caches, never in an unbounded dict: :attr:`ImtKgState.shared` for values
named by the code (the VoID figures, the explainer, the catalogue...), and
:attr:`ImtKgState.documents` for serialised bodies that name the served base (a VoID document,
the ontology in a format), bounded in bytes so that requests with many ``Host`` values (when no
``PUBLIC_BASE`` is set) can only replace entries, never add memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from cachetools import Cache, LRUCache
from flask import current_app
from rdflib import Dataset, Graph

from imtkg.core.errors import ImtKgError
from imtkg.data.version import DatasetVersion
from imtkg.query.interface import QueryEngine
from imtkg.store.knowledge import KnowledgeGraph

EXTENSION_KEY = "imt_kg"
#: entries of :attr:`ImtKgState.shared` (its keys are names in the code: a few dozen at most)
SHARED_ENTRIES = 128
#: bytes of serialised documents :attr:`ImtKgState.documents` keeps
DOCUMENT_BYTES = 16 * 1024 * 1024

T = TypeVar("T")


class Memo:
    """A thread-safe memo over a bounded :mod:`cachetools` cache: each value is built once.

    Concurrent first requests for a key wait for the one build instead of each running it; a
    value evicted by the cache's bound is simply built again when asked for.
    """

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the value kept under ``key``, calling ``build()`` to make it if need be."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            try:
                value = build()
                with self._lock:
                    try:
                        self._cache[key] = value
                    except ValueError:  # larger than the whole cache: served, not kept
                        pass
                return value
            finally:
                with self._lock:
                    self._building.pop(key, None)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._cache

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    @property
    def size(self) -> float:
        """The cache's measure of what it holds (entries, or bytes for a sized cache)."""
        with self._lock:
            return self._cache.currsize


def _shared_memo() -> Memo:
    return Memo(LRUCache(maxsize=SHARED_ENTRIES))


def _document_memo() -> Memo:
    return Memo(LRUCache(maxsize=DOCUMENT_BYTES, getsizeof=len))


@dataclass
class ImtKgState:
    """The served knowledge graph and what the endpoint needs to answer about it.

    :param engine: what answers queries: the worker pool, or a remote engine (``STORE``).
    :param version: the dataset version behind ETags and Last-Modified.
    :param graph_sizes: named-graph IRI -> number of triples.
    :param default_graph_size: distinct triples of the default graph (the merge), if known.
    :param description: the service description graph (its endpoint IRI is a placeholder that
        is replaced with the request's when served).
    :param ready: set once the workers have opened the store; ``/health`` answers 200 only then.
    :param loaded_kg: the dataset (rdflib) and its in-memory Oxigraph store, once loaded.
    :param kg_loader: loads it on first use of :attr:`kg` when the app started without it (an
        on-disk or remote store, see :mod:`imtkg.query.backends`).
    :param validation: the SHACL outcome recorded when such a store was built, else ``None``.
    :param asserted_loader: loads only what SHACL validation reads (the asserted graphs and the
        ontology, rdflib), faster than :attr:`kg` (no inferences, no store); ``None``: use
        :attr:`kg`.
    :param extra: figures about the start (``build_seconds``...), not caches: see :attr:`shared`.
    :param shared: values computed once per app, by names the code chooses (bounded memo).
    :param documents: serialised bodies by ``(name, base, format)``, at most
        :data:`DOCUMENT_BYTES` bytes in all (least recently used dropped).
    """

    engine: QueryEngine
    version: DatasetVersion
    graph_sizes: dict[str, int]
    default_graph_size: int | None = None
    description: Graph | None = None
    ready: bool = False
    load_seconds: float = 0.0
    extra: dict = field(default_factory=dict)
    loaded_kg: KnowledgeGraph | None = None
    kg_loader: Callable[[], KnowledgeGraph] | None = None
    validation: str | None = None
    asserted_loader: Callable[[], Dataset] | None = None
    shared: Memo = field(default_factory=_shared_memo, repr=False, compare=False)
    documents: Memo = field(default_factory=_document_memo, repr=False, compare=False)
    _kg_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def kg(self) -> KnowledgeGraph:
        """The dataset (rdflib) and its Oxigraph store, loaded on first use if need be."""
        if self.loaded_kg is None:
            with self._kg_lock:
                if self.loaded_kg is None:
                    if self.kg_loader is None:
                        raise ImtKgError("the app holds no knowledge graph")
                    self.loaded_kg = self.kg_loader()
        return self.loaded_kg

    def asserted_dataset(self) -> Dataset:
        """The dataset SHACL validation reads: the loaded one, else :attr:`asserted_loader`'s."""
        if self.loaded_kg is not None or self.asserted_loader is None:
            return self.kg.dataset
        return self.asserted_loader()

    def close(self) -> None:
        """Stop the query workers (and delete their store)."""
        self.ready = False
        self.engine.close()


def current_state() -> ImtKgState:
    """Return the state of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
