"""Reading a standard SHACL validation report (of either engine) into results a person can use.

:func:`outcome_of` turns the report's ``sh:result``\\ s into :class:`ValidationResult`\\ s (label
of the focus node, path text, English message with prefixed names), locates each in the
dataset's named graphs and sorts them. The outcome's ``conforms`` is the project's gate (no
``sh:Violation``: warnings do not fail ``imtkg validate``), the report's ``sh:conforms`` the
spec's (true only when there is no result at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Protocol

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from imtkg.core.namespaces import SH
from imtkg.shacl.data_graph import graphs_of_facts
from imtkg.shacl.property_paths import path_text
from imtkg.shacl.report import ValidationOutcome
from imtkg.shacl.result_origins import locate
from imtkg.shacl.results import REPORT_PREFIXES, ValidationResult, short

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


class Triples(Protocol):
    """What labels are read from: a graph, or a view of a dataset's asserted triples."""

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """Yield the objects of ``subject`` and ``predicate``."""
        ...


def outcome_of(
    report: Graph,
    shapes: Graph,
    data: Triples,
    ontology: Graph,
    dataset: Dataset,
    origins: Mapping[URIRef, str],
) -> ValidationOutcome:
    """Read a standard SHACL report (of either engine) into a :class:`ValidationOutcome`.

    Results are located in the dataset's named graphs and sorted; the outcome's ``conforms`` is
    the project's gate (no violation), the report's ``sh:conforms`` the spec's (no result at
    all); the report gets the project's prefixes.
    """
    results = _read_results(report, shapes, data, ontology)
    located = [locate(r, dataset, origins) for r in results]
    located.sort(key=_sort_key)
    conforms = not any(r.severity == "Violation" for r in located)
    set_conforms(report, not located)
    for prefix, namespace in REPORT_PREFIXES.items():
        report.bind(prefix, namespace, replace=True)
    return ValidationOutcome(
        conforms=conforms, results=located, report=report, graphs=graphs_of_facts(dataset)
    )


def set_conforms(report: Graph, conforms: bool) -> None:
    """Set the ``sh:conforms`` of the report's ``sh:ValidationReport``."""
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))


def _sort_key(result: ValidationResult) -> tuple[int, str, str, str, str]:
    return (
        _SEVERITY_ORDER.get(result.severity, 3),
        str(result.focus_node),
        result.path or "",
        str(result.value or ""),
        str(result.source_shape),
    )


def _read_results(
    report: Graph, shapes: Graph, data: Triples, ontology: Graph
) -> list[ValidationResult]:
    """Read the results of a report (its ``sh:result``s, not their details)."""
    results = []
    for node in report.objects(None, SH.result):
        focus = _required(report, node, SH.focusNode)
        path_node = report.value(node, SH.resultPath)
        path_graph = (
            report if path_node is not None and (path_node, None, None) in report else shapes
        )
        severity = report.value(node, SH.resultSeverity)
        component = _required(report, node, SH.sourceConstraintComponent)
        if not isinstance(component, URIRef):
            raise ValueError(f"a validation result whose constraint component is {component!r}")
        results.append(
            ValidationResult(
                focus_node=focus,
                focus_label=label_of(focus, data, ontology),
                path=path_text(path_graph, path_node) if path_node is not None else None,
                value=report.value(node, SH.value),
                message=_message(
                    list(report.objects(node, SH.resultMessage)),
                    _templates(shapes, report.value(node, SH.sourceConstraint), node, report),
                ),
                severity=_severity_name(severity),
                source_shape=_required(report, node, SH.sourceShape),
                constraint_component=component,
            )
        )
    return results


def _severity_name(severity: Node | None) -> str:
    """Return ``Violation``, ``Warning`` or ``Info`` (else the severity's text)."""
    name = SEVERITY_NAMES.get(severity) if isinstance(severity, URIRef) else None
    return name if name is not None else str(severity)


def _required(report: Graph, node: Node, predicate: URIRef) -> Node:
    """Return the value of a property every result has (the SHACL spec says so, and both engines
    write it: a report without it is a bug of the engine, not of the data)."""
    value = report.value(node, predicate)
    if value is None:
        raise ValueError(f"a validation result without {short(predicate)} ({node})")
    return value


def _templates(shapes: Graph, constraint: Node | None, node: Node, report: Graph) -> list[str]:
    """Return the English ``sh:message`` templates that may have produced a result's message."""
    sources = [constraint, report.value(node, SH.sourceShape)]
    return [
        str(m)
        for source in sources
        if source is not None
        for m in shapes.objects(source, SH.message)
        if isinstance(m, Literal) and m.language == "en"
    ]


def _message(messages: list[Node], templates: list[str]) -> str:
    """Return a result's English message, with prefixed names instead of full IRIs.

    pyshacl drops the language of the messages of SHACL-SPARQL constraints (whose ``{?var}``
    it fills in with full IRIs): the English one is the one that matches an English template.
    """
    texts = [m for m in messages if isinstance(m, Literal)]
    english = [str(m) for m in texts if m.language == "en"]
    if not english:
        patterns = [_template_pattern(t) for t in templates]
        english = [str(m) for m in texts if any(p.fullmatch(str(m)) for p in patterns)]
    found = sorted(english) or sorted(str(m) for m in texts)
    return _IRI_IN_TEXT.sub(lambda m: short(URIRef(m.group(0))), found[0]) if found else ""


#: an absolute http(s) IRI inside a message (up to a space, or a comma or colon before a space)
_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"]+?(?=[,.:;)]?(\s|$))")


def _template_pattern(template: str) -> re.Pattern[str]:
    """Return a pattern matching a message template with its ``{?var}``/``{$var}`` filled in."""
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.compile("(?s)" + ".+?".join(re.escape(p) for p in parts))


def label_of(node: Node | None, *graphs: Triples) -> str | None:
    """Return the label of ``node``: English ``rdfs:label`` first, then any label or prefLabel."""
    if node is None:
        return None
    labels: list[Literal] = []
    for graph in graphs:
        for predicate in (RDFS.label, SKOS.prefLabel):
            labels += [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    if not labels:
        return None
    english = sorted(str(label) for label in labels if label.language == "en")
    return english[0] if english else sorted(str(label) for label in labels)[0]
