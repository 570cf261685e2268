"""Hypothesis strategies: small random ontologies and data over every OWL 2 RL construct.

A graph is a handful of constructs (an assertion, a property characteristic, a restriction, a
list axiom, …), each a few triples, drawn over small pools of names so that they meet: five
individuals, four classes, four properties, literals of several datatypes (equal values written
differently, ill-typed ones, a datatype outside OWL 2 RL), and the built-in terms (owl:Thing,
owl:Nothing, rdf:type, owl:sameAs, rdfs:subClassOf) mixed into every position.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from hypothesis import strategies as st
from rdflib import BNode, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from tests.owl2rl.oracle import Triple

EX = Namespace("http://example.org/")

INDIVIDUALS = [EX.a, EX.b, EX.c, EX.d, EX.e]
CLASSES = [EX.C0, EX.C1, EX.C2, EX.C3]
PROPERTIES = [EX.p0, EX.p1, EX.p2, EX.p3]
BUILTINS = [OWL.Thing, OWL.Nothing, RDF.type, OWL.sameAs, RDFS.subClassOf]
DATATYPES = [XSD.integer, XSD.nonNegativeInteger, XSD.int, XSD.double, XSD.string, XSD.date]


def _lit(lexical: str, datatype: Node | None = None, lang: str | None = None) -> Literal:
    """A literal exactly as written (rdflib would log its failure to read the ill-typed ones)."""
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        return Literal(lexical, datatype=datatype, lang=lang, normalize=False)
    finally:
        log.setLevel(level)


LITERALS = [
    _lit("1", XSD.integer),
    _lit("01", XSD.int),
    _lit("1.0", XSD.decimal),
    _lit("1.0E0", XSD.double),
    _lit("0.0E0", XSD.double),
    _lit("-0.0E0", XSD.double),
    _lit("-1", XSD.integer),
    _lit("2", XSD.nonNegativeInteger),
    _lit("abc", XSD.integer),
    _lit("a"),
    _lit("a", lang="en"),
    _lit("true", XSD.boolean),
    _lit("x", XSD.date),
    _lit("2000-01-01T00:00:00Z", XSD.dateTime),
    _lit("2000-01-01T01:00:00+01:00", XSD.dateTime),
]
CHARACTERISTICS = [
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.IrreflexiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.TransitiveProperty,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
]
ZERO, ONE = _lit("0", XSD.nonNegativeInteger), _lit("1", XSD.nonNegativeInteger)
CARDINALITIES = [ZERO, ONE, ZERO, ONE, _lit("0", XSD.integer), _lit("1", XSD.integer)]


def _mostly(names: list, others: list) -> st.SearchStrategy[Node]:
    """One of ``names`` four times in five, else one of ``others`` (built-in terms...)."""
    return st.sampled_from(names * 4 + others)


individual = _mostly(INDIVIDUALS, BUILTINS)
klass = _mostly(CLASSES, BUILTINS)
prop = _mostly(PROPERTIES, BUILTINS)
value = st.one_of(individual, st.sampled_from(LITERALS))
any_term = st.one_of(individual, klass, prop, st.sampled_from(LITERALS + DATATYPES))


class Builder:
    """Collects the triples of one graph and names its blank nodes in order (reproducible)."""

    def __init__(self, draw: Callable) -> None:
        self.draw = draw
        self.triples: list[Triple] = []
        self.count = 0

    def node(self) -> BNode:
        """A fresh blank node."""
        self.count += 1
        return BNode(f"n{self.count}")

    def add(self, s: Node, p: Node, o: Node) -> None:
        """Add one triple."""
        self.triples.append((s, p, o))

    def rdf_list(self, members: list[Node]) -> Node:
        """Write an RDF list of ``members`` and return its head."""
        head: Node = RDF.nil
        for member in reversed(members):
            cell = self.node()
            self.add(cell, RDF.first, member)
            self.add(cell, RDF.rest, head)
            head = cell
        return head

    def some(self, strategy: st.SearchStrategy[Node], low: int = 1, high: int = 3) -> list[Node]:
        """Between ``low`` and ``high`` terms drawn from ``strategy``."""
        return self.draw(st.lists(strategy, min_size=low, max_size=high))


def _assertion(g: Builder) -> None:
    g.add(g.draw(individual), g.draw(prop), g.draw(value))


def _type(g: Builder) -> None:
    g.add(g.draw(st.one_of(individual, st.sampled_from(LITERALS))), RDF.type, g.draw(klass))


def _equality(g: Builder) -> None:
    predicate = g.draw(st.sampled_from([OWL.sameAs, OWL.differentFrom]))
    g.add(g.draw(value), predicate, g.draw(value))


def _all_different(g: Builder) -> None:
    x = g.node()
    g.add(x, RDF.type, OWL.AllDifferent)
    members = g.draw(st.sampled_from([OWL.members, OWL.distinctMembers]))
    g.add(x, members, g.rdf_list(g.some(individual, 2, 3)))


def _characteristic(g: Builder) -> None:
    g.add(g.draw(prop), RDF.type, g.draw(st.sampled_from(CHARACTERISTICS)))


def _property_axiom(g: Builder) -> None:
    predicate = g.draw(
        st.sampled_from(
            [OWL.inverseOf, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.propertyDisjointWith]
        )
    )
    g.add(g.draw(prop), predicate, g.draw(prop))


def _chain(g: Builder) -> None:
    g.add(g.draw(prop), OWL.propertyChainAxiom, g.rdf_list(g.some(prop, 1, 3)))


def _key(g: Builder) -> None:
    g.add(g.draw(klass), OWL.hasKey, g.rdf_list(g.some(prop, 1, 2)))


def _all_disjoint_properties(g: Builder) -> None:
    x = g.node()
    g.add(x, RDF.type, OWL.AllDisjointProperties)
    g.add(x, OWL.members, g.rdf_list(g.some(prop, 2, 3)))


def _negative_assertion(g: Builder) -> None:
    x = g.node()
    g.add(x, OWL.sourceIndividual, g.draw(individual))
    g.add(x, OWL.assertionProperty, g.draw(prop))
    if g.draw(st.booleans()):
        g.add(x, OWL.targetIndividual, g.draw(individual))
    else:
        g.add(x, OWL.targetValue, g.draw(st.sampled_from(LITERALS)))


def _boolean_class(g: Builder) -> None:
    c = g.draw(st.one_of(klass, st.builds(g.node)))
    kind = g.draw(st.sampled_from([OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf]))
    if kind == OWL.complementOf:
        g.add(c, kind, g.draw(klass))
    elif kind == OWL.oneOf:
        g.add(c, kind, g.rdf_list(g.some(individual, 1, 2)))
    else:
        g.add(c, kind, g.rdf_list(g.some(klass, 1, 3)))
    g.add(g.draw(klass), g.draw(st.sampled_from([RDFS.subClassOf, OWL.equivalentClass])), c)


def _restriction(g: Builder) -> None:
    x = g.draw(st.one_of(klass, st.builds(g.node)))
    g.add(x, OWL.onProperty, g.draw(prop))
    kind = g.draw(
        st.sampled_from(
            [
                OWL.someValuesFrom,
                OWL.allValuesFrom,
                OWL.hasValue,
                OWL.maxCardinality,
                OWL.maxQualifiedCardinality,
            ]
        )
    )
    if kind == OWL.hasValue:
        g.add(x, kind, g.draw(value))
    elif kind in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        g.add(x, kind, g.draw(st.sampled_from(CARDINALITIES)))
        if kind == OWL.maxQualifiedCardinality:
            g.add(x, OWL.onClass, g.draw(klass))
    else:
        g.add(x, kind, g.draw(st.one_of(klass, st.sampled_from(DATATYPES))))
    link = g.draw(st.sampled_from([RDFS.subClassOf, OWL.equivalentClass, RDF.type]))
    if link == RDF.type:
        g.add(g.draw(individual), RDF.type, x)
    else:
        g.add(g.draw(klass), link, x)


def _class_axiom(g: Builder) -> None:
    predicate = g.draw(
        st.sampled_from([RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith, OWL.complementOf])
    )
    g.add(g.draw(klass), predicate, g.draw(klass))


def _all_disjoint_classes(g: Builder) -> None:
    x = g.node()
    g.add(x, RDF.type, OWL.AllDisjointClasses)
    g.add(x, OWL.members, g.rdf_list(g.some(klass, 2, 3)))


def _domain_range(g: Builder) -> None:
    predicate = g.draw(st.sampled_from([RDFS.domain, RDFS.range]))
    g.add(g.draw(prop), predicate, g.draw(st.one_of(klass, st.sampled_from(DATATYPES))))


def _declaration(g: Builder) -> None:
    g.add(g.draw(klass), RDF.type, OWL.Class)


def _anything(g: Builder) -> None:
    """A triple of any terms at all: built-in terms as subjects, predicates and objects."""
    g.add(g.draw(any_term), g.draw(st.one_of(prop, st.sampled_from(BUILTINS))), g.draw(any_term))


#: every kind of construct, by name (the runner counts them)
CONSTRUCTS: dict[str, Callable[[Builder], None]] = {
    "assertion": _assertion,
    "type": _type,
    "equality": _equality,
    "AllDifferent": _all_different,
    "characteristic": _characteristic,
    "property axiom": _property_axiom,
    "chain": _chain,
    "hasKey": _key,
    "AllDisjointProperties": _all_disjoint_properties,
    "NegativePropertyAssertion": _negative_assertion,
    "boolean class": _boolean_class,
    "restriction": _restriction,
    "class axiom": _class_axiom,
    "AllDisjointClasses": _all_disjoint_classes,
    "domain/range": _domain_range,
    "declaration": _declaration,
    "any triple": _anything,
}


@st.composite
def ontologies(draw: Callable, max_constructs: int = 8) -> tuple[set[Triple], list[str]]:
    """A small random graph and the names of the constructs it was built from."""
    builder = Builder(draw)
    names = draw(st.lists(st.sampled_from(sorted(CONSTRUCTS)), min_size=1, max_size=max_constructs))
    for name in names:
        CONSTRUCTS[name](builder)
    return set(builder.triples), names
