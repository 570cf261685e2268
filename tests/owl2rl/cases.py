"""Hand cases of the OWL 2 RL rule tables: for each rule, a small graph with the conclusions and
the clashes worked out by hand from the rule's premises (W3C OWL 2 Profiles, section 4.3).

Each case names the triples the closure must hold (``entails``), triples it must not hold
(``excludes``) and the exact set of ``false`` rules that fire (``clashes``). The cases marked
"owlrl differs" are where the owlrl library does not follow the tables; they stay as regression
cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rdflib
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS, XSD

from tests.owl2rl.oracle import Triple

EX = Namespace("http://example.org/")
PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
NNI = XSD.nonNegativeInteger


@dataclass(frozen=True)
class Case:
    """One hand case: a Turtle graph and what the rule tables make of it."""

    name: str
    turtle: str
    entails: frozenset[Triple] = field(default_factory=frozenset)
    excludes: frozenset[Triple] = field(default_factory=frozenset)
    clashes: frozenset[str] = field(default_factory=frozenset)

    def triples(self) -> set[Triple]:
        """The asserted triples of the case, literals as written (rdflib's process-wide
        ``NORMALIZE_LITERALS`` off while parsing, whatever an earlier import set it to)."""
        normalize = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            return set(Graph().parse(data=PREFIXES + self.turtle, format="turtle"))
        finally:
            rdflib.NORMALIZE_LITERALS = normalize


def case(
    name: str,
    turtle: str,
    entails: set[Triple] | None = None,
    excludes: set[Triple] | None = None,
    clashes: set[str] | None = None,
) -> Case:
    """A :class:`Case` from plain sets."""
    return Case(
        name, turtle, frozenset(entails or ()), frozenset(excludes or ()), frozenset(clashes or ())
    )


a, b, c, p, q, r = EX.a, EX.b, EX.c, EX.p, EX.q, EX.r
A, B, C, D = EX.A, EX.B, EX.C, EX.D
TYPE, SAME, DIFF, SCO, SPO = (
    RDF.type,
    OWL.sameAs,
    OWL.differentFrom,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
)
ONE = Literal("1", datatype=XSD.integer, normalize=False)
ONE_INT = Literal("01", datatype=XSD.int, normalize=False)
ONE_DEC = Literal("1.0", datatype=XSD.decimal, normalize=False)
ONE_DOUBLE = Literal("1.0E0", datatype=XSD.double, normalize=False)

CASES: list[Case] = [
    # -- Table 4: equality --------------------------------------------------------------------
    case("eq-ref", "ex:a ex:p ex:b .", {(a, SAME, a), (p, SAME, p), (b, SAME, b)}),
    case("eq-sym", "ex:a owl:sameAs ex:b .", {(b, SAME, a)}),
    case("eq-trans", "ex:a owl:sameAs ex:b . ex:b owl:sameAs ex:c .", {(a, SAME, c), (c, SAME, a)}),
    case("eq-rep-s", "ex:a owl:sameAs ex:b . ex:a ex:p ex:c .", {(b, p, c)}),
    case("eq-rep-p", "ex:p owl:sameAs ex:q . ex:a ex:p ex:b .", {(a, q, b)}),
    case("eq-rep-o", "ex:b owl:sameAs ex:c . ex:a ex:p ex:b .", {(a, p, c)}),
    case(
        "eq-diff1",
        "ex:a owl:sameAs ex:b . ex:b owl:differentFrom ex:a .",
        clashes={"eq-diff1"},
    ),
    case("eq-diff1 not without sameAs", "ex:a owl:differentFrom ex:b .", excludes={(a, SAME, b)}),
    # owlrl differs: its loop never compares the last member of a two-member list
    case(
        "eq-diff2 two members",
        "[] a owl:AllDifferent ; owl:members (ex:a ex:b) . ex:a owl:sameAs ex:b .",
        clashes={"eq-diff2"},
    ),
    case(
        "eq-diff3 two members",
        "[] a owl:AllDifferent ; owl:distinctMembers (ex:a ex:b) . ex:b owl:sameAs ex:a .",
        clashes={"eq-diff3"},
    ),
    case(
        "eq-diff2 not without sameAs",
        "[] a owl:AllDifferent ; owl:members (ex:a ex:b ex:c) . ex:a ex:p ex:b .",
        excludes={(a, SAME, b)},
    ),
    # -- Table 5: properties ------------------------------------------------------------------
    case(
        "prp-ap",
        "ex:a ex:p ex:b .",
        {
            (RDFS.label, TYPE, OWL.AnnotationProperty),
            (OWL.incompatibleWith, TYPE, OWL.AnnotationProperty),
        },
    ),
    case("prp-dom", "ex:p rdfs:domain ex:C . ex:a ex:p ex:b .", {(a, TYPE, C)}, {(b, TYPE, C)}),
    case("prp-rng", "ex:p rdfs:range ex:C . ex:a ex:p ex:b .", {(b, TYPE, C)}, {(a, TYPE, C)}),
    case(
        "prp-fp",
        "ex:p a owl:FunctionalProperty . ex:a ex:p ex:b , ex:c .",
        {(b, SAME, c), (c, SAME, b)},
    ),
    case(
        "prp-ifp",
        "ex:p a owl:InverseFunctionalProperty . ex:a ex:p ex:c . ex:b ex:p ex:c .",
        {(a, SAME, b)},
    ),
    case("prp-irp", "ex:p a owl:IrreflexiveProperty . ex:a ex:p ex:a .", clashes={"prp-irp"}),
    case("prp-irp not", "ex:p a owl:IrreflexiveProperty . ex:a ex:p ex:b .", {(a, p, b)}),
    case("prp-symp", "ex:p a owl:SymmetricProperty . ex:a ex:p ex:b .", {(b, p, a)}),
    case(
        "prp-asyp",
        "ex:p a owl:AsymmetricProperty . ex:a ex:p ex:b . ex:b ex:p ex:a .",
        clashes={"prp-asyp"},
    ),
    case(
        "prp-asyp reflexive",
        "ex:p a owl:AsymmetricProperty . ex:a ex:p ex:a .",
        clashes={"prp-asyp"},
    ),
    case(
        "prp-trp",
        "ex:p a owl:TransitiveProperty . ex:a ex:p ex:b . ex:b ex:p ex:c .",
        {(a, p, c)},
        {(c, p, a)},
    ),
    case("prp-spo1", "ex:p rdfs:subPropertyOf ex:q . ex:a ex:p ex:b .", {(a, q, b)}, {(a, r, b)}),
    case(
        "prp-spo2",
        "ex:r owl:propertyChainAxiom (ex:p ex:q ex:p) . ex:a ex:p ex:b . ex:b ex:q ex:c ."
        " ex:c ex:p ex:d . ex:b ex:q ex:a .",
        {(a, r, EX.d)},
        {(a, r, c), (b, r, EX.d)},
    ),
    case("prp-eqp1", "ex:p owl:equivalentProperty ex:q . ex:a ex:p ex:b .", {(a, q, b)}),
    case("prp-eqp2", "ex:p owl:equivalentProperty ex:q . ex:a ex:q ex:b .", {(a, p, b)}),
    case(
        "prp-pdw",
        "ex:p owl:propertyDisjointWith ex:q . ex:a ex:p ex:b . ex:a ex:q ex:b .",
        clashes={"prp-pdw"},
    ),
    case(
        "prp-pdw not",
        "ex:p owl:propertyDisjointWith ex:q . ex:a ex:p ex:b . ex:b ex:q ex:a .",
    ),
    # owlrl differs: its loop never reaches the last member of the list
    case(
        "prp-adp last member",
        "[] a owl:AllDisjointProperties ; owl:members (ex:p ex:q ex:r) ."
        " ex:a ex:q ex:b . ex:a ex:r ex:b .",
        clashes={"prp-adp"},
    ),
    case("prp-inv1", "ex:p owl:inverseOf ex:q . ex:a ex:p ex:b .", {(b, q, a)}),
    case("prp-inv2", "ex:p owl:inverseOf ex:q . ex:a ex:q ex:b .", {(b, p, a)}),
    case(
        "prp-key",
        "ex:C owl:hasKey (ex:p ex:q) . ex:a a ex:C ; ex:p ex:c ; ex:q 1 ."
        " ex:b a ex:C ; ex:p ex:c ; ex:q 1 .",
        {(a, SAME, b)},
    ),
    # owlrl differs: it compares the first key property only
    case(
        "prp-key needs every key property",
        "ex:C owl:hasKey (ex:p ex:q) . ex:a a ex:C ; ex:p ex:c ; ex:q ex:d ."
        " ex:b a ex:C ; ex:p ex:c ; ex:q ex:r .",
        excludes={(a, SAME, b), (EX.d, SAME, r)},
    ),
    # owlrl differs: a wrong sameAs with the unkeyed individual, then a false eq-diff1
    case(
        "prp-key one keyed individual",
        "ex:C owl:hasKey (ex:p) . ex:a a ex:C ; ex:p ex:c . ex:b ex:p ex:c ."
        " ex:a owl:differentFrom ex:b .",
        excludes={(a, SAME, b)},
    ),
    case(
        "prp-npa1",
        "[] owl:sourceIndividual ex:a ; owl:assertionProperty ex:p ; owl:targetIndividual ex:b ."
        " ex:a ex:p ex:b .",
        clashes={"prp-npa1"},
    ),
    case(
        "prp-npa2 through an equal value",
        "[] owl:sourceIndividual ex:a ; owl:assertionProperty ex:p ; owl:targetValue 1 ."
        ' ex:a ex:p "01"^^xsd:int .',
        {(a, p, ONE)},
        clashes={"prp-npa2"},
    ),
    # -- Table 6: classes ----------------------------------------------------------------------
    case(
        "cls-thing and cls-nothing1",
        "ex:a ex:p ex:b .",
        {(OWL.Thing, TYPE, OWL.Class), (OWL.Nothing, TYPE, OWL.Class)},
    ),
    case("cls-nothing2", "ex:a a owl:Nothing .", clashes={"cls-nothing2"}),
    case(
        "cls-int1",
        "ex:C owl:intersectionOf (ex:A ex:B) . ex:a a ex:A , ex:B . ex:b a ex:A .",
        {(a, TYPE, C)},
        {(b, TYPE, C)},
    ),
    case(
        "cls-int2",
        "ex:C owl:intersectionOf (ex:A ex:B) . ex:a a ex:C .",
        {(a, TYPE, A), (a, TYPE, B)},
    ),
    case(
        "cls-uni",
        "ex:C owl:unionOf (ex:A ex:B) . ex:a a ex:B .",
        {(a, TYPE, C)},
        {(a, TYPE, A)},
    ),
    case(
        "cls-com",
        "ex:C owl:complementOf ex:D . ex:a a ex:C , ex:D .",
        clashes={"cls-com"},
    ),
    case(
        "cls-svf1",
        "ex:R owl:someValuesFrom ex:D ; owl:onProperty ex:p . ex:a ex:p ex:b . ex:b a ex:D ."
        " ex:c ex:p ex:a .",
        {(a, TYPE, EX.R)},
        {(c, TYPE, EX.R)},
    ),
    case(
        "cls-svf2",
        "ex:R owl:someValuesFrom owl:Thing ; owl:onProperty ex:p . ex:a ex:p ex:b .",
        {(a, TYPE, EX.R)},
        {(b, TYPE, EX.R)},
    ),
    case(
        "cls-avf",
        "ex:R owl:allValuesFrom ex:D ; owl:onProperty ex:p . ex:a a ex:R ; ex:p ex:b ."
        " ex:c ex:p ex:d .",
        {(b, TYPE, D)},
        {(EX.d, TYPE, D)},
    ),
    case(
        "cls-hv1",
        "ex:R owl:hasValue ex:b ; owl:onProperty ex:p . ex:a a ex:R .",
        {(a, p, b)},
    ),
    case(
        "cls-hv2",
        "ex:R owl:hasValue ex:b ; owl:onProperty ex:p . ex:a ex:p ex:b . ex:c ex:p ex:a .",
        {(a, TYPE, EX.R)},
        {(c, TYPE, EX.R)},
    ),
    case(
        "cls-maxc1",
        'ex:R owl:maxCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p .'
        " ex:a a ex:R ; ex:p ex:b .",
        clashes={"cls-maxc1"},
    ),
    case(
        "cls-maxc1 with a zero of another integer type",
        "ex:R owl:maxCardinality 0 ; owl:onProperty ex:p . ex:a a ex:R ; ex:p ex:b .",
        clashes={"cls-maxc1"},
    ),
    case(
        "cls-maxc2",
        'ex:R owl:maxCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:p .'
        " ex:a a ex:R ; ex:p ex:b , ex:c . ex:d ex:p ex:b , ex:r .",
        {(b, SAME, c)},
        {(b, SAME, r)},
    ),
    case(
        "cls-maxqc1",
        'ex:R owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ;'
        " owl:onClass ex:D . ex:a a ex:R ; ex:p ex:b . ex:b a ex:D .",
        clashes={"cls-maxqc1"},
    ),
    case(
        "cls-maxqc1 not outside the class",
        'ex:R owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ;'
        " owl:onClass ex:D . ex:a a ex:R ; ex:p ex:b .",
    ),
    case(
        "cls-maxqc2",
        'ex:R owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ;'
        " owl:onClass owl:Thing . ex:a a ex:R ; ex:p ex:b .",
        clashes={"cls-maxqc2"},
    ),
    case(
        "cls-maxqc3",
        'ex:R owl:maxQualifiedCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ;'
        " owl:onClass ex:D . ex:a a ex:R ; ex:p ex:b , ex:c , ex:r . ex:b a ex:D . ex:c a ex:D .",
        {(b, SAME, c)},
        {(b, SAME, r)},
    ),
    case(
        "cls-maxqc4",
        'ex:R owl:maxQualifiedCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ;'
        " owl:onClass owl:Thing . ex:a a ex:R ; ex:p ex:b , ex:c .",
        {(b, SAME, c)},
    ),
    case("cls-oo", "ex:C owl:oneOf (ex:a ex:b) .", {(a, TYPE, C), (b, TYPE, C)}),
    # -- Table 7: class axioms -----------------------------------------------------------------
    case("cax-sco", "ex:A rdfs:subClassOf ex:B . ex:a a ex:A .", {(a, TYPE, B)}),
    case("cax-eqc1", "ex:A owl:equivalentClass ex:B . ex:a a ex:A .", {(a, TYPE, B)}),
    case("cax-eqc2", "ex:A owl:equivalentClass ex:B . ex:a a ex:B .", {(a, TYPE, A)}),
    case("cax-dw", "ex:A owl:disjointWith ex:B . ex:a a ex:A , ex:B .", clashes={"cax-dw"}),
    case(
        "cax-adc",
        "[] a owl:AllDisjointClasses ; owl:members (ex:A ex:B ex:C) . ex:a a ex:A , ex:C .",
        clashes={"cax-adc"},
    ),
    case(
        "cax-adc not",
        "[] a owl:AllDisjointClasses ; owl:members (ex:A ex:B ex:C) . ex:a a ex:A . ex:b a ex:B .",
    ),
    # -- Table 8: datatypes --------------------------------------------------------------------
    case(
        "dt-type1",
        "ex:a ex:p ex:b .",
        {(XSD.integer, TYPE, RDFS.Datatype), (RDF.PlainLiteral, TYPE, RDFS.Datatype)},
        {(XSD.date, TYPE, RDFS.Datatype), (RDF.langString, TYPE, RDFS.Datatype)},
    ),
    case(
        "dt-type2",
        "ex:a ex:p 1 .",
        {(ONE, TYPE, XSD.int), (ONE, TYPE, XSD.decimal), (ONE, TYPE, RDFS.Literal)},
        {(ONE, TYPE, XSD.double), (ONE, TYPE, XSD.negativeInteger), (ONE, TYPE, XSD.string)},
    ),
    case(
        "dt-eq",
        'ex:a ex:p 1 , "01"^^xsd:int , "1.0"^^xsd:decimal , "1.0E0"^^xsd:double .',
        {(ONE, SAME, ONE_INT), (ONE_DEC, SAME, ONE), (a, p, ONE)},
        {(ONE, SAME, ONE_DOUBLE)},
    ),
    case(
        "dt-diff",
        'ex:a ex:p 1 , "1.0E0"^^xsd:double , "0.0E0"^^xsd:double , "-0.0E0"^^xsd:double , "a" ,'
        ' "a"@en .',
        {
            (ONE, DIFF, ONE_DOUBLE),
            (
                Literal("0.0E0", datatype=XSD.double, normalize=False),
                DIFF,
                Literal("-0.0E0", datatype=XSD.double, normalize=False),
            ),
            (Literal("a"), DIFF, Literal("a", lang="en")),
        },
        {(ONE, DIFF, ONE)},
    ),
    case(
        "dt-not-type ill-typed",
        'ex:p rdfs:range xsd:integer . ex:a ex:p "abc"^^xsd:integer .',
        clashes={"dt-not-type"},
    ),
    case(
        "dt-not-type value outside",
        "ex:p rdfs:range xsd:nonNegativeInteger . ex:a ex:p -1 .",
        clashes={"dt-not-type"},
    ),
    case("ill-typed literal alone is no clash", 'ex:a ex:p "abc"^^xsd:integer .'),
    case(
        "xsd:date is not an OWL 2 RL datatype",
        'ex:p rdfs:range xsd:date . ex:a ex:p "x"^^xsd:date , "2000-01-01"^^xsd:date .',
        {(Literal("x", datatype=XSD.date), TYPE, XSD.date)},
        {(XSD.date, TYPE, RDFS.Datatype)},
    ),
    case(
        "rdf:langString is not an OWL 2 RL datatype",
        'ex:p rdfs:range rdf:langString . ex:a ex:p "x"@en .',
        {(Literal("x", lang="en"), TYPE, RDF.PlainLiteral)},
        {(RDF.langString, TYPE, RDFS.Datatype)},
    ),
    case(
        "rdf:HTML is not an OWL 2 RL datatype",
        'ex:p rdfs:range rdf:HTML . ex:a ex:p "<b>x</b>"^^rdf:HTML .',
        excludes={(RDF.HTML, TYPE, RDFS.Datatype)},
    ),
    # -- Table 9: schema vocabulary -------------------------------------------------------------
    case(
        "scm-cls",
        "ex:C a owl:Class .",
        {(C, SCO, C), (C, OWL.equivalentClass, C), (C, SCO, OWL.Thing), (OWL.Nothing, SCO, C)},
    ),
    case("scm-sco", "ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:C .", {(A, SCO, C)}),
    case("scm-eqc1", "ex:A owl:equivalentClass ex:B .", {(A, SCO, B), (B, SCO, A)}),
    case(
        "scm-eqc2",
        "ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:A .",
        {(A, OWL.equivalentClass, B)},
    ),
    case("scm-op", "ex:p a owl:ObjectProperty .", {(p, SPO, p), (p, OWL.equivalentProperty, p)}),
    case("scm-dp", "ex:p a owl:DatatypeProperty .", {(p, SPO, p), (p, OWL.equivalentProperty, p)}),
    case("scm-spo", "ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:r .", {(p, SPO, r)}),
    case("scm-eqp1", "ex:p owl:equivalentProperty ex:q .", {(p, SPO, q), (q, SPO, p)}),
    case(
        "scm-eqp2",
        "ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:p .",
        {(p, OWL.equivalentProperty, q)},
    ),
    case("scm-dom1", "ex:p rdfs:domain ex:A . ex:A rdfs:subClassOf ex:B .", {(p, RDFS.domain, B)}),
    case(
        "scm-dom2", "ex:q rdfs:domain ex:A . ex:p rdfs:subPropertyOf ex:q .", {(p, RDFS.domain, A)}
    ),
    case("scm-rng1", "ex:p rdfs:range ex:A . ex:A rdfs:subClassOf ex:B .", {(p, RDFS.range, B)}),
    case("scm-rng2", "ex:q rdfs:range ex:A . ex:p rdfs:subPropertyOf ex:q .", {(p, RDFS.range, A)}),
    case(
        "scm-hv",
        "ex:R owl:hasValue ex:b ; owl:onProperty ex:p . ex:S owl:hasValue ex:b ;"
        " owl:onProperty ex:q . ex:p rdfs:subPropertyOf ex:q .",
        {(EX.R, SCO, EX.S)},
        {(EX.S, SCO, EX.R)},
    ),
    # owlrl differs: it skips reflexive subPropertyOf, so scm-hv misses the equivalence
    case(
        "scm-hv from scm-op",
        "ex:R owl:hasValue ex:b ; owl:onProperty ex:p . ex:S owl:hasValue ex:b ;"
        " owl:onProperty ex:p . ex:p a owl:ObjectProperty .",
        {(EX.R, SCO, EX.S), (EX.S, SCO, EX.R), (EX.R, OWL.equivalentClass, EX.S)},
    ),
    case(
        "scm-svf1",
        "ex:R owl:someValuesFrom ex:A ; owl:onProperty ex:p . ex:S owl:someValuesFrom ex:B ;"
        " owl:onProperty ex:p . ex:A rdfs:subClassOf ex:B .",
        {(EX.R, SCO, EX.S)},
        {(EX.S, SCO, EX.R)},
    ),
    # owlrl differs: it skips the reflexive subClassOf of scm-cls/scm-sco
    case(
        "scm-svf1 from scm-cls",
        "ex:R owl:someValuesFrom ex:A ; owl:onProperty ex:p . ex:S owl:someValuesFrom ex:A ;"
        " owl:onProperty ex:p . ex:A a owl:Class .",
        {(EX.R, SCO, EX.S), (EX.S, SCO, EX.R), (EX.S, OWL.equivalentClass, EX.R)},
    ),
    case(
        "scm-svf2",
        "ex:R owl:someValuesFrom ex:A ; owl:onProperty ex:p . ex:S owl:someValuesFrom ex:A ;"
        " owl:onProperty ex:q . ex:p rdfs:subPropertyOf ex:q .",
        {(EX.R, SCO, EX.S)},
        {(EX.S, SCO, EX.R)},
    ),
    case(
        "scm-avf1",
        "ex:R owl:allValuesFrom ex:A ; owl:onProperty ex:p . ex:S owl:allValuesFrom ex:B ;"
        " owl:onProperty ex:p . ex:A rdfs:subClassOf ex:B .",
        {(EX.R, SCO, EX.S)},
        {(EX.S, SCO, EX.R)},
    ),
    case(
        "scm-avf2",
        "ex:R owl:allValuesFrom ex:A ; owl:onProperty ex:p . ex:S owl:allValuesFrom ex:A ;"
        " owl:onProperty ex:q . ex:p rdfs:subPropertyOf ex:q .",
        {(EX.S, SCO, EX.R)},
        {(EX.R, SCO, EX.S)},
    ),
    # owlrl differs: reflexive subPropertyOf skipped, so scm-avf2 misses the equivalence
    case(
        "scm-avf2 from scm-op",
        "ex:R owl:allValuesFrom ex:A ; owl:onProperty ex:p . ex:S owl:allValuesFrom ex:A ;"
        " owl:onProperty ex:p . ex:p a owl:ObjectProperty .",
        {(EX.S, SCO, EX.R), (EX.R, SCO, EX.S), (EX.R, OWL.equivalentClass, EX.S)},
    ),
    case("scm-int", "ex:C owl:intersectionOf (ex:A ex:B) .", {(C, SCO, A), (C, SCO, B)}),
    case("scm-uni", "ex:C owl:unionOf (ex:A ex:B) .", {(A, SCO, C), (B, SCO, C)}),
    # -- the engine's first disagreements with the tables (tests/owl2rl/DISAGREEMENTS.md) --------
    case(
        "scm-sco after scm-cls",
        "ex:C0 rdfs:subClassOf ex:C2 . ex:C2 a owl:Class .",
        {(EX.C0, SCO, OWL.Thing)},
        {(OWL.Nothing, SCO, EX.C0)},
    ),
    case(
        "dt-not-type through owl:sameAs",
        '"-1"^^xsd:integer owl:sameAs "a" .',
        {(Literal("-1", datatype=XSD.integer), TYPE, XSD.string)},
        clashes={"eq-diff1", "dt-not-type"},
    ),
    case(
        "dt-not-type never on a datatype outside OWL 2 RL",
        '"x"^^xsd:date ex:p ex:b . ex:p rdfs:domain xsd:integer .',
        {(Literal("x", datatype=XSD.date), TYPE, XSD.integer)},
    ),
    # -- built-in terms in unusual places ---------------------------------------------------------
    case(
        "disjoint with owl:Thing",
        "ex:C a owl:Class ; owl:disjointWith owl:Thing . ex:a a ex:C .",
        {(a, TYPE, OWL.Thing)},
        clashes={"cax-dw"},
    ),
    case(
        "AllDisjointClasses with owl:Thing",
        "[] a owl:AllDisjointClasses ; owl:members (owl:Thing ex:C) . ex:C a owl:Class ."
        " ex:a a ex:C .",
        {(a, TYPE, OWL.Thing)},
        clashes={"cax-adc"},
    ),
    case(
        "range owl:Nothing",
        "ex:p rdfs:range owl:Nothing . ex:C a owl:Class .",
        {(p, RDFS.range, C), (p, RDFS.range, OWL.Thing)},
    ),
    case(
        "range of owl:sameAs",
        "owl:sameAs rdfs:range ex:C . ex:a ex:p ex:b .",
        {(a, TYPE, C), (b, TYPE, C), (p, TYPE, C), (OWL.Thing, TYPE, C), (C, TYPE, C)},
    ),
    case(
        "rdf:type inverse of a property",
        "rdf:type owl:inverseOf ex:p . ex:a a ex:C .",
        {(C, p, a), (OWL.Class, p, OWL.Thing), (RDFS.Datatype, p, XSD.integer)},
    ),
    case(
        "rdfs:subClassOf under a property",
        "rdfs:subClassOf rdfs:subPropertyOf ex:p . ex:A rdfs:subClassOf ex:B .",
        {(A, p, B), (OWL.Nothing, p, OWL.Thing), (OWL.Thing, p, OWL.Thing)},
    ),
]
