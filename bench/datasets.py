"""The benchmark's datasets, written once to N-Quads files in a cache folder.

* ``shipped``: the shipped ontology and graph (our server reads its folders, as users run it);
* ``10k``, ``100k``, ``1m``: synthetic datasets of about that many triples
  (:func:`synthetic.generate`, seed 0).

For each dataset two files are kept under ``$IMTKG_BENCH_CACHE`` (``~/.cache/imtkg-bench`` by
default), named by the dataset and a digest of the code that makes them:

* ``<name>-input.nq``: the asserted named graphs (what our server is given);
* ``<name>-served.nq``: what our server serves once it has reasoned: the asserted graphs, the
  inferred graph and the hidden asserted-union graph (:mod:`imtkg.store.oxigraph_store`). The peers
  (Oxigraph, the naive rdflib server) load this file, so that the three answer the same queries over
  the same triples.

Files are written to a temporary name and renamed, so an interrupted run leaves no half file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bench import synthetic
from imtkg.data.dataset import load_dataset
from imtkg.store.bulk_build import build_store_from_files
from imtkg.store.knowledge import load_knowledge_graph
from imtkg.store.oxigraph_store import _to_ox

HERE = Path(__file__).resolve().parent

#: dataset name -> approximate number of triples (None: the shipped graph)
SIZES: dict[str, int | None] = {"shipped": None, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}


@dataclass(frozen=True)
class BenchDataset:
    """A dataset of the benchmark and its files.

    :param name: a key of :data:`SIZES`.
    :param input_file: the asserted graphs as N-Quads (``None`` for the shipped graph, served
        from its folders).
    :param served_file: everything our server serves, for the peers.
    :param triples: the number of quads of ``served_file`` that queries see (asserted + inferred).
    """

    name: str
    input_file: Path | None
    served_file: Path
    triples: int


def cache_dir() -> Path:
    """Return the folder of the benchmark files (created if missing)."""
    folder = Path(os.environ.get("IMTKG_BENCH_CACHE") or Path.home() / ".cache" / "imtkg-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def code_digest() -> str:
    """Return a short digest of the generator, so that a changed generator rewrites the files."""
    return hashlib.sha256((HERE / "synthetic.py").read_bytes()).hexdigest()[:10]


def write_quads(quads, path: Path) -> None:
    """Serialise ``quads`` (pyoxigraph quads) to ``path`` as N-Quads, atomically."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        ox.serialize(quads, output=temporary, format=ox.RdfFormat.N_QUADS)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _synthetic_quads(n_triples: int):
    dataset = synthetic.generate(n_triples, seed=0)
    for graph in dataset.graphs():
        if len(graph) and graph.identifier != dataset.default_graph.identifier:
            name = ox.NamedNode(str(graph.identifier))
            for s, p, o in graph:
                yield ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), name)


def _shipped_quads():
    dataset = load_dataset()
    for graph in dataset.graphs():
        if len(graph) and graph.identifier != dataset.default_graph.identifier:
            name = ox.NamedNode(str(graph.identifier))
            for s, p, o in graph:
                yield ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), name)


def prepare(name: str, log=print) -> BenchDataset:
    """Return dataset ``name``, writing its files first if they are not in the cache."""
    folder = cache_dir()
    stem = f"{name}-{code_digest()}"
    input_file = folder / f"{stem}-input.nq"
    served_file = folder / f"{stem}-served.nq"
    if not input_file.exists():
        started = time.monotonic()
        quads = _shipped_quads() if SIZES[name] is None else _synthetic_quads(SIZES[name])
        write_quads(quads, input_file)
        log(f"{name}: wrote {input_file} in {time.monotonic() - started:.1f} s")
    if not served_file.exists():
        started = time.monotonic()
        if SIZES[name] is None:
            store = load_knowledge_graph().store
            write_quads(store, served_file)
        else:
            with tempfile.TemporaryDirectory(dir=folder) as work:
                store = build_store_from_files([input_file], Path(work) / "store").store
                write_quads(store, served_file)
                del store
        log(f"{name}: wrote {served_file} in {time.monotonic() - started:.1f} s")
    return BenchDataset(
        name, None if SIZES[name] is None else input_file, served_file, _visible(served_file)
    )


def _visible(served_file: Path) -> int:
    """Return the number of distinct triples queries see (the union and inferred graphs)."""
    from imtkg.core.namespaces import INFERRED_GRAPH
    from imtkg.store.oxigraph_store import ASSERTED_UNION

    wanted = {ASSERTED_UNION, str(INFERRED_GRAPH)}
    return sum(
        1
        for quad in ox.parse(path=str(served_file), format=ox.RdfFormat.N_QUADS)
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in wanted
    )
