"""One structured (JSON) access-log line per query request, on the ``imtkg.access`` logger."""

from __future__ import annotations

import hashlib
import json
import logging
import time

from flask import Flask, Response, g, request

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
    query = g.get("imtkg_query")
    record = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "bytes": response.calculate_content_length(),
        "media_type": response.mimetype,
        "remote": request.remote_addr,
    }
    if query is not None:
        record["query_sha256"] = hashlib.sha256(query.encode("utf-8")).hexdigest()[:16]
        record["query_length"] = len(query)
    for header in ("X-SPARQL-Rows", "X-SPARQL-Truncated"):
        if header in response.headers:
            record[header[2:].lower().replace("-", "_")] = response.headers[header]
    log.info(json.dumps(record, ensure_ascii=False))
    return response


def init_access_log(app: Flask, blueprint_names: tuple[str, ...] = ("sparql",)) -> None:
    """Log one line per request to the given blueprints (the SPARQL endpoint by default)."""
    for name in blueprint_names:
        app.before_request_funcs.setdefault(name, []).append(_start)
        app.after_request_funcs.setdefault(name, []).append(_finish)
