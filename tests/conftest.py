"""Shared fixtures (the shipped knowledge graph, one app and client per kind) and the test tiers.

Tiers (markers registered in pyproject.toml, ``--strict-markers``): every test is either
``fast`` (pure functions and the app in-process: ``pytest -m fast``, the loop while editing) or
``slow`` together with the kind that makes it slow:

* ``live``: a real HTTP server on loopback (waitress in a thread or ``imtkg serve``);
* ``browser``: Chromium driving the pages;
* ``oxigraph``: an external Oxigraph server (remote mode);
* ``virtuoso``: Debian's Virtuoso Open Source 7 server (remote mode; ``.ci/run`` installs it);
* ``bench``: the benchmark smoke run;
* ``heavy``: in-process, but too long for the fast loop (see ``--durations``).

A test gets its kind from its own marker, else from the fixtures it uses (:data:`FIXTURE_TIERS`),
else from the table of long tests (:data:`HEAVY_TESTS`), else from its module
(:data:`MODULE_TIERS`); otherwise it is fast. A fast test that starts a live
server or an Oxigraph server anyway fails at once (:func:`sparql_support.require_slow_tier`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sparql_support
from flask import Flask
from flask.testing import FlaskClient
from sparql_support import app_context

from imtkg.store.knowledge import KnowledgeGraph, load_knowledge_graph
from imtkg.web.app import close_app, create_app

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"

#: the kinds of slow tests (each a marker, on top of ``slow``)
SLOW_KINDS = ("live", "browser", "oxigraph", "virtuoso", "bench", "heavy")
#: modules whose every test is slow, and why
MODULE_TIERS = {
    "test_browser": "browser",
    "test_bench_smoke": "bench",
    "test_remote_store": "oxigraph",
    "test_virtuoso": "virtuoso",
    "test_perimeter_remote_guard": "oxigraph",
    "test_sparql_live": "live",
    "test_perimeter_load": "live",
    "test_perimeter_uploads": "live",
    "test_perimeter_http": "live",
    "test_startup_cache": "heavy",  # builds stores and caches, one after another
}
#: in-process tests too long for the fast loop (module::function, every parameter), measured
#: with ``pytest -m fast --durations=40``: whole-graph validations, reasonings and builds
HEAVY_TESTS = {
    "test_dereference::test_every_iri_of_the_graph_answers",
    "test_dereference::test_document_parses_back_and_holds_the_resource_statements",
    "test_shacl_engine::test_shipped_dataset",
    "test_shacl_engine::test_shape_fixtures",
    "test_shacl_engine::test_synthetic_dataset",
    "test_shacl_engine::test_broken_synthetic_dataset",
    "test_shacl_engine::test_validate_command_engines_print_the_same_report",
    "test_shacl_differential::test_oxigraph_engine_equals_pyshacl",
    "test_reasoning::test_fast_engine_gives_owlrls_inferred_graph_on_the_shipped_graph",
    "test_reasoning::test_owlrl_reports_the_same_inconsistencies",
    "test_reasoning::test_reason_command_prints_the_triples",
    "test_reasoning::test_reason_command_summarises_the_shipped_inferences",
    "test_serve_validation::test_a_dataset_file_validates_as_its_rdflib_load",
    "test_serve_validation::test_the_asserted_dataset_validates_as_the_knowledge_graph",
    "test_perimeter_store::test_a_second_server_never_changes_what_the_first_serves",
    "test_perimeter_store::test_serve_on_an_unwritable_store_folder_stops_with_one_line",
    "test_perimeter_store::test_flipped_bytes_in_the_start_up_cache_are_found",
    "test_perimeter_store::test_flipped_bytes_in_a_store_file_are_found_and_the_store_rebuilt",
    "test_perimeter_store::test_an_unwritable_cache_folder_falls_back_to_a_temporary_store",
    "test_dumps::test_shipped_dumps_hold_every_served_graph",
    "test_explain::test_cli_json_and_turtle",
    "test_explain::test_cli_accepts_full_iris_a_and_literals",
    "test_disk_store::test_first_open_builds_then_reopens_without_rebuilding",
    "test_ontology_docs::test_every_term_has_a_section_with_labels_in_both_languages",
}
#: fixtures that start a server: a test using one is slow whatever its module
FIXTURE_TIERS = {
    "engine_server": "oxigraph",
    "virtuoso": "virtuoso",
    "base_url": "live",
    "base": "live",
    "served": "live",
    "server": "live",
    "open_server": "live",
    "public_server": "live",
}


def tier_of(item: pytest.Item) -> str | None:
    """The slow kind of ``item`` (None: fast), from its markers, fixtures, then module."""
    for kind in SLOW_KINDS:
        if item.get_closest_marker(kind) is not None:
            return kind
    for name in getattr(item, "fixturenames", ()):
        if name in FIXTURE_TIERS:
            return FIXTURE_TIERS[name]
    module = item.module.__name__ if getattr(item, "module", None) else ""
    if f"{module}::{getattr(item, 'originalname', item.name)}" in HEAVY_TESTS:
        return "heavy"
    return MODULE_TIERS.get(module)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test ``fast`` or ``slow`` plus its kind (see the module docstring)."""
    for item in items:
        kind = tier_of(item)
        if kind is None:
            item.add_marker(pytest.mark.fast)
        else:
            item.add_marker(pytest.mark.slow)
            if item.get_closest_marker(kind) is None:
                item.add_marker(getattr(pytest.mark, kind))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tell :mod:`sparql_support` the tier of the test about to run (its fixtures included)."""
    sparql_support.current_test = (item.nodeid, item.get_closest_marker("slow") is not None)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """The test is over: no test is running (module fixtures torn down later start nothing)."""
    sparql_support.current_test = None


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


@pytest.fixture(scope="module")
def app_settings() -> dict[str, object]:
    """The settings of the module's :func:`app` over :func:`sparql_support.make_app`'s; a
    module overrides this fixture to change them (e.g. ``{"RESULT_LIMIT": 4}``)."""
    return {}


@pytest.fixture(scope="module")
def app(app_settings: dict[str, object]) -> Iterator[Flask]:
    """An app on the endpoint fixture data (``tests/data/endpoint``) with the module's
    :func:`app_settings`, one per module, closed (workers stopped) after it."""
    with app_context(**app_settings) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A fresh test client of the module's :func:`app` (no cookie from another test)."""
    return app.test_client()
