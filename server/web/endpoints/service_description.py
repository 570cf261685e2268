"""The SPARQL 1.1 Service Description of the endpoint (``GET /sparql`` without a query)."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from imtkg.core.namespaces import SD, VOID
from imtkg.rdf.formats import RDF_SYNTAXES
from imtkg.rdf.jsonld_context import context_of
from imtkg.web.pages.rdf_documents import to_merged_jsonld

#: graph format name -> rdflib serializer name
RDFLIB_FORMATS: dict[str, str] = {s.name: s.rdflib for s in RDF_SYNTAXES}

FORMATS = "http://www.w3.org/ns/formats/"
#: W3C format IRIs of the result formats the endpoint writes
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
    "TriG",
    "N-Quads",
)


def service_description(
    endpoint: str,
    graph_sizes: Mapping[str, int],
    title: str = "IMT knowledge graph",
    void: str | None = None,
    default_graph_size: int | None = None,
) -> Graph:
    """Describe the endpoint with the ``sd:`` vocabulary.

    :param endpoint: the absolute IRI of the ``/sparql`` endpoint.
    :param graph_sizes: named-graph IRI -> number of triples; the default graph is their union.
    :param void: the IRI of the dataset's VoID description, linked with ``rdfs:seeAlso``.
    :param default_graph_size: the distinct triples of the default graph (a set: a triple two
        graphs state counts once); the sum of ``graph_sizes`` when not given.
    """
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, DCTERMS.title, Literal(f"{title}: SPARQL 1.1 endpoint (read-only)", lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.feature, SD.EmptyGraphs))
    if void:
        g.add((service, RDFS.seeAlso, URIRef(void)))
    for name in RESULT_FORMAT_IRIS:
        g.add((service, SD.resultFormat, URIRef(FORMATS + name)))
    dataset = BNode("defaultDataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    if default_graph_size is None:
        default_graph_size = sum(graph_sizes.values())
    g.add((default_graph, VOID.triples, Literal(default_graph_size, datatype=XSD.integer)))
    for iri, size in sorted(graph_sizes.items()):
        named = BNode()
        graph = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(size, datatype=XSD.integer)))
    return g


def serialize_description(graph: Graph, graph_format: str) -> bytes:
    """Serialise the description in a graph format name of ``GRAPH_FORMATS``.

    JSON-LD is one graph whose top node is what the description is about (the object of its
    ``foaf:primaryTopic``, else the ``sd:Service``), compact with the standard terms of the
    published context, in the document itself: it needs no other document to be read.
    """
    if graph_format == "jsonld":
        ntriples = graph.serialize(format="nt", encoding="utf-8")
        triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
        top = None
        if (None, FOAF.primaryTopic, None) not in graph:
            services = list(graph.subjects(RDF.type, SD.Service))
            top = str(services[0]) if len(services) == 1 else None
        context = context_of(())
        context["@context"]["sd"] = str(SD)
        return to_merged_jsonld(triples, context, None, top)
    return graph.serialize(format=RDFLIB_FORMATS[graph_format], encoding="utf-8")
