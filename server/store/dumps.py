"""Dumps of the dataset with SHA-256 checksums, built from a store (served under ``/dumps/`` by
:mod:`imtkg.web.endpoints.dumps`, written by ``imtkg dump``, :mod:`imtkg.cli.dump`).

The files (:data:`DUMPS`):

* ``imt-kg.trig.gz`` and ``imt-kg.nq.gz``: the whole dataset, every named graph (the facts of
  each source, the catalogue of sources, the ontology and the inferences), gzipped;
* ``ontology.ttl``: the ontology (``graph:ontology``); ``inferred.ttl``: the OWL RL inferences
  (``graph:inferred``) on their own; ``shapes.ttl``: the SHACL shapes of ``shapes/*.ttl``;
* ``SHA256SUMS`` (the ``sha256sum --check`` format) and one ``<file>.sha256`` per file.

The output is deterministic, so a checksum only changes when the data does: blank nodes are
relabelled canonically, statements are sorted, and gzip records no time or file name. The server
builds the files on first request from the graph it serves; ``imtkg dump`` builds the same bytes
from the same settings.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from imtkg.core.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from imtkg.core.paths import resource_dir, turtle_files
from imtkg.rdf.formats import serialized
from imtkg.rdf.reading import parse_file
from imtkg.store.oxigraph_store import store_graph_iris

CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class DumpFile:
    """A dump as served and written.

    :param name: its file name (``imt-kg.trig.gz``).
    :param media_type: its Content-Type.
    :param data: its bytes.
    :param statements: the quads or triples it holds (``None`` for the checksum list).
    :param description: what it holds, in English (the page translates it).
    """

    name: str
    media_type: str
    data: bytes
    statements: int | None
    description: str

    @property
    def sha256(self) -> str:
        """The SHA-256 digest of the file, in hex."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def checksum_line(self) -> str:
        """The file's line in ``SHA256SUMS`` (and its ``.sha256`` file)."""
        return f"{self.sha256}  {self.name}\n"


@dataclass(frozen=True)
class DumpSpec:
    """How to build a dump from the canonical dataset and the shapes."""

    name: str
    media_type: str
    description: str
    build: Callable[[ox.Dataset, ox.Dataset], tuple[bytes, int]]


def _sorted_quads(dataset: ox.Dataset, graph: str | None = None) -> list[ox.Quad]:
    """Return the quads of ``dataset`` (of one graph if given), sorted by their N-Quads text."""
    quads = dataset if graph is None else dataset.quads_for_graph_name(ox.NamedNode(graph))
    return sorted(
        quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
    )


def _gzip(data: bytes) -> bytes:
    """Gzip ``data`` reproducibly: no time stamp, no file name, a fixed level."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _whole(rdf_format: ox.RdfFormat) -> Callable[[ox.Dataset, ox.Dataset], tuple[bytes, int]]:
    def build(dataset: ox.Dataset, _shapes: ox.Dataset) -> tuple[bytes, int]:
        quads = _sorted_quads(dataset)
        return _gzip(serialized(quads, rdf_format, PREFIXES)), len(quads)

    return build


def _graph_turtle(graph: str) -> Callable[[ox.Dataset, ox.Dataset], tuple[bytes, int]]:
    def build(dataset: ox.Dataset, _shapes: ox.Dataset) -> tuple[bytes, int]:
        triples = [q.triple for q in _sorted_quads(dataset, graph)]
        return serialized(triples, ox.RdfFormat.TURTLE, PREFIXES), len(triples)

    return build


def _shapes_turtle(_dataset: ox.Dataset, shapes: ox.Dataset) -> tuple[bytes, int]:
    triples = [q.triple for q in _sorted_quads(shapes)]
    return serialized(triples, ox.RdfFormat.TURTLE, PREFIXES), len(triples)


#: the dumps, in the order of the index page
DUMPS: tuple[DumpSpec, ...] = (
    DumpSpec(
        "imt-kg.trig.gz",
        "application/gzip",
        "The whole dataset, every named graph (TriG, gzip)",
        _whole(ox.RdfFormat.TRIG),
    ),
    DumpSpec(
        "imt-kg.nq.gz",
        "application/gzip",
        "The whole dataset, every named graph (N-Quads, gzip)",
        _whole(ox.RdfFormat.N_QUADS),
    ),
    DumpSpec(
        "ontology.ttl",
        "text/turtle; charset=utf-8",
        "The ontology (Turtle)",
        _graph_turtle(str(ONTOLOGY_GRAPH)),
    ),
    DumpSpec(
        "shapes.ttl",
        "text/turtle; charset=utf-8",
        "The SHACL shapes (Turtle)",
        _shapes_turtle,
    ),
    DumpSpec(
        "inferred.ttl",
        "text/turtle; charset=utf-8",
        "The OWL RL inferences on their own (Turtle)",
        _graph_turtle(str(INFERRED_GRAPH)),
    ),
)


def canonical_dataset(store: ox.Store) -> ox.Dataset:
    """Return the store's public named graphs as a dataset with canonical blank node labels."""
    dataset = ox.Dataset()
    for iri in store_graph_iris(store):
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
            dataset.add(quad)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def load_shapes_dataset(shapes_dir: Path | None = None) -> ox.Dataset:
    """Return the shapes of ``shapes_dir`` (the shipped ones by default), canonically labelled.

    :raises InputError: naming the file and line of a shapes file that cannot be parsed.
    """
    graph = Graph()
    for path in turtle_files(shapes_dir or resource_dir("shapes")):
        parse_file(path, graph)
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in ox.parse(
            graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
        )
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def build_dumps(store: ox.Store, shapes_dir: Path | None = None) -> list[DumpFile]:
    """Build every dump of the dataset in ``store`` and the shapes, then ``SHA256SUMS``."""
    dataset = canonical_dataset(store)
    shapes = load_shapes_dataset(shapes_dir)
    files = []
    for spec in DUMPS:
        data, statements = spec.build(dataset, shapes)
        files.append(DumpFile(spec.name, spec.media_type, data, statements, spec.description))
    sums = "".join(f.checksum_line for f in files).encode("ascii")
    files.append(
        DumpFile(
            CHECKSUMS, "text/plain; charset=utf-8", sums, None, "The SHA-256 checksums of the files"
        )
    )
    return files


def write_dumps(files: Iterable[DumpFile], out: Path) -> list[Path]:
    """Write the dumps and one ``<name>.sha256`` per dump into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for dump in files:
        written.append(out / dump.name)
        (out / dump.name).write_bytes(dump.data)
        if dump.name != CHECKSUMS:
            written.append(out / f"{dump.name}.sha256")
            (out / f"{dump.name}.sha256").write_text(dump.checksum_line, encoding="ascii")
    return written
