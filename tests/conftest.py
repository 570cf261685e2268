"""Shared fixtures: the shipped knowledge graph, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from imtkg.knowledge import KnowledgeGraph, load_knowledge_graph

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The shipped knowledge graph with its inferred graph, loaded once for the whole session."""
    return load_knowledge_graph()
