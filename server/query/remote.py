"""A query engine that forwards queries to a remote SPARQL 1.1 engine over the SPARQL Protocol.

:class:`RemoteQueryEngine` is a :class:`~imtkg.query.interface.QueryEngine` raising the errors of
the in-process worker pool (:mod:`imtkg.query.errors`), so the server fronts an Oxigraph server,
Fuseki, GraphDB, Virtuoso, QLever or Neptune the way it fronts its own store (only the admission
bound of :meth:`~imtkg.query.interface.QueryEngine.set_limits` applies to it):

* updates and ``SERVICE`` are refused here (:mod:`imtkg.rdf.sparql_guard`), before anything is sent;
  the guard's Oxigraph parse, when it needs one, runs in a guard process bounded by the query's
  time limit (:class:`imtkg.query.guard_pool.GuardPool`), not in the HTTP server's thread;
* the project's prefixes are predeclared: the ones a query uses without declaring them are sent
  on one extra first line (positions in the engine's syntax errors are moved back by one line);
* the dataset is chosen with ``default-graph-uri``/``named-graph-uri``, in the layout
  ``imtkg push`` writes: the named graphs as they are, the hidden union graph
  :data:`imtkg.store.oxigraph_store.ASSERTED_UNION` as the default graph (plus ``graph:inferred``
  unless ``infer=false``), so the default graph is a set as in memory;
* the time limit is the HTTP timeout and a deadline checked while the answer streams in; at most
  ``row_limit`` rows or triples (and about ``byte_limit`` bytes) are read, then the connection is
  dropped; the answer (SPARQL JSON results or N-Triples) is re-serialised in the format the client
  asked for by the same code as the worker pool's;
* an engine's error that is not a syntax error (Virtuoso's ``SP031`` internal compiler errors, a
  built-in it lacks) is :class:`~imtkg.query.errors.EngineQueryFailure`, a 502 naming the engine
  (its ``Server`` header) and quoting its message, never a 400 "syntax error";
* Virtuoso 7's answers are read as the standard ones they stand for: an ``ASK`` answered as a
  one-column table ``__ASK_RETVAL`` (a row: true; none: false) is the boolean, and an answer cut
  short at its own time limit (``X-SQL-State: S1TAT``, Virtuoso's "anytime" partial result) is
  a 504, never served as if complete; an answer that reached Virtuoso's own row limit
  (``X-SPARQL-MaxRows``, ``ResultSetMaxRows``) is flagged truncated, as one the server cut;
  and once the engine has named itself Virtuoso (``Server`` header), prefixed names with escapes
  (``id:event\\/x``), which its lexer cannot read, are sent as the full IRIs they stand for
  (:mod:`imtkg.query.virtuoso`).
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

import pyoxigraph as ox
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    EmptyPoolError,
    HTTPError,
    ProtocolError,
    ReadTimeoutError,
)

from imtkg import __version__
from imtkg.core.namespaces import PREFIXES
from imtkg.query import virtuoso
from imtkg.query.errors import (
    EngineBusy,
    EngineFailure,
    EngineQueryFailure,
    NotAcceptable,
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyError,
    UnsupportedFeature,
)
from imtkg.query.guard_pool import GuardPool
from imtkg.query.interface import EngineResult, QueryEngine
from imtkg.query.worker import READ_ONLY_MESSAGE, SERVICE_MESSAGE, QueryRequest, serialise_results
from imtkg.query.worker_pool import result_from_reply
from imtkg.rdf.sparql_guard import leading_keyword, strip_opaque, unescape
from imtkg.store.oxigraph_store import QueryScope, scope_graphs

log = logging.getLogger(__name__)

SOLUTIONS_MEDIA_TYPE = "application/sparql-results+json"
GRAPH_MEDIA_TYPE = "application/n-triples"
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
#: seconds to wait for a TCP connection to the engine (within the query's time limit)
CONNECT_TIMEOUT = 5.0
#: seconds an ``alive`` answer is reused before the engine is asked again, by default
ALIVE_TTL = 5.0
#: at most this much of an error answer is read and quoted
ERROR_BYTES = 2000

_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)
#: line numbers in engines' syntax errors: "error at 3:7" (Oxigraph), "line 3, column 7" (Jena)
_LINE = re.compile(r"(\berror at |\bline )(\d+)")
#: Oxigraph's answer (HTTP 500) to a function IRI it does not implement: the query's fault
_UNSUPPORTED_FUNCTION = re.compile(r"^The custom function <[^>]*> is not supported$")
#: at most this much of an engine's own error message is quoted to the client
QUOTED_CHARS = 500


class RemoteEngineError(EngineFailure):
    """The remote engine cannot be reached or answered something unusable (bad gateway)."""

    status = 502


class _Expired(Exception):
    """The deadline passed while the answer was streaming in."""


class _TooLarge(Exception):
    """The answer grew past what the engine reads of it."""


class _BodyReader(io.RawIOBase):
    """A file over an HTTP response that stops at a deadline and after ``cap`` bytes."""

    def __init__(self, response: urllib3.BaseHTTPResponse, deadline: float, cap: int) -> None:
        super().__init__()
        self._response = response
        self._deadline = deadline
        self._left = cap

    def readable(self) -> bool:  # noqa: D102 - io API
        return True

    def readinto(self, buffer) -> int:  # noqa: D102 - io API
        if time.monotonic() > self._deadline:
            raise _Expired()
        if self._left <= 0:
            raise _TooLarge()
        data = self._response.read1(min(len(buffer), self._left))
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


class _Until:
    """The parsed rows (or triples) of an answer, ending quietly where the body was cut off."""

    def __init__(self, items: Iterable) -> None:
        self.items = items
        self.cut = False

    def __iter__(self) -> Iterator:
        try:
            yield from self.items
        except _TooLarge:
            self.cut = True


class _SolutionsUntil(_Until):
    """:class:`_Until` over ``QuerySolutions``, with their variables."""

    def __init__(self, solutions: ox.QuerySolutions) -> None:
        super().__init__(solutions)
        self.solutions = solutions

    @property
    def variables(self) -> list[ox.Variable]:
        """The variables of the parsed solutions."""
        return self.solutions.variables


def missing_prologue(query: str) -> str:
    """Return ``PREFIX`` declarations, on one line, of project prefixes used but not declared."""
    text = strip_opaque(unescape(query))
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    needed = [
        f"PREFIX {prefix}: <{namespace}>"
        for prefix, namespace in PREFIXES.items()
        if prefix not in declared and re.search(rf"(?<![\w?$:.-]){prefix}:", text)
    ]
    return " ".join(needed) + "\n" if needed else ""


def shift_lines(message: str, lines: int) -> str:
    """Move the line numbers an engine's error message quotes back by ``lines``."""
    if not lines:
        return message
    return _LINE.sub(lambda m: f"{m.group(1)}{max(1, int(m.group(2)) - lines)}", message)


class RemoteQueryEngine(QueryEngine):
    """Answer queries with a remote SPARQL 1.1 engine, within the server's limits.

    :param endpoint: the engine's query URL (``http://host:7878/query`` for Oxigraph).
    :param graphs: the public named graphs of the pushed dataset; ``None`` sends no dataset
        parameters unless a scope names graphs (the engine's own default dataset).
    :param concurrency: queries forwarded at the same time (HTTP connections kept open).
    :param timeout: seconds a query may take, the answer's transfer included.
    :param row_limit: maximum rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in a result.
    :param byte_limit: approximate maximum size of a result body.
    :param alive_ttl: seconds an :attr:`alive` answer is reused before the engine is asked again.
    :param guard_workers: processes that run the SPARQL guard's parse (setting ``WORKERS``).
    :param start: start the guard processes now; else :meth:`start` does, in the process that
        will serve (until then the guard parses in the calling thread).
    """

    def __init__(
        self,
        endpoint: str,
        graphs: Sequence[str] | None = None,
        concurrency: int = 8,
        timeout: float = 10.0,
        row_limit: int = 10000,
        byte_limit: int = 16 * 1024 * 1024,
        alive_ttl: float = ALIVE_TTL,
        guard_workers: int = 2,
        start: bool = True,
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.alive_ttl = float(alive_ttl)
        self.graphs = list(graphs) if graphs is not None else None
        self.size = max(1, int(concurrency))
        self.timeout = float(timeout)
        self.row_limit = int(row_limit)
        self.byte_limit = int(byte_limit)
        self._http = urllib3.PoolManager(
            maxsize=self.size,
            block=True,
            retries=False,
            headers={"User-Agent": f"imtkg/{__version__}"},
        )
        self._alive = False
        self._checked = float("-inf")
        self._waiting = False  # in wait_ready: an engine that is not up yet is no error
        #: the engine's product, from the ``Server`` header of its last answer (None: no answer)
        self.engine: str | None = None
        self.guard = GuardPool(guard_workers, start=start)

    def start(self, fork: bool = False) -> None:
        """Start the guard processes in this process, if they are not (see :class:`GuardPool`)."""
        self.guard.start(fork)

    def _queue_full_message(self, inside: int) -> str:
        """Say how many queries the remote engine is already checking or answering."""
        return (
            f"the server is at capacity: {inside} queries are already being "
            "checked or answered by the SPARQL engine; try again shortly"
        )

    def _answer(
        self,
        query: str,
        scope: QueryScope,
        result_format: str | None,
        graph_format: str | None,
        started: float,
        limit: float,
    ) -> EngineResult:
        """Forward ``query`` to the engine and return its serialised, bounded result.

        :raises QueryError: a subclass saying why there is no result, as the worker pool does;
            :class:`RemoteEngineError` (502) when the engine is unreachable or answers nonsense.
        """
        analysis = self.guard.analyse(query, started + limit, limit)
        if analysis.is_update:
            raise ReadOnlyError(READ_ONLY_MESSAGE)
        if analysis.refusal:  # nesting too deep, or a reading the guard cannot check
            raise QueryRefused(analysis.refusal)
        if analysis.uses_service:
            raise QueryRefused(SERVICE_MESSAGE)
        request = QueryRequest(
            query, scope, result_format, graph_format, self.row_limit, self.byte_limit
        )
        form = leading_keyword(query)
        is_graph = form in GRAPH_FORMS
        if (graph_format if is_graph else result_format) is None:
            raise NotAcceptable("graph" if is_graph else "solutions")
        if virtuoso.is_virtuoso(self.engine):  # its lexer cannot read escapes in names
            query = virtuoso.expand_escaped_names(query, PREFIXES)
        prologue = missing_prologue(query)
        fields = [("query", prologue + query)]
        if (
            scope.default_graph_uris
            or scope.named_graph_uris
            or (self.graphs is not None and not analysis.has_dataset_clause)
        ):
            default, named = scope_graphs(self.graphs or [], scope)
            fields += [("default-graph-uri", g) for g in default]
            fields += [("named-graph-uri", g) for g in named]
        accept = GRAPH_MEDIA_TYPE if is_graph else SOLUTIONS_MEDIA_TYPE
        try:
            response = self._send(fields, accept, started + limit, limit)
            self.engine = engine_name(response)
        except ReadTimeoutError:  # no answer at all within the time limit
            raise _stopped(query, limit) from None
        try:
            if response.status != 200:
                raise _answer_error(response, prologue.count("\n"))
            reply = self._read(response, request, form, started + limit)
        except (_Expired, ReadTimeoutError, TimeoutError):  # the answer came in too slowly
            response.close()
            raise _stopped(query, limit) from None
        except (ProtocolError, OSError) as exc:
            log.error("the SPARQL engine at %s broke the answer off: %s", self.endpoint, exc)
            response.close()
            raise RemoteEngineError("the SPARQL engine failed to answer; try again") from None
        except BaseException:
            response.close()
            raise
        finally:
            response.release_conn()
        self._alive, self._checked = True, time.monotonic()
        return result_from_reply(reply, (time.monotonic() - started) * 1000)

    def _send(
        self, fields: list[tuple[str, str]], accept: str, deadline: float, limit: float
    ) -> urllib3.BaseHTTPResponse:
        """POST the form to the engine; return the response with its body still unread.

        :raises ReadTimeoutError: when the engine sends no answer before the deadline.
        """
        remaining = max(0.001, deadline - time.monotonic())
        try:
            return self._http.request(
                "POST",
                self.endpoint,
                fields=fields,
                encode_multipart=False,
                headers={"Accept": accept},
                preload_content=False,
                timeout=urllib3.Timeout(connect=min(CONNECT_TIMEOUT, remaining), read=remaining),
                pool_timeout=remaining,
            )
        except EmptyPoolError:
            raise EngineBusy(
                f"all {self.size} connections to the SPARQL engine stayed busy for {limit:g} s; "
                "try again later"
            ) from None
        except ReadTimeoutError:
            raise
        except (ConnectTimeoutError, HTTPError) as exc:  # refused connections are ConnectTimeouts
            if not self._waiting:
                log.error("cannot reach the SPARQL engine at %s: %s", self.endpoint, exc)
            raise RemoteEngineError("the SPARQL engine cannot be reached; try again") from None

    def _read(
        self,
        response: urllib3.BaseHTTPResponse,
        request: QueryRequest,
        form: str | None,
        deadline: float,
    ) -> tuple:
        """Parse the engine's answer as it streams in and serialise it within the bounds.

        :param form: the query's form (``SELECT``, ``ASK``, ``CONSTRUCT``...).
        """
        if response.headers.get("X-SQL-State") == virtuoso.PARTIAL_STATE:
            log.warning("the SPARQL engine sent a partial answer: %s", _engine_message(response))
            raise QueryTimeout(
                "the SPARQL engine stopped the query at its own time limit and sent part of the "
                "answer, which is not served as if complete"
            )
        is_graph = form in GRAPH_FORMS
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        expected = GRAPH_MEDIA_TYPE if is_graph else SOLUTIONS_MEDIA_TYPE
        if media_type != expected:
            log.error("the SPARQL engine answered %s instead of %s", media_type, expected)
            raise RemoteEngineError("the SPARQL engine answered in an unexpected format")
        body = io.BufferedReader(_BodyReader(response, deadline, 2 * self.byte_limit + 65536))
        reader: BinaryIO = body
        if not is_graph and virtuoso.is_virtuoso(self.engine):  # its blank nodes and booleans
            reader = io.BufferedReader(virtuoso.StandardJson(body))
        # pyoxigraph's parsed answers must be dropped by the thread that made them: no error is
        # raised while a frame of this method still holds one (a traceback's reference cycle
        # would leave it to the cycle collector, which may run on any thread)
        unreadable = False
        answer: ox.QuerySolutions | ox.QueryBoolean | None = None
        parsed: Iterator[ox.Quad] | None = None
        try:
            if is_graph:
                parsed = ox.parse(reader, format=ox.RdfFormat.N_TRIPLES)
                results: _Until | ox.QueryBoolean | None = _Until(q.triple for q in parsed)
            else:
                answer = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
                if form == "ASK" and not isinstance(answer, ox.QueryBoolean):
                    answer = virtuoso.ask_table_as_boolean(answer)
                    if answer is None:
                        log.error("the SPARQL engine answered an ASK query with another table")
                if answer is None:
                    results = None
                else:
                    results = (
                        answer if isinstance(answer, ox.QueryBoolean) else _SolutionsUntil(answer)
                    )
                answer = None
            reply = serialise_results(results, request) if results is not None else None
        except (SyntaxError, _TooLarge) as exc:
            log.error("unreadable answer from the SPARQL engine: %s", exc)
            unreadable = True
        if unreadable:
            results = parsed = answer = None
            raise RemoteEngineError("the SPARQL engine sent an unreadable answer")
        if reply is None:
            raise RemoteEngineError("the SPARQL engine answered an ASK query with a table")
        if isinstance(results, _Until) and results.cut and reply[0] == "ok":
            reply = (*reply[:4], True, *reply[5:])
        if reply[0] == "ok" and not reply[4]:
            response.drain_conn()  # only the end of the body is left; keep the connection
        else:
            response.close()  # rows were left unread: drop the connection, not read them
        if reply[0] == "ok" and response.headers.get(virtuoso.MAX_ROWS_HEADER) is not None:
            reply = (*reply[:4], True, *reply[5:])  # the engine's own row limit may have cut it
        return reply

    @property
    def alive(self) -> bool:
        """Tell whether the engine answered within the last ``alive_ttl`` seconds (else ask it)."""
        if self._closed:
            return False
        if time.monotonic() - self._checked >= self.alive_ttl:
            self._alive = self._ping(min(2.0, self.timeout))
            self._checked = time.monotonic()
        return self._alive

    def _ping(self, timeout: float) -> bool:
        try:
            self.execute("ASK {}", timeout=timeout)
        except QueryError:
            return False
        return True

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the engine answers a query.

        :raises EngineFailure: when it does not within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        self.guard.wait_ready(timeout)
        self._waiting = True
        try:
            answered = self._ping(max(0.5, min(5.0, timeout)))
            if not answered:
                log.info("waiting up to %g s for the SPARQL engine at %s", timeout, self.endpoint)
            while not answered:
                if time.monotonic() >= deadline:
                    raise EngineFailure(
                        f"the SPARQL engine at {self.endpoint} did not answer within {timeout:g} s"
                    )
                time.sleep(0.2)
                answered = self._ping(max(0.5, min(5.0, deadline - time.monotonic())))
        finally:
            self._waiting = False
        self._alive, self._checked = True, time.monotonic()

    def close(self) -> None:
        """Close the connections to the engine. Safe to call twice."""
        self._closed = True
        self._http.clear()
        self.guard.close()


def _stopped(query: str, limit: float) -> QueryTimeout:
    """Log a query stopped at the time limit and return the error to raise."""
    log.warning("remote query stopped after %.1f s: %.200r", limit, query)
    return QueryTimeout(f"the query exceeded the {limit:g}-second time limit and was stopped")


def engine_name(response: urllib3.BaseHTTPResponse) -> str:
    """Name the engine by the product of its ``Server`` header (``Virtuoso/07.20.3229``)."""
    server = (response.headers.get("Server") or "").strip()
    return server.split()[0] if server else "unnamed"


def _engine_message(response: urllib3.BaseHTTPResponse) -> str:
    """The engine's message of an answer's ``X-SQL-Message`` header (Virtuoso's), if any."""
    return (response.headers.get("X-SQL-Message") or "").strip()[:QUOTED_CHARS]


def own_message(text: str) -> str:
    """Return the engine's own message of an error body, on one line, without the echo of the
    query (Virtuoso appends "SPARQL query:" and the query it ran, dataset clauses included)."""
    first = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    line = " ".join(first.split())
    return line if len(line) <= QUOTED_CHARS else line[: QUOTED_CHARS - 3] + "..."


def _answer_error(response: urllib3.BaseHTTPResponse, shifted_lines: int) -> QueryError:
    """Return the error to raise for an engine's non-200 answer.

    A 400 is a syntax error when the engine says so (Virtuoso: its parse error ``SP030``; an
    engine without coded messages: any 400 with a text body); an engine's other error is an
    :class:`EngineQueryFailure` (502) naming the engine and quoting its message.
    """
    status = response.status
    media_type = (response.headers.get("Content-Type") or "").lower()
    text = response.read(ERROR_BYTES, decode_content=True).decode("utf-8", "replace").strip()
    plain = bool(text) and "html" not in media_type
    coded = virtuoso.ERROR.match(text)
    if coded and coded["state"] == virtuoso.TIMEOUT_STATE:
        return QueryTimeout("the SPARQL engine stopped the query at its own time limit")
    if coded and coded["code"] == virtuoso.SYNTAX_CODE:
        message = shift_lines(own_message(text), shifted_lines)
        return QuerySyntaxError(f"SPARQL syntax error: {message}")
    if status == 500 and _UNSUPPORTED_FUNCTION.match(text):
        return UnsupportedFeature(text)
    if coded or (status == 500 and plain):  # the engine's own error, in its own words
        name = engine_name(response)
        log.warning("the SPARQL engine %s failed on a query: %.500s", name, text)
        return EngineQueryFailure(
            f"the SPARQL engine ({name}) failed on this query: {own_message(text)}"
        )
    if status == 400 and plain:
        return QuerySyntaxError(f"SPARQL syntax error: {shift_lines(text, shifted_lines)}")
    if status == 400:
        return QuerySyntaxError("the SPARQL engine rejected the query as malformed")
    if status in (408, 504):
        return QueryTimeout("the SPARQL engine stopped the query at its own time limit")
    if status in (429, 503):
        return EngineBusy("the SPARQL engine is busy; try again later")
    log.error("the SPARQL engine answered HTTP %d: %.500s", status, text)
    return RemoteEngineError(f"the SPARQL engine failed to answer (HTTP {status})")
