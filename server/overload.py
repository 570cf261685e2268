"""Overload: how many requests may queue for the query workers, and ``Retry-After`` on a 503.

The HTTP server runs the app in ``THREADS`` threads shared by every request: ``/health``,
static files, answers from the response cache and requests that wait for a query worker. If
all of them may wait for a worker, a few slow queries leave no thread for the rest, and
``/health`` stops answering. So :func:`admitted_requests` lets fewer requests than there are
threads hold or wait for a worker (:meth:`imtkg.query_engine.QueryEngine.set_limits`), and the
engine refuses the next one at once with 503; :func:`with_retry_after` adds the
``Retry-After`` header such an answer should carry (RFC 9110, section 10.2.3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

log = logging.getLogger("imtkg.serve")

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]

#: seconds a client told 503 is asked to wait before trying again
RETRY_AFTER_SECONDS = 2
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


def with_retry_after(app: WsgiApp, seconds: int = RETRY_AFTER_SECONDS) -> WsgiApp:
    """Wrap ``app`` so that a 503 answer without ``Retry-After`` gets ``Retry-After: seconds``."""
    value = str(int(seconds))

    def call(environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            if status.startswith("503") and not any(
                name.lower() == "retry-after" for name, _ in headers
            ):
                headers = [*headers, ("Retry-After", value)]
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return call
