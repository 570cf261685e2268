"""One structured (JSON) access-log line per query request, on the ``imtkg.access`` logger."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask, Response, g, request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

log = logging.getLogger("imtkg.access")


def note_query(query: str) -> None:
    """Remember the request's query text for its log line (called by the protocol view)."""
    g.imtkg_query = query


def _start() -> None:
    g.imtkg_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("imtkg_started")
    if started is None:
        return response
    log_line(
        {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "bytes": response.calculate_content_length(),
            "media_type": response.mimetype,
            "remote": request.remote_addr,
        },
        g.get("imtkg_query"),
        response.headers.get,
    )
    return response


def log_line(
    record: dict[str, object], query: str | None, header: Callable[[str], str | None]
) -> None:
    """Complete ``record`` with the query's digest and length and the SPARQL headers the
    answer carries (read with ``header``), and log it as one JSON line."""
    if not log.isEnabledFor(logging.INFO):
        return
    if query is not None:
        record["query_sha256"] = hashlib.sha256(query.encode("utf-8")).hexdigest()[:16]
        record["query_length"] = len(query)
    for name in ("X-SPARQL-Rows", "X-SPARQL-Truncated"):
        value = header(name)
        if value is not None:
            record[name[2:].lower().replace("-", "_")] = value
    log.info(json.dumps(record, ensure_ascii=False))


def log_request(
    environ: WSGIEnvironment,
    status: int,
    headers: list[tuple[str, str]],
    length: int,
    query: str | None,
    started: float,
) -> None:
    """Log the line of a request answered outside Flask (:mod:`imtkg.web.fast_sparql`), with
    the fields :func:`init_access_log` gives Flask's answers."""
    if not log.isEnabledFor(logging.INFO):
        return
    found = dict(headers)
    content_type = found.get("Content-Type")
    log_line(
        {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "bytes": length,
            "media_type": content_type.split(";")[0].strip() if content_type else None,
            "remote": environ.get("REMOTE_ADDR"),
        },
        query,
        found.get,
    )


def init_access_log(app: Flask, blueprint_names: tuple[str, ...] = ("sparql",)) -> None:
    """Log one line per request to the given blueprints (the SPARQL endpoint by default)."""
    for name in blueprint_names:
        app.before_request_funcs.setdefault(name, []).append(_start)
        app.after_request_funcs.setdefault(name, []).append(_finish)
