"""IRIs of the project: the data and ontology namespaces, named graphs, and common vocabularies.

These IRIs are a public API: consumers' queries depend on them. Change one only with a redirect
or an ``owl:deprecated`` trail.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/imt-kg/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
IMT = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")

ONTOLOGY_GRAPH = GRAPH["ontology"]
INFERRED_GRAPH = GRAPH["inferred"]

PREFIXES: dict[str, str] = {
    "imt": str(IMT),
    "id": str(ID),
    "graph": str(GRAPH),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "time": str(TIME),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "void": str(VOID),
}


def graph_iri_for(slug: str) -> URIRef:
    """Return the named-graph IRI for the source graph file ``graph/<slug>.ttl``."""
    return GRAPH[slug]


def sparql_prologue() -> str:
    """Return ``PREFIX`` lines for every prefix the project declares."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
