"""Search (issue 16): the FTS5 index of names and descriptions and ``GET /search``.

The index is checked on the shipped graph directly (:class:`SearchIndex`), then through the app
(JSON and HTML, parameters, escaping).
"""

from __future__ import annotations

import pytest
from markupsafe import escape
from pyoxigraph import Literal

from imtkg.store.search_index import SearchIndex, match_expression

ID = "https://w3id.org/imt-kg/id/"
IMT = "https://w3id.org/imt-kg/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


@pytest.fixture(scope="module")
def index(kg) -> SearchIndex:
    """The search index of the shipped graph."""
    return SearchIndex.from_store(kg.store)


def first_iris(index: SearchIndex, q: str, n: int = 3, **kwargs) -> list[str]:
    """The IRIs of the first ``n`` hits of ``q``."""
    hits, _ = index.search(q, limit=n, **kwargs)
    return [hit.iri for hit in hits]


def test_issue_examples(index: SearchIndex) -> None:
    """The issue's four examples: accents and case folded, "st" read as "saint"."""
    assert first_iris(index, "ales") == [
        ID + "place/ales",
        ID + "place/bassin-alesien",
        ID + "imt-mines-ales",
    ]
    assert first_iris(index, "telecom", 1) == [ID + "telecom-nancy"]
    assert ID + "institut-mines-telecom" in first_iris(index, "telecom", 3)
    assert first_iris(index, "evry") == [ID + "place/evry"]
    assert first_iris(index, "mines st etienne", 1) == [ID + "mines-saint-etienne"]
    assert first_iris(index, "Mines Saint-Étienne", 1) == [ID + "mines-saint-etienne"]


def test_exact_name_first_and_match_marks(index: SearchIndex) -> None:
    """A query that is a whole name puts that resource first, marks each matched word."""
    hits, total = index.search("IMT Mines Alès", limit=2)
    assert total > 2
    assert hits[0].iri == ID + "imt-mines-ales"
    assert (hits[0].exact, hits[0].field, hits[0].text) == (True, "name", "IMT Mines Alès")
    assert hits[0].marks == ((0, 3), (4, 9), (10, 14))
    assert hits[1].exact is False


def test_prefix_matching(index: SearchIndex) -> None:
    """A word's beginning finds the names it starts (autocompletion)."""
    hits, _ = index.search("incub", limit=1)
    assert (hits[0].iri, hits[0].text, hits[0].marks) == (
        ID + "imt-mines-ales-incubator",
        "Incubateur de l'IMT Mines Alès",
        ((0, 10),),
    )


def test_lang_and_type_filters(index: SearchIndex) -> None:
    """``lang`` restricts the matched text's language; ``type`` the resources' (inferred) type."""
    hits, _ = index.search("ales", limit=1, lang="en", type_iri=IMT + "School")
    assert [(h.iri, h.lang, h.labels) for h in hits] == [
        (ID + "imt-mines-ales", "en", {"fr": "IMT Mines Alès", "en": "IMT Mines Alès"})
    ]
    assert first_iris(index, "incubateur", 1, lang="en") == []
    assert first_iris(index, "incubator", 1, lang="fr") == []
    assert first_iris(index, "incubator", 1, lang="en") == [IMT + "Incubator"]


def test_ranking_name_before_description() -> None:
    """An exact name, then a name match, then a description match, whatever bm25 says."""
    rows = [
        ("urn:x:desc", LABEL, Literal("Unrelated", language="en")),
        ("urn:x:desc", COMMENT, Literal("Near Alès, Alès and Alès again", language="en")),
        ("urn:x:name", LABEL, Literal("Alès Agglomération", language="fr")),
        ("urn:x:exact", ALT, Literal("ALES", language="fr")),
        ("urn:x:exact", LABEL, Literal("Ville", language="fr")),
    ]
    index = SearchIndex.from_rows(rows, [("urn:x:exact", "urn:x:Town")])
    hits, total = index.search("ales")
    assert total == 3
    assert [(h.iri, h.field, h.exact) for h in hits] == [
        ("urn:x:exact", "name", True),
        ("urn:x:name", "name", False),
        ("urn:x:desc", "description", False),
    ]
    assert hits[0].labels == {"fr": "Ville"}
    assert first_iris(index, "ales", type_iri="urn:x:Town") == ["urn:x:exact"]


def test_query_syntax_is_not_fts5_syntax() -> None:
    """A person's words are quoted: FTS5 operators and quotes are plain text."""
    assert match_expression('a" OR NEAR(b) *') == '("a"*) AND ("or"*) AND ("near"*) AND ("b"*)'
    assert match_expression("st") == '("st"* OR "saint"*)'
    assert match_expression("?!") is None


def test_json_answer(shipped_client) -> None:
    """JSON is the default, with stable fields; the first hit of the French example."""
    response = shipped_client.get("/search?q=mines+st+etienne&limit=1")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert (body["query"], body["total"], body["limit"], body["offset"]) == (
        "mines st etienne",
        4,
        1,
        0,
    )
    [hit] = body["results"]
    assert hit["iri"] == ID + "mines-saint-etienne"
    assert hit["labels"] == {"fr": "Mines Saint-Étienne", "en": "Mines Saint-Étienne"}
    assert IMT + "EngineeringSchool" in hit["types"]
    assert hit["matched"] == {"field": "name", "lang": "fr", "exact": True}
    assert hit["snippet"] == "Mines Saint-Étienne"
    assert hit["snippet_html"] == "<mark>Mines</mark> <mark>Saint</mark>-<mark>Étienne</mark>"
    assert hit["highlights"] == [[0, 5], [6, 11], [12, 19]]


def test_json_paging_and_filters(shipped_client) -> None:
    """``offset`` pages through one ranking; ``type`` takes a prefixed name; ``lang`` filters."""
    all_three = shipped_client.get("/search?q=ales&limit=3").get_json()["results"]
    second = shipped_client.get("/search?q=ales&limit=1&offset=1").get_json()["results"]
    assert [h["iri"] for h in second] == [all_three[1]["iri"]]
    schools = shipped_client.get("/search?q=ales&type=imt:School&lang=en").get_json()
    assert [h["iri"] for h in schools["results"]] == [ID + "imt-mines-ales"]
    assert schools["results"][0]["matched"]["lang"] == "en"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "parameter q is required"),
        ("q=ales&limit=0", "parameter limit must be between 1 and 100, not 0"),
        ("q=ales&limit=ten", "parameter limit must be an integer, not 'ten'"),
        ("q=ales&offset=-1", "parameter offset must be between 0 and 10000, not -1"),
        ("q=ales&lang=de", "parameter lang must be fr or en, not 'de'"),
        (
            "q=ales&type=not%20an%20iri",
            "parameter type must be an IRI or a prefixed name, not 'not an iri'",
        ),
        ("q=" + "a" * 201, "parameter q is longer than 200 characters"),
    ],
)
def test_bad_parameters(shipped_client, query: str, message: str) -> None:
    """A bad parameter is answered 400 with a message naming it."""
    response = shipped_client.get("/search?" + query)
    assert (response.status_code, response.get_data(as_text=True)) == (400, message + "\n")


def test_html_page(shipped_client) -> None:
    """A browser gets the page: both labels, types, the match in <mark>, in its language."""
    response = shipped_client.get(
        "/search?q=evry", headers={"Accept": "text/html", "Accept-Language": "fr"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<p class="search-count">1 résultat</p>' in page
    assert 'trouvé dans nom (fr): <span lang="fr"><mark>Évry</mark></span>' in page
    assert '<a href="http://localhost/id/place/evry.html"><span lang="fr">Évry</span></a>' in page
    assert "<code>schema:City</code>, <code>schema:Place</code>, <code>imt:City</code>" in page
    assert 'name="q" value="evry"' in page


def test_html_escapes_a_hostile_query(shipped_client) -> None:
    """Markup in the query comes back escaped, in the title, the boxes and the results."""
    hostile = '<script>alert("x")</script> ales'
    response = shipped_client.get(
        "/search", query_string={"q": hostile}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    escaped = str(escape(hostile))  # what Jinja writes: &lt;script&gt;alert(&#34;x&#34;)…
    assert page.count(escaped) == 3  # the title, the header's box, the page's box


def test_search_box_on_every_page(shipped_client) -> None:
    """The header of the pages holds a search box that submits to /search."""
    for path in ("/", "/id/imt-mines-ales.html", "/.well-known/void"):
        page = shipped_client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'class="site-search" role="search" action="' in page, path
        assert 'search" method="get">' in page, path
        assert 'type="search" name="q"' in page, path


def test_index_from_the_engine_pages_through_its_limits(shipped_app, index, monkeypatch) -> None:
    """Built from the engine's answers a few hundred rows at a time, the index equals the one
    built from the store: same resources, same first hits."""
    from imtkg.web.endpoints import search as endpoint
    from imtkg.web.state import EXTENSION_KEY

    monkeypatch.setattr(endpoint, "BUILD_PAGE", 700)
    built = endpoint.build_index(shipped_app.extensions[EXTENSION_KEY].engine)
    assert len(built) == len(index) == 2138
    for q in ("ales", "telecom", "evry", "mines st etienne", "incub"):
        assert built.search(q, limit=5) == index.search(q, limit=5), q


# -- the index file, built at start ---------------------------------------------------------------


def _fresh_state(state, **changes):
    """``state`` with an empty memo of shared values (so nothing is cached in memory)."""
    from dataclasses import replace

    from cachetools import LRUCache

    from imtkg.web.state import Memo

    return replace(state, shared=Memo(LRUCache(maxsize=8)), extra={}, **changes)


def test_index_file_built_at_start_then_reused(shipped_app, index, tmp_path, monkeypatch) -> None:
    """serve's start-up hook writes the index as a file in the cache; the next start opens the
    same file (same inode and mtime, nothing built), and it answers as the in-memory index."""
    from imtkg.cli.serve import prepare_search
    from imtkg.store.startup_cache import search_index_path
    from imtkg.web.endpoints import search as endpoint
    from imtkg.web.state import EXTENSION_KEY

    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path / "cache"))
    served = shipped_app.extensions[EXTENSION_KEY]
    first = _fresh_state(served)
    prepare_search(first)
    path = search_index_path(served.version.digest)
    assert path is not None and path.parent == tmp_path / "cache" / "search"
    assert first.extra["search_index_built"] is True
    before = path.stat()

    def no_build(state):
        raise AssertionError("the index was built again")

    monkeypatch.setattr(endpoint, "_build", no_build)
    second = _fresh_state(served)
    prepare_search(second)
    assert second.extra["search_index_built"] is False
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    reopened = second.shared.get("search_index", no_build)
    assert reopened.path == path.resolve() and reopened.memory is None
    assert len(reopened) == len(index)
    for q in ("ales", "mines st etienne", "incub"):
        assert reopened.search(q, limit=5) == index.search(q, limit=5), q


def test_index_file_rebuilt_when_the_data_changes(shipped_app, tmp_path, monkeypatch) -> None:
    """Another dataset version gets its own index file, built anew."""
    from dataclasses import replace

    from imtkg.store.startup_cache import search_index_path
    from imtkg.web.endpoints.search import prepare_index
    from imtkg.web.state import EXTENSION_KEY

    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path / "cache"))
    served = shipped_app.extensions[EXTENSION_KEY]
    prepare_index(_fresh_state(served))
    changed = _fresh_state(served, version=replace(served.version, digest="0" * 64))
    prepare_index(changed)
    assert changed.extra["search_index_built"] is True
    files = sorted((tmp_path / "cache" / "search").glob("*.sqlite"))
    assert files == sorted([search_index_path(served.version.digest), search_index_path("0" * 64)])


def test_search_answers_from_the_file_without_building(shipped_app, tmp_path, monkeypatch) -> None:
    """Once the start-up hook has run, GET /search answers from the file: building is refused."""
    from imtkg.cli.serve import prepare_search
    from imtkg.web.endpoints import search as endpoint
    from imtkg.web.state import EXTENSION_KEY

    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path / "cache"))
    state = _fresh_state(shipped_app.extensions[EXTENSION_KEY])
    prepare_search(state)

    def no_build(*args):
        raise AssertionError("a search built the index")

    monkeypatch.setattr(endpoint, "_build", no_build)
    monkeypatch.setattr(SearchIndex, "from_store", no_build)
    monkeypatch.setitem(shipped_app.extensions, EXTENSION_KEY, state)
    # a query no other test asks, so that no cached response answers it
    response = shipped_app.test_client().get("/search?q=alesien&limit=1&offset=0")
    assert response.status_code == 200
    assert [hit["iri"] for hit in response.get_json()["results"]] == [ID + "place/bassin-alesien"]
    assert state.shared.get("search_index", no_build).path is not None


def test_damaged_index_file_is_rebuilt(shipped_app, tmp_path, monkeypatch) -> None:
    """A cached index file that is not an index (truncated, overwritten) is built again, never
    served."""
    from imtkg.store.startup_cache import search_index_path
    from imtkg.web.endpoints.search import prepare_index
    from imtkg.web.state import EXTENSION_KEY

    monkeypatch.setenv("IMTKG_CACHE_DIR", str(tmp_path / "cache"))
    served = shipped_app.extensions[EXTENSION_KEY]
    path = search_index_path(served.version.digest)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    state = _fresh_state(served)
    rebuilt = prepare_index(state)
    assert state.extra["search_index_built"] is True
    assert first_iris(rebuilt, "evry", 1) == [ID + "place/evry"]
