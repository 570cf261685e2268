"""The OWL 2 RL rules whose conclusion is ``false``: the inconsistencies of a closure.

:func:`find_violations` applies every such rule of the tables (W3C OWL 2 Profiles, section
4.3) to the fixpoint of an :class:`~imtkg.reasoning.rl_reasoner.RLClosure`: ``eq-diff1/2/3``,
``prp-irp``, ``prp-asyp``, ``prp-pdw``, ``prp-adp``, ``prp-npa1/2``, ``cls-nothing2``,
``cls-com``, ``cls-maxc1``, ``cls-maxqc1/2``, ``cax-dw``, ``cax-adc`` and ``dt-not-type``. The
implicit triples the closure does not materialise are read where a rule needs them:
``x owl:sameAs x`` (``eq-ref``) and ``lt1 owl:differentFrom lt2`` for literals of different
values (``dt-diff``), and ``lt rdf:type dt`` (``dt-type2``) copied to a literal the same as
``lt``. ``dt-not-type`` fires for ``lt rdf:type dt`` where ``lt`` is ill-typed (no data value) or
its value is outside ``dt``'s; an ill-typed literal nothing types is no clash, and literals of
datatypes outside OWL 2 RL (``xsd:date``...) are never checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from imtkg.reasoning import rl_vocabulary as V
from imtkg.reasoning.datatypes import datatypes_of, is_supported
from imtkg.reasoning.rl_rules import list_positions

if TYPE_CHECKING:
    from imtkg.reasoning.rl_reasoner import RLClosure

#: (rule, offending encoded triples, subject code, class codes, datatype code or -1)
Clash = tuple[str, tuple, int, tuple[int, ...], int]


def _same(closure: RLClosure, x: int, y: int) -> bool:
    """``x owl:sameAs y`` in the closure (``eq-ref`` included)."""
    return x == y or (x, V.SAME, y) in closure.rank


def _list_pairs(closure: RLClosure, head: int) -> Iterator[tuple[int, int]]:
    """Yield the pairs of members at two different positions of the list at ``head``."""
    for path in list_positions(closure.index, head):
        for i, first in enumerate(path):
            for second in path[i + 1 :]:
                for a in first:
                    for b in second:
                        yield a, b


def clashes(closure: RLClosure) -> Iterator[Clash]:
    """Yield every instance of a rule concluding ``false`` on the closure's fixpoint."""
    f, rank = closure.index, closure.rank
    yield from _equality_clashes(closure)
    yield from _property_clashes(closure)
    for x in f.subjects(V.TYPE, V.NOTHING):
        yield "cls-nothing2", ((x, V.TYPE, V.NOTHING),), x, (), -1
    for c1, c2 in f.pairs(V.COMPLEMENT):
        for x in f.subjects(V.TYPE, c1) & f.subjects(V.TYPE, c2):
            triples = ((c1, V.COMPLEMENT, c2), (x, V.TYPE, c1), (x, V.TYPE, c2))
            yield "cls-com", triples, x, (c1, c2), -1
    zero = closure.number
    for x in {x for x, n in f.pairs(V.MAX_CARD) if zero(n, 0)}:
        for p in f.objects(x, V.ON_PROPERTY):
            for u in f.subjects(V.TYPE, x):
                for y in f.objects(u, p):
                    yield "cls-maxc1", ((u, V.TYPE, x), (u, p, y)), u, (x,), -1
    for x in {x for x, n in f.pairs(V.MAX_QCARD) if zero(n, 0)}:
        for p in f.objects(x, V.ON_PROPERTY):
            for c in f.objects(x, V.ON_CLASS):
                for u in f.subjects(V.TYPE, x):
                    for y in f.objects(u, p):
                        premises = ((u, V.TYPE, x), (u, p, y))
                        if c == V.THING:
                            yield "cls-maxqc2", premises, u, (x,), -1
                        if (y, V.TYPE, c) in rank:
                            yield "cls-maxqc1", (*premises, (y, V.TYPE, c)), u, (x, c), -1
    for c1, c2 in f.pairs(V.DISJOINT):
        for x in f.subjects(V.TYPE, c1) & f.subjects(V.TYPE, c2):
            triples = ((c1, V.DISJOINT, c2), (x, V.TYPE, c1), (x, V.TYPE, c2))
            yield "cax-dw", triples, x, (c1, c2), -1
    for node in f.subjects(V.TYPE, V.ALL_DISJOINT):
        for head in f.objects(node, V.MEMBERS):
            for c1, c2 in _list_pairs(closure, head):
                for x in f.subjects(V.TYPE, c1) & f.subjects(V.TYPE, c2):
                    triples = ((node, V.MEMBERS, head), (x, V.TYPE, c1), (x, V.TYPE, c2))
                    yield "cax-adc", triples, x, (c1, c2), -1
    yield from _datatype_clashes(closure)


def _equality_clashes(closure: RLClosure) -> Iterator[Clash]:
    f = closure.index
    for x, y in f.pairs(V.DIFF):  # eq-diff1
        if _same(closure, x, y):
            yield "eq-diff1", ((x, V.DIFF, y),), x, (), -1
    value_of = closure.literal_value
    for x, y in f.pairs(V.SAME):  # eq-diff1 with dt-diff
        vx, vy = value_of(x), value_of(y)
        if vx is not None and vy is not None and vx != vy:
            yield "eq-diff1", ((x, V.SAME, y),), x, (), -1
    for kind, rule in ((V.MEMBERS, "eq-diff2"), (V.DISTINCT_MEMBERS, "eq-diff3")):
        for node in f.subjects(V.TYPE, V.ALL_DIFFERENT):
            for head in f.objects(node, kind):
                for a, b in _list_pairs(closure, head):
                    if _same(closure, a, b):
                        yield rule, ((node, kind, head), (a, V.SAME, b)), a, (a, b), -1


def _property_clashes(closure: RLClosure) -> Iterator[Clash]:
    f = closure.index
    for p in f.subjects(V.TYPE, V.IRREFLEXIVE):  # prp-irp
        for x, objects in f.ps.get(p, {}).items():
            if x in objects:
                yield "prp-irp", ((x, p, x),), x, (p,), -1
    for p in f.subjects(V.TYPE, V.ASYMMETRIC):  # prp-asyp
        for x, y in f.pairs(p):
            if x in f.objects(y, p):
                yield "prp-asyp", ((x, p, y), (y, p, x)), x, (p,), -1
    for p1, p2 in f.pairs(V.PDW):  # prp-pdw
        for x, y in f.pairs(p1):
            if y in f.objects(x, p2):
                yield "prp-pdw", ((x, p1, y), (x, p2, y)), x, (p1, p2), -1
    for node in f.subjects(V.TYPE, V.ALL_DISJOINT_PROPS):  # prp-adp
        for head in f.objects(node, V.MEMBERS):
            for p1, p2 in _list_pairs(closure, head):
                for x, y in f.pairs(p1):
                    if y in f.objects(x, p2):
                        yield "prp-adp", ((x, p1, y), (x, p2, y)), x, (p1, p2), -1
    for target, rule in ((V.TARGET_IND, "prp-npa1"), (V.TARGET_VALUE, "prp-npa2")):
        for x, i1 in f.pairs(V.SOURCE_IND):
            for p in f.objects(x, V.ASSERTION_PROP):
                for i2 in f.objects(x, target):
                    if i2 in f.objects(i1, p):
                        yield rule, ((i1, p, i2), (x, V.SOURCE_IND, i1)), i1, (p,), -1


def _datatype_clashes(closure: RLClosure) -> Iterator[Clash]:
    f, terms = closure.index, closure.terms
    for d in V.DATATYPE_IDS:  # dt-not-type
        datatype = V.RESERVED[d]
        for lt in f.subjects(V.TYPE, d):
            literal = terms[lt]
            if is_supported(literal) and datatype not in datatypes_of(literal):
                yield "dt-not-type", ((lt, V.TYPE, d),), lt, (), d
    if closure.live["datatypes"]:
        return
    # dt-type2 left implicit, copied by eq-rep-s to a literal the same as another
    codes = {term: code for code, term in enumerate(V.RESERVED)}
    for x, y in f.pairs(V.SAME):
        if x != y and closure.literal_value(y) is not None and is_supported(terms[x]):
            own = datatypes_of(terms[x])
            for datatype in datatypes_of(terms[y]) - own:
                d = codes[datatype]
                yield "dt-not-type", ((x, V.SAME, y),), x, (), d


__all__ = ["Clash", "clashes"]
