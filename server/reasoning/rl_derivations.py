"""How the rules beyond the common ones conclude a triple: the backward side of the engine.

:meth:`~imtkg.reasoning.rl_reasoner.RLClosure.derivations` asks :func:`candidates` for every
instance of a rule that concludes a given (encoded) triple from triples of the closure: the
equality rules (``eq-*``), the tautologies (``scm-cls``, ``scm-op``, ``scm-dp``, ``cls-thing``,
``cls-nothing1``, ``prp-ap``, ``dt-*``), the rules over restrictions, lists and keys
(:mod:`imtkg.reasoning.rl_rules`) and the schema rules over them. Each candidate is
``(rule, axioms, premises)``; the caller keeps those whose premises were all derived before the
triple (by rank), so every derivation tree is finite.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import TYPE_CHECKING

from imtkg.reasoning import rl_vocabulary as V
from imtkg.reasoning.datatypes import datatypes_of
from imtkg.reasoning.rl_rules import list_positions

if TYPE_CHECKING:
    from imtkg.reasoning.rl_reasoner import IntTriple, RLClosure

Candidate = tuple[str, tuple, tuple]


def candidates(closure: RLClosure, triple: IntTriple) -> Iterator[Candidate]:
    """Yield (rule, axioms, premises) for each instance of a rule of this module concluding
    ``triple``."""
    s, p, o = triple
    yield from _equality(closure, s, p, o)
    yield from _tautologies(closure, s, p, o)
    if p == V.TYPE:
        yield from _classes(closure, s, o)
    elif p == V.SAME:
        yield from _sameness(closure, s, o)
    elif p == V.SCO:
        yield from _restriction_schema(closure, s, o)
    yield from _has_value(closure, s, p, o)


def _members(closure: RLClosure, head: int) -> set[int]:
    """Every member of every reading of the list at ``head``."""
    return {m for path in list_positions(closure.index, head) for ms in path for m in ms}


def _equality(closure: RLClosure, s: int, p: int, o: int) -> Iterator[Candidate]:
    f, rank = closure.index, closure.rank
    for s2 in f.subjects(V.SAME, s):
        if (s2, p, o) in rank:
            yield "eq-rep-s", (), ((s2, V.SAME, s), (s2, p, o))
    for o2 in f.subjects(V.SAME, o):
        if (s, p, o2) in rank:
            yield "eq-rep-o", (), ((o2, V.SAME, o), (s, p, o2))
    for p2 in f.subjects(V.SAME, p):
        if (s, p2, o) in rank:
            yield "eq-rep-p", (), ((p2, V.SAME, p), (s, p2, o))
    if p == V.SAME:
        if (o, V.SAME, s) in rank:
            yield "eq-sym", (), ((o, V.SAME, s),)
        for y in f.objects(s, V.SAME):
            if (y, V.SAME, o) in rank:
                yield "eq-trans", (), ((s, V.SAME, y), (y, V.SAME, o))
        if s == o:
            yield from _reflexive(closure, s)


def _reflexive(closure: RLClosure, term: int) -> Iterator[Candidate]:
    """``eq-ref``: the earliest triple the term occurs in."""
    f, rank = closure.index, closure.rank
    best: IntTriple | None = None
    found: list[IntTriple] = []
    for p, by_s in f.ps.items():
        found += [(term, p, o) for o in by_s.get(term, ())]
    for p, by_o in f.po.items():
        found += [(s, p, term) for s in by_o.get(term, ())]
    found += [(s, term, o) for s, o in f.pairs(term)]
    found = [t for t in found if t != (term, V.SAME, term)]
    if found:
        best = min(found, key=lambda t: rank[t])
        yield "eq-ref", (), (best,)


def _tautologies(closure: RLClosure, s: int, p: int, o: int) -> Iterator[Candidate]:
    rank = closure.rank
    if p == V.TYPE:
        if (s, o) in ((V.THING, V.CLASS), (V.NOTHING, V.CLASS)):
            yield ("cls-thing" if s == V.THING else "cls-nothing1"), (), ()
        if o == V.ANNOTATION_PROP and s in V.ANNOTATION_IDS:
            yield "prp-ap", (), ()
        if o == V.DATATYPE and s in V.DATATYPE_IDS:
            yield "dt-type1", (), ()
        if o in V.DATATYPE_IDS and V.RESERVED[o] in datatypes_of(closure.terms[s]):
            yield "dt-type2", (), ()
    elif p in (V.SCO, V.EQC):
        declared = (s, V.TYPE, V.CLASS)
        if (s == o or (p == V.SCO and o == V.THING)) and declared in rank:
            yield "scm-cls", (declared,), ()
        if p == V.SCO and s == V.NOTHING and (o, V.TYPE, V.CLASS) in rank:
            yield "scm-cls", ((o, V.TYPE, V.CLASS),), ()
    elif p in (V.SPO, V.EQP) and s == o:
        for kind, rule in ((V.OBJECT_PROP, "scm-op"), (V.DATATYPE_PROP, "scm-dp")):
            if (s, V.TYPE, kind) in rank:
                yield rule, ((s, V.TYPE, kind),), ()
    elif p in (V.SAME, V.DIFF):
        value_s, value_o = closure.literal_value(s), closure.literal_value(o)
        if value_s is not None and value_o is not None:
            if p == V.SAME and s != o and value_s == value_o:
                yield "dt-eq", (), ()
            if p == V.DIFF and value_s != value_o:
                yield "dt-diff", (), ()


def _classes(closure: RLClosure, s: int, o: int) -> Iterator[Candidate]:
    """Derivations of ``s rdf:type o`` by the class rules."""
    f, rank = closure.index, closure.rank
    for head in f.objects(o, V.INTERSECTION):  # cls-int1
        for path in list_positions(f, head):
            chosen = [next((m for m in sorted(ms) if (s, V.TYPE, m) in rank), None) for ms in path]
            if path and all(m is not None for m in chosen):
                premises = tuple((s, V.TYPE, m) for m in chosen if m is not None)
                yield "cls-int1", ((o, V.INTERSECTION, head),), premises
    for c, head in f.pairs(V.INTERSECTION):  # cls-int2
        if (s, V.TYPE, c) in rank and o in _members(closure, head):
            yield "cls-int2", ((c, V.INTERSECTION, head),), ((s, V.TYPE, c),)
    for head in f.objects(o, V.UNION):  # cls-uni
        for m in _members(closure, head):
            if (s, V.TYPE, m) in rank:
                yield "cls-uni", ((o, V.UNION, head),), ((s, V.TYPE, m),)
    for head in f.objects(o, V.ONE_OF):  # cls-oo
        if s in _members(closure, head):
            yield "cls-oo", ((o, V.ONE_OF, head),), ()
    for prop in f.objects(o, V.ON_PROPERTY):
        axiom = (o, V.ON_PROPERTY, prop)
        for y in f.objects(o, V.SVF):
            for v in f.objects(s, prop):
                if y == V.THING:  # cls-svf2
                    yield "cls-svf2", ((o, V.SVF, y), axiom), ((s, prop, v),)
                if (v, V.TYPE, y) in rank:  # cls-svf1
                    yield "cls-svf1", ((o, V.SVF, y), axiom), ((s, prop, v), (v, V.TYPE, y))
        for v in f.objects(o, V.HAS_VALUE):  # cls-hv2
            if (s, prop, v) in rank:
                yield "cls-hv2", ((o, V.HAS_VALUE, v), axiom), ((s, prop, v),)
    for x in f.subjects(V.AVF, o):  # cls-avf
        for prop in f.objects(x, V.ON_PROPERTY):
            for u in f.subjects(prop, s):
                if (u, V.TYPE, x) in rank:
                    axioms = ((x, V.AVF, o), (x, V.ON_PROPERTY, prop))
                    yield "cls-avf", axioms, ((u, V.TYPE, x), (u, prop, s))


def _has_value(closure: RLClosure, s: int, p: int, o: int) -> Iterator[Candidate]:
    """``cls-hv1``: an instance of a value restriction on ``p`` with value ``o``."""
    f, rank = closure.index, closure.rank
    for x in f.subjects(V.HAS_VALUE, o):
        if (x, V.ON_PROPERTY, p) in rank and (s, V.TYPE, x) in rank:
            axioms = ((x, V.HAS_VALUE, o), (x, V.ON_PROPERTY, p))
            yield "cls-hv1", axioms, ((s, V.TYPE, x),)


def _sameness(closure: RLClosure, s: int, o: int) -> Iterator[Candidate]:
    """Derivations of ``s owl:sameAs o`` by prp-fp, prp-ifp, prp-key, cls-maxc2, cls-maxqc3/4."""
    f, rank = closure.index, closure.rank
    for p in f.subjects(V.TYPE, V.FUNCTIONAL):
        for x in f.subjects(p, s):
            if (x, p, o) in rank:
                yield "prp-fp", ((p, V.TYPE, V.FUNCTIONAL),), ((x, p, s), (x, p, o))
    for p in f.subjects(V.TYPE, V.INV_FUNCTIONAL):
        for y in f.objects(s, p):
            if (o, p, y) in rank:
                yield "prp-ifp", ((p, V.TYPE, V.INV_FUNCTIONAL),), ((s, p, y), (o, p, y))
    for c, head in f.pairs(V.HAS_KEY):
        if (s, V.TYPE, c) not in rank or (o, V.TYPE, c) not in rank:
            continue
        for path in list_positions(f, head):
            for props in product(*(sorted(ms) for ms in path)):
                shared = []
                for prop in props:
                    common = sorted(f.objects(s, prop) & f.objects(o, prop))
                    if not common:
                        break
                    shared += [(s, prop, common[0]), (o, prop, common[0])]
                else:
                    premises = ((s, V.TYPE, c), (o, V.TYPE, c), *shared)
                    yield "prp-key", ((c, V.HAS_KEY, head),), premises
    for x, p in closure.complex.maxc1:
        for u in f.subjects(p, s):
            if (u, p, o) in rank and (u, V.TYPE, x) in rank:
                premises = ((u, V.TYPE, x), (u, p, s), (u, p, o))
                yield "cls-maxc2", ((x, V.ON_PROPERTY, p),), premises
    for x, p, c in closure.complex.maxqc1:
        for u in f.subjects(p, s):
            if (u, p, o) not in rank or (u, V.TYPE, x) not in rank:
                continue
            premises = ((u, V.TYPE, x), (u, p, s), (u, p, o))
            axioms = ((x, V.ON_PROPERTY, p), (x, V.ON_CLASS, c))
            if c == V.THING:
                yield "cls-maxqc4", axioms, premises
            if (s, V.TYPE, c) in rank and (o, V.TYPE, c) in rank:
                yield "cls-maxqc3", axioms, (*premises, (s, V.TYPE, c), (o, V.TYPE, c))


def _restriction_schema(closure: RLClosure, s: int, o: int) -> Iterator[Candidate]:
    """Derivations of ``s rdfs:subClassOf o`` by scm-int, scm-uni, scm-hv, scm-svf, scm-avf."""
    f, rank = closure.index, closure.rank
    for head in f.objects(s, V.INTERSECTION):
        if o in _members(closure, head):
            yield "scm-int", ((s, V.INTERSECTION, head),), ()
    for head in f.objects(o, V.UNION):
        if s in _members(closure, head):
            yield "scm-uni", ((o, V.UNION, head),), ()
    for key, rules in ((V.SVF, ("scm-svf1", "scm-svf2")), (V.AVF, ("scm-avf1", "scm-avf2"))):
        for p1 in f.objects(s, V.ON_PROPERTY):
            for p2 in f.objects(o, V.ON_PROPERTY):
                for y1 in f.objects(s, key):
                    for y2 in f.objects(o, key):
                        schema: tuple[IntTriple, ...] = (
                            (s, key, y1),
                            (s, V.ON_PROPERTY, p1),
                            (o, key, y2),
                            (o, V.ON_PROPERTY, p2),
                        )
                        if p1 == p2 and (y1, V.SCO, y2) in rank:
                            yield rules[0], (*schema, (y1, V.SCO, y2)), ()
                        if y1 == y2:
                            sub = (p1, V.SPO, p2) if key == V.SVF else (p2, V.SPO, p1)
                            if sub in rank:
                                yield rules[1], (*schema, sub), ()
        for p1 in f.objects(s, V.ON_PROPERTY):
            for p2 in f.objects(o, V.ON_PROPERTY):
                for v in f.objects(s, V.HAS_VALUE) & f.objects(o, V.HAS_VALUE):
                    if key == V.SVF and (p1, V.SPO, p2) in rank:
                        values: tuple[IntTriple, ...] = (
                            (s, V.HAS_VALUE, v),
                            (s, V.ON_PROPERTY, p1),
                            (o, V.HAS_VALUE, v),
                            (o, V.ON_PROPERTY, p2),
                        )
                        yield "scm-hv", (*values, (p1, V.SPO, p2)), ()


__all__ = ["Candidate", "candidates"]
