"""End to end against a real waitress server on loopback: SPARQL clients, timeouts, load, serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from sparql_support import (
    ASSERTED_TRIPLES,
    CITIES,
    CITY_QUERY,
    COUNT_QUERY,
    GRAPH_DIR,
    ID,
    IMT,
    ONTOLOGY_DIR,
    PROLOGUE,
    TIME_MARGIN,
    app_context,
    live_server,
    require_slow_tier,
    stop_waitress,
    wait_until,
)
from SPARQLWrapper import CSV, JSON, POST, XML, SPARQLWrapper

from imtkg.web.state import EXTENSION_KEY

TIMEOUT = 1.5
#: a cross product of the whole store six times over: far more than TIMEOUT seconds of work
PATHOLOGICAL = (
    "SELECT (COUNT(*) AS ?n) (SUM(STRLEN(STR(?o1))) AS ?len) WHERE { "
    "?s1 ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 . ?s4 ?p4 ?o4 . ?s5 ?p5 ?o5 . ?s6 ?p6 ?o6 }"
)


@pytest.fixture(scope="module")
def app_settings():
    """The module's app (conftest.py): query timeout 1.5 s, two query workers."""
    return {"QUERY_TIMEOUT": TIMEOUT, "WORKERS": 2}


@pytest.fixture(scope="module")
def base_url(app):
    """The base URL of a waitress server of the module's app on loopback."""
    with live_server(app) as url:
        yield url


def http_get(url: str, timeout: float = 30) -> tuple[int, bytes, float]:
    """GET ``url``; return (status, body, seconds)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(), time.monotonic() - started


def query_url(base_url: str, query: str, **params: str) -> str:
    """The GET URL of ``query`` on the server."""
    return f"{base_url}/sparql?" + urllib.parse.urlencode({"query": query, **params})


def wrapper(base_url: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    """A SPARQLWrapper on the server's endpoint asking for ``fmt``."""
    client = SPARQLWrapper(base_url + "/sparql")
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(method)
    client.setQuery(CITY_QUERY)
    return client


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_json(base_url, method):
    """SPARQLWrapper gets the cities as JSON, by GET and by POST."""
    result = wrapper(base_url, JSON, method).queryAndConvert()
    assert [b["city"]["value"] for b in result["results"]["bindings"]] == CITIES


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_xml(base_url, method):
    """SPARQLWrapper gets the cities as SPARQL XML, parsed to a DOM."""
    document = wrapper(base_url, XML, method).queryAndConvert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == CITIES


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_csv(base_url, method):
    """SPARQLWrapper gets the cities as CSV."""
    text = wrapper(base_url, CSV, method).queryAndConvert().decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "campus,city"
    assert [line.split(",")[1] for line in lines[1:]] == CITIES


def test_rdflib_sparqlstore(base_url):
    """rdflib's SPARQLStore reads the server like a local graph, SELECT and ASK."""
    store = SPARQLStore(base_url + "/sparql", returnFormat="xml")
    graph = Graph(store=store)
    try:
        cities = [str(row.city) for row in graph.query(CITY_QUERY)]
        assert cities == CITIES
        assert graph.query(PROLOGUE + 'ASK { ?c imt:city "Alès" }').askAnswer is True
        triples = set(graph.triples((URIRef(ID + "campus-evry"), URIRef(IMT + "city"), None)))
        assert triples == {(URIRef(ID + "campus-evry"), URIRef(IMT + "city"), Literal("Évry"))}
    finally:
        store.close()


def test_pathological_query_is_stopped_while_others_are_served(app, base_url):
    """A runaway query gets 504 at the timeout; a simple query sent while it runs in a worker
    is answered before it ends (not queued behind it)."""
    outcome: dict[str, tuple] = {}
    engine = app.extensions[EXTENSION_KEY].engine

    def slow() -> None:
        outcome["slow"] = http_get(query_url(base_url, PATHOLOGICAL))

    thread = threading.Thread(target=slow)
    thread.start()
    wait_until(lambda: engine.inside == 1, "the runaway query reaches the engine")
    status, body, _ = http_get(query_url(base_url, CITY_QUERY))
    assert "slow" not in outcome, "the simple query waited for the runaway one to end"
    assert status == 200
    assert [row["city"]["value"] for row in json.loads(body)["results"]["bindings"]] == CITIES
    thread.join(30)
    status, body, seconds = outcome["slow"]
    assert status == 504
    assert body == b"the query exceeded the 1.5-second time limit and was stopped\n"
    assert TIMEOUT <= seconds < TIMEOUT + TIME_MARGIN
    # the stopped worker was replaced: the server still answers everyone
    for _ in range(4):
        assert http_get(query_url(base_url, CITY_QUERY))[0] == 200


def test_burst_of_concurrent_requests_all_succeed(base_url):
    """300 requests from 24 concurrent clients all get the right answer.

    24 clients are more than the app admits to the query engine at once (THREADS 8: 6), so
    some are refused with 503 and ``Retry-After``; a client that waits as told gets its answer.
    """
    queries = [CITY_QUERY, COUNT_QUERY, PROLOGUE + "ASK { id:telecom-paris a imt:School }"]

    def one(i: int) -> bool:
        url = query_url(base_url, queries[i % 3], nonce=str(i))
        for _ in range(10):
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    return response.status == 200 and len(response.read()) > 10
            except urllib.error.HTTPError as exc:
                with exc:
                    assert exc.code == 503, exc.read()
                    time.sleep(int(exc.headers["Retry-After"]))
        return False

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(one, range(300)))
    assert all(results)


def test_update_attempt_over_http_leaves_the_data_unchanged(base_url):
    """An update posted over HTTP is refused and the triple count is what it was."""
    data = urllib.parse.urlencode({"update": "DELETE WHERE { ?s ?p ?o }"}).encode()
    request = urllib.request.Request(base_url + "/sparql", data=data, method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    with caught.value as error:
        assert error.code == 403
    status, body, _ = http_get(query_url(base_url, COUNT_QUERY, infer="false"))
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(ASSERTED_TRIPLES)


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def imtkg_serve(tmp_path: Path, **settings: str) -> Iterator[tuple[int, Path]]:
    """Run `imtkg serve --skip-validation` on the fixture data with ``IMTKG_*`` ``settings``
    until /health answers 200 (failing, with its log, if it exits or 60 s pass first); yield
    its port and log file; stop it with SIGTERM."""
    require_slow_tier("`imtkg serve`")
    port = free_port()
    env = dict(os.environ)
    env.update(
        IMTKG_PORT=str(port),
        IMTKG_ONTOLOGY_DIR=str(ONTOLOGY_DIR),
        IMTKG_GRAPH_DIR=str(GRAPH_DIR),
        IMTKG_WORKERS="1",
        **{"IMTKG_" + name: value for name, value in settings.items()},
    )
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "imtkg.cli", "serve", "--skip-validation"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
        try:

            def healthy() -> bool:
                assert process.poll() is None, log_path.read_text()[-2000:]
                try:
                    return http_get(f"http://127.0.0.1:{port}/health", timeout=2)[0] == 200
                except OSError:
                    return False

            wait_until(healthy, "imtkg serve answers /health with 200", seconds=60, step=0.2)
            yield port, log_path
        finally:
            process.terminate()
            process.wait(20)
        assert process.returncode is not None


@pytest.mark.parametrize("http_server", ["granian", "waitress"])
def test_imtkg_serve_command(tmp_path, http_server):
    """`imtkg serve` configured by environment answers /health and queries, logs its summary,
    and stops on SIGTERM, with either HTTP server."""
    with imtkg_serve(tmp_path, HTTP_SERVER=http_server) as (port, log_path):
        status, body, _ = http_get(f"http://127.0.0.1:{port}/health", timeout=2)
        assert status == 200, log_path.read_text()
        assert json.loads(body)["status"] == "ready"
        status, body, _ = http_get(query_url(f"http://127.0.0.1:{port}", CITY_QUERY))
        assert status == 200
        assert [row["city"]["value"] for row in json.loads(body)["results"]["bindings"]] == CITIES
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
            # granian names itself; waitress sends the ident `imtkg serve` gives it
            expected = {"granian": "granian", "waitress": "imtkg"}[http_server]
            assert answer.headers["Server"] == expected
    text = log_path.read_text(encoding="utf-8")
    assert "ready: " in text and " triples in 4 graphs" in text
    assert '"path": "/sparql"' in text


def test_serve_states_the_body_limit_as_configured():
    """`imtkg serve`'s server takes a body of MAX_BODY bytes; its 413 above names MAX_BODY."""
    from imtkg.cli.serve import http_server

    with app_context(WORKERS=1, MAX_BODY=1000) as app:
        server = http_server(app, 1000, host="127.0.0.1", port=0, threads=2, ident="imtkg-test")
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.effective_port}/sparql"

            def post(body: bytes) -> tuple[int, bytes]:
                request = urllib.request.Request(
                    url, data=body, headers={"Content-Type": "application/sparql-query"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        return response.status, response.read()
                except urllib.error.HTTPError as exc:
                    with exc:
                        return exc.code, exc.read()

            at_limit = b"ASK {}" + b" " * 994
            assert len(at_limit) == 1000
            status, body = post(at_limit)
            assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
            status, body = post(at_limit + b" ")
            assert status == 413
            assert body.decode().startswith(
                "Request Entity Too Large\r\n\r\nthe request body exceeds the limit of 1000 bytes"
            )
            assert "1001" not in body.decode()
        finally:
            stop_waitress(server, thread)


def test_granian_server_refuses_bodies_over_max_body_chunked_or_not(tmp_path):
    """Under granian, a body over MAX_BODY gets a 413 naming the limit, whether announced by
    Content-Length or chunked; a chunked body at the limit is answered whole."""
    import http.client

    port = 0

    def post(body: bytes, chunked: bool) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            headers = {"Content-Type": "application/sparql-query", "Accept": "application/json"}
            if chunked:  # an iterable body is sent chunked (no Content-Length)
                pieces = [body[i : i + 100] for i in range(0, len(body), 100)]
                connection.request("POST", "/sparql", iter(pieces), headers, encode_chunked=True)
            else:
                connection.request("POST", "/sparql", body, headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    with imtkg_serve(tmp_path, MAX_BODY="1000", CACHE_DIR=str(tmp_path / "cache")) as served:
        port = served[0]
        at_limit = b"ASK {}" + b" " * 994
        for chunked in (False, True):
            status, body = post(at_limit, chunked)
            assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True}), chunked
            status, body = post(at_limit + b" # one byte too many" * 10, chunked)
            assert status == 413, chunked
            assert "exceeds the limit of 1000 bytes (MAX_BODY)" in body.decode(), chunked
