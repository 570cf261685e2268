"""``GET /metrics``: the server's figures in the Prometheus text format (``prometheus_client``).

:class:`Metrics` is a WSGI middleware put in front of every other one (host guard, response
cache, the fast path of ``/sparql``, Flask), so it counts every request, cache hits and the fast
path's answers included, by route and status, with a latency histogram by route. It answers
``GET /metrics`` itself from a registry of its own (one per app: tests build several apps).

What it exposes (names in :func:`Metrics.__init__`):

* ``imtkg_http_requests_total{route,method,status}`` and ``imtkg_http_request_seconds{route}``;
  a route is the first segment of the path when the app has a rule under it (``/sparql``,
  ``/id``...), ``/`` for the home page and ``other`` for anything else, so that the label
  has a bounded number of values whatever clients ask;
* ``imtkg_queries_total{outcome}``: ``ok``, ``syntax``, ``refused``, ``timeout``, ``too_large``,
  ``busy``, ``error`` (counted by :func:`count_query` where the protocol runs a query);
* ``imtkg_query_queue_length`` (requests holding or waiting for a worker),
  ``imtkg_query_queue_rejections_total``, ``imtkg_query_worker_restarts_total``,
  ``imtkg_response_cache_hits_total`` and ``_misses_total``, read from the engine and the cache
  when scraped;
* ``imtkg_validation_runs_total{status}`` (``POST /shacl``);
* ``imtkg_dataset_triples{graph}`` and ``imtkg_dataset_info{version}``, set at start.

Processes: granian runs the app in one serving process (``workers=1`` in
:mod:`imtkg.web.granian`), and the query workers are separate processes that never see a
request, so every figure is counted in the serving process and no multiprocess mode is needed.

Access: loopback clients are answered; a request that came through a proxy (``Forwarded`` or
``X-Forwarded-For``) is not taken for a loopback one. Others need the ``METRICS_TOKEN`` bearer
token or an address in ``METRICS_ALLOW``; otherwise 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from flask import Flask
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from imtkg.core.errors import ImtKgError
from imtkg.query.errors import (
    EngineBusy,
    QueryError,
    QueryMemoryLimit,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyError,
    UnsupportedFeature,
)
from imtkg.web.state import EXTENSION_KEY, ImtKgState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: the path the metrics are answered at
PATH = "/metrics"
#: where an app keeps its :class:`Metrics` (``app.extensions`` and the state's ``extra``)
METRICS_KEY = "imtkg_metrics"
#: outcome label of each query error (the first class that matches; ``error`` otherwise)
_OUTCOMES: tuple[tuple[type[QueryError], str], ...] = (
    (QuerySyntaxError, "syntax"),
    (QueryTimeout, "timeout"),
    (QueryMemoryLimit, "too_large"),
    (EngineBusy, "busy"),
    (QueryRefused, "refused"),
    (UnsupportedFeature, "refused"),
    (ReadOnlyError, "refused"),
)
_FORBIDDEN = (
    b"403 Forbidden: /metrics is answered to loopback clients, to the networks of "
    b"METRICS_ALLOW and to requests with the METRICS_TOKEN bearer token\n"
)
_PROXY_HEADERS = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR")


def query_outcome(error: QueryError | None) -> str:
    """The ``outcome`` label of a query that ended with ``error`` (``None``: answered)."""
    if error is None:
        return "ok"
    for kind, outcome in _OUTCOMES:
        if isinstance(error, kind):
            return outcome
    return "error"


def count_query(state: ImtKgState, error: QueryError | None) -> None:
    """Count a query the protocol ran, by outcome, if the app has metrics."""
    metrics = state.extra.get(METRICS_KEY)
    if metrics is not None:
        metrics.queries.labels(query_outcome(error)).inc()


def parse_networks(text: object) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Read ``METRICS_ALLOW`` (comma-separated CIDR networks or addresses).

    :raises ImtKgError: naming the setting and the value that is not a network.
    """
    networks = []
    for part in str(text or "").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as exc:
                raise ImtKgError(
                    f"METRICS_ALLOW: {part.strip()!r} is not a network: {exc}"
                ) from None
    return networks


class _EngineAndCache(Collector):
    """Figures read when scraped: the engine's queue and restarts, the response cache's hits."""

    def __init__(self, flask_app: Flask) -> None:
        self.flask_app = flask_app

    def collect(self) -> Iterator[Any]:
        state: ImtKgState | None = self.flask_app.extensions.get(EXTENSION_KEY)
        engine = state.engine if state is not None else None
        yield GaugeMetricFamily(
            "imtkg_query_queue_length",
            "Requests holding or waiting for a query worker.",
            value=engine.inside if engine is not None else 0,
        )
        yield CounterMetricFamily(
            "imtkg_query_queue_rejections",
            "Requests refused because the admission bound was reached (503).",
            value=getattr(engine, "rejected", 0),
        )
        yield CounterMetricFamily(
            "imtkg_query_worker_restarts",
            "Query workers stopped and replaced (time or memory limit, long queries).",
            value=getattr(engine, "restarts", 0),
        )
        cache = self.flask_app.extensions.get("imtkg_response_cache")
        yield CounterMetricFamily(
            "imtkg_response_cache_hits",
            "Requests answered from the response cache.",
            value=getattr(cache, "hits", 0),
        )
        yield CounterMetricFamily(
            "imtkg_response_cache_misses",
            "Cacheable requests the response cache had no fresh answer for.",
            value=getattr(cache, "misses", 0),
        )


class Metrics:
    """WSGI middleware counting requests and answering ``GET /metrics`` (see the module doc).

    :param app: the WSGI callable it wraps (the app with its other middlewares).
    :param flask_app: the Flask app, for its routes, settings and state.
    """

    def __init__(self, app: WSGIApplication, flask_app: Flask) -> None:
        self.app = app
        self.token = str(flask_app.config.get("METRICS_TOKEN") or "")
        self.networks = parse_networks(flask_app.config.get("METRICS_ALLOW"))
        self.roots = {
            rule.rule.split("/")[1] for rule in flask_app.url_map.iter_rules() if "/" in rule.rule
        } - {""}
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "imtkg_http_requests",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "imtkg_http_request_seconds",
            "Seconds from a request's arrival to its answer's headers and body (unless streamed).",
            ["route"],
            registry=self.registry,
        )
        self.queries = Counter(
            "imtkg_queries",
            "SPARQL queries run through the protocol, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.validations = Counter(
            "imtkg_validation_runs",
            "SHACL validations requested (POST /shacl), by status.",
            ["status"],
            registry=self.registry,
        )
        self.registry.register(_EngineAndCache(flask_app))
        self._set_dataset(flask_app.extensions.get(EXTENSION_KEY))

    def _set_dataset(self, state: ImtKgState | None) -> None:
        """Set the gauges of the served dataset (it never changes while the server runs)."""
        if state is None:
            return
        state.extra[METRICS_KEY] = self
        triples = Gauge(
            "imtkg_dataset_triples",
            "Triples in each named graph of the served dataset.",
            ["graph"],
            registry=self.registry,
        )
        for graph, size in state.graph_sizes.items():
            triples.labels(graph).set(size)
        info = Gauge(
            "imtkg_dataset_info",
            "The served dataset's version (a digest of its inputs and of the code).",
            ["version"],
            registry=self.registry,
        )
        info.labels(state.version.digest).set(1)

    def route(self, path: str) -> str:
        """The ``route`` label of ``path``: bounded whatever clients ask (see the module doc)."""
        if path in ("", "/"):
            return "/"
        root = path.split("/")[1]
        return f"/{root}" if root in self.roots or path == PATH else "other"

    def allowed(self, environ: WSGIEnvironment) -> bool:
        """Tell whether the client of ``environ`` may read the metrics."""
        if self.token:
            given = environ.get("HTTP_AUTHORIZATION", "")
            if hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                return True
        try:
            address = ipaddress.ip_address(str(environ.get("REMOTE_ADDR", "")).split("%")[0])
        except ValueError:
            return False
        if address.is_loopback and not any(name in environ for name in _PROXY_HEADERS):
            return True
        return any(address in network for network in self.networks)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        captured: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None) -> Callable:
            captured[:] = [status.split(" ", 1)[0]]
            return start_response(status, headers, exc_info)

        try:
            if path == PATH and method in ("GET", "HEAD"):
                return self._answer(environ, capture)
            return self.app(environ, capture)
        finally:
            status = captured[0] if captured else "500"
            route = self.route(path)
            self.requests.labels(route, method, status).inc()
            self.latency.labels(route).observe(time.perf_counter() - started)
            if route == "/shacl" and method == "POST":
                self.validations.labels(status).inc()

    def _answer(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        """Answer ``GET /metrics``: the exposition, or 403 to a client not allowed."""
        if not self.allowed(environ):
            start_response(
                "403 FORBIDDEN",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(_FORBIDDEN))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [_FORBIDDEN]
        body = generate_latest(self.registry)
        start_response(
            "200 OK",
            [
                ("Content-Type", CONTENT_TYPE_LATEST),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def install_metrics(app: Flask) -> None:
    """Put :class:`Metrics` in front of the app's WSGI callable (the outermost middleware)."""
    metrics = Metrics(app.wsgi_app, app)
    app.wsgi_app = metrics  # type: ignore[method-assign]  # Flask's middleware pattern
    app.extensions[METRICS_KEY] = metrics
