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

import csv
import io
import json
import logging
import re
import signal
import traceback
from collections.abc import Callable, Iterable
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
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*>"
#: white space and comments (Oxigraph ends a comment at a line feed or a carriage return)
_SPACE = r"(?:\s|#[^\r\n]*)*"
#: one declaration of a query's prologue (SPARQL 1.1, [4]-[6]), with what comes before it
_PROLOGUE_ITEM = re.compile(
    rf"{_SPACE}(?:BASE\s*{_IRIREF}|PREFIX\s+(?:[^\W\d_][\w.\-]*)?:\s*{_IRIREF})", re.IGNORECASE
)
_VARIABLE = r"[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+"
#: a SELECT clause and what starts the next: ``*`` or plain variables (group 1), no expression
_SELECT = re.compile(
    rf"{_SPACE}SELECT(?:\s+(?:DISTINCT|REDUCED))?\s*(\*|(?:{_VARIABLE}\s*)+)\s*(?:WHERE|FROM|\{{)",
    re.IGNORECASE,
)
_SELECT_KEYWORD = re.compile(rf"{_SPACE}SELECT\b", re.IGNORECASE)
#: a JSON string (its escapes included), for counting the rows of a JSON results document
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
#: ``},{"`` whose quote closes a string (what follows a string in a JSON results document)
_STRING_END_SEPARATORS = (b'},{"}', b'},{",', b'},{"]', b'},{":')


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
    # the cut-off rows, written once as JSON, go through Oxigraph's own serialisers (JSON too:
    # the bytes are then those of fast_select's answers, in memory and in remote mode alike)
    rewritten = io.BytesIO()
    ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(rewritten, fmt)
    body = rewritten.getvalue()
    return ("ok", body, media_type, "solutions", truncated, len(rows))


def bounded_select(
    query: str, limit: int, projection: Callable[[], list[str]] | None = None
) -> str | None:
    """Return ``query`` (a SELECT) made a sub-select with ``LIMIT limit``, so that Oxigraph
    stops after ``limit`` solutions; ``None`` when the text is not a SELECT after ``BASE`` and
    ``PREFIX`` declarations and comments (other queries are answered as before).

    The outer query projects the query's variables in the query's order: read from the text
    when its SELECT clause is ``*`` (Oxigraph orders the variables of ``SELECT *`` the same way
    at both levels) or plain variables, else asked of ``projection`` (the variables of the
    query as Oxigraph plans it). A sub-select keeps the query's solution modifiers
    (``ORDER BY`` included: the outer query adds no modifier but the slice, so the order is
    the inner one) and its ``VALUES`` clause; the prologue stays in front. A query with a
    dataset clause (``FROM``) cannot be a sub-select: Oxigraph refuses the wrapped text and
    the caller runs the query as it is. Line feeds end a trailing ``#`` comment.
    """
    position = 0
    while (declaration := _PROLOGUE_ITEM.match(query, position)) is not None:
        position = declaration.end()
    clause = _SELECT.match(query, position)
    if clause is not None:
        listed = clause.group(1).strip()
        outer = "*" if listed == "*" else " ".join("?" + v[1:] for v in listed.split())
    elif _SELECT_KEYWORD.match(query, position) is not None and projection is not None:
        outer = " ".join("?" + name for name in projection()) or "*"
    else:
        return None
    return (
        f"{query[:position]}\nSELECT {outer} WHERE {{\n{query[position:]}\n}}\nLIMIT {int(limit)}"
    )


def count_rows(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    """Return the number of solutions in ``body``, a results document Oxigraph wrote in ``fmt``,
    without a Python step per row.

    XML escapes ``<`` in text, so each ``<result>`` is a solution; TSV escapes line breaks in
    terms, so each line after the header is one; CSV quotes a value holding a line break, so
    the csv module counts records then. In JSON, solutions are the objects of the one array of
    objects, separated by ``},{``, which a literal may hold too; a raw ``"`` only ever opens or
    closes a string (Oxigraph writes ``\\"`` inside one), so ``},{"`` is a separator when its
    quote opens the next solution's first variable, and the end of a string when what follows
    the quote is ``}``, ``,``, ``]`` or ``:``; a solution without any binding (``{}``) is
    counted by blanking the strings out first.
    """
    if fmt == ox.QueryResultsFormat.XML:
        return body.count(b"<result>")
    if fmt == ox.QueryResultsFormat.TSV:
        return body.count(b"\n") - 1
    if fmt == ox.QueryResultsFormat.CSV:
        if b'"' not in body:
            return body.count(b"\r\n") - 1
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1
    if b'"bindings":[{' not in body:
        return 0
    if b"{}" in body:  # maybe a solution without any binding: the strings are blanked out
        return _JSON_STRING.sub(b'""', body).count(b"},{") + 1
    return body.count(b'},{"') - sum(map(body.count, _STRING_END_SEPARATORS)) + 1


def first_rows(body: bytes, fmt: ox.QueryResultsFormat, rows: int) -> bytes | None:
    """Return ``body`` (a results document Oxigraph wrote in ``fmt``, with more than ``rows``
    solutions) with its first ``rows`` solutions only, the document's end kept; ``None`` for
    CSV with quoted values (a record may span lines there).

    The rows are found as :func:`count_rows` counts them; in JSON the strings are blanked with
    text of the same length, so that positions in the blanked copy are positions in ``body``.
    """
    if fmt == ox.QueryResultsFormat.XML:
        kept = body.split(b"<result>", rows + 1)[: rows + 1]
        return b"<result>".join(kept) + b"</results></sparql>"
    if fmt == ox.QueryResultsFormat.TSV:
        return b"\n".join(body.split(b"\n", rows + 1)[: rows + 1]) + b"\n"
    if fmt == ox.QueryResultsFormat.CSV:
        if b'"' in body:
            return None
        return b"\r\n".join(body.split(b"\r\n", rows + 1)[: rows + 1]) + b"\r\n"
    blank = _JSON_STRING.sub(lambda m: b'"' + b"x" * (len(m.group()) - 2) + b'"', body)
    at = blank.find(b"[{")  # the solutions' array (the variables' holds no object)
    end = at + 1  # after "[": no solution kept yet
    for _ in range(rows):
        at = blank.find(b"},{", at + 1)
        end = at + 1  # after the "}" of the solution just passed
    return body[:end] + b"]}}"


class _Capped(io.BytesIO):
    """A bytes buffer that refuses to grow past ``limit`` bytes (:class:`OverflowError`):
    Oxigraph's serialiser writes into it in buffered chunks and stops at the refusal."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data, /) -> int:  # noqa: ANN001 - any buffer, as BytesIO.write takes
        if self.tell() + len(data) > self.limit:
            raise OverflowError(self.limit)
        return super().write(data)


def _serialise_bounded(
    store: ox.Store, query: str, options: dict, request: QueryRequest
) -> tuple[bytes, int] | None:
    """Run ``query`` (a bounded SELECT) and write its solutions in Rust; return the body and
    its row count, ``None`` when the body would pass the byte limit."""
    _, fmt = RESULT_FORMATS[str(request.result_format)]
    results = store.query(query, **options)
    if not isinstance(results, ox.QuerySolutions):
        raise TypeError("a bounded SELECT answered something else than solutions")
    output = _Capped(request.byte_limit)
    try:
        results.serialize(output, format=fmt)
    except OverflowError:
        return None
    body = output.getvalue()
    return body, count_rows(body, fmt)


def fast_select(
    store: ox.Store, request: QueryRequest, options: dict, analysis_has_dataset: bool
) -> tuple | None:
    """Answer a SELECT with Oxigraph's own serialiser, the row limit applied by the engine
    (:func:`bounded_select` with ``row_limit + 1`` solutions, to see whether more exist) and
    the byte limit by the output (:class:`_Capped`); ``None`` to answer as before: not a
    plain SELECT, a dataset clause, a query the wrapping does not parse (its own error is
    then reported), an evaluation error, or a body past the byte limit (cut at a row by the
    row-by-row path).
    """
    if request.result_format is None or analysis_has_dataset:
        return None
    limit = request.row_limit

    def projection() -> list[str]:
        planned = store.query(request.query, **options)  # planned, not evaluated
        if not isinstance(planned, ox.QuerySolutions):
            raise TypeError("not a SELECT")
        return [variable.value for variable in planned.variables]

    try:
        wrapped = bounded_select(request.query, limit + 1, projection)
        if wrapped is None:
            return None
        answer = _serialise_bounded(store, wrapped, options, request)
        truncated = answer is not None and answer[1] > limit
        if answer is not None and truncated:  # one solution too many: the first ``limit``
            fmt = RESULT_FORMATS[str(request.result_format)][1]
            cut = first_rows(answer[0], fmt, limit)
            if cut is None:  # CSV with quoted values: written anew, ``limit`` solutions
                wrapped = bounded_select(request.query, limit, projection)
                answer = _serialise_bounded(store, str(wrapped), options, request)
            else:
                answer = (cut, limit)
    except (SyntaxError, RuntimeError, TypeError, ValueError):
        return None
    if answer is None:
        return None
    media_type, _ = RESULT_FORMATS[str(request.result_format)]
    return ("ok", answer[0], media_type, "solutions", truncated, answer[1])


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
    """Tell whether ``query`` may read named graphs: it says ``GRAPH`` somewhere, in any case,
    or holds a codepoint escape (``\\u``) that may spell it (a query that does not has no graph
    pattern, so the named graphs it is given make no difference).

    Substrings of the lowered text: 1 µs where a case-insensitive regular expression took 3-10.
    """
    lowered = query.lower()
    return "graph" in lowered or "\\u" in lowered


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
        fast = fast_select(store, request, options, analysis.has_dataset_clause)
    except PermissionError:
        return _network_refused(request)
    if fast is not None:
        return fast
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
