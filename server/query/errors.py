"""The errors of the query engines: each one says why a query has no answer and carries the
HTTP status (and, for a busy engine, the ``Retry-After`` seconds) the server answers it with.

The worker pool (:mod:`imtkg.query.worker_pool`) and the remote engine (:mod:`imtkg.query.remote`)
raise the same errors, so the web layer answers both alike.
"""

from __future__ import annotations

from imtkg.core.errors import ImtKgError
from imtkg.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS


class QueryError(ImtKgError):
    """A query the engine did not answer; ``status`` is the HTTP status that says why.

    ``retry_after`` is the seconds a client should wait before trying again (set for a busy
    engine, ``None`` otherwise); :meth:`headers` turns it into the answer's headers.
    """

    status = 500
    retry_after: int | None = None

    def headers(self) -> dict[str, str]:
        """The HTTP headers an answer of this error carries (``Retry-After`` when it is set)."""
        return {} if self.retry_after is None else {"Retry-After": str(int(self.retry_after))}


class QuerySyntaxError(QueryError):
    """The query cannot be parsed; the message holds the parser's position and expectation."""

    status = 400


class QueryRefused(QueryError):
    """The query asks for something the endpoint does not do (e.g. ``SERVICE``)."""

    status = 400


class UnsupportedFeature(QueryError):
    """The query calls something the engine does not implement (e.g. an unknown function IRI)."""

    status = 400


class ReadOnlyError(QueryError):
    """The request is a SPARQL Update; the endpoint is read-only."""

    status = 403


class NotAcceptable(QueryError):
    """No acceptable format for the query's form; ``offered`` lists the media types there are."""

    status = 406

    def __init__(self, kind: str) -> None:
        self.kind = kind
        formats = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
        self.offered = [media_type for media_type, _ in formats.values()]
        what = "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
        super().__init__(
            f"no acceptable format for a {what} result; offered: {', '.join(self.offered)}"
        )


class QueryTimeout(QueryError):
    """The query ran past the time limit and was stopped."""

    status = 504


#: seconds a client told 503 (the engine is busy) is asked to wait before trying again
RETRY_AFTER_SECONDS = 2


class EngineBusy(QueryError):
    """No worker became free within the time limit (503 with ``Retry-After``)."""

    status = 503
    retry_after = RETRY_AFTER_SECONDS


class EngineQueueFull(EngineBusy):
    """So many requests already hold or wait for a query worker that one more is refused."""


class LongQueriesBusy(EngineBusy):
    """The query ran long while the most long queries the engine runs at once already ran;
    it was stopped."""


class QueryMemoryLimit(QueryError):
    """The query needed more memory than a query worker may use; it was stopped.

    422: the request is well formed but asks for more than this server does for one query
    (retrying it will not help, unlike a 503)."""

    status = 422


class EngineQueryFailure(QueryError):
    """The remote SPARQL engine failed on the query with an error of its own that is not a
    syntax error (an internal error of its compiler, a feature it lacks): 502, the message names
    the engine and quotes its message."""

    status = 502


class EngineFailure(QueryError):
    """A worker failed unexpectedly (its message is logged, not shown)."""

    status = 500
