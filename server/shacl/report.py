"""What a validation found (:class:`ValidationOutcome`: the standard SHACL report and the results),
and its text for people: results grouped by focus node (the HTML view reuses the grouping).

Each group is one focus node with its label and the graphs (and files) that describe it; each
result says its severity, path, offending value, message, and which shape and constraint
component produced it, so that a contributor finds the triple to fix in a minute.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from imtkg.rdf.reading import oxigraph_triple
from imtkg.shacl.results import ValidationResult, short

#: the beginnings of the names of graphs that hold one file each (``file:`` IRIs, standard input)
FILE_GRAPHS = ("file:", "urn:imtkg:")

#: how the default graph is named in reports (a request body in a triple format lands there)
DEFAULT_GRAPH_NAME = "the default graph"


@dataclass(frozen=True)
class FocusGroup:
    """The results about one focus node, worst first.

    :param focus_node: the node.
    :param label: its label, when it has one.
    :param results: its results, violations first.
    """

    focus_node: Node
    label: str | None
    results: tuple[ValidationResult, ...]

    @property
    def severity(self) -> str:
        """The worst severity among the group's results."""
        return self.results[0].severity


@dataclass
class ValidationOutcome:
    """What :func:`validate_dataset` found.

    :param conforms: true when no result is a ``sh:Violation`` (warnings are allowed).
    :param results: every result, violations first, then by focus node.
    :param report: the standard SHACL validation report (``sh:ValidationReport``).
    :param seconds: how long the validation took.
    """

    conforms: bool
    results: list[ValidationResult]
    report: Graph
    seconds: float = 0.0
    inference: str = "none"
    graphs: list[URIRef] = field(default_factory=list)
    #: the validator that produced the report: ``oxigraph`` or ``pyshacl``
    engine: str = "pyshacl"

    def count(self, severity: str) -> int:
        """Return the number of results of ``severity`` (``Violation``, ``Warning`` or ``Info``)."""
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> int:
        """Number of ``sh:Violation`` results."""
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        """Number of ``sh:Warning`` results."""
        return self.count("Warning")

    def serialize(self, fmt: str) -> bytes:
        """Return the standard SHACL report in rdflib format ``fmt`` (``turtle``, ``json-ld``).

        Oxigraph writes it (:func:`write_report`): rdflib's writers print an ill-typed value of
        the data as a bare word (``"none"^^xsd:boolean`` as ``none`` in Turtle, ``false`` in
        JSON-LD), which is not Turtle or changes the value.
        """
        return write_report(self.report, fmt)

    @property
    def text(self) -> str:
        """The human-readable report, grouped by focus node (:func:`format_text`)."""
        return format_text(self)


#: rdflib format names of the report -> Oxigraph's format
REPORT_SYNTAXES = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD}


def write_report(report: Graph, fmt: str) -> bytes:
    """Return ``report`` written in ``fmt`` (``turtle`` or ``json-ld``), every literal as it is.

    Turtle gets the report's prefixes; JSON-LD is written expanded (full IRIs, no context).
    """
    if fmt not in REPORT_SYNTAXES:
        raise ValueError(f"reports are written in {', '.join(REPORT_SYNTAXES)}, not {fmt!r}")
    prefixes = _used_prefixes(report) if fmt == "turtle" else None
    data = ox.serialize(_ox_triples(report), format=REPORT_SYNTAXES[fmt], prefixes=prefixes)
    if data is None:  # never: with no output given, pyoxigraph returns the bytes
        raise ValueError("pyoxigraph wrote no report")
    return data


def _used_prefixes(graph: Graph) -> dict[str, str]:
    """Return the prefixes bound in ``graph`` that name an IRI of it (not rdflib's dozens)."""
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    iris |= {str(o.datatype) for o in graph.objects() if isinstance(o, Literal) and o.datatype}
    return {
        str(prefix): str(namespace)
        for prefix, namespace in graph.namespaces()
        if prefix and any(iri.startswith(str(namespace)) for iri in iris)
    }


def _ox_triples(graph: Graph) -> Iterator[ox.Triple]:
    """Yield the triples of ``graph`` as Oxigraph triples (terms exactly as they are), sorted so
    that each node's triples come together."""
    triples = [oxigraph_triple(s, p, o) for s, p, o in graph]
    yield from sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def group_by_focus(results: list[ValidationResult]) -> list[FocusGroup]:
    """Group results by focus node: nodes with violations first, then in IRI order."""
    groups: dict[Node, list[ValidationResult]] = {}
    for result in results:
        groups.setdefault(result.focus_node, []).append(result)
    ordered = [
        FocusGroup(focus, items[0].focus_label, tuple(sorted(items, key=_result_order)))
        for focus, items in groups.items()
    ]
    return sorted(ordered, key=lambda g: (_SEVERITY_RANK.get(g.severity, 3), str(g.focus_node)))


_SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}


def _result_order(result: ValidationResult) -> tuple:
    return (_SEVERITY_RANK.get(result.severity, 3), result.path or "", str(result.value or ""))


def graph_name(graph: URIRef) -> str:
    """Return how a report names a graph: ``graph:imt-grand-est``, or the default graph."""
    return DEFAULT_GRAPH_NAME if graph == DATASET_DEFAULT_GRAPH_ID else short(graph)


def where(result: ValidationResult, origins: Mapping[URIRef, str] | None = None) -> str:
    """Return where a result's triple is stated: ``graph:x (graph/x.ttl), graph:y``; a graph
    named after its file (``imtkg validate --shapes``) is named by the file alone."""
    origins = origins or {}
    parts = []
    for graph in result.graphs:
        name = graph_name(graph)
        if graph not in origins:
            parts.append(name)
        elif str(graph).startswith(FILE_GRAPHS):
            parts.append(origins[graph])
        else:
            parts.append(f"{name} ({origins[graph]})")
    return ", ".join(parts) if parts else "no named graph (the ontology or inferred data)"


def summary(outcome: ValidationOutcome) -> str:
    """Return the one-line verdict: conforms or not, and how many violations and warnings."""
    counts = f"{_plural(outcome.violations, 'violation')}, {_plural(outcome.warnings, 'warning')}"
    verdict = "conforms" if outcome.conforms else "does NOT conform"
    return f"SHACL validation: the data {verdict} ({counts})."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_text(outcome: ValidationOutcome, origins: Mapping[URIRef, str] | None = None) -> str:
    """Return the human-readable report of ``outcome``, grouped by focus node."""
    lines = [summary(outcome)]
    for group in group_by_focus(outcome.results):
        lines.append("")
        label = f" — {group.label}" if group.label else ""
        lines.append(f"{short(group.focus_node)}{label}")
        for result in group.results:
            lines.extend(_result_lines(result, origins))
    return "\n".join(lines) + "\n"


def _result_lines(result: ValidationResult, origins: Mapping[URIRef, str] | None) -> list[str]:
    head = f"  {result.severity:<9} {result.path or '(the node itself)'}"
    if result.value is not None and result.value != result.focus_node:
        head += f" = {short(result.value)}"
    return [
        head,
        f"            {result.message}",
        f"            in {where(result, origins)}; "
        f"{short(result.source_shape)} ({short(result.constraint_component)})",
    ]
