"""What `imtkg serve` validates at start: the asserted graphs and the ontology, loaded alone.

The server validates a dataset it has not loaded into rdflib (it serves the cached Oxigraph
store), so it loads only what SHACL reads: the folders parsed by rdflib, or a DATASET file
parsed by Oxigraph. The results must be those of validating the full knowledge graph.
"""

from __future__ import annotations

import warnings

from imtkg.shacl.validation import validate_dataset
from imtkg.web.app import close_app, create_app
from imtkg.web.state import EXTENSION_KEY


def result_keys(outcome) -> list[tuple]:
    return sorted(
        (
            str(r.focus_node),
            r.path,
            str(r.value),
            r.message,
            r.severity,
            str(r.source_shape),
            str(r.constraint_component),
            r.graphs,
        )
        for r in outcome.results
    )


def test_the_asserted_dataset_validates_as_the_knowledge_graph(tmp_path, monkeypatch, kg):
    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path / "cache"))
    app = create_app({"WORKERS": 1}, start_engine=False)
    try:
        state = app.extensions[EXTENSION_KEY]
        asserted = state.asserted_dataset()
        assert state.loaded_kg is None  # the knowledge graph itself was not loaded for it
        expected = validate_dataset(kg.dataset)
        found = validate_dataset(asserted)
        assert found.conforms == expected.conforms
        assert result_keys(found) == result_keys(expected) and found.results
    finally:
        close_app(app)


def test_a_dataset_file_validates_as_its_rdflib_load(tmp_path, monkeypatch, kg):
    """A DATASET file (N-Quads of the asserted graphs) is parsed by Oxigraph for validation."""
    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path / "cache"))
    asserted = kg.dataset.__class__()
    for s, p, o, g in kg.dataset.quads():
        if g is not None and not str(g).endswith("/inferred"):
            asserted.add((s, p, o, g))
    path = tmp_path / "dataset.nq"
    with warnings.catch_warnings():  # rdflib's N-Quads writer calls Dataset.contexts (7.6)
        warnings.filterwarnings("ignore", "Dataset.contexts is deprecated", DeprecationWarning)
        path.write_text(asserted.serialize(format="nquads"), encoding="utf-8")
    app = create_app({"WORKERS": 1, "DATASET": path}, start_engine=False)
    try:
        loaded = app.extensions[EXTENSION_KEY].asserted_dataset()
        assert result_keys(validate_dataset(loaded)) == result_keys(validate_dataset(asserted))
    finally:
        close_app(app)
