"""What the server needs of a query engine, whichever runs the queries: :class:`QueryEngine`.

Two engines implement it: the pool of worker processes over the server's own store
(:class:`imtkg.query.worker_pool.WorkerPoolEngine`, ``STORE=memory`` or ``disk``) and the remote
SPARQL engine (:class:`imtkg.query.remote.RemoteQueryEngine`, ``STORE=sparql``). The web layer
and the pages hold a :class:`QueryEngine` and never ask which.

The base class owns what both do before a query runs (:meth:`QueryEngine.execute`): refuse it
when the engine is shut down, count it among the requests inside the engine and refuse it with
:class:`~imtkg.query.errors.EngineQueueFull` (503) when ``admitted`` are already inside, and fix
its time limit. The engines implement :meth:`QueryEngine._answer`, the query itself.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from imtkg.query.errors import EngineBusy, EngineQueueFull
from imtkg.store.oxigraph_store import QueryScope


@dataclass(frozen=True)
class EngineResult:
    """A serialised query result.

    :param body: the result document, at most ``row_limit`` rows/triples.
    :param media_type: its media type (``application/sparql-results+json``, ``text/turtle``...).
    :param kind: ``solutions`` (SELECT), ``boolean`` (ASK) or ``graph`` (CONSTRUCT/DESCRIBE).
    :param truncated: rows or triples were left out to keep within the limits.
    :param count: rows or triples in ``body`` (1 for ASK).
    :param duration_ms: time from taking a worker to receiving the answer.
    """

    body: bytes
    media_type: str
    kind: str
    truncated: bool
    count: int
    duration_ms: float


class QueryEngine(ABC):
    """A SPARQL engine the server sends queries to, in process or remote, within its limits.

    Subclasses set ``size`` (concurrent queries), ``timeout``, ``row_limit`` and ``byte_limit``,
    call ``super().__init__()``, and implement :meth:`_answer`, :meth:`start`, :attr:`alive`,
    :meth:`wait_ready` and :meth:`close`; :meth:`execute` (with the admission bound),
    :meth:`select` and :meth:`construct` are built on :meth:`_answer`.
    """

    size: int
    timeout: float
    row_limit: int
    byte_limit: int

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._inside = 0  # requests inside the engine: holding or waiting for it
        self.admitted: int | None = None  # at most this many inside at once; None: no bound
        self.rejected = 0  # requests refused with EngineQueueFull (read by /metrics)

    def execute(
        self,
        query: str,
        scope: QueryScope | None = None,
        result_format: str | None = "json",
        graph_format: str | None = "turtle",
        timeout: float | None = None,
    ) -> EngineResult:
        """Run ``query`` and return its serialised, bounded result.

        :param result_format: a name of ``RESULT_FORMATS`` for SELECT/ASK, ``None`` if none fits.
        :param graph_format: a name of ``GRAPH_FORMATS`` for CONSTRUCT/DESCRIBE, ``None`` likewise.
        :param timeout: seconds, the engine's limit by default; waiting inside the engine counts.
        :raises QueryError: a subclass saying why there is no result (syntax, refused, timeout,
            :class:`~imtkg.query.errors.EngineQueueFull` when ``admitted`` requests are inside...).
        """
        if self._closed:
            raise EngineBusy("the query engine is shut down")
        limit = self.timeout if timeout is None else float(timeout)
        started = time.monotonic()
        self._enter()
        try:
            return self._answer(
                query, scope or QueryScope(), result_format, graph_format, started, limit
            )
        finally:
            with self._lock:
                self._inside -= 1

    def _enter(self) -> None:
        """Count one more request inside the engine, or refuse it when ``admitted`` are."""
        with self._lock:
            if self.admitted is not None and self._inside >= self.admitted:
                self.rejected += 1
                raise EngineQueueFull(self._queue_full_message(self._inside))
            self._inside += 1

    def _queue_full_message(self, inside: int) -> str:
        """The message of :class:`~imtkg.query.errors.EngineQueueFull` with ``inside`` requests
        inside the engine."""
        return (
            f"the server is at capacity: {inside} queries are already being answered; "
            "try again shortly"
        )

    @abstractmethod
    def _answer(
        self,
        query: str,
        scope: QueryScope,
        result_format: str | None,
        graph_format: str | None,
        started: float,
        limit: float,
    ) -> EngineResult:
        """Answer ``query`` (admitted by :meth:`execute`) within ``limit`` seconds from
        ``started`` (a :func:`time.monotonic` reading)."""

    @property
    def inside(self) -> int:
        """The requests inside the engine now (at most :attr:`admitted`)."""
        with self._lock:
            return self._inside

    @property
    @abstractmethod
    def alive(self) -> bool:
        """Tell whether the engine can answer queries."""

    @abstractmethod
    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the engine answers; raise :class:`EngineFailure` after ``timeout`` s."""

    @abstractmethod
    def start(self, fork: bool = False) -> None:
        """Start what the engine runs on (processes), if it was made without starting.

        :param fork: start processes by forking this process (safe only while it runs a single
            thread), where the engine can.
        """

    def set_limits(
        self,
        admitted: int | None = None,
        memory_mb: int | None = None,
        long_after: float | None = None,
        long_queries: int | None = None,
    ) -> None:
        """Set the engine's bounds; ``None`` leaves one unchanged.

        :param admitted: requests inside the engine at once (holding or waiting for it), so
            that slow queries never hold every thread of the HTTP server.
        :param memory_mb: megabytes a query may hold; only for engines that run queries
            themselves (see :meth:`imtkg.query.worker_pool.WorkerPoolEngine.set_limits`).
        :param long_after: seconds after which a running query is long (likewise).
        :param long_queries: long queries run at once (likewise).
        """
        if admitted is not None:
            self.admitted = max(1, int(admitted))

    @abstractmethod
    def close(self) -> None:
        """Release the engine's resources. Safe to call twice."""

    def select(self, query: str, scope: QueryScope | None = None) -> dict[str, Any]:
        """Run a SELECT (or ASK) query and return the SPARQL 1.1 JSON results as a dict."""
        result = self.execute(query, scope, result_format="json", graph_format=None)
        answer: dict[str, Any] = json.loads(result.body)
        return answer

    def construct(
        self, query: str, scope: QueryScope | None = None, graph_format: str = "turtle"
    ) -> bytes:
        """Run a CONSTRUCT or DESCRIBE query and return the graph in ``graph_format`` (Turtle)."""
        return self.execute(query, scope, result_format=None, graph_format=graph_format).body
