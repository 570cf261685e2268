"""The citation of a resource: the source documents of the graphs that describe it, the release.

A resource is cited with the documents of every named graph that asserts a statement about it
(as subject), then the latest release if that release describes it exactly as the served data
does, else the working data after the latest release. A source document of the catalogue is
cited as itself (and the release).
"""

from __future__ import annotations

import pyoxigraph as ox

from imtkg.citations.dataset import release_work, working_work
from imtkg.citations.model import Citation, Work
from imtkg.citations.sources import INFERRED, graph_documents, name_of, source_work
from imtkg.query.interface import QueryEngine
from imtkg.query.rows import select_rows
from imtkg.releases.history import ReleaseHistory


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def resource_quads(engine: QueryEngine, iri: str) -> set[ox.Quad]:
    """Return the asserted statements with ``iri`` as subject, without blank nodes (which are
    labelled differently in a release's dump)."""
    node = ox.NamedNode(iri)
    rows = select_rows(
        engine,
        f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} FILTER(?g != <{INFERRED}>) }}",
    )
    quads = {
        ox.Quad(node, row["p"], row["o"], row["g"])  # type: ignore[arg-type]
        for row in rows
    }
    return {q for q in quads if not _has_blank_node(q)}


def resource_release_work(
    history: ReleaseHistory, iri: str, quads: set[ox.Quad], same_as_latest: bool | None = None
) -> Work:
    """Return the latest release when it describes ``iri`` as the served data does, else the
    working data after it.

    :param same_as_latest: whether it does, when the caller knows (blank nodes compared);
        ``None`` to compare ``quads`` with the release's statements, blank nodes aside.
    """
    latest = history.latest
    if latest is None:
        return working_work(None)
    if same_as_latest is not None:
        return release_work(latest) if same_as_latest else working_work(latest)
    released = {
        q for q in history.descriptions(latest).get(iri, frozenset()) if not _has_blank_node(q)
    }
    return release_work(latest) if released == quads else working_work(latest)


def cite_resource(
    engine: QueryEngine, history: ReleaseHistory, iri: str, same_as_latest: bool | None = None
) -> Citation:
    """Return the citation of resource ``iri`` (known to exist in the data).

    :param same_as_latest: see :func:`resource_release_work`.
    """
    quads = resource_quads(engine, iri)
    own = source_work(engine, iri)
    works: list[Work] = []
    if own is not None:
        works.append(own)
    else:
        graphs = sorted({q.graph_name.value for q in quads})  # type: ignore[union-attr]
        for document in sorted({d for g in graphs for d in graph_documents(engine, g)}):
            work = source_work(engine, document)
            if work is not None:
                works.append(work)
    label = own.title if own is not None else name_of(engine, iri, ())
    stem = iri.rsplit("/id/", 1)[-1].replace("/", "-")
    return Citation(
        label=label,
        works=(*works, resource_release_work(history, iri, quads, same_as_latest)),
        filename=stem,
    )
