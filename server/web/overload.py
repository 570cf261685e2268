"""Overload: how many requests may queue for the query workers, and the engine's other bounds.

The HTTP server runs the app in ``THREADS`` threads shared by every request: ``/health``,
static files, answers from the response cache and requests that wait for a query worker. If
all of them may wait for a worker, a few slow queries leave no thread for the rest, and
``/health`` stops answering. So :func:`admitted_requests` lets fewer requests than there are
threads hold or wait for a worker (:meth:`imtkg.query.interface.QueryEngine.set_limits`), and the
engine refuses the next one at once with 503.

:func:`apply_limits` sets these bounds, a query's memory and the long-query lane from the app's
settings; :func:`imtkg.web.app.create_app` calls it, so every app has them, whichever server runs
it. The ``Retry-After`` of a 503 (RFC 9110, section 10.2.3) is set where the answer is made,
from the error (:meth:`imtkg.query.errors.QueryError.headers`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from imtkg.core.config import float_setting, int_setting
from imtkg.query.interface import QueryEngine

log = logging.getLogger("imtkg.cli.serve")

#: app threads kept out of the query queue (for /health, static files, cached answers)
FREE_THREADS = 2


def admitted_requests(threads: int, workers: int, queue: int | None = None) -> int:
    """Return how many requests may hold or wait for a query worker at once.

    :param threads: the HTTP server's app threads.
    :param workers: query worker processes.
    :param queue: requests allowed to wait (setting ``QUERY_QUEUE``); by default what leaves
        :data:`FREE_THREADS` threads free. Whatever is asked, at least one thread stays free
        (when there are two or more) and at least one request is admitted.
    """
    threads, workers = max(1, int(threads)), max(1, int(workers))
    if queue is None:
        queue = threads - workers - FREE_THREADS
    wanted = workers + max(0, int(queue))
    admitted = max(1, min(wanted, threads - 1))
    if admitted < wanted:
        log.warning(
            "only %d requests may hold or wait for a query worker (%d asked): %d app threads "
            "must keep one free for /health and cached answers",
            admitted,
            wanted,
            threads,
        )
    return admitted


def apply_limits(engine: QueryEngine, settings: Mapping[str, object]) -> None:
    """Bound ``engine`` by the settings: the requests that may hold or wait for a query worker
    (:func:`admitted_requests` of ``THREADS``, the engine's size and ``QUERY_QUEUE``), a
    query's memory (``QUERY_MEMORY_MB``) and the long queries (``LONG_QUERY_AFTER``,
    ``LONG_QUERIES``)."""
    queue = None if settings.get("QUERY_QUEUE") is None else int_setting(settings, "QUERY_QUEUE")
    admitted = admitted_requests(int_setting(settings, "THREADS"), engine.size, queue)
    engine.set_limits(
        admitted=admitted,
        memory_mb=int_setting(settings, "QUERY_MEMORY_MB"),
        long_after=float_setting(settings, "LONG_QUERY_AFTER"),
        long_queries=int_setting(settings, "LONG_QUERIES"),
    )
