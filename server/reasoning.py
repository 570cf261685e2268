"""OWL RL reasoning: the closure of ontology + data, kept apart from what the sources assert."""

from __future__ import annotations

import owlrl
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from .namespaces import INFERRED_GRAPH

_BUILTIN_PREFIXES = (
    str(RDF),
    "http://www.w3.org/2000/01/rdf-schema#",
    str(OWL),
    "http://www.w3.org/2001/XMLSchema#",
)


def _is_noise(s, p, o) -> bool:
    """Tell whether an owlrl output triple is axiomatic noise rather than a meaningful inference."""
    if isinstance(s, Literal):
        return True  # owlrl types literals (rdf:type xsd:decimal...): not RDF-valid subjects
    if p == OWL.sameAs and s == o:
        return True
    if p == RDF.type and o in (OWL.Thing, OWL.Class, OWL.NamedIndividual):
        return True
    return isinstance(s, URIRef) and str(s).startswith(_BUILTIN_PREFIXES)


def compute_inferences(dataset: Dataset) -> Graph:
    """Return the meaningful triples the OWL RL closure adds to the asserted named graphs."""
    asserted = Graph()
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            for triple in graph:
                asserted.add(triple)
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(closure)
    inferred = Graph()
    for triple in closure:
        if triple not in asserted and not _is_noise(*triple):
            inferred.add(triple)
    return inferred


def add_inferred_graph(dataset: Dataset) -> Graph:
    """Compute the inferences of ``dataset`` and store them in its ``graph:inferred`` named graph."""
    target = dataset.graph(INFERRED_GRAPH)
    target.remove((None, None, None))
    for triple in compute_inferences(dataset):
        target.add(triple)
    return target
