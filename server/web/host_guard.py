"""Answer only the hosts the server is for (``ALLOWED_HOSTS``): WSGI middleware in front of the app.

The ``Host`` header is chosen by the client. Where no ``PUBLIC_BASE`` is set, documents name
the request's address (:func:`imtkg.web.linked_data.served_base`); ``ALLOWED_HOSTS`` (Django's
setting of that name, Flask's ``TRUSTED_HOSTS``) limits it to the names the server is really
reached by. The check is werkzeug's (:func:`werkzeug.wsgi.get_host` with trusted hosts:
``kg.example.org`` matches that name, ``.example.org`` it and its subdomains, ports are ignored),
made before the response cache so that a refused host never reaches a cache either.

Whether or not hosts are listed, a missing ``Host`` is read the way HTTP says: an HTTP/1.1
request without one is refused with 400 (RFC 9112, section 3.2), an HTTP/1.0 one is answered
for the address the server listens on (werkzeug's fallback to ``SERVER_NAME``). granian passes
a missing header as an empty ``HTTP_HOST``, which is treated as missing. A value werkzeug does
not read as a host name (``a/b``, ``a b``) is refused with 400 too: the app would otherwise name
itself ``http:///``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

if TYPE_CHECKING:  # the standard library's WSGI types (PEP 3333), for type checkers only
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: characters of a refused Host value repeated in the answer
_SHOWN = 100


def parse_allowed_hosts(value: object) -> list[str]:
    """Return the host patterns of an ``ALLOWED_HOSTS`` value (comma-separated text or a list)."""
    if not value:
        return []
    if not isinstance(value, (str, Iterable)):
        raise TypeError(f"ALLOWED_HOSTS is {value!r}, not text or a list of hosts")
    items = value.split(",") if isinstance(value, str) else [str(item) for item in value]
    return [item.strip().lower() for item in items if item and item.strip()]


class HostGuard:
    """WSGI middleware refusing requests whose ``Host`` is missing or not allowed (module doc).

    :param app: the WSGI application.
    :param allowed: host patterns; empty: any host is answered.
    :param headers: headers added to the refusals (CORS, so that a page's script can read them).
    """

    def __init__(
        self, app: WSGIApplication, allowed: Sequence[str], headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        self.app = app
        self.allowed = list(allowed)
        self.headers = list(headers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        given = environ.get("HTTP_HOST", "").strip()
        if given:
            # host names compare without case (RFC 3986, section 3.2.2); werkzeug's check of
            # the characters reads lower case only
            environ["HTTP_HOST"] = given.lower()
        else:
            environ.pop("HTTP_HOST", None)
            if environ.get("SERVER_PROTOCOL") == "HTTP/1.1":
                return self.refuse(start_response, "an HTTP/1.1 request must have a Host header")
        shown = str(environ.get("HTTP_HOST", environ.get("SERVER_NAME", "")))[:_SHOWN]
        try:
            host = get_host(environ, self.allowed or None)
        except SecurityError:
            return self.refuse(
                start_response, f"this server does not answer for host {shown!r} (ALLOWED_HOSTS)"
            )
        if not host:  # werkzeug reads a value that is no host name as none
            return self.refuse(start_response, f"{shown!r} is not a host name (Host header)")
        return self.app(environ, start_response)

    def refuse(self, start_response: StartResponse, reason: str) -> list[bytes]:
        """Answer 400 with ``reason``, marked not to be stored by any cache."""
        body = f"400 Bad Request: {reason}\n".encode()
        start_response(
            "400 Bad Request",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                *self.headers,
            ],
        )
        return [body]
