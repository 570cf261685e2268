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


def to_merged_jsonld(
    items: Iterable[ox.Quad] | Iterable[ox.Triple],
    context: dict,
    context_url: str | None,
    top: str | None = None,
) -> bytes:
    """Return compact JSON-LD of the merge of ``items`` (one graph).

    The node ``top`` (by default the object of the document's ``foaf:primaryTopic``) is the top
    node, the other nodes are in its ``@included``; without one (an empty document), the nodes
    are in a ``@graph``.

    :param context_url: where the app publishes ``context``, which the document then refers to;
        ``None`` puts ``context`` in the document itself.
    """
    from pyld import jsonld  # imported here: 0.06 s of every server start otherwise

    triples = list(dict.fromkeys(i.triple if isinstance(i, ox.Quad) else i for i in items))
    if top is None:
        topics = [
            t.object.value
            for t in triples
            if t.predicate == _PRIMARY_TOPIC and isinstance(t.object, ox.NamedNode)
        ]
        top = topics[0] if len(topics) == 1 else None
    nquads = _oxigraph_bytes(triples, ox.RdfFormat.N_TRIPLES).decode("utf-8")
    nodes = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    nodes = _embed_blank_nodes(nodes, top)
    top_node = next((n for n in nodes if n.get("@id") == top), None)
    if top_node is None:
        document: object = nodes
    else:
        others = [n for n in nodes if n is not top_node]
        document = {**top_node, "@included": others} if others else top_node
    compacted = jsonld.compact(document, context, {"skipExpansion": True})
    if context_url is not None:
        compacted["@context"] = context_url
    # the top node's own properties first, the other nodes after them
    included = compacted.pop("@included", None)
    if included is not None:
        compacted["@included"] = included
    return json.dumps(compacted, ensure_ascii=False, indent=2).encode("utf-8")


def _embed_blank_nodes(nodes: list[dict], top: str | None) -> list[dict]:
    """Embed, in expanded JSON-LD ``nodes`` (one object per subject, as ``from_rdf`` gives
    them), each blank node that is the object of exactly one statement into that statement, so
    an RDF list or a record without an IRI reads where it is used; return the nodes left at the
    top level. Blank nodes referenced from a cycle of blank nodes stay at the top level."""
    by_id = {node["@id"]: node for node in nodes}
    references: dict[str, int] = {}
    for node in nodes:
        for value in _node_references(node):
            references[value] = references.get(value, 0) + 1
    embeddable = {
        ref for ref, n in references.items() if n == 1 and ref.startswith("_:") and ref in by_id
    }
    embedded: set[str] = set()

    def embed(node: dict, path: frozenset[str]) -> None:
        for key, values in node.items():
            if key.startswith("@") or not isinstance(values, list):
                continue
            for i, value in enumerate(values):
                ref = value.get("@id") if isinstance(value, dict) and len(value) == 1 else None
                if ref in embeddable and ref not in path and ref not in embedded:
                    embedded.add(ref)
                    child = {k: v for k, v in by_id[ref].items() if k != "@id"}
                    values[i] = child
                    embed(child, path | {ref})

    roots = {n["@id"] for n in nodes if n["@id"] not in embeddable or n["@id"] == top}
    for node in nodes:
        if node["@id"] in roots:
            embed(node, frozenset({node["@id"]}))
    # a blank node only reachable through a cycle of blank nodes: kept at the top level
    for node in nodes:
        if node["@id"] not in roots and node["@id"] not in embedded:
            roots.add(node["@id"])
            embed(node, frozenset({node["@id"]}))
    return [n for n in nodes if n["@id"] not in embedded]


def _node_references(node: dict) -> Iterable[str]:
    """The ``@id`` of every node object among the values of ``node``'s properties."""
    for key, values in node.items():
        if key.startswith("@") or not isinstance(values, list):
            continue
        for value in values:
            if isinstance(value, dict) and "@id" in value:
                yield value["@id"]
