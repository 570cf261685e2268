"""An in-process HTTP cache of the app's own public responses (WSGI middleware).

The served data does not change while the server runs, and the app already marks what may be
reused: a result of ``GET /sparql`` (or a linked-data page) carries ``Cache-Control: public,
max-age=N``, a strong-enough ETag and ``Vary``. This middleware is the shared cache RFC 9111
describes, placed in the server process so that a repeated request costs a dictionary lookup
instead of a trip through Flask, the query guard, a worker process and a serialiser:

* it **stores** a ``200`` answer to a ``GET`` when the response says ``public`` with a positive
  ``max-age`` (never ``no-store``, ``private`` or ``no-cache``), sets no cookie, has a
  ``Content-Length`` of at most ``max_entry_bytes``, and varies only on request headers the key
  holds (:data:`KEY_HEADERS`); entries are evicted least-recently-used beyond ``max_bytes``;
* it **answers** a request from a stored response while it is fresh (``Age`` < ``max-age``),
  adding ``Age`` (RFC 9111, section 5.1) and ``X-Cache: hit``;
* it **passes** to the app any request that is not a plain ``GET``, that is conditional
  (``If-None-Match``, ``If-Modified-Since``: the app answers ``304`` itself, without a query) or
  that asks for a fresh answer (``Cache-Control: no-cache``/``no-store``/``max-age=0`` or
  ``Pragma: no-cache``), so a client (or the benchmark) can always make the query run.

The ``Host`` header is part of the key only when the app's answers depend on it (no
``PUBLIC_BASE``: documents name the request's address), so that one host's answer is never
served to another; the entries of at most ``max_hosts`` hosts are kept then (those of the least
recently used host are dropped for a new one), so that requests with ever new ``Host`` values
cannot fill the cache. With ``PUBLIC_BASE`` set, answers do not depend on it and all hosts share
the entries.

A hit still writes a line to the access log (``imtkg.access``) with ``"cache": "hit"``.
Nothing is stored for a remote store (``STORE=sparql:``), whose data may change behind us.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

if TYPE_CHECKING:  # the standard library's WSGI types (PEP 3333), for type checkers only
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("imtkg.access")

#: the request headers a cache key holds (a response varying on any other one is not stored)
KEY_HEADERS = ("accept", "accept-encoding", "accept-language", "origin")
_KEY_ENVIRON = tuple("HTTP_" + name.upper().replace("-", "_") for name in KEY_HEADERS)
#: paths whose hits are written to the access log, as the app logs them (the SPARQL endpoint)
LOGGED_PATHS = frozenset({"/sparql"})


@dataclass(frozen=True)
class CachedResponse:
    """A stored response: status, headers, body, when it was stored, how long it stays fresh."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    stored_at: float
    max_age: int
    #: what a hit's access-log line is made from (:func:`_log_start`'s arguments but the
    #: environ: path and query string), ``None`` for unlogged paths
    log_source: tuple[str, str, str, dict[str, str], int] | None

    @cached_property
    def log_fields(self) -> str | None:
        """The start of a hit's access-log line (a JSON object), made at the first hit: most
        stored answers (distinct queries) are never hit, and parsing the query string again to
        hash the query costs as much as the rest of storing it."""
        if self.log_source is None:
            return None
        path, query_string, status, headers, size = self.log_source
        return _log_start(path, query_string, status, headers, size)


def _directives(value: str) -> dict[str, str]:
    """Parse a ``Cache-Control`` value into lower-case directive -> argument ('' when none)."""
    out = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            out[name.lower()] = argument.strip().strip('"')
    return out


def wants_fresh_answer(environ: WSGIEnvironment) -> bool:
    """Tell whether the request must not be answered from the cache (RFC 9111, section 5.2.1)."""
    directives = _directives(environ.get("HTTP_CACHE_CONTROL", ""))
    if "no-cache" in directives or "no-store" in directives:
        return True
    if directives.get("max-age") == "0":
        return True
    return "no-cache" in environ.get("HTTP_PRAGMA", "").lower()


def read_whole(body: Iterable[bytes]) -> bytes:
    """Return the bytes of a WSGI body and close it, as a server must (PEP 3333)."""
    try:
        return b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def storable_max_age(status: str, found: dict[str, str], max_entry: int) -> int | None:
    """Return the freshness lifetime of a response that may be stored, else ``None``.

    :param found: the response's headers, by lower-case name.
    """
    if not status.startswith("200"):
        return None
    if "set-cookie" in found:
        return None
    try:
        length = int(found.get("content-length", ""))
    except ValueError:
        return None
    if length > max_entry:
        return None
    vary = {v.strip().lower() for v in found.get("vary", "").split(",") if v.strip()}
    if not vary <= set(KEY_HEADERS):
        return None
    directives = _directives(found.get("cache-control", ""))
    if "public" not in directives or {"no-store", "private", "no-cache"} & directives.keys():
        return None
    try:
        max_age = int(directives.get("max-age", "0"))
    except ValueError:
        return None
    return max_age if max_age > 0 else None


def _log_start(
    path: str, query_string: str, status: str, headers: dict[str, str], size: int
) -> str:
    """Return the opening of a hit's access-log line: the fields the app's line has
    (:mod:`imtkg.web.access_log`) that do not change from one hit to the next."""
    fields: dict = {
        "method": "GET",
        "path": path,
        "status": int(status[:3]),
        "bytes": size,
        "media_type": headers.get("content-type", "").split(";")[0].strip(),
    }
    for header in ("x-sparql-rows", "x-sparql-truncated"):
        if header in headers:
            fields[header[2:].replace("-", "_")] = headers[header]
    query = [v for k, v in parse_qsl(query_string) if k == "query"]
    if len(query) == 1:
        fields["query_sha256"] = hashlib.sha256(query[0].encode("utf-8")).hexdigest()[:16]
        fields["query_length"] = len(query[0])
    return json.dumps(fields, ensure_ascii=False)[:-1] + ", "


def _log_source(
    environ: WSGIEnvironment, status: str, headers: dict[str, str], size: int
) -> tuple[str, str, str, dict[str, str], int] | None:
    """Return what a hit's access-log line is made from, ``None`` for a path not logged."""
    path = environ.get("PATH_INFO", "")
    if path not in LOGGED_PATHS:
        return None
    return (path, environ.get("QUERY_STRING", ""), status, headers, size)


class ResponseCache:
    """WSGI middleware keeping the app's public ``GET`` responses in memory (see module doc).

    :param app: the WSGI application (Flask's ``wsgi_app``).
    :param max_bytes: total size of stored bodies before the least recently used are dropped.
    :param max_entry_bytes: the largest body stored.
    :param key_host: whether answers depend on the ``Host`` header (then part of the key).
    :param max_hosts: the hosts whose answers are kept at a time, when ``key_host``.
    """

    def __init__(
        self,
        app: WSGIApplication,
        max_bytes: int,
        max_entry_bytes: int = 1024 * 1024,
        key_host: bool = True,
        max_hosts: int = 16,
    ) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)
        self.max_entry_bytes = min(int(max_entry_bytes), self.max_bytes)
        self.key_host = key_host
        self.max_hosts = max(1, int(max_hosts))
        self._entries: OrderedDict[tuple, CachedResponse] = OrderedDict()
        #: host -> the keys stored for it, least recently used host first
        self._hosts: OrderedDict[str, set[tuple]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0  # lookups that found nothing fresh (read by /metrics)
        self.stores = 0

    def key(self, environ: WSGIEnvironment) -> tuple:
        """Return the cache key of a request: its URI (scheme, host when answers depend on it,
        path and query string) and the :data:`KEY_HEADERS` a response may vary on."""
        host = ""
        if self.key_host:
            host = environ.get("HTTP_HOST") or "{}:{}".format(
                environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT", "")
            )
        return (
            environ.get("wsgi.url_scheme", ""),
            host.lower(),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            *(environ.get(name, "") for name in _KEY_ENVIRON),
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or "HTTP_IF_NONE_MATCH" in environ
            or "HTTP_IF_MODIFIED_SINCE" in environ
            or wants_fresh_answer(environ)
        ):
            return self.app(environ, start_response)
        started = time.perf_counter()
        key = self.key(environ)
        entry = self._lookup(key)
        if entry is not None:
            return self._answer(entry, environ, start_response, started)
        return self._forward(key, environ, start_response)

    def _lookup(self, key: tuple) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            if time.monotonic() - entry.stored_at >= entry.max_age:
                self._drop(key)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            if key[1] in self._hosts:
                self._hosts.move_to_end(key[1])
            self.hits += 1
            return entry

    def _answer(
        self,
        entry: CachedResponse,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        started: float,
    ) -> list[bytes]:
        age = int(time.monotonic() - entry.stored_at)
        start_response(entry.status, [*entry.headers, ("Age", str(age)), ("X-Cache", "hit")])
        if entry.log_fields is not None and log.isEnabledFor(logging.INFO):
            # the line the app would write, with the fields known at storage time pre-encoded
            duration = round((time.perf_counter() - started) * 1000, 2)
            remote = json.dumps(environ.get("REMOTE_ADDR"))
            log.info(
                f'{entry.log_fields}"duration_ms": {duration}, "remote": {remote}, "cache": "hit"}}'
            )
        return [entry.body]

    def _forward(
        self, key: tuple, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        captured: dict = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body_iter = self.app(environ, capture)
        if "status" not in captured:
            return body_iter
        found = {name.lower(): value for name, value in captured["headers"]}
        max_age = storable_max_age(captured["status"], found, self.max_entry_bytes)
        if max_age is None:
            return body_iter
        body = read_whole(body_iter)
        if str(len(body)) == found.get("content-length"):  # else the app's length is wrong
            entry = CachedResponse(
                captured["status"],
                tuple(captured["headers"]),
                body,
                time.monotonic(),
                max_age,
                _log_source(environ, captured["status"], found, len(body)),
            )
            self._store(key, entry)
        return [body]

    def _store(self, key: tuple, entry: CachedResponse) -> None:
        with self._lock:
            if key in self._entries:
                self._drop(key)
            host = key[1]
            if host not in self._hosts and len(self._hosts) >= self.max_hosts:
                for old in list(self._hosts[next(iter(self._hosts))]):
                    self._drop(old)
            self._hosts.setdefault(host, set()).add(key)
            self._hosts.move_to_end(host)
            self._entries[key] = entry
            self._size += len(entry.body)
            self.stores += 1
            while self._size > self.max_bytes and self._entries:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple) -> None:
        entry = self._entries.pop(key)
        self._size -= len(entry.body)
        keys = self._hosts.get(key[1])
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._hosts[key[1]]

    @property
    def size(self) -> int:
        """Bytes of bodies stored now."""
        return self._size

    @property
    def hosts(self) -> int:
        """Distinct hosts whose answers are stored now (1 at most when answers do not vary)."""
        return len(self._hosts)

    def __len__(self) -> int:
        return len(self._entries)
