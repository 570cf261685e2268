"""Differential fuzzing outside pytest: the engine against the oracle on many random graphs.

Run ``python -m tests.owl2rl.fuzz --examples 5000 --seed 1`` from the repository root. It prints
``N graphs, K constructs, D disagreements`` (engine against oracle, entailment and clashes),
the rules behind each disagreement with the smallest graph that shows it, then how many graphs
owlrl answers differently from the oracle and by which rules (informative: owlrl is known to
depart from the rule tables; see :mod:`tests.owl2rl.cases`).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, seed, settings
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from tests.owl2rl.oracle import CLASH_RULES, ClosureTooLarge, Triple, clashes_of, fixpoint
from tests.owl2rl.strategies import ontologies

#: the oracle sets aside a graph whose closure passes this many triples (see ClosureTooLarge)
LIMIT = 20_000


@dataclass
class Tally:
    """What one comparison found over all graphs: rule -> graphs, and the smallest witness."""

    graphs: int = 0
    differing: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    smallest: dict[str, set[Triple]] = field(default_factory=dict)

    def record(self, rules: set[str], triples: set[Triple]) -> None:
        """Count one graph on which the comparison found ``rules`` (nothing when empty)."""
        self.graphs += 1
        if not rules:
            return
        self.differing += 1
        for rule in rules:
            self.by_rule[rule] += 1
            if rule not in self.smallest or len(triples) < len(self.smallest[rule]):
                self.smallest[rule] = triples

    def minimise(self, labels_of: Callable[[set[Triple]], set[str]]) -> None:
        """Shrink each rule's witness: drop triples one by one while the rule still shows."""
        for rule, triples in self.smallest.items():
            current = set(triples)
            shrinking = True
            while shrinking:
                shrinking = False
                for triple in sorted(current, key=lambda t: [term.n3() for term in t]):
                    smaller = current - {triple}
                    if rule in labels_of(smaller):
                        current, shrinking = smaller, True
                        break
            self.smallest[rule] = current

    def report(self, title: str, show_witnesses: bool) -> str:
        """Lines of text: the differing graphs by rule, and each rule's smallest witness."""
        lines = [f"{title}: {self.differing} of {self.graphs} graphs differ"]
        for rule, count in sorted(self.by_rule.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {rule}: {count} graphs")
            if show_witnesses:
                witness = sorted(
                    " ".join(t.n3() for t in triple) + " ." for triple in self.smallest[rule]
                )
                lines.extend(f"      {line}" for line in witness or ["(the empty graph)"])
        return "\n".join(lines)


def differing_rules(
    expected: set[Triple],
    origin: dict[Triple, str],
    got: set[Triple],
    expected_clashes: set[str],
    got_clashes: set[str],
) -> set[str]:
    """The rules behind the differences between an expected result and another one.

    A triple the other side misses is charged to the oracle rule that first derived it (or
    ``asserted``); a triple the oracle does not entail is charged to ``extra``; clashes found by
    one side only are named ``clash <rule>``.
    """
    rules = {f"missing {origin.get(t, 'asserted')}" for t in expected - got}
    rules |= {f"extra {_kind(t)} (not entailed by the tables)" for t in got - expected}
    rules |= {f"clash {rule} missed" for rule in expected_clashes - got_clashes}
    rules |= {f"clash {rule} not in the tables" for rule in got_clashes - expected_clashes}
    return rules


_NAMES = Graph().namespace_manager


def _kind(triple: Triple) -> str:
    """A short name for a kind of triple: its predicate, and its class for rdf:type."""
    s, p, o = triple
    kind = p.n3(_NAMES) if isinstance(p, URIRef) else "?"
    if p == RDF.type and isinstance(o, URIRef):
        kind += " " + o.n3(_NAMES)
    return kind + (" of a literal" if isinstance(s, Literal) else "")


def engine_answer(triples: set[Triple]) -> tuple[set[Triple], set[str]] | None:
    """The engine's entailment and clash rules, or None while it has no ``entailed()``."""
    from imtkg.reasoning.rl_reasoner import RLClosure

    if not hasattr(RLClosure, "entailed"):
        return None
    closure = RLClosure(triples).run()
    return set(closure.entailed()), {v.rule for v in closure.violations()}


#: owlrl's error messages -> the rule (the messages owlrl writes; see owlrl's OWLRL.py)
OWLRL_MESSAGES = (
    ("Disjoint classes", "cax-dw or cax-adc"),
    ("is defined of type 'Nothing'", "cls-nothing2"),
    ("Lexical value of the literal", "dt-not-type"),
    ("Irreflexive property", "prp-irp"),
    ("asymmetric property", "prp-asyp"),
    ("'AllDisjointProperties'", "prp-adp"),
    ("disjoint properties", "prp-pdw"),
    ("Negative (object) property assertion", "prp-npa1"),
    ("Negative (datatype) property assertion", "prp-npa2"),
    ("complementarity", "cls-com"),
    ("maximum cardinality", "cls-maxc1"),
    ("maximum qualified cardinality", "cls-maxqc1 or cls-maxqc2"),
    ("'sameAs' and 'differentFrom'", "eq-diff1"),
    ("'sameAs' and 'AllDifferent'", "eq-diff2 or eq-diff3"),
)


def owlrl_answer(triples: set[Triple]) -> tuple[set[Triple], set[str]]:
    """owlrl's closure (its error records removed) and the rules its error messages name."""
    import owlrl
    from owlrl.Namespaces import ERRNS

    graph = Graph()
    for triple in triples:
        if not isinstance(triple[0], Literal) and not isinstance(triple[1], Literal):
            graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(graph)
    rules: set[str] = set()
    for record in list(graph.subjects(RDF.type, ERRNS.ErrorMessage)):
        for message in graph.objects(record, ERRNS.error):
            rules |= {rule for text, rule in OWLRL_MESSAGES if text in str(message)}
        graph.remove((record, None, None))
    return set(graph), rules


def _alike(oracle_clashes: set[str], owlrl_rules: set[str]) -> tuple[set[str], set[str]]:
    """Both clash sets on owlrl's coarser names ("cax-dw or cax-adc"...)."""
    names = {rule: rule for rule in CLASH_RULES}
    for _, coarse in OWLRL_MESSAGES:
        for rule in coarse.split(" or "):
            names[rule] = coarse
    return {names[rule] for rule in oracle_clashes}, owlrl_rules


def run(
    examples: int, seed_value: int, with_owlrl: bool, show_witnesses: bool, constructs_max: int = 8
) -> int:
    """Fuzz ``examples`` graphs from ``seed_value``; print the report; return the disagreements."""
    engine, against_owlrl = Tally(), Tally()
    constructs = skipped = 0
    engine_ready = True

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(ontologies(max_constructs=constructs_max))
    def one(drawn: tuple[set[Triple], list[str]]) -> None:
        nonlocal constructs, skipped, engine_ready
        triples, names = drawn
        origin: dict[Triple, str] = {}
        try:
            g = fixpoint(triples, origin, LIMIT)
        except ClosureTooLarge:
            skipped += 1
            return
        constructs += len(names)
        closure, clashes = set(g.triples), clashes_of(g)
        answer = engine_answer(triples) if engine_ready else None
        if answer is None:
            engine_ready = False
        else:
            engine.record(differing_rules(closure, origin, answer[0], clashes, answer[1]), triples)
        if with_owlrl:
            comparable = {t for t in closure if not isinstance(t[0], Literal)}
            theirs, their_clashes = owlrl_answer(triples)
            ours, theirs_named = _alike(clashes, their_clashes)
            against_owlrl.record(
                differing_rules(comparable, origin, theirs, ours, theirs_named), triples
            )

    def engine_labels(triples: set[Triple]) -> set[str]:
        origin: dict[Triple, str] = {}
        try:
            g = fixpoint(triples, origin, LIMIT)
        except ClosureTooLarge:
            return set()
        answer = engine_answer(triples)
        return (
            set()
            if answer is None
            else differing_rules(g.triples, origin, answer[0], clashes_of(g), answer[1])
        )

    started = time.perf_counter()
    one()
    if show_witnesses and engine_ready:
        engine.minimise(engine_labels)
    elapsed = time.perf_counter() - started
    graphs = max(engine.graphs, against_owlrl.graphs)
    if engine_ready:
        print(f"{graphs} graphs, {constructs} constructs, {engine.differing} disagreements")
        print(engine.report("engine against the oracle", show_witnesses))
    else:
        print(f"{graphs} graphs, {constructs} constructs, engine not compared")
        print("engine: RLClosure has no entailed() yet")
    if skipped:
        print(f"{skipped} more graphs set aside: their closure passes {LIMIT} triples")
    if with_owlrl:
        print(against_owlrl.report("owlrl against the oracle (informative)", False))
    print(f"({elapsed:.1f} s, seed {seed_value})")
    return engine.differing


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, and exit 1 when the engine disagrees with the oracle."""
    parser = argparse.ArgumentParser(prog="python -m tests.owl2rl.fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=500, help="graphs to generate")
    parser.add_argument("--seed", type=int, default=0, help="the random seed (reproducible runs)")
    parser.add_argument("--no-owlrl", action="store_true", help="skip the owlrl comparison")
    parser.add_argument("--constructs", type=int, default=8, help="most constructs per graph")
    parser.add_argument(
        "--witnesses",
        action="store_true",
        help="print the smallest graph of each difference (shrunk)",
    )
    options = parser.parse_args(argv)
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # ill-typed literals are on purpose
    differing = run(
        options.examples,
        options.seed,
        not options.no_owlrl,
        options.witnesses,
        options.constructs,
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
