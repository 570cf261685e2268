"""Build the project's RDF dataset from the shipped (or given) files.

Layout of the dataset:

* ``graph:ontology`` holds every file of ``ontology/``;
* each ``graph/<slug>.ttl`` becomes the named graph ``graph:<slug>``: the facts one source
  document states (``graph:sources`` describes the source documents and links each graph to its
  document);
* the default graph is the union of all named graphs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, URIRef

from imtkg.core.namespaces import ONTOLOGY_GRAPH, graph_iri_for
from imtkg.core.paths import resource_dir, turtle_files
from imtkg.rdf.reading import parse_file


def ontology_files(ontology_dir: Path | None = None) -> list[Path]:
    """Return the ontology's Turtle files (the shipped ones by default)."""
    return turtle_files(ontology_dir or resource_dir("ontology"))


def graph_files(graph_dir: Path | None = None) -> list[Path]:
    """Return the instance-data Turtle files, one per named graph (the shipped ones by default)."""
    return turtle_files(graph_dir or resource_dir("graph"))


def new_dataset() -> Dataset:
    """Return an empty dataset whose default graph is the union of its named graphs."""
    return Dataset(default_union=True)


def load_dataset(ontology_dir: Path | None = None, graph_dir: Path | None = None) -> Dataset:
    """Load the ontology and the instance data into one :class:`rdflib.Dataset`.

    :param ontology_dir: folder of ontology ``.ttl`` files; the shipped ontology by default.
    :param graph_dir: folder of instance-data ``.ttl`` files; the shipped graph by default.
    :raises InputError: naming the file and line of the first file that cannot be parsed.
    """
    dataset = new_dataset()
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    for path in ontology_files(ontology_dir):
        parse_file(path, ontology)
    for path in graph_files(graph_dir):
        parse_file(path, dataset.graph(graph_iri_for(path.stem)))
    return dataset


def named_graph_iris(dataset: Dataset) -> list[URIRef]:
    """Return the IRIs of the dataset's non-empty named graphs, sorted."""
    return sorted(
        g.identifier
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef)
        and len(g)
        and g.identifier != dataset.default_graph.identifier
    )


def digest_files(paths: Iterable[Path], extra: str = "") -> str:
    """Return a SHA-256 hex digest of the files' names and bytes, and of ``extra`` (a version)."""
    sha = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()
