"""Bounded SPARQL execution in a pool of worker processes.

A query runs in a worker process, so that stopping a query past its time limit really stops the
work: the parent terminates that worker and starts a fresh one while the others keep serving.
The parent writes the knowledge graph once to an on-disk Oxigraph store; each worker opens it
read-only (:mod:`imtkg.query.worker`), runs a query, serialises at most ``row_limit`` rows or
triples and about ``byte_limit`` bytes of it, and sends the bytes back.

Workers are started with the ``forkserver`` method (``spawn`` where it is missing), never by
forking the threaded server process.

Bounds beyond the time limit (issue 11):

* **admission**: at most ``admitted`` requests may hold or wait for a worker
  (:meth:`WorkerPoolEngine.set_limits`); one more is refused at once with :class:`EngineQueueFull`
  (503 with ``Retry-After``: :meth:`QueryError.headers`), so that the HTTP server's other
  threads stay free for ``/health``, static files and cached answers. A request never waits
  longer than the query time limit: the wait for a worker counts against it.
* **long queries**: a query still running ``long_after`` seconds after it reached its worker
  (setting ``LONG_QUERY_AFTER``) turns *long*. At most ``long_queries`` (``LONG_QUERIES``) long
  queries run at once, each on a worker the pool adds for it, so that ``workers`` workers stay
  for the short queries (the pool holds ``workers`` plus the running long queries); a long
  query's worker runs at a lower CPU priority (nice :data:`LONG_NICE`) and retires when the
  query ends. A query that turns long while ``long_queries`` already run is stopped (its worker
  killed and replaced) with :class:`LongQueriesBusy` (503 with ``Retry-After``). The added
  workers come from a warm spare (:data:`SPARE_WORKERS`), started in advance because a new
  worker needs 0.1-0.2 s to open the store; the spare also replaces a stopped worker at once.
  ``long_queries=0`` turns the lane off: a query keeps its worker until its time limit.
* **memory**: while a query runs, the parent reads the worker's anonymous resident memory from
  ``/proc/PID/statm`` every :data:`WATCH_INTERVAL` seconds; past ``memory_limit`` bytes the
  worker is killed and replaced and the query gets :class:`QueryMemoryLimit` (422). On Linux the
  worker's ``RLIMIT_DATA`` (which, unlike ``RLIMIT_AS``, does not count the store's mapped
  files) is set to :data:`BACKSTOP_FACTOR` times the limit, a backstop for memory that grows
  faster than it is watched.
* **lifetime**: a worker dies with its parent (:func:`tie_to_parent`): ``PR_SET_PDEATHSIG`` on
  Linux, and everywhere a thread that waits for end-of-file on the pipe multiprocessing keeps
  from the parent (its "parent sentinel").

Use::

    engine = WorkerPoolEngine.from_store(kg.store, workers=2, timeout=10.0)
    result = engine.execute("SELECT ...", QueryScope(), result_format="json")
    table = engine.select("SELECT ...")              # the SPARQL JSON results as a dict
    turtle = engine.construct("CONSTRUCT ...")       # Turtle bytes
    engine.close()
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import queue
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from imtkg.core.config import DEFAULTS, float_setting, int_setting
from imtkg.query.errors import (
    EngineBusy,
    EngineFailure,
    LongQueriesBusy,
    NotAcceptable,
    QueryMemoryLimit,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyError,
    UnsupportedFeature,
)
from imtkg.query.interface import EngineResult, QueryEngine
from imtkg.query.worker import QueryRequest, worker_main
from imtkg.store.oxigraph_store import QueryScope

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext

    #: the contexts workers are started from (typeshed's BaseContext has no ``Process``)
    ProcessContext: TypeAlias = ForkContext | ForkServerContext | SpawnContext

log = logging.getLogger(__name__)


#: seconds between two readings of a busy worker's memory
WATCH_INTERVAL = 0.05
#: ready workers kept started but idle, outside the pool, to join it at once (see the module doc)
SPARE_WORKERS = 1
#: the niceness of a worker running a long query: short queries come first for the CPU
LONG_NICE = 10
#: the name a worker process gives itself (``/proc/PID/comm``, ``ps``, ``top``)
WORKER_PROCESS_NAME = "imtkg-query"
#: the worker's RLIMIT_DATA is this many times the memory limit (a backstop, see the module doc)
BACKSTOP_FACTOR = 2
_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tie_to_parent() -> None:
    """Make this (worker) process die with its parent.

    On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; everywhere, a daemon thread that waits for
    end-of-file on multiprocessing's parent sentinel (a pipe only the parent holds open) and
    then exits. Called first thing in a query worker (:func:`worker_entry`).
    """
    if sys.platform.startswith("linux"):
        set_parent_death_signal(signal.SIGKILL)
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def exit_when_parent_goes() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=exit_when_parent_goes, name="imtkg-parent-watch", daemon=True).start()


def set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent exits; tell if it took.

    A parent that is already gone (this process was re-parented) is caught by the caller's
    parent-sentinel watch.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def set_process_name(name: str) -> bool:
    """Name this process ``name`` (at most 15 bytes, Linux ``PR_SET_NAME``); tell if it took."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def lower_priority(pid: int, niceness: int = LONG_NICE) -> None:
    """Raise ``pid``'s niceness to ``niceness`` (a process may always lower its children's
    priority); does nothing where it cannot."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except (AttributeError, OSError) as exc:
        log.debug("cannot lower the priority of %d: %s", pid, exc)


def worker_entry(store_path: str, conn) -> None:
    """The target of a query worker process: tie it to its parent, name it
    :data:`WORKER_PROCESS_NAME`, then run :func:`imtkg.query.worker.worker_main`."""
    tie_to_parent()
    set_process_name(WORKER_PROCESS_NAME)
    worker_main(store_path, conn)


def anonymous_rss(pid: int) -> int | None:
    """Bytes of ``pid``'s resident memory not backed by files (``/proc/PID/statm``: resident
    minus shared), so that the store's mapped files do not count; ``None`` where unreadable."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            fields = statm.read().split()
        return (int(fields[1]) - int(fields[2])) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return None


def set_data_limit(pid: int, limit: int | None) -> None:
    """Set ``pid``'s ``RLIMIT_DATA`` to ``limit`` bytes (``None``: unlimited); Linux only."""
    try:
        import resource

        value = resource.RLIM_INFINITY if limit is None else int(limit)
        resource.prlimit(pid, resource.RLIMIT_DATA, (value, value))
    except (ImportError, AttributeError, OSError, ValueError) as exc:
        log.debug("cannot set RLIMIT_DATA of %d: %s", pid, exc)


class _Worker:
    """A worker process and the parent's end of its pipe.

    ``target`` is called in the new process with ``args`` and the child's end of the pipe; it
    first sends ``("ready", None)`` (or ``("failed", message)``), then answers what it is sent
    until it receives ``None``. A query worker by default; the remote mode's guard workers
    (:mod:`imtkg.query.guard_pool`) reuse the class with a target of their own.
    """

    def __init__(
        self,
        context: ProcessContext,
        *args: object,
        target: Callable[..., None] = worker_entry,
        name: str = "imtkg-query",
    ) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=target, args=(*args, child), name=name, daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.long = False  # running a long query (see WorkerPoolEngine._turn_long)
        self._poller: select.poll | None = None

    def answer_ready(self, timeout: float) -> bool:
        """Tell whether the worker's answer can be read, waiting up to ``timeout`` seconds.

        The same as ``conn.poll(timeout)``, with a ``poll`` object made once per worker where
        the platform has one: multiprocessing makes a selector on every call, which cost the
        serving process a tenth of what a label lookup costs the worker.
        """
        if not hasattr(select, "poll"):
            return self.conn.poll(timeout)
        if self._poller is None:
            self._poller = select.poll()
            self._poller.register(self.conn.fileno(), select.POLLIN)
        return bool(self._poller.poll(max(0, math.ceil(timeout * 1000))))

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


def wait_all_ready(
    idle: queue.Queue[_Worker], size: int, timeout: float, names: tuple[str, str]
) -> None:
    """Take ``size`` workers from ``idle`` and wait until each has started; put them back.

    :param names: how the error names one worker and several ("a guard process", ...).
    :raises EngineFailure: when one is not available or not ready within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    taken: list[_Worker] = []
    try:
        for _ in range(size):
            worker = idle.get(timeout=max(0.0, deadline - time.monotonic()))
            taken.append(worker)
            if not worker.wait_ready(max(0.0, deadline - time.monotonic())):
                raise EngineFailure(f"{names[0]} did not start within {timeout:g} s")
    except queue.Empty as exc:
        raise EngineFailure(f"{names[1]} are not available") from exc
    finally:
        for worker in taken:
            idle.put(worker)


def _context() -> ProcessContext:
    """Return the forkserver context (preloading the worker module) or, where missing, spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # the forkserver imports the main module once (it must guard its code with
        # ``if __name__ == "__main__":``, as multiprocessing requires) and the worker code, so
        # that a fresh worker is a cheap fork of it
        context.set_forkserver_preload(
            ["__main__", "imtkg.query.worker", "imtkg.query.worker_pool"]
        )
        return context
    return multiprocessing.get_context("spawn")


def write_store(store: ox.Store, directory: Path) -> None:
    """Copy every quad of ``store`` into a new on-disk store at ``directory``, then close it."""
    target = ox.Store(str(directory))
    target.bulk_load(store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    target.flush()
    target.optimize()  # compacted files: faster reads for the workers (issue 15)
    del target
    gc.collect()  # release RocksDB's lock before the workers open the store read-only


class WorkerPoolEngine(QueryEngine):
    """A pool of query worker processes over one read-only on-disk store (the
    :class:`~imtkg.query.interface.QueryEngine` of ``STORE=memory`` and ``STORE=disk``).

    :param store_path: folder of an on-disk Oxigraph store no process writes to any more.
    :param workers: number of worker processes (concurrent queries).
    :param timeout: seconds a query may take, evaluation and serialisation included.
    :param row_limit: maximum rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in a result.
    :param byte_limit: approximate maximum size of a result body.
    :param owns_store: delete ``store_path`` on :meth:`close`.
    :param memory_mb: megabytes of memory a worker may use for a query (0: no ceiling).
    :param admitted: requests that may hold or wait for a worker at once (``None``: no bound).
    :param long_after: seconds after which a running query is long (see the module doc).
    :param long_queries: long queries that may run at once, each on an added worker (0: none
        is treated apart, a query keeps its worker until its time limit).
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
        memory_mb: int = int_setting(DEFAULTS, "QUERY_MEMORY_MB"),
        admitted: int | None = None,
        long_after: float = float_setting(DEFAULTS, "LONG_QUERY_AFTER"),
        long_queries: int = int_setting(DEFAULTS, "LONG_QUERIES"),
    ) -> None:
        super().__init__()
        self.store_path = Path(store_path)
        self.timeout = float(timeout)
        self.row_limit = int(row_limit)
        self.byte_limit = int(byte_limit)
        self.size = max(1, int(workers))
        self._owns_store = owns_store
        self._temp_dir: Path | None = None  # the folder from_store made, deleted on close
        self._context = _context()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()  # the pool: idle and busy workers, not the spare
        self._spare: _Worker | None = None
        self._started = False
        self.memory_limit = 0
        self.long_after = 0.5
        self.long_queries = 0
        self._long = 0  # long queries running, each on a worker added to the pool
        self.restarts = 0  # workers stopped after a query (killed or retired; read by /metrics)
        self.set_limits(admitted, memory_mb, long_after, long_queries)
        atexit.register(self.close)
        if start:
            self.start()

    def start(self, fork: bool = False) -> None:
        """Start the worker processes (once; done at creation unless ``start=False``).

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
        with self._lock:
            self._refill_spare_locked()

    @classmethod
    def from_store(cls, store: ox.Store, **kwargs) -> WorkerPoolEngine:
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

    def set_limits(
        self,
        admitted: int | None = None,
        memory_mb: int | None = None,
        long_after: float | None = None,
        long_queries: int | None = None,
    ) -> None:
        """Set the engine's bounds; ``None`` leaves one unchanged.

        :param admitted: requests inside the engine (holding or waiting for a worker).
        :param memory_mb: megabytes a worker may hold for a query (0: no ceiling); applies to
            running workers too.
        :param long_after: seconds after which a running query is long.
        :param long_queries: long queries run at once (0: the long-query lane is off).
        """
        super().set_limits(admitted)
        if long_after is not None:
            self.long_after = max(0.0, float(long_after))
        if long_queries is not None:
            self.long_queries = max(0, int(long_queries))
        if memory_mb is not None:
            self.memory_limit = max(0, int(memory_mb)) * 1024 * 1024
            with self._lock:
                workers = [*self._all, *([self._spare] if self._spare else [])]
            for worker in workers:
                self._apply_backstop(worker)

    def _apply_backstop(self, worker: _Worker) -> None:
        if worker.process.pid is not None and sys.platform.startswith("linux"):
            backstop = self.memory_limit * BACKSTOP_FACTOR if self.memory_limit else None
            set_data_limit(worker.process.pid, backstop)

    def _new_worker(self, context: ProcessContext | None = None) -> _Worker:
        worker = _Worker(context or self._context, str(self.store_path))
        self._apply_backstop(worker)
        return worker

    def _spawn(self, context: ProcessContext | None = None) -> None:
        worker = self._new_worker(context)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _refill_spare_locked(self) -> None:
        """Start the warm spare if there is none and the engine is open (lock held)."""
        if SPARE_WORKERS and self._spare is None and not self._closed:
            self._spare = self._new_worker()

    def _grow_locked(self) -> None:
        """Add a worker to the pool (lock held): the warm spare, ready at once if it had time
        to open the store, else a new one; then start the next spare."""
        worker, self._spare = self._spare, None
        if worker is None or not worker.process.is_alive():
            if worker is not None:
                worker.stop()  # a dead spare (killed from outside): nothing to wait for
            worker = self._new_worker()
        self._all.add(worker)
        self._idle.put(worker)
        self._refill_spare_locked()

    def _finish(self, worker: _Worker, reusable: bool) -> None:
        """Hand ``worker`` back after a query.

        It goes back to the idle workers when ``reusable`` (it answered) and the pool is not
        above its size (``workers`` plus the long queries running); otherwise it is stopped,
        and replaced when the pool would fall below that size. A worker that ran a long query
        always retires (it runs at a lower priority and may hold the memory it grew to): the
        worker added when its query turned long stays in its place.
        """
        with self._lock:
            if worker.long:
                self._long -= 1
            target = self.size + self._long
            keep = reusable and not worker.long and not self._closed
            keep = keep and len(self._all) <= target
            if not keep:
                self.restarts += 1
                # the replacement first, so that the engine never looks dead to /health
                if not self._closed and len(self._all) - 1 < target:
                    self._grow_locked()
                self._all.discard(worker)
        if keep:
            self._idle.put(worker)
        else:
            worker.stop()

    def _turn_long(self, worker: _Worker) -> None:
        """Make the query running on ``worker`` a long one: add a worker to the pool for the
        short queries and lower ``worker``'s priority.

        :raises _LaneFull: when ``long_queries`` long queries already run.
        """
        with self._lock:
            if self._closed:
                return
            if self._long >= self.long_queries:
                raise _LaneFull(self._long)
            self._long += 1
            worker.long = True
            self._grow_locked()
        if worker.process.pid is not None:
            lower_priority(worker.process.pid)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until every worker has opened the store.

        :raises EngineFailure: when a worker cannot start within ``timeout`` seconds.
        """
        wait_all_ready(self._idle, self.size, timeout, ("a query worker", "query workers"))

    @property
    def alive(self) -> bool:
        """Tell whether the engine is open and has live workers."""
        with self._lock:
            return not self._closed and any(w.process.is_alive() for w in self._all)

    def _answer(
        self,
        query: str,
        scope: QueryScope,
        result_format: str | None,
        graph_format: str | None,
        started: float,
        limit: float,
    ) -> EngineResult:
        """Run ``query`` in a worker (the wait for one counts against ``limit``)."""
        request = QueryRequest(
            query=query,
            scope=scope,
            result_format=result_format,
            graph_format=graph_format,
            row_limit=self.row_limit,
            byte_limit=self.byte_limit,
        )
        return self._run(request, started, started + limit, limit)

    def _queue_full_message(self, inside: int) -> str:
        """Say how many requests hold a worker and how many wait for one."""
        return (
            f"the server is at capacity: all {self.size} query workers are busy and "
            f"{max(0, inside - self.size)} more requests are waiting for one; try again shortly"
        )

    def _run(self, request: QueryRequest, start: float, deadline: float, limit: float):
        query = request.query
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty as exc:
            raise EngineBusy(
                f"all {self.size} query workers stayed busy for {limit:g} s; try again later"
            ) from exc
        if time.monotonic() >= deadline:
            self._idle.put(worker)
            raise EngineBusy(
                f"all {self.size} query workers stayed busy for {limit:g} s; try again later"
            )
        try:
            if not worker.wait_ready(max(0.0, deadline - time.monotonic())):
                raise _Stuck()
            worker.conn.send(request)
            reply = self._await_reply(worker, deadline)
        except _LaneFull as full:
            log.warning(
                "query stopped after %.1f s, LONG_QUERIES=%d already running: %.200r",
                self.long_after,
                full.running,
                query,
            )
            self._finish(worker, reusable=False)
            raise LongQueriesBusy(long_lane_full_message(full.running, self.long_after)) from None
        except _OverMemory as over:
            log.warning("query stopped at %d MB of memory: %.200r", over.used >> 20, query)
            self._finish(worker, reusable=False)
            raise QueryMemoryLimit(
                f"the query needed more than the {self.memory_limit >> 20} MB memory limit of "
                "a query worker (setting QUERY_MEMORY_MB) and was stopped"
            ) from None
        except _Stuck:
            log.warning("query stopped after %.1f s: %.200r", limit, query)
            self._finish(worker, reusable=False)
            raise QueryTimeout(
                f"the query exceeded the {limit:g}-second time limit and was stopped"
            ) from None
        except (EOFError, OSError, EngineFailure) as exc:
            died_of_memory = self._ran_out_of_memory(worker)
            log.error("query worker failed: %s", str(exc) or type(exc).__name__)
            self._finish(worker, reusable=False)
            if died_of_memory:
                raise QueryMemoryLimit(
                    f"the query needed more than the {self.memory_limit >> 20} MB memory limit "
                    "of a query worker (setting QUERY_MEMORY_MB) and was stopped"
                ) from None
            raise EngineFailure("the query worker failed; please try again") from None
        self._finish(worker, reusable=True)
        duration_ms = (time.monotonic() - start) * 1000
        return result_from_reply(reply, duration_ms)

    def _await_reply(self, worker: _Worker, deadline: float) -> tuple:
        """Wait for the worker's answer until ``deadline``, watching its memory meanwhile and
        making the query long once it has run ``long_after`` seconds (:meth:`_turn_long`).

        :raises _Stuck: at the deadline. :raises _OverMemory: past the memory limit.
        :raises _LaneFull: turning long while ``long_queries`` long queries already run.
        """
        pid = worker.process.pid
        turns_long = time.monotonic() + self.long_after if self.long_queries else None
        while True:
            now = time.monotonic()
            remaining = deadline - now
            if remaining <= 0:
                raise _Stuck()
            wait = min(remaining, WATCH_INTERVAL) if self.memory_limit else remaining
            if turns_long is not None:
                wait = min(wait, max(0.0, turns_long - now))
            if worker.answer_ready(wait):
                return worker.conn.recv()
            if self.memory_limit and pid is not None:
                used = anonymous_rss(pid)
                if used is not None and used > self.memory_limit:
                    raise _OverMemory(used)
            if turns_long is not None and time.monotonic() >= turns_long:
                self._turn_long(worker)
                turns_long = None

    def _ran_out_of_memory(self, worker: _Worker) -> bool:
        """Tell whether a worker that died mid-query was stopped by its memory backstop (an
        allocation refused by RLIMIT_DATA aborts the Rust engine: SIGABRT)."""
        if not self.memory_limit:
            return False
        worker.process.join(1)
        return worker.process.exitcode == -signal.SIGABRT

    def close(self) -> None:
        """Stop the workers and delete the store if the engine owns it. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = [*self._all, *([self._spare] if self._spare else [])]
            self._all.clear()
            self._spare = None
        for worker in workers:
            try:
                if worker.process.is_alive():
                    worker.conn.send(None)
            except OSError:
                pass
            worker.stop()
        if self._owns_store:
            shutil.rmtree(self._temp_dir or self.store_path, ignore_errors=True)
        atexit.unregister(self.close)


class _Stuck(Exception):
    """The worker did not answer in time."""


class _LaneFull(Exception):
    """The query turned long while ``running`` long queries already ran (the most allowed)."""

    def __init__(self, running: int) -> None:
        super().__init__(running)
        self.running = running


def long_lane_full_message(running: int, long_after: float) -> str:
    """The message of :class:`LongQueriesBusy`: what happened and the settings behind it."""
    queries = "query" if running == 1 else "queries"
    return (
        f"this query ran longer than {long_after:g} s (setting LONG_QUERY_AFTER) while the "
        f"server was already running {running} long {queries}, the most it runs at once "
        "(setting LONG_QUERIES); it was stopped: try again shortly"
    )


class _OverMemory(Exception):
    """The worker went past the memory limit; ``used`` is what it held (bytes)."""

    def __init__(self, used: int) -> None:
        super().__init__(used)
        self.used = used


def result_from_reply(reply: tuple, duration_ms: float) -> EngineResult:
    """Turn an answer tuple (:mod:`imtkg.query.worker`) into an :class:`EngineResult` or raise."""
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
