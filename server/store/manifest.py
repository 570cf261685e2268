"""What a built store holds: the input digest, the code version, the graphs and their sizes.

A store that outlives the process (an on-disk Oxigraph store, a remote engine loaded by
``imtkg push``, bulk-load files) carries a :class:`DatasetManifest`:

* as ``manifest.json`` next to an on-disk store or in a bulk-load folder;
* as one JSON literal in the hidden graph :data:`imtkg.store.oxigraph_store.MANIFEST_GRAPH` of a
  remote engine, so that every front-end replica reads the same dataset version (its ETags agree)
  and the list of graphs without counting them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import pyoxigraph as ox

from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.data.version import DatasetVersion
from imtkg.store.oxigraph_store import ASSERTED_UNION, INTERNAL_GRAPHS, MANIFEST_GRAPH

#: the layout version of the stores this code builds; a store with another one is rebuilt
FORMAT = 1
#: the predicate of the manifest's JSON literal in :data:`MANIFEST_GRAPH`
MANIFEST_PREDICATE = MANIFEST_GRAPH + "#json"


class ManifestError(ImtKgError):
    """A manifest that cannot be read (missing fields, wrong types, not JSON)."""


@dataclass(frozen=True)
class DatasetManifest:
    """The description of a built store.

    :param digest: the dataset version's digest (input files and code version), as in ETags.
    :param last_modified: ISO 8601 time of the newest input file.
    :param code_version: the ``imtkg`` version that built the store.
    :param reasoned: the store holds the inferred graph.
    :param validation: ``valid``, ``invalid`` or ``not validated`` (SHACL, at build time).
    :param graphs: every graph loaded (the hidden union included) -> number of triples.
    :param built: ISO 8601 time of the build.
    :param format: the store layout version (:data:`FORMAT`).
    :param files: an on-disk store's files -> their sizes in bytes (empty elsewhere).
    """

    digest: str
    last_modified: str
    code_version: str
    reasoned: bool
    validation: str
    graphs: dict[str, int] = field(default_factory=dict)
    built: str = ""
    format: int = FORMAT
    files: dict[str, int] = field(default_factory=dict)

    @property
    def version(self) -> DatasetVersion:
        """The dataset version behind the server's ETags and Last-Modified."""
        return DatasetVersion(self.digest, datetime.fromisoformat(self.last_modified))

    @property
    def public_graphs(self) -> dict[str, int]:
        """The graphs queries may name (the hidden ones left out) -> number of triples."""
        return {iri: n for iri, n in sorted(self.graphs.items()) if iri not in INTERNAL_GRAPHS}

    @property
    def default_graph_size(self) -> int:
        """The number of distinct triples of the default graph (the merge, a set).

        The hidden union holds each distinct asserted triple once and the inferred graph only
        triples asserted nowhere, so their sizes add up; without the union (no such layout),
        the default graph is the graphs side by side and its size their sum.
        """
        if ASSERTED_UNION in self.graphs:
            return self.graphs[ASSERTED_UNION] + self.graphs.get(str(INFERRED_GRAPH), 0)
        return sum(self.public_graphs.values())

    def to_json(self) -> str:
        """Return the manifest as a JSON document."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> DatasetManifest:
        """Read a manifest written by :meth:`to_json`.

        :raises ManifestError: when the text is not such a manifest.
        """
        try:
            data = json.loads(text)
            manifest = cls(**data)
            manifest.version  # noqa: B018 - checks last_modified parses
        except (ValueError, TypeError) as exc:
            raise ManifestError(f"not an imtkg store manifest: {exc}") from None
        if not isinstance(manifest.graphs, dict) or not all(
            isinstance(n, int) for n in manifest.graphs.values()
        ):
            raise ManifestError("not an imtkg store manifest: graphs must map IRIs to counts")
        return manifest

    def quad(self) -> ox.Quad:
        """Return the quad that stores the manifest in :data:`MANIFEST_GRAPH`."""
        return ox.Quad(
            ox.NamedNode(MANIFEST_GRAPH),
            ox.NamedNode(MANIFEST_PREDICATE),
            ox.Literal(self.to_json()),
            ox.NamedNode(MANIFEST_GRAPH),
        )


def count_graphs(store: ox.Store) -> dict[str, int]:
    """Return every named graph of ``store`` (hidden ones included) -> its number of triples."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = store.query(query)
    if not isinstance(rows, ox.QuerySolutions):
        raise TypeError("a SELECT query gives solutions")
    counts = {
        row["g"].value: int(row["n"].value) for row in rows if isinstance(row["g"], ox.NamedNode)
    }
    return dict(sorted(counts.items()))


def now_iso() -> str:
    """Return the current UTC time in ISO 8601, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def manifest_query() -> str:
    """Return the SPARQL query that reads the manifest's JSON literal from a store."""
    return (
        f"SELECT ?json FROM <{MANIFEST_GRAPH}> "
        f"WHERE {{ <{MANIFEST_GRAPH}> <{MANIFEST_PREDICATE}> ?json }}"
    )
