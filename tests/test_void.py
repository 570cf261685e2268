"""The VoID description at /.well-known/void: counted from the data, negotiated, linked.

Exact figures are checked on the small dataset of ``tests/data/void`` (counted by hand below);
on the shipped graph, the figures are checked against an independent count with rdflib.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD
from sparql_support import VOID_SETTINGS

from imtkg.core.namespaces import INFERRED_GRAPH, VOID
from imtkg.store.oxigraph_store import ASSERTED_UNION

BASE = "http://localhost/"
DOC = URIRef(BASE + ".well-known/void")
DATASET = URIRef(BASE + ".well-known/void#imt-kg")
ID = "https://w3id.org/imt-kg/id/"
GRAPH = "https://w3id.org/imt-kg/graph/"
IMT = "https://w3id.org/imt-kg/ontology#"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def app_settings():
    """The module's app (conftest.py) is on the VoID fixture data (4 named graphs, 21 quads,
    20 triples)."""
    return VOID_SETTINGS


@pytest.fixture(scope="module")
def void(app) -> Graph:
    """The fixture's VoID description, parsed from Turtle."""
    response = app.test_client().get("/.well-known/void")
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def number(graph: Graph, subject, predicate) -> int:
    """The one integer value of ``predicate`` on ``subject``."""
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal) and value.datatype == XSD.integer, value
    return int(value)


def partitions(graph: Graph, kind: str, key) -> dict[str, tuple[int, ...]]:
    """The class or property partitions of the dataset: term -> its counts."""
    counts = {
        "classPartition": (VOID.entities,),
        "propertyPartition": (VOID.triples, VOID.distinctSubjects, VOID.distinctObjects),
    }[kind]
    return {
        str(graph.value(node, key)): tuple(number(graph, node, c) for c in counts)
        for node in graph.objects(DATASET, VOID[kind])
    }


def test_dataset_figures_are_counted_from_the_data(void):
    """20 distinct triples (the repeated label once), 5 entities in the id: space, 10 subjects."""
    assert (DOC, RDF.type, VOID.DatasetDescription) in void
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert number(void, DATASET, VOID.triples) == 20
    assert number(void, DATASET, VOID.entities) == 5
    assert number(void, DATASET, VOID.distinctSubjects) == 10
    assert number(void, DATASET, VOID.distinctObjects) == 16
    assert number(void, DATASET, VOID.classes) == 4
    assert number(void, DATASET, VOID.properties) == 7


def test_class_partition(void):
    """Each class with its instances, the inferred imt:Institution included."""
    assert partitions(void, "classPartition", VOID["class"]) == {
        OWL + "Class": (2,),
        OWL + "Ontology": (1,),
        IMT + "Institution": (2,),
        IMT + "School": (2,),
    }


def test_property_partition(void):
    """Each property with its triples, distinct subjects and distinct objects."""
    assert partitions(void, "propertyPartition", VOID.property) == {
        str(RDF.type): (7, 5, 4),
        RDFS_NS + "subClassOf": (1, 1, 1),
        RDFS_NS + "label": (6, 6, 6),
        SCHEMA + "sameAs": (3, 2, 3),
        SCHEMA + "address": (1, 1, 1),
        SCHEMA + "addressLocality": (1, 1, 1),
        str(DCTERMS.source): (1, 1, 1),
    }


def test_named_graphs_are_subsets_with_their_source(void):
    """Every named graph is a subset with its size; graph:schools names its source document."""
    subsets = {
        str(s): (number(void, s, VOID.triples), number(void, s, VOID.distinctSubjects))
        for s in void.objects(DATASET, VOID.subset)
        if (s, RDF.type, VOID.Dataset) in void
    }
    assert subsets == {
        GRAPH + "inferred": (2, 2),
        GRAPH + "ontology": (4, 3),
        GRAPH + "schools": (9, 3),
        GRAPH + "sources": (6, 5),
    }
    schools = URIRef(GRAPH + "schools")
    assert void.value(schools, DCTERMS.source) == URIRef(ID + "source/school-list")
    assert void.value(schools, RDFS.label) == Literal("Facts from the school list", lang="en")
    assert void.value(URIRef(GRAPH + "ontology"), VOID.dataDump) == URIRef(
        BASE + "dumps/ontology.ttl"
    )
    assert void.value(URIRef(GRAPH + "inferred"), VOID.dataDump) == URIRef(
        BASE + "dumps/inferred.ttl"
    )


def test_linksets_to_wikidata_and_ror(void):
    """One linkset per outside dataset, with the schema:sameAs links counted: 1 and 2."""
    linksets = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        assert void.value(linkset, VOID.linkPredicate) == URIRef(SCHEMA + "sameAs")
        assert void.value(linkset, VOID.subjectsTarget) == DATASET
        target = void.value(linkset, VOID.objectsTarget)
        assert set(void.objects(linkset, VOID.target)) == {DATASET, target}
        assert (DATASET, VOID.subset, linkset) in void
        linksets[str(target)] = (
            number(void, linkset, VOID.triples),
            str(void.value(target, VOID.uriSpace)),
        )
    assert linksets == {
        ID + "source/wikidata": (1, "http://www.wikidata.org/entity/"),
        ID + "source/ror-registry": (2, "https://ror.org/"),
    }
    assert void.value(URIRef(ID + "source/wikidata"), RDFS.label) == Literal("Wikidata", lang="en")


def test_access_licence_and_vocabularies(void):
    """Endpoint, dumps, URI space, CC-BY-4.0 licence, titles and the vocabularies used."""
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert set(void.objects(DATASET, VOID.dataDump)) == {
        URIRef(BASE + "dumps/imt-kg.trig.gz"),
        URIRef(BASE + "dumps/imt-kg.nq.gz"),
    }
    assert void.value(DATASET, VOID.uriSpace) == Literal(ID)
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert set(void.objects(DATASET, DCTERMS.title)) == {
        Literal("IMT knowledge graph", lang="en"),
        Literal("Graphe de connaissances de l'IMT", lang="fr"),
    }
    assert {lit.language for lit in void.objects(DATASET, DCTERMS.description)} == {"en", "fr"}
    assert sorted(str(v) for v in void.objects(DATASET, VOID.vocabulary)) == [
        "http://purl.org/dc/terms/",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2002/07/owl#",
        "https://schema.org/",
        "https://w3id.org/imt-kg/ontology",
    ]


@pytest.mark.parametrize(
    ("accept", "fmt", "media_type", "rdflib_format"),
    [
        ("application/ld+json", None, "application/ld+json", "pyld"),
        ("application/n-triples", None, "application/n-triples", "nt"),
        ("application/rdf+xml", None, "application/rdf+xml", "xml"),
        ("*/*", "ntriples", "application/n-triples", "nt"),
    ],
)
def test_negotiated_formats_say_the_same(client, void, accept, fmt, media_type, rdflib_format):
    """Every RDF format of the description parses to the same graph as the Turtle."""
    response = client.get(
        "/.well-known/void", query_string={"format": fmt} if fmt else {}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    text = response.get_data(as_text=True)
    if rdflib_format == "pyld":  # JSON-LD, expanded to N-Quads by PyLD
        text, rdflib_format = (
            jsonld.to_rdf(json.loads(text), {"format": "application/n-quads"}),
            "nt",
        )
    assert isomorphic(Graph().parse(data=text, format=rdflib_format), void)


def test_html_view_for_browsers(client):
    """A browser gets an HTML page that shows the description and links to each format."""
    response = client.get("/.well-known/void", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "void:triples 20" in page
    assert 'href="/.well-known/void?format=jsonld"' in page


def test_unknown_format_is_406(client):
    """An unknown format gets a short plain-text 406 naming the formats there are."""
    response = client.get("/.well-known/void?format=yaml")
    assert response.status_code == 406
    assert response.mimetype == "text/plain"
    assert "unknown format 'yaml'" in response.get_data(as_text=True)


def test_conditional_request_is_304(client):
    """A client that has the description gets 304 Not Modified."""
    first = client.get("/.well-known/void")
    again = client.get("/.well-known/void", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_public_base_names_the_endpoint_and_dumps(client):
    """With PUBLIC_BASE set, the IRIs of the description use it, not the request's host."""
    app = client.application
    app.config["PUBLIC_BASE"] = "https://kg.example.org/"
    try:
        # a fresh answer: the document the response cache holds was made with another base
        response = client.get("/.well-known/void", headers={"Cache-Control": "no-cache"})
        graph = Graph().parse(data=response.data, format="turtle")
    finally:
        app.config["PUBLIC_BASE"] = None
    dataset = URIRef("https://kg.example.org/.well-known/void#imt-kg")
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef("https://kg.example.org/sparql")
    assert URIRef("https://kg.example.org/dumps/imt-kg.nq.gz") in set(
        graph.objects(dataset, VOID.dataDump)
    )


def test_service_description_links_the_void(client):
    """The /sparql service description points to the VoID description (rdfs:seeAlso)."""
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    service = URIRef(BASE + "sparql")
    assert graph.value(service, RDFS.seeAlso) == DOC


def test_shipped_figures_match_an_independent_count(shipped_client, kg):
    """On the shipped graph, VoID's figures equal an rdflib count of the loaded files."""
    void = Graph().parse(data=shipped_client.get("/.well-known/void").data, format="turtle")
    graphs = {
        str(g.identifier): g
        for g in kg.dataset.graphs()
        if isinstance(g.identifier, URIRef) and len(g) and str(g.identifier) != ASSERTED_UNION
    }
    triples = {t for g in graphs.values() for t in g}
    assert number(void, DATASET, VOID.triples) == len(triples)
    assert number(void, DATASET, VOID.entities) == len(
        {s for s, _, _ in triples if isinstance(s, URIRef) and str(s).startswith(ID)}
    )
    instances = Counter(str(o) for _, o in {(s, o) for s, p, o in triples if p == RDF.type})
    assert partitions(void, "classPartition", VOID["class"]) == {
        c: (n,) for c, n in instances.items()
    }
    uses = Counter(str(p) for _, p, _ in triples)
    assert {
        p: c[0] for p, c in partitions(void, "propertyPartition", VOID.property).items()
    } == uses
    subsets = {
        str(s): number(void, s, VOID.triples)
        for s in void.objects(DATASET, VOID.subset)
        if (s, RDF.type, VOID.Linkset) not in void
    }
    assert subsets == {iri: len(g) for iri, g in graphs.items()}
    assert str(INFERRED_GRAPH) in subsets
    catalogue = graphs[GRAPH + "sources"]
    for iri in subsets:
        assert void.value(URIRef(iri), DCTERMS.source) == catalogue.value(
            URIRef(iri), DCTERMS.source
        )


def test_shipped_linksets(shipped_client, kg):
    """The shipped linksets count the distinct schema:sameAs links into Wikidata and ROR."""
    void = Graph().parse(data=shipped_client.get("/.well-known/void").data, format="turtle")
    links = {
        (s, o)
        for g in kg.dataset.graphs()
        for s, o in g.subject_objects(URIRef(SCHEMA + "sameAs"))
        if isinstance(g.identifier, URIRef)
    }
    counted = {
        str(void.value(ls, VOID.objectsTarget)): number(void, ls, VOID.triples)
        for ls in void.subjects(RDF.type, VOID.Linkset)
    }
    assert counted == {
        ID + "source/wikidata": sum(
            str(o).startswith("http://www.wikidata.org/entity/") for _, o in links
        ),
        ID + "source/ror-registry": sum(str(o).startswith("https://ror.org/") for _, o in links),
    }
    assert min(counted.values()) > 0
