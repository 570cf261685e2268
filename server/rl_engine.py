"""A fast forward-chaining engine for the OWL 2 RL rules the IMT ontology uses.

owlrl (the reference) re-applies every rule to every triple of the graph until nothing changes,
which takes seconds on the shipped graph. This engine applies the same rules semi-naively: each
round only joins the triples derived in the previous round (the *delta*) with what is known, in
hashed indexes. It implements the rules of the OWL 2 RL profile (W3C, OWL 2 Profiles, section
4.3) that the ontology's vocabulary triggers:

* properties: ``prp-dom``, ``prp-rng``, ``prp-symp``, ``prp-trp``, ``prp-spo1``, ``prp-spo2``
  (property chains of any length), ``prp-eqp1/2``, ``prp-inv1/2``;
* classes: ``cax-sco``, ``cax-eqc1/2``;
* schema: ``scm-sco``, ``scm-eqc1/2``, ``scm-spo``, ``scm-eqp1/2``, ``scm-dom1/2``, ``scm-rng1/2``;
* inconsistencies (checked on the fixpoint): ``cax-dw``, ``cax-adc``, ``cls-nothing2`` and
  ``dt-not-type`` (ill-typed literals, with owlrl's own lexical checks).

It leaves out the rules that only produce tautologies (``eq-ref``, ``scm-cls``, ``scm-op``,
``scm-dp``, ``cls-thing``, ``prp-ap``, the datatype typing rules): their conclusions are what
:mod:`imtkg.reasoning` filters out as noise anyway. When the input uses OWL vocabulary outside
this rule set (``owl:sameAs``, restrictions, functional properties...),
:func:`unsupported_constructs` names it and the caller falls back to owlrl.

Each derived triple records the round that first derived it (its *rank*; asserted triples have
rank 0). A triple of rank *k* has a derivation whose premises all have a lower rank, so
:meth:`RLClosure.derivations` can rebuild a shortest, cycle-free derivation tree backwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.XsdDatatypes import OWL_RL_Datatypes
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

TYPE = RDF.type
SCO = RDFS.subClassOf
SPO = RDFS.subPropertyOf
DOMAIN = RDFS.domain
RANGE = RDFS.range
EQC = OWL.equivalentClass
EQP = OWL.equivalentProperty
INV = OWL.inverseOf
CHAIN = OWL.propertyChainAxiom
SYMMETRIC = OWL.SymmetricProperty
TRANSITIVE = OWL.TransitiveProperty

#: OWL 2 RL rule name -> what it says, in words; the order is the order of preference between
#: equally short derivations (classification by subclass first, then sub-properties...)
RULES: dict[str, str] = {
    "cax-sco": "an instance of a class is an instance of its superclasses",
    "cax-eqc1": "an instance of a class is an instance of its equivalent classes",
    "cax-eqc2": "an instance of a class is an instance of its equivalent classes",
    "prp-spo1": "a sub-property implies its super-property",
    "prp-spo2": "a property chain implies the property it defines",
    "prp-trp": "a transitive property chains: x p y and y p z give x p z",
    "prp-inv1": "an inverse property holds in the opposite direction",
    "prp-inv2": "an inverse property holds in the opposite direction",
    "prp-symp": "a symmetric property holds in both directions",
    "prp-eqp1": "equivalent properties imply each other",
    "prp-eqp2": "equivalent properties imply each other",
    "prp-dom": "the domain of a property types the subjects of the property",
    "prp-rng": "the range of a property types the objects of the property",
    "scm-sco": "the subclass relation is transitive",
    "scm-eqc1": "equivalent classes are subclasses of each other",
    "scm-eqc2": "classes that are subclasses of each other are equivalent",
    "scm-spo": "the sub-property relation is transitive",
    "scm-eqp1": "equivalent properties are sub-properties of each other",
    "scm-eqp2": "properties that are sub-properties of each other are equivalent",
    "scm-dom1": "a property's domain extends to the superclasses of the domain",
    "scm-dom2": "a sub-property inherits the domain of its super-property",
    "scm-rng1": "a property's range extends to the superclasses of the range",
    "scm-rng2": "a sub-property inherits the range of its super-property",
    "cax-dw": "no individual is an instance of two disjoint classes",
    "cax-adc": "no individual is an instance of two classes of an owl:AllDisjointClasses",
    "cls-nothing2": "no individual is an instance of owl:Nothing",
    "dt-not-type": "a literal's lexical form must be valid for its datatype",
}
_RULE_ORDER = {name: i for i, name in enumerate(RULES)}

#: predicates whose triples are ontology axioms rather than facts (shown as axioms in derivations)
AXIOM_PREDICATES = frozenset({SCO, SPO, DOMAIN, RANGE, EQC, EQP, INV, CHAIN, OWL.disjointWith})

#: OWL 2 RL vocabulary the engine does not implement: predicates...
UNSUPPORTED_PREDICATES = frozenset(
    {
        OWL.sameAs,
        OWL.differentFrom,
        OWL.hasKey,
        OWL.intersectionOf,
        OWL.unionOf,
        OWL.complementOf,
        OWL.oneOf,
        OWL.someValuesFrom,
        OWL.allValuesFrom,
        OWL.hasValue,
        OWL.maxCardinality,
        OWL.maxQualifiedCardinality,
        OWL.propertyDisjointWith,
        OWL.sourceIndividual,
        OWL.distinctMembers,
    }
)
#: ... and classes (as the object of rdf:type, rdfs:subClassOf or owl:equivalentClass)
UNSUPPORTED_CLASSES = frozenset(
    {
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.IrreflexiveProperty,
        OWL.AsymmetricProperty,
        OWL.AllDisjointProperties,
        OWL.AllDifferent,
        OWL.NegativePropertyAssertion,
        OWL.Restriction,
    }
)

#: namespaces of the built-in vocabularies
BUILTIN_NAMESPACES = (
    str(RDF),
    str(RDFS),
    str(OWL),
    "http://www.w3.org/2001/XMLSchema#",
)

_EMPTY: frozenset = frozenset()


def is_builtin(term: Node) -> bool:
    """Tell whether ``term`` is an IRI of RDF, RDFS, OWL or XSD."""
    return isinstance(term, URIRef) and str(term).startswith(BUILTIN_NAMESPACES)


def unsupported_constructs(triples: Iterable[Triple]) -> list[str]:
    """Return why the engine cannot compute the OWL RL closure of ``triples`` (empty: it can).

    The reasons name OWL vocabulary outside the implemented rules, and class axioms about the
    built-in classes (``owl:Thing rdfs:subClassOf ...``), whose consequences owlrl's axiomatic
    rules (every class is a subclass of ``owl:Thing``...) would spread.
    """
    reasons: set[str] = set()
    for s, p, o in triples:
        if p in UNSUPPORTED_PREDICATES and not (p == OWL.sameAs and s == o):
            reasons.add(f"uses {p}")
        elif p in (TYPE, SCO, EQC) and o in UNSUPPORTED_CLASSES:
            reasons.add(f"uses {o}")
        elif p in (SCO, EQC) and (is_builtin(s) or (p == EQC and is_builtin(o))):
            reasons.add(f"states a class axiom about a built-in class ({s} {p} {o})")
        elif p == SCO and o == OWL.Nothing:
            reasons.add(f"makes {s} a subclass of owl:Nothing")
    return sorted(reasons)


class TripleIndex:
    """Triples indexed by predicate then subject, and by predicate then object."""

    def __init__(self) -> None:
        self.ps: dict[Node, dict[Node, set[Node]]] = {}
        self.po: dict[Node, dict[Node, set[Node]]] = {}

    def add(self, triple: Triple) -> None:
        """Index ``triple`` (the caller makes sure it is new)."""
        s, p, o = triple
        by_s = self.ps.get(p)
        if by_s is None:
            by_s = self.ps[p] = {}
            self.po[p] = {}
        objects = by_s.get(s)
        if objects is None:
            objects = by_s[s] = set()
        objects.add(o)
        by_o = self.po[p]
        subjects = by_o.get(o)
        if subjects is None:
            subjects = by_o[o] = set()
        subjects.add(s)

    def objects(self, s: Node, p: Node) -> set[Node] | frozenset:
        """Return the objects of ``s p ?o``."""
        by_s = self.ps.get(p)
        return by_s.get(s, _EMPTY) if by_s is not None else _EMPTY

    def subjects(self, p: Node, o: Node) -> set[Node] | frozenset:
        """Return the subjects of ``?s p o``."""
        by_o = self.po.get(p)
        return by_o.get(o, _EMPTY) if by_o is not None else _EMPTY

    def pairs(self, p: Node) -> Iterator[tuple[Node, Node]]:
        """Yield the (subject, object) pairs of ``p`` (not while adding triples)."""
        for s, objects in self.ps.get(p, {}).items():
            for o in objects:
                yield s, o


@dataclass(frozen=True)
class Derivation:
    """One application of a rule that concludes a triple.

    :param rule: the OWL 2 RL rule name (a key of :data:`RULES`).
    :param axioms: the ontology axioms it uses (for ``prp-spo2``, the ``owl:propertyChainAxiom``
        triple, whose object is the head of the RDF list of the chain).
    :param premises: the facts it uses.
    """

    rule: str
    axioms: tuple[Triple, ...]
    premises: tuple[Triple, ...]

    def all_premises(self) -> tuple[Triple, ...]:
        """Return the axioms and the premises."""
        return self.axioms + self.premises


@dataclass(frozen=True)
class RLViolation:
    """An inconsistency the rules detect: the rule, the offending triples, what they mean."""

    rule: str
    triples: tuple[Triple, ...]
    subject: Node
    classes: tuple[Node, ...] = ()
    datatype: Node | None = None


def rdf_list(index: TripleIndex, head: Node) -> list[Node] | None:
    """Return the members of the RDF list at ``head``; ``None`` when it is malformed or cyclic."""
    items: list[Node] = []
    seen: set[Node] = set()
    node = head
    while node != RDF.nil:
        if node in seen:
            return None
        seen.add(node)
        first, rest = index.objects(node, RDF.first), index.objects(node, RDF.rest)
        if len(first) != 1 or len(rest) != 1:
            return None
        items.append(next(iter(first)))
        node = next(iter(rest))
    return items


class RLClosure:
    """The OWL 2 RL closure of a set of triples under the engine's rules.

    :param asserted: the input triples (ontology and data).

    After :meth:`run`, :attr:`rank` maps every triple of the closure to the round that first
    derived it (0 for the asserted ones).
    """

    def __init__(self, asserted: Iterable[Triple]) -> None:
        self.index = TripleIndex()
        self.rank: dict[Triple, int] = {}
        for triple in asserted:
            if triple not in self.rank:
                self.rank[triple] = 0
                self.index.add(triple)
        #: property -> its chains (tuples of properties), with the list head of each
        self.chains: dict[Node, dict[tuple[Node, ...], Node]] = {}
        #: property -> (defined property, chain, position) for each chain it occurs in
        self._chain_steps: dict[Node, list[tuple[Node, tuple[Node, ...], int]]] = {}
        self.rounds = 0

    # -- forward chaining ------------------------------------------------------------------

    def run(self) -> RLClosure:
        """Compute the fixpoint; return ``self``."""
        delta: Iterable[Triple] = list(self.rank)
        while True:
            new: set[Triple] = set()
            rank = self.rank
            if self._refresh_chains(delta, new):
                new.difference_update(rank)
            for triple in delta:
                for conclusion in self._consequences(triple):
                    if conclusion not in rank:
                        new.add(conclusion)
            if not new:
                return self
            self.rounds += 1
            for triple in new:
                rank[triple] = self.rounds
                self.index.add(triple)
            delta = new

    def _refresh_chains(self, delta: Iterable[Triple], new: set[Triple]) -> bool:
        """Re-read the property chains when ``delta`` touches them; fire the new chains in full."""
        if not any(p in (CHAIN, RDF.first, RDF.rest) for _, p, _ in delta):
            return False
        for prop, heads in list(self.index.ps.get(CHAIN, {}).items()):
            for head in heads:
                chain = rdf_list(self.index, head)
                if not chain or tuple(chain) in self.chains.get(prop, {}):
                    continue
                chain = tuple(chain)
                self.chains.setdefault(prop, {})[chain] = head
                for position, step in enumerate(chain):
                    self._chain_steps.setdefault(step, []).append((prop, chain, position))
                for x, y in self.index.pairs(chain[0]):
                    for z in self._chain_ends(chain, 1, y):
                        new.add((x, prop, z))
        return True

    def _chain_starts(self, chain: tuple[Node, ...], position: int, node: Node) -> set[Node]:
        """Return the nodes from which ``chain[:position]`` leads to ``node``."""
        nodes = {node}
        for step in reversed(chain[:position]):
            nodes = {x for n in nodes for x in self.index.subjects(step, n)}
            if not nodes:
                break
        return nodes

    def _chain_ends(self, chain: tuple[Node, ...], position: int, node: Node) -> set[Node]:
        """Return the nodes ``chain[position:]`` leads to from ``node``."""
        nodes = {node}
        for step in chain[position:]:
            nodes = {z for n in nodes for z in self.index.objects(n, step)}
            if not nodes:
                break
        return nodes

    def _consequences(self, triple: Triple) -> Iterator[Triple]:
        """Yield the conclusions of every rule instance with ``triple`` as one of its premises."""
        s, p, o = triple
        f = self.index
        # ``triple`` as a fact about property p
        for c in f.objects(p, DOMAIN):
            yield (s, TYPE, c)  # prp-dom
        for c in f.objects(p, RANGE):
            yield (o, TYPE, c)  # prp-rng
        for q in f.objects(p, SPO):
            yield (s, q, o)  # prp-spo1
        for q in f.objects(p, EQP):
            yield (s, q, o)  # prp-eqp1
        for q in f.subjects(EQP, p):
            yield (s, q, o)  # prp-eqp2
        for q in f.objects(p, INV):
            yield (o, q, s)  # prp-inv1
        for q in f.subjects(INV, p):
            yield (o, q, s)  # prp-inv2
        characteristics = f.objects(p, TYPE)
        if characteristics:
            if SYMMETRIC in characteristics:
                yield (o, p, s)  # prp-symp
            if TRANSITIVE in characteristics:  # prp-trp, as left and as right premise
                for z in f.objects(o, p):
                    yield (s, p, z)
                for x in f.subjects(p, s):
                    yield (x, p, o)
        for prop, chain, position in self._chain_steps.get(p, ()):  # prp-spo2
            ends = self._chain_ends(chain, position + 1, o)
            if ends:
                for x in self._chain_starts(chain, position, s):
                    for z in ends:
                        yield (x, prop, z)
        if p == TYPE:
            yield from self._type_consequences(s, o)
        elif p in AXIOM_PREDICATES:
            yield from self._axiom_consequences(s, p, o)

    def _type_consequences(self, x: Node, c: Node) -> Iterator[Triple]:
        """Conclusions of ``x rdf:type c``: as an instance, or as a property characteristic."""
        f = self.index
        for c2 in f.objects(c, SCO):
            yield (x, TYPE, c2)  # cax-sco
        for c2 in f.objects(c, EQC):
            yield (x, TYPE, c2)  # cax-eqc1
        for c2 in f.subjects(EQC, c):
            yield (x, TYPE, c2)  # cax-eqc2
        if c == SYMMETRIC:
            for a, b in f.pairs(x):
                yield (b, x, a)  # prp-symp
        elif c == TRANSITIVE:
            for a, b in f.pairs(x):
                for z in f.objects(b, x):
                    yield (a, x, z)  # prp-trp

    def _axiom_consequences(self, s: Node, p: Node, o: Node) -> Iterator[Triple]:
        """Conclusions of an axiom triple ``s p o`` (p is a schema predicate)."""
        f = self.index
        if p == SCO:
            for x in f.subjects(TYPE, s):
                yield (x, TYPE, o)  # cax-sco
            for c3 in f.objects(o, SCO):
                yield (s, SCO, c3)  # scm-sco, as first premise
            for c0 in f.subjects(SCO, s):
                yield (c0, SCO, o)  # scm-sco, as second premise
            if s in f.objects(o, SCO):
                yield (s, EQC, o)  # scm-eqc2, as both premises
                yield (o, EQC, s)
            for q in f.subjects(DOMAIN, s):
                yield (q, DOMAIN, o)  # scm-dom1
            for q in f.subjects(RANGE, s):
                yield (q, RANGE, o)  # scm-rng1
        elif p == SPO:
            for x, y in f.pairs(s):
                yield (x, o, y)  # prp-spo1
            for p3 in f.objects(o, SPO):
                yield (s, SPO, p3)  # scm-spo, as first premise
            for p0 in f.subjects(SPO, s):
                yield (p0, SPO, o)  # scm-spo, as second premise
            if s in f.objects(o, SPO):
                yield (s, EQP, o)  # scm-eqp2, as both premises
                yield (o, EQP, s)
            for c in f.objects(o, DOMAIN):
                yield (s, DOMAIN, c)  # scm-dom2
            for c in f.objects(o, RANGE):
                yield (s, RANGE, c)  # scm-rng2
        elif p == DOMAIN:
            for x in f.ps.get(s, {}):
                yield (x, TYPE, o)  # prp-dom
            for c2 in f.objects(o, SCO):
                yield (s, DOMAIN, c2)  # scm-dom1
            for p1 in f.subjects(SPO, s):
                yield (p1, DOMAIN, o)  # scm-dom2
        elif p == RANGE:
            for y in f.po.get(s, {}):
                yield (y, TYPE, o)  # prp-rng
            for c2 in f.objects(o, SCO):
                yield (s, RANGE, c2)  # scm-rng1
            for p1 in f.subjects(SPO, s):
                yield (p1, RANGE, o)  # scm-rng2
        elif p == EQC:
            for x in f.subjects(TYPE, s):
                yield (x, TYPE, o)  # cax-eqc1
            for x in f.subjects(TYPE, o):
                yield (x, TYPE, s)  # cax-eqc2
            yield (s, SCO, o)  # scm-eqc1
            yield (o, SCO, s)
        elif p == EQP:
            for x, y in f.pairs(s):
                yield (x, o, y)  # prp-eqp1
            for x, y in f.pairs(o):
                yield (x, s, y)  # prp-eqp2
            yield (s, SPO, o)  # scm-eqp1
            yield (o, SPO, s)
        elif p == INV:
            for x, y in f.pairs(s):
                yield (y, o, x)  # prp-inv1
            for x, y in f.pairs(o):
                yield (y, s, x)  # prp-inv2

    # -- results ---------------------------------------------------------------------------

    def derived(self) -> Iterator[Triple]:
        """Yield the triples the rules added to the input."""
        return (t for t, r in self.rank.items() if r > 0)

    def __contains__(self, triple: object) -> bool:
        return triple in self.rank

    def violations(self) -> list[RLViolation]:
        """Return the inconsistencies of the closure (``cax-dw``, ``cax-adc``, ``cls-nothing2``,
        ``dt-not-type``), in a stable order."""
        f = self.index
        found: list[RLViolation] = []
        for c1, c2 in sorted(f.pairs(OWL.disjointWith)):
            for x in sorted(f.subjects(TYPE, c1) & f.subjects(TYPE, c2)):
                axiom = (c1, OWL.disjointWith, c2)
                found.append(
                    RLViolation("cax-dw", (axiom, (x, TYPE, c1), (x, TYPE, c2)), x, (c1, c2))
                )
        for node in sorted(f.subjects(TYPE, OWL.AllDisjointClasses)):
            for head in sorted(f.objects(node, OWL.members)):
                classes = rdf_list(f, head) or []
                for i, c1 in enumerate(classes):
                    for c2 in classes[i + 1 :]:
                        for x in sorted(f.subjects(TYPE, c1) & f.subjects(TYPE, c2)):
                            axiom = (node, OWL.members, head)
                            triples = (axiom, (x, TYPE, c1), (x, TYPE, c2))
                            found.append(RLViolation("cax-adc", triples, x, (c1, c2)))
        for x in sorted(f.subjects(TYPE, OWL.Nothing)):
            found.append(RLViolation("cls-nothing2", ((x, TYPE, OWL.Nothing),), x))
        for triple in sorted(t for t, r in self.rank.items() if r == 0):
            literal = triple[2]
            if isinstance(literal, Literal) and not _lexically_valid(literal):
                found.append(
                    RLViolation("dt-not-type", (triple,), literal, datatype=literal.datatype)
                )
        return found

    # -- backward: how a triple of the closure is derived ------------------------------------

    def derivations(self, triple: Triple) -> list[Derivation]:
        """Return the rule instances that conclude ``triple`` from lower-ranked triples.

        Sorted shortest first: by the highest rank among the premises, then by the sum of
        their ranks, then by the rules' order of preference (:data:`RULES`). Empty for
        asserted triples and unknown ones.
        """
        level = self.rank.get(triple)
        if not level:
            return []
        found = [
            d
            for d in self._candidate_derivations(triple)
            if all(self.rank.get(t, level) < level for t in d.all_premises())
        ]
        return sorted(found, key=self._derivation_cost)

    def support(self, triple: Triple) -> list[Triple]:
        """Return the asserted triples a shortest derivation of ``triple`` rests on, sorted."""
        leaves: set[Triple] = set()
        seen: set[Triple] = set()
        stack = [triple]
        while stack:
            current = stack.pop()
            if current in seen or current not in self.rank:
                continue
            seen.add(current)
            if self.rank[current] == 0:
                leaves.add(current)
            else:
                stack.extend(self.derivations(current)[0].all_premises())
        return sorted(leaves)

    def _derivation_cost(self, derivation: Derivation) -> tuple:
        ranks = [self.rank[t] for t in derivation.all_premises()]
        return (max(ranks), sum(ranks), _RULE_ORDER[derivation.rule], derivation.all_premises())

    def _candidate_derivations(self, triple: Triple) -> Iterator[Derivation]:
        """Yield every rule instance whose conclusion is ``triple`` and premises are known."""
        s, p, o = triple
        f, known = self.index, self.rank
        if p == TYPE:
            for q in f.subjects(DOMAIN, o):
                for y in f.objects(s, q):
                    yield Derivation("prp-dom", ((q, DOMAIN, o),), ((s, q, y),))
            for q in f.subjects(RANGE, o):
                for x in f.subjects(q, s):
                    yield Derivation("prp-rng", ((q, RANGE, o),), ((x, q, s),))
            for c in f.subjects(SCO, o):
                if (s, TYPE, c) in known:
                    yield Derivation("cax-sco", ((c, SCO, o),), ((s, TYPE, c),))
            for c in f.subjects(EQC, o):
                if (s, TYPE, c) in known:
                    yield Derivation("cax-eqc1", ((c, EQC, o),), ((s, TYPE, c),))
            for c in f.objects(o, EQC):
                if (s, TYPE, c) in known:
                    yield Derivation("cax-eqc2", ((o, EQC, c),), ((s, TYPE, c),))
        yield from self._property_derivations(s, p, o)
        yield from self._schema_derivations(s, p, o)

    def _property_derivations(self, s: Node, p: Node, o: Node) -> Iterator[Derivation]:
        """Derivations of ``s p o`` by the property rules (prp-*)."""
        f, known = self.index, self.rank
        for q in f.subjects(SPO, p):
            if (s, q, o) in known:
                yield Derivation("prp-spo1", ((q, SPO, p),), ((s, q, o),))
        for q in f.subjects(EQP, p):
            if (s, q, o) in known:
                yield Derivation("prp-eqp1", ((q, EQP, p),), ((s, q, o),))
        for q in f.objects(p, EQP):
            if (s, q, o) in known:
                yield Derivation("prp-eqp2", ((p, EQP, q),), ((s, q, o),))
        for q in f.subjects(INV, p):
            if (o, q, s) in known:
                yield Derivation("prp-inv1", ((q, INV, p),), ((o, q, s),))
        for q in f.objects(p, INV):
            if (o, q, s) in known:
                yield Derivation("prp-inv2", ((p, INV, q),), ((o, q, s),))
        characteristics = f.objects(p, TYPE)
        if SYMMETRIC in characteristics and (o, p, s) in known:
            yield Derivation("prp-symp", ((p, TYPE, SYMMETRIC),), ((o, p, s),))
        if TRANSITIVE in characteristics:
            for y in f.objects(s, p):
                if (y, p, o) in known and y not in (s, o):
                    yield Derivation("prp-trp", ((p, TYPE, TRANSITIVE),), ((s, p, y), (y, p, o)))
        for chain, head in self.chains.get(p, {}).items():
            path = self._best_chain_path(chain, s, o)
            if path is not None:
                yield Derivation("prp-spo2", ((p, CHAIN, head),), path)

    def _best_chain_path(
        self, chain: tuple[Node, ...], start: Node, end: Node
    ) -> tuple[Triple, ...] | None:
        """Return the path ``start`` -chain-> ``end`` whose highest rank is lowest, if any."""
        best: dict[Node, tuple[int, tuple[Triple, ...]]] = {start: (-1, ())}
        for step in chain:
            layer: dict[Node, tuple[int, tuple[Triple, ...]]] = {}
            for node, (cost, path) in best.items():
                for nxt in self.index.objects(node, step):
                    edge = (node, step, nxt)
                    candidate = (max(cost, self.rank[edge]), path + (edge,))
                    if nxt not in layer or candidate < layer[nxt]:
                        layer[nxt] = candidate
            best = layer
        return best[end][1] if end in best else None

    def _schema_derivations(self, s: Node, p: Node, o: Node) -> Iterator[Derivation]:
        """Derivations of an axiom ``s p o`` by the schema rules (scm-*)."""
        f, known = self.index, self.rank
        if p in (SCO, SPO):
            rule, eq = ("scm-sco", EQC) if p == SCO else ("scm-spo", EQP)
            for mid in f.objects(s, p):
                if mid not in (s, o) and (mid, p, o) in known:
                    yield Derivation(rule, ((s, p, mid), (mid, p, o)), ())
            eq_rule = "scm-eqc1" if p == SCO else "scm-eqp1"
            for axiom in ((s, eq, o), (o, eq, s)):
                if axiom in known:
                    yield Derivation(eq_rule, (axiom,), ())
        elif p in (EQC, EQP):
            sub = SCO if p == EQC else SPO
            if (s, sub, o) in known and (o, sub, s) in known:
                rule = "scm-eqc2" if p == EQC else "scm-eqp2"
                yield Derivation(rule, ((s, sub, o), (o, sub, s)), ())
        elif p in (DOMAIN, RANGE):
            kind = "dom" if p == DOMAIN else "rng"
            for c1 in f.subjects(SCO, o):
                if (s, p, c1) in known:
                    yield Derivation(f"scm-{kind}1", ((s, p, c1), (c1, SCO, o)), ())
            for p2 in f.objects(s, SPO):
                if (p2, p, o) in known:
                    yield Derivation(f"scm-{kind}2", ((p2, p, o), (s, SPO, p2)), ())


def _lexically_valid(literal: Literal) -> bool:
    """Tell whether a literal of an OWL 2 RL datatype has a valid lexical form (owlrl's check)."""
    if literal.datatype not in OWL_RL_Datatypes:
        return True
    converter = AltXSDToPYTHON.get(literal.datatype)
    if converter is None:
        return True
    try:
        converter(str(literal))
    except ValueError:
        return False
    return True


def closure_of(triples: Iterable[Triple]) -> RLClosure:
    """Return the computed closure of ``triples``."""
    return RLClosure(triples).run()


__all__ = [
    "AXIOM_PREDICATES",
    "RULES",
    "Derivation",
    "RLClosure",
    "RLViolation",
    "TripleIndex",
    "Triple",
    "closure_of",
    "is_builtin",
    "rdf_list",
    "unsupported_constructs",
]
