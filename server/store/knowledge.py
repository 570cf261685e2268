"""The whole knowledge graph as the commands and the server use it: loaded, reasoned, queryable."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from imtkg.data.dataset import graph_files, load_dataset, ontology_files


@dataclass
class KnowledgeGraph:
    """The loaded dataset (rdflib, with its inferred graph) and the Oxigraph store for queries."""

    dataset: Dataset
    store: ox.Store
    #: the OWL RL inconsistencies found while reasoning (see :mod:`imtkg.reasoning.consistency`)
    inconsistencies: list = field(default_factory=list)


def load_knowledge_graph(
    ontology_dir: Path | None = None, graph_dir: Path | None = None, reason: bool = True
) -> KnowledgeGraph:
    """Load ontology and data, add the OWL RL inferences (unless ``reason`` is false)."""
    # imported here: the reasoner and store builder are not needed to reopen a cached store
    from imtkg.reasoning.closure_cache import add_inferred_graph_cached
    from imtkg.store.oxigraph_store import build_store

    dataset = load_dataset(ontology_dir, graph_dir)
    inconsistencies = []
    if reason:  # the inferred graph is cached on disk (imtkg.reasoning.closure_cache)
        inputs = [*ontology_files(ontology_dir), *graph_files(graph_dir)]
        inconsistencies = add_inferred_graph_cached(dataset, inputs)
    return KnowledgeGraph(dataset, build_store(dataset), inconsistencies)
