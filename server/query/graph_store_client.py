"""A client of the SPARQL 1.1 Graph Store HTTP Protocol: replace or delete one named graph.

Graphs are named by indirect identification (``?graph=<IRI>``), as every engine supports
(Oxigraph's endpoint is ``/store``, Fuseki's ``/<dataset>/data``, GraphDB's
``/repositories/<id>/rdf-graphs/service``, Virtuoso's ``/sparql-graph-crud-auth``). ``PUT``
replaces a graph, so pushing twice is the same as pushing once.

An engine whose write endpoint asks for authentication gets the :class:`Credentials` given, in
the scheme its challenge names (``WWW-Authenticate``): HTTP Digest (RFC 7616; Virtuoso's) or
Basic (RFC 7617; Fuseki's and GraphDB's usual set-up). Both are ``requests``' own
implementations: its ``HTTPDigestAuth`` counts nonces, reuses the engine's challenge for the
following requests and rewinds a file body to answer a challenge. The password is never logged,
never put in a message and never shown by ``repr``.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import quote

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from imtkg import __version__
from imtkg.core.errors import ImtKgError

log = logging.getLogger(__name__)

NTRIPLES = "application/n-triples"
#: graphs up to this size are serialised in memory, larger ones in a temporary file
SPOOL_BYTES = 64 * 1024 * 1024


class GraphStoreError(ImtKgError):
    """The engine refused or failed a Graph Store Protocol request."""


@dataclass(frozen=True)
class Credentials:
    """A user name and its password for the engine's write endpoint (the password never shows
    in ``repr``)."""

    user: str
    password: str = field(repr=False)


def auth_for(challenge: str, credentials: Credentials) -> AuthBase | None:
    """Return the authentication the engine's ``WWW-Authenticate`` challenge asks for.

    Digest is preferred when the engine offers both; ``None`` when it offers neither.
    """
    schemes = challenge.lower()
    if "digest" in schemes:
        return HTTPDigestAuth(credentials.user, credentials.password)
    if "basic" in schemes:
        return HTTPBasicAuth(credentials.user, credentials.password)
    return None


def scheme_of(challenge: str) -> str:
    """Name the first authentication scheme of a ``WWW-Authenticate`` header (for messages)."""
    return challenge.strip().split(" ", 1)[0] or "an unnamed"


class GraphStoreClient:
    """Replace and delete named graphs of an engine over the Graph Store Protocol.

    :param url: the engine's Graph Store Protocol endpoint.
    :param timeout: seconds one request may take (a large graph takes a while to index).
    :param credentials: the user and password to answer the engine's challenge with, if any.
    """

    def __init__(
        self, url: str, timeout: float = 600.0, credentials: Credentials | None = None
    ) -> None:
        self.url = url
        self.timeout = float(timeout)
        self.credentials = credentials
        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"imtkg/{__version__}"
        self._session.trust_env = False  # no proxy or .netrc from the environment

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
            # bytes can be sent again after a challenge; a large graph is on disk by now
            payload: bytes | IO[bytes] = body.read() if length <= SPOOL_BYTES else body
            return self._request(
                "PUT",
                graph,
                data=payload,
                headers={"Content-Type": NTRIPLES, "Content-Length": str(length)},
                ok=(200, 201, 204),
            )

    def delete(self, graph: str) -> int:
        """Delete ``graph``; a graph that is already missing is fine. Return the HTTP status."""
        return self._request("DELETE", graph, ok=(200, 204, 404))

    def close(self) -> None:
        """Close the connections to the engine."""
        self._session.close()

    def _request(self, method: str, graph: str, ok: tuple[int, ...], **kwargs) -> int:
        response = self._send(method, graph, **kwargs)
        challenge = response.headers.get("WWW-Authenticate", "")
        if response.status_code == 401 and self.credentials and self._session.auth is None:
            auth = auth_for(challenge, self.credentials)
            if auth is not None:  # the first challenge names the scheme; answer it from now on
                self._session.auth = auth
                response = self._send(method, graph, **kwargs)
                challenge = response.headers.get("WWW-Authenticate", challenge)
        if response.status_code == 401:
            raise GraphStoreError(self._refusal(method, challenge))
        if response.status_code not in ok:
            text = response.content[:500].decode("utf-8", "replace").strip()
            raise GraphStoreError(
                f"{method} <{graph}> to {self.url} answered HTTP {response.status_code}: {text}"
            )
        return response.status_code

    def _send(self, method: str, graph: str, **kwargs) -> requests.Response:
        data = kwargs.get("data")
        if hasattr(data, "seek"):
            data.seek(0)  # type: ignore[union-attr]  # a file body sent again
        try:
            return self._session.request(
                method, self.graph_url(graph), timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            raise GraphStoreError(f"{method} to {self.url} failed: {exc}") from None

    def _refusal(self, method: str, challenge: str) -> str:
        """Say why the engine answered 401, without the password."""
        scheme = scheme_of(challenge)
        if self.credentials is None:
            return (
                f"{self.url} asks for {scheme} authentication ({method} answered HTTP 401) and "
                "no user was given (imtkg push --user)"
            )
        if self._session.auth is None:
            return (
                f"{self.url} asks for {scheme} authentication, which imtkg push does not do "
                "(it does Digest and Basic)"
            )
        return (
            f"{self.url} refused the password of user {self.credentials.user!r} "
            f"({scheme} authentication, {method} answered HTTP 401): check the user name and "
            "the password"
        )
