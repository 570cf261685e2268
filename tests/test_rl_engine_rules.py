"""The fast OWL 2 RL engine, rule family by rule family, on small graphs worked out by hand.

Each test gives a graph in Turtle and the exact meaningful inferences (what ``graph:inferred``
would hold: :func:`imtkg.reasoning.closure.meaningful_inferences`) or the exact clashes. Where
owlrl answers differently from the rule tables (W3C OWL 2 Profiles, section 4.3), the comment
says so: the engine follows the tables. The independent oracle and the fuzzing of the engine
against it are in ``tests/owl2rl/``.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD, NamespaceManager

from imtkg.reasoning.closure import meaningful_inferences
from imtkg.reasoning.rl_reasoner import ClosureTooLarge, RLClosure, Triple, closure_limit

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
EX = "http://example.org/"


def closure(turtle: str) -> RLClosure:
    """Return the computed closure of a Turtle graph (prefixes ex, owl, rdf, rdfs, xsd)."""
    return RLClosure(Graph().parse(data=PREFIXES + turtle, format="turtle")).run()


def _names() -> NamespaceManager:
    names = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in (("ex", EX), ("owl", OWL), ("rdf", RDF), ("rdfs", RDFS)):
        names.bind(prefix, namespace)
    names.bind("xsd", XSD)
    return names


NAMES = _names()


def written(triples: set[Triple]) -> set[str]:
    """Write triples as short Turtle-like lines."""
    return {" ".join(term.n3(NAMES) for term in triple) for triple in triples}


def inferred(turtle: str) -> set[str]:
    """Return the meaningful inferences of a Turtle graph, written short."""
    return written(meaningful_inferences(closure(turtle)))


def clashes(turtle: str) -> set[str]:
    """Return the rule names of the clashes of a Turtle graph."""
    return {v.rule for v in closure(turtle).violations()}


# -- equality (Table 4) ------------------------------------------------------------------------


def test_equality_rules():
    """eq-sym, eq-trans and eq-rep-s/p/o spread what holds of one name to the others."""
    graph = """ex:a owl:sameAs ex:b . ex:b owl:sameAs ex:c . ex:a ex:p ex:d . ex:e ex:q ex:a .
    ex:p owl:sameAs ex:r ."""
    assert inferred(graph) == {
        "ex:b owl:sameAs ex:a",  # eq-sym
        "ex:c owl:sameAs ex:b",
        "ex:a owl:sameAs ex:c",  # eq-trans
        "ex:c owl:sameAs ex:a",
        "ex:r owl:sameAs ex:p",
        "ex:b ex:p ex:d",  # eq-rep-s
        "ex:c ex:p ex:d",
        "ex:a ex:r ex:d",  # eq-rep-p
        "ex:b ex:r ex:d",
        "ex:c ex:r ex:d",
        "ex:e ex:q ex:b",  # eq-rep-o
        "ex:e ex:q ex:c",
    }


@pytest.mark.parametrize(
    ("graph", "rule"),
    [
        ("ex:a owl:sameAs ex:b . ex:b owl:differentFrom ex:a .", "eq-diff1"),
        ("ex:a owl:differentFrom ex:a .", "eq-diff1"),  # with eq-ref
        # owlrl misses both: its loop over the list never reaches the last member
        ("[] a owl:AllDifferent ; owl:members (ex:a ex:b) . ex:a owl:sameAs ex:b .", "eq-diff2"),
        (
            "[] a owl:AllDifferent ; owl:distinctMembers (ex:a ex:b) . ex:b owl:sameAs ex:a .",
            "eq-diff3",
        ),
        ("[] a owl:AllDifferent ; owl:members (ex:a ex:a) .", "eq-diff2"),  # eq-ref
    ],
)
def test_equality_clashes(graph, rule):
    """Sameness against difference is a clash, exactly of its rule."""
    assert clashes(graph) == {rule}


# -- properties (Table 5) ----------------------------------------------------------------------


def test_functional_and_inverse_functional_properties():
    """prp-fp and prp-ifp make the values (the subjects) the same."""
    graph = """ex:p a owl:FunctionalProperty . ex:q a owl:InverseFunctionalProperty .
    ex:a ex:p ex:b , ex:c . ex:d ex:q ex:e . ex:f ex:q ex:e ."""
    assert inferred(graph) == {
        "ex:b owl:sameAs ex:c",
        "ex:c owl:sameAs ex:b",
        "ex:d owl:sameAs ex:f",
        "ex:f owl:sameAs ex:d",
    }


def test_keys_compare_every_key_property():
    """prp-key needs every key property to share a value: with one keyed individual nothing
    follows (owlrl, comparing only the first key property, makes ex:a and ex:b the same and
    then clashes with nothing to back it); with two properties only ex:a and ex:c agree on both."""
    one = "ex:C owl:hasKey (ex:p) . ex:a a ex:C ; ex:p ex:v . ex:b a ex:C ."
    assert inferred(one) == set() and clashes(one) == set()
    two = """ex:C owl:hasKey (ex:p ex:q) .
    ex:a a ex:C ; ex:p ex:v ; ex:q ex:w . ex:b a ex:C ; ex:p ex:v ; ex:q ex:z .
    ex:c a ex:C ; ex:p ex:v ; ex:q ex:w ."""
    assert inferred(two) == {"ex:a owl:sameAs ex:c", "ex:c owl:sameAs ex:a"}


@pytest.mark.parametrize(
    ("graph", "rule"),
    [
        ("ex:p a owl:IrreflexiveProperty . ex:a ex:p ex:a .", "prp-irp"),
        ("ex:p a owl:AsymmetricProperty . ex:a ex:p ex:b . ex:b ex:p ex:a .", "prp-asyp"),
        ("ex:p owl:propertyDisjointWith ex:q . ex:a ex:p ex:b ; ex:q ex:b .", "prp-pdw"),
        # owlrl misses it: its loop never reaches the last member of the list
        (
            "[] a owl:AllDisjointProperties ; owl:members (ex:p ex:q) ."
            " ex:a ex:p ex:b ; ex:q ex:b .",
            "prp-adp",
        ),
        (
            "[] owl:sourceIndividual ex:a ; owl:assertionProperty ex:p ;"
            " owl:targetIndividual ex:b . ex:a ex:p ex:b .",
            "prp-npa1",
        ),
        (
            '[] owl:sourceIndividual ex:a ; owl:assertionProperty ex:p ; owl:targetValue "v" .'
            ' ex:a ex:p "v" .',
            "prp-npa2",
        ),
    ],
)
def test_property_clashes(graph, rule):
    """Each property clash rule fires, and only it."""
    assert clashes(graph) == {rule}


# -- classes (Table 6) -------------------------------------------------------------------------


def test_intersections_unions_and_enumerations():
    """cls-int1/2, cls-uni and cls-oo; scm-int and scm-uni place the classes."""
    graph = """ex:I owl:intersectionOf (ex:A ex:B) . ex:U owl:unionOf (ex:A ex:D) .
    ex:x a ex:A , ex:B . ex:y a ex:I . ex:O owl:oneOf (ex:m) ."""
    assert inferred(graph) == {
        "ex:x rdf:type ex:I",  # cls-int1
        "ex:y rdf:type ex:A",  # cls-int2
        "ex:y rdf:type ex:B",
        "ex:x rdf:type ex:U",  # cls-uni
        "ex:y rdf:type ex:U",
        "ex:m rdf:type ex:O",  # cls-oo
        "ex:I rdfs:subClassOf ex:A",  # scm-int
        "ex:I rdfs:subClassOf ex:B",
        "ex:A rdfs:subClassOf ex:U",  # scm-uni
        "ex:D rdfs:subClassOf ex:U",
        "ex:I rdfs:subClassOf ex:U",  # scm-sco
    }


def test_value_restrictions():
    """cls-svf1, cls-svf2, cls-avf, cls-hv1 and cls-hv2."""
    some = """ex:R owl:someValuesFrom ex:Y ; owl:onProperty ex:p . ex:a ex:p ex:b . ex:b a ex:Y .
    ex:T owl:someValuesFrom owl:Thing ; owl:onProperty ex:q . ex:c ex:q ex:d ."""
    assert inferred(some) == {"ex:a rdf:type ex:R", "ex:c rdf:type ex:T"}
    every = "ex:R owl:allValuesFrom ex:Y ; owl:onProperty ex:p . ex:a a ex:R ; ex:p ex:b ."
    assert inferred(every) == {"ex:b rdf:type ex:Y"}
    value = "ex:R owl:hasValue ex:v ; owl:onProperty ex:p . ex:a a ex:R . ex:b ex:p ex:v ."
    assert inferred(value) == {"ex:a ex:p ex:v", "ex:b rdf:type ex:R"}


def test_maximum_cardinalities_of_one():
    """cls-maxc2 and cls-maxqc3: two values (two values of the class) are the same."""
    graph = """
    ex:R owl:maxCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:p .
    ex:a a ex:R ; ex:p ex:b , ex:c .
    ex:Q owl:maxQualifiedCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:q ;
        owl:onClass ex:K .
    ex:d a ex:Q ; ex:q ex:e , ex:f , ex:g . ex:e a ex:K . ex:f a ex:K ."""
    assert inferred(graph) == {
        "ex:b owl:sameAs ex:c",
        "ex:c owl:sameAs ex:b",
        "ex:e owl:sameAs ex:f",
        "ex:f owl:sameAs ex:e",
    }


@pytest.mark.parametrize(
    ("graph", "rule"),
    [
        ("ex:a a owl:Nothing .", "cls-nothing2"),
        ("ex:A owl:complementOf ex:B . ex:a a ex:A , ex:B .", "cls-com"),
        (
            'ex:R owl:maxCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p .'
            " ex:a a ex:R ; ex:p ex:b .",
            "cls-maxc1",
        ),
        # a zero written as xsd:integer has the same data value (dt-eq, then eq-rep-o)
        (
            "ex:R owl:maxCardinality 0 ; owl:onProperty ex:p . ex:a a ex:R ; ex:p ex:b .",
            "cls-maxc1",
        ),
        (
            'ex:R owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ;'
            " owl:onClass ex:K . ex:a a ex:R ; ex:p ex:b . ex:b a ex:K .",
            "cls-maxqc1",
        ),
        (
            'ex:R owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ;'
            " owl:onClass owl:Thing . ex:a a ex:R ; ex:p ex:b .",
            "cls-maxqc2",
        ),
    ],
)
def test_class_clashes(graph, rule):
    """Each class clash rule fires, and only it."""
    assert clashes(graph) == {rule}


# -- class axioms (Table 7) and schema (Table 9) -----------------------------------------------


def test_restriction_schema_rules():
    """scm-svf1 with the reflexive ``ex:Y rdfs:subClassOf ex:Y`` of scm-cls makes two equal
    restrictions equivalent (owlrl skips reflexive subclass triples and misses it); scm-avf2
    goes from the super-property's restriction down; scm-hv up."""
    graph = """
    ex:R1 owl:someValuesFrom ex:Y ; owl:onProperty ex:p . ex:Y a owl:Class .
    ex:R2 owl:someValuesFrom ex:Y ; owl:onProperty ex:p .
    ex:p1 rdfs:subPropertyOf ex:p2 .
    ex:A1 owl:allValuesFrom ex:Z ; owl:onProperty ex:p1 .
    ex:A2 owl:allValuesFrom ex:Z ; owl:onProperty ex:p2 .
    ex:H1 owl:hasValue ex:v ; owl:onProperty ex:p1 .
    ex:H2 owl:hasValue ex:v ; owl:onProperty ex:p2 ."""
    assert inferred(graph) == {
        "ex:R1 rdfs:subClassOf ex:R2",
        "ex:R2 rdfs:subClassOf ex:R1",
        "ex:R1 owl:equivalentClass ex:R2",
        "ex:R2 owl:equivalentClass ex:R1",
        "ex:A2 rdfs:subClassOf ex:A1",
        "ex:H1 rdfs:subClassOf ex:H2",
    }


@pytest.mark.parametrize(
    ("graph", "rule"),
    [
        ("ex:A owl:disjointWith ex:B . ex:a a ex:A , ex:B .", "cax-dw"),
        ("[] a owl:AllDisjointClasses ; owl:members (ex:A ex:B) . ex:a a ex:A , ex:B .", "cax-adc"),
        # built-in classes: scm-cls makes every declared class a subclass of owl:Thing
        ("ex:C a owl:Class ; owl:disjointWith owl:Thing . ex:a a ex:C .", "cax-dw"),
        (
            "ex:C a owl:Class . [] a owl:AllDisjointClasses ; owl:members (owl:Thing ex:C) ."
            " ex:a a ex:C .",
            "cax-adc",
        ),
    ],
)
def test_disjoint_classes(graph, rule):
    """An instance of two disjoint classes is a clash, owl:Thing included."""
    assert clashes(graph) == {rule}


# -- axioms on built-in terms ------------------------------------------------------------------


def test_range_of_nothing_reaches_every_declared_class():
    """scm-cls makes owl:Nothing a subclass of every declared class, so scm-rng1 extends a
    range of owl:Nothing to ex:C."""
    graph = "ex:p rdfs:range owl:Nothing . ex:C a owl:Class ."
    assert inferred(graph) == {"ex:p rdfs:range ex:C"}
    assert (URIRef(EX + "p"), RDFS.range, URIRef(EX + "C")) in closure(graph).entailed()


def test_range_of_same_as_types_every_term():
    """eq-ref makes every term the same as itself, so ``owl:sameAs rdfs:range ex:C`` types
    every term (built-in ones too, kept out of the inferred graph as noise)."""
    graph = "owl:sameAs rdfs:range ex:C . ex:a ex:p ex:b ."
    assert inferred(graph) == {
        "ex:a rdf:type ex:C",
        "ex:b rdf:type ex:C",
        "ex:p rdf:type ex:C",
        "ex:C rdf:type ex:C",
    }
    entailed = closure(graph).entailed()
    assert (OWL.sameAs, RDF.type, URIRef(EX + "C")) in entailed
    assert (XSD.string, RDF.type, URIRef(EX + "C")) in entailed  # dt-type1, then eq-ref


def test_inverse_and_sub_property_of_built_in_properties():
    """``rdf:type owl:inverseOf ex:p`` turns every typing around (prp-inv1);
    ``rdfs:subClassOf rdfs:subPropertyOf ex:p`` copies every subclass axiom (prp-spo1)."""
    assert inferred("rdf:type owl:inverseOf ex:p . ex:a a ex:C .") == {"ex:C ex:p ex:a"}
    entailed = closure("rdf:type owl:inverseOf ex:p . ex:a a ex:C .").entailed()
    assert (OWL.Class, URIRef(EX + "p"), OWL.Thing) in entailed  # from cls-thing
    graph = "rdfs:subClassOf rdfs:subPropertyOf ex:p . ex:A rdfs:subClassOf ex:B ."
    assert inferred(graph) == {"ex:A ex:p ex:B"}


# -- datatypes (Table 8) -----------------------------------------------------------------------


def test_equal_values_are_the_same_literal_but_not_new_knowledge():
    """dt-eq makes "2"^^xsd:integer and "2.0"^^xsd:decimal the same, and eq-rep-o restates each
    triple with the other spelling: in the closure, not in the inferred graph (noise rule 5)."""
    graph = "ex:a ex:p 2 . ex:b ex:p 2.0 ."
    found = closure(graph)
    two, two_point_zero = Literal("2", datatype=XSD.integer), Literal("2.0", datatype=XSD.decimal)
    assert (two, OWL.sameAs, two_point_zero) in found
    assert (URIRef(EX + "a"), URIRef(EX + "p"), two_point_zero) in found
    assert inferred(graph) == set()


def test_datatype_restrictions_and_clashes():
    """dt-type2 feeds cls-svf1; prp-rng typing a literal outside the range is dt-not-type; a
    functional data property with two values is eq-diff1 through dt-diff."""
    some = """ex:R owl:someValuesFrom xsd:integer ; owl:onProperty ex:age .
    ex:a ex:age 3 . ex:b ex:age "x" ."""
    assert inferred(some) == {"ex:a rdf:type ex:R"}
    assert clashes("ex:age rdfs:range xsd:integer . ex:b ex:age 'x' .") == {"dt-not-type"}
    assert clashes("ex:age rdfs:range xsd:integer . ex:b ex:age '3'^^xsd:byte .") == set()
    assert clashes('ex:age rdfs:range xsd:integer . ex:b ex:age "abc"^^xsd:integer .') == {
        "dt-not-type"
    }
    assert clashes("ex:age a owl:FunctionalProperty . ex:a ex:age 3 , 4 .") == {"eq-diff1"}
    assert clashes("ex:age a owl:FunctionalProperty . ex:a ex:age 3 , 3.0 .") == set()


def test_datatypes_outside_owl2_rl_are_not_checked():
    """xsd:date, rdf:langString and owl:real are no OWL 2 RL datatypes (owlrl treats the first
    ones as such): an ill-typed date is no clash, and dt-type1 does not name them."""
    assert clashes('ex:p rdfs:range xsd:date . ex:a ex:p "2025-02-30"^^xsd:date .') == set()
    assert clashes('ex:a ex:p "abc"^^xsd:integer .') == set()  # nothing types it
    entailed = closure("ex:a ex:p ex:b .").entailed()
    datatypes = {s for s, p, o in entailed if p == RDF.type and o == RDFS.Datatype}
    assert len(datatypes) == 32
    assert not {XSD.date, XSD.time, RDF.langString, RDF.HTML, OWL.real, OWL.rational} & datatypes


def test_entailment_of_the_empty_graph_is_the_axiomatic_triples():
    """cls-thing, cls-nothing1, scm-cls on both, prp-ap (9), dt-type1 (32): 48 triples over 50
    terms, each with its eq-ref triple."""
    entailed = RLClosure(()).run().entailed()
    assert len(entailed) == 48 + 50
    assert {
        (OWL.Thing, RDF.type, OWL.Class),
        (OWL.Nothing, RDFS.subClassOf, OWL.Thing),
        (RDFS.label, RDF.type, OWL.AnnotationProperty),
        (OWL.sameAs, OWL.sameAs, OWL.sameAs),
    } <= entailed


def test_rdf_part_of_the_entailment_without_generalised_triples():
    """``entailed(generalised=False)`` (what ``full=True`` stores) is exactly the part of the
    entailment whose subjects are not literals, implicit dt-type2 and dt-diff of a resource
    the same as a literal included."""
    found = closure('ex:a owl:sameAs "1"^^xsd:integer . ex:b ex:p "x" , 2.5 .')
    rdf = {t for t in found.entailed() if not isinstance(t[0], Literal)}
    assert found.entailed(generalised=False) == rdf
    a = URIRef(EX + "a")
    assert {(a, RDF.type, XSD.byte), (a, OWL.differentFrom, Literal("x"))} <= rdf


def test_an_exploding_closure_stops_with_a_clear_error():
    """``rdf:type`` declared inverse-functional makes every instance of ex:C the same, and
    eq-rep-* multiplies the triples by the clique: past the bound the engine stops and says
    why, instead of holding the caller for minutes."""
    members = " ".join(f"ex:a{i} a ex:C ; ex:p ex:b{i} ." for i in range(40))
    graph = Graph().parse(
        data=PREFIXES + "rdf:type a owl:InverseFunctionalProperty . " + members, format="turtle"
    )
    assert len(RLClosure(graph).run().rank) == 4451  # 81 asserted
    with pytest.raises(ClosureTooLarge, match="passes 2000 triples") as error:
        RLClosure(graph).run(limit=2000)
    assert error.value.asserted == 81
    assert closure_limit(81) == 1_000_000 + 20 * 81
