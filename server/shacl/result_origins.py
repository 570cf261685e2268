"""Where a validation result comes from: the named graphs (and files) that state its triple."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.shacl.results import REPORT_PREFIXES, ValidationResult

#: a triple pattern (``None`` matches anything)
Pattern = tuple[Node | None, Node | None, Node | None]


def locate(
    result: ValidationResult, dataset: Dataset, origins: Mapping[URIRef, str]
) -> ValidationResult:
    """Return ``result`` with the named graphs (and files) where the problem is stated."""
    graphs = origin_graphs(dataset, result.focus_node, result.path, result.value)
    files = tuple(dict.fromkeys(origins[g] for g in graphs if g in origins))
    return ValidationResult(**{**result.__dict__, "graphs": graphs, "files": files})


def origin_graphs(
    dataset: Dataset, focus: Node, path: str | None, value: Node | None
) -> tuple[URIRef, ...]:
    """Return the graphs that state the triple of a result, else those that describe its focus.

    The default graph counts (``DATASET_DEFAULT_GRAPH_ID``: a request body in a triple format);
    a named graph given as focus node (a graph missing from the catalogue) is its own origin.
    """
    predicate = _expand(path) if path and value is not None else None
    found: list[URIRef] = []
    if path is not None and predicate is not None:
        inverse = path.startswith("^")
        triple = (value, predicate, focus) if inverse else (focus, predicate, value)
        found = _graphs_matching(dataset, triple)
    if not found:
        found = _graphs_matching(dataset, (focus, RDF.type, None)) or _graphs_matching(
            dataset, (focus, None, None)
        )
    if not found and isinstance(focus, URIRef):
        if any(g.identifier == focus for g in dataset.graphs()):
            found = [focus]
    return tuple(sorted(set(found), key=str))


def _graphs_matching(dataset: Dataset, pattern: Pattern) -> list[URIRef]:
    """Return the graphs (not graph:inferred) with a triple matching ``pattern``.

    The default graph counts (``DATASET_DEFAULT_GRAPH_ID``); one look-up in the dataset's
    indexes, not one per graph.
    """
    found = []
    for *_, context in dataset.quads((*pattern, None)):
        name = getattr(context, "identifier", context)
        if name != INFERRED_GRAPH and isinstance(name, URIRef):
            found.append(name)
    return list(dict.fromkeys(found))


def _expand(path: str) -> URIRef | None:
    """Return the IRI of a one-step path (``imt:value`` or ``^org:hasUnit``), else ``None``."""
    text = path.removeprefix("^")
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in REPORT_PREFIXES or any(c in local for c in "/|()*+?^"):
        return None
    return URIRef(REPORT_PREFIXES[prefix] + local)
