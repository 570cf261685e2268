"""Build the served store straight from RDF files with pyoxigraph: the path for large datasets.

The rdflib path (:func:`imtkg.store.knowledge.load_knowledge_graph`) parses every triple into rdflib
terms (about 100 s for a million triples); this one never builds an rdflib dataset:

1. **load**: each file is parsed by Oxigraph (a quad file, ``.nq`` or ``.trig``, keeps its named
   graphs, a triple file goes to the graph the caller names); each triple is encoded as
   integers keyed by pyoxigraph term (hashed in Rust), and each quad handed to the store as
   N-Quads text made from the terms' N-Triples text (:mod:`imtkg.store.bulk_terms`);
2. **reason**: the fast OWL RL engine (:class:`imtkg.reasoning.rl_reasoner.RLClosure`) runs on the
   integers (:meth:`~imtkg.reasoning.rl_reasoner.RLClosure.from_encoded`), reading as rdflib terms
   only those it looks at (the schema, the literals it checks), exactly as
   :func:`imtkg.reasoning.closure.reason` (every rule of the OWL 2 RL tables);
3. **write**: the hidden asserted-union graph (every distinct asserted triple, see
   :mod:`imtkg.store.oxigraph_store`) and ``graph:inferred`` (the closure's meaningful new triples,
   filtered by :func:`imtkg.reasoning.closure.is_noise`, without re-spelled values) are added,
   straight from the encoded triples.

The store is written once, by Oxigraph's bulk loader in a thread of its own
(:class:`imtkg.store.bulk_writer.StoreWriter`) while this one parses and reasons: a million triples
cost about 10 s of Oxigraph's time each for the named graphs, the union and the inferred graph.
The graph sizes come from the encoding, not from counting the store. Python's cycle collector
is paused throughout (millions of acyclic tuples).

The result holds the same graphs as :func:`imtkg.store.oxigraph_store.build_store` over the rdflib
path (tests check it). Each step shows its progress (:mod:`imtkg.core.progress`). An inconsistent
graph raises :class:`imtkg.reasoning.consistency.InconsistentGraphError`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.core.progress import progress
from imtkg.data.sources import (  # noqa: F401 - part of this module's interface
    QUAD_FORMATS,
    TRIPLE_FORMATS,
    Source,
    dataset_sources,
    folder_sources,
)
from imtkg.rdf.reading import SUFFIX_FORMATS, read_quads
from imtkg.reasoning.closure import encoded_noise
from imtkg.reasoning.consistency import Inconsistency, InconsistentGraphError, violation_message
from imtkg.reasoning.rl_reasoner import IntTriple, RLClosure, gc_paused
from imtkg.store.bulk_terms import LazyTerms, TermTable, to_rdflib
from imtkg.store.bulk_writer import CHUNK_QUADS, StoreWriter, graph_suffix, nquads_chunks
from imtkg.store.oxigraph_store import ASSERTED_UNION, INTERNAL_GRAPHS

log = logging.getLogger(__name__)

#: a triple of pyoxigraph terms
OxTriple = tuple[
    ox.NamedNode | ox.BlankNode | ox.Triple,
    ox.NamedNode,
    ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
]

__all__ = [
    "BulkBuild",
    "build_store_from_files",
    "build_store_from_sources",
    "release_memory",
    "to_rdflib",
]


@dataclass
class BulkBuild:
    """A store built by :func:`build_store_from_sources`.

    :param store: the Oxigraph store (named graphs, hidden union, ``graph:inferred``).
    :param graphs: every named graph (hidden union included) -> its number of triples.
    :param engine: the reasoning engine that ran (``fast``, or ``none``).
    :param seconds: step name (``load``, ``reason``, ``write``) -> seconds.
    """

    store: ox.Store
    graphs: dict[str, int]
    engine: str
    seconds: dict[str, float] = field(default_factory=dict)


class _Graphs:
    """The graphs quads are read into: a small index for each, its N-Quads line end (``None``:
    its quads go to the store as pyoxigraph quads) and its number of distinct triples."""

    SKIPPED = -1

    def __init__(self) -> None:
        self.index: dict = {}
        self.names: list[str | None] = []
        self.suffixes: list[str | None] = []
        self.sizes: list[int] = []
        self._skipped = {str(INFERRED_GRAPH), *INTERNAL_GRAPHS}

    def add(self, graph) -> int:
        """Index the new graph term ``graph`` (a dump's derived graphs are skipped)."""
        if isinstance(graph, ox.NamedNode) and graph.value in self._skipped:
            number = self.index[graph] = self.SKIPPED
            return number
        name = graph.value if isinstance(graph, ox.NamedNode) else None
        number = self.index[graph] = len(self.names)
        self.names.append(name)
        blank = isinstance(graph, ox.BlankNode)
        self.suffixes.append(None if blank else graph_suffix(name))
        self.sizes.append(0)
        return number

    def counts(self) -> dict[str, int]:
        """Return named graph IRI -> distinct triples, for the graphs holding some."""
        return {n: size for n, size in zip(self.names, self.sizes, strict=True) if n and size}


def _read_sources(
    sources: Iterable[Source], table: TermTable, writer: StoreWriter, bar
) -> tuple[dict[IntTriple, int], dict[str, int]]:
    """Parse every source, hand its quads to ``writer`` and encode its triples.

    A quad file keeps its named graphs (those of a served store's dump given back as input,
    inferred and hidden, are skipped); the triples of a triple file go to the graph it names.
    Return each distinct asserted triple -> the index of the first graph stating it, and the
    named graphs -> their number of distinct triples.

    :raises InputError: naming the file (and the line) that cannot be read or parsed.
    """
    graphs = _Graphs()
    asserted: dict[IntTriple, int] = {}
    repeats: set[tuple[int, IntTriple]] = set()  # (graph, triple) stated again elsewhere
    ids, code, texts, blank = table.ids, table.code, table.texts, table.blank
    graph_index, suffixes, sizes = graphs.index, graphs.suffixes, graphs.sizes
    lines: list[str] = []
    quads: list[ox.Quad] = []
    for path, graph in sources:
        suffix = path.suffix.lower()
        fmt = SUFFIX_FORMATS[suffix]  # read as `imtkg validate` and POST /shacl read (one reader)
        target = ox.NamedNode(graph) if graph is not None and suffix not in QUAD_FORMATS else None
        for quad in read_quads(path, fmt, str(path), path.resolve().as_uri()):
            g = target if target is not None else quad.graph_name
            number = graph_index.get(g)
            if number is None:
                number = graphs.add(g)
            if number < 0:
                continue
            term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple = quad.subject
            s = ids.get(term)
            if s is None:
                s = code(term)
            term = quad.predicate
            p = ids.get(term)
            if p is None:
                p = code(term)
            term = quad.object
            o = ids.get(term)
            if o is None:
                o = code(term)
            triple = (s, p, o)
            first = asserted.get(triple)
            if first is None:
                asserted[triple] = number
                sizes[number] += 1
            elif first != number and (number, triple) not in repeats:
                repeats.add((number, triple))
                sizes[number] += 1
            end = suffixes[number]
            if end is None or (blank and (s in blank or o in blank)):
                quads.append(quad if target is None else ox.Quad(*triple_terms(quad), g))
                if len(quads) >= CHUNK_QUADS:
                    writer.extend(quads)
                    bar.update(len(quads))
                    quads = []
            else:
                lines.append(f"{texts[s]} {texts[p]} {texts[o]}{end}")
                if len(lines) >= CHUNK_QUADS:
                    writer.load("".join(lines).encode())
                    bar.update(len(lines))
                    lines = []
    if lines:
        writer.load("".join(lines).encode())
    if quads:
        writer.extend(quads)
    bar.update(len(lines) + len(quads))
    return asserted, graphs.counts()


def triple_terms(quad: ox.Quad) -> OxTriple:
    """Return the subject, predicate and object of ``quad``."""
    return quad.subject, quad.predicate, quad.object


def build_store_from_sources(
    sources: Iterable[Source], path: Path | None = None, reason: bool = True
) -> BulkBuild:
    """Load ``sources`` into a new store (on disk at ``path``), reason, add the derived graphs.

    The store is written by a :class:`~imtkg.store.bulk_writer.StoreWriter` thread while this one
    parses and reasons; ``seconds`` times this thread's steps, ``write`` being the wait for the
    writer at the end.

    :raises InputError: when a file cannot be parsed.
    :raises InconsistentGraphError: when the reasoner finds the graph inconsistent.
    """
    seconds: dict[str, float] = {}
    store = ox.Store(str(path)) if path is not None else ox.Store()
    table = TermTable()
    with gc_paused(), StoreWriter(store) as writer:
        started = time.perf_counter()
        with progress("loading") as bar:
            asserted, graphs = _read_sources(sources, table, writer, bar)
        _write_triples(writer, table, asserted, ASSERTED_UNION)
        graphs[ASSERTED_UNION] = len(asserted)
        seconds["load"] = time.perf_counter() - started

        started = time.perf_counter()
        emitted = _InferredWriter(writer, table)
        engine = _reason(table, asserted, emitted) if reason else "none"
        del asserted  # the writer keeps it until it has written the union graph
        graphs[str(INFERRED_GRAPH)] = emitted.count
        seconds["reason"] = time.perf_counter() - started

        started = time.perf_counter()
        with progress("writing the store", unit="jobs"):
            writer.close()
        store.flush()
        # the bulk writes leave many overlapping files; compacted, a read touches a few
        # (the 2-hop join of the benchmark at 100k: 1.8 -> 0.85 ms, issue 15)
        store.optimize()
        seconds["write"] = time.perf_counter() - started
    sizes = {graph: size for graph, size in sorted(graphs.items()) if size}
    return BulkBuild(store, sizes, engine, seconds)


def release_memory() -> None:
    """Collect the garbage of a build and hand the freed memory back to the system (glibc
    keeps freed blocks otherwise: the serving process would stay at its building peak)."""
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def build_store_from_files(
    files: Iterable[Path], path: Path | None = None, reason: bool = True
) -> BulkBuild:
    """:func:`build_store_from_sources` of dataset files (:func:`dataset_sources`)."""
    return build_store_from_sources(dataset_sources(files), path, reason)


def _write_triples(writer: StoreWriter, table: TermTable, triples, graph: str) -> None:
    """Hand ``writer`` the encoded ``triples`` for ``graph``: N-Quads text made in the writer
    thread, chunk by chunk, and the few triples with a blank node as pyoxigraph quads."""
    blank = table.blank
    if blank:
        name, terms = ox.NamedNode(graph), table.ox_terms
        writer.extend(
            [
                ox.Quad(terms[s], terms[p], terms[o], name)
                for s, p, o in triples
                if s in blank or o in blank
            ]
        )
        plain = (t for t in triples if t[0] not in blank and t[2] not in blank)
    else:
        plain = iter(triples)
    writer.load_all(nquads_chunks(plain, table.texts, graph_suffix(graph)))


class _InferredWriter:
    """Hands the writer the meaningful triples of each round of the fast engine (not noise,
    :func:`imtkg.reasoning.closure.is_noise`, nor re-spelled values,
    :meth:`~imtkg.reasoning.rl_reasoner.RLClosure.respelled`) for ``graph:inferred``, and
    counts them."""

    def __init__(self, writer: StoreWriter, table: TermTable) -> None:
        self.writer, self.table = writer, table
        self.terms = LazyTerms(table)
        self.noise = encoded_noise(self.terms)
        self.closure: RLClosure | None = None
        self.count = 0

    def __call__(self, new: set[IntTriple]) -> None:
        noise = self.noise
        kept = [t for t in new if not noise(*t)]
        if self.closure is not None and self.closure.has_aliases():
            respelled = self.closure.respelled
            kept = [t for t in kept if not respelled(t)]
        self.count += len(kept)
        _write_triples(self.writer, self.table, kept, str(INFERRED_GRAPH))


def _reason(table: TermTable, asserted: dict[IntTriple, int], emit: _InferredWriter) -> str:
    """Reason as :func:`imtkg.reasoning.closure.reason` does; return the engine used (``fast``).
    The inferred triples go to ``emit`` round by round, while the next rounds run.

    :raises InconsistentGraphError: when a rule concluding ``false`` fires.
    """
    terms = emit.terms
    with progress("indexing", total=len(asserted)) as bar:
        closure = RLClosure.from_encoded(terms, asserted, table.checked_literals())
        bar.update(len(asserted))
    emit.closure = closure
    with progress("reasoning (OWL 2 RL, fast engine)", total=len(asserted)) as bar:
        closure.run(on_round=emit)
        bar.update(len(closure.rank))
    violations = closure.violations()
    if violations:
        raise InconsistentGraphError(
            [Inconsistency(v.rule, violation_message(v), v.triples) for v in violations]
        )
    return "fast"


def rdflib_dataset(sources: Iterable[Source]):
    """Return the rdflib dataset of ``sources``, graph by graph as :func:`parse_sources` reads
    them (for what needs rdflib: validation, explanations, detailed inconsistency reports)."""
    from imtkg.data.dataset import new_dataset
    from imtkg.rdf.reading import parse_file, parse_quads_file

    dataset = new_dataset()
    for path, graph in sources:
        if graph is not None and path.suffix.lower() not in QUAD_FORMATS:
            parse_file(path, dataset.graph(URIRef(graph)))
        else:
            parse_quads_file(path, dataset)
    return dataset


def explain_inconsistencies(sources: list[Source], error: InconsistentGraphError) -> None:
    """Raise the inconsistencies of ``sources`` with the asserted triples and graphs behind them
    (the rdflib path's report, :func:`imtkg.reasoning.consistency.find_inconsistencies`), else
    ``error``."""
    from imtkg.reasoning.consistency import ensure_consistent, find_inconsistencies

    ensure_consistent(find_inconsistencies(rdflib_dataset(sources)))
    raise error
