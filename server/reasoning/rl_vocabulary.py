"""The terms the OWL 2 RL rules mention, and their integer codes in every closure.

Every :class:`~imtkg.reasoning.rl_reasoner.RLClosure` encodes :data:`RESERVED` as its first
terms, in this order, so the rules compare integers (``_TYPE`` is ``rdf:type``...). The list
holds the vocabulary of the rule tables (W3C OWL 2 Profiles, section 4.3), the built-in
annotation properties (``prp-ap``), the OWL 2 RL datatypes (``dt-type1``) and the two
cardinality literals ``"0"`` and ``"1"`` of ``xsd:nonNegativeInteger``.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from imtkg.reasoning.datatypes import RL_DATATYPES

#: the annotation properties OWL 2 RL types as such (rule ``prp-ap``)
ANNOTATION_PROPERTIES: tuple[Node, ...] = (
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.deprecated,
    OWL.versionInfo,
    OWL.priorVersion,
    OWL.backwardCompatibleWith,
    OWL.incompatibleWith,
)
ZERO = Literal("0", datatype=XSD.nonNegativeInteger)
ONE = Literal("1", datatype=XSD.nonNegativeInteger)

_RULE_TERMS: tuple[Node, ...] = (
    RDF.type,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    OWL.inverseOf,
    OWL.propertyChainAxiom,
    OWL.SymmetricProperty,
    OWL.TransitiveProperty,
    RDF.first,
    RDF.rest,
    RDF.nil,
    OWL.disjointWith,
    OWL.AllDisjointClasses,
    OWL.members,
    OWL.Nothing,
    # appended: the rest of the rule tables' vocabulary
    OWL.sameAs,
    OWL.differentFrom,
    OWL.AllDifferent,
    OWL.distinctMembers,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.IrreflexiveProperty,
    OWL.AsymmetricProperty,
    OWL.propertyDisjointWith,
    OWL.AllDisjointProperties,
    OWL.hasKey,
    OWL.sourceIndividual,
    OWL.assertionProperty,
    OWL.targetIndividual,
    OWL.targetValue,
    OWL.Thing,
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Datatype,
    OWL.intersectionOf,
    OWL.unionOf,
    OWL.complementOf,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.onProperty,
    OWL.onClass,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.oneOf,
    ZERO,
    ONE,
)
#: the terms the rules mention, encoded as the first integers of every closure
RESERVED: tuple[Node, ...] = (
    _RULE_TERMS
    + tuple(t for t in ANNOTATION_PROPERTIES if t not in _RULE_TERMS)
    + tuple(sorted(t for t in RL_DATATYPES if t not in _RULE_TERMS))
)
(
    TYPE,
    SCO,
    SPO,
    DOMAIN,
    RANGE,
    EQC,
    EQP,
    INV,
    CHAIN,
    SYMMETRIC,
    TRANSITIVE,
    FIRST,
    REST,
    NIL,
    DISJOINT,
    ALL_DISJOINT,
    MEMBERS,
    NOTHING,
    SAME,
    DIFF,
    ALL_DIFFERENT,
    DISTINCT_MEMBERS,
    FUNCTIONAL,
    INV_FUNCTIONAL,
    IRREFLEXIVE,
    ASYMMETRIC,
    PDW,
    ALL_DISJOINT_PROPS,
    HAS_KEY,
    SOURCE_IND,
    ASSERTION_PROP,
    TARGET_IND,
    TARGET_VALUE,
    THING,
    CLASS,
    OBJECT_PROP,
    DATATYPE_PROP,
    ANNOTATION_PROP,
    DATATYPE,
    INTERSECTION,
    UNION,
    COMPLEMENT,
    SVF,
    AVF,
    HAS_VALUE,
    ON_PROPERTY,
    ON_CLASS,
    MAX_CARD,
    MAX_QCARD,
    ONE_OF,
    ZERO_ID,
    ONE_ID,
) = range(len(_RULE_TERMS))
#: codes of the annotation properties of ``prp-ap`` and of the datatypes of ``dt-type1``
ANNOTATION_IDS: tuple[int, ...] = tuple(RESERVED.index(t) for t in ANNOTATION_PROPERTIES)
DATATYPE_IDS: tuple[int, ...] = tuple(RESERVED.index(t) for t in sorted(RL_DATATYPES))
