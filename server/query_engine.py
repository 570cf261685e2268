"""Bounded SPARQL execution in a pool of worker processes.

A query runs in a worker process, so that stopping a query past its time limit really stops the
work: the parent terminates that worker and starts a fresh one while the others keep serving.
The parent writes the knowledge graph once to an on-disk Oxigraph store; each worker opens it
read-only (:mod:`imtkg.query_worker`), runs a query, serialises at most ``row_limit`` rows or
triples and about ``byte_limit`` bytes of it, and sends the bytes back.

Workers are started with the ``forkserver`` method (``spawn`` where it is missing), never by
forking the threaded server process.

Use::

    engine = QueryEngine.from_store(kg.store, workers=2, timeout=10.0)
    result = engine.execute("SELECT ...", QueryScope(), result_format="json")
    table = engine.select("SELECT ...")              # the SPARQL JSON results as a dict
    turtle = engine.construct("CONSTRUCT ...")       # Turtle bytes
    engine.close()
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import multiprocessing
import queue
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import ImtKgError
from .query_worker import QueryRequest, worker_main
from .results import GRAPH_FORMATS, RESULT_FORMATS
from .store import QueryScope

log = logging.getLogger(__name__)


class QueryError(ImtKgError):
    """A query the engine did not answer; ``status`` is the HTTP status that says why."""

    status = 500


class QuerySyntaxError(QueryError):
    """The query cannot be parsed; the message holds the parser's position and expectation."""

    status = 400


class QueryRefused(QueryError):
    """The query asks for something the endpoint does not do (e.g. ``SERVICE``)."""

    status = 400


class UnsupportedFeature(QueryError):
    """The query calls something the engine does not implement (e.g. an unknown function IRI)."""

    status = 400


class ReadOnlyError(QueryError):
    """The request is a SPARQL Update; the endpoint is read-only."""

    status = 403


class NotAcceptable(QueryError):
    """No acceptable format for the query's form; ``offered`` lists the media types there are."""

    status = 406

    def __init__(self, kind: str) -> None:
        self.kind = kind
        formats = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
        self.offered = [media_type for media_type, _ in formats.values()]
        what = "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
        super().__init__(
            f"no acceptable format for a {what} result; offered: {', '.join(self.offered)}"
        )


class QueryTimeout(QueryError):
    """The query ran past the time limit and was stopped."""

    status = 504


class EngineBusy(QueryError):
    """No worker became free within the time limit."""

    status = 503


class EngineFailure(QueryError):
    """A worker failed unexpectedly (its message is logged, not shown)."""

    status = 500


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


class _Worker:
    """A worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.BaseContext, store_path: str) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=worker_main, args=(store_path, child), name="imtkg-query", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        """Wait for the worker's "ready" message; tell whether it came in time."""
        if self.ready:
            return True
        if not self.conn.poll(timeout):
            return False
        status, message = self.conn.recv()
        if status != "ready":
            raise EngineFailure(message)
        self.ready = True
        return True

    def stop(self) -> None:
        """Terminate the process (if alive) and close the pipe."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
            if self.process.is_alive():
                self.process.kill()
        self.process.join(2)
        self.conn.close()
        self.process.close()


def _context() -> multiprocessing.context.BaseContext:
    """Return the forkserver context (preloading the worker module) or, where missing, spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # the forkserver imports the main module once (it must guard its code with
        # ``if __name__ == "__main__":``, as multiprocessing requires) and the worker code, so
        # that a fresh worker is a cheap fork of it
        context.set_forkserver_preload(["__main__", "imtkg.query_worker"])
        return context
    return multiprocessing.get_context("spawn")


def write_store(store: ox.Store, directory: Path) -> None:
    """Copy every quad of ``store`` into a new on-disk store at ``directory``, then close it."""
    target = ox.Store(str(directory))
    target.bulk_load(store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    target.flush()
    del target
    gc.collect()  # release RocksDB's lock before the workers open the store read-only


class Engine:
    """What the server needs of a query engine, in process or remote.

    Subclasses set ``size`` (concurrent queries), ``timeout``, ``row_limit`` and ``byte_limit``
    and implement :meth:`execute`, :attr:`alive`, :meth:`wait_ready` and :meth:`close`;
    :meth:`select` and :meth:`construct` are built on :meth:`execute`.
    """

    size: int
    timeout: float
    row_limit: int
    byte_limit: int

    def execute(
        self,
        query: str,
        scope: QueryScope | None = None,
        result_format: str | None = "json",
        graph_format: str | None = "turtle",
        timeout: float | None = None,
    ) -> EngineResult:
        """Run ``query`` and return its serialised, bounded result (see :class:`QueryEngine`)."""
        raise NotImplementedError

    @property
    def alive(self) -> bool:
        """Tell whether the engine can answer queries."""
        raise NotImplementedError

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the engine answers; raise :class:`EngineFailure` after ``timeout`` s."""
        raise NotImplementedError

    def start(self, fork: bool = False) -> None:
        """Start what the engine runs on, if it was made without starting (nothing by default)."""

    def close(self) -> None:
        """Release the engine's resources. Safe to call twice."""
        raise NotImplementedError

    def select(self, query: str, scope: QueryScope | None = None) -> dict:
        """Run a SELECT (or ASK) query and return the SPARQL 1.1 JSON results as a dict."""
        result = self.execute(query, scope, result_format="json", graph_format=None)
        return json.loads(result.body)

    def construct(
        self, query: str, scope: QueryScope | None = None, graph_format: str = "turtle"
    ) -> bytes:
        """Run a CONSTRUCT or DESCRIBE query and return the graph in ``graph_format`` (Turtle)."""
        return self.execute(query, scope, result_format=None, graph_format=graph_format).body


class QueryEngine(Engine):
    """A pool of query worker processes over one read-only on-disk store.

    :param store_path: folder of an on-disk Oxigraph store no process writes to any more.
    :param workers: number of worker processes (concurrent queries).
    :param timeout: seconds a query may take, evaluation and serialisation included.
    :param row_limit: maximum rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in a result.
    :param byte_limit: approximate maximum size of a result body.
    :param owns_store: delete ``store_path`` on :meth:`close`.
    """

    def __init__(
        self,
        store_path: Path,
        workers: int = 2,
        timeout: float = 10.0,
        row_limit: int = 10000,
        byte_limit: int = 16 * 1024 * 1024,
        owns_store: bool = False,
        start: bool = True,
    ) -> None:
        self.store_path = Path(store_path)
        self.timeout = float(timeout)
        self.row_limit = int(row_limit)
        self.byte_limit = int(byte_limit)
        self.size = max(1, int(workers))
        self._owns_store = owns_store
        self._context = _context()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._all: set[_Worker] = set()
        self._started = False
        atexit.register(self.close)
        if start:
            self.start()

    def start(self, fork: bool = False) -> None:
        """Start the worker processes (once; :class:`QueryEngine` does it unless ``start=False``).

        :param fork: start them by forking this process, which takes milliseconds instead of
            the forkserver's fraction of a second. Only safe while this process runs a single
            thread (an HTTP server's worker process before it serves); workers that replace a
            stopped one later always come from the forkserver.
        """
        with self._lock:
            if self._started:
                return
            self._started = True
        context = multiprocessing.get_context("fork") if fork else self._context
        for _ in range(self.size):
            self._spawn(context)

    @classmethod
    def from_store(cls, store: ox.Store, **kwargs) -> QueryEngine:
        """Write ``store`` to a temporary on-disk store; start an engine that owns it."""
        directory = Path(tempfile.mkdtemp(prefix="imtkg-store-"))
        try:
            write_store(store, directory / "store")
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        engine = cls(directory / "store", owns_store=True, **kwargs)
        engine._temp_dir = directory
        return engine

    def _spawn(self, context: multiprocessing.context.BaseContext | None = None) -> None:
        worker = _Worker(context or self._context, str(self.store_path))
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        """Stop a worker and, unless the engine is closing, replace it with a fresh one."""
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        if not self._closed:
            self._spawn()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until every worker has opened the store.

        :raises EngineFailure: when a worker cannot start within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        taken = []
        try:
            for _ in range(self.size):
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
                taken.append(worker)
                if not worker.wait_ready(max(0.0, deadline - time.monotonic())):
                    raise EngineFailure(f"a query worker did not start within {timeout:g} s")
        except queue.Empty as exc:
            raise EngineFailure("query workers are not available") from exc
        finally:
            for worker in taken:
                self._idle.put(worker)

    @property
    def alive(self) -> bool:
        """Tell whether the engine is open and has live workers."""
        with self._lock:
            return not self._closed and any(w.process.is_alive() for w in self._all)

    def execute(
        self,
        query: str,
        scope: QueryScope | None = None,
        result_format: str | None = "json",
        graph_format: str | None = "turtle",
        timeout: float | None = None,
    ) -> EngineResult:
        """Run ``query`` in a worker and return its serialised, bounded result.

        :param result_format: a name of ``RESULT_FORMATS`` for SELECT/ASK, ``None`` if none fits.
        :param graph_format: a name of ``GRAPH_FORMATS`` for CONSTRUCT/DESCRIBE, ``None`` likewise.
        :param timeout: seconds, the engine's limit by default.
        :raises QueryError: a subclass saying why there is no result (syntax, refused, timeout...).
        """
        if self._closed:
            raise EngineBusy("the query engine is shut down")
        limit = self.timeout if timeout is None else float(timeout)
        request = QueryRequest(
            query=query,
            scope=scope or QueryScope(),
            result_format=result_format,
            graph_format=graph_format,
            row_limit=self.row_limit,
            byte_limit=self.byte_limit,
        )
        start = time.monotonic()
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty as exc:
            raise EngineBusy(
                f"all {self.size} query workers stayed busy for {limit:g} s; try again later"
            ) from exc
        try:
            if not worker.wait_ready(max(0.0, limit - (time.monotonic() - start))):
                raise _Stuck()
            worker.conn.send(request)
            if not worker.conn.poll(max(0.0, limit - (time.monotonic() - start))):
                raise _Stuck()
            reply = worker.conn.recv()
        except _Stuck:
            log.warning("query stopped after %.1f s: %.200r", limit, query)
            self._discard(worker)
            raise QueryTimeout(
                f"the query exceeded the {limit:g}-second time limit and was stopped"
            ) from None
        except (EOFError, OSError, EngineFailure) as exc:
            log.error("query worker failed: %s", exc)
            self._discard(worker)
            raise EngineFailure("the query worker failed; please try again") from None
        self._idle.put(worker)
        duration_ms = (time.monotonic() - start) * 1000
        return result_from_reply(reply, duration_ms)

    def close(self) -> None:
        """Stop the workers and delete the store if the engine owns it. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            try:
                if worker.process.is_alive():
                    worker.conn.send(None)
            except OSError:
                pass
            worker.stop()
        if self._owns_store:
            shutil.rmtree(getattr(self, "_temp_dir", self.store_path), ignore_errors=True)
        atexit.unregister(self.close)


class _Stuck(Exception):
    """The worker did not answer in time."""


def result_from_reply(reply: tuple, duration_ms: float) -> EngineResult:
    """Turn an answer tuple (:mod:`imtkg.query_worker`) into an :class:`EngineResult` or raise."""
    if reply[0] == "ok":
        _, body, media_type, kind, truncated, count = reply
        return EngineResult(body, media_type, kind, truncated, count, duration_ms)
    _, code, message = reply
    if code == "syntax":
        raise QuerySyntaxError(message)
    if code == "read_only":
        raise ReadOnlyError(message)
    if code == "service":
        raise QueryRefused(message)
    if code == "unsupported":
        raise UnsupportedFeature(message)
    if code == "not_acceptable":
        raise NotAcceptable(message)
    log.error("query worker error: %s", message)
    raise EngineFailure("internal error while answering the query")
