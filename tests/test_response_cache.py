"""The response cache (imtkg.web.response_cache): what it stores, when it answers, what it passes
on.

The endpoint tests run over a real server on loopback (waitress in a thread, as in the other
protocol tests); the storage rules are checked on a small WSGI app whose headers each test sets.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sparql_support import CITIES, CITY_QUERY, app_context, live_server

from imtkg.web import response_cache
from imtkg.web.response_cache import ResponseCache


def fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None):
    """Send a request; return (status, headers, body) whatever the status."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read()


def sparql_url(base: str, query: str) -> str:
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": query})


@pytest.fixture(scope="module")
def server():
    """A live server on the endpoint fixture data, with its response cache."""
    with app_context() as app, live_server(app) as base:
        yield base, app.extensions["imtkg_response_cache"]


def cities(body: bytes) -> list[str]:
    return [row["city"]["value"] for row in json.loads(body)["results"]["bindings"]]


def test_a_repeated_query_is_answered_from_the_cache(server, caplog):
    base, cache = server
    url = sparql_url(base, CITY_QUERY + " # repeated")
    accept = {"Accept": "application/sparql-results+json"}
    status, first_headers, first = fetch(url, accept)
    assert status == 200 and "X-Cache" not in first_headers and cities(first) == CITIES
    hits = cache.hits
    with caplog.at_level(logging.INFO, logger="imtkg.access"):
        status, headers, body = fetch(url, accept)
    assert status == 200
    assert headers["X-Cache"] == "hit" and int(headers["Age"]) >= 0
    assert body == first and headers["ETag"] == first_headers["ETag"]
    assert headers["Content-Type"] == first_headers["Content-Type"]
    assert cache.hits == hits + 1
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "imtkg.access"]
    assert records[-1]["cache"] == "hit" and records[-1]["status"] == 200
    assert records[-1]["path"] == "/sparql" and records[-1]["sparql_rows"] == "3"
    assert records[-1]["query_length"] == len(CITY_QUERY + " # repeated")


def test_each_accepted_format_is_its_own_entry(server):
    base, _ = server
    url = sparql_url(base, CITY_QUERY + " # formats")
    for _ in range(2):
        _, json_headers, json_body = fetch(url, {"Accept": "application/sparql-results+json"})
        _, csv_headers, csv_body = fetch(url, {"Accept": "text/csv"})
    assert json_headers["X-Cache"] == "hit" and csv_headers["X-Cache"] == "hit"
    assert cities(json_body) == CITIES
    table = list(csv.reader(io.StringIO(csv_body.decode("utf-8"))))
    assert table[0] == ["campus", "city"] and [row[1] for row in table[1:]] == CITIES
    assert csv_headers["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "no-cache"},
        {"Cache-Control": "max-age=0"},
        {"Pragma": "no-cache"},
    ],
)
def test_a_request_for_a_fresh_answer_runs_the_query(server, headers):
    base, cache = server
    url = sparql_url(base, CITY_QUERY + " # fresh")
    fetch(url)
    fetch(url)  # stored and hit
    hits = cache.hits
    status, answer_headers, body = fetch(url, headers)
    assert status == 200 and "X-Cache" not in answer_headers and cities(body) == CITIES
    assert cache.hits == hits


def test_a_conditional_request_gets_the_apps_304(server):
    base, _ = server
    url = sparql_url(base, CITY_QUERY + " # conditional")
    _, headers, _ = fetch(url)
    fetch(url)
    status, answer_headers, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and "X-Cache" not in answer_headers


def test_errors_and_posts_are_not_stored(server):
    base, cache = server
    bad = sparql_url(base, "SELECT * WHERE { ?s ?p }")
    for _ in range(2):
        status, headers, body = fetch(bad)
        assert status == 400 and "X-Cache" not in headers and b"syntax" in body.lower()
    form = urllib.parse.urlencode({"query": CITY_QUERY + " # post"}).encode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    for _ in range(2):
        status, headers, body = fetch(f"{base}/sparql", form_type, data=form)
        assert status == 200 and "X-Cache" not in headers and cities(body) == CITIES


def test_the_cache_is_off_at_zero_megabytes():
    with app_context(RESPONSE_CACHE_MB=0) as app:
        assert "imtkg_response_cache" not in app.extensions
        assert not isinstance(app.wsgi_app, ResponseCache)


# --- the storage rules, on a WSGI app whose answer each test chooses -------------------------


class FakeApp:
    """A WSGI app answering every request with the given status, headers and body."""

    def __init__(self, status="200 OK", headers=(), body=b"x" * 10) -> None:
        self.status, self.body, self.calls = status, body, 0
        self.headers = [("Content-Length", str(len(body))), *headers]

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response(self.status, list(self.headers))
        return [self.body]


def call(app, path="/sparql", query="query=a", **headers):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query}
    environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


PUBLIC = ("Cache-Control", "public, max-age=300")


@pytest.mark.parametrize(
    "headers, stored",
    [
        ((PUBLIC,), True),
        ((PUBLIC, ("Vary", "Accept, Accept-Encoding")), True),
        ((("Cache-Control", "max-age=300"),), False),  # not said public
        ((("Cache-Control", "public, max-age=0"),), False),
        ((("Cache-Control", "public, no-store, max-age=300"),), False),
        ((("Cache-Control", "private, max-age=300"),), False),
        ((PUBLIC, ("Vary", "Cookie")), False),  # varies on a header the key does not hold
        ((PUBLIC, ("Vary", "*")), False),
        ((PUBLIC, ("Set-Cookie", "a=b")), False),
    ],
)
def test_only_public_fresh_responses_are_stored(headers, stored):
    inner = FakeApp(headers=headers)
    cache = ResponseCache(inner, max_bytes=1000)
    call(cache)
    _, answer_headers, body = call(cache)
    assert body == inner.body
    assert inner.calls == (1 if stored else 2)
    assert ("X-Cache" in answer_headers) is stored


def test_an_error_status_is_not_stored():
    inner = FakeApp(status="404 NOT FOUND", headers=(PUBLIC,))
    cache = ResponseCache(inner, max_bytes=1000)
    call(cache)
    call(cache)
    assert inner.calls == 2 and len(cache) == 0


def test_large_bodies_pass_through_and_old_entries_are_evicted():
    inner = FakeApp(headers=(PUBLIC,), body=b"y" * 40)
    cache = ResponseCache(inner, max_bytes=100, max_entry_bytes=50)
    for name in "abc":
        call(cache, query=f"query={name}")
    assert len(cache) == 2 and cache.size == 80  # a was the least recently used
    call(cache, query="query=b")
    assert inner.calls == 3  # b was a hit
    call(cache, query="query=a")
    assert inner.calls == 4
    big = ResponseCache(FakeApp(headers=(PUBLIC,), body=b"z" * 60), 1000, max_entry_bytes=50)
    call(big)
    assert len(big) == 0


def test_an_entry_past_its_max_age_is_not_served(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(response_cache.time, "monotonic", lambda: now[0])
    inner = FakeApp(headers=(("Cache-Control", "public, max-age=60"),))
    cache = ResponseCache(inner, max_bytes=1000)
    call(cache)
    now[0] += 59
    _, headers, _ = call(cache)
    assert headers["Age"] == "59" and inner.calls == 1
    now[0] += 1
    _, headers, _ = call(cache)
    assert "X-Cache" not in headers and inner.calls == 2


def test_the_key_holds_the_varying_request_headers():
    inner = FakeApp(headers=(PUBLIC, ("Vary", "Accept")))
    cache = ResponseCache(inner, max_bytes=1000)
    call(cache, accept="text/csv")
    call(cache, accept="application/json")
    call(cache, accept="text/csv")
    assert inner.calls == 2


def test_the_key_holds_the_host_the_request_named():
    """Documents name IRIs after the request's host when no PUBLIC_BASE is set: one entry each."""
    inner = FakeApp(headers=(PUBLIC,))
    cache = ResponseCache(inner, max_bytes=1000)
    call(cache, host="localhost:8000")
    call(cache, host="kg.example.org")
    call(cache, host="localhost:8000")
    assert inner.calls == 2


def test_hosts_share_entries_when_answers_do_not_name_them():
    """With PUBLIC_BASE set (``key_host=False``) every Host is answered from one entry."""
    inner = FakeApp(headers=(PUBLIC,))
    cache = ResponseCache(inner, max_bytes=1000, key_host=False)
    for host in ("localhost:8000", "kg.example.org", "evil.example"):
        call(cache, host=host)
    assert inner.calls == 1 and len(cache) == 1 and cache.hosts == 1


def test_the_entries_of_at_most_max_hosts_hosts_are_kept():
    """A new host beyond ``max_hosts`` drops every entry of the least recently used host."""
    inner = FakeApp(headers=(PUBLIC,))
    cache = ResponseCache(inner, max_bytes=10_000, max_hosts=2)
    call(cache, host="a.example", query="query=1")
    call(cache, host="a.example", query="query=2")
    call(cache, host="b.example")
    call(cache, host="a.example", query="query=1")  # a hit: b is now the least recently used
    assert inner.calls == 3
    for number in range(50):
        call(cache, host=f"h{number}.example")
    assert cache.hosts == 2 and len(cache) == 2 and cache.size == 20
    call(cache, host="a.example", query="query=1")
    assert inner.calls == 54  # a's entries went with the flood


@pytest.mark.parametrize(
    "store, megabytes, installed",
    [
        ("memory", 64, True),
        ("oxigraph:/tmp/store", 64, True),
        ("memory", 0, False),
        ("sparql:http://127.0.0.1:7878/query", 64, False),  # the engine's data may change
    ],
)
def test_where_the_cache_is_installed(store, megabytes, installed):
    from flask import Flask

    from imtkg.web.app import install_response_cache

    app = Flask(__name__)
    app.config.update(STORE=store, RESPONSE_CACHE_MB=megabytes)
    original = app.wsgi_app
    install_response_cache(app)
    assert isinstance(app.wsgi_app, ResponseCache) is installed
    if installed:
        assert app.wsgi_app.app == original and app.wsgi_app.max_bytes == megabytes * 2**20
