"""The SPARQL 1.1 Protocol at ``/sparql``: read-only queries by GET and POST, negotiated results.

* ``GET /sparql?query=...``, ``POST`` form (``application/x-www-form-urlencoded``) and ``POST``
  ``application/sparql-query`` (protocol parameters then in the URL);
* ``default-graph-uri`` / ``named-graph-uri`` select graphs of the store (nothing is fetched),
  ``infer=false`` leaves out the inferred graph (GraphDB's convention);
* ``format=`` (short name or media type) overrides the Accept header, for links and browsers;
* ``GET /sparql`` without a query answers the service description, or the HTML workbench when a
  browser asks and a ``workbench`` view is registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.http import http_date, quote_etag
from werkzeug.wrappers import Request

from imtkg.data.version import DatasetVersion
from imtkg.query.errors import NotAcceptable, QueryError
from imtkg.rdf.formats import GRAPH_FORMATS
from imtkg.store.oxigraph_store import QueryScope
from imtkg.web.access_log import note_query
from imtkg.web.caching import add_cache_headers, etag_for, not_modified
from imtkg.web.endpoints.service_description import serialize_description
from imtkg.web.metrics import count_query
from imtkg.web.negotiation import (
    UnknownFormat,
    negotiate_graph_format,
    negotiate_header,
    offered_media_types,
    prefers_html,
)
from imtkg.web.state import ImtKgState, current_state

bp = Blueprint("sparql", __name__)

READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
#: the name a view must have (alone or as ``<blueprint>.workbench``) to serve browsers at /sparql
WORKBENCH_ENDPOINT = "workbench"
#: what an absolute IRI begins with (RFC 3987): a scheme and a colon
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class Refusal(Exception):
    """A request the protocol refuses before any query runs: its status, message and headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class ProtocolAnswer:
    """The answer to a protocol request, before the HTTP edges (CORS, compression) add theirs.

    :param headers: in order, ``Content-Type`` first when there is a body.
    :param query: the query text, when the request carried one (for the access log).
    """

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    query: str | None = None


def text_answer(
    status: int, message: str, headers: dict[str, str] | None = None, query: str | None = None
) -> ProtocolAnswer:
    """Return a short plain-text answer (errors: never a stack trace), never stored by caches."""
    return ProtocolAnswer(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            *(headers or {}).items(),
            ("Cache-Control", "no-store"),
        ],
        (message.rstrip() + "\n").encode("utf-8"),
        query,
    )


def text_response(status: int, message: str, **headers: str) -> Response:
    """Return a short plain-text response (errors: never a stack trace)."""
    return flask_response(text_answer(status, message, headers))


def flask_response(answer: ProtocolAnswer) -> Response:
    """Return ``answer`` as a Flask response."""
    return Response(answer.body, status=answer.status, headers=answer.headers)


def _parse_bool(value: str | None, name: str) -> bool:
    if value is None or value.strip().lower() in ("", "true", "1", "yes", "on"):
        return True
    if value.strip().lower() in ("false", "0", "no", "off"):
        return False
    raise Refusal(400, f"{name} must be true or false, not {value!r}")


def _graph_iris(params: MultiDict[str, str], name: str) -> tuple[str, ...]:
    """Return the values of the graph parameter ``name``, each checked to be an absolute IRI.

    Checked here, before any engine sees them, so that memory and remote modes answer the
    same 400 (the store would fail on them with a 500, a remote engine with its own error).
    """
    values = tuple(params.getlist(name))
    for value in values:
        if not _SCHEME.match(value):
            raise Refusal(400, f"{name} must be an absolute IRI, not {value!r}")
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise Refusal(400, f"{name} {value!r} is not a valid IRI: {exc}") from None
    return values


def _protocol_parameters(req: Request) -> tuple[list[str], MultiDict[str, str]]:
    """Return (query texts, parameters) of the request, by the protocol's rules for its method."""
    if req.method == "GET":
        return req.args.getlist("query"), req.args
    mimetype = req.mimetype
    if mimetype == UPDATE_BODY:
        raise Refusal(403, READ_ONLY)
    if mimetype == QUERY_BODY:
        try:
            body = req.get_data(cache=True).decode(req.mimetype_params.get("charset", "utf-8"))
        except (UnicodeDecodeError, LookupError):
            raise Refusal(400, "the query body is not valid UTF-8 text") from None
        queries = [body] if body.strip() else []
        return queries + req.args.getlist("query"), req.args
    if mimetype == FORM:
        return req.values.getlist("query"), req.values
    raise Refusal(
        415,
        f"POST a query as {FORM} (query=...) or as {QUERY_BODY}; "
        f"{mimetype or 'no content type'} is not accepted",
    )


def cache_headers(etag: str, version: DatasetVersion, max_age: int) -> list[tuple[str, str]]:
    """The headers of a cacheable answer, as :func:`imtkg.web.caching.add_cache_headers` sets
    them on a Flask response: a weak ETag, Last-Modified, Cache-Control and Vary."""
    return [
        ("ETag", quote_etag(etag, weak=True)),
        ("Last-Modified", http_date(version.last_modified)),
        ("Cache-Control", f"public, max-age={max_age}"),
        ("Vary", "Accept"),
    ]


#: the protocol's parameters that only go with a query: a GET giving one of them without a
#: ``query`` is a 400 naming ``query`` (other parameters, ``format`` or the workbench's
#: ``example``, still get the service description or the workbench)
QUERY_ONLY_PARAMETERS = ("default-graph-uri", "named-graph-uri", "infer")


def protocol_answer(req: Request, state: ImtKgState, max_age: int) -> ProtocolAnswer | None:
    """Answer a SPARQL 1.1 Protocol request (GET or POST); ``None`` for a GET without a query
    nor any of :data:`QUERY_ONLY_PARAMETERS` (the service description or the workbench, which
    the Flask view answers).

    Both the Flask view and the fast path (:mod:`imtkg.web.fast_sparql`) answer with this, so
    they agree on every status, header and body.
    """
    query: str | None = None
    try:
        if "update" in req.args or (req.mimetype == FORM and "update" in req.form):
            raise Refusal(403, READ_ONLY)
        queries, params = _protocol_parameters(req)
        if not queries:
            given = [name for name in QUERY_ONLY_PARAMETERS if name in params]
            if req.method == "GET" and not given:
                return None
            if given:
                raise Refusal(400, f"missing the query parameter ({given[0]} is given without it)")
            raise Refusal(400, "missing the query: send it as the query parameter")
        if len(queries) > 1:
            raise Refusal(400, f"the query parameter is given {len(queries)} times; give it once")
        query = queries[0]
        return _run(req, state, max_age, query, params)
    except Refusal as refusal:
        return text_answer(refusal.status, refusal.message, refusal.headers, query)


def _run(
    req: Request, state: ImtKgState, max_age: int, query: str, params: MultiDict[str, str]
) -> ProtocolAnswer:
    """Run ``query`` with the request's parameters and negotiated format; answer it."""
    scope = QueryScope(
        infer=_parse_bool(params.get("infer"), "infer"),
        default_graph_uris=_graph_iris(params, "default-graph-uri"),
        named_graph_uris=_graph_iris(params, "named-graph-uri"),
    )
    try:
        chosen = negotiate_header(req.headers.get("Accept", ""), params.get("format"))
    except UnknownFormat as exc:
        raise Refusal(406, str(exc)) from None
    if chosen.result_format is None and chosen.graph_format is None:
        offered = ", ".join(offered_media_types())
        raise Refusal(406, f"no acceptable format; this endpoint offers: {offered}")
    etag = etag_for(state.version, query, scope, chosen.result_format, chosen.graph_format)
    cacheable = req.method == "GET"
    if cacheable and not_modified(req, etag, state.version):
        # as werkzeug writes a 304: without Last-Modified (RFC 9110, 15.4.5, does not ask it)
        headers = cache_headers(etag, state.version, max_age)
        headers = [header for header in headers if header[0] != "Last-Modified"]
        return ProtocolAnswer(304, headers, b"", query)
    try:
        result = state.engine.execute(query, scope, chosen.result_format, chosen.graph_format)
    except NotAcceptable as exc:
        raise Refusal(406, str(exc)) from None
    except QueryError as exc:  # a busy engine's 503 says when to try again (Retry-After)
        count_query(state, exc)
        raise Refusal(exc.status, str(exc), exc.headers()) from None
    count_query(state, None)
    # every format the engine writes is UTF-8; say so for clients that would guess otherwise
    headers = [
        ("Content-Type", f"{result.media_type}; charset=utf-8"),
        ("X-SPARQL-Rows", str(result.count)),
    ]
    if result.truncated:
        headers.append(("X-SPARQL-Truncated", "true"))
        headers.append(("X-SPARQL-MaxRows", str(state.engine.row_limit)))
    if cacheable:
        headers += cache_headers(etag, state.version, max_age)
    else:
        headers += [("Cache-Control", "no-cache"), ("Vary", "Accept")]
    return ProtocolAnswer(200, headers, result.body, query)


def _workbench():
    """Return the registered workbench view function, if another module registered one."""
    views = current_app.view_functions
    for endpoint, view in views.items():
        if endpoint == WORKBENCH_ENDPOINT or endpoint.endswith("." + WORKBENCH_ENDPOINT):
            return view
    return None


def _endpoint_iri() -> str:
    base = current_app.config.get("PUBLIC_BASE")
    if base:
        return base.rstrip("/") + "/sparql"
    return request.base_url


def service_description_response() -> Response:
    """Answer the service description, negotiated (Turtle by default), or the HTML workbench."""
    if prefers_html(request.accept_mimetypes):
        view = _workbench()
        if view is not None:
            return current_app.make_response(view())
    fmt = request.args.get("format")
    try:
        graph_format = negotiate_graph_format(request.accept_mimetypes, fmt)
    except UnknownFormat as exc:
        return text_response(406, str(exc))
    if graph_format is None:
        offered = ", ".join(m for m, _ in GRAPH_FORMATS.values())
        return text_response(406, f"the service description is offered as: {offered}")
    state = current_state()
    endpoint = _endpoint_iri()
    etag = etag_for(state.version, "service-description", endpoint, graph_format)
    if not_modified(request, etag, state.version):
        response = Response(status=304)
    else:
        from imtkg.web.endpoints.service_description import service_description
        from imtkg.web.endpoints.void import void_document_iri

        graph = service_description(
            endpoint,
            state.graph_sizes,
            void=void_document_iri(),
            default_graph_size=state.default_graph_size,
        )
        response = Response(
            serialize_description(graph, graph_format),
            content_type=f"{GRAPH_FORMATS[graph_format][0]}; charset=utf-8",
        )
    add_cache_headers(response, etag, state.version, current_app.config["CACHE_MAX_AGE"])
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Answer a SPARQL query (SPARQL 1.1 Protocol), or describe the service."""
    answer = protocol_answer(request, current_state(), current_app.config["CACHE_MAX_AGE"])
    if answer is None:
        return service_description_response()
    if answer.query is not None:
        note_query(answer.query)
    return flask_response(answer)
