"""The SPARQL guard's Oxigraph parse in killable processes, bounded by the query's time limit.

In remote-store mode (:mod:`imtkg.query.remote`) no query worker runs the guard
(:func:`imtkg.rdf.sparql_guard.analyse`): the HTTP thread would. For a query that contains
``service`` or ``from`` the guard asks Oxigraph's parser, whose time grows far faster than the
text even within the guard's nesting and chain limits (a few lists nested 62 deep in a row take
seconds, ten of them minutes), and a thread stuck in Rust code cannot be stopped. So
:class:`GuardPool` runs that part in a small pool of processes, as the query workers run queries
(:class:`imtkg.query.worker_pool._Worker`, same multiprocessing context): a guard past the query's
time limit is answered like a query past it (:class:`~imtkg.query.errors.QueryTimeout`, 504),
its process killed and replaced. A guard process dies with its parent
(:func:`imtkg.query.worker_pool.tie_to_parent`) and has no network access
(:mod:`imtkg.query.sandbox`).

What needs no parse stays in the calling thread: a query with neither word (in its text or its
text with ``\\u`` escapes applied) is analysed there, without Oxigraph; the update check and the
nesting/chain limits (:func:`imtkg.rdf.sparql_guard.shape_refusal`, linear scans) run there first
for every query, so that a query they refuse never takes a guard process.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import re
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from imtkg.query.errors import EngineBusy, EngineFailure, QueryTimeout
from imtkg.query.sandbox import drop_network, network_dropped
from imtkg.query.worker_pool import (
    _context,
    _Worker,
    set_process_name,
    tie_to_parent,
    wait_all_ready,
)
from imtkg.rdf.sparql_guard import (
    QueryAnalysis,
    analyse,
    looks_like_update,
    shape_refusal,
    unescape,
)

if TYPE_CHECKING:
    from imtkg.query.worker_pool import ProcessContext

log = logging.getLogger(__name__)

#: the name a guard process gives itself (``/proc/PID/comm``, ``ps``, ``top``)
GUARD_PROCESS_NAME = "imtkg-guard"
#: the words after which :func:`imtkg.rdf.sparql_guard.uses_keyword` asks Oxigraph's parser, matched
#: as it matches them (ASCII letters in any case; not Unicode case folding, where "ſ" is an "s")
_PARSED_WORDS = re.compile("service|from", re.IGNORECASE | re.ASCII)


def needs_parse(query: str) -> bool:
    """Tell whether :func:`imtkg.rdf.sparql_guard.analyse` may ask Oxigraph's parser about
    ``query``: only when ``service`` or ``from`` is in its text or in its text with escapes
    applied."""
    return bool(_PARSED_WORDS.search(query) or _PARSED_WORDS.search(unescape(query)))


def pre_parse(query: str) -> QueryAnalysis | None:
    """Return what :func:`~imtkg.rdf.sparql_guard.analyse` decides before any parse (an update, or
    nesting or chains past the limits, in either reading of the text), or ``None`` to go on."""
    if looks_like_update(query):
        return QueryAnalysis(is_update=True, uses_service=False, has_dataset_clause=False)
    spec = unescape(query)
    for text in (query, spec) if spec != query else (query,):
        refusal = shape_refusal(text)
        if refusal:
            return QueryAnalysis(False, False, False, refusal)
    return None


def guard_entry(conn: Connection) -> None:
    """The target of a guard process: tie it to its parent, drop its network access, then
    answer each query text it is sent with ``("ok", QueryAnalysis)`` (or ``("error", text)``)
    until it is sent ``None``."""
    tie_to_parent()
    set_process_name(GUARD_PROCESS_NAME)
    # forked from a server, it would keep the server's handlers: SIGTERM must stop it at once
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    how = drop_network()
    if not network_dropped(how):
        log.warning("guard process keeps its network access (%s)", how)
    conn.send(("ready", None))
    while True:
        try:
            query = conn.recv()
        except (EOFError, OSError):
            return
        if query is None:
            return
        try:
            reply: tuple = ("ok", analyse(query))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which logs it
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


class _Stuck(Exception):
    """The guard process did not answer before the deadline."""


class GuardPool:
    """A fixed number of guard processes that run :func:`~imtkg.rdf.sparql_guard.analyse`.

    :param size: guard processes (queries whose guard parses at the same time).
    :param start: start them now; else :meth:`start` does, in the process that will use them.
        Until then a query that needs a parse is analysed in the calling thread (the server's
        own queries before it serves, e.g. reading the manifest before granian forks).
    """

    def __init__(self, size: int = 2, start: bool = True) -> None:
        self.size = max(1, int(size))
        self._lock = threading.Lock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._context: ProcessContext | None = None
        self._owner: int | None = None  # the process the guard processes belong to
        self._closed = False
        if start:
            self.start()

    @property
    def started(self) -> bool:
        """Tell whether this process has started its guard processes."""
        return self._owner == os.getpid()

    @property
    def idle(self) -> int:
        """Guard processes free for a query right now."""
        return self._idle.qsize() if self.started else 0

    def pids(self) -> list[int]:
        """The process ids of this process's guard processes (for ``ps``, logs and tests)."""
        with self._lock:
            workers = list(self._all) if self.started else []
        return sorted(w.process.pid for w in workers if w.process.pid is not None)

    def start(self, fork: bool = False) -> None:
        """Start the guard processes (once per process).

        :param fork: start them by forking this process (only while it runs one thread, as
            :meth:`imtkg.query.worker_pool.WorkerPoolEngine.start`); replacements come from the
            forkserver.
        """
        with self._lock:
            if self._closed or self.started:
                return
            # processes started by the process this one was forked from are not ours to use
            self._all, self._idle = set(), queue.Queue()
            self._owner = os.getpid()
            self._context = _context()
            context = multiprocessing.get_context("fork") if fork else self._context
            for _ in range(self.size):
                self._add_locked(context)
        atexit.register(self.close)

    def _add_locked(self, context: ProcessContext | None = None) -> None:
        context = context or self._context
        if context is None:
            raise EngineFailure("the guard processes are not started")
        worker = _Worker(context, target=guard_entry, name=GUARD_PROCESS_NAME)
        self._all.add(worker)
        self._idle.put(worker)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until every guard process is ready (nothing to wait for before :meth:`start`).

        :raises EngineFailure: when one is not within ``timeout`` seconds.
        """
        if not self.started:
            return
        wait_all_ready(self._idle, self.size, timeout, ("a guard process", "guard processes"))

    def analyse(self, query: str, deadline: float, limit: float) -> QueryAnalysis:
        """Analyse ``query`` as :func:`~imtkg.rdf.sparql_guard.analyse` does, by ``deadline``.

        :param deadline: ``time.monotonic()`` value by which the analysis must be done.
        :param limit: the query's time limit in seconds (for the messages).
        :raises QueryTimeout: when the parse runs past the deadline (its process is replaced).
        :raises EngineBusy: when no guard process becomes free before the deadline.
        :raises EngineFailure: when a guard process fails.
        """
        if not needs_parse(query):
            return analyse(query)  # no Oxigraph parse: linear scans only
        early = pre_parse(query)
        if early is not None:
            return early
        if self._closed:
            raise EngineBusy("the query engine is shut down")
        if not self.started:
            return analyse(query)  # before start: see the class doc
        return self._in_process(query, deadline, limit)

    def _in_process(self, query: str, deadline: float, limit: float) -> QueryAnalysis:
        busy = f"all {self.size} query guard processes stayed busy for {limit:g} s; try again later"
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise EngineBusy(busy) from None
        if time.monotonic() >= deadline:
            self._idle.put(worker)
            raise EngineBusy(busy)
        try:
            if not worker.wait_ready(max(0.0, deadline - time.monotonic())):
                raise _Stuck()
            worker.conn.send(query)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise _Stuck()
            status, value = worker.conn.recv()
        except _Stuck:
            log.warning("query stopped in its guard after %.1f s: %.200r", limit, query)
            self._replace(worker)
            raise QueryTimeout(
                f"the query exceeded the {limit:g}-second time limit and was stopped"
            ) from None
        except (EOFError, OSError, EngineFailure) as exc:
            log.error("guard process failed: %s", str(exc) or type(exc).__name__)
            self._replace(worker)
            raise EngineFailure("the query guard failed; please try again") from None
        self._idle.put(worker)
        if status != "ok":
            log.error("guard process error: %s", value)
            raise EngineFailure("internal error while checking the query")
        return value

    def _replace(self, worker: _Worker) -> None:
        """Start a fresh guard process in place of ``worker``, then stop ``worker``."""
        with self._lock:
            self._all.discard(worker)
            if not self._closed:
                self._add_locked()
        worker.stop()

    def close(self) -> None:
        """Stop the guard processes (this process's own). Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._all) if self.started else []
            self._all.clear()
        for worker in workers:
            try:
                if worker.process.is_alive():
                    worker.conn.send(None)
            except OSError:
                pass
            worker.stop()
        atexit.unregister(self.close)
