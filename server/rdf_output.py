"""RDF documents: quads written in each served format, and the published JSON-LD ``@context``.

Dataset formats (TriG, N-Quads, JSON-LD) keep each statement in its named graph: the source
graph that asserts it (``graph:<source>``, linked to its document by ``graph:sources``),
``graph:ontology``, or ``graph:inferred`` for what OWL RL reasoning adds. Triple formats
(Turtle, N-Triples, RDF/XML) cannot say which graph holds a statement: they give the merge.

Turtle, TriG, N-Triples, N-Quads and RDF/XML are written by Oxigraph; JSON-LD is compacted by
PyLD against the context the app publishes at ``/context.jsonld``, which is derived from the
ontology: every ``imt:`` class and property is a term, object properties take IRIs, and the
label-like properties are language maps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDFS, SKOS

from .describe import run_select
from .linked_data import FORMATS
from .namespaces import IMT, ONTOLOGY_GRAPH, PREFIXES, SCHEMA
from .query_engine import QueryEngine

#: extension -> Oxigraph format (JSON-LD goes through PyLD)
OXIGRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}

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
}


def used_prefixes(terms: Iterable[object]) -> dict[str, str]:
    """Return the project prefixes whose namespace holds one of ``terms`` (or its datatype)."""
    iris = set()
    for term in terms:
        if isinstance(term, ox.NamedNode):
            iris.add(term.value)
        elif isinstance(term, ox.Literal):
            iris.add(term.datatype.value)
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def build_context(engine: QueryEngine) -> dict:
    """Return the JSON-LD context of the graph, derived from the ontology's ``imt:`` terms."""
    rows = run_select(
        engine,
        f"""SELECT DISTINCT ?term ?kind WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?term a ?kind }}
  VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }}
  FILTER(STRSTARTS(STR(?term), "{IMT}"))
}} ORDER BY ?term ?kind""",
    )
    context: dict[str, object] = dict(sorted(PREFIXES.items()))
    for name, iri in LANGUAGE_MAP_TERMS.items():
        context[name] = {"@id": iri, "@container": "@language"}
    for name, iri in IRI_TERMS.items():
        context[name] = {"@id": iri, "@type": "@id"}
    for row in rows:
        name = row["term"].value[len(str(IMT)) :]
        if not name or name in context:
            continue
        if row["kind"].value.endswith("#ObjectProperty"):
            context[name] = {"@id": row["term"].value, "@type": "@id"}
        else:
            context[name] = {"@id": row["term"].value}
    return {"@context": context}


def serialize(quads: Iterable[ox.Quad], extension: str, context: dict, context_url: str) -> bytes:
    """Write ``quads`` as a document in the format of ``extension`` (not ``html``).

    :param context: the JSON-LD context document (:func:`build_context`), for JSON-LD.
    :param context_url: where the app publishes it; the JSON-LD document refers to it.
    """
    quads = list(dict.fromkeys(quads))
    if extension == "jsonld":
        return to_jsonld(quads, context, context_url)
    fmt = OXIGRAPH_FORMATS[extension]
    terms = [t for q in quads for t in (q.subject, q.predicate, q.object)]
    if FORMATS[extension].dataset:
        items: list = quads
        terms += [q.graph_name for q in quads]
    else:
        items = list(dict.fromkeys(q.triple for q in quads))
    prefixes = used_prefixes(terms) if extension in ("ttl", "trig", "rdf") else None
    return ox.serialize(items, format=fmt, prefixes=prefixes)


def to_jsonld(quads: list[ox.Quad], context: dict, context_url: str) -> bytes:
    """Return compact JSON-LD of ``quads`` (named graphs kept) referring to ``context_url``."""
    from pyld import jsonld  # imported here: 0.06 s of every server start otherwise

    nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    # from_rdf's output is expanded JSON-LD already: compaction need not expand it again
    compacted = jsonld.compact(expanded, context, {"skipExpansion": True})
    compacted["@context"] = context_url
    return json.dumps(compacted, ensure_ascii=False, indent=2).encode("utf-8")
