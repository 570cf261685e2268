"""Inconsistencies OWL RL detects: find them, say which triples cause them, refuse to serve them.

The ontology makes some classes disjoint (``owl:AllDisjointClasses``: figures, people,
organisations, events and places); a resource typed with two of them, asserted or inferred, is
an inconsistency (rule ``cax-adc``, or ``cax-dw`` for ``owl:disjointWith``). So is every other
instance of an OWL 2 RL rule whose conclusion is ``false``: members of ``owl:Nothing``
(``cls-nothing2``), literals typed with a datatype that does not hold their value
(``dt-not-type``), ``owl:sameAs`` against ``owl:differentFrom`` (``eq-diff1/2/3``), irreflexive,
asymmetric, disjoint and negative property assertions (``prp-irp``, ``prp-asyp``, ``prp-pdw``,
``prp-adp``, ``prp-npa1/2``), complements and zero cardinalities (``cls-com``, ``cls-maxc1``,
``cls-maxqc1/2``); :func:`violation_message` says each in words. Each :class:`Inconsistency`
names its rule, the offending triples and the asserted triples (with their named graphs) that
lead to them.

:func:`find_inconsistencies` is what ``imtkg validate`` reports; the server refuses to start on
an inconsistent graph (:class:`InconsistentGraphError`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Dataset, URIRef
from rdflib.namespace import OWL, RDF

from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import ONTOLOGY_GRAPH
from imtkg.rdf.terms import format_triple, shorten
from imtkg.reasoning.closure import Reasoning, graphs_stating, reason
from imtkg.reasoning.rl_reasoner import RULES, RLClosure, RLViolation, Triple

#: owlrl's error messages (when owlrl computed the closure) -> the OWL 2 RL rule they come from
OWLRL_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), rule)
    for pattern, rule in (
        (r"^Disjoint classes (\S+) and (\S+) have a common individual (\S+)$", "cax-dw"),
        (r"^(\S+) is defined of type 'Nothing'$", "cls-nothing2"),
        (r"^Lexical value of the literal '.*' does not match its datatype", "dt-not-type"),
        (r"^Irreflexive property", "prp-irp"),
        (r"^Erroneous usage of asymmetric property", "prp-asyp"),
        (r"^Disjoint properties in an 'AllDisjointProperties'", "prp-adp"),
        (r"^Erroneous usage of disjoint properties", "prp-pdw"),
        (r"^Negative \(object\) property assertion", "prp-npa1"),
        (r"^Negative \(datatype\) property assertion", "prp-npa2"),
        (r"^Violation of complementarity", "cls-com"),
        (r"^Erroneous usage of maximum cardinality", "cls-maxc1"),
        (r"^Erroneous usage of maximum qualified cardinality", "cls-maxqc1"),
        (r"^'sameAs' and 'differentFrom'", "eq-diff1"),
        (r"^'sameAs' and 'AllDifferent'", "eq-diff2"),
        (r"^Violation of type restriction for allValuesFrom", "cls-avf"),
    )
)


@dataclass(frozen=True)
class Inconsistency:
    """A contradiction in the knowledge graph, found by an OWL 2 RL rule.

    :param rule: the rule's name (``cax-dw``, ``cax-adc``, ``cls-nothing2``, ``dt-not-type``...).
    :param message: what is wrong, in one line with short names.
    :param triples: the offending triples: the facts and the axiom the rule matched.
    :param grounds: the asserted data triples those rest on, each with the named graphs that
        state it (empty when owlrl found the inconsistency: it keeps no derivations).
    """

    rule: str
    message: str
    triples: tuple[Triple, ...] = ()
    grounds: tuple[tuple[Triple, tuple[URIRef, ...]], ...] = ()

    def describe(self) -> str:
        """Return the inconsistency on several lines: rule and message, triples, grounds."""
        lines = [f"{self.rule}: {self.message}"]
        lines += [f"  offending triple: {format_triple(t)}" for t in self.triples]
        for triple, graphs in self.grounds:
            where = ", ".join(shorten(g) for g in graphs)
            lines.append(f"  stated as: {format_triple(triple)}  (in {where})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


class InconsistentGraphError(ImtKgError):
    """The knowledge graph contradicts itself: it is not served until the data is fixed."""

    def __init__(self, inconsistencies: list[Inconsistency]) -> None:
        self.inconsistencies = inconsistencies
        count = len(inconsistencies)
        details = "\n".join(i.describe() for i in inconsistencies)
        super().__init__(
            f"the knowledge graph is inconsistent under OWL 2 RL ({count} problem"
            f"{'s' if count != 1 else ''}); fix the data or the ontology:\n{details}"
        )


def violation_message(violation: RLViolation) -> str:
    """Return a one-line, readable message for a violation found by the fast OWL RL engine."""
    rule, subject = violation.rule, shorten(violation.subject)
    terms = [shorten(c) for c in violation.classes]
    triple = violation.triples[0] if violation.triples else None
    if rule in ("cax-dw", "cax-adc"):
        how = "owl:disjointWith" if rule == "cax-dw" else "owl:AllDisjointClasses"
        return f"{subject} is an instance of {terms[0]} and of {terms[1]}, disjoint classes ({how})"
    if rule == "cls-nothing2":
        return f"{subject} is an instance of owl:Nothing"
    if rule == "cls-com":
        return f"{subject} is an instance of {terms[0]} and of its complement {terms[1]}"
    if rule == "dt-not-type":
        datatype = "value" if violation.datatype is None else shorten(violation.datatype)
        return f"the literal {subject} is not a valid {datatype}"
    if rule == "eq-diff1" and triple is not None:
        return f"{subject} is both the same as and different from {shorten(triple[2])}"
    if rule in ("eq-diff2", "eq-diff3"):
        return f"{terms[0]} and {terms[1]}, members of one owl:AllDifferent, are the same"
    if rule == "prp-irp":
        return f"{subject} is linked to itself by the irreflexive property {terms[0]}"
    if rule == "prp-asyp" and triple is not None:
        other = shorten(triple[2])
        return f"{subject} and {other} are linked both ways by the asymmetric property {terms[0]}"
    if rule in ("prp-pdw", "prp-adp") and triple is not None:
        other = shorten(triple[2])
        return f"{subject} is linked to {other} by {terms[0]} and {terms[1]}, disjoint properties"
    if rule in ("prp-npa1", "prp-npa2") and triple is not None:
        return f"{format_triple(triple)} holds, against a negative property assertion"
    if rule == "cls-maxc1":
        return f"{subject} has a value, which the max-0 cardinality restriction {terms[0]} forbids"
    if rule in ("cls-maxqc1", "cls-maxqc2"):
        return (
            f"{subject} has a value the max-0 qualified cardinality restriction {terms[0]} forbids"
        )
    return f"{subject}: {RULES.get(rule, rule)}"


def _grounds(
    closure: RLClosure, dataset: Dataset, triples: tuple[Triple, ...]
) -> tuple[tuple[Triple, tuple[URIRef, ...]], ...]:
    """Return the asserted data triples behind ``triples``, with the graphs stating them."""
    found: dict[Triple, tuple[URIRef, ...]] = {}
    for triple in triples:
        for leaf in closure.support(triple):
            graphs = tuple(g for g in graphs_stating(dataset, leaf) if g != ONTOLOGY_GRAPH)
            if graphs:
                found[leaf] = graphs
    return tuple(sorted(found.items()))


def _from_owlrl(message: str) -> Inconsistency:
    """Read one of owlrl's error messages (its terms are plain IRIs)."""
    for pattern, rule in OWLRL_MESSAGES:
        match = pattern.match(message)
        if match is None:
            continue
        terms = [URIRef(g) for g in match.groups()]
        if rule == "cax-dw":
            first, second, individual = terms
            triples = ((individual, RDF.type, first), (individual, RDF.type, second))
            return Inconsistency(rule, message, triples)
        if rule == "cls-nothing2":
            return Inconsistency(rule, message, ((terms[0], RDF.type, OWL.Nothing),))
        return Inconsistency(rule, message)
    return Inconsistency("owl-rl", message)


def inconsistencies_of(reasoning: Reasoning, dataset: Dataset) -> list[Inconsistency]:
    """Return the inconsistencies a reasoning run found, with their grounds in ``dataset``."""
    if reasoning.closure is None:
        return [_from_owlrl(m) for m in reasoning.owlrl_errors]
    return [
        Inconsistency(
            v.rule,
            violation_message(v),
            v.triples,
            _grounds(reasoning.closure, dataset, v.triples),
        )
        for v in reasoning.violations
    ]


def find_inconsistencies(dataset: Dataset) -> list[Inconsistency]:
    """Reason over ``dataset``'s asserted graphs and return the inconsistencies OWL RL detects."""
    return inconsistencies_of(reason(dataset), dataset)


def ensure_consistent(inconsistencies: list[Inconsistency]) -> None:
    """Raise :class:`InconsistentGraphError` when ``inconsistencies`` is not empty."""
    if inconsistencies:
        raise InconsistentGraphError(inconsistencies)
