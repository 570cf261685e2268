"""The OWL 2 RL rules over restrictions, lists, keys and property characteristics.

:class:`~imtkg.reasoning.rl_reasoner.RLClosure` applies the common rules (sub-classes,
sub-properties, domains, ranges, inverses, chains, equality) triple by triple. The rules of this
module join several facts through a compiled schema (``cls-svf1/2``, ``cls-avf``, ``cls-hv1/2``,
``cls-maxc2``, ``cls-maxqc3/4``, ``cls-int1/2``, ``cls-uni``, ``cls-oo``, ``prp-fp``,
``prp-ifp``, ``prp-key``, ``scm-int``, ``scm-uni``, ``scm-hv``, ``scm-svf1/2``,
``scm-avf1/2``): :class:`ComplexRules` reads the schema (:meth:`ComplexRules.compile`) when a
round brings a triple of its vocabulary, and re-evaluates a family of rules over the whole
closure only in a round whose new triples can match one of its premises (a predicate or an
``rdf:type`` class the family watches). A graph without this vocabulary never pays for it.

The constants ``"0"`` and ``"1"`` of ``xsd:nonNegativeInteger`` in the cardinality rules match
any literal of that data value (``dt-eq`` and ``eq-rep-o`` would give the restriction that very
literal). RDF lists are read as the rule tables read ``LIST[x, e1, ..., en]``: every path of
``rdf:rest`` from the head to ``rdf:nil`` without a repeated node, any ``rdf:first`` of each node
(:func:`list_positions`, :func:`list_instances`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import product
from typing import TYPE_CHECKING

from imtkg.reasoning.rl_vocabulary import (
    AVF,
    FIRST,
    FUNCTIONAL,
    HAS_KEY,
    HAS_VALUE,
    INTERSECTION,
    INV_FUNCTIONAL,
    MAX_CARD,
    MAX_QCARD,
    NIL,
    ON_CLASS,
    ON_PROPERTY,
    ONE_OF,
    REST,
    SAME,
    SCO,
    SPO,
    SVF,
    THING,
    TYPE,
    UNION,
)

if TYPE_CHECKING:
    from imtkg.reasoning.rl_reasoner import IntTriple, TripleIndex

#: at most this many instantiations of one list are read (a list whose nodes have several
#: ``rdf:first`` multiplies them)
LIST_LIMIT = 4096

#: predicates whose triples change the compiled schema
SCHEMA_PREDICATES = frozenset(
    {
        SVF,
        AVF,
        HAS_VALUE,
        ON_PROPERTY,
        ON_CLASS,
        MAX_CARD,
        MAX_QCARD,
        INTERSECTION,
        UNION,
        ONE_OF,
        HAS_KEY,
        FIRST,
        REST,
    }
)
#: classes whose ``rdf:type`` triples change the compiled schema
SCHEMA_CLASSES = frozenset({FUNCTIONAL, INV_FUNCTIONAL})


def list_paths(index: TripleIndex, head: int) -> list[list[int]]:
    """Return the node paths of the RDF list at ``head``: each path of ``rdf:rest`` links to
    ``rdf:nil`` without a repeated node, every node having an ``rdf:first``."""
    found: list[list[int]] = []
    stack: list[tuple[int, list[int]]] = [(head, [])]
    while stack and len(found) < LIST_LIMIT:
        node, path = stack.pop()
        if node == NIL:
            found.append(path)
            continue
        if node in path or not index.objects(node, FIRST):
            continue
        for rest in index.objects(node, REST):
            stack.append((rest, [*path, node]))
    return found


def list_positions(index: TripleIndex, head: int) -> list[list[set[int]]]:
    """Return, for each path of the list at ``head``, the members at each position."""
    return [[set(index.objects(n, FIRST)) for n in path] for path in list_paths(index, head)]


def list_instances(index: TripleIndex, head: int) -> list[tuple[int, ...]]:
    """Return every sequence of members ``LIST[head, e1, ..., en]`` matches."""
    found: list[tuple[int, ...]] = []
    for positions in list_positions(index, head):
        for members in product(*(sorted(p) for p in positions)):
            found.append(members)
            if len(found) >= LIST_LIMIT:
                return found
    return found


def _pairs(items) -> Iterator[tuple[int, int]]:
    """Yield the ordered pairs of distinct items."""
    for a in items:
        for b in items:
            if a != b:
                yield a, b


class ComplexRules:
    """The compiled schema of the rules that join through restrictions, lists and keys.

    :param index: the closure's index (read, never written).
    :param rank: the closure's triples (to test membership).
    """

    FAMILIES = ("fp", "ifp", "svf", "avf", "hv", "max", "int", "uni", "key", "scm")

    def __init__(self, index: TripleIndex, rank: dict, number: Callable[[int, int], bool]) -> None:
        self.index = index
        self.rank = rank
        #: tells whether a term is a literal whose data value is a given integer
        self.number = number
        self.compiled = False
        self.svf: list[tuple[int, int, int]] = []
        self.avf: list[tuple[int, int, int]] = []
        self.hv: list[tuple[int, int, int]] = []
        self.maxc1: list[tuple[int, int]] = []
        self.maxqc1: list[tuple[int, int, int]] = []
        self.intersections: list[tuple[int, list[list[set[int]]]]] = []
        self.unions: list[tuple[int, set[int]]] = []
        self.one_of: list[tuple[int, set[int]]] = []
        self.keys: list[tuple[int, tuple[int, ...]]] = []
        self.functional: set[int] = set()
        self.inverse_functional: set[int] = set()
        self.by_predicate: dict[int, set[str]] = {}
        self.by_class: dict[int, set[str]] = {}

    # -- reading the schema ----------------------------------------------------------------

    def compile(self) -> Iterator[IntTriple]:
        """Read the schema from the index; yield what the schema alone concludes
        (``cls-oo``, ``scm-int``, ``scm-uni``)."""
        f = self.index
        self.compiled = True
        self.svf, self.avf, self.hv, self.maxc1, self.maxqc1 = [], [], [], [], []
        for x, props in f.ps.get(ON_PROPERTY, {}).items():
            for p in props:
                self.svf += [(x, p, y) for y in f.objects(x, SVF)]
                self.avf += [(x, p, y) for y in f.objects(x, AVF)]
                self.hv += [(x, p, v) for v in f.objects(x, HAS_VALUE)]
                if any(self.number(n, 1) for n in f.objects(x, MAX_CARD)):
                    self.maxc1.append((x, p))
                if any(self.number(n, 1) for n in f.objects(x, MAX_QCARD)):
                    self.maxqc1 += [(x, p, c) for c in f.objects(x, ON_CLASS)]
        self.intersections = [(c, list_positions(f, head)) for c, head in f.pairs(INTERSECTION)]
        self.unions = [
            (c, {m for path in list_positions(f, head) for ms in path for m in ms})
            for c, head in f.pairs(UNION)
        ]
        self.one_of = [
            (c, {m for path in list_positions(f, head) for ms in path for m in ms})
            for c, head in f.pairs(ONE_OF)
        ]
        self.keys = [
            (c, props) for c, head in f.pairs(HAS_KEY) for props in list_instances(f, head)
        ]
        self.functional = set(f.subjects(TYPE, FUNCTIONAL))
        self.inverse_functional = set(f.subjects(TYPE, INV_FUNCTIONAL))
        self._triggers()
        for c, members in self.one_of:
            for m in members:
                yield (m, TYPE, c)  # cls-oo
        for c, paths in self.intersections:
            for path in paths:
                for members in path:
                    for m in members:
                        yield (c, SCO, m)  # scm-int
        for c, members in self.unions:
            for m in members:
                yield (m, SCO, c)  # scm-uni

    def _triggers(self) -> None:
        """Work out which predicates and classes each family watches."""
        by_p: dict[int, set[str]] = {}
        by_c: dict[int, set[str]] = {}

        def watch(table: dict[int, set[str]], term: int, family: str) -> None:
            table.setdefault(term, set()).add(family)

        for p in self.functional:
            watch(by_p, p, "fp")
        for p in self.inverse_functional:
            watch(by_p, p, "ifp")
        for _, p, y in self.svf:
            watch(by_p, p, "svf")
            watch(by_c, y, "svf")
        for x, p, _ in self.avf:
            watch(by_p, p, "avf")
            watch(by_c, x, "avf")
        for x, p, _ in self.hv:
            watch(by_p, p, "hv")
            watch(by_c, x, "hv")
        for x, p in self.maxc1:
            watch(by_p, p, "max")
            watch(by_c, x, "max")
        for x, p, c in self.maxqc1:
            watch(by_p, p, "max")
            watch(by_c, x, "max")
            watch(by_c, c, "max")
        for c, paths in self.intersections:
            watch(by_c, c, "int")
            for path in paths:
                for members in path:
                    for m in members:
                        watch(by_c, m, "int")
        for _, members in self.unions:
            for m in members:
                watch(by_c, m, "uni")
        for c, props in self.keys:
            watch(by_c, c, "key")
            for p in props:
                watch(by_p, p, "key")
        if self.svf or self.avf or self.hv:
            watch(by_p, SCO, "scm")
            watch(by_p, SPO, "scm")
        self.by_predicate, self.by_class = by_p, by_c

    def dirty(self, delta) -> set[str]:
        """Return the families whose premises some triple of ``delta`` can match."""
        by_p, by_c = self.by_predicate, self.by_class
        found: set[str] = set()
        if not by_p and not by_c:
            return found
        for _, p, o in delta:
            families = by_p.get(p)
            if families:
                found |= families
            if p == TYPE:
                families = by_c.get(o)
                if families:
                    found |= families
        return found

    # -- the rules -------------------------------------------------------------------------

    def fire(self, families: set[str]) -> Iterator[IntTriple]:
        """Yield the conclusions of the given families over the whole closure."""
        for family in self.FAMILIES:
            if family in families:
                yield from getattr(self, f"_{family}")()

    def _fp(self) -> Iterator[IntTriple]:
        for p in self.functional:  # prp-fp
            for objects in self.index.ps.get(p, {}).values():
                if len(objects) > 1:
                    for y1, y2 in _pairs(objects):
                        yield (y1, SAME, y2)

    def _ifp(self) -> Iterator[IntTriple]:
        for p in self.inverse_functional:  # prp-ifp
            for subjects in self.index.po.get(p, {}).values():
                if len(subjects) > 1:
                    for x1, x2 in _pairs(subjects):
                        yield (x1, SAME, x2)

    def _svf(self) -> Iterator[IntTriple]:
        f = self.index
        for x, p, y in self.svf:
            if y == THING:  # cls-svf2
                for u in f.ps.get(p, {}):
                    yield (u, TYPE, x)
            for v in f.subjects(TYPE, y):  # cls-svf1
                for u in f.subjects(p, v):
                    yield (u, TYPE, x)

    def _avf(self) -> Iterator[IntTriple]:
        f = self.index
        for x, p, y in self.avf:  # cls-avf
            for u in f.subjects(TYPE, x):
                for v in f.objects(u, p):
                    yield (v, TYPE, y)

    def _hv(self) -> Iterator[IntTriple]:
        f = self.index
        for x, p, v in self.hv:
            for u in f.subjects(TYPE, x):
                yield (u, p, v)  # cls-hv1
            for u in f.subjects(p, v):
                yield (u, TYPE, x)  # cls-hv2

    def _max(self) -> Iterator[IntTriple]:
        f, rank = self.index, self.rank
        for x, p in self.maxc1:  # cls-maxc2
            for u in f.subjects(TYPE, x):
                yield from ((a, SAME, b) for a, b in _pairs(f.objects(u, p)))
        for x, p, c in self.maxqc1:  # cls-maxqc3, cls-maxqc4 (onClass owl:Thing)
            for u in f.subjects(TYPE, x):
                values = f.objects(u, p)
                if c != THING:
                    values = {y for y in values if (y, TYPE, c) in rank}
                yield from ((a, SAME, b) for a, b in _pairs(values))

    def _int(self) -> Iterator[IntTriple]:
        f = self.index
        for c, paths in self.intersections:
            for u in f.subjects(TYPE, c):  # cls-int2
                for path in paths:
                    for members in path:
                        for m in members:
                            yield (u, TYPE, m)
            for path in paths:  # cls-int1
                if not path:
                    continue
                candidates: set[int] | None = None
                for members in path:
                    here = {u for m in members for u in f.subjects(TYPE, m)}
                    candidates = here if candidates is None else candidates & here
                    if not candidates:
                        break
                for u in candidates or ():
                    yield (u, TYPE, c)

    def _uni(self) -> Iterator[IntTriple]:
        f = self.index
        for c, members in self.unions:  # cls-uni
            for m in members:
                for u in f.subjects(TYPE, m):
                    yield (u, TYPE, c)

    def _key(self) -> Iterator[IntTriple]:
        f = self.index
        for c, props in self.keys:  # prp-key
            groups: dict[tuple[int, ...], set[int]] = {}
            for x in f.subjects(TYPE, c):
                values = [sorted(f.objects(x, p)) for p in props]
                for combination in product(*values):
                    groups.setdefault(combination, set()).add(x)
            for members in groups.values():
                yield from ((a, SAME, b) for a, b in _pairs(members))

    def _scm(self) -> Iterator[IntTriple]:
        rank = self.rank
        for table, svf in ((self.svf, True), (self.avf, False)):
            for c1, p1, y1 in table:
                for c2, p2, y2 in table:
                    if p1 == p2 and (y1, SCO, y2) in rank:  # scm-svf1, scm-avf1
                        yield (c1, SCO, c2)
                    if y1 == y2 and (p1, SPO, p2) in rank:
                        # scm-svf2: c1 sco c2; scm-avf2: c2 sco c1
                        yield (c1, SCO, c2) if svf else (c2, SCO, c1)
        for c1, p1, v1 in self.hv:  # scm-hv
            for c2, p2, v2 in self.hv:
                if v1 == v2 and (p1, SPO, p2) in rank:
                    yield (c1, SCO, c2)


__all__ = [
    "LIST_LIMIT",
    "SCHEMA_CLASSES",
    "SCHEMA_PREDICATES",
    "ComplexRules",
    "list_instances",
    "list_paths",
    "list_positions",
]
