"""The citation of one statement: the documents that state it, their paragraphs, the release.

A statement is named by its subject (an IRI of the graph), its predicate (an IRI), its object
(one RDF term written in N-Triples) and, optionally, the named graph that asserts it. Its
citation lists the source document(s) of each graph asserting it, each with the paragraph(s)
that state it (``graph:locators``), then the dataset release that holds it
(:meth:`~imtkg.releases.history.ReleaseHistory.release_of`), or the working data after the
latest release when no release holds it yet.
"""

from __future__ import annotations

import pyoxigraph as ox

from imtkg.citations.dataset import release_work, working_work
from imtkg.citations.model import Citation, CitationError, Work
from imtkg.citations.sources import (
    INFERRED,
    graph_documents,
    source_work,
    statement_locators,
)
from imtkg.query.interface import QueryEngine
from imtkg.query.rows import select_rows
from imtkg.releases.history import ReleaseHistory

#: what a malformed object is told
OBJECT_FORMAT = 'one RDF term in N-Triples: <IRI>, "text", "text"@lang or "value"^^<datatype IRI>'


def parse_iri(value: str, parameter: str) -> ox.NamedNode:
    """Return ``value`` (an IRI, with or without ``<>``) as an IRI.

    :raises CitationError: naming ``parameter`` when it is not an absolute IRI.
    """
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    try:
        if ":" not in text:
            raise ValueError(text)
        return ox.NamedNode(text)
    except ValueError:
        raise CitationError(
            f"parameter {parameter} must be an absolute IRI, not {value[:100]!r}"
        ) from None


def parse_object(value: str) -> ox.NamedNode | ox.Literal:
    """Return the object written ``value`` in N-Triples.

    :raises CitationError: when it is not exactly one IRI or literal.
    """
    document = f"<urn:s> <urn:p> {value.strip()} .\n"
    try:
        triples = list(ox.parse(document.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        triples = []
    if len(triples) != 1 or isinstance(triples[0].object, ox.BlankNode | ox.Triple):
        raise CitationError(f"parameter o must be {OBJECT_FORMAT}, not {value[:100]!r}")
    term = triples[0].object
    assert isinstance(term, ox.NamedNode | ox.Literal)
    return term


def parse_statement(
    subject: str, predicate: str | None, obj: str | None, graph: str | None = None
) -> tuple[ox.Triple, ox.NamedNode | None]:
    """Return the statement ``subject predicate obj`` and the graph asked for (``None``: any).

    :raises CitationError: when a part is absent or malformed (the message names it).
    """
    if not predicate or not obj:
        missing = " and ".join(n for n, v in (("p", predicate), ("o", obj)) if not v)
        raise CitationError(
            f"a statement needs p (the predicate IRI) and o (the object, {OBJECT_FORMAT}); "
            f"missing: {missing}"
        )
    named_graph = parse_iri(graph, "g") if graph else None
    triple = ox.Triple(parse_iri(subject, "subject"), parse_iri(predicate, "p"), parse_object(obj))
    return triple, named_graph


def asserting_graphs(engine: QueryEngine, triple: ox.Triple) -> list[str]:
    """Return the named graphs that hold ``triple``, ``graph:inferred`` included, sorted."""
    rows = select_rows(
        engine,
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {triple} }} }} ORDER BY ?g",
    )
    return [row["g"].value for row in rows]


def _source_works(engine: QueryEngine, quad: ox.Quad) -> tuple[list[Work], str | None]:
    """The documents of the graph of ``quad`` with the paragraphs stating it, and the IRI of its
    reified statement (``None`` when it has no locator)."""
    statement, locators = statement_locators(engine, quad)
    works: list[Work] = []
    if not isinstance(quad.graph_name, ox.NamedNode):  # the default graph has no documents
        return works, statement
    for document in graph_documents(engine, quad.graph_name.value):
        work = source_work(engine, document, locators.get(document, ()))
        if work is not None:
            works.append(work)
    return works, statement


def cite_statement(
    engine: QueryEngine,
    history: ReleaseHistory,
    triple: ox.Triple,
    graph: ox.NamedNode | None = None,
) -> Citation:
    """Return the citation of ``triple`` as asserted in ``graph`` (every graph asserting it when
    ``None``; ``graph:inferred`` when only the reasoner derives it).

    :raises CitationError: when the data does not hold the statement (in ``graph``).
    """
    holding = asserting_graphs(engine, triple)
    if graph is not None:
        if graph.value not in holding:
            raise CitationError(f"the data holds no statement {triple} in graph {graph}")
        cited = [graph.value]
    else:
        if not holding:
            raise CitationError(f"the data holds no statement {triple}")
        cited = [g for g in holding if g != INFERRED] or [INFERRED]
    works: list[Work] = []
    notes: list[str] = []
    release = None
    for name in cited:
        quad = ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(name))
        found, statement = _source_works(engine, quad)
        works += [w for w in found if w.key not in {k.key for k in works}]
        notes.append(f"Statement {statement}" if statement else f"Statement in graph {name}")
        if name == INFERRED:
            notes.append("Inferred by OWL 2 RL reasoning: no source document states it")
        release = release or history.release_of(quad)
    dataset = (
        release_work(release, tuple(notes))
        if release is not None
        else working_work(history.latest, tuple(notes))
    )
    quads = " ".join(f"{triple} <{g}> ." for g in cited)
    stem = next((n.rsplit("/", 1)[-1] for n in notes if n.startswith("Statement http")), None)
    return Citation(
        label=str(triple),
        works=(*works, dataset),
        filename=f"statement-{stem}" if stem else "statement",
        statement=quads,
    )
