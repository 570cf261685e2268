"""The JSON-LD ``@context`` of the graph, derived from the ontology: every ``imt:`` class and
property is a term, object properties take IRIs, and the label-like properties are language maps.

The server publishes it at ``/context.jsonld`` (built through its query engine,
:func:`imtkg.web.pages.rdf_documents.build_context`); JSON-LD input naming it is read with the same
context built from the shipped ontology in process (:func:`store_context`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, FOAF, OWL, RDFS, SKOS

from imtkg.core.namespaces import IMT, ONTOLOGY_GRAPH, ORG, PREFIXES, SCHEMA

#: a JSON object, as :func:`json.loads` and PyLD give it
JsonObject = dict[str, Any]

#: short JSON-LD terms for label-like properties, as language maps
LANGUAGE_MAP_TERMS: dict[str, str] = {
    "label": str(RDFS.label),
    "comment": str(RDFS.comment),
    "prefLabel": str(SKOS.prefLabel),
    "altLabel": str(SKOS.altLabel),
    "definition": str(SKOS.definition),
    "title": str(DCTERMS.title),
    "description": str(DCTERMS.description),
}
#: short JSON-LD terms for a few standard properties whose values are IRIs
IRI_TERMS: dict[str, str] = {
    "sameAs": str(SCHEMA.sameAs),
    "seeAlso": str(RDFS.seeAlso),
    "subClassOf": str(RDFS.subClassOf),
    "subPropertyOf": str(RDFS.subPropertyOf),
    "domain": str(RDFS.domain),
    "range": str(RDFS.range),
    "inScheme": str(SKOS.inScheme),
    "memberOf": str(ORG.memberOf),
    "hasMember": str(ORG.hasMember),
    "subOrganizationOf": str(ORG.subOrganizationOf),
    "hasSubOrganization": str(ORG.hasSubOrganization),
    "member": str(ORG.member),
    "organization": str(ORG.organization),
    "primaryTopic": str(FOAF.primaryTopic),
    "license": str(DCTERMS.license),
}


#: the ontology's ``imt:`` terms and their kinds (full IRIs: the query needs no prologue)
TERMS_QUERY = f"""SELECT DISTINCT ?term ?kind WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?term a ?kind }}
  VALUES ?kind {{
    <{OWL.Class}> <{OWL.ObjectProperty}> <{OWL.DatatypeProperty}> <{OWL.AnnotationProperty}>
  }}
  FILTER(STRSTARTS(STR(?term), "{IMT}"))
}} ORDER BY ?term ?kind"""


def context_of(terms: Iterable[tuple[str, str]]) -> JsonObject:
    """Return the JSON-LD context document of ``terms``: ``(term IRI, kind IRI)`` pairs, the
    answers of :data:`TERMS_QUERY`, in its order."""
    context: dict[str, object] = dict(sorted(PREFIXES.items()))
    for name, iri in LANGUAGE_MAP_TERMS.items():
        context[name] = {"@id": iri, "@container": "@language"}
    for name, iri in IRI_TERMS.items():
        context[name] = {"@id": iri, "@type": "@id"}
    for term, kind in terms:
        name = term[len(str(IMT)) :]
        if not name or name in context:
            continue
        if kind.endswith("#ObjectProperty"):
            context[name] = {"@id": term, "@type": "@id"}
        else:
            context[name] = {"@id": term}
    return {"@context": context}


def store_context(store: ox.Store) -> JsonObject:
    """Return the JSON-LD context of the ontology held in ``store``'s ``graph:ontology``."""
    solutions = store.query(TERMS_QUERY)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError("TERMS_QUERY is a SELECT query")
    return context_of((s["term"].value, s["kind"].value) for s in solutions)
