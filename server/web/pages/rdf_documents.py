"""RDF documents: quads written in each served format, and the published JSON-LD ``@context``.

Dataset formats (TriG, N-Quads) keep each statement in its named graph: the source graph that
asserts it (``graph:<source>``, linked to its document by ``graph:sources``), ``graph:ontology``,
or ``graph:inferred`` for what OWL RL reasoning adds. Triple formats (Turtle, N-Triples, RDF/XML)
cannot say which graph holds a statement: they give the merge.

JSON-LD gives the merge too, as one graph a JSON-LD consumer reads directly: the document's
resource (its ``foaf:primaryTopic``) is the top node with its properties, every other node of the
description sits in its ``@included``. The per-source dataset form, as TriG and N-Quads give it,
is served to ``?profile=by-source`` (:data:`BY_SOURCE`).

Turtle, TriG, N-Triples, N-Quads and RDF/XML are written by Oxigraph; JSON-LD is compacted by
PyLD against the context the app publishes at ``/context.jsonld``, which is derived from the
ontology (:mod:`imtkg.rdf.jsonld_context`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

import pyoxigraph as ox
from flask import request
from rdflib.namespace import FOAF

from imtkg.query.interface import QueryEngine
from imtkg.query.worker import used_prefixes
from imtkg.rdf.formats import RDF_SYNTAXES
from imtkg.rdf.jsonld_context import TERMS_QUERY, context_of
from imtkg.web.linked_data import FORMATS
from imtkg.web.pages.describe import run_select

#: extension -> Oxigraph format (JSON-LD goes through PyLD)
OXIGRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    s.extension: s.oxigraph for s in RDF_SYNTAXES if s.extension != "jsonld"
}


#: the value of the ``profile`` query parameter that asks for JSON-LD by source (named graphs)
BY_SOURCE = "by-source"
#: the IRI of that profile, for documentation and ``Link`` headers
BY_SOURCE_PROFILE = "https://w3id.org/imt-kg/profile/by-source"

_PRIMARY_TOPIC = ox.NamedNode(str(FOAF.primaryTopic))


def jsonld_profile() -> str:
    """Return the JSON-LD form the request asks for: :data:`BY_SOURCE` or ``""`` (one graph)."""
    return BY_SOURCE if request.args.get("profile") == BY_SOURCE else ""


def build_context(engine: QueryEngine) -> dict:
    """Return the JSON-LD context of the graph, derived from the ontology's ``imt:`` terms."""
    rows = run_select(engine, TERMS_QUERY)
    return context_of((row["term"].value, row["kind"].value) for row in rows)


def serialize(quads: Iterable[ox.Quad], extension: str, context: dict, context_url: str) -> bytes:
    """Write ``quads`` as a document in the format of ``extension`` (not ``html``).

    :param context: the JSON-LD context document (:func:`build_context`), for JSON-LD.
    :param context_url: where the app publishes it; the JSON-LD document refers to it.
    """
    quads = list(dict.fromkeys(quads))
    if extension == "jsonld":
        if jsonld_profile() == BY_SOURCE:
            return to_jsonld(quads, context, context_url)
        return to_merged_jsonld(quads, context, context_url)
    fmt = OXIGRAPH_FORMATS[extension]
    terms: list[object] = [t for q in quads for t in (q.subject, q.predicate, q.object)]
    items: list[ox.Quad] | list[ox.Triple]
    if FORMATS[extension].dataset:
        items = quads
        terms += [q.graph_name for q in quads]
    else:
        items = list(dict.fromkeys(q.triple for q in quads))
    prefixes = used_prefixes(terms) if extension in ("ttl", "trig", "rdf") else None
    return _oxigraph_bytes(items, fmt, prefixes)


def _oxigraph_bytes(
    items: list[ox.Quad] | list[ox.Triple],
    fmt: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """Write ``items`` with Oxigraph in ``fmt`` and return the bytes."""
    output = io.BytesIO()
    ox.serialize(items, output, format=fmt, prefixes=prefixes)
    return output.getvalue()


def to_jsonld(quads: list[ox.Quad], context: dict, context_url: str) -> bytes:
    """Return compact JSON-LD of ``quads`` (named graphs kept) referring to ``context_url``."""
    from pyld import jsonld  # imported here: 0.06 s of every server start otherwise

    nquads = _oxigraph_bytes(quads, ox.RdfFormat.N_QUADS).decode("utf-8")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    # from_rdf's output is expanded JSON-LD already: compaction need not expand it again
    compacted = jsonld.compact(expanded, context, {"skipExpansion": True})
    compacted["@context"] = context_url
    return json.dumps(compacted, ensure_ascii=False, indent=2).encode("utf-8")


def to_merged_jsonld(quads: list[ox.Quad], context: dict, context_url: str) -> bytes:
    """Return compact JSON-LD of the merge of ``quads`` (one graph) referring to ``context_url``.

    The document's resource (the object of its ``foaf:primaryTopic``) is the top node; the other
    nodes are in its ``@included``. Without a primary topic (an empty document), the nodes are in
    a ``@graph``.
    """
    from pyld import jsonld  # imported here: 0.06 s of every server start otherwise

    triples = list(dict.fromkeys(q.triple for q in quads))
    topics = [
        t.object.value
        for t in triples
        if t.predicate == _PRIMARY_TOPIC and isinstance(t.object, ox.NamedNode)
    ]
    nquads = _oxigraph_bytes(triples, ox.RdfFormat.N_TRIPLES).decode("utf-8")
    nodes = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    topic_id = topics[0] if len(topics) == 1 else None
    top = next((n for n in nodes if n.get("@id") == topic_id), None)
    if top is None:
        document: object = nodes
    else:
        others = [n for n in nodes if n is not top]
        document = {**top, "@included": others} if others else top
    compacted = jsonld.compact(document, context, {"skipExpansion": True})
    compacted["@context"] = context_url
    # the resource's own properties first, the other nodes after them
    included = compacted.pop("@included", None)
    if included is not None:
        compacted["@included"] = included
    return json.dumps(compacted, ensure_ascii=False, indent=2).encode("utf-8")
