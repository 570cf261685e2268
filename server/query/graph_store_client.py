"""A client of the SPARQL 1.1 Graph Store HTTP Protocol: replace or delete one named graph.

Graphs are named by indirect identification (``?graph=<IRI>``), as every engine supports
(Oxigraph's endpoint is ``/store``, Fuseki's ``/<dataset>/data``, GraphDB's
``/repositories/<id>/rdf-graphs/service``). ``PUT`` replaces a graph, so pushing twice is the
same as pushing once.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from urllib.parse import quote

import pyoxigraph as ox
import urllib3

from imtkg import __version__
from imtkg.core.errors import ImtKgError

log = logging.getLogger(__name__)

NTRIPLES = "application/n-triples"
#: graphs up to this size are serialised in memory, larger ones in a temporary file
SPOOL_BYTES = 64 * 1024 * 1024


class GraphStoreError(ImtKgError):
    """The engine refused or failed a Graph Store Protocol request."""


class GraphStoreClient:
    """Replace and delete named graphs of an engine over the Graph Store Protocol.

    :param url: the engine's Graph Store Protocol endpoint.
    :param timeout: seconds one request may take (a large graph takes a while to index).
    """

    def __init__(self, url: str, timeout: float = 600.0) -> None:
        self.url = url
        self.timeout = float(timeout)
        self._http = urllib3.PoolManager(
            retries=False, headers={"User-Agent": f"imtkg/{__version__}"}
        )

    def graph_url(self, graph: str) -> str:
        """Return the URL of ``graph`` (indirect identification)."""
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}graph={quote(graph, safe='')}"

    def put(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace the content of ``graph`` with ``triples``; return the HTTP status.

        :raises GraphStoreError: when the engine cannot be reached or does not accept them.
        """
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
            ox.serialize(triples, output=body, format=ox.RdfFormat.N_TRIPLES)
            length = body.tell()
            body.seek(0)
            return self._request(
                "PUT",
                graph,
                body=body,
                headers={"Content-Type": NTRIPLES, "Content-Length": str(length)},
                ok=(200, 201, 204),
            )

    def delete(self, graph: str) -> int:
        """Delete ``graph``; a graph that is already missing is fine. Return the HTTP status."""
        return self._request("DELETE", graph, ok=(200, 204, 404))

    def _request(self, method: str, graph: str, ok: tuple[int, ...], **kwargs) -> int:
        try:
            response = self._http.request(
                method, self.graph_url(graph), timeout=self.timeout, **kwargs
            )
        except urllib3.exceptions.HTTPError as exc:
            raise GraphStoreError(f"{method} <{graph}> to {self.url} failed: {exc}") from None
        if response.status not in ok:
            text = response.data[:500].decode("utf-8", "replace").strip()
            raise GraphStoreError(
                f"{method} <{graph}> to {self.url} answered HTTP {response.status}: {text}"
            )
        return response.status
