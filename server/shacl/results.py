"""One SHACL validation result, as a person reads it, and the short names of report terms.

:mod:`imtkg.shacl.report_reading` reads results from a standard report; :mod:`imtkg.shacl.report`
groups them into the text report.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.term import Node

from imtkg.core.namespaces import BASE, ID, PREFIXES
from imtkg.rdf.terms import shorten

#: namespace of the shapes (``imtsh:``)
IMTSH = Namespace(BASE + "shapes#")

#: prefixes of reports: the project's, plus the shapes' and the concept schemes'
REPORT_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "imtsh": str(IMTSH),
    "c": str(ID) + "concept/",
}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, with what a person needs to find and fix it.

    :param focus_node: the node that does not conform.
    :param focus_label: its label (English preferred), when it has one.
    :param path: the result path in SPARQL property-path syntax
        (``org:memberDuring/time:hasBeginning`` for a sequence).
    :param value: the offending value, when there is one.
    :param message: the shape's message (English when it has one).
    :param severity: ``Violation``, ``Warning`` or ``Info``.
    :param source_shape: the shape that produced the result.
    :param constraint_component: the constraint component (``sh:MinCountConstraintComponent``).
    :param graphs: the named graphs that state the result's triple (else that describe its focus).
    :param files: the files those graphs were loaded from, when known.
    """

    focus_node: Node
    focus_label: str | None
    path: str | None
    value: Node | None
    message: str
    severity: str
    source_shape: Node
    constraint_component: URIRef
    graphs: tuple[URIRef, ...] = ()
    files: tuple[str, ...] = ()


def short(term: Node | None) -> str:
    """Return a readable form of a term with the report prefixes (``imtsh:FigureShape``)."""
    return "" if term is None else shorten(term, REPORT_PREFIXES)
