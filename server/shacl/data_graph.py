"""The data graph that SHACL validates, assembled from a dataset and the ontology.

* the data graph is the union of the dataset's asserted graphs (not ``graph:inferred``) and of
  the ontology, whose controlled lists (SKOS concepts) the data links to; the ontology is also
  pyshacl's ``ont_graph``, so that ``sh:class`` and ``sh:targetClass`` see subclass typing
  without RDFS entailment of the data;
* the dataset's named graphs of facts are described in the data graph with
  ``sd:namedGraph``/``sd:name``, so that ``imtsh:NamedGraphShape`` can require each of them to be
  in the ``graph:sources`` catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF
from rdflib.term import Node

from imtkg.core.namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, SD
from imtkg.data.dataset import ontology_files
from imtkg.rdf.reading import parse_file

#: the catalogue graph: it describes the other graphs, so it is not itself derived from a document
SOURCES_GRAPH = GRAPH["sources"]

#: graphs of the dataset that are not data: the ontology (added whole) and the inferred triples
NOT_DATA = frozenset({ONTOLOGY_GRAPH, INFERRED_GRAPH})

#: a triple of the data graph
Triple = tuple[Node, Node, Node]


@lru_cache(maxsize=1)
def shipped_ontology() -> Graph:
    """Return the shipped ontology (parsed once; do not modify it)."""
    ontology = Graph()
    for path in ontology_files():
        parse_file(path, ontology)
    return ontology


def ontology_of(dataset: Dataset) -> Graph:
    """Return the dataset's ``graph:ontology``, or the shipped ontology when it has none."""
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    return ontology if len(ontology) else shipped_ontology()


def graphs_of_facts(dataset: Dataset) -> list[URIRef]:
    """Return the named graphs that must be in the catalogue (not ontology, inferred, sources)."""
    return sorted(
        g.identifier
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef)
        and g.identifier not in NOT_DATA
        and g.identifier not in (SOURCES_GRAPH, DATASET_DEFAULT_GRAPH_ID)
        and len(g)
    )


def data_graph(dataset: Dataset, ontology: Graph | None = None) -> Graph:
    """Return the graph pyshacl validates: the asserted triples and a description of the graphs.

    Every graph but ``graph:ontology`` and ``graph:inferred`` is copied (the default graph too:
    a request body in a triple format lands there), and so is ``ontology``: pyshacl only copies
    the RDFS/OWL axioms of its ``ont_graph`` into the data, while the data links to the SKOS
    concepts of the ontology's controlled lists, which must be there to be checked. The dataset
    itself is not changed.
    """
    data = Graph()
    for triple in data_triples(dataset, ontology):
        data.add(triple)
    return data


def data_triples(dataset: Dataset, ontology: Graph | None = None) -> Iterator[Triple]:
    """Yield the triples of :func:`data_graph` (some more than once), without building it."""
    for graph in dataset.graphs():
        if graph.identifier not in NOT_DATA:
            yield from graph
    yield from ontology if ontology is not None else ()
    described = BNode()
    yield (described, RDF.type, SD.Dataset)
    for name in graphs_of_facts(dataset):
        entry = BNode()
        yield (described, SD.namedGraph, entry)
        yield (entry, SD.name, name)


class AssertedView:
    """The asserted triples of a dataset about a node, for labels, without a copy of the data."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """Yield the objects of ``subject`` and ``predicate`` in the data's graphs."""
        for _, _, obj, context in self.dataset.quads((subject, predicate, None, None)):
            if getattr(context, "identifier", context) not in NOT_DATA:
                yield obj
