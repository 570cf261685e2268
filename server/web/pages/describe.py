"""The description of one resource, read with SPARQL through the query engine.

A description holds, each statement with the named graph(s) that hold it:

* the resource's own statements (and those of the blank nodes it points at, e.g. RDF lists);
* the statements that point at it (incoming), up to :data:`INCOMING_LIMIT`;
* the labels of everything those statements mention (resources, properties, types, graphs);
* for the named graphs involved, the source document each one is derived from (``graph:sources``).

A statement held only by ``graph:inferred`` is inferred (OWL RL); any other graph asserts it, and
the source document of that graph states it. Everything is read with SPARQL queries through
:class:`imtkg.query.interface.QueryEngine`, so the same code works on a remote store.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS

from imtkg.core.namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, SCHEMA, sparql_prologue
from imtkg.query.interface import QueryEngine
from imtkg.query.rows import Term, select_rows

log = logging.getLogger(__name__)

#: the properties whose values name a resource, most preferred first
LABEL_PROPERTIES: tuple[str, ...] = (
    str(SKOS.prefLabel),
    str(RDFS.label),
    str(FOAF.name),
    str(SCHEMA.name),
    str(DCTERMS.title),
)
#: at most this many incoming statements are read (a class has many instances)
INCOMING_LIMIT = 2000
SOURCES_GRAPH = str(GRAPH["sources"])
INFERRED = str(INFERRED_GRAPH)
RDF_TYPE = str(RDF.type)

#: a subject or a named graph (RDF-star quoted triples are not used)
Resource = ox.NamedNode | ox.BlankNode


def as_resource(term: Term) -> Resource:
    """Return ``term`` as a subject or graph name; a literal is refused (:class:`TypeError`)."""
    if isinstance(term, ox.Literal):
        raise TypeError(f"a literal is no subject nor graph: {term}")
    return term


def as_iri(term: Term) -> ox.NamedNode:
    """Return ``term`` as a predicate; anything but an IRI is refused (:class:`TypeError`)."""
    if not isinstance(term, ox.NamedNode):
        raise TypeError(f"not an IRI: {term}")
    return term


def term_value(term: Term | ox.Triple) -> str:
    """Return the value of an IRI, a blank node or a literal (an RDF-star triple has none)."""
    if isinstance(term, ox.Triple):
        raise TypeError(f"a quoted triple has no value: {term}")
    return term.value


#: the pages' name for :func:`imtkg.query.rows.select_rows`
run_select = select_rows


def run_ask(engine: QueryEngine, query: str) -> bool:
    """Run an ASK query through the engine and return its answer."""
    result = engine.execute(sparql_prologue() + query, result_format="json", graph_format=None)
    return bool(ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON))


def iri_ref(iri: str) -> str:
    """Return ``<iri>`` for a SPARQL query, checking that ``iri`` is a valid IRI.

    :raises ValueError: when ``iri`` is not a valid IRI (it then names nothing in the graph).
    """
    return str(ox.NamedNode(iri))


@dataclass(frozen=True)
class Statement:
    """A triple and the named graphs that hold it (sorted)."""

    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    object: Term
    graphs: tuple[str, ...]

    @property
    def inferred(self) -> bool:
        """True when only the inferred graph holds it: no source states it."""
        return self.graphs == (INFERRED,)

    @property
    def asserted_in(self) -> tuple[str, ...]:
        """The graphs (other than ``graph:inferred``) that assert it."""
        return tuple(g for g in self.graphs if g != INFERRED)


@dataclass
class SourceCatalogue:
    """The named graphs of the store, and what ``graph:sources`` says of them: the source
    document of each."""

    documents: dict[str, list[str]] = field(default_factory=dict)
    quads: list[ox.Quad] = field(default_factory=list)
    graphs: frozenset[str] = frozenset()

    def documents_of(self, graph: str) -> list[str]:
        """Return the source documents ``graph`` is derived from (none for the ontology)."""
        return self.documents.get(graph, [])


def source_catalogue(engine: QueryEngine) -> SourceCatalogue:
    """Read the links from each named graph to its source document(s) in ``graph:sources``."""
    rows = run_select(
        engine,
        f"""SELECT DISTINCT ?g ?p ?doc WHERE {{
  GRAPH <{SOURCES_GRAPH}> {{ ?g ?p ?doc VALUES ?p {{ prov:wasDerivedFrom dcterms:source }} }}
}} ORDER BY ?g ?doc""",
    )
    catalogue = SourceCatalogue()
    documents: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        graph, doc = row["g"].value, row["doc"].value
        if doc not in documents[graph]:
            documents[graph].append(doc)
        quad = ox.Quad(
            as_resource(row["g"]), as_iri(row["p"]), row["doc"], ox.NamedNode(SOURCES_GRAPH)
        )
        catalogue.quads.append(quad)
    catalogue.documents = dict(documents)
    names = run_select(engine, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    catalogue.graphs = frozenset(row["g"].value for row in names)
    return catalogue


@dataclass
class Description:
    """What the graph says about one resource (see the module documentation)."""

    iri: str
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)
    nested: list[Statement] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    label_quads: list[ox.Quad] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)
    source_quads: list[ox.Quad] = field(default_factory=list)
    incoming_truncated: bool = False
    is_graph: bool = False

    @property
    def exists(self) -> bool:
        """True when the graph says anything about the resource (or it names a graph)."""
        return bool(self.outgoing or self.incoming or self.is_graph)

    def objects(self, predicate: str) -> list[Term]:
        """Return the values of ``predicate`` on the resource (asserted and inferred)."""
        return [s.object for s in self.outgoing if s.predicate.value == predicate]

    def types(self) -> list[str]:
        """Return the IRIs of the resource's types (asserted and inferred), sorted."""
        return sorted({o.value for o in self.objects(RDF_TYPE) if isinstance(o, ox.NamedNode)})

    def has_type(self, *classes: str) -> bool:
        """Tell whether the resource is an instance of any of ``classes``."""
        mine = set(self.types())
        return any(c in mine for c in classes)

    def about(self, node: ox.BlankNode) -> list[Statement]:
        """Return the statements whose subject is the blank node ``node``."""
        return [s for s in self.nested if s.subject == node]

    def graphs(self) -> list[str]:
        """Return the named graphs that hold a statement of the description, sorted."""
        found = {g for s in self.outgoing + self.incoming + self.nested for g in s.graphs}
        return sorted(found)

    def quads(self) -> list[ox.Quad]:
        """Return every statement of the description as quads in their named graphs."""
        quads = [
            ox.Quad(s.subject, s.predicate, s.object, ox.NamedNode(g))
            for s in self.outgoing + self.nested + self.incoming
            for g in s.graphs
        ]
        return quads + self.label_quads + self.source_quads


def _statements(rows: list[dict[str, Term]], direction: str) -> list[Statement]:
    """Group rows ``?dir ?g ?s ?p ?o`` of one direction into statements with their graphs.

    The statements are sorted by their terms as N-Triples write them, so that a page lists
    them in the same order whatever order the engine answered in (engines differ).
    """
    graphs: dict[tuple[Resource, ox.NamedNode, Term], set[str]] = defaultdict(set)
    for row in rows:
        if row["dir"].value == direction:
            graphs[(as_resource(row["s"]), as_iri(row["p"]), row["o"])].add(row["g"].value)
    order = sorted(graphs, key=lambda key: (str(key[0]), str(key[1]), str(key[2])))
    return [Statement(s, p, o, tuple(sorted(graphs[(s, p, o)]))) for s, p, o in order]


def describe(
    engine: QueryEngine, iri: str, catalogue: SourceCatalogue, labels: LabelIndex
) -> Description:
    """Return the description of ``iri`` (empty when the graph says nothing about it).

    :param catalogue: the source catalogue (:func:`source_catalogue`), read once per app.
    :param labels: the label statements of the graph (:func:`label_index`), read once per app.
    """
    description = Description(iri=iri)
    try:
        ref = iri_ref(iri)
    except ValueError:
        return description
    rows = run_select(
        engine,
        f"""SELECT ?dir ?g ?s ?p ?o WHERE {{
  {{ GRAPH ?g {{ {ref} ?p ?o }} BIND({ref} AS ?s) BIND("out" AS ?dir) }}
  UNION
  {{ {{ GRAPH ?g {{ {ref} ?q ?s . ?s ?p ?o }} FILTER(isBlank(?s)) }} BIND("nested" AS ?dir) }}
  UNION
  {{ {{ GRAPH ?g {{ {ref} ?q ?b . ?b rdf:rest+ ?s . ?s ?p ?o }}
       FILTER(isBlank(?b) && isBlank(?s)) }}
     BIND("nested" AS ?dir) }}
  UNION
  {{ {{ SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {ref} }} }} LIMIT {INCOMING_LIMIT + 1} }}
     BIND({ref} AS ?o) BIND("in" AS ?dir) }}
}}""",
    )
    description.outgoing = _statements(rows, "out")
    description.nested = _statements(rows, "nested")
    incoming = _statements(rows, "in")
    description.incoming_truncated = len(incoming) > INCOMING_LIMIT
    description.incoming = incoming[:INCOMING_LIMIT]
    description.is_graph = iri in catalogue.graphs
    graphs = description.graphs() + ([iri] if description.is_graph else [])
    for graph in graphs:
        if catalogue.documents_of(graph):
            description.sources[graph] = catalogue.documents_of(graph)
    description.source_quads = [
        q for q in catalogue.quads if term_value(q.subject) in description.sources
    ]
    _add_labels(labels, description)
    return description


def exists(engine: QueryEngine, iri: str) -> bool:
    """Tell whether the graph says anything about ``iri`` (or it names a named graph)."""
    try:
        ref = iri_ref(iri)
    except ValueError:
        return False
    return run_ask(
        engine,
        f"""ASK {{ {{ GRAPH ?g {{ {ref} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p {ref} }} }}
  UNION {{ GRAPH {ref} {{ ?s ?p ?o }} }} }}""",
    )


def mentioned_iris(description: Description) -> list[str]:
    """Return the IRIs a description mentions (whose labels a page shows), sorted."""
    iris: set[str] = set()
    for statement in description.outgoing + description.incoming + description.nested:
        for term in (statement.subject, statement.predicate, statement.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
        iris.update(statement.graphs)
    for graph, documents in description.sources.items():
        iris.add(graph)
        iris.update(documents)
    iris.discard(description.iri)
    return sorted(iris)


class LabelIndex:
    """Every label statement of the graph (:data:`LABEL_PROPERTIES`), by resource.

    Read with one query when the app first needs a label: the data does not change while the
    app runs, and looking labels up in memory spares each page a query joining its resources.
    """

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.by_iri: dict[str, list[ox.Quad]] = defaultdict(list)
        for quad in quads:
            self.by_iri[term_value(quad.subject)].append(quad)

    def quads_for(self, iris: Iterable[str]) -> list[ox.Quad]:
        """Return the label statements of ``iris`` as quads in their named graphs."""
        return [quad for iri in iris for quad in self.by_iri.get(iri, ())]

    def labels_for(self, iris: Iterable[str]) -> dict[str, dict[str, str]]:
        """Return the labels of ``iris`` by language (see :func:`labels_by_language`)."""
        return labels_by_language(self.quads_for(iris))


def label_index(engine: QueryEngine) -> LabelIndex:
    """Read every label statement of the graph into a :class:`LabelIndex`."""
    properties = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    rows = run_select(
        engine,
        f"""SELECT ?g ?x ?p ?label WHERE {{
  GRAPH ?g {{ ?x ?p ?label }}
  FILTER(?p IN ({properties}) && isIRI(?x) && isLiteral(?label))
}}""",
    )
    return LabelIndex(
        ox.Quad(as_resource(r["x"]), as_iri(r["p"]), r["label"], as_resource(r["g"])) for r in rows
    )


def labels_by_language(quads: list[ox.Quad]) -> dict[str, dict[str, str]]:
    """Index label quads as ``{iri: {language: label}}`` (``""`` for no language).

    Where several label properties give a label in the same language, the one first in
    :data:`LABEL_PROPERTIES` wins; ties are broken by the text, so the choice is stable.
    """
    ranked: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for quad in quads:
        literal = quad.object
        if not isinstance(literal, ox.Literal):  # every label is one (the queries filter)
            continue
        rank = LABEL_PROPERTIES.index(quad.predicate.value)
        language = literal.language or ""
        candidate = (rank, literal.value)
        subject = term_value(quad.subject)
        current = ranked[subject].get(language)
        if current is None or candidate < current:
            ranked[subject][language] = candidate
    return {iri: {lang: v[1] for lang, v in langs.items()} for iri, langs in ranked.items()}


def _add_labels(labels: LabelIndex, description: Description) -> None:
    """Add the labels of the resource and of everything its description mentions."""
    quads = labels.quads_for(mentioned_iris(description))
    description.label_quads = quads
    own = [
        ox.Quad(s.subject, s.predicate, s.object, ox.NamedNode(g))
        for s in description.outgoing
        if s.predicate.value in LABEL_PROPERTIES and isinstance(s.object, ox.Literal)
        for g in s.graphs
    ]
    description.labels = labels_by_language(quads + own)


def is_ontology_statement(statement: Statement) -> bool:
    """Tell whether the ontology graph (rather than a source document) states ``statement``."""
    return str(ONTOLOGY_GRAPH) in statement.graphs
