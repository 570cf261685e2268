"""A plain transcription of the OWL 2 RL/RDF rules (W3C OWL 2 Profiles, section 4.3, Tables 4-9).

Slow and obviously correct on purpose: the graph is a set of (generalised) triples, every rule is
one function named after the spec's rule, written as a direct pattern match over the whole set,
and :func:`oracle_closure` applies them all, round after round, until a round adds nothing. Each
rule quotes the spec's premises and conclusion in its docstring. The ``false`` rules (clashes)
are checked once, on the fixpoint, by :func:`oracle_clashes`.

The definitions this file fixes (the engine under test must use the same):

* the closure holds the asserted triples and every conclusion, generalised triples included
  (a literal may be a subject, e.g. of ``owl:sameAs`` from eq-ref);
* the rules without premises are applied in full: eq-ref to every term of every triple, scm-cls,
  scm-op and scm-dp, cls-thing, cls-nothing1, prp-ap for the nine built-in annotation
  properties, dt-type1 for every datatype of OWL 2 RL; dt-type2, dt-eq and dt-diff for every
  literal that occurs in the closure (the spec says "for all literals", which is infinite);
* ``LIST[?x, ?e1, ..., ?en]`` matches every chain ``?x rdf:first ?e1; rdf:rest ?x2 ...
  rdf:rest rdf:nil`` present in the graph, with n >= 1 and no list node met twice (a cyclic
  list would otherwise stand for lists of every length);
* the constants ``"0"^^xsd:nonNegativeInteger`` and ``"1"^^xsd:nonNegativeInteger`` of
  cls-maxc* and cls-maxqc* match any literal with that data value (``"0"^^xsd:integer`` too):
  under the spec's unrestricted dt-eq and eq-rep-o the restriction would carry that very
  literal, so this is what the rule tables entail;
* dt-not-type fires for ``T(lt, rdf:type, dt)`` when ``dt`` is a datatype of OWL 2 RL and
  ``lt`` is a literal of the map that is ill-typed (it has no data value) or whose value is
  outside ``dt``'s value space; literals of other datatypes (xsd:date, rdf:langString, …) are
  never checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from tests.owl2rl.datatypes import RL_DATATYPES, in_value_space, is_supported, value_of

Triple = tuple[Node, Node, Node]
Rule = Callable[["Graph"], Iterator[Triple]]
Clash = Callable[["Graph"], Iterator[tuple[Node, ...]]]

TYPE = RDF.type
SAME = OWL.sameAs

#: the built-in annotation properties of OWL 2 (Structural Specification, section 5.5)
ANNOTATION_PROPERTIES = (
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


class Graph:
    """A set of triples with the three indexes that pattern matching needs; nothing more."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.triples: set[Triple] = set()
        self._by_s: dict[Node, set[Triple]] = defaultdict(set)
        self._by_p: dict[Node, set[Triple]] = defaultdict(set)
        self._by_o: dict[Node, set[Triple]] = defaultdict(set)
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> None:
        """Add one triple to the set and its indexes."""
        if triple not in self.triples:
            self.triples.add(triple)
            self._by_s[triple[0]].add(triple)
            self._by_p[triple[1]].add(triple)
            self._by_o[triple[2]].add(triple)

    def match(self, s: Node | None, p: Node | None, o: Node | None) -> list[Triple]:
        """Every triple matching the pattern (None is a variable)."""
        candidates = [
            index[term]
            for index, term in ((self._by_s, s), (self._by_p, p), (self._by_o, o))
            if term is not None
        ]
        pool = min(candidates, key=len) if candidates else self.triples
        return [
            t
            for t in pool
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o)
        ]

    def objects(self, s: Node | None, p: Node) -> list[Node]:
        """The objects of the triples ``(s, p, ?)``."""
        return [t[2] for t in self.match(s, p, None)]

    def subjects(self, p: Node, o: Node | None) -> list[Node]:
        """The subjects of the triples ``(?, p, o)``."""
        return [t[0] for t in self.match(None, p, o)]

    def pairs(self, p: Node) -> list[tuple[Node, Node]]:
        """The (subject, object) pairs of the triples with predicate ``p``."""
        return [(t[0], t[2]) for t in self.match(None, p, None)]

    def has(self, s: Node, p: Node, o: Node) -> bool:
        """True when the triple is in the set."""
        return (s, p, o) in self.triples

    def terms(self) -> set[Node]:
        """Every term of every triple."""
        return {term for triple in self.triples for term in triple}

    def literals(self) -> set[Literal]:
        """Every literal of every triple."""
        return {term for term in self.terms() if isinstance(term, Literal)}

    def lists(self, head: Node) -> list[tuple[Node, ...]]:
        """Every ``LIST[head, e1, ..., en]`` of the graph (n >= 1, no list node twice)."""
        found: list[tuple[Node, ...]] = []

        def walk(node: Node, members: tuple[Node, ...], seen: frozenset[Node]) -> None:
            for first in self.objects(node, RDF.first):
                for rest in self.objects(node, RDF.rest):
                    if rest == RDF.nil:
                        found.append((*members, first))
                    elif rest not in seen:
                        walk(rest, (*members, first), seen | {rest})

        walk(head, (), frozenset({head}))
        return found


def _has_number(term: Node, number: int) -> bool:
    """True when ``term`` is a literal whose data value is the integer ``number``."""
    if not isinstance(term, Literal) or not is_supported(term):
        return False
    return value_of(term) == ("number", Fraction(number))


# == Table 4. The Semantics of Equality ===========================================================


def rule_eq_ref(g: Graph) -> Iterator[Triple]:
    """eq-ref: ``T(?s, ?p, ?o)`` => ``T(?s, owl:sameAs, ?s) T(?p, owl:sameAs, ?p)
    T(?o, owl:sameAs, ?o)``."""
    for s, p, o in list(g.triples):
        yield (s, SAME, s)
        yield (p, SAME, p)
        yield (o, SAME, o)


def rule_eq_sym(g: Graph) -> Iterator[Triple]:
    """eq-sym: ``T(?x, owl:sameAs, ?y)`` => ``T(?y, owl:sameAs, ?x)``."""
    for x, y in g.pairs(SAME):
        yield (y, SAME, x)


def rule_eq_trans(g: Graph) -> Iterator[Triple]:
    """eq-trans: ``T(?x, owl:sameAs, ?y) T(?y, owl:sameAs, ?z)`` => ``T(?x, owl:sameAs, ?z)``."""
    for x, y in g.pairs(SAME):
        for z in g.objects(y, SAME):
            yield (x, SAME, z)


def rule_eq_rep_s(g: Graph) -> Iterator[Triple]:
    """eq-rep-s: ``T(?s, owl:sameAs, ?s') T(?s, ?p, ?o)`` => ``T(?s', ?p, ?o)``."""
    for s, s2 in g.pairs(SAME):
        for _, p, o in g.match(s, None, None):
            yield (s2, p, o)


def rule_eq_rep_p(g: Graph) -> Iterator[Triple]:
    """eq-rep-p: ``T(?p, owl:sameAs, ?p') T(?s, ?p, ?o)`` => ``T(?s, ?p', ?o)``."""
    for p, p2 in g.pairs(SAME):
        for s, _, o in g.match(None, p, None):
            yield (s, p2, o)


def rule_eq_rep_o(g: Graph) -> Iterator[Triple]:
    """eq-rep-o: ``T(?o, owl:sameAs, ?o') T(?s, ?p, ?o)`` => ``T(?s, ?p, ?o')``."""
    for o, o2 in g.pairs(SAME):
        for s, p, _ in g.match(None, None, o):
            yield (s, p, o2)


def rule_eq_diff1(g: Graph) -> Iterator[tuple[Node, ...]]:
    """eq-diff1: ``T(?x, owl:sameAs, ?y) T(?x, owl:differentFrom, ?y)`` => false."""
    for x, y in g.pairs(SAME):
        if g.has(x, OWL.differentFrom, y):
            yield (x, y)


def _all_different(g: Graph, members: Node) -> Iterator[tuple[Node, ...]]:
    for x in g.subjects(TYPE, OWL.AllDifferent):
        for y in g.objects(x, members):
            for zs in g.lists(y):
                for i in range(len(zs)):
                    for j in range(i + 1, len(zs)):
                        if g.has(zs[i], SAME, zs[j]):
                            yield (x, zs[i], zs[j])


def rule_eq_diff2(g: Graph) -> Iterator[tuple[Node, ...]]:
    """eq-diff2: ``T(?x, rdf:type, owl:AllDifferent) T(?x, owl:members, ?y)
    LIST[?y, ?z1, ..., ?zn] T(?zi, owl:sameAs, ?zj)`` => false, for each 1 <= i < j <= n."""
    return _all_different(g, OWL.members)


def rule_eq_diff3(g: Graph) -> Iterator[tuple[Node, ...]]:
    """eq-diff3: ``T(?x, rdf:type, owl:AllDifferent) T(?x, owl:distinctMembers, ?y)
    LIST[?y, ?z1, ..., ?zn] T(?zi, owl:sameAs, ?zj)`` => false, for each 1 <= i < j <= n."""
    return _all_different(g, OWL.distinctMembers)


# == Table 5. The Semantics of Axioms about Properties ============================================


def rule_prp_ap(g: Graph) -> Iterator[Triple]:
    """prp-ap: (no premise) => ``T(ap, rdf:type, owl:AnnotationProperty)`` for each built-in
    annotation property of OWL 2 RL."""
    for ap in ANNOTATION_PROPERTIES:
        yield (ap, TYPE, OWL.AnnotationProperty)


def rule_prp_dom(g: Graph) -> Iterator[Triple]:
    """prp-dom: ``T(?p, rdfs:domain, ?c) T(?x, ?p, ?y)`` => ``T(?x, rdf:type, ?c)``."""
    for p, c in g.pairs(RDFS.domain):
        for x, _, _ in g.match(None, p, None):
            yield (x, TYPE, c)


def rule_prp_rng(g: Graph) -> Iterator[Triple]:
    """prp-rng: ``T(?p, rdfs:range, ?c) T(?x, ?p, ?y)`` => ``T(?y, rdf:type, ?c)``."""
    for p, c in g.pairs(RDFS.range):
        for _, _, y in g.match(None, p, None):
            yield (y, TYPE, c)


def rule_prp_fp(g: Graph) -> Iterator[Triple]:
    """prp-fp: ``T(?p, rdf:type, owl:FunctionalProperty) T(?x, ?p, ?y1) T(?x, ?p, ?y2)`` =>
    ``T(?y1, owl:sameAs, ?y2)``."""
    for p in g.subjects(TYPE, OWL.FunctionalProperty):
        for x, _, y1 in g.match(None, p, None):
            for y2 in g.objects(x, p):
                yield (y1, SAME, y2)


def rule_prp_ifp(g: Graph) -> Iterator[Triple]:
    """prp-ifp: ``T(?p, rdf:type, owl:InverseFunctionalProperty) T(?x1, ?p, ?y) T(?x2, ?p, ?y)``
    => ``T(?x1, owl:sameAs, ?x2)``."""
    for p in g.subjects(TYPE, OWL.InverseFunctionalProperty):
        for x1, _, y in g.match(None, p, None):
            for x2 in g.subjects(p, y):
                yield (x1, SAME, x2)


def rule_prp_irp(g: Graph) -> Iterator[tuple[Node, ...]]:
    """prp-irp: ``T(?p, rdf:type, owl:IrreflexiveProperty) T(?x, ?p, ?x)`` => false."""
    for p in g.subjects(TYPE, OWL.IrreflexiveProperty):
        for x, _, y in g.match(None, p, None):
            if x == y:
                yield (p, x)


def rule_prp_symp(g: Graph) -> Iterator[Triple]:
    """prp-symp: ``T(?p, rdf:type, owl:SymmetricProperty) T(?x, ?p, ?y)`` => ``T(?y, ?p, ?x)``."""
    for p in g.subjects(TYPE, OWL.SymmetricProperty):
        for x, _, y in g.match(None, p, None):
            yield (y, p, x)


def rule_prp_asyp(g: Graph) -> Iterator[tuple[Node, ...]]:
    """prp-asyp: ``T(?p, rdf:type, owl:AsymmetricProperty) T(?x, ?p, ?y) T(?y, ?p, ?x)`` =>
    false."""
    for p in g.subjects(TYPE, OWL.AsymmetricProperty):
        for x, _, y in g.match(None, p, None):
            if g.has(y, p, x):
                yield (p, x, y)


def rule_prp_trp(g: Graph) -> Iterator[Triple]:
    """prp-trp: ``T(?p, rdf:type, owl:TransitiveProperty) T(?x, ?p, ?y) T(?y, ?p, ?z)`` =>
    ``T(?x, ?p, ?z)``."""
    for p in g.subjects(TYPE, OWL.TransitiveProperty):
        for x, _, y in g.match(None, p, None):
            for z in g.objects(y, p):
                yield (x, p, z)


def rule_prp_spo1(g: Graph) -> Iterator[Triple]:
    """prp-spo1: ``T(?p1, rdfs:subPropertyOf, ?p2) T(?x, ?p1, ?y)`` => ``T(?x, ?p2, ?y)``."""
    for p1, p2 in g.pairs(RDFS.subPropertyOf):
        for x, _, y in g.match(None, p1, None):
            yield (x, p2, y)


def rule_prp_spo2(g: Graph) -> Iterator[Triple]:
    """prp-spo2: ``T(?p, owl:propertyChainAxiom, ?x) LIST[?x, ?p1, ..., ?pn] T(?u1, ?p1, ?u2)
    T(?u2, ?p2, ?u3) ... T(?un, ?pn, ?un+1)`` => ``T(?u1, ?p, ?un+1)``."""
    for p, x in g.pairs(OWL.propertyChainAxiom):
        for chain in g.lists(x):
            for u1, _, u2 in g.match(None, chain[0], None):
                ends = {u2}
                for step in chain[1:]:
                    ends = {v for u in ends for v in g.objects(u, step)}
                for end in ends:
                    yield (u1, p, end)


def rule_prp_eqp1(g: Graph) -> Iterator[Triple]:
    """prp-eqp1: ``T(?p1, owl:equivalentProperty, ?p2) T(?x, ?p1, ?y)`` => ``T(?x, ?p2, ?y)``."""
    for p1, p2 in g.pairs(OWL.equivalentProperty):
        for x, _, y in g.match(None, p1, None):
            yield (x, p2, y)


def rule_prp_eqp2(g: Graph) -> Iterator[Triple]:
    """prp-eqp2: ``T(?p1, owl:equivalentProperty, ?p2) T(?x, ?p2, ?y)`` => ``T(?x, ?p1, ?y)``."""
    for p1, p2 in g.pairs(OWL.equivalentProperty):
        for x, _, y in g.match(None, p2, None):
            yield (x, p1, y)


def rule_prp_pdw(g: Graph) -> Iterator[tuple[Node, ...]]:
    """prp-pdw: ``T(?p1, owl:propertyDisjointWith, ?p2) T(?x, ?p1, ?y) T(?x, ?p2, ?y)`` =>
    false."""
    for p1, p2 in g.pairs(OWL.propertyDisjointWith):
        for x, _, y in g.match(None, p1, None):
            if g.has(x, p2, y):
                yield (p1, p2, x, y)


def rule_prp_adp(g: Graph) -> Iterator[tuple[Node, ...]]:
    """prp-adp: ``T(?x, rdf:type, owl:AllDisjointProperties) T(?x, owl:members, ?y)
    LIST[?y, ?p1, ..., ?pn] T(?u, ?pi, ?v) T(?u, ?pj, ?v)`` => false, for each 1 <= i < j <= n."""
    for x in g.subjects(TYPE, OWL.AllDisjointProperties):
        for y in g.objects(x, OWL.members):
            for ps in g.lists(y):
                for i in range(len(ps)):
                    for j in range(i + 1, len(ps)):
                        for u, _, v in g.match(None, ps[i], None):
                            if g.has(u, ps[j], v):
                                yield (x, ps[i], ps[j], u, v)


def rule_prp_inv1(g: Graph) -> Iterator[Triple]:
    """prp-inv1: ``T(?p1, owl:inverseOf, ?p2) T(?x, ?p1, ?y)`` => ``T(?y, ?p2, ?x)``."""
    for p1, p2 in g.pairs(OWL.inverseOf):
        for x, _, y in g.match(None, p1, None):
            yield (y, p2, x)


def rule_prp_inv2(g: Graph) -> Iterator[Triple]:
    """prp-inv2: ``T(?p1, owl:inverseOf, ?p2) T(?x, ?p2, ?y)`` => ``T(?y, ?p1, ?x)``."""
    for p1, p2 in g.pairs(OWL.inverseOf):
        for x, _, y in g.match(None, p2, None):
            yield (y, p1, x)


def rule_prp_key(g: Graph) -> Iterator[Triple]:
    """prp-key: ``T(?c, owl:hasKey, ?u) LIST[?u, ?p1, ..., ?pn] T(?x, rdf:type, ?c)
    T(?x, ?p1, ?z1) ... T(?x, ?pn, ?zn) T(?y, rdf:type, ?c) T(?y, ?p1, ?z1) ...
    T(?y, ?pn, ?zn)`` => ``T(?x, owl:sameAs, ?y)``."""
    for c, u in g.pairs(OWL.hasKey):
        for keys in g.lists(u):
            instances = g.subjects(TYPE, c)
            for x in instances:
                for y in instances:
                    if all(set(g.objects(x, p)) & set(g.objects(y, p)) for p in keys):
                        yield (x, SAME, y)


def rule_prp_npa1(g: Graph) -> Iterator[tuple[Node, ...]]:
    """prp-npa1: ``T(?x, owl:sourceIndividual, ?i1) T(?x, owl:assertionProperty, ?p)
    T(?x, owl:targetIndividual, ?i2) T(?i1, ?p, ?i2)`` => false."""
    for x, i1 in g.pairs(OWL.sourceIndividual):
        for p in g.objects(x, OWL.assertionProperty):
            for i2 in g.objects(x, OWL.targetIndividual):
                if g.has(i1, p, i2):
                    yield (x, i1, p, i2)


def rule_prp_npa2(g: Graph) -> Iterator[tuple[Node, ...]]:
    """prp-npa2: ``T(?x, owl:sourceIndividual, ?i) T(?x, owl:assertionProperty, ?p)
    T(?x, owl:targetValue, ?lt) T(?i, ?p, ?lt)`` => false."""
    for x, i in g.pairs(OWL.sourceIndividual):
        for p in g.objects(x, OWL.assertionProperty):
            for lt in g.objects(x, OWL.targetValue):
                if g.has(i, p, lt):
                    yield (x, i, p, lt)


# == Table 6. The Semantics of Classes ============================================================


def rule_cls_thing(g: Graph) -> Iterator[Triple]:
    """cls-thing: (no premise) => ``T(owl:Thing, rdf:type, owl:Class)``."""
    yield (OWL.Thing, TYPE, OWL.Class)


def rule_cls_nothing1(g: Graph) -> Iterator[Triple]:
    """cls-nothing1: (no premise) => ``T(owl:Nothing, rdf:type, owl:Class)``."""
    yield (OWL.Nothing, TYPE, OWL.Class)


def rule_cls_nothing2(g: Graph) -> Iterator[tuple[Node, ...]]:
    """cls-nothing2: ``T(?x, rdf:type, owl:Nothing)`` => false."""
    for x in g.subjects(TYPE, OWL.Nothing):
        yield (x,)


def rule_cls_int1(g: Graph) -> Iterator[Triple]:
    """cls-int1: ``T(?c, owl:intersectionOf, ?x) LIST[?x, ?c1, ..., ?cn] T(?y, rdf:type, ?c1)
    T(?y, rdf:type, ?c2) ... T(?y, rdf:type, ?cn)`` => ``T(?y, rdf:type, ?c)``."""
    for c, x in g.pairs(OWL.intersectionOf):
        for cs in g.lists(x):
            for y in g.subjects(TYPE, cs[0]):
                if all(g.has(y, TYPE, ci) for ci in cs):
                    yield (y, TYPE, c)


def rule_cls_int2(g: Graph) -> Iterator[Triple]:
    """cls-int2: ``T(?c, owl:intersectionOf, ?x) LIST[?x, ?c1, ..., ?cn] T(?y, rdf:type, ?c)``
    => ``T(?y, rdf:type, ?c1) T(?y, rdf:type, ?c2) ... T(?y, rdf:type, ?cn)``."""
    for c, x in g.pairs(OWL.intersectionOf):
        for cs in g.lists(x):
            for y in g.subjects(TYPE, c):
                for ci in cs:
                    yield (y, TYPE, ci)


def rule_cls_uni(g: Graph) -> Iterator[Triple]:
    """cls-uni: ``T(?c, owl:unionOf, ?x) LIST[?x, ?c1, ..., ?cn] T(?y, rdf:type, ?ci)`` =>
    ``T(?y, rdf:type, ?c)``, for each 1 <= i <= n."""
    for c, x in g.pairs(OWL.unionOf):
        for cs in g.lists(x):
            for ci in cs:
                for y in g.subjects(TYPE, ci):
                    yield (y, TYPE, c)


def rule_cls_com(g: Graph) -> Iterator[tuple[Node, ...]]:
    """cls-com: ``T(?c1, owl:complementOf, ?c2) T(?x, rdf:type, ?c1) T(?x, rdf:type, ?c2)`` =>
    false."""
    for c1, c2 in g.pairs(OWL.complementOf):
        for x in g.subjects(TYPE, c1):
            if g.has(x, TYPE, c2):
                yield (c1, c2, x)


def rule_cls_svf1(g: Graph) -> Iterator[Triple]:
    """cls-svf1: ``T(?x, owl:someValuesFrom, ?y) T(?x, owl:onProperty, ?p) T(?u, ?p, ?v)
    T(?v, rdf:type, ?y)`` => ``T(?u, rdf:type, ?x)``."""
    for x, y in g.pairs(OWL.someValuesFrom):
        for p in g.objects(x, OWL.onProperty):
            for u, _, v in g.match(None, p, None):
                if g.has(v, TYPE, y):
                    yield (u, TYPE, x)


def rule_cls_svf2(g: Graph) -> Iterator[Triple]:
    """cls-svf2: ``T(?x, owl:someValuesFrom, owl:Thing) T(?x, owl:onProperty, ?p) T(?u, ?p, ?v)``
    => ``T(?u, rdf:type, ?x)``."""
    for x in g.subjects(OWL.someValuesFrom, OWL.Thing):
        for p in g.objects(x, OWL.onProperty):
            for u, _, _ in g.match(None, p, None):
                yield (u, TYPE, x)


def rule_cls_avf(g: Graph) -> Iterator[Triple]:
    """cls-avf: ``T(?x, owl:allValuesFrom, ?y) T(?x, owl:onProperty, ?p) T(?u, rdf:type, ?x)
    T(?u, ?p, ?v)`` => ``T(?v, rdf:type, ?y)``."""
    for x, y in g.pairs(OWL.allValuesFrom):
        for p in g.objects(x, OWL.onProperty):
            for u in g.subjects(TYPE, x):
                for v in g.objects(u, p):
                    yield (v, TYPE, y)


def rule_cls_hv1(g: Graph) -> Iterator[Triple]:
    """cls-hv1: ``T(?x, owl:hasValue, ?y) T(?x, owl:onProperty, ?p) T(?u, rdf:type, ?x)`` =>
    ``T(?u, ?p, ?y)``."""
    for x, y in g.pairs(OWL.hasValue):
        for p in g.objects(x, OWL.onProperty):
            for u in g.subjects(TYPE, x):
                yield (u, p, y)


def rule_cls_hv2(g: Graph) -> Iterator[Triple]:
    """cls-hv2: ``T(?x, owl:hasValue, ?y) T(?x, owl:onProperty, ?p) T(?u, ?p, ?y)`` =>
    ``T(?u, rdf:type, ?x)``."""
    for x, y in g.pairs(OWL.hasValue):
        for p in g.objects(x, OWL.onProperty):
            for u in g.subjects(p, y):
                yield (u, TYPE, x)


def _cardinality(g: Graph, predicate: URIRef, number: int) -> list[Node]:
    """The restrictions ``?x`` with ``T(?x, predicate, "number"^^xsd:nonNegativeInteger)``."""
    return [x for x, n in g.pairs(predicate) if _has_number(n, number)]


def rule_cls_maxc1(g: Graph) -> Iterator[tuple[Node, ...]]:
    """cls-maxc1: ``T(?x, owl:maxCardinality, "0"^^xsd:nonNegativeInteger)
    T(?x, owl:onProperty, ?p) T(?u, rdf:type, ?x) T(?u, ?p, ?y)`` => false."""
    for x in _cardinality(g, OWL.maxCardinality, 0):
        for p in g.objects(x, OWL.onProperty):
            for u in g.subjects(TYPE, x):
                for y in g.objects(u, p):
                    yield (x, u, y)


def rule_cls_maxc2(g: Graph) -> Iterator[Triple]:
    """cls-maxc2: ``T(?x, owl:maxCardinality, "1"^^xsd:nonNegativeInteger)
    T(?x, owl:onProperty, ?p) T(?u, rdf:type, ?x) T(?u, ?p, ?y1) T(?u, ?p, ?y2)`` =>
    ``T(?y1, owl:sameAs, ?y2)``."""
    for x in _cardinality(g, OWL.maxCardinality, 1):
        for p in g.objects(x, OWL.onProperty):
            for u in g.subjects(TYPE, x):
                for y1 in g.objects(u, p):
                    for y2 in g.objects(u, p):
                        yield (y1, SAME, y2)


def rule_cls_maxqc1(g: Graph) -> Iterator[tuple[Node, ...]]:
    """cls-maxqc1: ``T(?x, owl:maxQualifiedCardinality, "0"^^xsd:nonNegativeInteger)
    T(?x, owl:onProperty, ?p) T(?x, owl:onClass, ?c) T(?u, rdf:type, ?x) T(?u, ?p, ?y)
    T(?y, rdf:type, ?c)`` => false."""
    for x in _cardinality(g, OWL.maxQualifiedCardinality, 0):
        for p in g.objects(x, OWL.onProperty):
            for c in g.objects(x, OWL.onClass):
                for u in g.subjects(TYPE, x):
                    for y in g.objects(u, p):
                        if g.has(y, TYPE, c):
                            yield (x, u, y)


def rule_cls_maxqc2(g: Graph) -> Iterator[tuple[Node, ...]]:
    """cls-maxqc2: ``T(?x, owl:maxQualifiedCardinality, "0"^^xsd:nonNegativeInteger)
    T(?x, owl:onProperty, ?p) T(?x, owl:onClass, owl:Thing) T(?u, rdf:type, ?x)
    T(?u, ?p, ?y)`` => false."""
    for x in _cardinality(g, OWL.maxQualifiedCardinality, 0):
        if not g.has(x, OWL.onClass, OWL.Thing):
            continue
        for p in g.objects(x, OWL.onProperty):
            for u in g.subjects(TYPE, x):
                for y in g.objects(u, p):
                    yield (x, u, y)


def rule_cls_maxqc3(g: Graph) -> Iterator[Triple]:
    """cls-maxqc3: ``T(?x, owl:maxQualifiedCardinality, "1"^^xsd:nonNegativeInteger)
    T(?x, owl:onProperty, ?p) T(?x, owl:onClass, ?c) T(?u, rdf:type, ?x) T(?u, ?p, ?y1)
    T(?y1, rdf:type, ?c) T(?u, ?p, ?y2) T(?y2, rdf:type, ?c)`` => ``T(?y1, owl:sameAs, ?y2)``."""
    for x in _cardinality(g, OWL.maxQualifiedCardinality, 1):
        for p in g.objects(x, OWL.onProperty):
            for c in g.objects(x, OWL.onClass):
                for u in g.subjects(TYPE, x):
                    values = [y for y in g.objects(u, p) if g.has(y, TYPE, c)]
                    for y1 in values:
                        for y2 in values:
                            yield (y1, SAME, y2)


def rule_cls_maxqc4(g: Graph) -> Iterator[Triple]:
    """cls-maxqc4: ``T(?x, owl:maxQualifiedCardinality, "1"^^xsd:nonNegativeInteger)
    T(?x, owl:onProperty, ?p) T(?x, owl:onClass, owl:Thing) T(?u, rdf:type, ?x)
    T(?u, ?p, ?y1) T(?u, ?p, ?y2)`` => ``T(?y1, owl:sameAs, ?y2)``."""
    for x in _cardinality(g, OWL.maxQualifiedCardinality, 1):
        if not g.has(x, OWL.onClass, OWL.Thing):
            continue
        for p in g.objects(x, OWL.onProperty):
            for u in g.subjects(TYPE, x):
                for y1 in g.objects(u, p):
                    for y2 in g.objects(u, p):
                        yield (y1, SAME, y2)


def rule_cls_oo(g: Graph) -> Iterator[Triple]:
    """cls-oo: ``T(?c, owl:oneOf, ?x) LIST[?x, ?y1, ..., ?yn]`` => ``T(?y1, rdf:type, ?c) ...
    T(?yn, rdf:type, ?c)``."""
    for c, x in g.pairs(OWL.oneOf):
        for ys in g.lists(x):
            for y in ys:
                yield (y, TYPE, c)


# == Table 7. The Semantics of Class Axioms =======================================================


def rule_cax_sco(g: Graph) -> Iterator[Triple]:
    """cax-sco: ``T(?c1, rdfs:subClassOf, ?c2) T(?x, rdf:type, ?c1)`` =>
    ``T(?x, rdf:type, ?c2)``."""
    for c1, c2 in g.pairs(RDFS.subClassOf):
        for x in g.subjects(TYPE, c1):
            yield (x, TYPE, c2)


def rule_cax_eqc1(g: Graph) -> Iterator[Triple]:
    """cax-eqc1: ``T(?c1, owl:equivalentClass, ?c2) T(?x, rdf:type, ?c1)`` =>
    ``T(?x, rdf:type, ?c2)``."""
    for c1, c2 in g.pairs(OWL.equivalentClass):
        for x in g.subjects(TYPE, c1):
            yield (x, TYPE, c2)


def rule_cax_eqc2(g: Graph) -> Iterator[Triple]:
    """cax-eqc2: ``T(?c1, owl:equivalentClass, ?c2) T(?x, rdf:type, ?c2)`` =>
    ``T(?x, rdf:type, ?c1)``."""
    for c1, c2 in g.pairs(OWL.equivalentClass):
        for x in g.subjects(TYPE, c2):
            yield (x, TYPE, c1)


def rule_cax_dw(g: Graph) -> Iterator[tuple[Node, ...]]:
    """cax-dw: ``T(?c1, owl:disjointWith, ?c2) T(?x, rdf:type, ?c1) T(?x, rdf:type, ?c2)`` =>
    false."""
    for c1, c2 in g.pairs(OWL.disjointWith):
        for x in g.subjects(TYPE, c1):
            if g.has(x, TYPE, c2):
                yield (c1, c2, x)


def rule_cax_adc(g: Graph) -> Iterator[tuple[Node, ...]]:
    """cax-adc: ``T(?x, rdf:type, owl:AllDisjointClasses) T(?x, owl:members, ?y)
    LIST[?y, ?c1, ..., ?cn] T(?z, rdf:type, ?ci) T(?z, rdf:type, ?cj)`` => false, for each
    1 <= i < j <= n."""
    for x in g.subjects(TYPE, OWL.AllDisjointClasses):
        for y in g.objects(x, OWL.members):
            for cs in g.lists(y):
                for i in range(len(cs)):
                    for j in range(i + 1, len(cs)):
                        for z in g.subjects(TYPE, cs[i]):
                            if g.has(z, TYPE, cs[j]):
                                yield (x, cs[i], cs[j], z)


# == Table 8. The Semantics of Datatypes ==========================================================


def _typed_literals(g: Graph) -> Iterator[tuple[Literal, object]]:
    """Every literal of the graph whose datatype is in the map, with its data value (or None)."""
    for lt in g.literals():
        if is_supported(lt):
            yield lt, value_of(lt)


def rule_dt_type1(g: Graph) -> Iterator[Triple]:
    """dt-type1: (no premise) => ``T(dt, rdf:type, rdfs:Datatype)`` for each datatype ``dt``
    supported in OWL 2 RL."""
    for dt in RL_DATATYPES:
        yield (dt, TYPE, RDFS.Datatype)


def rule_dt_type2(g: Graph) -> Iterator[Triple]:
    """dt-type2: (no premise) => ``T(lt, rdf:type, dt)`` for each literal ``lt`` and each
    datatype ``dt`` supported in OWL 2 RL such that the data value of ``lt`` is contained in the
    value space of ``dt``."""
    for lt, value in _typed_literals(g):
        if value is not None:
            for dt in RL_DATATYPES:
                if in_value_space(value, dt):  # type: ignore[arg-type]
                    yield (lt, TYPE, dt)


def rule_dt_eq(g: Graph) -> Iterator[Triple]:
    """dt-eq: (no premise) => ``T(lt1, owl:sameAs, lt2)`` for all literals ``lt1`` and ``lt2``
    with the same data value."""
    literals = [(lt, value) for lt, value in _typed_literals(g) if value is not None]
    for lt1, value1 in literals:
        for lt2, value2 in literals:
            if value1 == value2:
                yield (lt1, SAME, lt2)


def rule_dt_diff(g: Graph) -> Iterator[Triple]:
    """dt-diff: (no premise) => ``T(lt1, owl:differentFrom, lt2)`` for all literals ``lt1`` and
    ``lt2`` with different data values."""
    literals = [(lt, value) for lt, value in _typed_literals(g) if value is not None]
    for lt1, value1 in literals:
        for lt2, value2 in literals:
            if value1 != value2:
                yield (lt1, OWL.differentFrom, lt2)


def rule_dt_not_type(g: Graph) -> Iterator[tuple[Node, ...]]:
    """dt-not-type: ``T(lt, rdf:type, dt)`` => false, for each literal ``lt`` and each datatype
    ``dt`` supported in OWL 2 RL such that the data value of ``lt`` is not contained in the
    value space of ``dt`` (an ill-typed literal has no data value, so it is in none)."""
    for lt, value in _typed_literals(g):
        for dt in g.objects(lt, TYPE):
            if dt in RL_DATATYPES and (value is None or not in_value_space(value, dt)):  # type: ignore[arg-type]
                yield (lt, dt)


# == Table 9. The Semantics of Schema Vocabulary ==================================================


def rule_scm_cls(g: Graph) -> Iterator[Triple]:
    """scm-cls: ``T(?c, rdf:type, owl:Class)`` => ``T(?c, rdfs:subClassOf, ?c)
    T(?c, owl:equivalentClass, ?c) T(?c, rdfs:subClassOf, owl:Thing)
    T(owl:Nothing, rdfs:subClassOf, ?c)``."""
    for c in g.subjects(TYPE, OWL.Class):
        yield (c, RDFS.subClassOf, c)
        yield (c, OWL.equivalentClass, c)
        yield (c, RDFS.subClassOf, OWL.Thing)
        yield (OWL.Nothing, RDFS.subClassOf, c)


def rule_scm_sco(g: Graph) -> Iterator[Triple]:
    """scm-sco: ``T(?c1, rdfs:subClassOf, ?c2) T(?c2, rdfs:subClassOf, ?c3)`` =>
    ``T(?c1, rdfs:subClassOf, ?c3)``."""
    for c1, c2 in g.pairs(RDFS.subClassOf):
        for c3 in g.objects(c2, RDFS.subClassOf):
            yield (c1, RDFS.subClassOf, c3)


def rule_scm_eqc1(g: Graph) -> Iterator[Triple]:
    """scm-eqc1: ``T(?c1, owl:equivalentClass, ?c2)`` => ``T(?c1, rdfs:subClassOf, ?c2)
    T(?c2, rdfs:subClassOf, ?c1)``."""
    for c1, c2 in g.pairs(OWL.equivalentClass):
        yield (c1, RDFS.subClassOf, c2)
        yield (c2, RDFS.subClassOf, c1)


def rule_scm_eqc2(g: Graph) -> Iterator[Triple]:
    """scm-eqc2: ``T(?c1, rdfs:subClassOf, ?c2) T(?c2, rdfs:subClassOf, ?c1)`` =>
    ``T(?c1, owl:equivalentClass, ?c2)``."""
    for c1, c2 in g.pairs(RDFS.subClassOf):
        if g.has(c2, RDFS.subClassOf, c1):
            yield (c1, OWL.equivalentClass, c2)


def rule_scm_op(g: Graph) -> Iterator[Triple]:
    """scm-op: ``T(?p, rdf:type, owl:ObjectProperty)`` => ``T(?p, rdfs:subPropertyOf, ?p)
    T(?p, owl:equivalentProperty, ?p)``."""
    for p in g.subjects(TYPE, OWL.ObjectProperty):
        yield (p, RDFS.subPropertyOf, p)
        yield (p, OWL.equivalentProperty, p)


def rule_scm_dp(g: Graph) -> Iterator[Triple]:
    """scm-dp: ``T(?p, rdf:type, owl:DatatypeProperty)`` => ``T(?p, rdfs:subPropertyOf, ?p)
    T(?p, owl:equivalentProperty, ?p)``."""
    for p in g.subjects(TYPE, OWL.DatatypeProperty):
        yield (p, RDFS.subPropertyOf, p)
        yield (p, OWL.equivalentProperty, p)


def rule_scm_spo(g: Graph) -> Iterator[Triple]:
    """scm-spo: ``T(?p1, rdfs:subPropertyOf, ?p2) T(?p2, rdfs:subPropertyOf, ?p3)`` =>
    ``T(?p1, rdfs:subPropertyOf, ?p3)``."""
    for p1, p2 in g.pairs(RDFS.subPropertyOf):
        for p3 in g.objects(p2, RDFS.subPropertyOf):
            yield (p1, RDFS.subPropertyOf, p3)


def rule_scm_eqp1(g: Graph) -> Iterator[Triple]:
    """scm-eqp1: ``T(?p1, owl:equivalentProperty, ?p2)`` => ``T(?p1, rdfs:subPropertyOf, ?p2)
    T(?p2, rdfs:subPropertyOf, ?p1)``."""
    for p1, p2 in g.pairs(OWL.equivalentProperty):
        yield (p1, RDFS.subPropertyOf, p2)
        yield (p2, RDFS.subPropertyOf, p1)


def rule_scm_eqp2(g: Graph) -> Iterator[Triple]:
    """scm-eqp2: ``T(?p1, rdfs:subPropertyOf, ?p2) T(?p2, rdfs:subPropertyOf, ?p1)`` =>
    ``T(?p1, owl:equivalentProperty, ?p2)``."""
    for p1, p2 in g.pairs(RDFS.subPropertyOf):
        if g.has(p2, RDFS.subPropertyOf, p1):
            yield (p1, OWL.equivalentProperty, p2)


def rule_scm_dom1(g: Graph) -> Iterator[Triple]:
    """scm-dom1: ``T(?p, rdfs:domain, ?c1) T(?c1, rdfs:subClassOf, ?c2)`` =>
    ``T(?p, rdfs:domain, ?c2)``."""
    for p, c1 in g.pairs(RDFS.domain):
        for c2 in g.objects(c1, RDFS.subClassOf):
            yield (p, RDFS.domain, c2)


def rule_scm_dom2(g: Graph) -> Iterator[Triple]:
    """scm-dom2: ``T(?p2, rdfs:domain, ?c) T(?p1, rdfs:subPropertyOf, ?p2)`` =>
    ``T(?p1, rdfs:domain, ?c)``."""
    for p2, c in g.pairs(RDFS.domain):
        for p1 in g.subjects(RDFS.subPropertyOf, p2):
            yield (p1, RDFS.domain, c)


def rule_scm_rng1(g: Graph) -> Iterator[Triple]:
    """scm-rng1: ``T(?p, rdfs:range, ?c1) T(?c1, rdfs:subClassOf, ?c2)`` =>
    ``T(?p, rdfs:range, ?c2)``."""
    for p, c1 in g.pairs(RDFS.range):
        for c2 in g.objects(c1, RDFS.subClassOf):
            yield (p, RDFS.range, c2)


def rule_scm_rng2(g: Graph) -> Iterator[Triple]:
    """scm-rng2: ``T(?p2, rdfs:range, ?c) T(?p1, rdfs:subPropertyOf, ?p2)`` =>
    ``T(?p1, rdfs:range, ?c)``."""
    for p2, c in g.pairs(RDFS.range):
        for p1 in g.subjects(RDFS.subPropertyOf, p2):
            yield (p1, RDFS.range, c)


def rule_scm_hv(g: Graph) -> Iterator[Triple]:
    """scm-hv: ``T(?c1, owl:hasValue, ?i) T(?c1, owl:onProperty, ?p1) T(?c2, owl:hasValue, ?i)
    T(?c2, owl:onProperty, ?p2) T(?p1, rdfs:subPropertyOf, ?p2)`` =>
    ``T(?c1, rdfs:subClassOf, ?c2)``."""
    for c1, i in g.pairs(OWL.hasValue):
        for p1 in g.objects(c1, OWL.onProperty):
            for c2 in g.subjects(OWL.hasValue, i):
                for p2 in g.objects(c2, OWL.onProperty):
                    if g.has(p1, RDFS.subPropertyOf, p2):
                        yield (c1, RDFS.subClassOf, c2)


def rule_scm_svf1(g: Graph) -> Iterator[Triple]:
    """scm-svf1: ``T(?c1, owl:someValuesFrom, ?y1) T(?c1, owl:onProperty, ?p)
    T(?c2, owl:someValuesFrom, ?y2) T(?c2, owl:onProperty, ?p) T(?y1, rdfs:subClassOf, ?y2)``
    => ``T(?c1, rdfs:subClassOf, ?c2)``."""
    for c1, y1 in g.pairs(OWL.someValuesFrom):
        for p in g.objects(c1, OWL.onProperty):
            for c2, y2 in g.pairs(OWL.someValuesFrom):
                if g.has(c2, OWL.onProperty, p) and g.has(y1, RDFS.subClassOf, y2):
                    yield (c1, RDFS.subClassOf, c2)


def rule_scm_svf2(g: Graph) -> Iterator[Triple]:
    """scm-svf2: ``T(?c1, owl:someValuesFrom, ?y) T(?c1, owl:onProperty, ?p1)
    T(?c2, owl:someValuesFrom, ?y) T(?c2, owl:onProperty, ?p2) T(?p1, rdfs:subPropertyOf, ?p2)``
    => ``T(?c1, rdfs:subClassOf, ?c2)``."""
    for c1, y in g.pairs(OWL.someValuesFrom):
        for p1 in g.objects(c1, OWL.onProperty):
            for c2 in g.subjects(OWL.someValuesFrom, y):
                for p2 in g.objects(c2, OWL.onProperty):
                    if g.has(p1, RDFS.subPropertyOf, p2):
                        yield (c1, RDFS.subClassOf, c2)


def rule_scm_avf1(g: Graph) -> Iterator[Triple]:
    """scm-avf1: ``T(?c1, owl:allValuesFrom, ?y1) T(?c1, owl:onProperty, ?p)
    T(?c2, owl:allValuesFrom, ?y2) T(?c2, owl:onProperty, ?p) T(?y1, rdfs:subClassOf, ?y2)``
    => ``T(?c1, rdfs:subClassOf, ?c2)``."""
    for c1, y1 in g.pairs(OWL.allValuesFrom):
        for p in g.objects(c1, OWL.onProperty):
            for c2, y2 in g.pairs(OWL.allValuesFrom):
                if g.has(c2, OWL.onProperty, p) and g.has(y1, RDFS.subClassOf, y2):
                    yield (c1, RDFS.subClassOf, c2)


def rule_scm_avf2(g: Graph) -> Iterator[Triple]:
    """scm-avf2: ``T(?c1, owl:allValuesFrom, ?y) T(?c1, owl:onProperty, ?p1)
    T(?c2, owl:allValuesFrom, ?y) T(?c2, owl:onProperty, ?p2) T(?p1, rdfs:subPropertyOf, ?p2)``
    => ``T(?c2, rdfs:subClassOf, ?c1)``."""
    for c1, y in g.pairs(OWL.allValuesFrom):
        for p1 in g.objects(c1, OWL.onProperty):
            for c2 in g.subjects(OWL.allValuesFrom, y):
                for p2 in g.objects(c2, OWL.onProperty):
                    if g.has(p1, RDFS.subPropertyOf, p2):
                        yield (c2, RDFS.subClassOf, c1)


def rule_scm_int(g: Graph) -> Iterator[Triple]:
    """scm-int: ``T(?c, owl:intersectionOf, ?x) LIST[?x, ?c1, ..., ?cn]`` =>
    ``T(?c, rdfs:subClassOf, ?c1) ... T(?c, rdfs:subClassOf, ?cn)``."""
    for c, x in g.pairs(OWL.intersectionOf):
        for cs in g.lists(x):
            for ci in cs:
                yield (c, RDFS.subClassOf, ci)


def rule_scm_uni(g: Graph) -> Iterator[Triple]:
    """scm-uni: ``T(?c, owl:unionOf, ?x) LIST[?x, ?c1, ..., ?cn]`` =>
    ``T(?c1, rdfs:subClassOf, ?c) ... T(?cn, rdfs:subClassOf, ?c)``."""
    for c, x in g.pairs(OWL.unionOf):
        for cs in g.lists(x):
            for ci in cs:
                yield (ci, RDFS.subClassOf, c)


# == the rule set and its fixpoint ================================================================

#: every rule that concludes triples, in table order (Tables 4 to 9)
DERIVATION_RULES: dict[str, Rule] = {
    "eq-ref": rule_eq_ref,
    "eq-sym": rule_eq_sym,
    "eq-trans": rule_eq_trans,
    "eq-rep-s": rule_eq_rep_s,
    "eq-rep-p": rule_eq_rep_p,
    "eq-rep-o": rule_eq_rep_o,
    "prp-ap": rule_prp_ap,
    "prp-dom": rule_prp_dom,
    "prp-rng": rule_prp_rng,
    "prp-fp": rule_prp_fp,
    "prp-ifp": rule_prp_ifp,
    "prp-symp": rule_prp_symp,
    "prp-trp": rule_prp_trp,
    "prp-spo1": rule_prp_spo1,
    "prp-spo2": rule_prp_spo2,
    "prp-eqp1": rule_prp_eqp1,
    "prp-eqp2": rule_prp_eqp2,
    "prp-inv1": rule_prp_inv1,
    "prp-inv2": rule_prp_inv2,
    "prp-key": rule_prp_key,
    "cls-thing": rule_cls_thing,
    "cls-nothing1": rule_cls_nothing1,
    "cls-int1": rule_cls_int1,
    "cls-int2": rule_cls_int2,
    "cls-uni": rule_cls_uni,
    "cls-svf1": rule_cls_svf1,
    "cls-svf2": rule_cls_svf2,
    "cls-avf": rule_cls_avf,
    "cls-hv1": rule_cls_hv1,
    "cls-hv2": rule_cls_hv2,
    "cls-maxc2": rule_cls_maxc2,
    "cls-maxqc3": rule_cls_maxqc3,
    "cls-maxqc4": rule_cls_maxqc4,
    "cls-oo": rule_cls_oo,
    "cax-sco": rule_cax_sco,
    "cax-eqc1": rule_cax_eqc1,
    "cax-eqc2": rule_cax_eqc2,
    "dt-type1": rule_dt_type1,
    "dt-type2": rule_dt_type2,
    "dt-eq": rule_dt_eq,
    "dt-diff": rule_dt_diff,
    "scm-cls": rule_scm_cls,
    "scm-sco": rule_scm_sco,
    "scm-eqc1": rule_scm_eqc1,
    "scm-eqc2": rule_scm_eqc2,
    "scm-op": rule_scm_op,
    "scm-dp": rule_scm_dp,
    "scm-spo": rule_scm_spo,
    "scm-eqp1": rule_scm_eqp1,
    "scm-eqp2": rule_scm_eqp2,
    "scm-dom1": rule_scm_dom1,
    "scm-dom2": rule_scm_dom2,
    "scm-rng1": rule_scm_rng1,
    "scm-rng2": rule_scm_rng2,
    "scm-hv": rule_scm_hv,
    "scm-svf1": rule_scm_svf1,
    "scm-svf2": rule_scm_svf2,
    "scm-avf1": rule_scm_avf1,
    "scm-avf2": rule_scm_avf2,
    "scm-int": rule_scm_int,
    "scm-uni": rule_scm_uni,
}

#: every rule whose conclusion is ``false``, in table order
CLASH_RULES: dict[str, Clash] = {
    "eq-diff1": rule_eq_diff1,
    "eq-diff2": rule_eq_diff2,
    "eq-diff3": rule_eq_diff3,
    "prp-irp": rule_prp_irp,
    "prp-asyp": rule_prp_asyp,
    "prp-pdw": rule_prp_pdw,
    "prp-adp": rule_prp_adp,
    "prp-npa1": rule_prp_npa1,
    "prp-npa2": rule_prp_npa2,
    "cls-nothing2": rule_cls_nothing2,
    "cls-com": rule_cls_com,
    "cls-maxc1": rule_cls_maxc1,
    "cls-maxqc1": rule_cls_maxqc1,
    "cls-maxqc2": rule_cls_maxqc2,
    "cax-dw": rule_cax_dw,
    "cax-adc": rule_cax_adc,
    "dt-not-type": rule_dt_not_type,
}


class ClosureTooLarge(Exception):
    """The closure passed the size limit given to :func:`fixpoint` (a blow-up, e.g. a sameAs
    clique over every term: the naive oracle would take minutes)."""


def fixpoint(
    triples: Iterable[Triple], origin: dict[Triple, str] | None = None, limit: int | None = None
) -> Graph:
    """Apply every derivation rule to the whole graph, round after round, until nothing is new.

    :param origin: when given, filled with each derived triple and the first rule deriving it
    :param limit: when given, raise :class:`ClosureTooLarge` as soon as the closure would hold
        more triples than this
    """
    g = Graph(triples)
    while True:
        new: dict[Triple, str] = {}
        for name, rule in DERIVATION_RULES.items():
            for triple in rule(g):
                if triple not in g.triples and triple not in new:
                    new[triple] = name
                    if limit is not None and len(g.triples) + len(new) > limit:
                        raise ClosureTooLarge(f"more than {limit} triples")
        if not new:
            return g
        for triple, name in new.items():
            g.add(triple)
            if origin is not None:
                origin[triple] = name


def oracle_closure(triples: Iterable[Triple]) -> set[Triple]:
    """The OWL 2 RL closure of ``triples``: the asserted triples and every conclusion."""
    return set(fixpoint(triples).triples)


def clashes_of(g: Graph) -> set[str]:
    """The names of the ``false`` rules that fire on the graph ``g`` (a fixpoint)."""
    return {name for name, rule in CLASH_RULES.items() if next(iter(rule(g)), None) is not None}


def oracle_clashes(triples: Iterable[Triple]) -> set[str]:
    """The names of the ``false`` rules that fire on the closure of ``triples``."""
    return clashes_of(fixpoint(triples))
