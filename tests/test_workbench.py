"""The query workbench and the gallery, without a browser: pages, their data, local assets only.

What runs in a browser (the editor, autocompletion, result tables, no outside request) is in
``test_browser.py``.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from linked_data_support import parse_html
from sparql_support import app_context

from imtkg.core.namespaces import PREFIXES
from imtkg.web.endpoints.queries_gallery import ManifestError, load_examples, parse_manifest

VOID_DATA = Path(__file__).resolve().parent / "data" / "void"
VENDOR = Path(__file__).resolve().parent.parent / "server" / "web" / "static" / "vendor" / "yasgui"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EXAMPLES = load_examples()


class Assets(HTMLParser):
    """Collects a page's scripts, style sheets, links and the workbench's JSON settings."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.links: list[str] = []
        self.settings: dict | None = None
        self._in_settings = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" in attributes:
            self.scripts.append(attributes["src"])
        if tag == "script" and attributes.get("id") == "workbench-config":
            self._in_settings = True
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.styles.append(attributes["href"])
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])

    def handle_data(self, data):
        if self._in_settings:
            self.settings = json.loads(data)
            self._in_settings = False


def parse(response) -> Assets:
    """Parse an HTML response."""
    assets = Assets()
    assets.feed(response.get_data(as_text=True))
    return assets


@pytest.fixture(scope="module")
def fixture_client():
    """A client of an app on the small dataset of ``tests/data/void``."""
    with app_context(ONTOLOGY_DIR=VOID_DATA / "ontology", GRAPH_DIR=VOID_DATA / "graph") as app:
        yield app.test_client()


def test_browsers_get_the_workbench_at_sparql(shipped_client):
    """A browser opening /sparql gets the workbench page; RDF clients still get the description."""
    page = shipped_client.get("/sparql", headers=BROWSER)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert {"Accept", "Accept-Language", "Cookie"} <= set(page.vary)
    assert "<h1>SPARQL workbench</h1>" in page.get_data(as_text=True)
    assert shipped_client.get("/sparql", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_workbench_loads_only_local_assets(shipped_client):
    """Every script and style sheet of the workbench is served by the app itself."""
    assets = parse(shipped_client.get("/sparql", headers=BROWSER))
    assert assets.scripts == [
        "/static/vendor/yasgui/yasgui.min.js",
        "/static/workbench/workbench.js",
    ]
    assert assets.styles == [
        "/static/css/site.css",
        "/static/vendor/yasgui/yasgui.min.css",
        "/static/workbench/workbench.css",
    ]
    for url in assets.scripts + assets.styles:
        response = shipped_client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_workbench_settings_hold_the_gallery(shipped_client):
    """The page's settings: this endpoint, local data for the completers, every example."""
    settings = parse(shipped_client.get("/sparql", headers=BROWSER)).settings
    assert settings["endpoint"] == "/sparql"
    assert settings["prefixesUrl"] == "/prefixes.json"
    assert settings["termsUrl"] == "/workbench/terms.json"
    assert settings["prefixes"] == PREFIXES
    assert (settings["selected"], settings["run"]) == (None, False)
    assert [e["id"] for e in settings["examples"]] == [e.id for e in EXAMPLES]
    first = settings["examples"][0]
    assert first == {
        "id": EXAMPLES[0].id,
        "title": EXAMPLES[0].title["en"],
        "description": EXAMPLES[0].description["en"],
        "query": EXAMPLES[0].query,
        "infer": True,
    }
    asserted = next(
        e for e in settings["examples"] if e["id"] == "members-of-imt-grand-est-asserted"
    )
    assert asserted["infer"] is False


def test_example_parameter_selects_and_runs_it(shipped_client):
    """?example=<id> opens that example and runs it; the page is in French when asked."""
    response = shipped_client.get("/sparql?example=ranking-editions&lang=fr", headers=BROWSER)
    settings = parse(response).settings
    assert (settings["selected"], settings["run"]) == ("ranking-editions", True)
    titles = {e["id"]: e["title"] for e in settings["examples"]}
    assert titles["ranking-editions"] == (
        "Les éditions du THE Impact Ranking et les établissements classés"
    )
    assert "<h1>Atelier SPARQL</h1>" in response.get_data(as_text=True)


def test_unknown_example_is_a_404_with_the_workbench(shipped_client):
    """An unknown example answers 404 with a notice, and the workbench all the same."""
    response = shipped_client.get("/workbench?example=no-such-question")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "No example is named “no-such-question”." in page
    assert parse(response).settings["selected"] is None


def test_prefixes_json_is_the_projects_prefixes(shipped_client):
    """/prefixes.json answers the project's prefixes, which the prefix completer reads."""
    response = shipped_client.get("/prefixes.json")
    assert response.mimetype == "application/json"
    assert response.get_json() == PREFIXES


def test_terms_json_lists_the_ontologys_and_datas_terms(fixture_client):
    """Classes and properties declared by the ontology or used by the data, as full IRIs."""
    assert fixture_client.get("/workbench/terms.json").get_json() == {
        "classes": [
            "http://www.w3.org/2002/07/owl#Class",
            "http://www.w3.org/2002/07/owl#Ontology",
            "https://w3id.org/imt-kg/ontology#Institution",
            "https://w3id.org/imt-kg/ontology#School",
        ],
        "properties": [
            "http://purl.org/dc/terms/source",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            "http://www.w3.org/2000/01/rdf-schema#label",
            "http://www.w3.org/2000/01/rdf-schema#subClassOf",
            "https://schema.org/address",
            "https://schema.org/addressLocality",
            "https://schema.org/sameAs",
        ],
    }


def test_workbench_script_replaces_the_outside_completers():
    """The workbench script swaps LOV's and prefix.cc's completers for local ones, keeps nothing."""
    script = (VENDOR.parent.parent / "workbench" / "workbench.js").read_text(encoding="utf-8")
    assert (
        'Yasqe.defaults.autocompleters = ["variables", "imt-prefixes", "imt-classes", '
        '"imt-properties"];'
    ) in script
    assert "Yasqe.defaults.prefixCcApi = config.prefixesUrl;" in script
    assert "persistenceId: null" in script


def test_vendored_yasgui_and_its_licence():
    """The vendored build is @zazuko/yasgui 4.6.2, with its licence and the bundled ones."""
    assert (VENDOR / "VERSION").read_text().splitlines()[0] == "@zazuko/yasgui 4.6.2"
    assert "MIT License" in (VENDOR / "LICENSE").read_text()
    third_party = (VENDOR / "THIRD-PARTY-LICENSES.txt").read_text()
    assert "codemirror 5.65.21 - MIT" in third_party
    lock = json.loads((VENDOR.parents[4] / "tools" / "yasgui" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@zazuko/yasgui"]["version"] == "4.6.2"


def test_gallery_page_links_each_example(shipped_client):
    """/queries lists every example with its description, workbench link and result links."""
    response = shipped_client.get("/queries")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = parse(response).links
    for example in EXAMPLES:
        assert f"/sparql?example={example.id}" in links
        assert f"/queries/{example.id}.rq" in links
        assert example.description["en"].replace("'", "&#39;") in page
    csv_links = [urlsplit(link) for link in links if "format=csv" in link]
    assert len(csv_links) == len(EXAMPLES)
    params = parse_qs(csv_links[0].query)
    assert params["query"] == [EXAMPLES[0].query]
    asserted = [parse_qs(u.query) for u in csv_links if "infer=false" in u.query]
    assert [p["query"][0] for p in asserted] == [e.query for e in EXAMPLES if not e.infer]


def test_gallery_in_french(shipped_client):
    """The gallery in French shows the French titles."""
    page = shipped_client.get("/queries?lang=fr").get_data(as_text=True)
    assert "<h1>Exemples de requêtes</h1>" in page
    assert "Les membres d&#39;IMT Grand Est, sans inférence" in page


def test_query_file_has_a_header(shipped_client):
    """/queries/<id>.rq is the query, headed by its title and description as comments."""
    example = next(e for e in EXAMPLES if e.id == "members-of-imt-grand-est-asserted")
    response = shipped_client.get(f"/queries/{example.id}.rq")
    assert response.mimetype == "application/sparql-query"
    assert response.get_data(as_text=True) == (
        "# Members of IMT Grand Est, without inference\n"
        f"# {example.description['en']}\n"
        "# Run with infer=false (without the inferred graph).\n\n" + example.query
    )
    missing = shipped_client.get("/queries/nothing.rq")
    assert missing.status_code == 404
    assert missing.get_data(as_text=True) == (
        "404 Not Found: no example query named 'nothing'; see /queries\n"
    )


def test_manifest_json(shipped_client):
    """/queries.json gives each example's texts, query, infer flag and links."""
    entries = shipped_client.get("/queries.json").get_json()
    assert [e["id"] for e in entries] == [e.id for e in EXAMPLES]
    assert entries[0]["links"]["workbench"] == f"/sparql?example={EXAMPLES[0].id}"
    assert set(entries[0]["links"]) == {"workbench", "query", "csv", "json", "tsv", "xml"}
    assert entries[0]["title"] == EXAMPLES[0].title


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "expected a non-empty JSON list of examples"),
        ([{"id": "Not An Id"}], "entry 1: 'id' must be lower-case words joined by hyphens"),
        ([{"id": "missing-file"}], "entry 1 (missing-file): no query file missing-file.rq in"),
        (
            [{"id": "q", "title": {"en": "Q"}, "description": {"en": "D", "fr": "D"}}],
            "entry 1 (q): 'title' needs a non-empty text for each of ('en', 'fr')",
        ),
        (
            [{"id": "q", "infer": "no"}],
            "entry 1 (q): 'infer' must be true or false",
        ),
    ],
)
def test_malformed_manifest_is_reported(tmp_path, entries, message):
    """A malformed manifest entry raises an error naming the file, the entry and the fault."""
    (tmp_path / "q.rq").write_text("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(ManifestError) as error:
        parse_manifest(entries, tmp_path)
    assert message in str(error.value)
    assert str(tmp_path / "index.json") in str(error.value)


@pytest.mark.parametrize(
    "path", ["/sparql", "/queries", "/queries?lang=fr", "/dumps/", "/.well-known/void"]
)
def test_pages_are_well_formed_html5(shipped_client, path):
    """The workbench, gallery, dumps and VoID pages parse as HTML5 without a single error."""
    response = shipped_client.get(path, headers=BROWSER)
    assert response.mimetype == "text/html"
    root = parse_html(response.data)
    assert root.find(".//h1") is not None
