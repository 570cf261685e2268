"""STORE=oxigraph:PATH: an on-disk store reused while the inputs are unchanged, rebuilt otherwise.

On a copy of the endpoint fixture (``tests/data/endpoint``), so that inputs can be edited.
"""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from sparql_support import ASSERTED_TRIPLES, CITIES, CITY_QUERY, DATA, GRAPH_DIR, ONTOLOGY_DIR

from imtkg.core.config import load_settings
from imtkg.core.errors import ImtKgError
from imtkg.query.backends import StoreSetting, StoreSettingError, parse_store
from imtkg.store.disk_store import MANIFEST_FILE, STORE_DIR, open_disk_store
from imtkg.store.oxigraph_store import ASSERTED_UNION
from imtkg.store.prepared import input_version
from imtkg.store.store_folders import LOCK_FILE
from imtkg.web.app import close_app, create_app

FIXTURE = (ONTOLOGY_DIR, GRAPH_DIR)


@pytest.fixture()
def inputs(tmp_path):
    """A copy of the fixture's ontology and graph folders, to edit: (ontology_dir, graph_dir)."""
    shutil.copytree(DATA, tmp_path / "data")
    return tmp_path / "data" / "ontology", tmp_path / "data" / "graph"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A store built once from the fixture, copied by the tests that need a built one."""
    path = tmp_path_factory.mktemp("template") / "kg"
    assert open_disk_store(path, *FIXTURE).rebuilt is True
    return path


@pytest.fixture()
def built(tmp_path, template):
    """A copy of the template store at ``tmp_path/kg`` (a store is a plain folder of files)."""
    shutil.copytree(template, tmp_path / "kg")
    return tmp_path / "kg"


def only_build(path):
    """The single build folder of the store at ``path``."""
    (folder,) = [p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder


def open_store(path, inputs=FIXTURE):
    """Open or build the store at ``path`` from ``inputs``."""
    return open_disk_store(path, *inputs)


def disk_app(path, inputs=FIXTURE):
    """An app on the on-disk store at ``path`` (close it with close_app)."""
    config = {"ONTOLOGY_DIR": inputs[0], "GRAPH_DIR": inputs[1], "WORKERS": 1}
    return create_app({"STORE": f"oxigraph:{path}", **config})


def cities(app) -> list[str]:
    """The cities the app's /sparql answers."""
    response = app.test_client().get("/sparql", query_string={"query": CITY_QUERY})
    assert response.status_code == 200, response.data
    return [b["city"]["value"] for b in response.json["results"]["bindings"]]


def test_first_open_builds_then_reopens_without_rebuilding(tmp_path, inputs):
    """The first open builds the store and its manifest; the next one reuses them as they are."""
    path = tmp_path / "kg"
    first = open_store(path, inputs)
    assert first.rebuilt is True
    assert first.path.parent == path and first.store_path == first.path / STORE_DIR
    assert first.store_path.is_dir()
    manifest = json.loads((first.path / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["digest"] == input_version(*inputs).digest
    assert manifest["graphs"][ASSERTED_UNION] == ASSERTED_TRIPLES
    assert manifest["validation"] == "invalid"  # the fixture is not in the sources catalogue
    again = open_store(path, inputs)
    assert again.rebuilt is False
    assert again.manifest == first.manifest and again.path == first.path


def test_a_copied_store_is_reused(built, template):
    """A store folder copied elsewhere (as to another machine) opens without a rebuild."""
    reopened = open_store(built)
    assert reopened.rebuilt is False
    assert reopened.manifest == open_store(template).manifest


def test_the_app_serves_the_disk_store(built):
    """create_app with STORE=oxigraph:PATH answers queries and keeps the store after closing."""
    app = disk_app(built)
    try:
        assert cities(app) == CITIES
        state = app.extensions["imt_kg"]
        assert state.loaded_kg is None  # nothing was parsed in the server process
        assert state.validation == "invalid"
        assert sorted(state.graph_sizes) == [
            "https://w3id.org/imt-kg/graph/campuses",
            "https://w3id.org/imt-kg/graph/inferred",
            "https://w3id.org/imt-kg/graph/ontology",
            "https://w3id.org/imt-kg/graph/schools",
        ]
        assert len(state.kg.dataset) > 0  # loaded on demand, from the same inputs
    finally:
        close_app(app)
    assert open_store(built).rebuilt is False


def test_changed_inputs_rebuild_the_store(built, inputs):
    """Editing an input file rebuilds the store, which then answers the new data."""
    campuses = inputs[1] / "campuses.ttl"
    campuses.write_text(
        campuses.read_text(encoding="utf-8").replace('"Évry"', '"Evry-Courcouronnes"'),
        encoding="utf-8",
    )
    rebuilt = open_store(built, inputs)
    assert rebuilt.rebuilt is True
    assert rebuilt.manifest.digest == input_version(*inputs).digest
    app = disk_app(built, inputs)
    try:
        assert cities(app) == ["Alès", "Evry-Courcouronnes", "Palaiseau"]
    finally:
        close_app(app)


DAMAGES = ["truncated file", "missing file", "bad manifest", "no manifest"]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_store_is_rebuilt(built, caplog, damage):
    """A store with a cut or missing file, or a bad or missing manifest, is rebuilt, not served."""
    folder = only_build(built)
    biggest = max((folder / STORE_DIR).glob("*.sst"), key=lambda p: p.stat().st_size)
    if damage == "truncated file":
        with open(biggest, "r+b") as file:
            file.truncate(biggest.stat().st_size // 2)
    elif damage == "missing file":
        biggest.unlink()
    elif damage == "bad manifest":
        (folder / MANIFEST_FILE).write_text('{"digest": ', encoding="utf-8")
    else:
        (folder / MANIFEST_FILE).unlink()
    with caplog.at_level(logging.INFO, logger="imtkg.store.disk_store"):
        reopened = open_store(built)
    assert reopened.rebuilt is True
    assert "building the on-disk store" in caplog.text
    assert not folder.exists()  # no server read the damaged build: it was deleted
    assert open_store(built).rebuilt is False


def test_a_foreign_folder_is_never_replaced(tmp_path, inputs):
    """A non-empty folder that is not an imtkg store is refused, and left as it was."""
    path = tmp_path / "precious"
    path.mkdir()
    (path / "thesis.tex").write_text("keep me", encoding="utf-8")
    with pytest.raises(ImtKgError, match="is not an imtkg store"):
        open_store(path, inputs)
    assert (path / "thesis.tex").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in path.iterdir()) == ["thesis.tex"]


def test_leftovers_of_a_crashed_build_are_removed(built):
    """Temporary folders a crashed build left in the store folder are deleted on the next open."""
    (built / ".building-dead").mkdir()
    assert open_store(built).rebuilt is False
    assert sorted(p.name for p in built.iterdir() if p.name.startswith(".")) == [LOCK_FILE]


def test_store_setting_forms():
    """STORE takes memory, oxigraph:PATH or sparql:URL, from the config or IMTKG_STORE."""
    assert parse_store(None) == StoreSetting("memory")
    assert parse_store("memory") == StoreSetting("memory")
    assert parse_store("oxigraph:/var/lib/kg") == StoreSetting("oxigraph", "/var/lib/kg")
    remote = "http://h:7878/query"
    assert parse_store(f"sparql:{remote}") == StoreSetting("sparql", remote)
    for wrong in ("oxigraph:", "sparql:ftp://h/q", "fuseki:http://h", "memory:x"):
        with pytest.raises(StoreSettingError, match="expected memory, oxigraph:PATH"):
            parse_store(wrong)
    from_env = load_settings(environ={"IMTKG_STORE": "oxigraph:/srv/kg"})
    assert from_env["STORE"] == "oxigraph:/srv/kg"
    assert load_settings(environ={})["STORE"] == "memory"


def test_a_wrong_store_setting_stops_the_app():
    """create_app refuses an unknown STORE with the accepted forms."""
    with pytest.raises(StoreSettingError, match="STORE='postgres://db'"):
        create_app({"STORE": "postgres://db"})
