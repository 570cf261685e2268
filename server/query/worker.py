"""The code a query worker process runs: open the store read-only, answer queries, send bytes back.

Runs in a child process started by :class:`imtkg.query.worker_pool.WorkerPoolEngine`; the parent may
terminate it at any moment (that is how a query past its time limit is stopped), so it holds no
state worth saving. Each answer is a tuple sent over the worker's pipe:

* ``("ok", body, media_type, kind, truncated, count)`` where ``kind`` is ``solutions``,
  ``boolean`` or ``graph`` and ``count`` the number of rows or triples in ``body``;
* ``("error", code, message)`` where ``code`` is one of :data:`ERROR_CODES` (``service`` for
  every query the guard refuses: ``SERVICE``, nesting too deep).

A worker first takes its own network access away (:func:`imtkg.query.sandbox.drop_network`), so that
even a query the guard (:mod:`imtkg.rdf.sparql_guard`) misreads cannot make it open a connection.
"""

from __future__ import annotations

import io
import json
import logging
import re
import signal
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

from imtkg.core.namespaces import PREFIXES
from imtkg.query.sandbox import drop_network, network_dropped
from imtkg.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS, serialized
from imtkg.rdf.sparql_guard import analyse, looks_like_update
from imtkg.store.oxigraph_store import QueryScope, StoreLayout, query_options

ERROR_CODES = ("syntax", "read_only", "service", "unsupported", "not_acceptable", "internal")
READ_ONLY_MESSAGE = "SPARQL Update is not accepted: this endpoint is read-only"
SERVICE_MESSAGE = "SERVICE (federated query) is not allowed on this endpoint"
NO_NETWORK_MESSAGE = (
    "the query tried to open a network connection (SERVICE), which a query worker cannot do; "
    + SERVICE_MESSAGE
)
log = logging.getLogger(__name__)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: the keyword arguments of Store.query that choose the dataset (the others, e.g. prefixes, stay)
_DATASET_OPTIONS = ("default_graph", "named_graphs", "use_default_graph_as_union")
_GRAPH = re.compile(r"graph|\\u", re.IGNORECASE)  # a codepoint escape (\u) may spell it


@dataclass(frozen=True)
class QueryRequest:
    """One query for a worker: the text, the graphs it sees, acceptable formats and bounds.

    :param result_format: name in ``RESULT_FORMATS`` for SELECT/ASK, ``None`` if none acceptable.
    :param graph_format: name in ``GRAPH_FORMATS`` for CONSTRUCT/DESCRIBE, ``None`` likewise.
    """

    query: str
    scope: QueryScope = field(default_factory=QueryScope)
    result_format: str | None = "json"
    graph_format: str | None = "turtle"
    row_limit: int = 10000
    byte_limit: int = 16 * 1024 * 1024


def term_json(term: object) -> dict:
    """Return the SPARQL 1.1 (and SPARQL-star) JSON results form of an Oxigraph term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _solutions(results: ox.QuerySolutions, request: QueryRequest) -> tuple:
    """Serialise at most ``row_limit`` solutions (and about ``byte_limit`` bytes) of a SELECT."""
    if request.result_format is None:
        return ("error", "not_acceptable", "solutions")
    variables = [v.value for v in results.variables]
    rows: list[dict] = []
    size = 0
    truncated = False
    for solution in results:
        if len(rows) >= request.row_limit:
            truncated = True
            break
        row = {name: term_json(solution[name]) for name in variables if solution[name] is not None}
        size += len(json.dumps(row, ensure_ascii=False)) + 1
        if size > request.byte_limit:
            truncated = True
            break
        rows.append(row)
    document = {"head": {"vars": variables}, "results": {"bindings": rows}}
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    media_type, fmt = RESULT_FORMATS[request.result_format]
    if fmt != ox.QueryResultsFormat.JSON:
        # the cut-off rows, written once as JSON, go through Oxigraph's own serialisers
        rewritten = io.BytesIO()
        ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(rewritten, fmt)
        body = rewritten.getvalue()
    return ("ok", body, media_type, "solutions", truncated, len(rows))


def _boolean(result: ox.QueryBoolean, request: QueryRequest) -> tuple:
    """Serialise an ASK answer."""
    if request.result_format is None:
        return ("error", "not_acceptable", "boolean")
    media_type, fmt = RESULT_FORMATS[request.result_format]
    return ("ok", result.serialize(format=fmt), media_type, "boolean", False, 1)


def _graph(results: ox.QueryTriples, request: QueryRequest) -> tuple:
    """Serialise at most ``row_limit`` triples (and about ``byte_limit`` bytes) of a graph."""
    if request.graph_format is None:
        return ("error", "not_acceptable", "graph")
    triples: list[ox.Triple] = []
    size = 0
    truncated = False
    for triple in results:
        if len(triples) >= request.row_limit:
            truncated = True
            break
        size += len(str(triple)) + 3
        if size > request.byte_limit:
            truncated = True
            break
        triples.append(triple)
    media_type, fmt = GRAPH_FORMATS[request.graph_format]
    terms = (term for t in triples for term in (t.subject, t.predicate, t.object))
    body = serialized(triples, fmt, prefixes=used_prefixes(terms))
    return ("ok", body, media_type, "graph", truncated, len(triples))


def used_prefixes(terms: Iterable[object]) -> dict[str, str]:
    """Return the project prefixes whose namespace holds one of ``terms`` (or its datatype).

    Used for every document written with prefixes: query results here, the served RDF documents
    (:mod:`imtkg.web.pages.rdf_documents`).
    """
    iris = set()
    for term in terms:
        if isinstance(term, ox.NamedNode):
            iris.add(term.value)
        elif isinstance(term, ox.Literal):
            iris.add(term.datatype.value)
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def may_see_named_graphs(query: str) -> bool:
    """Tell whether ``query`` may read named graphs: it says ``GRAPH`` somewhere (a query that
    does not has no graph pattern, so the named graphs it is given make no difference)."""
    return _GRAPH.search(query) is not None


def answer(store: ox.Store, request: QueryRequest, layout: StoreLayout | None = None) -> tuple:
    """Check, run and serialise one query on ``store``; return the answer tuple.

    :param layout: the store's graphs, read once by the worker (read here when ``None``).
    """
    analysis = analyse(request.query, escapes=False)  # Oxigraph applies no \\u escapes
    if analysis.is_update:
        return ("error", "read_only", READ_ONLY_MESSAGE)
    if analysis.refusal:
        return ("error", "service", analysis.refusal)
    if analysis.uses_service:
        return ("error", "service", SERVICE_MESSAGE)
    scope = request.scope
    explicit = scope.default_graph_uris or scope.named_graph_uris
    # a query's own FROM / FROM NAMED choose its dataset, unless the protocol's parameters do
    options = query_options(store, scope, layout, named=may_see_named_graphs(request.query))
    if analysis.has_dataset_clause and not explicit:
        for key in _DATASET_OPTIONS:
            options.pop(key, None)
    try:
        results = store.query(request.query, **options)
    except SyntaxError as exc:
        if looks_like_update(request.query):
            return ("error", "read_only", READ_ONLY_MESSAGE)
        return ("error", "syntax", f"SPARQL syntax error: {exc}")
    except PermissionError:
        return _network_refused(request)
    except RuntimeError as exc:
        # Oxigraph refuses, when it plans the query, a function IRI it does not implement
        # ("The custom function <...> is not supported"): the query's fault, not the server's
        if "is not supported" in str(exc):
            return ("error", "unsupported", str(exc))
        raise
    try:
        return serialise_results(results, request)  # SERVICE runs as the results are read
    except PermissionError:
        return _network_refused(request)


def _network_refused(request: QueryRequest) -> tuple:
    """The answer when the worker's sandbox refused a socket: SERVICE the guard let through."""
    log.error("a query worker was refused a network connection: %.300r", request.query)
    return ("error", "service", NO_NETWORK_MESSAGE)


def serialise_results(results, request: QueryRequest) -> tuple:
    """Serialise query results within the request's bounds; return the answer tuple.

    :param results: ``QueryBoolean``; ``QuerySolutions`` (from a store or parsed from a SPARQL
        results document) or any iterable of solutions with their ``variables``; or an iterable
        of ``Triple`` for a graph.
    """
    if isinstance(results, ox.QueryBoolean):
        return _boolean(results, request)
    if hasattr(results, "variables"):
        return _solutions(results, request)
    return _graph(results, request)


def worker_main(store_path: str, conn: Connection) -> None:
    """Entry point of a worker process: open the store, answer requests until the pipe closes."""
    # a worker started by forking keeps its parent's signal handlers (an HTTP server's, which
    # would swallow SIGTERM): SIGTERM stops it at once, and Ctrl-C is for the parent to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # before the store opens (RocksDB's threads inherit the filter) and before any query
    how = drop_network()
    if not network_dropped(how):
        log.warning(
            "query worker keeps its network access (%s): only the SPARQL guard stops SERVICE", how
        )
    try:
        store = ox.Store.read_only(store_path)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which logs it
        conn.send(("failed", f"cannot open the store: {exc}"))
        return
    layout = StoreLayout.of(store)  # read-only: its graphs do not change while it is open
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            reply = answer(store, request, layout)
        except Exception as exc:  # noqa: BLE001 - never kill the worker for one query
            reply = ("error", "internal", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
