"""Dumps under /dumps/ and ``imtkg dump``: complete, checksummed, deterministic, the same bytes.

The exact contents are checked on the small dataset of ``tests/data/void`` (4 named graphs, 21
quads, of which 2 inferred; 3 shape triples); the shipped dumps are checked against the served
graph sizes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
import warnings

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from sparql_support import VOID_DATA, VOID_SETTINGS

GRAPH = "https://w3id.org/imt-kg/graph/"
FILES = ["imt-kg.trig.gz", "imt-kg.nq.gz", "ontology.ttl", "shapes.ttl", "inferred.ttl"]


@pytest.fixture(scope="module")
def app_settings():
    """The module's app (conftest.py) is on the fixture data and shapes of ``tests/data/void``."""
    return VOID_SETTINGS


def download(client, name: str) -> bytes:
    """GET /dumps/<name> and return its bytes (asserting 200)."""
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200, name
    return response.data


def parse_dataset(data: bytes, rdf_format: str) -> Dataset:
    """Parse TriG or N-Quads with rdflib (whose Dataset.parse warns of its own deprecations)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        return Dataset().parse(data=data, format=rdf_format)


def dataset_of(trig_gz: bytes) -> Dataset:
    """Parse a gzipped TriG dump."""
    return parse_dataset(gzip.decompress(trig_gz), "trig")


def graph_sizes(dataset: Dataset) -> dict[str, int]:
    """Named graph IRI -> triples, for the non-empty named graphs of ``dataset``."""
    return {
        str(g.identifier): len(g)
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef) and len(g)
    }


def test_checksums_list_every_file(client):
    """SHA256SUMS lists the five files with the SHA-256 of the bytes served, in sha256sum format."""
    lines = download(client, "SHA256SUMS").decode("ascii").splitlines()
    assert [line.split("  ")[1] for line in lines] == FILES
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256(download(client, name)).hexdigest() == digest
        assert download(client, f"{name}.sha256").decode("ascii") == line + "\n"


def test_whole_dataset_as_trig_and_nquads(client):
    """The TriG and N-Quads dumps hold every named graph, the inferred one too, and agree."""
    trig = dataset_of(download(client, "imt-kg.trig.gz"))
    assert graph_sizes(trig) == {
        GRAPH + "inferred": 2,
        GRAPH + "ontology": 4,
        GRAPH + "schools": 9,
        GRAPH + "sources": 6,
    }
    nquads = parse_dataset(gzip.decompress(download(client, "imt-kg.nq.gz")), "nquads")
    assert graph_sizes(nquads) == graph_sizes(trig)
    for iri in graph_sizes(trig):
        assert isomorphic(trig.graph(URIRef(iri)), nquads.graph(URIRef(iri))), iri


def test_parts_as_turtle(client):
    """The ontology, the inferred graph and the shapes, each as Turtle, equal their sources."""
    trig = dataset_of(download(client, "imt-kg.trig.gz"))
    for name, graph in (("ontology.ttl", "ontology"), ("inferred.ttl", "inferred")):
        part = Graph().parse(data=download(client, name), format="turtle")
        assert isomorphic(part, trig.graph(URIRef(GRAPH + graph))), name
    shapes = Graph().parse(data=download(client, "shapes.ttl"), format="turtle")
    assert isomorphic(shapes, Graph().parse(VOID_DATA / "shapes" / "mini.ttl"))
    assert len(shapes) == 5


def test_gzip_is_reproducible(client):
    """The gzip headers carry no time stamp and no file name (stable checksums)."""
    for name in ("imt-kg.trig.gz", "imt-kg.nq.gz"):
        data = download(client, name)
        assert data[:4] == b"\x1f\x8b\x08\x00"  # gzip, deflate, no FNAME flag
        assert data[4:8] == b"\x00\x00\x00\x00"  # MTIME 0


def test_headers_and_conditional_requests(client):
    """Dumps are downloads with their type; the checksum is the ETag; 404 names the index."""
    response = client.get("/dumps/imt-kg.trig.gz")
    assert response.mimetype == "application/gzip"
    assert response.headers["Content-Disposition"] == "attachment; filename=imt-kg.trig.gz"
    assert client.get("/dumps/ontology.ttl").mimetype == "text/turtle"
    etag = response.headers["ETag"]
    assert etag.strip('"') == hashlib.sha256(response.data).hexdigest()
    assert client.get("/dumps/imt-kg.trig.gz", headers={"If-None-Match": etag}).status_code == 304
    missing = client.get("/dumps/everything.zip")
    assert missing.status_code == 404
    assert missing.get_data(as_text=True) == (
        "404 Not Found: no dump named 'everything.zip'; see /dumps/\n"
    )
    assert client.get("/dumps/SHA256SUMS.sha256").status_code == 404


def test_index_page_lists_the_files(client):
    """/dumps/ is a page listing each file with its size, statements, checksum and link."""
    response = client.get("/dumps/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in FILES:
        data = download(client, name)
        assert f'href="/dumps/{name}"' in page
        assert hashlib.sha256(data).hexdigest() in page
    assert 'href="/dumps/SHA256SUMS"' in page
    assert client.get("/dumps").status_code == 308


def test_cli_writes_the_same_bytes_in_another_process(client, tmp_path):
    """``imtkg dump`` in a fresh process writes byte for byte what the server serves."""
    env = dict(
        os.environ,
        IMTKG_ONTOLOGY_DIR=str(VOID_DATA / "ontology"),
        IMTKG_GRAPH_DIR=str(VOID_DATA / "graph"),
    )
    out = tmp_path / "dumps"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "imtkg.cli",
            "dump",
            "--out",
            str(out),
            "--shapes-dir",
            str(VOID_DATA / "shapes"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(["SHA256SUMS", *FILES, *(f"{n}.sha256" for n in FILES)])
    for name in written:
        assert (out / name).read_bytes() == download(client, name), name
    check = subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=out, capture_output=True)
    assert check.returncode == 0, check.stdout


def test_shipped_dumps_hold_every_served_graph(shipped_client, shipped_app):
    """The shipped TriG dump has each named graph the endpoint serves, with the same size."""
    trig = dataset_of(download(shipped_client, "imt-kg.trig.gz"))
    served = shipped_app.extensions["imt_kg"].graph_sizes
    assert graph_sizes(trig) == served
    assert GRAPH + "inferred" in served
