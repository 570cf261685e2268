"""The SPARQL perimeter: the guard reads a query as Oxigraph does, a query worker cannot open a
connection even when the guard is off, and no query nests deep enough to crash a worker.

Every probe runs against a real server on loopback (waitress, :func:`sparql_support.live_server`)
with a canary listener that counts the connections it is sent.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
from sparql_support import COUNT_QUERY, app_context, live_server

from imtkg.query import sandbox
from imtkg.query import worker as query_worker
from imtkg.query.worker import NO_NETWORK_MESSAGE, SERVICE_MESSAGE, QueryRequest
from imtkg.rdf.sparql_guard import MAX_CHAIN, MAX_DEPTH, QueryAnalysis, analyse, parse_error

#: triples COUNT_QUERY finds in the fixture data, inferences included
FIXTURE_TRIPLES = 39
SERVICE_BODY = SERVICE_MESSAGE + "\n"
EXAMPLE_NS = "http://example.org/#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


class Canary:
    """A loopback listener that nobody serves: each connection made to it waits in its backlog.

    A query worker that called it would do so before the server answers, and the kernel queues
    the connection at once, so counting right after the answer needs no waiting (a connection
    that is never answered also keeps the caller waiting until the query's time limit: 504).
    """

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.seen = 0

    @property
    def url(self) -> str:
        """An URL on the canary, with a final slash."""
        return f"http://127.0.0.1:{self.port}/"

    def connections(self) -> int:
        """Accept what waits in the backlog (64 at most) and return the total seen so far."""
        for _ in range(64):
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                break
            conn.close()
            self.seen += 1
        return self.seen

    def close(self) -> None:
        """Stop listening."""
        self.sock.close()


@pytest.fixture(scope="module")
def base():
    """The base URL of a live server on the fixture data (2 query workers, 5 s limit)."""
    with app_context() as app, live_server(app) as url:
        yield url


@pytest.fixture()
def canary():
    """A canary listener that must see no connection."""
    listener = Canary()
    yield listener
    listener.close()


def post(base: str, query: str, **params: str) -> tuple[int, str]:
    """POST ``query`` (form-encoded) to ``/sparql``; return the status and the body as text."""
    data = urllib.parse.urlencode({"query": query, **params}).encode()
    request = urllib.request.Request(base + "/sparql", data=data, method="POST")
    request.add_header("Accept", "application/sparql-results+json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def triples(base: str) -> int:
    """Return what COUNT_QUERY answers over HTTP: the server still works."""
    status, body = post(base, COUNT_QUERY)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# -- SERVICE: read as Oxigraph reads it -----------------------------------------------------


def test_carriage_return_ends_a_comment_as_in_oxigraph(base, canary):
    """The reviewer's bypass: a CR inside a # comment ends it, so SERVICE is seen and refused."""
    query = f"SELECT ?a WHERE {{ ?s ?p ?o #c\rSERVICE <{canary.url}admin> {{ ?a ?b ?c }} }} LIMIT 1"
    assert post(base, query) == (400, SERVICE_BODY)
    assert canary.connections() == 0


#: what ends a comment for Oxigraph (CR, LF) and what does not (the rest of the line stays a
#: comment, the query is left unclosed: a syntax error, nothing runs)
TERMINATORS = [
    ("\r", True),
    ("\n", True),
    ("\r\n", True),
    ("\u2028", False),
    ("\u2029", False),
    ("\u0085", False),
    ("\x0b", False),
    ("\x0c", False),
    ("\\u000D", False),  # Oxigraph 0.5 applies no \u escapes to the query text
]


@pytest.mark.parametrize(("terminator", "ends_comment"), TERMINATORS)
def test_line_terminators_are_read_as_oxigraph_reads_them(base, canary, terminator, ends_comment):
    """SERVICE after a CR or LF is refused; after U+2028, U+0085... it is inside the comment."""
    query = (
        f"SELECT ?a WHERE {{ ?s ?p ?o #c{terminator}"
        f"SERVICE <{canary.url}admin> {{ ?a ?b ?c }} }} LIMIT 1"
    )
    status, body = post(base, query)
    if ends_comment:
        assert (status, body) == (400, SERVICE_BODY)
        assert analyse(query, escapes=False).uses_service
    else:
        assert status == 400
        assert re.fullmatch(r"SPARQL syntax error: error at \d+:\d+: expected .*\n", body, re.S)
        assert parse_error(query) is not None  # Oxigraph itself: it does not parse, runs nothing
    assert canary.connections() == 0


def test_an_escaped_carriage_return_counts_for_engines_that_apply_escapes():
    """``#c\\u000DSERVICE``: no SERVICE for Oxigraph; SERVICE for an engine applying escapes."""
    query = "SELECT * WHERE { ?s ?p ?o #c\\u000DSERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }"
    assert not analyse(query, escapes=False).uses_service
    assert analyse(query).uses_service  # what the remote-engine mode checks


def service_disguises(url: str) -> list[str]:
    """SERVICE as Oxigraph reads it where a tokenizer with word boundaries would not."""
    return [
        # Oxigraph matches keywords without a word boundary: SERVICE then the prefixed name x:y
        f"PREFIX x: <{url}> SELECT * WHERE {{ SERVICEx:y {{ ?s ?p ?o }} }}",
        # ex:SERVICEx:y\#z is no IRI (two #), so Oxigraph takes ex: alone and SERVICE after it
        f"PREFIX ex: <{EXAMPLE_NS}> PREFIX x: <{url}> "
        "SELECT * WHERE { ?s ?p ex:SERVICEx:y\\#z{ ?a ?b ?c } }",
        # a string escape that rdflib (and the SPARQL 1.1 text) would apply before parsing
        f"SELECT * WHERE {{ ?s ?p '\\u0027' SERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . SeRvIcE\tSILENT <{url}> {{ ?a ?b ?c }} }}",
    ]


def test_service_in_disguise_is_refused(base, canary):
    """Every disguise of SERVICE gets the 400 refusal; the canary sees no connection."""
    for query in service_disguises(canary.url):
        assert post(base, query) == (400, SERVICE_BODY), query
    assert canary.connections() == 0


def test_service_words_that_are_not_the_keyword_still_run(base):
    """SERVICE in a string, an IRI, a comment, a variable, a prefix or a language tag: 200."""
    queries = [
        'SELECT * WHERE { ?s ?p ?o FILTER(?o != "SERVICE <http://127.0.0.1:1/> { }") } LIMIT 1',
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "# SERVICE <http://127.0.0.1:1/>\rSELECT * WHERE { ?s ?p ?o } LIMIT 1",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?o }",
        "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
        'SELECT * WHERE { ?s ?p "x"@service }',
    ]
    for query in queries:
        status, body = post(base, query)
        assert status == 200, (query, body)
        assert "results" in json.loads(body)


def test_dataset_iris_fetch_nothing(base, canary):
    """FROM, FROM NAMED, GRAPH and the protocol's graph IRIs on the canary: empty, no fetch."""
    url = canary.url + "graph.ttl"
    cases = [
        (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        (f"SELECT * WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": url}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": url}),
    ]
    for query, params in cases:
        status, body = post(base, query, **params)
        assert status == 200, body
        assert json.loads(body)["results"]["bindings"] == []
    assert canary.connections() == 0


def test_the_guard_parses_without_evaluating():
    """parse_error parses only: an ASK over 10^9 combinations returns at once."""
    values = "VALUES ?a { " + " ".join(str(i) for i in range(1000)) + " } "
    heavy = (
        f"ASK {{ {values} {values.replace('?a', '?b')} {values.replace('?a', '?c')} "
        "FILTER(?a + ?b + ?c < 0) }"
    )
    assert parse_error(heavy) is None  # evaluated, it would run for minutes
    assert parse_error("ASK {").startswith("error at 1:6: expected one of")


# -- the second wall: a query worker has no network -----------------------------------------


def _no_guard(query: str, escapes: bool = True) -> QueryAnalysis:
    return QueryAnalysis(is_update=False, uses_service=False, has_dataset_clause=False)


@pytest.fixture()
def store_path(tmp_path):
    """An on-disk store with one triple, closed, for a worker to open read-only."""
    path = tmp_path / "store"
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o")))
    store.flush()
    del store
    return str(path)


def test_a_worker_cannot_connect_even_without_the_guard(monkeypatch, store_path, canary):
    """With the guard switched off, SERVICE in a worker fails cleanly and connects to nothing."""
    monkeypatch.setattr(query_worker, "analyse", _no_guard)
    context = multiprocessing.get_context("fork")  # the child keeps the patched guard
    conn, child = context.Pipe(duplex=True)
    process = context.Process(target=query_worker.worker_main, args=(store_path, child))
    process.start()
    child.close()
    try:
        assert conn.poll(30), "the worker did not start"
        assert conn.recv() == ("ready", None)
        for query in [
            f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}",
            service_disguises(canary.url)[0],  # proof that Oxigraph reads SERVICE there
        ]:
            conn.send(QueryRequest(query))
            assert conn.poll(30), query
            assert conn.recv() == ("error", "service", NO_NETWORK_MESSAGE), query
        # SILENT: the refused connection is a failure SILENT turns into one empty solution
        conn.send(QueryRequest(f"ASK {{ SERVICE SILENT <{canary.url}> {{ ?s ?p ?o }} }}"))
        assert conn.poll(30)
        reply = conn.recv()
        assert reply[0] == "ok" and json.loads(reply[1]) == {"head": {}, "boolean": True}
        assert canary.connections() == 0
        conn.send(QueryRequest("SELECT (1 + 1 AS ?two) WHERE { }"))
        assert conn.poll(30)
        reply = conn.recv()
        assert reply[0] == "ok" and json.loads(reply[1])["results"]["bindings"] == [
            {"two": {"type": "literal", "value": "2", "datatype": XSD_INTEGER}}
        ]
        assert process.is_alive()
    finally:
        conn.send(None)
        process.join(10)
        conn.close()
    assert process.exitcode == 0


def test_the_sandbox_says_why_when_it_cannot_drop_the_network(monkeypatch):
    """Where neither seccomp nor a network namespace is available, the reason is returned."""

    def refuse(libc):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(sandbox, "_seccomp", refuse)
    monkeypatch.setattr(sandbox, "_unshare", refuse)
    how = sandbox.drop_network()
    assert how == "seccomp: Operation not permitted; netns: Operation not permitted"
    assert not sandbox.network_dropped(how)


# -- nesting and chains: refused before any parser sees them --------------------------------

#: construct -> (query nesting it n deep, the depth the guard reports for it)
NESTINGS = {
    "groups": (lambda n: "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n, lambda n: n),
    "parentheses": (
        lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "true" + ")" * n + ") }",
        lambda n: n + 2,
    ),
    "function calls": (
        lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "STR(" * n + "?o" + ")" * n + ") }",
        lambda n: n + 2,
    ),
    "sub-selects": (
        lambda n: "SELECT * WHERE { " + "{ SELECT * WHERE { " * n + "?s ?p ?o" + " } }" * n + " }",
        lambda n: 2 * n + 1,
    ),
    "exists": (
        lambda n: "SELECT * WHERE { ?s ?p ?o " + "FILTER EXISTS { " * n + "}" * n + " }",
        lambda n: n + 1,
    ),
    "property paths": (
        lambda n: "SELECT * WHERE { ?s " + "(" * n + "<urn:x:p>" + ")" * n + " ?o }",
        lambda n: n + 1,
    ),
    "collections": (
        lambda n: "SELECT * WHERE { ?s <urn:x:p> " + "(" * n + "1" + ")" * n + " }",
        lambda n: n + 1,
    ),
    "blank nodes": (
        lambda n: "SELECT * WHERE { ?s " + "<urn:x:p> [ " * n + "<urn:x:p> 1" + " ]" * n + " }",
        lambda n: n + 1,
    ),
    "negations": (
        lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * n + "true) }",
        lambda n: n + 2,
    ),
}


def depth_body(depth: int) -> str:
    """The 400 body for a query ``depth`` levels deep (all on line 1)."""
    return (
        f"the query nests {depth} levels deep (brackets {{ ( [ << and prefix operators ! - ^, "
        f"deepest on line 1); the limit is {MAX_DEPTH}\n"
    )


@pytest.mark.parametrize("construct", list(NESTINGS))
def test_deep_nesting_is_refused_and_the_worker_lives(base, construct):
    """3,000 levels (12 KB of groups crashed a worker): 400 naming depth and limit, then 200."""
    build, depth = NESTINGS[construct]
    assert post(base, build(3000)) == (400, depth_body(depth(3000)))
    assert triples(base) == FIXTURE_TRIPLES


def test_twenty_clients_with_deep_queries(base):
    """20 clients at once, each 3,000 groups deep: every one 400, no crash, the server answers."""
    query = NESTINGS["groups"][0](3000)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: post(base, query), range(20)))
    # the engine's bounded queue may turn some away (503) while the workers are busy refusing
    refused = [a for a in answers if a == (400, depth_body(3000))]
    busy = [a for a in answers if a[0] == 503 and a[1].startswith("the server is at capacity")]
    assert refused and len(refused) + len(busy) == 20, answers
    assert triples(base) == FIXTURE_TRIPLES


def test_long_chains_are_refused(base):
    """8,000 UNIONs in a row (Oxigraph crashed at 6,656): 400 naming the count and the limit."""
    query = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 8000) + " }"
    assert post(base, query) == (
        400,
        "the query chains 15999 operators, separators or group elements (UNION, OPTIONAL, "
        f"FILTER...) on one level; the limit is {MAX_CHAIN}\n",
    )
    assert triples(base) == FIXTURE_TRIPLES


def test_the_limits_leave_sane_queries_alone(base):
    """64 nested groups, 5,000 VALUES rows and 100 UNIONs run; 65 groups do not."""
    groups = NESTINGS["groups"][0]
    status, body = post(base, groups(MAX_DEPTH))
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == FIXTURE_TRIPLES
    assert post(base, groups(MAX_DEPTH + 1)) == (400, depth_body(MAX_DEPTH + 1))
    rows = " ".join(f'(<urn:x:r{i}> "{i}")' for i in range(5000))
    status, body = post(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?r ?i) {{ {rows} }} }}")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "5000"
    union = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 100) + " }"
    status, body = post(base, union + " LIMIT 5")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5
