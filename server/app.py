"""The Flask application factory: configuration, the knowledge graph, the query engine, blueprints.

Adding a blueprint is a one-line edit of :data:`BLUEPRINTS` (each module exposes ``bp``).
"""

from __future__ import annotations

import logging
import time
from importlib import import_module

from flask import Flask, Response
from flask_compress import Compress
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from .body_limit import BodyLimit
from .config import load_settings
from .engines import make_engine, parse_store
from .state import EXTENSION_KEY, ImtKgState

log = logging.getLogger(__name__)

#: modules whose ``bp`` blueprint the app registers, in order
BLUEPRINTS: list[str] = [
    "imtkg.sparql_protocol",
    "imtkg.health",
    "imtkg.workbench",
    "imtkg.queries_gallery",
    "imtkg.void",
    "imtkg.dumps",
    "imtkg.explain_http",
    "imtkg.shacl_service",
    "imtkg.pages",
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


def create_app(config: dict | None = None, start_engine: bool = True) -> Flask:
    """Build the app: settings (defaults < ``IMTKG_*`` environment < ``config``), graph, engine.

    The knowledge graph is loaded (ONTOLOGY_DIR/GRAPH_DIR, the shipped files by default),
    reasoned over and handed to a pool of query workers before this returns; the state is in
    ``app.extensions["imt_kg"]`` (:class:`imtkg.state.ImtKgState`), to be closed with
    :func:`close_app` (or at interpreter exit). With ``start_engine=False`` the query workers
    are left for the serving process to start (:func:`imtkg.serve.serve` under granian).
    """
    app = Flask(__name__)
    settings = load_settings(config)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_BODY"])
    app.config["COMPRESS_MIMETYPES"] = COMPRESS_MIMETYPES
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip", "deflate"])
    Compress(app)
    CORS(
        app,
        resources={r"/sparql": {"origins": "*"}},
        send_wildcard=True,
        methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Accept", "If-None-Match", "If-Modified-Since"],
        expose_headers=["ETag", "X-SPARQL-Rows", "X-SPARQL-Truncated", "X-SPARQL-MaxRows"],
        max_age=86400,
    )
    install_error_handlers(app)
    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)
    from .access_log import init_access_log

    init_access_log(app)
    app.extensions[EXTENSION_KEY] = load_state(app.config, start_engine)
    app.wsgi_app = BodyLimit(app.wsgi_app, int(settings["MAX_BODY"]))
    install_response_cache(app)
    return app


def install_response_cache(app: Flask) -> None:
    """Put :class:`imtkg.response_cache.ResponseCache` in front of the app, unless turned off.

    It is off when ``RESPONSE_CACHE_MB`` is 0 and for a remote store, whose data may change.
    """
    megabytes = float(app.config.get("RESPONSE_CACHE_MB") or 0)
    if megabytes <= 0 or parse_store(app.config.get("STORE")).kind == "sparql":
        return
    from .response_cache import ResponseCache

    cache = ResponseCache(app.wsgi_app, int(megabytes * 1024 * 1024))
    app.wsgi_app = cache
    app.extensions["imtkg_response_cache"] = cache


def load_state(config, start_engine: bool = True) -> ImtKgState:
    """Make the query engine the STORE setting names (:func:`imtkg.engines.make_engine`)."""
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
    """Answer HTTP errors with a short plain-text message and unexpected errors with a bare 500."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:
            return exc.response
        message = f"{exc.code} {exc.name}: {exc.description}"
        response = Response(message + "\n", status=exc.code, mimetype="text/plain")
        if getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        log.exception("unhandled error")
        return Response(
            "500 Internal Server Error: the error is logged on the server\n",
            status=500,
            mimetype="text/plain",
        )
