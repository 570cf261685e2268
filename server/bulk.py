"""Build the served store straight from RDF files with pyoxigraph: the path for large datasets.

The rdflib path (:func:`imtkg.knowledge.load_knowledge_graph`) parses every triple into rdflib
terms (about 100 s for a million triples); this one never builds an rdflib dataset:

1. **load**: each file is parsed by Oxigraph and its quads bulk-loaded into the store in one
   pass (a quad file, ``.nq`` or ``.trig``, keeps its named graphs, a triple file goes to the
   graph the caller names), while each triple is encoded as integers keyed by pyoxigraph term
   (hashed in Rust; reading the quads back from an on-disk store would cost 30 µs a quad);
2. **reason**: each *distinct* term is converted to rdflib once, and the fast OWL RL
   engine (:class:`imtkg.rl_engine.RLClosure`) runs on the integers
   (:meth:`~imtkg.rl_engine.RLClosure.from_encoded`), with owlrl as fallback when the input uses
   vocabulary the fast engine does not implement, exactly as :func:`imtkg.reasoning.reason`;
3. **write**: the hidden asserted-union graph (every distinct asserted triple, see
   :mod:`imtkg.store`) and ``graph:inferred`` (the closure's meaningful new triples, filtered by
   :func:`imtkg.reasoning.is_noise`) are added, straight from the encoded triples.

The result holds the same graphs as :func:`imtkg.store.build_store` over the rdflib path (tests
check it). Each step shows its progress (:mod:`imtkg.progress`). An inconsistent graph raises
:class:`imtkg.consistency.InconsistentGraphError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .consistency import Inconsistency, InconsistentGraphError, violation_message
from .errors import InputError
from .manifest import count_graphs
from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, graph_iri_for
from .progress import counted, progress
from .reasoning import is_noise, owlrl_closure
from .rl_engine import RESERVED, IntTriple, RLClosure
from .store import ASSERTED_UNION, INTERNAL_GRAPHS, _to_ox

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: file suffix -> Oxigraph format, for files holding their own named graphs
QUAD_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
#: file suffix -> Oxigraph format, for files of triples (loaded into a named graph)
TRIPLE_FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}

#: a file and, for a triple file, the IRI of the named graph it goes to
Source = tuple[Path, str | None]


@dataclass
class BulkBuild:
    """A store built by :func:`build_store_from_sources`.

    :param store: the Oxigraph store (named graphs, hidden union, ``graph:inferred``).
    :param graphs: every named graph (hidden union included) -> its number of triples.
    :param engine: the reasoning engine that ran (``fast``, ``owlrl``, or ``none``).
    :param seconds: step name (``load``, ``reason``, ``write``) -> seconds.
    """

    store: ox.Store
    graphs: dict[str, int]
    engine: str
    seconds: dict[str, float] = field(default_factory=dict)


def dataset_sources(files: Iterable[Path]) -> list[Source]:
    """Return the sources of dataset files: quad files keep their graphs, a triple file goes to
    ``graph:<file stem>`` (``graph:ontology`` for a file named ``ontology``)."""
    sources: list[Source] = []
    for path in files:
        suffix = Path(path).suffix.lower()
        if suffix in QUAD_FORMATS:
            sources.append((Path(path), None))
        elif suffix in TRIPLE_FORMATS:
            sources.append((Path(path), str(graph_iri_for(Path(path).stem))))
        else:
            known = ", ".join(sorted({*QUAD_FORMATS, *TRIPLE_FORMATS}))
            raise InputError(str(path), f"unknown dataset file type {suffix!r} (expected {known})")
    return sources


def folder_sources(ontology_files: Iterable[Path], graph_files: Iterable[Path]) -> list[Source]:
    """Return the sources of the ontology and graph folders' files, as the rdflib path reads them
    (:func:`imtkg.dataset.load_dataset`)."""
    return [(Path(p), str(ONTOLOGY_GRAPH)) for p in ontology_files] + [
        (Path(p), str(graph_iri_for(Path(p).stem))) for p in graph_files
    ]


def parse_sources(sources: Iterable[Source]) -> Iterator[ox.Quad]:
    """Yield the quads of every source, triples of a triple file in the graph it names; quads
    of the inferred and hidden graphs (a served store's dump given back as input) are skipped.

    :raises InputError: naming the file (and the line) that cannot be read or parsed.
    """
    skipped = {str(INFERRED_GRAPH), *INTERNAL_GRAPHS}
    for path, graph in sources:
        suffix = path.suffix.lower()
        fmt = QUAD_FORMATS.get(suffix) or TRIPLE_FORMATS.get(suffix)
        target = ox.NamedNode(graph) if graph is not None and suffix not in QUAD_FORMATS else None
        try:
            for quad in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()):
                if target is not None:
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, target)
                elif not (
                    isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in skipped
                ):
                    yield quad
        except SyntaxError as exc:
            raise InputError(str(path), f"syntax error: {exc}", _line(exc)) from None
        except OSError as exc:
            raise InputError(str(path), f"cannot read file: {exc}") from None


def _line(exc: SyntaxError) -> int | None:
    """Return the (1-based) line of a pyoxigraph syntax error, when it says."""
    return exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None


def to_rdflib(term) -> Node:
    """Return the rdflib term of a pyoxigraph term (plain literals stay without a datatype, as
    rdflib's parsers make them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == XSD_STRING else Literal(term.value, datatype=datatype)


class TermTable:
    """Integer ids of pyoxigraph terms, with each term's rdflib equivalent (first ids: RESERVED)."""

    def __init__(self) -> None:
        self.ox_terms: list = [_to_ox(term) for term in RESERVED]
        self.ids: dict = {term: number for number, term in enumerate(self.ox_terms)}

    def encode_one(self, quad: ox.Quad) -> IntTriple:
        """Return the encoded triple of ``quad``, adding its new terms to the table."""
        ids, terms = self.ids, self.ox_terms
        s, p, o = ids.get(quad.subject), ids.get(quad.predicate), ids.get(quad.object)
        if s is None:
            s = ids[quad.subject] = len(terms)
            terms.append(quad.subject)
        if p is None:
            p = ids[quad.predicate] = len(terms)
            terms.append(quad.predicate)
        if o is None:
            o = ids[quad.object] = len(terms)
            terms.append(quad.object)
        return (s, p, o)

    def rdflib_terms(self) -> list[Node]:
        """Return the rdflib term of every id (RESERVED first)."""
        return list(RESERVED) + [to_rdflib(t) for t in self.ox_terms[len(RESERVED) :]]


def build_store_from_sources(
    sources: Iterable[Source], path: Path | None = None, reason: bool = True
) -> BulkBuild:
    """Load ``sources`` into a new store (on disk at ``path``), reason, add the derived graphs.

    :raises InputError: when a file cannot be parsed.
    :raises InconsistentGraphError: when the reasoner finds the graph inconsistent.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    store = ox.Store(str(path)) if path is not None else ox.Store()
    table = TermTable()
    asserted: set[IntTriple] = set()

    def remembered(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """Pass the quads on to the store, keeping their encoded triples."""
        add, encode = asserted.add, table.encode_one
        for quad in quads:
            add(encode(quad))
            yield quad

    with progress("loading") as bar:
        store.bulk_extend(counted(remembered(parse_sources(sources)), bar))
    seconds["load"] = time.perf_counter() - started

    started = time.perf_counter()
    engine, inferred = _reason(table, asserted) if reason else ("none", [])
    seconds["reason"] = time.perf_counter() - started

    started = time.perf_counter()
    terms = table.ox_terms
    union, inferred_graph = ox.NamedNode(ASSERTED_UNION), ox.NamedNode(str(INFERRED_GRAPH))
    total = len(asserted) + len(inferred)
    with progress("writing the union and inferred graphs", total=total) as bar:
        quads = chain(
            (ox.Quad(terms[s], terms[p], terms[o], union) for s, p, o in asserted),
            (ox.Quad(s, p, o, inferred_graph) for s, p, o in inferred),
        )
        store.bulk_extend(counted(quads, bar))
    store.flush()
    graphs = count_graphs(store)
    seconds["write"] = time.perf_counter() - started
    return BulkBuild(store, graphs, engine, seconds)


def build_store_from_files(
    files: Iterable[Path], path: Path | None = None, reason: bool = True
) -> BulkBuild:
    """:func:`build_store_from_sources` of dataset files (:func:`dataset_sources`)."""
    return build_store_from_sources(dataset_sources(files), path, reason)


def _reason(table: TermTable, asserted: set[IntTriple]) -> tuple[str, list[tuple]]:
    """Return the engine used and the inferred triples (pyoxigraph terms), as
    :func:`imtkg.reasoning.reason` computes them."""
    with progress("converting the terms", unit="terms", total=len(table.ox_terms)) as bar:
        terms = table.rdflib_terms()
        bar.update(len(terms))
    closure = RLClosure.from_encoded(terms, asserted)
    fallback = closure.unsupported()
    if not fallback:
        with progress("reasoning (OWL 2 RL, fast engine)", total=len(asserted)) as bar:
            closure.run()
            bar.update(len(closure.rank))
        fallback = closure.unsupported()
    if fallback:
        log.info("reasoning with owlrl: the input %s", "; ".join(fallback))
        decoded = {closure.decode(t) for t in asserted}
        triples, errors = owlrl_closure(decoded)
        if errors:
            raise InconsistentGraphError([Inconsistency("owl-rl", m) for m in errors])
        kept = [t for t in triples if t not in decoded and not is_noise(t)]
        return "owlrl", [tuple(_to_ox(term) for term in t) for t in kept]
    violations = closure.violations()
    if violations:
        raise InconsistentGraphError(
            [Inconsistency(v.rule, violation_message(v), v.triples) for v in violations]
        )
    ox_terms, rank = table.ox_terms, closure.rank
    inferred = [
        (ox_terms[t[0]], ox_terms[t[1]], ox_terms[t[2]])
        for t, level in rank.items()
        if level > 0 and not is_noise((terms[t[0]], terms[t[1]], terms[t[2]]))
    ]
    return "fast", inferred


def rdflib_dataset(sources: Iterable[Source]):
    """Return the rdflib dataset of ``sources``, graph by graph as :func:`parse_sources` reads
    them (for what needs rdflib: validation, explanations, detailed inconsistency reports)."""
    from .dataset import new_dataset
    from .loading import parse_file, parse_quads_file

    dataset = new_dataset()
    for path, graph in sources:
        if graph is not None and path.suffix.lower() not in QUAD_FORMATS:
            parse_file(path, dataset.graph(URIRef(graph)))
        else:
            parse_quads_file(path, dataset)
    return dataset


def explain_inconsistencies(sources: list[Source], error: InconsistentGraphError) -> None:
    """Raise the inconsistencies of ``sources`` with the asserted triples and graphs behind them
    (the rdflib path's report, :func:`imtkg.consistency.find_inconsistencies`), else ``error``."""
    from .consistency import ensure_consistent, find_inconsistencies

    ensure_consistent(find_inconsistencies(rdflib_dataset(sources)))
    raise error
