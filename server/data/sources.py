"""The RDF files a dataset is built from, and the named graph each goes to.

Light on purpose (no reasoner, no rdflib): a warm start lists its sources to check the
start-up cache without importing the bulk loader (:mod:`imtkg.store.bulk_build`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from imtkg.core.errors import InputError
from imtkg.core.namespaces import ONTOLOGY_GRAPH, graph_iri_for
from imtkg.rdf.formats import BY_SUFFIX

#: the file types a dataset folder holds (no JSON-LD, nor the generic ``.json`` and ``.xml``)
DATASET_SUFFIXES: tuple[str, ...] = (".nq", ".trig", ".nt", ".ttl", ".turtle", ".rdf", ".owl")
#: file suffix -> Oxigraph format, for files holding their own named graphs
QUAD_FORMATS: dict[str, ox.RdfFormat] = {
    suffix: BY_SUFFIX[suffix].oxigraph for suffix in DATASET_SUFFIXES if BY_SUFFIX[suffix].dataset
}
#: file suffix -> Oxigraph format, for files of triples (loaded into a named graph)
TRIPLE_FORMATS: dict[str, ox.RdfFormat] = {
    suffix: BY_SUFFIX[suffix].oxigraph
    for suffix in DATASET_SUFFIXES
    if not BY_SUFFIX[suffix].dataset
}

#: a file and, for a triple file, the IRI of the named graph it goes to
Source = tuple[Path, str | None]


def dataset_sources(files: Iterable[Path]) -> list[Source]:
    """Return the sources of dataset files: quad files keep their graphs, a triple file goes to
    ``graph:<file stem>`` (``graph:ontology`` for a file named ``ontology``)."""
    sources: list[Source] = []
    for path in files:
        suffix = Path(path).suffix.lower()
        if suffix in QUAD_FORMATS:
            sources.append((Path(path), None))
        elif suffix in TRIPLE_FORMATS:
            sources.append((Path(path), str(graph_iri_for(Path(path).stem))))
        else:
            known = ", ".join(sorted({*QUAD_FORMATS, *TRIPLE_FORMATS}))
            raise InputError(str(path), f"unknown dataset file type {suffix!r} (expected {known})")
    return sources


def folder_sources(ontology_files: Iterable[Path], graph_files: Iterable[Path]) -> list[Source]:
    """Return the sources of the ontology and graph folders' files, as the rdflib path reads them
    (:func:`imtkg.data.dataset.load_dataset`)."""
    sources: list[Source] = [(Path(p), str(ONTOLOGY_GRAPH)) for p in ontology_files]
    return sources + [(Path(p), str(graph_iri_for(Path(p).stem))) for p in graph_files]
