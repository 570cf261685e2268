"""What the running app holds: the knowledge graph, the query engine and derived facts.

Kept in ``app.extensions["imt_kg"]``; blueprints reach it through :func:`current_state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from rdflib import Graph

from .http_caching import DatasetVersion
from .knowledge import KnowledgeGraph
from .query_engine import QueryEngine

EXTENSION_KEY = "imt_kg"


@dataclass
class ImtKgState:
    """The served knowledge graph and what the endpoint needs to answer about it.

    :param kg: the dataset (rdflib) and the in-memory Oxigraph store.
    :param engine: the worker pool that answers queries.
    :param version: the dataset version behind ETags and Last-Modified.
    :param graph_sizes: named-graph IRI -> number of triples.
    :param description: the service description graph (its endpoint IRI is a placeholder that
        is replaced with the request's when served).
    :param ready: set once the workers have opened the store; ``/health`` answers 200 only then.
    """

    kg: KnowledgeGraph
    engine: QueryEngine
    version: DatasetVersion
    graph_sizes: dict[str, int]
    description: Graph | None = None
    ready: bool = False
    load_seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def close(self) -> None:
        """Stop the query workers (and delete their store)."""
        self.ready = False
        self.engine.close()


def current_state() -> ImtKgState:
    """Return the state of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
