"""The OWL 2 RL oracle on hand cases, then the fast engine against the oracle on the same cases.

Part (a) tests the oracle itself: each case of :mod:`tests.owl2rl.cases` was worked out by hand
from the rule tables (conclusions that must be there, conclusions that must not, the exact
clashes). Part (b) runs the same graphs through the project's engine
(:class:`imtkg.reasoning.rl_reasoner.RLClosure`): its entailed triples must be exactly the
oracle's closure and its clashes exactly the oracle's.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from tests.owl2rl.cases import CASES, Case
from tests.owl2rl.compare import assert_same_as_oracle, show
from tests.owl2rl.datatypes import RL_DATATYPES, in_value_space, value_of
from tests.owl2rl.oracle import CLASH_RULES, DERIVATION_RULES, oracle_clashes, oracle_closure

ids = [c.name for c in CASES]


# -- (a) the oracle on hand cases ---------------------------------------------------------------


@pytest.mark.parametrize("hand", CASES, ids=ids)
def test_oracle_on_hand_case(hand: Case) -> None:
    """The oracle's closure holds the expected conclusions, not the excluded ones, and its
    clashes are exactly the expected rules."""
    triples = hand.triples()
    closure = oracle_closure(triples)
    assert triples <= closure
    assert hand.entails - closure == set(), show(hand.entails - closure)
    assert hand.excludes & closure == set(), show(hand.excludes & closure)
    assert oracle_clashes(triples) == set(hand.clashes)


def test_every_rule_of_the_tables_is_transcribed_and_has_a_hand_case() -> None:
    """All 78 rule names of Tables 4-9 are in the oracle (eq-rep as three), and every one is
    named by at least one hand case."""
    names = set(DERIVATION_RULES) | set(CLASH_RULES)
    assert len(names) == 78
    assert not set(DERIVATION_RULES) & set(CLASH_RULES)
    covered = {rule for hand in CASES for rule in names if rule in hand.name}
    assert names - covered == set()


def test_datatype_map_is_the_owl2_rl_list() -> None:
    """The map holds the 32 datatypes of OWL 2 RL, and neither xsd:date, xsd:time, rdf:HTML,
    rdf:langString, owl:real nor owl:rational."""
    assert len(set(RL_DATATYPES)) == 32
    excluded = {XSD.date, XSD.time, RDF.HTML, RDF.langString, OWL.real, OWL.rational}
    assert excluded & set(RL_DATATYPES) == set()


@pytest.mark.parametrize(
    ("lexical", "datatype", "expected"),
    [
        ("01", XSD.int, ("number", 1)),
        (" 1 ", XSD.integer, ("number", 1)),
        ("1.0", XSD.decimal, ("number", 1)),
        ("1.5", XSD.integer, None),
        ("300", XSD.byte, None),
        ("abc", XSD.integer, None),
        ("INF", XSD.double, ("double", b"\x7f\xf0\x00\x00\x00\x00\x00\x00")),
        ("inf", XSD.double, None),
        ("true", XSD.boolean, ("boolean", True)),
        ("1", XSD.boolean, ("boolean", True)),
        ("yes", XSD.boolean, None),
        ("0A", XSD.hexBinary, ("hexBinary", b"\n")),
        ("0", XSD.hexBinary, None),
        ("a  b ", XSD.token, ("string", "a b")),
        ("en-GB", XSD.language, ("string", "en-GB")),
        ("a:b", XSD.NCName, None),
        ("x@en", RDF.PlainLiteral, ("lang", "x", "en")),
        ("x@", RDF.PlainLiteral, ("string", "x")),
        ("2000-02-30T00:00:00", XSD.dateTime, None),
        ("2000-01-01T00:00:00", XSD.dateTimeStamp, None),
    ],
)
def test_lexical_forms_and_values(lexical: str, datatype: URIRef, expected: tuple | None) -> None:
    """Lexical validity and values of the datatype map, one case per kind of value."""
    value = value_of(Literal(lexical, datatype=datatype, normalize=False))
    if expected is not None and expected[0] == "number":
        assert value is not None and value[0] == "number" and value[1] == expected[1]
    else:
        assert value == expected


def test_equal_instants_in_two_offsets_are_one_value() -> None:
    """Two xsd:dateTime with offsets naming one instant are one value; without offset, another."""

    def dt(text: str) -> tuple | None:
        return value_of(Literal(text, datatype=XSD.dateTime, normalize=False))

    assert dt("2000-01-01T01:00:00+01:00") == dt("2000-01-01T00:00:00Z")
    assert dt("2000-01-01T00:00:00") != dt("2000-01-01T00:00:00Z")


def test_value_spaces_of_numbers_and_strings() -> None:
    """Integers sit inside xsd:decimal but not xsd:double; strings of the family share values;
    a language-tagged string is only a plain literal."""
    one = value_of(Literal("1", datatype=XSD.integer))
    assert one is not None
    assert in_value_space(one, XSD.decimal) and in_value_space(one, XSD.unsignedByte)
    assert not in_value_space(one, XSD.double) and not in_value_space(one, XSD.string)
    word = value_of(Literal("word"))
    assert word is not None and in_value_space(word, XSD.NCName)
    tagged = value_of(Literal("word", lang="en"))
    assert tagged is not None and in_value_space(tagged, RDF.PlainLiteral)
    assert not in_value_space(tagged, XSD.string) and in_value_space(tagged, RDFS.Literal)


# -- (b) the engine against the oracle on the same cases ----------------------------------------


@pytest.mark.parametrize("hand", CASES, ids=ids)
def test_engine_equals_oracle_on_hand_case(hand: Case) -> None:
    """The fast engine entails exactly the oracle's closure and finds exactly its clashes."""
    assert_same_as_oracle(hand.triples())
