"""The whole knowledge graph as the commands and the server use it: loaded, reasoned, queryable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from .dataset import load_dataset
from .reasoning import add_inferred_graph
from .store import build_store


@dataclass
class KnowledgeGraph:
    """The loaded dataset (rdflib, with its inferred graph) and the Oxigraph store for queries."""

    dataset: Dataset
    store: ox.Store


def load_knowledge_graph(
    ontology_dir: Path | None = None, graph_dir: Path | None = None, reason: bool = True
) -> KnowledgeGraph:
    """Load ontology and data, add the OWL RL inferences (unless ``reason`` is false)."""
    dataset = load_dataset(ontology_dir, graph_dir)
    if reason:
        add_inferred_graph(dataset)
    return KnowledgeGraph(dataset=dataset, store=build_store(dataset))
