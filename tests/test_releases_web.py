"""The releases on the web: /releases/, a release's page and patches, its dumps, the VoID chain,
the release line of resource pages, and the 410/301 of IRIs a release removed.

The fixture makes its own pair of releases in a temporary folder from a copy of the shipped
graph (without the locators and ledgers, for speed): 1.0.0 as it is; 1.1.0 after removing
``id:cti`` (no trail: 410), removing ``id:periodical/voccitanie`` with a ``graph:deprecated``
trail to ``id:cci-occitanie`` (301), and adding a comment to ``id:cci-occitanie`` (changed in
1.1.0). The app then serves that graph with two more edits: a comment on
``id:french-ministry-of-higher-education`` (changed since the latest release) and a new
resource (in no release yet).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import urllib.request
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from linked_data_support import by_id, elements, find_all, links, parse_html, text_of
from pyld import jsonld
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD
from sparql_support import live_server

from imtkg.releases.making import ReleaseInputs, make_release
from imtkg.releases.records import CHECKSUMS
from imtkg.web.app import close_app, create_app
from imtkg.web.pages.page_data import description_keys

REPO = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/imt-kg/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
SERVED = "http://localhost/"
HTML = {"Accept": "text/html"}
CTI = ID + "cti"
VOCCITANIE = ID + "periodical/voccitanie"
CCI = ID + "cci-occitanie"
MINISTRY = ID + "french-ministry-of-higher-education"
NEW = ID + "test-new-body"
FIRST_DATE, SECOND_DATE = date(2026, 1, 1), date(2026, 2, 1)
CATALOGUE_CHAIN = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?version ?previous ?revised WHERE {
  ?release dcat:version ?version ; dcat:isVersionOf ?dataset .
  ?dataset dcat:hasVersion ?release .
  OPTIONAL { ?release dcat:previousVersion ?p . ?p dcat:version ?previous }
  OPTIONAL { ?release prov:wasRevisionOf ?r . ?r dcat:version ?revised }
}
ORDER BY ?version
"""


def _remove(path: Path, iri: str) -> None:
    """Remove every statement naming ``iri`` (subject or object) from a Turtle file."""
    graph = Graph().parse(path, format="turtle")
    graph.remove((URIRef(iri), None, None))
    graph.remove((None, None, URIRef(iri)))
    graph.serialize(path, format="turtle")


def _append(path: Path, turtle: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + turtle + "\n")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The served graph folder and the releases folder of the fixture pair."""
    root = tmp_path_factory.mktemp("releases-web")
    graph, releases = root / "graph", root / "releases"
    shutil.copytree(REPO / "graph", graph, ignore=shutil.ignore_patterns("ledger", "locators.ttl"))
    inputs = ReleaseInputs(graph_dir=graph)
    make_release("1.0.0", releases, FIRST_DATE, "The test fixture as shipped.", inputs)
    _remove(graph / "imt-grand-est.ttl", CTI)
    _remove(graph / "sources.ttl", VOCCITANIE)
    _append(
        graph / "sources.ttl",
        f'<{CCI}> <{RDFS.comment}> "Changed in release 1.1.0 of the test fixture."@en .',
    )
    _append(
        graph / "deprecated.ttl",
        f"<{VOCCITANIE}> <http://www.w3.org/2002/07/owl#deprecated> true ;\n"
        f'  <{RDFS.label}> "Voccitanie (removed in the test fixture)"@en ,\n'
        '    "Voccitanie (retiré dans la fixture de test)"@fr ;\n'
        f"  <http://purl.org/dc/terms/isReplacedBy> <{CCI}> .",
    )
    make_release("1.1.0", releases, SECOND_DATE, "Two resources removed.", inputs)
    _append(
        graph / "sources.ttl",
        f'<{MINISTRY}> <{RDFS.comment}> "Changed after release 1.1.0."@en .\n'
        f"<{NEW}> a <https://w3id.org/imt-kg/ontology#PublicBody> ;\n"
        f'  <{RDFS.label}> "Test body"@en , "Organisme de test"@fr .',
    )
    return graph, releases


def _app(graph: Path, releases: Path) -> Flask:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        return create_app(
            {
                "GRAPH_DIR": graph,
                "RELEASES_DIR": releases,
                "WORKERS": 1,
                "QUERY_TIMEOUT": 10.0,
                "PUBLIC_BASE": None,
                "RESPONSE_CACHE_MB": 0,
            }
        )


@pytest.fixture(scope="module")
def app(folders: tuple[Path, Path]) -> Iterator[Flask]:
    """The app on the served graph of the fixture, with the fixture's releases."""
    app = _app(*folders)
    yield app
    close_app(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A fresh client of the fixture's app."""
    return app.test_client()


#: blank node label -> rdflib blank node, shared by every parse: the dumps' canonical labels
#: name the same node in every file, as the release diffs compare them
BLANK_NODES: dict[str, BNode] = {}


def parse_nquads(data: bytes | str) -> set[tuple]:
    """N-Quads parsed with rdflib (not the code under test), as (s, p, o, graph IRI)."""
    with warnings.catch_warnings():
        # rdflib 7.6 deprecates Dataset APIs its own N-Quads parser still calls
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        dataset = Dataset()
        dataset.parse(data=data, format="nquads", bnode_context=BLANK_NODES)
        return {(s, p, o, str(g)) for s, p, o, g in dataset.quads((None, None, None, None))}


def _release_quads(releases: Path, version: str) -> set[tuple]:
    """A release's statements, read with rdflib."""
    return parse_nquads(gzip.decompress((releases / version / "imt-kg.nq.gz").read_bytes()))


def _quads_by_graph(quads: set[tuple]) -> dict[str, set]:
    found: dict[str, set] = {}
    for s, p, o, g in quads:
        found.setdefault(g, set()).add((s, p, o))
    return found


def _expected_changes(releases: Path) -> dict[str, tuple[int, int]]:
    """Graph -> (added, removed) from 1.0.0 to 1.1.0, counted with rdflib. The blank nodes of
    the two dumps are compared by their canonical labels, as the release's diff does."""
    old = _quads_by_graph(_release_quads(releases, "1.0.0"))
    new = _quads_by_graph(_release_quads(releases, "1.1.0"))
    changes = {}
    for graph in set(old) | set(new):
        added = new.get(graph, set()) - old.get(graph, set())
        removed = old.get(graph, set()) - new.get(graph, set())
        if added or removed:
            changes[graph] = (len(added), len(removed))
    return changes


# -- /releases/ ----------------------------------------------------------------------------------


def test_releases_page_lists_every_release_newest_first(client, folders):
    """The HTML list: versions newest first, dates, notes, per-graph counts of release.json."""
    _, releases = folders
    response = client.get("/releases/", headers=HTML)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    doc = parse_html(response.data)
    rows = find_all(doc, "tr", data_version="1.1.0") + find_all(doc, "tr", data_version="1.0.0")
    assert [r.get("data-version") for r in elements(doc, "tr") if r.get("data-version")] == [
        "1.1.0",
        "1.0.0",
    ]
    newest, oldest = rows
    assert links(newest)["1.1.0"] == SERVED + "releases/1.1.0"
    assert links(newest)["Dumps"] == SERVED + "dumps/1.1.0/"
    assert text_of(elements(newest, "td")[1]) == "2026-02-01"
    assert text_of(elements(newest, "td")[5]) == "Two resources removed."
    changes = {
        li.get("data-graph"): (int(li.get("data-added")), int(li.get("data-removed")))
        for li in elements(newest, "li")
    }
    assert changes == _expected_changes(releases)
    assert text_of(elements(oldest, "td")[3]) == "the first release"
    french = parse_html(client.get("/releases/?lang=fr", headers=HTML).data)
    assert text_of(elements(french, "h1")[0]) == "Versions publiées"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "pyld"), ("*/*", "turtle")],
)
def test_releases_catalogue_is_negotiated_and_chained(client, accept, rdflib_format):
    """Non-browsers get the DCAT catalogue; its chain, by SPARQL: 1.1.0 follows 1.0.0."""
    response = client.get("/releases/", headers={"Accept": accept})
    assert response.status_code == 200
    assert "Accept" in response.vary
    text = response.get_data(as_text=True)
    if rdflib_format == "pyld":  # JSON-LD, expanded to N-Quads by PyLD
        text = jsonld.to_rdf(json.loads(text), {"format": "application/n-quads"})
        rdflib_format = "nt"
    graph = Graph().parse(data=text, format=rdflib_format)
    rows = [
        tuple(str(v) if v is not None else None for v in row)
        for row in graph.query(CATALOGUE_CHAIN)
    ]
    assert rows == [("1.0.0", None, None), ("1.1.0", "1.0.0", "1.0.0")]


def test_unknown_catalogue_format_is_406(client):
    """A format the catalogue is not offered in is a 406 naming the offered ones."""
    response = client.get("/releases/?format=csv")
    assert response.status_code == 406
    assert response.data.decode().startswith("406 Not Acceptable: offered as text/turtle")


def test_void_carries_the_release_catalogue(client):
    """/.well-known/void: the dataset's version, date, licence, versions and their chain."""
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = Graph().parse(data=response.data, format="turtle")
    dataset = URIRef(SERVED + ".well-known/void#imt-kg")
    dcat = "http://www.w3.org/ns/dcat#"
    assert void.value(dataset, URIRef(dcat + "version")) == Literal("1.1.0")
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/issued")) == Literal(
        "2026-02-01", datatype=XSD.date
    )
    assert set(void.objects(dataset, URIRef(dcat + "hasVersion"))) == {
        URIRef(SERVED + "releases/1.0.0"),
        URIRef(SERVED + "releases/1.1.0"),
    }
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    rows = [
        tuple(str(v) if v is not None else None for v in row) for row in void.query(CATALOGUE_CHAIN)
    ]
    assert rows == [("1.0.0", None, None), ("1.1.0", "1.0.0", "1.0.0")]


# -- A release's page and its patches -------------------------------------------------------------


def test_release_page_shows_citation_files_neighbours_and_changes(client, folders):
    """1.1.0: its citation, files with checksums, previous 1.0.0, changes per graph, the
    resources touched linked to their pages, and the patches."""
    _, releases = folders
    response = client.get("/releases/1.1.0", headers=HTML)
    assert response.status_code == 200
    doc = parse_html(response.data)
    cite = by_id(doc, "cite")
    assert [text_of(dd) for dd in elements(cite, "dd")] == [
        "IMT knowledge graph 1.1.0",
        "IMT knowledge graph contributors",
        "1.1.0",
        "2026-02-01",
        "CC-BY-4.0",
        BASE + "releases/1.1.0",
    ]
    assert [a.get("href") for a in elements(cite, "a") if "cite/" in a.get("href")] == [
        SERVED + "cite/release/1.1.0"
    ]
    record = json.loads((releases / "1.1.0" / "release.json").read_text())
    files = {
        tr.get("data-file"): text_of(elements(tr, "code")[0])
        for tr in elements(by_id(doc, "files"), "tr")
        if tr.get("data-file")
    }
    assert files == {name: f["sha256"] for name, f in record["files"].items()}
    neighbours = [a for a in elements(doc, "a") if a.get("rel") in ("prev", "next")]
    assert [(a.get("rel"), a.get("href")) for a in neighbours] == [
        ("prev", SERVED + "releases/1.0.0")
    ]
    changes = by_id(doc, "changes")
    table = {
        tr.get("data-graph"): tuple(int(text_of(td)) for td in elements(tr, "td")[1:])
        for tr in elements(changes, "tr")
        if tr.get("data-graph")
    }
    assert table == _expected_changes(releases)
    touched = {
        li.get("data-iri"): [(text_of(a), a.get("href")) for a in elements(li, "a")]
        for li in find_all(doc, "li")
        if li.get("data-iri")
    }
    assert touched[CCI] == [("CCI Occitanie", SERVED + "id/cci-occitanie.html")]
    assert touched[CTI] == [("id:cti", SERVED + "id/cti.html")]
    assert touched[VOCCITANIE] == [
        ("Voccitanie (removed in the test fixture)", SERVED + "id/periodical/voccitanie.html")
    ]
    patches = [a.get("href") for a in elements(changes, "a") if a.get("download") is not None]
    assert patches == [
        SERVED + "releases/1.1.0/" + name
        for name in ("added.nq", "removed.nq", "changes.rdfp", "changes.json")
    ]
    removed_lines = text_of(find_all(doc, "details", data_graph=GRAPH + "imt-grand-est")[0])
    assert f'- <{CTI}> <{RDFS.label}> "CTI"@en <{GRAPH}imt-grand-est> .' in removed_lines


def test_first_release_page_and_next(client):
    """1.0.0 is the first: nothing to compare, a link to 1.1.0, and no patches (404)."""
    doc = parse_html(client.get("/releases/1.0.0", headers=HTML).data)
    assert (
        text_of(by_id(doc, "changes")) == "Changes The first release: nothing to compare it with."
    )
    neighbours = [
        (a.get("rel"), a.get("href"))
        for a in elements(doc, "a")
        if a.get("rel") in ("prev", "next")
    ]
    assert neighbours == [("next", SERVED + "releases/1.1.0")]
    response = client.get("/releases/1.0.0/added.nq")
    assert response.status_code == 404
    assert "1.0.0 is the first release" in response.data.decode()


def test_release_description_in_rdf(client):
    """A release IRI read by a program: its DCAT description, its dumps and checksums."""
    response = client.get("/releases/1.1.0", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    release = URIRef(SERVED + "releases/1.1.0")
    dcat = "http://www.w3.org/ns/dcat#"
    assert graph.value(release, URIRef(dcat + "previousVersion")) == URIRef(
        SERVED + "releases/1.0.0"
    )
    assert set(graph.objects(release, URIRef(dcat + "distribution"))) == {
        URIRef(SERVED + "dumps/1.1.0/imt-kg.nq.gz"),
        URIRef(SERVED + "dumps/1.1.0/imt-kg.trig.gz"),
    }
    assert len(list(graph.subjects(URIRef("http://spdx.org/rdf/terms#checksumValue"), None))) == 2


def test_patches_are_exact(client, folders):
    """added.nq and removed.nq are the rdflib differences; the RDF Patch and the JSON agree."""
    _, releases = folders
    old = _release_quads(releases, "1.0.0")
    new = _release_quads(releases, "1.1.0")
    response = client.get("/releases/1.1.0/added.nq")
    assert response.status_code == 200
    assert response.content_type == "application/n-quads; charset=utf-8"
    added = parse_nquads(response.data)
    removed = parse_nquads(client.get("/releases/1.1.0/removed.nq").data)
    assert added == new - old
    assert removed == old - new
    patch = client.get("/releases/1.1.0/changes.rdfp").data.decode().splitlines()
    assert patch[0] == "TX ." and patch[-1] == "TC ."
    assert sum(line.startswith("A ") for line in patch) == len(added)
    assert sum(line.startswith("D ") for line in patch) == len(removed)
    summary = client.get("/releases/1.1.0/changes.json").get_json()
    assert summary["from"] == "1.0.0" and summary["to"] == "1.1.0"
    assert {g["graph"]: (g["added"], g["removed"]) for g in summary["graphs"]} == (
        _expected_changes(releases)
    )
    assert client.get("/releases/1.1.0/other.txt").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/releases/1.0",
        "/releases/v1.0.0",
        "/releases/01.0.0",
        "/dumps/1.0.0.0/",
        "/releases/1.0.x/added.nq",
    ],
)
def test_malformed_version_is_400(client, path):
    """A version that is not MAJOR.MINOR.PATCH is a 400 saying what one looks like."""
    response = client.get(path)
    assert response.status_code == 400
    assert "is not a release version: use MAJOR.MINOR.PATCH" in response.data.decode()


def test_unknown_version_is_404_naming_the_releases(client):
    """An unknown release: a 404 page (or text) naming the releases there are."""
    response = client.get("/releases/9.9.9", headers=HTML)
    assert response.status_code == 404
    doc = parse_html(response.data)
    assert [a.get("href") for a in find_all(doc, "a", class_="release")] == [
        SERVED + "releases/1.1.0",
        SERVED + "releases/1.0.0",
    ]
    text = client.get("/releases/9.9.9")
    assert text.status_code == 404
    assert text.data == b"404 Not Found: no release 9.9.9 (releases: 1.1.0, 1.0.0)\n"
    assert client.get("/dumps/9.9.9/imt-kg.nq.gz").status_code == 404


# -- Dumps ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_release_dumps_match_their_checksums(client, folders, version):
    """Each dump's SHA-256 is its line of SHA256SUMS, its .sha256 file and its ETag; a
    conditional request with it is a 304."""
    _, releases = folders
    sums = client.get(f"/dumps/{version}/{CHECKSUMS}")
    assert sums.status_code == 200
    assert sums.data == (releases / version / CHECKSUMS).read_bytes()
    for line in sums.data.decode().splitlines():
        digest, name = line.split("  ")
        response = client.get(f"/dumps/{version}/{name}")
        assert response.status_code == 200
        assert response.content_type == "application/gzip"
        assert hashlib.sha256(response.data).hexdigest() == digest
        assert response.headers["ETag"] == f'"{digest}"'
        assert client.get(f"/dumps/{version}/{name}.sha256").data.decode() == line + "\n"
        again = client.get(f"/dumps/{version}/{name}", headers={"If-None-Match": f'"{digest}"'})
        assert again.status_code == 304
    index = parse_html(client.get(f"/dumps/{version}/", headers=HTML).data)
    assert sorted(tr.get("data-file") for tr in find_all(index, "tr") if tr.get("data-file")) == [
        "imt-kg.nq.gz",
        "imt-kg.trig.gz",
    ]


def test_latest_redirects_to_the_latest_release(client):
    """/dumps/latest/... (and /releases/latest...) is a 302 to the latest release's;
    /dumps/latest leads to the folder;
    the live dumps of the served data are still at /dumps/<name>."""
    response = client.get("/dumps/latest/imt-kg.nq.gz")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dumps/1.1.0/imt-kg.nq.gz"
    assert client.get("/dumps/latest/").headers["Location"] == "/dumps/1.1.0/"
    assert client.get("/dumps/latest").headers["Location"] == "/dumps/latest/"
    assert client.get("/dumps/1.0.0").headers["Location"] == "/dumps/1.0.0/"
    assert client.get("/releases/latest").headers["Location"] == "/releases/1.1.0"
    latest_patch = client.get("/releases/latest/changes.json")
    assert (latest_patch.status_code, latest_patch.headers["Location"]) == (
        302,
        "/releases/1.1.0/changes.json",
    )
    assert client.get("/dumps/imt-kg.nq.gz").status_code == 200
    assert client.get("/dumps/1.1.0/other.gz").status_code == 404


def test_a_damaged_dump_is_a_409_never_sent(folders, tmp_path):
    """A dump whose bytes changed is refused with 409 and the message naming it, as is every
    page that needs its statements; the other files and the resource pages still answer."""
    graph, releases = folders
    copy = tmp_path / "releases"
    shutil.copytree(releases, copy)
    dump = copy / "1.0.0" / "imt-kg.nq.gz"
    data = bytearray(dump.read_bytes())
    data[100] ^= 0xFF
    dump.write_bytes(bytes(data))
    app = _app(graph, copy)
    try:
        client = app.test_client()
        response = client.get("/dumps/1.0.0/imt-kg.nq.gz")
        assert response.status_code == 409
        assert response.data.decode() == (
            f"409 Conflict: {dump}: does not match the SHA-256 that release 1.0.0 records "
            "(release.json); the file was damaged or edited\n"
        )
        assert response.headers["Cache-Control"] == "no-store"
        assert client.get("/releases/1.1.0", headers=HTML).status_code == 409
        assert client.get("/releases/1.1.0/added.nq").status_code == 409
        assert client.get("/dumps/1.0.0/imt-kg.trig.gz").status_code == 200
        page = client.get("/id/imt-grand-est.html")
        assert page.status_code == 200
        assert not find_all(parse_html(page.data), "p", class_="release-history")
    finally:
        close_app(app)


# -- Resource pages ------------------------------------------------------------------------------


def _release_line(client: FlaskClient, iri: str, lang: str = "en") -> str:
    response = client.get(f"/id/{iri[len(ID) :]}.html?lang={lang}")
    assert response.status_code == 200
    return text_of(find_all(parse_html(response.data), "p", class_="release-history")[0])


def test_resource_pages_say_since_which_release_and_last_change(client):
    """The release line of a page, exactly, for each case of the fixture."""
    assert _release_line(client, ID + "imt-grand-est") == (
        "In the dataset since release 1.0.0 (2026-01-01); "
        "last changed in release 1.0.0 (2026-01-01)."
    )
    assert _release_line(client, CCI) == (
        "In the dataset since release 1.0.0 (2026-01-01); "
        "last changed in release 1.1.0 (2026-02-01)."
    )
    assert _release_line(client, MINISTRY) == (
        "In the dataset since release 1.0.0 (2026-01-01); "
        "last changed in release 1.0.0 (2026-01-01). Changed since the latest release."
    )
    assert _release_line(client, NEW) == "Not in any release yet."
    assert _release_line(client, CCI, "fr") == (
        "Dans le jeu de données depuis la version 1.0.0 (2026-01-01); "
        "modifiée pour la dernière fois dans la version 1.1.0 (2026-02-01)."
    )


def test_description_keys_do_not_depend_on_blank_node_labels():
    """Two datasets whose blank nodes are labelled differently describe a resource alike; a
    change inside the blank node is a change of the resource."""
    graph = ox.NamedNode(GRAPH + "g")
    subject, predicate = ox.NamedNode(ID + "x"), ox.NamedNode(BASE + "ontology#p")
    value = ox.NamedNode(BASE + "ontology#v")

    def dataset(label: str, number: int) -> list[ox.Quad]:
        node = ox.BlankNode(label)
        return [
            ox.Quad(subject, predicate, node, graph),
            ox.Quad(node, value, ox.Literal(str(number)), graph),
        ]

    assert description_keys(dataset("a", 1)) == description_keys(dataset("b", 1))
    assert description_keys(dataset("a", 1)) != description_keys(dataset("a", 2))


# -- Removed IRIs --------------------------------------------------------------------------------


def test_an_iri_a_release_removed_is_410_naming_its_last_release(client):
    """id:cti, described in 1.0.0 and gone since 1.1.0 with no trail: 410 with a page naming
    1.0.0 and its dump, or RDF pointing to the release; never a 404."""
    response = client.get("/id/cti", headers=HTML)
    assert response.status_code == 410
    doc = parse_html(response.data)
    last = find_all(doc, "p", class_="last-release")[0]
    assert text_of(last) == "The latest release that describes it is 1.0.0 (2026-01-01): its dump."
    assert links(last) == {
        "1.0.0": SERVED + "releases/1.0.0",
        "its dump": SERVED + "dumps/1.0.0/imt-kg.nq.gz",
    }
    assert text_of(elements(doc, "h1")[0]) == "Gone: CTI"
    turtle = client.get("/id/cti.ttl")
    assert turtle.status_code == 410
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert graph.value(URIRef(CTI), RDFS.seeAlso) == URIRef(SERVED + "releases/1.0.0")


def test_an_iri_removed_with_a_replacement_is_301(client):
    """id:periodical/voccitanie, removed with a trail naming its replacement: 301 there."""
    response = client.get("/id/periodical/voccitanie")
    assert response.status_code == 301
    assert response.headers["Location"] == "/id/cci-occitanie"
    page = client.get("/id/periodical/voccitanie.html")
    assert page.status_code == 301
    assert page.headers["Location"] == "/id/cci-occitanie.html"


# -- The shipped releases and a real server ------------------------------------------------------


def test_shipped_releases_are_listed(shipped_client):
    """The app on the shipped graph lists the releases of releases/, newest first."""
    versions = sorted(
        (p.parent.name for p in (REPO / "releases").glob("*/release.json")),
        key=lambda v: tuple(int(n) for n in v.split(".")),
        reverse=True,
    )
    doc = parse_html(shipped_client.get("/releases/", headers=HTML).data)
    assert [tr.get("data-version") for tr in find_all(doc, "tr") if tr.get("data-version")] == (
        versions
    )


@pytest.mark.live
def test_latest_dump_over_http(app, folders):
    """Over a real HTTP server, urllib follows /dumps/latest/ to the latest checksums."""
    _, releases = folders
    with live_server(app) as url:
        with urllib.request.urlopen(f"{url}/dumps/latest/{CHECKSUMS}", timeout=30) as answer:
            assert answer.status == 200
            assert answer.url == f"{url}/dumps/1.1.0/{CHECKSUMS}"
            assert answer.read() == (releases / "1.1.0" / CHECKSUMS).read_bytes()
