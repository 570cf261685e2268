"""Shared fixtures: the shipped knowledge graph, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from imtkg.store.knowledge import KnowledgeGraph, load_knowledge_graph
from imtkg.web.app import close_app, create_app

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The shipped knowledge graph with its inferred graph, loaded once for the whole session."""
    return load_knowledge_graph()


@pytest.fixture(scope="session")
def shipped_app():
    """The app on the shipped graph with every blueprint: the one the linked-data tests use."""
    from linked_data_support import shipped_app as shared_app

    return shared_app()


@pytest.fixture
def shipped_client(shipped_app):
    """A fresh test client of :func:`shipped_app` (no cookie from another test, e.g. ``lang``)."""
    return shipped_app.test_client()


@pytest.fixture(scope="module")
def one_worker_client():
    """A test client of a fresh app on the shipped graph with one query worker, for one module."""
    app = create_app({"WORKERS": 1})
    yield app.test_client()
    close_app(app)
