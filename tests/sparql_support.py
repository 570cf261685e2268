"""Helpers of the SPARQL endpoint tests: the fixture data, an app on it, a live server, a listener,
and the waits of the tests (a condition polled until a deadline, then a loud failure).

The endpoint tests use the small dataset of ``tests/data/endpoint`` (not the shipped graph, which
changes while it is written): 4 named graphs, 39 triples with the inferences.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
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
#: the settings of an app on ``VOID_DATA`` (its ontology, graph and shapes)
VOID_SETTINGS: dict[str, object] = {
    "ONTOLOGY_DIR": VOID_DATA / "ontology",
    "GRAPH_DIR": VOID_DATA / "graph",
    "SHAPES_DIR": VOID_DATA / "shapes",
}

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

#: seconds a loaded 2-core machine may add to an answer due at a time limit: an upper bound on
#: elapsed time is the limit plus this, generous, so that only a hang fails it
TIME_MARGIN = 10.0

#: the running test: (node id, whether it is in a slow tier); set by conftest.py, None between
current_test: tuple[str, bool] | None = None


def require_slow_tier(what: str) -> None:
    """Fail the running test if it is in the fast tier yet starts ``what`` (a server): such a test
    must carry a slow marker (``live``, ``oxigraph``; see conftest.py)."""
    if current_test is not None and not current_test[1]:
        pytest.fail(
            f"{current_test[0]} starts {what} but is in the fast tier: mark it "
            "@pytest.mark.live (or add its module or fixture to the tables of conftest.py)"
        )


def wait_until(
    condition: Callable[[], object], what: str, seconds: float = 15.0, step: float = 0.05
) -> None:
    """Poll ``condition`` every ``step`` seconds until it is true; fail, naming ``what``, once
    ``seconds`` have passed without it."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            pytest.fail(f"{what}: not within {seconds:g} s")
        time.sleep(step)


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
    with app_context(**VOID_SETTINGS) as app:
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
    require_slow_tier("a live HTTP server (waitress)")
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="imtkg-test")
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop_waitress(server, thread)


def stop_waitress(server, thread: threading.Thread) -> None:
    """Close a waitress server started in ``thread`` and wait for its loop to end.

    It is closed from the server's own loop: closing its sockets from another thread races with
    the loop's select() on them (EBADF in the server thread, reported at teardown). When the
    trigger itself is already closed (seen once in CI, at teardown, after every assertion of
    test_live_server_in_remote_mode had passed), it is closed from here instead.
    """
    try:
        server.trigger.pull_trigger(lambda: _close_server(server))
    except OSError:
        _close_server(server)
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
        self._peers: list[int] = []  # the source port of each connection, in accepted order
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
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self._peers.append(peer[1])
            self.connections += 1
            conn.close()

    def settled_connections(self, seconds: float = 10.0) -> int:
        """Return the connections received before now, once every one of them is counted.

        A marker connection is made now and waited for (failing after ``seconds``): the
        listener accepts in arrival order, so any connection made before (by the code under
        test, while it answered) is counted by then. ``== 0`` is the proof nothing connected.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as marker:
            marker_port = marker.getsockname()[1]
        wait_until(lambda: marker_port in self._peers, "the canary counts the marker", seconds)
        return self._peers.index(marker_port)

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
