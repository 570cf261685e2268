"""Serve the app with granian, a Rust HTTP server speaking WSGI (HTTP/1.1 here).

Why granian: waitress parses HTTP and schedules requests in Python, which costs about 0.35 ms
a request here (2,800 requests/s at most for an empty answer on 2 cores, measured with
``bench/loadgen.py``), more than Oxigraph needs to answer a label lookup; granian does that
part in Rust (11,000 requests/s for the same empty answer) and runs the app in a pool of
Python threads. It is maintained and on PyPI with wheels for the usual platforms.
``HTTP_SERVER=waitress`` keeps the pure-Python server.

It speaks HTTP/1.1 only: in granian's ``auto`` mode (HTTP/1.1 or cleartext HTTP/2) a
connection that sends nothing is never timed out, since the protocol is not known yet, so a
client could hold file descriptors for ever (measured with granian 2.8); in HTTP/1.1 mode the
header timeout (``HEADER_TIMEOUT``) closes it. Browsers use HTTP/2 only over TLS, which a
proxy in front terminates anyway.

granian runs the app in a worker process it starts by forking this one once the app is
built, so everything the app loaded (the store's manifest, the validation outcome, imports)
is shared; only the query workers are started in that process, before it serves
(:meth:`imtkg.query.interface.QueryEngine.start`), because a pool of processes belongs to the
process that uses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import Flask

from imtkg.query.worker_pool import set_parent_death_signal
from imtkg.web.response_cache import read_whole
from imtkg.web.state import EXTENSION_KEY, ImtKgState

log = logging.getLogger("imtkg.cli.serve")

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


#: bodies up to this size are handed to granian in one piece (see :func:`whole_bodies`)
WHOLE_BODY_LIMIT = 1024 * 1024


def whole_bodies(wsgi_app: WsgiApp, limit: int = WHOLE_BODY_LIMIT) -> WsgiApp:
    """Wrap ``wsgi_app`` so that a body of known length up to ``limit`` bytes is returned as a
    one-item list.

    granian sends a list's bytes in one call, but walks any other iterable (Flask's) from Rust
    one item at a time, taking the GIL for each: measured here, that walk was half of the
    serving process's time under load. Streamed bodies (no ``Content-Length``, or longer than
    ``limit``: the dumps) are passed through as they are.
    """

    def call(environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = ""

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            nonlocal length
            for name, value in headers:
                if name.lower() == "content-length":
                    length = value
            return start_response(status, headers, exc_info)

        body = wsgi_app(environ, capture)
        if isinstance(body, list) or not length.isdigit() or int(length) > limit:
            return body
        return [read_whole(body)]

    return call


def serving_app(app: Flask) -> WsgiApp:
    """Start the app's query engine in this (serving) process; return its WSGI callable.

    The serving process dies with granian's main process (``PR_SET_PDEATHSIG`` on Linux), and
    the query workers with it (:func:`imtkg.query.worker_pool.tie_to_parent`): a ``kill -9`` of
    ``imtkg serve`` leaves no process holding the port or the store.
    """
    import signal
    import sys

    if sys.platform.startswith("linux"):
        set_parent_death_signal(signal.SIGKILL)
    state: ImtKgState = app.extensions[EXTENSION_KEY]
    state.engine.start(fork=True)
    state.engine.wait_ready()
    return whole_bodies(app)


class _IntendedThreadCount(logging.Filter):
    """Drop granian's advice against more app threads than cores: ours mostly wait for query
    workers (with the GIL released), so ``THREADS`` above the core count is intended."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads, which seems quite high" not in record.getMessage()


def run_granian(
    app: Flask,
    host: str,
    port: int,
    threads: int,
    header_timeout: float = 10.0,
    max_connections: int = 1000,
) -> None:
    """Serve ``app`` on ``host:port`` until SIGINT or SIGTERM, with ``threads`` app threads.

    The app's engine must not be started yet (``create_app(..., start_engine=False)``).

    :param header_timeout: seconds a client has to send a request's headers (granian's HTTP/1
        ``header_read_timeout``); a slow-header client is then disconnected.
    :param max_connections: requests granian handles at once (its ``backpressure``); more
        wait in the listen backlog.
    """
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    server = Server(
        "imtkg.web.app:create_app",  # a name for granian's logs; the app is handed over below
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=max(1, threads),
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(header_timeout * 1000)),
        backpressure=max(1, int(max_connections)),
        log_enabled=True,
        log_level=LogLevels.warning,
    )
    logging.getLogger("_granian").addFilter(_IntendedThreadCount())
    server.serve(target_loader=lambda: serving_app(app), wrap_loader=False)
