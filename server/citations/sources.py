"""The source documents as citable works, read from the catalogue (``graph:sources``).

A document's title (``dcterms:title``), creators (``dcterms:creator``), publisher
(``dcterms:publisher``), languages (``dcterms:language``), URL as published (``schema:url``,
else ``foaf:page``) and date (``dcterms:issued``, only where the catalogue gives one) are read
with SPARQL through the query engine, so the same code works on a remote store. A person or an
organisation is named by its label in the graph, in the document's language where there is one.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from imtkg.citations.model import Locator, PartialDate, Work
from imtkg.core.namespaces import GRAPH, ID, INFERRED_GRAPH
from imtkg.query.interface import QueryEngine
from imtkg.query.rows import Row, select_rows

SOURCES_GRAPH = str(GRAPH["sources"])
LOCATORS_GRAPH = str(GRAPH["locators"])
INFERRED = str(INFERRED_GRAPH)
SOURCE_PREFIX = str(ID) + "source/"
_SCHEMA = "https://schema.org/"
_DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: schema.org type of a document -> its CSL type (the first that fits wins; else ``document``)
CSL_TYPES: tuple[tuple[str, str], ...] = (
    (_SCHEMA + "NewsArticle", "article-newspaper"),
    (_SCHEMA + "Periodical", "article-magazine"),
    (_SCHEMA + "Report", "report"),
    (_SCHEMA + "Dataset", "dataset"),
    (_SCHEMA + "Article", "webpage"),
    (_SCHEMA + "WebPage", "webpage"),
)
DEFAULT_CSL_TYPE = "document"
#: the properties that name a person or an organisation, most preferred first
NAME_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://xmlns.com/foaf/0.1/name",
    _SCHEMA + "name",
    "http://www.w3.org/2004/02/skos/core#altLabel",
)


def source_key(iri: str) -> str:
    """Return the citation key of a source document: its name after ``id:source/``."""
    return iri[len(SOURCE_PREFIX) :] if iri.startswith(SOURCE_PREFIX) else iri.rsplit("/", 1)[-1]


def name_of(engine: QueryEngine, iri: str, languages: Iterable[str]) -> str:
    """Return the name of ``iri`` in the graph: by property preference, then in one of
    ``languages``, then English, then without a language tag, then any."""
    rows = select_rows(
        engine,
        f"""SELECT ?p ?name WHERE {{ GRAPH ?g {{ {ox.NamedNode(iri)} ?p ?name }}
  VALUES ?p {{ {" ".join(f"<{p}>" for p in NAME_PROPERTIES)} }}
  FILTER(?g != <{INFERRED}> && isLiteral(?name)) }}""",
    )
    wanted = [*languages, "en", ""]

    def rank(row: Row) -> tuple[int, int, str]:
        name = row["name"]
        assert isinstance(name, ox.Literal)
        lang = name.language or ""
        order = wanted.index(lang) if lang in wanted else len(wanted)
        return (NAME_PROPERTIES.index(row["p"].value), order, name.value)

    return min(rows, key=rank)["name"].value if rows else iri


def csl_type(types: Iterable[str]) -> str:
    """Return the CSL type of a document of the schema.org ``types`` (``schema:Periodical``
    standing for an article part of a periodical)."""
    present = set(types)
    return next((csl for schema, csl in CSL_TYPES if schema in present), DEFAULT_CSL_TYPE)


def source_work(engine: QueryEngine, iri: str, locators: tuple[Locator, ...] = ()) -> Work | None:
    """Return the source document ``iri`` of the catalogue as a work, ``None`` when the catalogue
    does not describe it."""
    rows = select_rows(
        engine,
        f"SELECT ?p ?o WHERE {{ GRAPH <{SOURCES_GRAPH}> {{ {ox.NamedNode(iri)} ?p ?o }} }}",
    )
    values: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    for row in rows:
        values.setdefault(row["p"].value, []).append(row["o"])
    if not values:
        return None
    languages = tuple(sorted(v.value for v in values.get(_DCT + "language", [])))
    titles = sorted(
        (v for v in values.get(_DCT + "title", []) if isinstance(v, ox.Literal)),
        key=lambda t: (t.language not in languages, t.language != "en", t.value),
    )
    issued = None
    for literal in values.get(_DCT + "issued", []):
        if isinstance(literal, ox.Literal):
            issued = PartialDate.from_literal(literal.value, literal.datatype.value)
    urls = values.get(_SCHEMA + "url") or values.get("http://xmlns.com/foaf/0.1/page") or []

    def names(prop: str) -> tuple[str, ...]:
        found = [
            name_of(engine, v.value, languages) if isinstance(v, ox.NamedNode) else v.value
            for v in values.get(prop, [])
            if not isinstance(v, ox.BlankNode)
        ]
        return tuple(sorted(found))

    publishers = names(_DCT + "publisher")
    containers = [
        v.value for v in values.get(_SCHEMA + "isPartOf", []) if isinstance(v, ox.NamedNode)
    ]
    periodical = [c for c in containers if _is_periodical(engine, c)]
    types = [v.value for v in values.get(RDF_TYPE, [])]
    if periodical:
        types.append(_SCHEMA + "Periodical")
    return Work(
        key=source_key(iri),
        kind=csl_type(types),
        title=titles[0].value if titles else name_of(engine, iri, languages),
        iri=iri,
        url=sorted(u.value for u in urls)[0] if urls else None,
        authors=names(_DCT + "creator"),
        publisher=", ".join(publishers) or None,
        container=", ".join(sorted(name_of(engine, c, languages) for c in containers)) or None,
        issued=issued,
        languages=languages,
        locators=locators,
    )


def _is_periodical(engine: QueryEngine, iri: str) -> bool:
    """Tell whether the catalogue types ``iri`` a ``schema:Periodical``."""
    rows = select_rows(
        engine,
        f"""SELECT ?t WHERE {{ GRAPH <{SOURCES_GRAPH}> {{ {ox.NamedNode(iri)} a ?t }}
  VALUES ?t {{ schema:Periodical }} }}""",
    )
    return bool(rows)


def graph_documents(engine: QueryEngine, graph: str) -> list[str]:
    """Return the source documents that named graph ``graph`` is derived from (the catalogue's
    ``prov:wasDerivedFrom`` or ``dcterms:source`` of it that is an ``imt:SourceDocument``)."""
    rows = select_rows(
        engine,
        f"""SELECT DISTINCT ?doc WHERE {{ GRAPH <{SOURCES_GRAPH}> {{
  {ox.NamedNode(graph)} prov:wasDerivedFrom|dcterms:source ?doc . ?doc a imt:SourceDocument
}} }} ORDER BY ?doc""",
    )
    return [row["doc"].value for row in rows]


def statement_locators(
    engine: QueryEngine, quad: ox.Quad
) -> tuple[str | None, dict[str, tuple[Locator, ...]]]:
    """Return the IRI of the reified statement of ``quad`` in ``graph:locators`` (``None`` when
    it has none) and the paragraphs that state it, by document, in order."""
    triple = f"{quad.subject} {quad.predicate} {quad.object}"
    rows = select_rows(
        engine,
        f"""SELECT ?st ?passage ?n ?doc WHERE {{ GRAPH <{LOCATORS_GRAPH}> {{
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; imt:inGraph {quad.graph_name} .
  VALUES (?s ?p ?o) {{ ({triple}) }}
  OPTIONAL {{
    ?st imt:supportedBy ?passage .
    ?passage imt:paragraphNumber ?n ; dcterms:isPartOf ?doc
  }}
}} }} ORDER BY ?st ?n ?passage""",
    )
    if not rows:
        return None, {}
    found: dict[str, list[Locator]] = {}
    for row in rows:
        if "passage" in row:
            locator = Locator(int(row["n"].value), row["passage"].value)
            if locator not in found.setdefault(row["doc"].value, []):
                found[row["doc"].value].append(locator)
    return rows[0]["st"].value, {doc: tuple(locs) for doc, locs in found.items()}
