"""The comparison of the engine with the oracle, shared by the hand cases and the fuzzing."""

from __future__ import annotations

from imtkg.reasoning.rl_reasoner import RLClosure
from tests.owl2rl.oracle import Triple, clashes_of, fixpoint


def show(triples: set[Triple], limit: int = 25) -> str:
    """A readable listing of a few triples (N-Triples terms, sorted)."""
    lines = sorted(" ".join(term.n3() for term in t) for t in triples)
    more = [f"… and {len(lines) - limit} more"] if len(lines) > limit else []
    return "\n  ".join(["", *lines[:limit], *more])


def engine_result(triples: set[Triple]) -> tuple[set[Triple], set[str]]:
    """The engine's entailed triples and the rule names of its clashes."""
    closure = RLClosure(triples).run()
    return set(closure.entailed()), {v.rule for v in closure.violations()}


def assert_same_as_oracle(triples: set[Triple], limit: int | None = None) -> None:
    """The engine's entailment and clashes equal the oracle's, with a readable diff if not.

    :param limit: passed to the oracle's :func:`fixpoint`; :class:`ClosureTooLarge` propagates
        (before the engine runs) when the closure would be bigger
    """
    origin: dict[Triple, str] = {}
    g = fixpoint(triples, origin, limit)
    entailed, clashes = engine_result(triples)
    missing, extra = g.triples - entailed, entailed - g.triples
    rules = sorted({origin.get(t, "asserted") for t in missing})
    assert not missing and not extra, (
        f"input:{show(triples, 60)}\n"
        f"engine misses {len(missing)} (rules {', '.join(rules)}):{show(missing)}\n"
        f"engine adds {len(extra)}:{show(extra)}"
    )
    assert clashes == clashes_of(g), f"input:{show(triples, 60)}"
