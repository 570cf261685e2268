"""Refuse request bodies over ``MAX_BODY`` bytes with a 413 that names the limit (WSGI middleware).

A body announced by ``Content-Length`` is refused before it is read. A chunked body (no
``Content-Length``) is read up to one byte past the limit: over it, the answer is the same
413; within it, the app gets the body as a stream of known length. This does not rely on the
HTTP server: werkzeug, given a chunked body longer than ``MAX_CONTENT_LENGTH`` by a server that
terminates the input (granian), returns it cut at the limit without an error, and the app would
then answer a query it was not sent.

The 413 is answered here, outside Flask, so the headers every answer of the app carries for
browsers (CORS, :mod:`imtkg.web.app`) are given to the middleware: a page's script that posts too
large a query can then read why it was refused.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the standard library's WSGI types (PEP 3333), for type checkers only
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class BodyLimit:
    """WSGI middleware refusing bodies over ``max_body`` bytes (see the module doc).

    :param headers: headers added to the 413 (CORS).
    """

    def __init__(
        self, app: WSGIApplication, max_body: int, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        self.app = app
        self.max_body = int(max_body)
        self.headers = list(headers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH", "")
        if length.strip():
            if length.strip().isdigit() and int(length) > self.max_body:
                return self.too_large(start_response)
            return self.app(environ, start_response)
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = read_at_most(environ["wsgi.input"], self.max_body + 1)
            if len(body) > self.max_body:
                return self.too_large(start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def too_large(self, start_response: StartResponse) -> list[bytes]:
        """Answer 413, naming the limit (the server deals with the unread rest of the body)."""
        body = (
            f"413 Request Entity Too Large: the request body exceeds the limit of "
            f"{self.max_body} bytes (MAX_BODY)\n"
        ).encode()
        start_response(
            "413 Request Entity Too Large",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                *self.headers,
            ],
        )
        return [body]


def read_at_most(stream, size: int) -> bytes:
    """Read from ``stream`` until ``size`` bytes or its end, whichever comes first."""
    parts, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
