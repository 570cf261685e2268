"""Helpers of the SPARQL endpoint tests: the fixture data, an app on it, a live server, a listener.

The endpoint tests use the small dataset of ``tests/data/endpoint`` (not the shipped graph, which
changes while it is written): 4 named graphs, 39 triples with the inferences.
"""

from __future__ import annotations

import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from waitress.server import create_server
from werkzeug.test import TestResponse

from imtkg.web.app import close_app, create_app

DATA = Path(__file__).resolve().parent / "data" / "endpoint"
ONTOLOGY_DIR = DATA / "ontology"
GRAPH_DIR = DATA / "graph"
#: the smaller dataset of the VoID and dump tests, with shapes (4 named graphs, 21 quads)
VOID_DATA = Path(__file__).resolve().parent / "data" / "void"

IMT = "https://w3id.org/imt-kg/ontology#"
ID = "https://w3id.org/imt-kg/id/"
GRAPH = "https://w3id.org/imt-kg/graph/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROLOGUE = (
    f"PREFIX imt: <{IMT}>\nPREFIX id: <{ID}>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX org: <http://www.w3.org/ns/org#>\n"
)

#: the asserted triples of the fixture files (the inferred graph comes on top)
ASSERTED_TRIPLES = 36
CITIES = ["Alès", "Palaiseau", "Évry"]  # in code point order, as ORDER BY sorts them
CITY_QUERY = PROLOGUE + "SELECT ?campus ?city WHERE { ?campus imt:city ?city } ORDER BY ?city"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def make_app(**overrides: object) -> Flask:
    """Return an app on the fixture data (close it with :func:`imtkg.web.app.close_app`)."""
    config: dict[str, object] = {
        "ONTOLOGY_DIR": ONTOLOGY_DIR,
        "GRAPH_DIR": GRAPH_DIR,
        "WORKERS": 2,
        "QUERY_TIMEOUT": 5.0,
        "PUBLIC_BASE": None,
    }
    config.update(overrides)
    with warnings.catch_warnings():
        # store.build_store serialises with rdflib's N-Quads writer, which calls the deprecated
        # Dataset.contexts (rdflib 7.6); not the endpoint's concern, reported to the store's owner
        warnings.filterwarnings("ignore", "Dataset.contexts is deprecated", DeprecationWarning)
        return create_app(config)


@contextmanager
def app_context(**overrides: object) -> Iterator[Flask]:
    """An app on the fixture data, closed (workers stopped) on exit."""
    app = make_app(**overrides)
    try:
        yield app
    finally:
        close_app(app)


@contextmanager
def void_app_context() -> Iterator[Flask]:
    """An app on the ontology, graph and shapes of ``tests/data/void``, closed on exit."""
    with app_context(
        ONTOLOGY_DIR=VOID_DATA / "ontology",
        GRAPH_DIR=VOID_DATA / "graph",
        SHAPES_DIR=VOID_DATA / "shapes",
    ) as app:
        yield app


def get(client: FlaskClient, query: str, **params: object) -> TestResponse:
    """GET /sparql with ``query`` and other parameters (headers as ``headers=``)."""
    headers = params.pop("headers", {})
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


def count(client: FlaskClient, query: str = COUNT_QUERY, **params: object) -> int:
    """Return the single integer a COUNT query answers."""
    response = get(client, query, **params)
    assert response.status_code == 200, response.data
    return int(response.json["results"]["bindings"][0]["n"]["value"])


@contextmanager
def live_server(app: Flask, threads: int = 8) -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port; yield its base URL (no final slash)."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="imtkg-test")
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # closed from the server's own loop: closing its sockets from this thread races with
        # the loop's select() on them (EBADF in the server thread, reported at teardown)
        server.trigger.pull_trigger(lambda: _close_server(server))
        thread.join(10)


def _close_server(server) -> None:
    """Close a waitress server's connections and listening socket (in its loop's thread)."""
    for channel in list(server._map.values()):
        if channel is not server and channel is not server.trigger:
            channel.close()
    server.close()


class LoopbackListener:
    """A TCP listener on a free loopback port that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The listener's base URL, with a final slash."""
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
