"""The Flask application factory: configuration, the knowledge graph, the query engine, blueprints.

Adding a blueprint is a one-line edit of :data:`BLUEPRINTS` (each module exposes ``bp``).

The HTTP edges are set here, in the order a request meets them:
:class:`imtkg.web.host_guard.HostGuard` (``ALLOWED_HOSTS``, a missing ``Host``), the response cache,
:class:`imtkg.web.body_limit.BodyLimit`, the fast path of the SPARQL protocol
(:mod:`imtkg.web.fast_sparql`, ``GET``/``POST /sparql`` with a query), then Flask. Every answer
a page's script may read carries CORS headers (flask-cors for Flask's answers, errors
included; :data:`CORS_HEADERS` for the middlewares' own refusals, :data:`CORS_EXPOSED` for the
fast path's answers), and no redirect names the request's ``Host``
(:func:`imtkg.web.linked_data.location_without_host`).
"""

from __future__ import annotations

import logging
import time
from importlib import import_module

from flask import Flask, Response
from flask_compress import Compress
from flask_cors import CORS
from werkzeug.exceptions import HTTPException
from werkzeug.utils import redirect

from imtkg.core.config import int_setting, load_settings
from imtkg.query.backends import make_engine, parse_store
from imtkg.query.errors import QueryError
from imtkg.web.body_limit import BodyLimit
from imtkg.web.host_guard import HostGuard, parse_allowed_hosts
from imtkg.web.linked_data import location_without_host
from imtkg.web.overload import apply_limits
from imtkg.web.state import EXTENSION_KEY, ImtKgState

log = logging.getLogger(__name__)

#: modules whose ``bp`` blueprint the app registers, in order
BLUEPRINTS: list[str] = [
    "imtkg.web.endpoints.sparql",
    "imtkg.web.endpoints.health",
    "imtkg.web.endpoints.workbench",
    "imtkg.web.endpoints.queries_gallery",
    "imtkg.web.endpoints.void",
    "imtkg.web.endpoints.dumps",
    "imtkg.web.endpoints.releases",
    "imtkg.web.endpoints.explain",
    "imtkg.web.endpoints.shacl",
    "imtkg.web.endpoints.search",
    "imtkg.web.endpoints.cite",
    "imtkg.web.pages.routes",
]

#: media types worth compressing (text-based results and RDF)
COMPRESS_MIMETYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
    "application/json",
    "text/html",
    "text/plain",
    "text/css",
    "application/javascript",
]

#: what the answers of the middlewares (413, 400 for a host) carry for browsers, as flask-cors
#: does for the app's answers: the data is public and no request carries credentials
CORS_HEADERS: list[tuple[str, str]] = [("Access-Control-Allow-Origin", "*")]
#: the answer headers a page's script may read (flask-cors ``expose_headers``)
EXPOSED_HEADERS = ["ETag", "X-SPARQL-Rows", "X-SPARQL-Truncated", "X-SPARQL-MaxRows"]
#: the CORS headers of the app's answers to simple requests, as flask-cors writes them (it
#: sorts the exposed headers); the fast path of /sparql adds these (:mod:`imtkg.web.fast_sparql`)
CORS_EXPOSED: list[tuple[str, str]] = [
    *CORS_HEADERS,
    ("Access-Control-Expose-Headers", ", ".join(sorted(EXPOSED_HEADERS))),
]


def create_app(config: dict | None = None, start_engine: bool = True) -> Flask:
    """Build the app: settings (defaults < ``IMTKG_*`` environment < ``config``), graph, engine.

    The knowledge graph is loaded (ONTOLOGY_DIR/GRAPH_DIR, the shipped files by default),
    reasoned over and handed to a pool of query workers before this returns; the state is in
    ``app.extensions["imt_kg"]`` (:class:`imtkg.web.state.ImtKgState`), to be closed with
    :func:`close_app` (or at interpreter exit). With ``start_engine=False`` the query workers
    are left for the serving process to start (:func:`imtkg.cli.serve.serve` under granian).
    """
    app = Flask(__name__)
    settings = load_settings(config)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = int_setting(settings, "MAX_BODY")
    app.config["COMPRESS_MIMETYPES"] = COMPRESS_MIMETYPES
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip", "deflate"])
    allowed_hosts = parse_allowed_hosts(settings.get("ALLOWED_HOSTS"))
    if allowed_hosts:  # Flask checks request.host against them too (Flask >= 3.1)
        app.config["TRUSTED_HOSTS"] = allowed_hosts
    Compress(app)
    CORS(
        app,
        # every answer, errors included: the data is public and read-only
        resources={r"/*": {"origins": "*"}},
        send_wildcard=True,
        methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Accept", "If-None-Match", "If-Modified-Since"],
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    install_error_handlers(app)
    app.after_request(_location_without_host)
    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)
    from imtkg.web.access_log import init_access_log

    init_access_log(app)
    app.extensions[EXTENSION_KEY] = load_state(app.config, start_engine)
    # the engine's bounds come from the app's settings, whichever HTTP server runs it
    apply_limits(app.extensions[EXTENSION_KEY].engine, app.config)
    # Flask's documented way to add WSGI middleware is to replace the wsgi_app method
    if app.config.get("FAST_SPARQL", True):
        from imtkg.web.fast_sparql import FastSparql

        app.wsgi_app = FastSparql(app.wsgi_app, app, CORS_EXPOSED)  # type: ignore[method-assign]
    app.wsgi_app = BodyLimit(  # type: ignore[method-assign]
        app.wsgi_app, int_setting(settings, "MAX_BODY"), CORS_HEADERS
    )
    install_response_cache(app)
    app.wsgi_app = HostGuard(app.wsgi_app, allowed_hosts, CORS_HEADERS)  # type: ignore[method-assign]
    from imtkg.web.metrics import install_metrics  # counts every request: the outermost

    install_metrics(app)
    return app


def _location_without_host(response: Response) -> Response:
    """Keep the request's ``Host`` out of any redirect (werkzeug's ``/dumps`` -> ``/dumps/``)."""
    location = response.headers.get("Location")
    if location and location_without_host(location) != location:
        # werkzeug's redirect page repeats the target: the body is made anew with it
        fixed = redirect(location_without_host(location), response.status_code)
        response.headers["Location"] = fixed.headers["Location"]
        response.set_data(fixed.get_data())
    return response


def install_response_cache(app: Flask) -> None:
    """Put :class:`imtkg.web.response_cache.ResponseCache` in front of the app, unless turned off.

    It is off when ``RESPONSE_CACHE_MB`` is 0 and for a remote store, whose data may change.
    The ``Host`` header is part of its key only when answers depend on it (no ``PUBLIC_BASE``).
    """
    megabytes = float(app.config.get("RESPONSE_CACHE_MB") or 0)
    if megabytes <= 0 or parse_store(app.config.get("STORE")).kind == "sparql":
        return
    from imtkg.web.response_cache import ResponseCache

    cache = ResponseCache(
        app.wsgi_app,
        int(megabytes * 1024 * 1024),
        key_host=not app.config.get("PUBLIC_BASE"),
    )
    app.wsgi_app = cache  # type: ignore[method-assign]  # Flask's middleware pattern
    app.extensions["imtkg_response_cache"] = cache


def load_state(config, start_engine: bool = True) -> ImtKgState:
    """Make the query engine the STORE setting names (:func:`imtkg.query.backends.make_engine`)."""
    started = time.monotonic()
    backend = make_engine(config, start_engine)
    state = ImtKgState(
        engine=backend.engine,
        version=backend.version,
        graph_sizes=backend.graph_sizes,
        default_graph_size=backend.default_graph_size,
        loaded_kg=backend.kg,
        kg_loader=backend.kg_loader,
        asserted_loader=backend.asserted_loader,
        validation=backend.validation,
    )
    state.load_seconds = time.monotonic() - started
    state.extra["build_seconds"] = getattr(backend, "build_seconds", {})
    state.ready = True
    return state


def close_app(app: Flask) -> None:
    """Stop the app's query workers and delete their store."""
    state = app.extensions.get(EXTENSION_KEY)
    if state is not None:
        state.close()


def install_error_handlers(app: Flask) -> None:
    """Answer HTTP errors and query errors with a short plain-text message and unexpected errors
    with a bare 500."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:
            return exc.response
        message = f"{exc.code} {exc.name}: {exc.description}"
        response = Response(message + "\n", status=exc.code, mimetype="text/plain")
        allowed_methods = getattr(exc, "valid_methods", None)  # on MethodNotAllowed
        if allowed_methods:
            response.headers["Allow"] = ", ".join(allowed_methods)
        return response

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError):
        """A query a view ran that the engine did not answer: its status and message (with
        ``Retry-After`` when the engine is busy)."""
        response = Response(f"{exc.status} {exc}\n", status=exc.status, mimetype="text/plain")
        response.headers.update(exc.headers())
        response.cache_control.no_store = True
        return response

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        log.exception("unhandled error")
        return Response(
            "500 Internal Server Error: the error is logged on the server\n",
            status=500,
            mimetype="text/plain",
        )
