"""What the running app holds: the knowledge graph, the query engine and derived facts.

Kept in ``app.extensions["imt_kg"]``; blueprints reach it through :func:`current_state`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from rdflib import Dataset, Graph

from .errors import ImtKgError
from .http_caching import DatasetVersion
from .knowledge import KnowledgeGraph
from .query_engine import Engine

EXTENSION_KEY = "imt_kg"


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
        on-disk or remote store, see :mod:`imtkg.engines`).
    :param validation: the SHACL outcome recorded when such a store was built, else ``None``.
    :param asserted_loader: loads only what SHACL validation reads (the asserted graphs and the
        ontology, rdflib), faster than :attr:`kg` (no inferences, no store); ``None``: use
        :attr:`kg`.
    """

    engine: Engine
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
