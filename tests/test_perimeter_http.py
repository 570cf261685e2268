"""The HTTP edges against real servers on loopback: Host, redirects, caches keyed by clients, CORS.

Requests are written on raw sockets (a forged ``Host``, HTTP/1.0 without one, HTTP/1.1 without
one) and read back with :class:`http.client.HTTPResponse`, so headers are the server's exactly.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from cachetools import LRUCache
from flask import Flask
from sparql_support import app_context, live_server
from test_sparql_live import imtkg_serve

from imtkg.web.state import EXTENSION_KEY, Memo

PUBLIC_BASE = "https://kg.example.org/"
ALLOWED = "kg.example.org, .mirror.example, 127.0.0.1"
MAX_BODY = 1000
ENTITY = "/id/imt-mines-ales"
#: a triple the fixture data states by inference (School is a subclass of FormalOrganization)
HOLDS = "/explain?s=id:telecom-paris&p=a&o=org:FormalOrganization&format=json"


class Answer:
    """A response read off the socket: status, headers (case-insensitive), body."""

    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def send(
    url: str,
    path: str,
    host: str | None,
    *,
    method: str = "GET",
    version: str = "HTTP/1.1",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> Answer:
    """Send one request on a new connection, ``Host: host`` (none when ``None``), and read the
    answer."""
    parts = urlsplit(url)
    lines = [f"{method} {path} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines.append("Connection: close")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(head + body)
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        return Answer(response.status, response.headers, response.read())


@pytest.fixture(scope="module")
def open_server() -> Iterator[tuple[Flask, str]]:
    """The fixture data with neither PUBLIC_BASE nor ALLOWED_HOSTS (the default set-up)."""
    with app_context(MAX_BODY=MAX_BODY) as app, live_server(app) as url:
        yield app, url


@pytest.fixture(scope="module")
def public_server() -> Iterator[tuple[Flask, str]]:
    """The fixture data served with a PUBLIC_BASE and ALLOWED_HOSTS."""
    with (
        app_context(PUBLIC_BASE=PUBLIC_BASE, ALLOWED_HOSTS=ALLOWED) as app,
        live_server(app) as url,
    ):
        yield app, url


# -- Redirects never name the request's Host -----------------------------------------------------


def test_a_forged_host_does_not_reach_the_location_of_a_303(open_server):
    """Without PUBLIC_BASE the 303 of a linked-data IRI is a path-absolute reference, whatever
    the Host says; the page werkzeug writes with it names no host either."""
    _, url = open_server
    answer = send(url, ENTITY, "evil.example")
    assert answer.status == 303
    assert answer.headers["Location"] == ENTITY + ".ttl"
    assert answer.headers["Cache-Control"] == "public, max-age=300"
    assert b"evil.example" not in answer.body


def test_http10_without_host_gets_a_relative_location(open_server):
    """An HTTP/1.0 request without Host gets the same relative Location (not ``http:///id/``)."""
    _, url = open_server
    answer = send(url, ENTITY, None, version="HTTP/1.0", headers={"Accept": "text/html"})
    assert answer.status == 303
    assert answer.headers["Location"] == ENTITY + ".html"


def test_the_query_string_follows_the_redirect(open_server):
    """The 303 keeps the request's query string (the language choice) on the relative target."""
    _, url = open_server
    answer = send(url, ENTITY + "?lang=fr", "evil.example", headers={"Accept": "text/html"})
    assert answer.headers["Location"] == ENTITY + ".html?lang=fr"


def test_werkzeugs_own_redirect_names_no_host(open_server):
    """The slash redirect werkzeug makes itself (/dumps -> /dumps/) is relative too, body
    included."""
    _, url = open_server
    answer = send(url, "/dumps", "evil.example")
    assert answer.status == 308
    assert answer.headers["Location"] == "/dumps/"
    assert b"evil.example" not in answer.body


def test_with_a_public_base_every_host_is_sent_to_it(public_server):
    """With PUBLIC_BASE the Location is under it, for each allowed Host and for werkzeug's
    redirects."""
    _, url = public_server
    port = urlsplit(url).port
    for host in ("kg.example.org", f"127.0.0.1:{port}", "kg.example.org:8443"):
        answer = send(url, ENTITY, host)
        assert answer.status == 303, host
        assert answer.headers["Location"] == PUBLIC_BASE + ENTITY[1:] + ".ttl", host
    answer = send(url, "/dumps", f"127.0.0.1:{port}")
    assert answer.headers["Location"] == PUBLIC_BASE + "dumps/"


# -- Hosts: ALLOWED_HOSTS, a missing or malformed Host -------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "kg.example.org.evil.example", "evilmirror.example", "example.org"]
)
def test_allowed_hosts_refuse_other_hosts(public_server, host):
    """A Host outside ALLOWED_HOSTS gets 400 naming it and the setting, never stored."""
    _, url = public_server
    answer = send(url, ENTITY, host, headers={"Origin": "https://app.example"})
    assert answer.status == 400
    assert answer.text == (
        f"400 Bad Request: this server does not answer for host {host!r} (ALLOWED_HOSTS)\n"
    )
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("host", ["mirror.example", "a.mirror.example", "KG.example.org"])
def test_allowed_hosts_match_subdomains_and_ignore_case(public_server, host):
    """``.mirror.example`` allows that name and its subdomains; names compare without case."""
    _, url = public_server
    assert send(url, ENTITY, host).status == 303


def test_a_refused_host_reaches_no_cache(public_server):
    """Refused requests never reach the response cache (the guard stands in front of it)."""
    app, url = public_server
    cache = app.extensions["imtkg_response_cache"]
    before = (len(cache), cache.stores)
    for number in range(20):
        assert send(url, "/.well-known/void", f"h{number}.evil.example").status == 400
    assert (len(cache), cache.stores) == before


def test_http11_without_host_is_refused(open_server):
    """HTTP/1.1 requires Host (RFC 9112, section 3.2): 400 saying so."""
    _, url = open_server
    answer = send(url, ENTITY, None)
    assert answer.status == 400
    assert answer.text == "400 Bad Request: an HTTP/1.1 request must have a Host header\n"


@pytest.mark.parametrize("host", ["a b", "a/b", "[::1"])
def test_a_host_that_is_no_host_name_is_refused(open_server, host):
    """A Host werkzeug does not read as a host name gets 400 instead of pages under
    ``http:///``."""
    _, url = open_server
    answer = send(url, "/.well-known/void", host)
    assert answer.status == 400
    assert answer.text == f"400 Bad Request: {host!r} is not a host name (Host header)\n"


# -- Caches keyed by what clients choose ---------------------------------------------------------


def test_the_response_cache_never_serves_one_hosts_answer_to_another(open_server):
    """Without PUBLIC_BASE the VoID names the request's host: a second request from the same
    host is a hit, one from another host gets its own answer."""
    _, url = open_server
    first = send(url, "/.well-known/void", "a.example")
    again = send(url, "/.well-known/void", "a.example")
    other = send(url, "/.well-known/void", "b.example")
    assert first.status == again.status == other.status == 200
    assert "<http://a.example/sparql>" in first.text
    assert again.headers["X-Cache"] == "hit" and again.body == first.body
    assert other.headers.get("X-Cache") is None
    assert "<http://b.example/sparql>" in other.text and "a.example" not in other.text


def test_with_a_public_base_hosts_share_the_cached_answer(public_server):
    """With PUBLIC_BASE the answer names no request host: all hosts share one stored answer."""
    _, url = public_server
    port = urlsplit(url).port
    first = send(url, "/.well-known/void", "kg.example.org")
    other = send(url, "/.well-known/void", f"127.0.0.1:{port}")
    assert first.status == other.status == 200
    assert f"<{PUBLIC_BASE}sparql>" in first.text
    assert other.headers["X-Cache"] == "hit" and other.body == first.body


def test_the_ontology_body_cache_does_not_grow_with_hosts(open_server):
    """500 distinct Hosts asking for /ontology.ttl: each gets a body naming its own host, the
    kept documents stay within their byte bound, and the response cache keeps the answers of
    at most ``max_hosts`` hosts."""
    app, url = open_server
    state = app.extensions[EXTENSION_KEY]
    cache = app.extensions["imtkg_response_cache"]
    size = len(send(url, "/ontology.ttl", "size.example").body)
    bound = 8 * (size + 200)  # room for about eight documents: the host names differ in length
    kept, state.documents = state.documents, Memo(LRUCache(maxsize=bound, getsizeof=len))
    shared = len(state.shared)
    smallest = size
    try:
        for number in range(500):
            host = f"h{number}.example"
            answer = send(url, "/ontology.ttl", host)
            assert answer.status == 200, answer.text
            assert f"<http://{host}/ontology.ttl>" in answer.text
            assert state.documents.size <= bound
            assert cache.hosts <= cache.max_hosts
            smallest = min(smallest, len(answer.body))
        assert 1 <= len(state.documents) <= bound // smallest
        assert len(state.shared) == shared  # named by the code, not by the requests
        assert cache.size <= cache.max_bytes
    finally:
        state.documents = kept


# -- CORS on every answer a page's script may read -----------------------------------------------


def test_cors_on_a_413(open_server):
    """A body over MAX_BODY gets a 413 naming the limit that a page's script can read."""
    _, url = open_server
    answer = send(
        url,
        "/sparql",
        "127.0.0.1",
        method="POST",
        headers={"Origin": "https://app.example", "Content-Type": "application/sparql-query"},
        body=b"#" * (MAX_BODY + 1),
    )
    assert answer.status == 413
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert f"limit of {MAX_BODY} bytes (MAX_BODY)" in answer.text


def test_cors_on_void_stored_and_fresh(open_server):
    """The VoID carries CORS headers, from the app and from the response cache alike."""
    _, url = open_server
    origin = {"Origin": "https://app.example"}
    for _ in range(2):
        answer = send(url, "/.well-known/void", "cors.example", headers=origin)
        assert answer.status == 200
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["X-Cache"] == "hit"
    preflight = send(
        url,
        "/.well-known/void",
        "cors.example",
        method="OPTIONS",
        headers={**origin, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (HOLDS, 200),
        ("/explain?s=id:telecom-paris&p=a&o=imt:Campus&format=json", 404),
        ("/explain?s=id:telecom-paris", 400),
        ("/no/such/page", 404),
    ],
)
def test_cors_on_explain_and_errors(open_server, path, status):
    """/explain answers (a triple that holds, one that does not, a missing term) and a 404
    carry CORS headers."""
    _, url = open_server
    answer = send(url, path, "127.0.0.1", headers={"Origin": "https://app.example"})
    assert answer.status == status, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    if path == HOLDS:
        assert json.loads(answer.body)["holds"] is True


# -- granian: the server `imtkg serve` runs ------------------------------------------------------


def test_granian_without_host(tmp_path):
    """Under granian (which passes a missing Host as an empty one) an HTTP/1.0 request without
    Host gets a relative Location and documents naming the address it listens on; an HTTP/1.1
    one gets 400; a 413 carries CORS headers."""
    with imtkg_serve(tmp_path, MAX_BODY=str(MAX_BODY)) as (port, log_path):
        url = f"http://127.0.0.1:{port}"
        answer = send(url, ENTITY, None, version="HTTP/1.0")
        assert answer.status == 303, log_path.read_text()
        assert answer.headers["Location"] == ENTITY + ".ttl"
        void = send(url, "/.well-known/void", None, version="HTTP/1.0")
        assert void.status == 200
        assert f"<http://127.0.0.1:{port}/sparql>" in void.text
        assert "http:///" not in void.text
        assert send(url, ENTITY, None).status == 400
        forged = send(url, ENTITY, "evil.example")
        assert forged.headers["Location"] == ENTITY + ".ttl"
        too_large = send(
            url,
            "/sparql",
            f"127.0.0.1:{port}",
            method="POST",
            headers={"Content-Type": "application/sparql-query"},
            body=b"#" * (MAX_BODY + 1),
        )
        assert too_large.status == 413
        assert too_large.headers["Access-Control-Allow-Origin"] == "*"
