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
:mod:`imtkg.reasoning.closure` filters out as noise anyway. When the input uses OWL vocabulary
outside this rule set (``owl:sameAs``, restrictions, functional properties...),
:func:`unsupported_constructs` names it and the caller falls back to owlrl.

Terms are encoded as integers on input (rdflib terms hash and compare in Python, integers in
C), and decoded on output. Each derived triple records the round that first derived it (its
*rank*; asserted triples have rank 0). A triple of rank *k* has a derivation whose premises all
have a lower rank, so :meth:`RLClosure.derivations` can rebuild a shortest, cycle-free
derivation tree backwards.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Final

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

#: the terms the rules mention, encoded as the first integers of every closure
RESERVED: tuple[Node, ...] = (
    TYPE,
    SCO,
    SPO,
    DOMAIN,
    RANGE,
    EQC,
    EQP,
    INV,
    CHAIN,
    SYMMETRIC,
    TRANSITIVE,
    RDF.first,
    RDF.rest,
    RDF.nil,
    OWL.disjointWith,
    OWL.AllDisjointClasses,
    OWL.members,
    OWL.Nothing,
)
(
    _TYPE,
    _SCO,
    _SPO,
    _DOMAIN,
    _RANGE,
    _EQC,
    _EQP,
    _INV,
    _CHAIN,
    _SYMMETRIC,
    _TRANSITIVE,
    _FIRST,
    _REST,
    _NIL,
    _DISJOINT,
    _ALL_DISJOINT,
    _MEMBERS,
    _NOTHING,
) = range(len(RESERVED))
_AXIOM_IDS = frozenset({_SCO, _SPO, _DOMAIN, _RANGE, _EQC, _EQP, _INV, _CHAIN, _DISJOINT})
#: markers of :meth:`RLClosure._plan`


class _Unplanned(Enum):
    """What a plan cache gives for a key it has not worked out yet."""

    UNPLANNED = 0


class _Mark(Enum):
    """A plan that is not a tuple of conclusions (see :meth:`RLClosure._plan`)."""

    INERT = 0
    TYPE_PLAN = 1


_UNPLANNED: Final = _Unplanned.UNPLANNED
_INERT: Final = _Mark.INERT
_TYPE_PLAN: Final = _Mark.TYPE_PLAN
#: what a property's triples conclude: (domains, ranges, implied properties, inverses)
_Plan = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]
IntTriple = tuple[int, int, int]

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

#: the datatypes (IRIs) whose literals :meth:`RLClosure.violations` checks (``dt-not-type``)
LEXICALLY_CHECKED = frozenset(
    str(datatype) for datatype in OWL_RL_Datatypes if AltXSDToPYTHON.get(datatype) is not None
)

_EMPTY: frozenset = frozenset()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector: the engine allocates millions of acyclic tuples, which
    every collection would scan again (time growing faster than the graph)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def is_builtin(term: Node) -> bool:
    """Tell whether ``term`` is an IRI of RDF, RDFS, OWL or XSD."""
    return isinstance(term, URIRef) and str(term).startswith(BUILTIN_NAMESPACES)


def unsupported_constructs(triples: Iterable[Triple]) -> list[str]:
    """Return why the engine cannot compute the OWL RL closure of ``triples`` (empty: it can).

    See :meth:`RLClosure.unsupported`.
    """
    return RLClosure(triples).unsupported()


def _unsupported(s: Node, p: Node, o: Node) -> str | None:
    """Say why the triple ``s p o`` is outside the engine's rules, if it is."""
    if p in UNSUPPORTED_PREDICATES and not (p == OWL.sameAs and s == o):
        return f"uses {p}"
    if p in (TYPE, SCO, EQC) and o in UNSUPPORTED_CLASSES:
        return f"uses {o}"
    if p in (SCO, EQC) and (is_builtin(s) or (p == EQC and is_builtin(o))):
        return f"states a class axiom about a built-in class ({s} {p} {o})"
    if p == SCO and o == OWL.Nothing:
        return f"makes {s} a subclass of owl:Nothing"
    return None


class TripleIndex:
    """Encoded triples indexed by predicate then subject, and by predicate then object."""

    def __init__(self) -> None:
        self.ps: dict[int, dict[int, set[int]]] = {}
        self.po: dict[int, dict[int, set[int]]] = {}

    def add(self, triple: IntTriple) -> None:
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

    def objects(self, s: int, p: int) -> set[int] | frozenset:
        """Return the objects of ``s p ?o``."""
        by_s = self.ps.get(p)
        return by_s.get(s, _EMPTY) if by_s is not None else _EMPTY

    def subjects(self, p: int, o: int) -> set[int] | frozenset:
        """Return the subjects of ``?s p o``."""
        by_o = self.po.get(p)
        return by_o.get(o, _EMPTY) if by_o is not None else _EMPTY

    def pairs(self, p: int) -> Iterator[tuple[int, int]]:
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


def rdf_list(index: TripleIndex, head: int) -> list[int] | None:
    """Return the members of the encoded RDF list at ``head``; ``None`` if malformed or cyclic."""
    items: list[int] = []
    seen: set[int] = set()
    node = head
    while node != _NIL:
        if node in seen:
            return None
        seen.add(node)
        first, rest = index.objects(node, _FIRST), index.objects(node, _REST)
        if len(first) != 1 or len(rest) != 1:
            return None
        items.append(next(iter(first)))
        node = next(iter(rest))
    return items


class RLClosure:
    """The OWL 2 RL closure of a set of triples under the engine's rules.

    :param asserted: the input triples (ontology and data); duplicates are ignored.

    Call :meth:`run` to compute the fixpoint. Internally triples are tuples of integers
    (:attr:`index`, :attr:`rank`); the public methods take and return rdflib terms.
    """

    def __init__(self, asserted: Iterable[Triple]) -> None:
        terms = list(RESERVED)
        self._terms: Sequence[Node] = terms
        self._ids: dict[Node, int] | None = {term: i for i, term in enumerate(RESERVED)}
        #: codes of the literals that may be ill-typed (None: look at every term)
        self._literals: Iterable[int] | None = None
        self.index = TripleIndex()
        #: encoded triple -> the round that first derived it (0: asserted)
        self.rank: dict[IntTriple, int] = {}
        with gc_paused():
            self._encode_all(asserted, terms)
        #: property -> its chains (tuples of properties) -> the list head of each
        self.chains: dict[int, dict[tuple[int, ...], int]] = {}
        #: property -> (defined property, chain, position) for each chain it occurs in
        self._chain_steps: dict[int, list[tuple[int, tuple[int, ...], int]]] = {}
        self.rounds = 0

    @classmethod
    def from_encoded(
        cls,
        terms: Sequence[Node],
        triples: Iterable[IntTriple],
        literals: Iterable[int] | None = None,
    ) -> RLClosure:
        """Return the (not yet run) closure of triples already encoded as indexes of ``terms``.

        ``terms`` starts with :data:`RESERVED` and holds each term once. This skips hashing
        rdflib terms triple by triple: a caller reading a store encodes its own terms, e.g. by
        pyoxigraph term, and converts each distinct term once (:mod:`imtkg.store.bulk_build`).
        ``terms`` may be any sequence, e.g. one converting its terms when first read: the closure
        reads only the terms of the schema and of what it reports, and, for the ``dt-not-type``
        check, those of ``literals`` (the codes of the literals of a datatype in
        :data:`LEXICALLY_CHECKED`; ``None``: every term is looked at).
        """
        if tuple(terms[: len(RESERVED)]) != RESERVED:
            raise ValueError("the encoded terms must start with RESERVED")
        closure = cls(())
        closure._terms = terms
        closure._ids = None  # made on first use (encode)
        closure._literals = literals
        rank, add = closure.rank, closure.index.add
        with gc_paused():
            for triple in triples:
                if triple not in rank:
                    rank[triple] = 0
                    add(triple)
        return closure

    def _term_ids(self) -> dict[Node, int]:
        """Return term -> code (made on first use after :meth:`from_encoded`)."""
        if self._ids is None:
            self._ids = {term: number for number, term in enumerate(self._terms)}
        return self._ids

    # -- encoding ------------------------------------------------------------------------------

    def _encode_all(self, asserted: Iterable[Triple], terms: list[Node]) -> None:
        """Encode and index the asserted triples (rank 0), appending new terms to ``terms``."""
        ids, rank, add = self._term_ids(), self.rank, self.index.add
        for triple in asserted:
            encoded = []
            for term in triple:
                number = ids.get(term)
                if number is None:
                    number = ids[term] = len(terms)
                    terms.append(term)
                encoded.append(number)
            key = (encoded[0], encoded[1], encoded[2])
            if key not in rank:
                rank[key] = 0
                add(key)

    @property
    def terms(self) -> Sequence[Node]:
        """Return the terms of the closure, indexed by their code."""
        return self._terms

    def encode(self, triple: Triple) -> IntTriple | None:
        """Return the encoded triple; ``None`` if one of its terms is unknown to the closure."""
        ids = self._term_ids()
        s, p, o = (ids.get(t) for t in triple)
        if s is None or p is None or o is None:
            return None
        return (s, p, o)

    def decode(self, triple: IntTriple) -> Triple:
        """Return the rdflib triple of an encoded one."""
        terms = self._terms
        return (terms[triple[0]], terms[triple[1]], terms[triple[2]])

    # -- what the engine supports ---------------------------------------------------------------

    def unsupported(self) -> list[str]:
        """Return why the engine cannot compute this closure exactly (empty: it can).

        The reasons name OWL vocabulary outside the implemented rules (``owl:sameAs``,
        restrictions, functional properties...) and class axioms about the built-in classes
        (``owl:Thing rdfs:subClassOf ...``), whose consequences owlrl's axiomatic rules (every
        class is a subclass of ``owl:Thing``...) would spread. Only the distinct predicates and
        the class axioms are inspected, so this is cheap.
        """
        terms, index = self._terms, self.index
        reasons: set[str] = set()
        for p, by_s in index.ps.items():
            predicate = terms[p]
            if predicate in UNSUPPORTED_PREDICATES:
                for s, objects in by_s.items():
                    for o in objects:
                        reason = _unsupported(terms[s], predicate, terms[o])
                        if reason:
                            reasons.add(reason)
        for o in index.po.get(_TYPE, {}):
            if terms[o] in UNSUPPORTED_CLASSES:
                reasons.add(f"uses {terms[o]}")
        for p in (_SCO, _EQC):
            for s, o in index.pairs(p):
                reason = _unsupported(terms[s], terms[p], terms[o])
                if reason:
                    reasons.add(reason)
        return sorted(reasons)

    # -- forward chaining ------------------------------------------------------------------

    def run(self, on_round: Callable[[set[IntTriple]], None] | None = None) -> RLClosure:
        """Compute the fixpoint; return ``self``.

        :param on_round: called with the (encoded) triples each round derives, once they are
            in the closure: they are final, so a caller may write them out while the next
            rounds run.
        """
        with gc_paused():
            self._run(on_round)
        return self

    def _run(self, on_round: Callable[[set[IntTriple]], None] | None) -> None:
        delta: Iterable[IntTriple] = list(self.rank)
        rank, add = self.rank, self.index.add
        while True:
            new: set[IntTriple] = set()
            if self._refresh_chains(delta, new):
                new.difference_update(rank)
            self._round(delta, new)
            if not new:
                return
            self.rounds += 1
            level = self.rounds
            for triple in new:
                rank[triple] = level
                add(triple)
            if on_round is not None:
                on_round(new)
            delta = new

    def _round(self, delta: Iterable[IntTriple], new: set[IntTriple]) -> None:
        """Add to ``new`` the conclusions of ``delta`` that are not in the closure yet.

        The index does not change during a round, so what the rules do with a predicate (and,
        for ``rdf:type``, with a class) is worked out once per round (:meth:`_plan`): most
        triples then cost a dictionary lookup and their few conclusions, not a pass through
        every rule (:meth:`_consequences`, still used for the predicates a plan does not
        cover).
        """
        rank, consequences = self.rank, self._consequences
        plans: dict[int, _Plan | _Mark | None] = {}
        supers: dict[int, tuple[int, ...] | None] = {}
        for triple in delta:
            s, p, o = triple
            plan = plans.get(p, _UNPLANNED)
            if plan is _UNPLANNED:
                plan = plans[p] = self._plan(p)
            if plan is _INERT:
                continue
            if plan is _TYPE_PLAN:
                classes = supers.get(o, _UNPLANNED)
                if classes is _UNPLANNED:
                    classes = supers[o] = self._superclasses(o)
                if classes is not None:
                    for c in classes:
                        conclusion = (s, _TYPE, c)
                        if conclusion not in rank:
                            new.add(conclusion)
                    continue
                plan = None
            if plan is None:
                for conclusion in consequences(triple):
                    if conclusion not in rank:
                        new.add(conclusion)
                continue
            domains, ranges, implied, inverses = plan
            for c in domains:  # prp-dom
                conclusion = (s, _TYPE, c)
                if conclusion not in rank:
                    new.add(conclusion)
            for c in ranges:  # prp-rng
                conclusion = (o, _TYPE, c)
                if conclusion not in rank:
                    new.add(conclusion)
            for q in implied:  # prp-spo1, prp-eqp1, prp-eqp2
                conclusion = (s, q, o)
                if conclusion not in rank:
                    new.add(conclusion)
            for q in inverses:  # prp-inv1, prp-inv2
                conclusion = (o, q, s)
                if conclusion not in rank:
                    new.add(conclusion)

    def _plan(self, p: int) -> _Plan | _Mark | None:
        """Return what the rules conclude from a triple of predicate ``p`` this round.

        :data:`_INERT`: nothing; :data:`_TYPE_PLAN`: ``rdf:type`` with only the class rules
        (:meth:`_superclasses`); ``(domains, ranges, implied, inverses)``: only the property
        rules ``prp-dom``, ``prp-rng``, ``prp-spo1``, ``prp-eqp1/2`` and ``prp-inv1/2``;
        ``None``: anything else (axioms, characteristics, chains), left to
        :meth:`_consequences`.
        """
        f = self.index
        if p in _AXIOM_IDS or self._chain_steps.get(p):
            return None
        characteristics = f.objects(p, _TYPE)
        if _SYMMETRIC in characteristics or _TRANSITIVE in characteristics:
            return None
        domains, ranges = tuple(f.objects(p, _DOMAIN)), tuple(f.objects(p, _RANGE))
        implied = (*f.objects(p, _SPO), *f.objects(p, _EQP), *f.subjects(_EQP, p))
        inverses = (*f.objects(p, _INV), *f.subjects(_INV, p))
        if p == _TYPE:
            return _TYPE_PLAN if not (domains or ranges or implied or inverses) else None
        if not (domains or ranges or implied or inverses):
            return _INERT
        return domains, ranges, implied, inverses

    def _superclasses(self, c: int) -> tuple[int, ...] | None:
        """Return the classes ``x rdf:type c`` makes ``x`` an instance of this round
        (``cax-sco``, ``cax-eqc1/2``), or ``None`` for a property characteristic (left to
        :meth:`_type_consequences`)."""
        if c in (_SYMMETRIC, _TRANSITIVE):
            return None
        f = self.index
        return (*f.objects(c, _SCO), *f.objects(c, _EQC), *f.subjects(_EQC, c))

    def _refresh_chains(self, delta: Iterable[IntTriple], new: set[IntTriple]) -> bool:
        """Re-read the property chains when ``delta`` touches them; fire the new chains in full."""
        if not any(p in (_CHAIN, _FIRST, _REST) for _, p, _ in delta):
            return False
        for prop, heads in list(self.index.ps.get(_CHAIN, {}).items()):
            for head in heads:
                items = rdf_list(self.index, head)
                if not items or tuple(items) in self.chains.get(prop, {}):
                    continue
                chain = tuple(items)
                self.chains.setdefault(prop, {})[chain] = head
                for position, step in enumerate(chain):
                    self._chain_steps.setdefault(step, []).append((prop, chain, position))
                for x, y in self.index.pairs(chain[0]):
                    for z in self._chain_ends(chain, 1, y):
                        new.add((x, prop, z))
        return True

    def _chain_starts(self, chain: tuple[int, ...], position: int, node: int) -> set[int]:
        """Return the nodes from which ``chain[:position]`` leads to ``node``."""
        nodes = {node}
        for step in reversed(chain[:position]):
            nodes = {x for n in nodes for x in self.index.subjects(step, n)}
            if not nodes:
                break
        return nodes

    def _chain_ends(self, chain: tuple[int, ...], position: int, node: int) -> set[int]:
        """Return the nodes ``chain[position:]`` leads to from ``node``."""
        nodes = {node}
        for step in chain[position:]:
            nodes = {z for n in nodes for z in self.index.objects(n, step)}
            if not nodes:
                break
        return nodes

    def _consequences(self, triple: IntTriple) -> Iterator[IntTriple]:
        """Yield the conclusions of every rule instance with ``triple`` as one of its premises."""
        s, p, o = triple
        f = self.index
        # ``triple`` as a fact about property p
        for c in f.objects(p, _DOMAIN):
            yield (s, _TYPE, c)  # prp-dom
        for c in f.objects(p, _RANGE):
            yield (o, _TYPE, c)  # prp-rng
        for q in f.objects(p, _SPO):
            yield (s, q, o)  # prp-spo1
        for q in f.objects(p, _EQP):
            yield (s, q, o)  # prp-eqp1
        for q in f.subjects(_EQP, p):
            yield (s, q, o)  # prp-eqp2
        for q in f.objects(p, _INV):
            yield (o, q, s)  # prp-inv1
        for q in f.subjects(_INV, p):
            yield (o, q, s)  # prp-inv2
        characteristics = f.objects(p, _TYPE)
        if characteristics:
            if _SYMMETRIC in characteristics:
                yield (o, p, s)  # prp-symp
            if _TRANSITIVE in characteristics:  # prp-trp, as left and as right premise
                for z in f.objects(o, p):
                    yield (s, p, z)
                for x in f.subjects(p, s):
                    yield (x, p, o)
        steps = self._chain_steps.get(p)
        if steps:
            for prop, chain, position in steps:  # prp-spo2
                ends = self._chain_ends(chain, position + 1, o)
                if ends:
                    for x in self._chain_starts(chain, position, s):
                        for z in ends:
                            yield (x, prop, z)
        if p == _TYPE:
            yield from self._type_consequences(s, o)
        elif p in _AXIOM_IDS:
            yield from self._axiom_consequences(s, p, o)

    def _type_consequences(self, x: int, c: int) -> Iterator[IntTriple]:
        """Conclusions of ``x rdf:type c``: as an instance, or as a property characteristic."""
        f = self.index
        for c2 in f.objects(c, _SCO):
            yield (x, _TYPE, c2)  # cax-sco
        for c2 in f.objects(c, _EQC):
            yield (x, _TYPE, c2)  # cax-eqc1
        for c2 in f.subjects(_EQC, c):
            yield (x, _TYPE, c2)  # cax-eqc2
        if c == _SYMMETRIC:
            for a, b in f.pairs(x):
                yield (b, x, a)  # prp-symp
        elif c == _TRANSITIVE:
            for a, b in f.pairs(x):
                for z in f.objects(b, x):
                    yield (a, x, z)  # prp-trp

    def _axiom_consequences(self, s: int, p: int, o: int) -> Iterator[IntTriple]:
        """Conclusions of an axiom triple ``s p o`` (p is a schema predicate)."""
        f = self.index
        if p == _SCO:
            for x in f.subjects(_TYPE, s):
                yield (x, _TYPE, o)  # cax-sco
            for c3 in f.objects(o, _SCO):
                yield (s, _SCO, c3)  # scm-sco, as first premise
            for c0 in f.subjects(_SCO, s):
                yield (c0, _SCO, o)  # scm-sco, as second premise
            if s in f.objects(o, _SCO):
                yield (s, _EQC, o)  # scm-eqc2, as both premises
                yield (o, _EQC, s)
            for q in f.subjects(_DOMAIN, s):
                yield (q, _DOMAIN, o)  # scm-dom1
            for q in f.subjects(_RANGE, s):
                yield (q, _RANGE, o)  # scm-rng1
        elif p == _SPO:
            for x, y in f.pairs(s):
                yield (x, o, y)  # prp-spo1
            for p3 in f.objects(o, _SPO):
                yield (s, _SPO, p3)  # scm-spo, as first premise
            for p0 in f.subjects(_SPO, s):
                yield (p0, _SPO, o)  # scm-spo, as second premise
            if s in f.objects(o, _SPO):
                yield (s, _EQP, o)  # scm-eqp2, as both premises
                yield (o, _EQP, s)
            for c in f.objects(o, _DOMAIN):
                yield (s, _DOMAIN, c)  # scm-dom2
            for c in f.objects(o, _RANGE):
                yield (s, _RANGE, c)  # scm-rng2
        elif p == _DOMAIN:
            for x in f.ps.get(s, {}):
                yield (x, _TYPE, o)  # prp-dom
            for c2 in f.objects(o, _SCO):
                yield (s, _DOMAIN, c2)  # scm-dom1
            for p1 in f.subjects(_SPO, s):
                yield (p1, _DOMAIN, o)  # scm-dom2
        elif p == _RANGE:
            for y in f.po.get(s, {}):
                yield (y, _TYPE, o)  # prp-rng
            for c2 in f.objects(o, _SCO):
                yield (s, _RANGE, c2)  # scm-rng1
            for p1 in f.subjects(_SPO, s):
                yield (p1, _RANGE, o)  # scm-rng2
        elif p == _EQC:
            for x in f.subjects(_TYPE, s):
                yield (x, _TYPE, o)  # cax-eqc1
            for x in f.subjects(_TYPE, o):
                yield (x, _TYPE, s)  # cax-eqc2
            yield (s, _SCO, o)  # scm-eqc1
            yield (o, _SCO, s)
        elif p == _EQP:
            for x, y in f.pairs(s):
                yield (x, o, y)  # prp-eqp1
            for x, y in f.pairs(o):
                yield (x, s, y)  # prp-eqp2
            yield (s, _SPO, o)  # scm-eqp1
            yield (o, _SPO, s)
        elif p == _INV:
            for x, y in f.pairs(s):
                yield (y, o, x)  # prp-inv1
            for x, y in f.pairs(o):
                yield (y, s, x)  # prp-inv2

    # -- results ---------------------------------------------------------------------------

    def derived(self) -> Iterator[Triple]:
        """Yield the triples the rules added to the input."""
        decode = self.decode
        return (decode(t) for t in self.derived_codes())

    def derived_codes(self) -> Iterator[IntTriple]:
        """Yield the encoded triples the rules added to the input (see :attr:`terms`)."""
        return (t for t, r in self.rank.items() if r > 0)

    def __contains__(self, triple: object) -> bool:
        encoded = self.encode(triple) if isinstance(triple, tuple) and len(triple) == 3 else None
        return encoded is not None and encoded in self.rank

    def rank_of(self, triple: Triple) -> int | None:
        """Return the round that first derived ``triple`` (0: asserted; ``None``: unknown)."""
        encoded = self.encode(triple)
        return None if encoded is None else self.rank.get(encoded)

    def rdf_list(self, head: Node) -> list[Node] | None:
        """Return the members of the RDF list at ``head`` (``None`` if it is not a list)."""
        number = self._term_ids().get(head)
        items = rdf_list(self.index, number) if number is not None else None
        return None if items is None else [self._terms[i] for i in items]

    def violations(self) -> list[RLViolation]:
        """Return the inconsistencies of the closure (``cax-dw``, ``cax-adc``, ``cls-nothing2``,
        ``dt-not-type``), sorted."""
        f, terms, decode = self.index, self._terms, self.decode
        found: list[RLViolation] = []
        for c1, c2 in f.pairs(_DISJOINT):
            for x in f.subjects(_TYPE, c1) & f.subjects(_TYPE, c2):
                triples = ((c1, _DISJOINT, c2), (x, _TYPE, c1), (x, _TYPE, c2))
                found.append(
                    RLViolation(
                        "cax-dw", tuple(map(decode, triples)), terms[x], (terms[c1], terms[c2])
                    )
                )
        for node in f.subjects(_TYPE, _ALL_DISJOINT):
            for head in f.objects(node, _MEMBERS):
                classes = rdf_list(f, head) or []
                for i, c1 in enumerate(classes):
                    for c2 in classes[i + 1 :]:
                        for x in f.subjects(_TYPE, c1) & f.subjects(_TYPE, c2):
                            triples = ((node, _MEMBERS, head), (x, _TYPE, c1), (x, _TYPE, c2))
                            classes_pair = (terms[c1], terms[c2])
                            found.append(
                                RLViolation(
                                    "cax-adc", tuple(map(decode, triples)), terms[x], classes_pair
                                )
                            )
        for x in f.subjects(_TYPE, _NOTHING):
            triple = decode((x, _TYPE, _NOTHING))
            found.append(RLViolation("cls-nothing2", (triple,), terms[x]))
        if self._literals is None:
            candidates: Iterable[int] = (i for i, t in enumerate(terms) if isinstance(t, Literal))
        else:
            candidates = self._literals
        invalid = {i for i in candidates if not _lexically_valid(terms[i])}
        for encoded, level in self.rank.items() if invalid else ():
            if level == 0 and encoded[2] in invalid:
                literal = terms[encoded[2]]
                datatype = literal.datatype if isinstance(literal, Literal) else None
                violation = RLViolation(
                    "dt-not-type", (decode(encoded),), literal, datatype=datatype
                )
                found.append(violation)
        return sorted(found, key=lambda v: (v.rule, v.triples[1:] or v.triples))

    # -- backward: how a triple of the closure is derived ------------------------------------

    def derivations(self, triple: Triple) -> list[Derivation]:
        """Return the rule instances that conclude ``triple`` from lower-ranked triples.

        Sorted shortest first: by the highest rank among the premises, then by the sum of
        their ranks, then by the rules' order of preference (:data:`RULES`), then by the
        premises. Empty for asserted triples and unknown ones.
        """
        encoded = self.encode(triple)
        level = self.rank.get(encoded) if encoded is not None else None
        if encoded is None or not level:
            return []
        rank = self.rank
        found = []
        for rule, axioms, premises in self._candidate_derivations(encoded):
            ranks = [rank.get(t, level) for t in axioms + premises]
            if max(ranks) < level:
                derivation = Derivation(
                    rule, tuple(map(self.decode, axioms)), tuple(map(self.decode, premises))
                )
                found.append(((max(ranks), sum(ranks), _RULE_ORDER[rule]), derivation))
        found.sort(key=lambda item: (item[0], item[1].all_premises()))
        return [derivation for _, derivation in found]

    def support(self, triple: Triple) -> list[Triple]:
        """Return the asserted triples a shortest derivation of ``triple`` rests on, sorted."""
        leaves: set[Triple] = set()
        seen: set[Triple] = set()
        stack = [triple]
        while stack:
            current = stack.pop()
            level = self.rank_of(current)
            if current in seen or level is None:
                continue
            seen.add(current)
            if level == 0:
                leaves.add(current)
            else:
                stack.extend(self.derivations(current)[0].all_premises())
        return sorted(leaves)

    def _candidate_derivations(self, triple: IntTriple) -> Iterator[tuple[str, tuple, tuple]]:
        """Yield (rule, axioms, premises) for every rule instance concluding ``triple``."""
        s, p, o = triple
        f, known = self.index, self.rank
        if p == _TYPE:
            for q in f.subjects(_DOMAIN, o):
                for y in f.objects(s, q):
                    yield "prp-dom", ((q, _DOMAIN, o),), ((s, q, y),)
            for q in f.subjects(_RANGE, o):
                for x in f.subjects(q, s):
                    yield "prp-rng", ((q, _RANGE, o),), ((x, q, s),)
            for c in f.subjects(_SCO, o):
                if (s, _TYPE, c) in known:
                    yield "cax-sco", ((c, _SCO, o),), ((s, _TYPE, c),)
            for c in f.subjects(_EQC, o):
                if (s, _TYPE, c) in known:
                    yield "cax-eqc1", ((c, _EQC, o),), ((s, _TYPE, c),)
            for c in f.objects(o, _EQC):
                if (s, _TYPE, c) in known:
                    yield "cax-eqc2", ((o, _EQC, c),), ((s, _TYPE, c),)
        yield from self._property_derivations(s, p, o)
        yield from self._schema_derivations(s, p, o)

    def _property_derivations(self, s: int, p: int, o: int) -> Iterator[tuple[str, tuple, tuple]]:
        """Derivations of ``s p o`` by the property rules (prp-*)."""
        f, known = self.index, self.rank
        for q in f.subjects(_SPO, p):
            if (s, q, o) in known:
                yield "prp-spo1", ((q, _SPO, p),), ((s, q, o),)
        for q in f.subjects(_EQP, p):
            if (s, q, o) in known:
                yield "prp-eqp1", ((q, _EQP, p),), ((s, q, o),)
        for q in f.objects(p, _EQP):
            if (s, q, o) in known:
                yield "prp-eqp2", ((p, _EQP, q),), ((s, q, o),)
        for q in f.subjects(_INV, p):
            if (o, q, s) in known:
                yield "prp-inv1", ((q, _INV, p),), ((o, q, s),)
        for q in f.objects(p, _INV):
            if (o, q, s) in known:
                yield "prp-inv2", ((p, _INV, q),), ((o, q, s),)
        characteristics = f.objects(p, _TYPE)
        if _SYMMETRIC in characteristics and (o, p, s) in known:
            yield "prp-symp", ((p, _TYPE, _SYMMETRIC),), ((o, p, s),)
        if _TRANSITIVE in characteristics:
            for y in f.objects(s, p):
                if (y, p, o) in known and y not in (s, o):
                    yield "prp-trp", ((p, _TYPE, _TRANSITIVE),), ((s, p, y), (y, p, o))
        for chain, head in self.chains.get(p, {}).items():
            path = self._best_chain_path(chain, s, o)
            if path is not None:
                yield "prp-spo2", ((p, _CHAIN, head),), path

    def _best_chain_path(self, chain: tuple[int, ...], start: int, end: int) -> tuple | None:
        """Return the path ``start`` -chain-> ``end`` whose highest rank is lowest, if any."""
        best: dict[int, tuple[int, tuple[IntTriple, ...]]] = {start: (-1, ())}
        for step in chain:
            layer: dict[int, tuple[int, tuple[IntTriple, ...]]] = {}
            for node, (cost, path) in best.items():
                for nxt in self.index.objects(node, step):
                    edge = (node, step, nxt)
                    candidate = (max(cost, self.rank[edge]), path + (edge,))
                    if nxt not in layer or candidate < layer[nxt]:
                        layer[nxt] = candidate
            best = layer
        return best[end][1] if end in best else None

    def _schema_derivations(self, s: int, p: int, o: int) -> Iterator[tuple[str, tuple, tuple]]:
        """Derivations of an axiom ``s p o`` by the schema rules (scm-*)."""
        f, known = self.index, self.rank
        if p in (_SCO, _SPO):
            rule, eq = ("scm-sco", _EQC) if p == _SCO else ("scm-spo", _EQP)
            for mid in f.objects(s, p):
                if mid not in (s, o) and (mid, p, o) in known:
                    yield rule, ((s, p, mid), (mid, p, o)), ()
            eq_rule = "scm-eqc1" if p == _SCO else "scm-eqp1"
            for axiom in ((s, eq, o), (o, eq, s)):
                if axiom in known:
                    yield eq_rule, (axiom,), ()
        elif p in (_EQC, _EQP):
            sub = _SCO if p == _EQC else _SPO
            if (s, sub, o) in known and (o, sub, s) in known:
                rule = "scm-eqc2" if p == _EQC else "scm-eqp2"
                yield rule, ((s, sub, o), (o, sub, s)), ()
        elif p in (_DOMAIN, _RANGE):
            kind = "dom" if p == _DOMAIN else "rng"
            for c1 in f.subjects(_SCO, o):
                if (s, p, c1) in known:
                    yield f"scm-{kind}1", ((s, p, c1), (c1, _SCO, o)), ()
            for p2 in f.objects(s, _SPO):
                if (p2, p, o) in known:
                    yield f"scm-{kind}2", ((p2, p, o), (s, _SPO, p2)), ()


def _lexically_valid(literal: Node) -> bool:
    """Tell whether a literal of an OWL 2 RL datatype has a valid lexical form (owlrl's check)."""
    if not isinstance(literal, Literal) or literal.datatype not in OWL_RL_Datatypes:
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
