"""The hot path of ``/sparql``: the protocol's GET and POST answered without Flask's machinery.

Measured on the shipped graph (``bench/run.py``, distinct requests), Flask's request context,
routing, hooks and extensions (flask-cors, flask-compress) cost the serving process more than
running the query did. :class:`FastSparql` is a plain WSGI callable put in front of the Flask
app, under the same middlewares (:class:`imtkg.web.host_guard.HostGuard`, the response cache,
:class:`imtkg.web.body_limit.BodyLimit`). It answers ``GET`` and ``POST /sparql`` with the very
function the Flask view uses (:func:`imtkg.web.endpoints.sparql.protocol_answer`: the same
guard, engine, admission bound, negotiation by werkzeug, limits, ETags and error bodies), then
adds what Flask's extensions add to that view's answers:

* the CORS headers flask-cors sets with the app's settings (:data:`imtkg.web.app.CORS_EXPOSED`);
* compression as flask-compress does it (its own algorithm choice and compressors, the app's
  ``COMPRESS_*`` settings), and ``Vary: Accept-Encoding``;
* the access-log line (:func:`imtkg.web.access_log.log_request`).

Everything else goes to Flask: other paths and methods (``HEAD``, ``OPTIONS`` preflights, 405),
a ``GET`` without a query nor any parameter that goes only with one (the service description,
the workbench; a ``default-graph-uri`` without a query is a 400 answered here, as the view
answers it), and any request the fast path fails on unexpectedly is logged and answered 500 as
Flask's handler does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from imtkg.web.access_log import log_request
from imtkg.web.endpoints.sparql import ProtocolAnswer, protocol_answer
from imtkg.web.state import EXTENSION_KEY, ImtKgState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

#: the path the fast path answers
PATH = "/sparql"
_INTERNAL_ERROR = b"500 Internal Server Error: the error is logged on the server\n"


class _Compression:
    """Compression of answers as flask-compress does it for the Flask app (same settings)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        try:
            from flask_compress.flask_compress import (
                _choose_algorithm,
                _compress_data,
                _format,
            )
        except ImportError:  # another flask-compress: Flask's own path compresses instead
            self.available = False
            return
        self.available = True
        self._choose, self._compress = _choose_algorithm, _compress_data
        self.algorithms = _format(app.config["COMPRESS_ALGORITHM"])
        self.mimetypes = set(app.config["COMPRESS_MIMETYPES"])
        self.min_size = int(app.config["COMPRESS_MIN_SIZE"])

    def apply(self, environ: WSGIEnvironment, answer: ProtocolAnswer) -> None:
        """Compress ``answer``'s body in place when the client and the settings ask for it, and
        add ``Accept-Encoding`` to its ``Vary`` header."""
        headers = answer.headers
        for i, (name, value) in enumerate(headers):
            if name == "Vary":
                headers[i] = (name, f"{value}, Accept-Encoding")
                break
        else:
            headers.append(("Vary", "Accept-Encoding"))
        if not 200 <= answer.status < 300 or len(answer.body) < self.min_size:
            return
        media_type = headers[0][1].split(";")[0].strip() if headers else ""
        if media_type not in self.mimetypes:
            return
        chosen = self._choose(self.algorithms, environ.get("HTTP_ACCEPT_ENCODING", ""))
        if chosen is None:
            return
        answer.body = self._compress(self.app, answer.body, chosen)
        headers.append(("Content-Encoding", chosen))


class FastSparql:
    """WSGI middleware answering ``GET``/``POST /sparql`` queries (see the module doc).

    :param app: the Flask app's WSGI callable (everything else goes there).
    :param flask_app: the Flask app, for its settings and state.
    :param cors: the CORS headers flask-cors adds to the view's answers.
    """

    def __init__(
        self, app: WSGIApplication, flask_app: Flask, cors: Iterable[tuple[str, str]]
    ) -> None:
        self.app = app
        self.flask_app = flask_app
        self.cors = list(cors)
        self.max_age = int(flask_app.config["CACHE_MAX_AGE"])
        self.max_body = flask_app.config.get("MAX_CONTENT_LENGTH")
        self.compression = _Compression(flask_app)

    @property
    def state(self) -> ImtKgState:
        """The app's state (engine, dataset version)."""
        state: ImtKgState = self.flask_app.extensions[EXTENSION_KEY]
        return state

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") not in ("GET", "POST")
            or not self.compression.available
        ):
            return self.app(environ, start_response)
        started = time.perf_counter()
        request = Request(environ)
        request.max_content_length = self.max_body
        try:
            answer = protocol_answer(request, self.state, self.max_age)
        except HTTPException as exc:  # werkzeug's refusal of a request (a form too large...)
            message = f"{exc.code} {exc.name}: {exc.description}\n".encode()
            answer = ProtocolAnswer(
                exc.code or 400, [("Content-Type", "text/plain; charset=utf-8")], message
            )
        except Exception:  # noqa: BLE001 - answered as Flask's handler answers it
            log.exception("unhandled error")
            answer = ProtocolAnswer(
                500, [("Content-Type", "text/plain; charset=utf-8")], _INTERNAL_ERROR
            )
        if answer is None:  # the service description or the workbench: Flask's view
            return self.app(environ, start_response)
        log_request(environ, answer.status, answer.headers, len(answer.body), answer.query, started)
        self.compression.apply(environ, answer)
        headers = answer.headers
        if answer.status != 304:
            headers.insert(1, ("Content-Length", str(len(answer.body))))
        headers += self.cors
        start_response(f"{answer.status} {_reason(answer.status)}", headers)
        return [answer.body]


def _reason(status: int) -> str:
    """The reason phrase of ``status`` (werkzeug's table, as Flask's answers carry)."""
    return HTTP_STATUS_CODES.get(status, "Unknown").upper()
