"""A fast forward-chaining engine for every rule of the OWL 2 RL tables.

owlrl (the reference) re-applies every rule to every triple of the graph until nothing changes,
which takes seconds on the shipped graph. This engine applies the rules of the OWL 2 RL profile
(W3C, OWL 2 Profiles, section 4.3, Tables 4-9) semi-naively: each round only joins the triples
derived in the previous round (the *delta*) with what is known, in hashed indexes.

* The common rules keep per-predicate plans (:meth:`RLClosure._plan`): ``prp-dom``,
  ``prp-rng``, ``prp-spo1``, ``prp-eqp1/2``, ``prp-inv1/2`` and, for ``rdf:type``, ``cax-sco``,
  ``cax-eqc1/2``; the rest of the triple-at-a-time rules (``prp-symp``, ``prp-trp``, ``prp-spo2``
  over chains of any length, the schema rules ``scm-*``, ``scm-cls``, ``scm-op``, ``scm-dp``)
  run in :meth:`RLClosure._consequences`.
* Equality (``eq-sym``, ``eq-trans``, ``eq-rep-s/p/o``) runs only once some ``owl:sameAs``
  triple exists (:meth:`RLClosure._equality`).
* The rules joining through restrictions, lists, keys and characteristics (``cls-*``,
  ``prp-fp``, ``prp-ifp``, ``prp-key``, ``scm-int/uni/hv/svf/avf``) live in
  :mod:`imtkg.reasoning.rl_rules`, re-evaluated only in rounds whose delta can match them.
* The rules concluding ``false`` are checked on the fixpoint (:mod:`imtkg.reasoning.rl_clashes`).
* The datatype rules read the OWL 2 RL datatype map (:mod:`imtkg.reasoning.datatypes`).

Tautologies and data-value triples (``eq-ref`` for every term, ``x rdf:type owl:Thing``,
``dt-type2``, ``dt-diff``) stay implicit while no rule can read them (:meth:`RLClosure._liveness`;
an axiom on a built-in term such as ``owl:sameAs rdfs:range ex:C`` materialises them), and
:meth:`RLClosure.entailed` adds them on output. The premise-free rules that cost little
(``cls-thing``, ``cls-nothing1``, ``prp-ap``, ``dt-type1``, ``dt-eq``) are materialised in the
first round. :func:`unsupported_constructs` is kept for callers and names nothing.

Terms are encoded as integers on input (rdflib terms hash and compare in Python, integers in
C), and decoded on output. Each derived triple records the round that first derived it (its
*rank*; asserted triples have rank 0). A triple of rank *k* has a derivation whose premises all
have a lower rank, so :meth:`RLClosure.derivations` (with :mod:`imtkg.reasoning.rl_derivations`)
can rebuild a shortest, cycle-free derivation tree backwards.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Final

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from imtkg.core.errors import ImtKgError
from imtkg.reasoning import rl_vocabulary as V
from imtkg.reasoning.datatypes import RL_DATATYPES, data_value, datatypes_of, string_value
from imtkg.reasoning.rl_clashes import clashes
from imtkg.reasoning.rl_derivations import candidates
from imtkg.reasoning.rl_rules import (
    SCHEMA_CLASSES,
    SCHEMA_PREDICATES,
    ComplexRules,
    list_instances,
)
from imtkg.reasoning.rl_vocabulary import RESERVED

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

_TYPE, _SCO, _SPO, _DOMAIN, _RANGE = V.TYPE, V.SCO, V.SPO, V.DOMAIN, V.RANGE
_EQC, _EQP, _INV, _CHAIN = V.EQC, V.EQP, V.INV, V.CHAIN
_SYMMETRIC, _TRANSITIVE = V.SYMMETRIC, V.TRANSITIVE
_FIRST, _REST, _NIL = V.FIRST, V.REST, V.NIL
_DISJOINT, _ALL_DISJOINT, _MEMBERS, _NOTHING = V.DISJOINT, V.ALL_DISJOINT, V.MEMBERS, V.NOTHING
_SAME, _THING, _CLASS = V.SAME, V.THING, V.CLASS
_CHARACTERISTICS = frozenset({_SYMMETRIC, _TRANSITIVE, _CLASS, V.OBJECT_PROP, V.DATATYPE_PROP})
#: the predicates the rules read with a meaning (a term elsewhere is only a term)
_RULE_PREDICATES = tuple(
    code
    for code, term in enumerate(V.RESERVED[: V.ZERO_ID])
    if term
    not in (
        OWL.Thing,
        OWL.Nothing,
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDFS.Datatype,
        RDF.nil,
        OWL.SymmetricProperty,
        OWL.TransitiveProperty,
        OWL.AllDisjointClasses,
        OWL.AllDifferent,
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.IrreflexiveProperty,
        OWL.AsymmetricProperty,
        OWL.AllDisjointProperties,
    )
)
#: where owl:Thing or a datatype as object concludes nothing more than the implicit triples
_HARMLESS = frozenset({V.TYPE, V.SCO, V.DOMAIN, V.RANGE})
#: reflexive axiom predicate -> the predicate of the only new triple it can conclude
_REFLEXIVE_AXIOMS = {V.SCO: V.EQC, V.SPO: V.EQP, V.EQC: V.SCO, V.EQP: V.SPO}
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
    "scm-cls": "a class is a subclass and an equivalent of itself, of owl:Thing, above owl:Nothing",
    "scm-op": "an object property is a sub-property and an equivalent of itself",
    "scm-dp": "a data property is a sub-property and an equivalent of itself",
    "scm-int": "an intersection is a subclass of each of its classes",
    "scm-uni": "each class of a union is a subclass of the union",
    "scm-hv": "a value restriction on a sub-property is a subclass of one on the super-property",
    "scm-svf1": "an existential restriction on a subclass is a subclass of one on the superclass",
    "scm-svf2": "an existential restriction on a sub-property is below one on the super-property",
    "scm-avf1": "a universal restriction on a subclass is a subclass of one on the superclass",
    "scm-avf2": "a universal restriction on a super-property is below one on the sub-property",
    "eq-ref": "everything is the same as itself",
    "eq-sym": "sameness holds in both directions",
    "eq-trans": "sameness is transitive",
    "eq-rep-s": "what holds of a resource holds of the same resource under another name (subject)",
    "eq-rep-p": "what holds with a property holds with the same property under another name",
    "eq-rep-o": "what holds of a resource holds of the same resource under another name (object)",
    "prp-fp": "a functional property has one value: its values are the same",
    "prp-ifp": "an inverse-functional property identifies its subject: its subjects are the same",
    "prp-key": "instances of a class that share the values of its key are the same",
    "cls-thing": "owl:Thing is a class",
    "cls-nothing1": "owl:Nothing is a class",
    "cls-int1": "an instance of every class of an intersection is an instance of the intersection",
    "cls-int2": "an instance of an intersection is an instance of each of its classes",
    "cls-uni": "an instance of a class of a union is an instance of the union",
    "cls-svf1": "something with a value of the right class is in the existential restriction",
    "cls-svf2": "something with any value is in the existential restriction on owl:Thing",
    "cls-avf": "the values of an instance of a universal restriction are of its class",
    "cls-hv1": "an instance of a value restriction has the value",
    "cls-hv2": "what has the value is an instance of the value restriction",
    "cls-maxc2": "the values of an instance of a max-1 cardinality restriction are the same",
    "cls-maxqc3": "the values of the right class under a max-1 qualified restriction are the same",
    "cls-maxqc4": "the values under a max-1 qualified restriction on owl:Thing are the same",
    "cls-oo": "each member of an enumeration is an instance of it",
    "prp-ap": "a built-in annotation property is an annotation property",
    "dt-type1": "each OWL 2 RL datatype is a datatype",
    "dt-type2": "a literal is an instance of each datatype whose value space holds its value",
    "dt-eq": "literals with the same data value are the same",
    "dt-diff": "literals with different data values are different",
    "eq-diff1": "nothing is both the same as and different from something",
    "eq-diff2": "members of an owl:AllDifferent (owl:members) are not the same",
    "eq-diff3": "members of an owl:AllDifferent (owl:distinctMembers) are not the same",
    "prp-irp": "an irreflexive property never links a resource to itself",
    "prp-asyp": "an asymmetric property never holds in both directions",
    "prp-pdw": "disjoint properties never link the same pair",
    "prp-adp": "properties of an owl:AllDisjointProperties never link the same pair",
    "prp-npa1": "a negative property assertion must not hold",
    "prp-npa2": "a negative data property assertion must not hold",
    "cls-nothing2": "no individual is an instance of owl:Nothing",
    "cls-com": "no individual is an instance of a class and of its complement",
    "cls-maxc1": "an instance of a max-0 cardinality restriction has no value",
    "cls-maxqc1": "an instance of a max-0 qualified restriction has no value of the class",
    "cls-maxqc2": "an instance of a max-0 qualified restriction on owl:Thing has no value",
    "cax-dw": "no individual is an instance of two disjoint classes",
    "cax-adc": "no individual is an instance of two classes of an owl:AllDisjointClasses",
    "dt-not-type": "a literal's lexical form must be valid for its datatype",
}
_RULE_ORDER = {name: i for i, name in enumerate(RULES)}

#: predicates whose triples are ontology axioms rather than facts (shown as axioms in derivations)
AXIOM_PREDICATES = frozenset({SCO, SPO, DOMAIN, RANGE, EQC, EQP, INV, CHAIN, OWL.disjointWith})

#: namespaces of the built-in vocabularies
BUILTIN_NAMESPACES = (
    str(RDF),
    str(RDFS),
    str(OWL),
    "http://www.w3.org/2001/XMLSchema#",
)

#: the datatypes (IRIs) whose literals have a data value the rules read (``dt-*``)
LEXICALLY_CHECKED = frozenset(str(datatype) for datatype in RL_DATATYPES)

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
    """Return why the engine cannot compute the OWL RL closure of ``triples``: never anything,
    it implements every rule of the OWL 2 RL tables (kept for callers)."""
    del triples
    return []


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


def closure_limit(asserted: int) -> int:
    """Return the default bound on the closure of ``asserted`` triples: a million triples,
    plus twenty per asserted triple (the shipped graph's closure holds 1.1 per asserted triple,
    the synthetic 1M graph's 1.6)."""
    return 1_000_000 + 20 * asserted


class ClosureTooLarge(ImtKgError):
    """The OWL 2 RL closure of an input grows past the engine's bound."""

    def __init__(self, asserted: int, limit: int) -> None:
        self.asserted, self.limit = asserted, limit
        super().__init__(
            f"the OWL 2 RL closure of these {asserted} triples passes {limit} triples; "
            "an axiom probably makes most terms the same (owl:sameAs) or types every term: "
            "check axioms on built-in terms such as rdf:type or owl:sameAs"
        )


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
        #: the rules joining through restrictions, lists and keys
        self.complex = ComplexRules(self.index, self.rank, self.number)
        #: which implicit families are materialised (see :meth:`_liveness`)
        self.live: dict[str, bool] = {"thing": False, "datatypes": False, "eq-ref": False}
        #: terms given their ``eq-ref`` triple (when materialised)
        self._reflexive: set[int] = set()
        self._values: dict[int, tuple] | None = None
        self._value_cache: dict[int, tuple | None] = {}
        self._literal_codes: list[int] | None = None
        self._value_aliases: dict[int, list[int]] | None = None
        self._limit = closure_limit(0)

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
        """Return why the engine cannot compute this closure exactly: never anything (the
        engine implements every rule of the OWL 2 RL tables; kept for callers)."""
        return []

    # -- forward chaining ------------------------------------------------------------------

    def run(
        self,
        on_round: Callable[[set[IntTriple]], None] | None = None,
        limit: int | None = None,
    ) -> RLClosure:
        """Compute the fixpoint; return ``self``.

        :param on_round: called with the (encoded) triples each round derives, once they are
            in the closure: they are final, so a caller may write them out while the next
            rounds run.
        :param limit: the most triples the closure may hold (default :func:`closure_limit` of
            the input's size): a few lines can make a closure explode (``rdf:type`` declared
            inverse-functional makes the instances of a class one ``owl:sameAs`` clique, which
            ``eq-rep-*`` multiplies every triple by).
        :raises ClosureTooLarge: when the closure passes the limit.
        """
        bound = closure_limit(len(self.rank)) if limit is None else limit
        self._limit = bound
        with gc_paused():
            self._run(on_round, bound)
        return self

    def _run(self, on_round: Callable[[set[IntTriple]], None] | None, limit: int) -> None:
        delta: Iterable[IntTriple] = list(self.rank)
        rank, add = self.rank, self.index.add
        pending = self._axiomatic()
        pending |= self._wake()
        while True:
            new: set[IntTriple] = {t for t in pending if t not in rank}
            pending = set()
            predicates, classes = self._round(delta, new)
            if not predicates.isdisjoint((_CHAIN, _FIRST, _REST)):
                self._refresh_chains(new)
                new.difference_update(rank)
            self._complex_round(delta, new, predicates, classes)
            self._equality(delta, new)
            if not new:
                pending = self._wake()
                if not pending:
                    return
                delta = []
                continue
            if len(rank) + len(new) > limit:
                raise ClosureTooLarge(self._asserted(), limit)
            self.rounds += 1
            level = self.rounds
            for triple in new:
                rank[triple] = level
                add(triple)
            if on_round is not None:
                on_round(new)
            delta = new

    def _asserted(self) -> int:
        """Return the number of asserted triples."""
        return sum(1 for level in self.rank.values() if not level)

    # -- the rules beyond the common ones -------------------------------------------------

    def _axiomatic(self) -> set[IntTriple]:
        """Return the triples of the rules without premises about the data: ``cls-thing``,
        ``cls-nothing1``, ``prp-ap``, ``dt-type1``, and ``dt-eq`` for the literals."""
        found = {(V.THING, _TYPE, _CLASS), (_NOTHING, _TYPE, _CLASS)}
        found.update((p, _TYPE, V.ANNOTATION_PROP) for p in V.ANNOTATION_IDS)
        found.update((d, _TYPE, V.DATATYPE) for d in V.DATATYPE_IDS)
        for code, others in self._aliases().items():
            found.update((code, _SAME, other) for other in others)  # dt-eq
        return found

    def literal_codes(self) -> list[int]:
        """Return the codes of the literals occurring in the input (after
        :meth:`from_encoded`: those it was given)."""
        if self._literal_codes is None:
            terms = self._terms
            if self._literals is None:
                candidates: Iterable[int] = (
                    i for i, t in enumerate(terms) if isinstance(t, Literal)
                )
            else:
                candidates = self._literals
            self._literal_codes = [
                code
                for code in candidates
                if code not in (V.ZERO_ID, V.ONE_ID) or self._occurs(code)
            ]
        return self._literal_codes

    def literal_value(self, code: int) -> tuple | None:
        """Return the data value of the term ``code`` (``None``: not a literal with one)."""
        cache = self._value_cache
        if code in cache:
            return cache[code]
        term = self._terms[code]
        if not isinstance(term, Literal):
            value = None
        elif term.datatype is None:
            value = string_value(str(term), term.language)
        else:
            value = data_value(term)
        cache[code] = value
        return value

    def literal_values(self) -> dict[int, tuple]:
        """Return the codes of the literals occurring in the input that have a data value,
        with their values (:func:`imtkg.reasoning.datatypes.data_value`)."""
        if self._values is None:
            value_of = self.literal_value
            values = {}
            for code in self.literal_codes():
                value = value_of(code)
                if value is not None:
                    values[code] = value
            self._values = values
        return self._values

    def number(self, code: int, number: int) -> bool:
        """Tell whether the term ``code`` is a literal whose data value is the integer
        ``number`` (the cardinalities of ``cls-maxc*`` and ``cls-maxqc*``)."""
        value = self.literal_value(code)
        return value is not None and value == ("number", number)

    def _occurs(self, code: int) -> bool:
        """Tell whether the term ``code`` is the subject or object of a triple."""
        f = self.index
        return any(code in by_s for by_s in f.ps.values()) or any(
            code in by_o for by_o in f.po.values()
        )

    def _liveness(self) -> dict[str, bool]:
        """Tell which implicit families some rule could use as premises in the closure.

        Tautologies and data-value triples stay implicit (added by :meth:`entailed`) while no
        rule can read them: ``x rdf:type owl:Thing`` and ``c rdfs:subClassOf owl:Thing``
        (``thing``) while owl:Thing appears only as the object of ``rdf:type``,
        ``rdfs:subClassOf``, ``rdfs:domain`` or ``rdfs:range``; ``lt rdf:type dt``
        (``datatypes``, ``dt-type2``) while no datatype appears but as the object of those;
        ``eq-ref`` and ``dt-diff`` (``eq-ref``) while the built-in properties those triples use
        never appear as a subject or an object. A built-in property in such a position
        (``owl:sameAs rdfs:range ex:C``) materialises everything.
        """
        f = self.index
        ps, po = f.ps, f.po
        rule_ps = [ps[p] for p in _RULE_PREDICATES if p in ps]
        rule_po = [po[p] for p in _RULE_PREDICATES if p in po]
        builtin = (_TYPE, _SAME, V.DIFF, _SCO, _DOMAIN, _RANGE)
        if any(t in table for t in builtin for table in (*rule_ps, *rule_po)):
            return {"thing": True, "datatypes": True, "eq-ref": True}
        thing = False
        for p in _RULE_PREDICATES:
            objects = ps.get(p, {}).get(V.THING)
            if objects and p != _TYPE and not (p in (_SCO, _EQC, _SAME) and objects == {V.THING}):
                thing = True
            subjects = po.get(p, {}).get(V.THING)
            if (
                subjects
                and p not in _HARMLESS
                and not (p in (_EQC, _SAME) and subjects == {V.THING})
            ):
                thing = True
        datatypes = any(
            d in table
            for d in V.DATATYPE_IDS
            for table in (
                *(ps[p] for p in _RULE_PREDICATES if p in ps and p != _TYPE),
                *(po[p] for p in _RULE_PREDICATES if p in po and p not in _HARMLESS),
            )
        )
        return {"thing": thing, "datatypes": datatypes, "eq-ref": False}

    def _wake(self) -> set[IntTriple]:
        """Materialise the implicit families that became live; return their triples."""
        found: set[IntTriple] = set()
        for family, live in self._liveness().items():
            if not live or self.live[family]:
                continue
            self.live[family] = True
            if family == "thing":
                for c in self.index.subjects(_TYPE, _CLASS):
                    found.add((c, _SCO, V.THING))  # scm-cls
            elif family == "datatypes":
                found.update(self._data_types())
            else:
                found.update(self._reflexive_triples(self.rank))
                found.update(self._differences())
        return found - self.rank.keys()

    def _data_types(self, literals: Iterable[int] | None = None) -> Iterator[IntTriple]:
        """Yield ``dt-type2``: each literal (of ``literals``, default all) is an instance of the
        datatypes holding its value."""
        codes = {term: code for code, term in enumerate(RESERVED)}
        terms = self._terms
        for code in self.literal_values() if literals is None else literals:
            for datatype in datatypes_of(terms[code]):
                yield (code, _TYPE, codes[datatype])

    def _differences(self) -> Iterator[IntTriple]:
        """Yield ``dt-diff``: literals with different data values are different."""
        values = self.literal_values()
        for a, va in values.items():
            for b, vb in values.items():
                if va != vb:
                    yield (a, V.DIFF, b)

    def _reflexive_triples(self, triples: Iterable[IntTriple]) -> set[IntTriple]:
        """Return ``eq-ref`` for the terms of ``triples`` not given theirs yet."""
        seen = self._reflexive
        found = set()
        for triple in triples:
            for term in triple:
                if term not in seen:
                    seen.add(term)
                    found.add((term, _SAME, term))
        return found

    def _complex_round(
        self,
        delta: Iterable[IntTriple],
        new: set[IntTriple],
        predicates: set[int],
        classes: set[int] | None,
    ) -> None:
        """Apply the rules of :class:`~imtkg.reasoning.rl_rules.ComplexRules` this round.

        :param predicates: the predicates of ``delta``.
        :param classes: the classes of its ``rdf:type`` triples (``None``: not worked out).
        """
        complex_rules, rank = self.complex, self.rank
        if classes is None:
            schema_types = any(p == _TYPE and o in SCHEMA_CLASSES for _, p, o in delta)
        else:
            schema_types = not classes.isdisjoint(SCHEMA_CLASSES)
        if (
            not complex_rules.compiled
            or schema_types
            or not predicates.isdisjoint(SCHEMA_PREDICATES)
        ):
            if (
                not complex_rules.compiled
                and not any(p in self.index.ps for p in SCHEMA_PREDICATES)
                and not any(self.index.subjects(_TYPE, c) for c in SCHEMA_CLASSES)
            ):
                complex_rules.compiled = True  # nothing to compile: stays empty
                families: set[str] = set()
            else:
                new.update(t for t in complex_rules.compile() if t not in rank)
                families = set(complex_rules.FAMILIES)
        else:
            families = complex_rules.dirty(delta)
        if families:
            new.update(t for t in complex_rules.fire(families) if t not in rank)
        if self.live["eq-ref"]:
            new.update(self._reflexive_triples(delta))

    def _equality(self, delta: Iterable[IntTriple], new: set[IntTriple]) -> None:
        """Apply ``eq-sym``, ``eq-trans`` and ``eq-rep-s/p/o`` to ``delta``."""
        f, rank = self.index, self.rank
        same = f.ps.get(_SAME)
        if not same:
            return
        ps, po = f.ps, f.po
        found: list[IntTriple] = []
        add = found.append
        for s, p, o in delta:
            if p == _SAME:
                add((o, _SAME, s))  # eq-sym
                for z in f.objects(o, _SAME):
                    add((s, _SAME, z))  # eq-trans
                for w in f.subjects(_SAME, s):
                    add((w, _SAME, o))
                for p2, by_s in ps.items():
                    for o2 in by_s.get(s, ()):
                        add((o, p2, o2))  # eq-rep-s
                for p2, by_o in po.items():
                    for s2 in by_o.get(s, ()):
                        add((s2, p2, o))  # eq-rep-o
                for s2, o2 in f.pairs(s):
                    add((s2, o, o2))  # eq-rep-p
            for s2 in same.get(s, ()):
                add((s2, p, o))  # eq-rep-s
            for o2 in same.get(o, ()):
                add((s, p, o2))  # eq-rep-o
            for p2 in same.get(p, ()):
                add((s, p2, o))  # eq-rep-p
            if len(found) > self._limit:
                raise ClosureTooLarge(self._asserted(), self._limit)
        new.update(t for t in found if t not in rank)

    def _round(
        self, delta: Iterable[IntTriple], new: set[IntTriple]
    ) -> tuple[set[int], set[int] | None]:
        """Add to ``new`` the conclusions of ``delta`` that are not in the closure yet; return
        the predicates of ``delta`` and the classes of its ``rdf:type`` triples (``None`` when
        ``rdf:type`` has no plan of its own this round).

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
        typed = set(supers) if plans.get(_TYPE, _TYPE_PLAN) is _TYPE_PLAN else None
        return set(plans), typed

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
        implied_set = {*f.objects(p, _SPO), *f.objects(p, _EQP), *f.subjects(_EQP, p)}
        implied_set.discard(p)
        implied = tuple(implied_set)
        inverses = tuple({*f.objects(p, _INV), *f.subjects(_INV, p)})
        if p == _TYPE:
            return _TYPE_PLAN if not (domains or ranges or implied or inverses) else None
        if not (domains or ranges or implied or inverses):
            return _INERT
        return domains, ranges, implied, inverses

    def _superclasses(self, c: int) -> tuple[int, ...] | None:
        """Return the classes ``x rdf:type c`` makes ``x`` an instance of this round
        (``cax-sco``, ``cax-eqc1/2``), or ``None`` for a property characteristic (left to
        :meth:`_type_consequences`)."""
        if c in _CHARACTERISTICS:
            return None
        f = self.index
        found = {*f.objects(c, _SCO), *f.objects(c, _EQC), *f.subjects(_EQC, c)}
        found.discard(c)
        return tuple(found)

    def _refresh_chains(self, new: set[IntTriple]) -> None:
        """Re-read the property chains (a round brought a chain or list triple); fire the new
        chains in full."""
        for prop, heads in list(self.index.ps.get(_CHAIN, {}).items()):
            chains = [(head, chain) for head in heads for chain in list_instances(self.index, head)]
            for head, chain in chains:
                if not chain or chain in self.chains.get(prop, {}):
                    continue
                self.chains.setdefault(prop, {})[chain] = head
                for position, step in enumerate(chain):
                    self._chain_steps.setdefault(step, []).append((prop, chain, position))
                for x, y in self.index.pairs(chain[0]):
                    for z in self._chain_ends(chain, 1, y):
                        new.add((x, prop, z))

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
        if c == _CLASS:
            yield (x, _SCO, x)  # scm-cls
            yield (x, _EQC, x)
            yield (_NOTHING, _SCO, x)
            if self.live["thing"]:
                yield (x, _SCO, _THING)
        elif c in (V.OBJECT_PROP, V.DATATYPE_PROP):
            yield (x, _SPO, x)  # scm-op, scm-dp
            yield (x, _EQP, x)
        elif c == _SYMMETRIC:
            for a, b in f.pairs(x):
                yield (b, x, a)  # prp-symp
        elif c == _TRANSITIVE:
            for a, b in f.pairs(x):
                for z in f.objects(b, x):
                    yield (a, x, z)  # prp-trp

    def _axiom_consequences(self, s: int, p: int, o: int) -> Iterator[IntTriple]:
        """Conclusions of an axiom triple ``s p o`` (p is a schema predicate)."""
        f = self.index
        if s == o and p in _REFLEXIVE_AXIOMS:
            # ``c rdfs:subClassOf c`` (scm-cls...) concludes nothing but its equivalence:
            # every other rule gives back one of its own premises
            yield (s, _REFLEXIVE_AXIOMS[p], s)  # scm-eqc2, scm-eqp2, scm-eqc1, scm-eqp1
            return
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
        """Return the inconsistencies of the closure: every instance of an OWL 2 RL rule whose
        conclusion is ``false`` (:mod:`imtkg.reasoning.rl_clashes`), sorted, once each."""
        terms, decode = self._terms, self.decode
        found: set[RLViolation] = set()
        for rule, triples, subject, classes, datatype in clashes(self):
            found.add(
                RLViolation(
                    rule,
                    tuple(map(decode, triples)),
                    terms[subject],
                    tuple(terms[c] for c in classes),
                    _datatype_of(terms[subject]) if datatype < 0 else terms[datatype],
                )
            )
        return sorted(found, key=lambda v: (v.rule, v.triples[1:] or v.triples))

    def respelled(self, triple: IntTriple) -> bool:
        """Tell whether ``triple`` restates, with a literal of the same data value (``dt-eq``,
        then ``eq-rep-s/o``), a triple the closure derived in an earlier round (or asserts):
        ``x p "2.0"^^xsd:decimal`` beside ``x p "2"^^xsd:integer``."""
        aliases = self._aliases()
        if not aliases:
            return False
        s, p, o = triple
        level = self.rank.get(triple)
        if level is None:
            return False
        rank = self.rank
        for other in aliases.get(o, ()):
            known = rank.get((s, p, other))
            if known is not None and known < level:
                return True
        for other in aliases.get(s, ()):
            known = rank.get((other, p, o))
            if known is not None and known < level:
                return True
        return False

    def has_aliases(self) -> bool:
        """Tell whether two literals of the input have the same data value (``dt-eq``)."""
        return bool(self._aliases())

    def _aliases(self) -> dict[int, list[int]]:
        """Return literal code -> the other literals of the same data value.

        Only typed literals and language tags not in lower case are valued here: two simple
        or tagged literals with the same text and tag are one term, so such a literal shares
        its value with another only if a typed or re-cased one has it.
        """
        if self._value_aliases is None:
            terms, value_of = self._terms, self.literal_value
            groups: dict[tuple, list[int]] = {}
            plain: dict[tuple, int] = {}
            for code in self.literal_codes():
                term = terms[code]
                language = term.language  # type: ignore[attr-defined]
                if term.datatype is None and (not language or language == language.lower()):  # type: ignore[attr-defined]
                    text = str(term)
                    plain[("lang", text, language) if language else ("string", text)] = code
                    continue
                value = value_of(code)
                if value is not None:
                    groups.setdefault(value, []).append(code)
            for value, codes in groups.items():
                other = plain.get(value)
                if other is not None and value_of(other) == value:
                    codes.append(other)
            self._value_aliases = {
                code: [c for c in codes if c != code]
                for codes in groups.values()
                if len(codes) > 1
                for code in codes
            }
        return self._value_aliases

    def entailed(self, generalised: bool = True) -> set[Triple]:
        """Return every triple of the closure as the OWL 2 RL tables define it.

        The materialised triples (asserted included), plus the implicit ones the engine keeps
        out of its index while no rule reads them (:meth:`_liveness`): ``owl:Thing`` typing
        (``scm-cls``, ``scm-dom1``, ``scm-rng1``, ``cax-sco``), ``dt-type2`` and ``dt-diff``
        (copied to the resources the same as a literal, ``eq-rep-s/o``), and ``eq-ref`` for
        every term of every triple. Quadratic in the number of literals (``dt-diff``): meant
        for small graphs.

        :param generalised: include the triples whose subject is a literal; without them (for
            RDF output) the implicit ones are only made for the resources a literal is the
            same as, which is quick.
        """
        codes = set(self.rank)
        f, terms = self.index, self._terms
        if not self.live["thing"]:
            declared = set(f.subjects(_TYPE, _CLASS))
            classes = {c for d in declared for c in f.subjects(_SCO, d)} | declared
            codes.update((c, _SCO, _THING) for c in classes)
            for c in classes:
                codes.update((x, _TYPE, _THING) for x in f.subjects(_TYPE, c))
                codes.update((p, _DOMAIN, _THING) for p in f.subjects(_DOMAIN, c))
                codes.update((p, _RANGE, _THING) for p in f.subjects(_RANGE, c))

        def aliases(code: int) -> set[int]:
            return {code, *f.objects(code, _SAME)}

        def subjects(code: int) -> set[int]:
            found = aliases(code)
            return found if generalised else {x for x in found if not isinstance(terms[x], Literal)}

        values = self.literal_values()
        sources = values if generalised else {c: v for c, v in values.items() if subjects(c)}
        if not self.live["datatypes"]:
            for s, _, o in self._data_types(sources):
                codes.update((x, _TYPE, o) for x in subjects(s))
        if not self.live["eq-ref"]:
            for a, va in sources.items():
                own = subjects(a)
                for b, vb in values.items():
                    if va != vb:
                        codes.update((x, V.DIFF, y) for x in own for y in aliases(b))
            terms_seen = {t for triple in codes for t in triple}
            if codes:
                terms_seen.add(_SAME)
            if len(set(values.values())) > 1:  # dt-diff between literals
                terms_seen.add(V.DIFF)
            codes.update((t, _SAME, t) for t in terms_seen)
        if not generalised:
            codes = {t for t in codes if not isinstance(terms[t[0]], Literal)}
        decode = self.decode
        return {decode(t) for t in codes}

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
            highest = max(ranks, default=-1)
            if highest < level:
                derivation = Derivation(
                    rule, tuple(map(self.decode, axioms)), tuple(map(self.decode, premises))
                )
                found.append(((highest, sum(ranks), _RULE_ORDER[rule]), derivation))
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
        yield from candidates(self, triple)

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


def _datatype_of(term: Node) -> Node | None:
    """Return the datatype of a literal (``None`` for other terms)."""
    return term.datatype if isinstance(term, Literal) else None


def closure_of(triples: Iterable[Triple]) -> RLClosure:
    """Return the computed closure of ``triples``."""
    return RLClosure(triples).run()


__all__ = [
    "AXIOM_PREDICATES",
    "ClosureTooLarge",
    "closure_limit",
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
