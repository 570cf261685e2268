"""What the remote mode and ``imtkg push`` do with an engine's answers that a healthy Virtuoso does
not give on demand: HTTP Basic authentication, a scheme push does not do, errors in each class,
a partial answer, an ASK answered with a foreign table.

A scripted engine on loopback (``http.server`` in a thread) answers each request with the next
reply of its script and records what it was sent; the real Virtuoso is in ``test_virtuoso.py``.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from imtkg.cli import main
from imtkg.query.errors import EngineQueryFailure, QuerySyntaxError, QueryTimeout
from imtkg.query.graph_store_client import Credentials, GraphStoreClient, GraphStoreError
from imtkg.query.remote import RemoteEngineError, RemoteQueryEngine

pytestmark = pytest.mark.live

JSON_RESULTS = "application/sparql-results+json"
VIRTUOSO_SERVER = "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"
TRIPLE = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o"))
#: the pair of the Basic tests, and its Authorization header
BASIC = Credentials("pusher", "basic-secret-5d2a")
BASIC_HEADER = "Basic " + base64.b64encode(b"pusher:basic-secret-5d2a").decode()

Reply = tuple[int, dict[str, str], bytes]


class ScriptedEngine(ThreadingHTTPServer):
    """An HTTP server answering each request with the next reply of ``script``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[Reply] = []
        self.basic: str | None = None  # when set, a request without this Authorization is a 401
        self.received: list[tuple[str, str | None]] = []  # (method, Authorization)

    @property
    def url(self) -> str:
        """The base URL (no final slash)."""
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedEngine

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        authorization = self.headers.get("Authorization")
        self.server.received.append((self.command, authorization))
        if self.server.basic is not None and authorization != self.server.basic:
            status, headers, body = 401, {"WWW-Authenticate": 'Basic realm="gsp"'}, b""
        else:
            status, headers, body = self.server.script.pop(0)
        self.send_response_only(status)  # no Server header of its own
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def engine() -> Iterator[ScriptedEngine]:
    """A scripted engine on a free loopback port, stopped after the test."""
    server = ScriptedEngine()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# -- imtkg push's authentication ---------------------------------------------------------------


def test_basic_authentication_answers_the_challenge_then_goes_first(engine):
    """Basic: the first request meets the challenge and is sent again with the credentials;
    the next ones carry them from the start."""
    engine.basic = BASIC_HEADER
    engine.script = [(204, {}, b""), (201, {}, b""), (201, {}, b"")]
    client = GraphStoreClient(engine.url + "/store", credentials=BASIC)
    try:
        assert client.delete("urn:x:g") == 204
        assert client.put("urn:x:g", [TRIPLE]) == 201
        assert client.put("urn:x:h", [TRIPLE]) == 201
    finally:
        client.close()
    assert engine.received == [
        ("DELETE", None),
        ("DELETE", BASIC_HEADER),
        ("PUT", BASIC_HEADER),
        ("PUT", BASIC_HEADER),
    ]


def test_a_wrong_basic_password_is_named_without_the_password(engine):
    """A refused Basic password: one message naming the user and the scheme, not the password."""
    engine.basic = "Basic something-else"
    client = GraphStoreClient(engine.url + "/store", credentials=BASIC)
    try:
        with pytest.raises(GraphStoreError) as caught:
            client.put("urn:x:g", [TRIPLE])
    finally:
        client.close()
    assert str(caught.value) == (
        f"{engine.url}/store refused the password of user 'pusher' (Basic authentication, PUT "
        "answered HTTP 401): check the user name and the password"
    )
    assert BASIC.password not in str(caught.value) + repr(BASIC)


def test_a_scheme_push_does_not_do_is_named(engine):
    """A challenge in another scheme (Bearer) is refused by name; nothing is sent with it."""
    engine.script = [(401, {"WWW-Authenticate": 'Bearer realm="x"'}, b"")]
    client = GraphStoreClient(engine.url + "/store", credentials=BASIC)
    try:
        with pytest.raises(GraphStoreError) as caught:
            client.delete("urn:x:g")
    finally:
        client.close()
    assert str(caught.value) == (
        f"{engine.url}/store asks for Bearer authentication, which imtkg push does not do "
        "(it does Digest and Basic)"
    )
    assert engine.received == [("DELETE", None)]


def test_no_option_takes_a_password_on_the_command_line():
    """--password does not exist (a password in argv shows in the process list): usage error."""
    result = CliRunner().invoke(main, ["push", "http://127.0.0.1:9/sparql", "--password", "x"])
    assert result.exit_code == 2
    assert "Error: No such option '--password'. Did you mean '--password-file'?" in result.output


# -- The engine's errors and odd answers ---------------------------------------------------------


def remote(engine: ScriptedEngine) -> RemoteQueryEngine:
    """A remote engine on the scripted one (the guard parses in the calling thread)."""
    return RemoteQueryEngine(engine.url + "/sparql", timeout=5.0, start=False)


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            (
                400,
                {"Server": VIRTUOSO_SERVER, "Content-Type": "text/plain"},
                b"Virtuoso 37000 Error SP031: SPARQL compiler: Internal error: Built-in function "
                b"is not implemented\n\nSPARQL query:\ndefine input:default-graph-uri <urn:x:g> "
                b"SELECT (BNODE() AS ?b) {}",
            ),
            EngineQueryFailure,
            "the SPARQL engine (Virtuoso/07.20.3229) failed on this query: Virtuoso 37000 Error "
            "SP031: SPARQL compiler: Internal error: Built-in function is not implemented",
        ),
        (
            (
                400,
                {"Server": VIRTUOSO_SERVER, "Content-Type": "text/plain"},
                b"Virtuoso 37000 Error SP030: SPARQL compiler, line 3: syntax error at 'x'\n\n"
                b"SPARQL query:\nSELECT x",
            ),
            QuerySyntaxError,
            "SPARQL syntax error: Virtuoso 37000 Error SP030: SPARQL compiler, line 2: syntax "
            "error at 'x'",
        ),
        (
            (500, {"Content-Type": "text/plain"}, b"Virtuoso S1T00 Error SR171: stopped"),
            QueryTimeout,
            "the SPARQL engine stopped the query at its own time limit",
        ),
        (
            (500, {"Content-Type": "text/plain"}, b"engine\nfailure\n\ndetails"),
            EngineQueryFailure,
            "the SPARQL engine (unnamed) failed on this query: engine failure",
        ),
        (
            (500, {"Content-Type": "text/html"}, b"<html>oops</html>"),
            RemoteEngineError,
            "the SPARQL engine failed to answer (HTTP 500)",
        ),
        (
            (
                200,
                {"Content-Type": JSON_RESULTS, "X-SQL-State": "S1TAT"},
                b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}',
            ),
            QueryTimeout,
            "the SPARQL engine stopped the query at its own time limit and sent part of the "
            "answer, which is not served as if complete",
        ),
    ],
    ids=["internal-502", "syntax-400", "timeout-504", "unnamed-502", "html-502", "partial-504"],
)
def test_engine_answers_map_to_their_errors(engine, reply, error, message):
    """Each kind of failure gets its class (status) and message; only the engine's own syntax
    error is a 400, its line moved back over the prefix line the server added."""
    engine.script = [reply]
    client = remote(engine)
    try:
        with pytest.raises(error) as caught:
            client.execute("SELECT ?x WHERE { ?x rdfs:label ?l }")  # rdfs: is added on line 1
    finally:
        client.close()
    assert str(caught.value) == message
    assert type(caught.value) is error


def test_ask_answered_with_another_table_is_a_502(engine):
    """An ASK answered with a table that is not Virtuoso's ``__ASK_RETVAL`` is refused (502),
    never served as a table or guessed as a boolean."""
    body = b'{"head": {"vars": ["r"]}, "results": {"bindings": [{"r": {"type": "literal", '
    body += b'"value": "1"}}]}}'
    engine.script = [(200, {"Content-Type": JSON_RESULTS}, body)]
    client = remote(engine)
    try:
        with pytest.raises(RemoteEngineError) as caught:
            client.execute("ASK { ?s ?p ?o }")
    finally:
        client.close()
    assert str(caught.value) == "the SPARQL engine answered an ASK query with a table"


def test_virtuosos_ask_table_is_the_boolean(engine):
    """Virtuoso's ASK table: a row of 1 is true, no row is false (its answer to a false ASK)."""
    empty = b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}'
    one = (
        b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [{"__ASK_RETVAL": '
        b'{"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", '
        b'"value": "1"}}]}}'
    )
    engine.script = [(200, {"Content-Type": JSON_RESULTS}, body) for body in (one, empty)]
    client = remote(engine)
    try:
        assert client.select("ASK { ?s ?p ?o }") == {"head": {}, "boolean": True}
        assert client.select("ASK { ?s ?p ?o }") == {"head": {}, "boolean": False}
    finally:
        client.close()


def test_an_answer_at_virtuosos_row_limit_is_flagged_truncated(engine):
    """An answer carrying Virtuoso's X-SPARQL-MaxRows (it reached ResultSetMaxRows, and may
    have been cut there) is flagged truncated, though it holds fewer rows than our limit."""
    rows = b'[{"s": {"type": "uri", "value": "urn:x:a"}}, '
    rows += b'{"s": {"type": "uri", "value": "urn:x:b"}}]'
    body = b'{"head": {"vars": ["s"]}, "results": {"bindings": %s}}' % rows
    reply = (200, {"Content-Type": JSON_RESULTS}, body)
    engine.script = [(reply[0], {**reply[1], "X-SPARQL-MaxRows": "2"}, body), reply]
    client = remote(engine)
    try:
        cut = client.execute("SELECT ?s WHERE { ?s ?p ?o }")
        whole = client.execute("SELECT ?s WHERE { ?s ?p ?o }")
    finally:
        client.close()
    assert (cut.count, cut.truncated) == (2, True)
    assert (whole.count, whole.truncated) == (2, False)
