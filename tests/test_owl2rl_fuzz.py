"""Differential fuzzing of the fast OWL 2 RL engine against the oracle of the rule tables.

Random small ontologies and data over every OWL 2 RL construct (:mod:`tests.owl2rl.strategies`,
built-in terms in every position, literals of several datatypes, ill-typed and equal-valued
ones): the engine's entailment and clashes must equal the oracle's. Deterministic (derandomised,
no example database) so that CI runs the same graphs every time; ``python -m
tests.owl2rl.fuzz --examples 5000`` runs a bigger campaign outside pytest.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, reject, settings

from tests.owl2rl.compare import assert_same_as_oracle
from tests.owl2rl.oracle import ClosureTooLarge, Triple, clashes_of, fixpoint
from tests.owl2rl.strategies import CONSTRUCTS, ontologies

#: the same graphs on every run, no deadline (2 shared cores), sized to stay well under a minute
DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=800,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: a graph whose closure would pass this many triples is set aside (a sameAs clique over every
#: term, e.g. rdf:type declared inverse-functional, makes the naive oracle take minutes)
LIMIT = 20_000


@DETERMINISTIC
@given(ontologies())
def test_engine_equals_oracle_on_random_graphs(drawn: tuple[set[Triple], list[str]]) -> None:
    """On every generated graph the engine entails exactly the oracle's closure and finds
    exactly its clashes."""
    triples, _ = drawn
    try:
        assert_same_as_oracle(triples, LIMIT)
    except ClosureTooLarge:
        reject()


@settings(DETERMINISTIC, max_examples=150)
@given(ontologies())
def test_oracle_closure_is_a_fixpoint(drawn: tuple[set[Triple], list[str]]) -> None:
    """The oracle's closure contains its input, closing it again adds nothing, and the clashes
    of the closure are those of the input."""
    triples, _ = drawn
    try:
        closed = fixpoint(triples, limit=LIMIT)
    except ClosureTooLarge:
        reject()
    assert triples <= closed.triples
    again = fixpoint(closed.triples, limit=LIMIT)
    assert again.triples == closed.triples
    assert clashes_of(again) == clashes_of(closed)


def test_generator_covers_every_construct() -> None:
    """Each kind of construct is drawn at least once over a fixed run of the strategy."""
    seen: set[str] = set()

    @settings(derandomize=True, database=None, deadline=None, max_examples=200)
    @given(ontologies())
    def collect(drawn: tuple[set[Triple], list[str]]) -> None:
        seen.update(drawn[1])

    collect()
    assert seen == set(CONSTRUCTS)
