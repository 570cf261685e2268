"""The start-up cache: the served store and the SHACL outcome kept between starts (issue 7).

A second start with unchanged inputs reopens the store; a changed input, or a damaged or partial
store (manifest, files, RocksDB), is rebuilt and answers the same; the Oxigraph bulk path gives
the same graphs as the rdflib path; a damaged validation outcome is computed again; editing any
module below the web layer (a copy of the package, which the code digests read) gives new keys.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench import synthetic
from imtkg.core import code_digest
from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.data.dataset import graph_files, ontology_files
from imtkg.reasoning.closure_cache import cache_key
from imtkg.shacl.outcome_cache import VALIDATION_DIR, cached_conformance, validation_key
from imtkg.store.bulk_build import build_store_from_sources, dataset_sources, folder_sources
from imtkg.store.disk_store import MANIFEST_FILE, STORE_DIR
from imtkg.store.knowledge import load_knowledge_graph
from imtkg.store.oxigraph_store import ASSERTED_UNION
from imtkg.store.prepared import input_version
from imtkg.store.startup_cache import prepare_store, store_key

REPO = Path(__file__).resolve().parent.parent
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder for this test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("IMTKG_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def inputs(tmp_path) -> tuple[Path, Path]:
    """A copy of the shipped ontology and graph folders, free to edit."""
    ontology, graph = tmp_path / "ontology", tmp_path / "graph"
    shutil.copytree(REPO / "ontology", ontology)
    shutil.copytree(REPO / "graph", graph)
    return ontology, graph


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the package's sources, which the caches' code digests read from now on."""
    copy = tmp_path / "imtkg"
    ignore = shutil.ignore_patterns("__pycache__", "static", "templates", "queries")
    shutil.copytree(code_digest.PACKAGE_DIR, copy, ignore=ignore)
    monkeypatch.setattr(code_digest, "PACKAGE_DIR", copy)
    return copy


def edit(module: Path) -> None:
    """Append a comment to ``module``: its bytes, hence the digest of its subpackage, change.

    The digests are computed once per process; they are forgotten, as by the next start.
    """
    with module.open("a", encoding="utf-8") as out:
        out.write("# edited\n")
    code_digest.forget()


def prepare(inputs):
    """Prepare the store of the ``inputs`` folders."""
    ontology, graph = inputs
    sources = folder_sources(ontology_files(ontology), graph_files(graph))
    return prepare_store(sources, input_version(ontology, graph), reason=True)


def answers(store_path: Path) -> tuple[int, list]:
    """The number of quads of the store and its graph sizes."""
    store = ox.Store.read_only(str(store_path))
    count = int(next(iter(store.query(QUERY)))["n"].value)
    sizes = sorted(
        (g.value, sum(1 for _ in store.quads_for_pattern(None, None, None, g)))
        for g in store.named_graphs()
    )
    del store
    return count, sizes


def test_second_start_reopens_the_store(cache, inputs):
    """Nothing changed: the store is reopened, not rebuilt, and answers the same."""
    first = prepare(inputs)
    assert first.rebuilt and set(first.seconds) == {"load", "reason", "write"}
    again = prepare(inputs)
    assert not again.rebuilt and again.seconds == {}
    assert again.store_path == first.store_path
    assert answers(again.store_path) == answers(first.store_path)


def test_changed_input_builds_a_new_store(cache, inputs):
    """Editing a graph file gives another key: a new store with the new triple."""
    first = prepare(inputs)
    before = answers(first.store_path)[0]
    with open(inputs[1] / "sources.ttl", "a", encoding="utf-8") as out:
        out.write(
            '\n<https://w3id.org/imt-kg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
        )
    second = prepare(inputs)
    assert second.rebuilt and second.store_path != first.store_path
    assert answers(second.store_path)[0] > before


def _damage_manifest(path: Path) -> None:
    (path / MANIFEST_FILE).write_text("{not json", encoding="utf-8")


def _truncate_a_store_file(path: Path) -> None:
    biggest = max(
        (p for p in (path / STORE_DIR).rglob("*") if p.is_file()), key=lambda p: p.stat().st_size
    )
    with open(biggest, "r+b") as out:
        out.truncate(biggest.stat().st_size // 2)


def _delete_the_store(path: Path) -> None:
    shutil.rmtree(path / STORE_DIR)


def _drop_a_manifest_field(path: Path) -> None:
    data = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    del data["digest"]
    (path / MANIFEST_FILE).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "damage", [_damage_manifest, _truncate_a_store_file, _delete_the_store, _drop_a_manifest_field]
)
def test_a_damaged_store_is_rebuilt_never_served(cache, inputs, damage):
    """A corrupt or partial cached store is detected and rebuilt; the answers are the same."""
    first = prepare(inputs)
    expected = answers(first.store_path)
    damage(first.store_path.parent)
    again = prepare(inputs)
    assert again.rebuilt
    assert answers(again.store_path) == expected


def test_cache_off_builds_in_a_temporary_folder(inputs, monkeypatch):
    """IMTKG_CACHE_DIR=off: the store is built in a temporary folder."""
    monkeypatch.setenv("IMTKG_CACHE_DIR", "off")
    prepared = prepare(inputs)
    assert prepared.temporary is not None and prepared.rebuilt
    assert answers(prepared.store_path)[0] > 0


def _triples(store: ox.Store, graph: str) -> set:
    """The triples of ``graph`` without blank nodes (their labels differ between parsers)."""
    return {
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


def _same_graphs(bulk_store: ox.Store, reference: ox.Store) -> None:
    for graph in (ASSERTED_UNION, str(INFERRED_GRAPH)):
        assert _triples(bulk_store, graph) == _triples(reference, graph)
    sizes = {
        g.value: sum(1 for _ in s.quads_for_pattern(None, None, None, g))
        for s in (bulk_store,)
        for g in s.named_graphs()
    }
    reference_sizes = {
        g.value: sum(1 for _ in reference.quads_for_pattern(None, None, None, g))
        for g in reference.named_graphs()
    }
    assert sizes == reference_sizes


def test_bulk_path_equals_the_rdflib_path_on_the_shipped_graph():
    """Oxigraph parse + fast engine over encoded terms = rdflib parse + reasoning + build_store."""
    built = build_store_from_sources(folder_sources(ontology_files(), graph_files()))
    assert built.engine == "fast"
    _same_graphs(built.store, load_knowledge_graph().store)


def test_bulk_path_equals_the_rdflib_path_on_a_synthetic_dataset(tmp_path):
    """Same graphs on a synthetic dataset file (N-Quads), through the same closure."""
    from imtkg.reasoning.closure_cache import add_inferred_graph_cached
    from imtkg.store.oxigraph_store import _to_ox, build_store

    dataset = synthetic.generate(2000, seed=1)
    path = tmp_path / "data.nq"
    quads = [
        ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.NamedNode(str(g.identifier)))
        for g in dataset.graphs()
        if g.identifier != dataset.default_graph.identifier
        for s, p, o in g
    ]
    ox.serialize(quads, output=str(path), format=ox.RdfFormat.N_QUADS)
    built = build_store_from_sources(dataset_sources([path]))
    assert add_inferred_graph_cached(dataset, [path], cache_dir=None) == []
    _same_graphs(built.store, build_store(dataset))


def test_validation_outcome_is_cached_and_a_damaged_one_recomputed(cache):
    """The outcome is computed once; a damaged cache file is deleted and computed again."""
    calls = []

    def load():
        calls.append(1)
        return load_knowledge_graph().dataset

    digest = input_version().digest
    first = cached_conformance(digest, load)
    assert first[2] is False and calls == [1]
    second = cached_conformance(digest, load)
    assert second == (first[0], first[1], True) and calls == [1]
    (outcome_file,) = (cache / VALIDATION_DIR).glob("*.json")
    data = json.loads(outcome_file.read_text(encoding="utf-8"))
    data["outcome"] = "valid" if data["outcome"] == "invalid" else "invalid"  # tampered
    outcome_file.write_text(json.dumps(data), encoding="utf-8")
    third = cached_conformance(digest, load)
    assert third == (first[0], first[1], False) and calls == [1, 1]


def _set_times(folders: tuple[Path, Path], seconds: int) -> None:
    for folder in folders:
        for path in folder.glob("*.ttl"):
            os.utime(path, (seconds, seconds))


def test_reopened_store_takes_last_modified_from_the_files_served_now(cache, inputs):
    """A store reused from the content-keyed cache reports the served files' newest time.

    The cache is keyed by the files' bytes, so a fresh clone (new file times) reuses a store
    built from another checkout; its Last-Modified must still be that of the files it serves.
    """
    _set_times(inputs, 1_600_000_000)
    first = prepare(inputs)
    _set_times(inputs, 1_700_000_000)
    second = prepare(inputs)
    assert first.rebuilt and not second.rebuilt
    assert first.manifest.version.last_modified.timestamp() == 1_600_000_000
    assert second.manifest.version.last_modified.timestamp() == 1_700_000_000


def test_an_edited_data_module_rebuilds_the_store_and_misses_the_caches(
    cache, inputs, package_copy
):
    """Editing data/sources.py (in none of the hand-kept lists the keys once used) gives a new
    store, and new closure and validation keys; the new store answers the same."""
    first = prepare(inputs)
    files = [*ontology_files(inputs[0]), *graph_files(inputs[1])]
    closure, validation = cache_key(files), validation_key("digest")
    edit(package_copy / "data" / "sources.py")
    second = prepare(inputs)
    assert second.rebuilt and second.store_path != first.store_path
    assert answers(second.store_path) == answers(first.store_path)
    assert cache_key(files) != closure
    assert validation_key("digest") != validation
    assert not prepare(inputs).rebuilt


def test_each_layer_keys_the_caches_that_depend_on_it(package_copy):
    """A module of a layer changes the keys of the caches built by code of that layer or above,
    and no other: the reasoner keys no SHACL outcome, the web layer no cache at all."""

    def keys() -> dict[str, str]:
        return {
            "store": store_key("inputs", reason=True),
            "closure": cache_key([]),
            "validation": validation_key("digest"),
        }

    expected = {
        "core/errors.py": {"store", "closure", "validation"},
        "rdf/reading.py": {"store", "closure", "validation"},
        "data/sources.py": {"store", "closure", "validation"},
        "reasoning/rl_reasoner.py": {"store", "closure"},
        "shacl/oxigraph_validator.py": {"store", "validation"},
        "store/bulk_build.py": {"store"},
        "query/worker_pool.py": set(),
        "web/app.py": set(),
    }
    for module, changed in expected.items():
        before = keys()
        edit(package_copy / module)
        after = keys()
        assert {name for name in before if before[name] != after[name]} == changed, module
