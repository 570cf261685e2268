"""OWL RL reasoning: the closure of ontology + data, kept apart from what the sources assert.

The closure is computed by one of two engines over the triples of every named graph except
``graph:inferred``:

* ``fast`` -- :mod:`imtkg.reasoning.rl_reasoner`, a semi-naive implementation of every rule of
  the OWL 2 RL tables (W3C OWL 2 Profiles, section 4.3; milliseconds on the shipped graph);
* ``owlrl`` -- the owlrl library, kept as a reference to compare with (seconds; it has known
  departures from the tables, see ``docs/owl-rl-engine.md``);
* ``auto`` (the default) -- ``fast``: nothing is handed to owlrl any more.

What goes into ``graph:inferred`` is the closure minus what the sources assert, filtered:

1. **Nothing already asserted**, in any named graph (the ontology included).
2. **RDF only**: the rules reason over generalised RDF; triples with a literal subject (``"3.0"
   rdf:type xsd:decimal``) or a literal or blank-node predicate are dropped.
3. **No tautologies** (rules ``eq-ref``, ``scm-cls``, ``scm-op``, ``scm-dp``, ``cls-thing``):
   reflexive ``owl:sameAs``, ``rdfs:subClassOf``, ``rdfs:subPropertyOf``, ``owl:equivalentClass``
   and ``owl:equivalentProperty``; and every triple whose object is ``owl:Thing`` (``x rdf:type
   owl:Thing``, ``C rdfs:subClassOf owl:Thing``, ``p rdfs:domain owl:Thing``): everything is a
   thing.
4. **Nothing about the built-in vocabularies**: no triple whose subject is a term of RDF, RDFS,
   OWL or XSD (datatype axioms such as ``xsd:decimal rdf:type rdfs:Datatype``, annotation
   properties typed ``owl:AnnotationProperty``, ``owl:Nothing rdfs:subClassOf C``), and no
   ``rdf:type`` whose class is a built-in one (``owl:Class``, ``rdfs:Datatype``...): that is the
   vocabulary describing itself, not knowledge about the IMT network.
5. **No re-spelled values**: ``dt-eq`` makes ``"2"^^xsd:integer`` and ``"2.0"^^xsd:decimal``
   the same, and ``eq-rep-o`` then restates every triple of one with the other; a triple that
   only restates, under another spelling of the same value, a triple derived earlier (or
   asserted) is dropped (:meth:`~imtkg.reasoning.rl_reasoner.RLClosure.respelled`).
6. **No error records**: owlrl writes the inconsistencies it finds into the graph; they are
   reported by :mod:`imtkg.reasoning.consistency` instead.

With ``full=True`` only rules 1, 2 and 6 apply, on the fast engine's whole closure
(:meth:`~imtkg.reasoning.rl_reasoner.RLClosure.entailed`, tautologies included; owlrl's with
``engine="owlrl"``): the full OWL RL closure (that can be stored and queried) for whoever wants
it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal as Choice

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.reasoning.rl_reasoner import RLClosure, RLViolation, Triple, is_builtin

log = logging.getLogger(__name__)

Engine = Choice["auto", "fast", "owlrl"]
ENGINES: tuple[str, ...] = ("auto", "fast", "owlrl")

#: predicates whose reflexive triples are tautologies
REFLEXIVE_TAUTOLOGIES = frozenset(
    {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}
)


def iter_asserted(dataset: Dataset) -> Iterator[Triple]:
    """Yield the triples of every named graph except ``graph:inferred`` (repeats included)."""
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            yield from graph


def asserted_triples(dataset: Dataset) -> set[Triple]:
    """Return the triples of every named graph of ``dataset`` except ``graph:inferred``."""
    return set(iter_asserted(dataset))


def graphs_stating(dataset: Dataset, triple: Triple) -> list[URIRef]:
    """Return the named graphs of ``dataset`` asserting ``triple`` (not graph:inferred), sorted."""
    return sorted(
        graph.identifier
        for graph in dataset.graphs()
        if isinstance(graph.identifier, URIRef)
        and graph.identifier not in (INFERRED_GRAPH, DATASET_DEFAULT_GRAPH_ID)
        and triple in graph
    )


def is_rdf(triple: Triple) -> bool:
    """Tell whether ``triple`` is valid RDF (an IRI or blank subject, an IRI predicate)."""
    s, p, _ = triple
    return isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef)


# what a term is, for the noise filter (bit flags, computed once per distinct term)
_NOT_SUBJECT = 1  # a literal, or a built-in term: no meaningful subject
_NOT_PREDICATE = 2  # not an IRI
_THING = 4  # owl:Thing
_REFLEXIVE = 8  # a predicate whose reflexive triples are tautologies
_TYPE = 16  # rdf:type
_BUILTIN = 32  # a term of RDF, RDFS, OWL or XSD


def term_flags(term) -> int:
    """Return what the noise filter needs to know about one term (bit flags)."""
    builtin = is_builtin(term)
    flags = _BUILTIN if builtin else 0
    if builtin or not isinstance(term, (URIRef, BNode)):
        flags |= _NOT_SUBJECT
    if not isinstance(term, URIRef):
        flags |= _NOT_PREDICATE
    if term == OWL.Thing:
        flags |= _THING
    if term in REFLEXIVE_TAUTOLOGIES:
        flags |= _REFLEXIVE
    if term == RDF.type:
        flags |= _TYPE
    return flags


def _noise(s: int, p: int, o: int, reflexive: bool) -> bool:
    """Combine the flags of a triple's terms (see the module docstring for the rules)."""
    return bool(
        s & _NOT_SUBJECT
        or p & _NOT_PREDICATE
        or o & _THING
        or (p & _REFLEXIVE and reflexive)
        or (p & _TYPE and o & _BUILTIN)
    )


def is_noise(triple: Triple) -> bool:
    """Tell whether a closure triple is axiomatic noise rather than a meaningful inference.

    See the module docstring for the rules; asserted triples are not considered here.
    """
    s, p, o = triple
    return _noise(term_flags(s), term_flags(p), term_flags(o), s == o)


def encoded_noise(terms: Sequence[Node]) -> Callable[[int, int, int], bool]:
    """Return :func:`is_noise` for triples encoded as codes of ``terms``; each term is read and
    classified once, on first use (``terms`` may convert its terms lazily)."""
    flags: dict[int, int] = {}

    def flag(code: int) -> int:
        found = flags.get(code)
        if found is None:
            found = flags[code] = term_flags(terms[code])
        return found

    def noise(s: int, p: int, o: int) -> bool:
        fs, fp, fo = flags.get(s), flags.get(p), flags.get(o)
        if fs is None:
            fs = flag(s)
        if fp is None:
            fp = flag(p)
        if fo is None:
            fo = flag(o)
        return _noise(fs, fp, fo, s == o)

    return noise


def meaningful_inferences(closure: RLClosure) -> set[Triple]:
    """Return the derived triples of ``closure`` that are not noise (:func:`is_noise`)."""
    flags = [term_flags(term) for term in closure.terms]
    decode = closure.decode
    kept = (
        t
        for t in closure.derived_codes()
        if not _noise(flags[t[0]], flags[t[1]], flags[t[2]], t[0] == t[2])
    )
    if closure.has_aliases():
        kept = (t for t in kept if not closure.respelled(t))
    return {decode(t) for t in kept}


def owlrl_closure(triples: set[Triple]) -> tuple[set[Triple], list[str]]:
    """Return owlrl's OWL 2 RL closure of ``triples`` and the error messages it recorded."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(graph)
    errors: list[str] = []
    for record in list(graph.subjects(RDF.type, ERRNS.ErrorMessage)):
        errors.extend(str(m) for m in graph.objects(record, ERRNS.error))
        graph.remove((record, None, None))
    return set(graph), errors


@dataclass
class Reasoning:
    """The outcome of reasoning over a dataset.

    :param inferred: the triples for ``graph:inferred``.
    :param engine: the engine that computed them (``fast`` or ``owlrl``).
    :param seconds: how long it took (closure and filtering).
    :param closure: the fast engine's closure (ranks and derivations), when it ran.
    :param violations: the inconsistencies the fast engine found.
    :param owlrl_errors: the error messages owlrl recorded, when it ran.
    :param fallback: kept for callers: always empty (``auto`` no longer falls back to owlrl).
    """

    inferred: set[Triple]
    engine: str
    seconds: float = 0.0
    closure: RLClosure | None = None
    violations: list[RLViolation] = field(default_factory=list)
    owlrl_errors: list[str] = field(default_factory=list)
    fallback: list[str] = field(default_factory=list)


def reason(dataset: Dataset, full: bool = False, engine: Engine = "auto") -> Reasoning:
    """Compute the inferences of ``dataset``'s asserted graphs.

    :param full: keep the whole closure, not only the meaningful triples.
    :param engine: ``auto``, ``fast`` or ``owlrl`` (see the module docstring).
    :raises ValueError: for an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown reasoning engine {engine!r}; expected one of {ENGINES}")
    started = time.perf_counter()
    if engine != "owlrl":
        closure = RLClosure(iter_asserted(dataset)).run()
        if full:
            asserted = {closure.decode(t) for t, level in closure.rank.items() if not level}
            entailed = closure.entailed(generalised=False)
            inferred = {t for t in entailed if t not in asserted and is_rdf(t)}
        else:
            inferred = meaningful_inferences(closure)
        violations = closure.violations()
        seconds = time.perf_counter() - started
        return Reasoning(inferred, "fast", seconds, closure, violations)
    asserted = asserted_triples(dataset)
    triples, errors = owlrl_closure(asserted)
    keep = is_rdf if full else (lambda t: not is_noise(t))
    inferred = {t for t in triples if t not in asserted and keep(t)}
    return Reasoning(inferred, "owlrl", time.perf_counter() - started, owlrl_errors=errors)


def compute_inferences(dataset: Dataset, full: bool = False, engine: Engine = "auto") -> Graph:
    """Return the meaningful triples the OWL RL closure adds to the asserted named graphs."""
    graph = Graph()
    for triple in reason(dataset, full, engine).inferred:
        graph.add(triple)
    return graph


def store_inferred(dataset: Dataset, triples: set[Triple] | Graph) -> Graph:
    """Replace the content of ``dataset``'s ``graph:inferred`` with ``triples``; return it."""
    target = dataset.graph(INFERRED_GRAPH)
    target.remove((None, None, None))
    target.addN((s, p, o, target) for s, p, o in triples)
    return target


def add_inferred_graph(dataset: Dataset, full: bool = False, engine: Engine = "auto") -> Graph:
    """Compute the inferences of ``dataset`` and store them in its ``graph:inferred`` graph."""
    return store_inferred(dataset, reason(dataset, full, engine).inferred)


__all__ = [
    "ENGINES",
    "Reasoning",
    "add_inferred_graph",
    "asserted_triples",
    "compute_inferences",
    "graphs_stating",
    "iter_asserted",
    "is_noise",
    "meaningful_inferences",
    "is_rdf",
    "owlrl_closure",
    "reason",
    "store_inferred",
]
