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

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request

from imtkg.query.errors import NotAcceptable, QueryError
from imtkg.rdf.formats import GRAPH_FORMATS
from imtkg.store.oxigraph_store import QueryScope
from imtkg.web.access_log import note_query
from imtkg.web.caching import add_cache_headers, etag_for, not_modified
from imtkg.web.endpoints.service_description import serialize_description
from imtkg.web.negotiation import (
    UnknownFormat,
    negotiate,
    negotiate_graph_format,
    offered_media_types,
    prefers_html,
)
from imtkg.web.state import current_state

bp = Blueprint("sparql", __name__)

READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
#: the name a view must have (alone or as ``<blueprint>.workbench``) to serve browsers at /sparql
WORKBENCH_ENDPOINT = "workbench"
#: what an absolute IRI begins with (RFC 3987): a scheme and a colon
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def text_response(status: int, message: str, **headers: str) -> Response:
    """Return a short plain-text response (errors: never a stack trace)."""
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers)
    response.cache_control.no_store = True
    return response


def _parse_bool(value: str | None, name: str) -> bool:
    if value is None or value.strip().lower() in ("", "true", "1", "yes", "on"):
        return True
    if value.strip().lower() in ("false", "0", "no", "off"):
        return False
    abort(text_response(400, f"{name} must be true or false, not {value!r}"))


def _graph_iris(params, name: str) -> tuple[str, ...]:
    """Return the values of the graph parameter ``name``, each checked to be an absolute IRI.

    Checked here, before any engine sees them, so that memory and remote modes answer the
    same 400 (the store would fail on them with a 500, a remote engine with its own error).
    """
    values = tuple(params.getlist(name))
    for value in values:
        if not _SCHEME.match(value):
            abort(text_response(400, f"{name} must be an absolute IRI, not {value!r}"))
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            abort(text_response(400, f"{name} {value!r} is not a valid IRI: {exc}"))
    return values


def _protocol_parameters():
    """Return (query texts, parameters) of the request, by the protocol's rules for its method."""
    if request.method == "GET":
        return request.args.getlist("query"), request.args
    mimetype = request.mimetype
    if mimetype == UPDATE_BODY:
        abort(text_response(403, READ_ONLY))
    if mimetype == QUERY_BODY:
        try:
            body = request.get_data(cache=True).decode(
                request.mimetype_params.get("charset", "utf-8")
            )
        except (UnicodeDecodeError, LookupError):
            abort(text_response(400, "the query body is not valid UTF-8 text"))
        queries = [body] if body.strip() else []
        return queries + request.args.getlist("query"), request.args
    if mimetype == FORM:
        return request.values.getlist("query"), request.values
    abort(
        text_response(
            415,
            f"POST a query as {FORM} (query=...) or as {QUERY_BODY}; "
            f"{mimetype or 'no content type'} is not accepted",
        )
    )


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
    if "update" in request.args or (request.mimetype == FORM and "update" in request.form):
        return text_response(403, READ_ONLY)
    queries, params = _protocol_parameters()
    if not queries:
        if request.method == "GET":
            return service_description_response()
        return text_response(400, "missing the query: send it as the query parameter")
    if len(queries) > 1:
        return text_response(
            400, f"the query parameter is given {len(queries)} times; give it once"
        )
    query = queries[0]
    note_query(query)
    scope = QueryScope(
        infer=_parse_bool(params.get("infer"), "infer"),
        default_graph_uris=_graph_iris(params, "default-graph-uri"),
        named_graph_uris=_graph_iris(params, "named-graph-uri"),
    )
    try:
        chosen = negotiate(request.accept_mimetypes, params.get("format"))
    except UnknownFormat as exc:
        return text_response(406, str(exc))
    if chosen.result_format is None and chosen.graph_format is None:
        offered = ", ".join(offered_media_types())
        return text_response(406, f"no acceptable format; this endpoint offers: {offered}")
    state = current_state()
    etag = etag_for(state.version, query, scope, chosen.result_format, chosen.graph_format)
    cacheable = request.method == "GET"
    if cacheable and not_modified(request, etag, state.version):
        response = Response(status=304)
        add_cache_headers(response, etag, state.version, current_app.config["CACHE_MAX_AGE"])
        return response
    try:
        result = state.engine.execute(query, scope, chosen.result_format, chosen.graph_format)
    except NotAcceptable as exc:
        return text_response(406, str(exc))
    except QueryError as exc:  # a busy engine's 503 says when to try again (Retry-After)
        return text_response(exc.status, str(exc), **exc.headers())
    # every format the engine writes is UTF-8; say so for clients that would guess otherwise
    response = Response(result.body, content_type=f"{result.media_type}; charset=utf-8")
    response.headers["X-SPARQL-Rows"] = str(result.count)
    if result.truncated:
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-MaxRows"] = str(state.engine.row_limit)
    if cacheable:
        add_cache_headers(response, etag, state.version, current_app.config["CACHE_MAX_AGE"])
    else:
        response.cache_control.no_cache = True
        response.vary.add("Accept")
    return response
