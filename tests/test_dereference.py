"""Dereferenceable IRIs: 303 content negotiation, format documents parsed back, 404s, the base."""

from __future__ import annotations

import json

import pytest
from linked_data_support import (
    BASE,
    GRAPH,
    ID,
    IMT,
    RDF_FORMATS,
    SERVED,
    client,
    jsonld_to_nquads,
    parse_html,
    parse_quads,
    parse_rdf,
    select,
    shipped_app,
    text_of,
)
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

SCHEMA = "https://schema.org/"
CONCEPT = ID + "concept/"

#: a resource of every kind: (served path, canonical IRI, a statement its description holds)
KINDS = {
    "organisation": (
        "/id/imt-mines-ales",
        ID + "imt-mines-ales",
        (URIRef(ID + "imt-mines-ales"), RDF.type, URIRef(IMT + "EngineeringSchool")),
    ),
    "person": (
        "/id/person/assia-tria",
        ID + "person/assia-tria",
        (
            URIRef(ID + "person/assia-tria"),
            URIRef(IMT + "isDirectorOf"),
            URIRef(ID + "imt-mines-ales"),
        ),
    ),
    "event": (
        "/id/event/industry-week-2025",
        ID + "event/industry-week-2025",
        (
            URIRef(ID + "event/industry-week-2025"),
            URIRef(SCHEMA + "startDate"),
            Literal("2025-11-17", datatype=XSD.date),
        ),
    ),
    "figure": (
        "/id/figure/imt-grand-est-students",
        ID + "figure/imt-grand-est-students",
        (
            URIRef(ID + "figure/imt-grand-est-students"),
            URIRef(IMT + "qualifier"),
            URIRef(CONCEPT + "qualifier/more-than"),
        ),
    ),
    "concept": (
        "/id/concept/audience/students",
        CONCEPT + "audience/students",
        (URIRef(CONCEPT + "audience/students"), SKOS.prefLabel, Literal("étudiants", lang="fr")),
    ),
    "source document": (
        "/id/source/imt-grand-est",
        ID + "source/imt-grand-est",
        (URIRef(ID + "source/imt-grand-est"), DCTERMS.publisher, URIRef(ID + "telecom-nancy")),
    ),
    "named graph": (
        "/graph/imt-grand-est",
        GRAPH + "imt-grand-est",
        (URIRef(GRAPH + "imt-grand-est"), PROV.wasDerivedFrom, URIRef(ID + "source/imt-grand-est")),
    ),
    "ontology class": (
        "/ontology/School",
        IMT + "School",
        (URIRef(IMT + "School"), RDFS.subClassOf, URIRef(IMT + "HigherEducationInstitution")),
    ),
    "ontology property": (
        "/ontology/hasSchool",
        IMT + "hasSchool",
        (URIRef(IMT + "hasSchool"), RDFS.domain, URIRef(IMT + "InstitutionGroup")),
    ),
    "ontology": (
        "/ontology",
        BASE + "ontology",
        (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology),
    ),
}
#: every format: extension -> media type (HTML too)
MEDIA_TYPES = {"html": "text/html", **{ext: spec[0] for ext, spec in RDF_FORMATS.items()}}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extension", MEDIA_TYPES)
def test_iri_answers_303_to_the_document_in_the_accepted_format(kind: str, extension: str):
    """GET on a resource's IRI answers 303 See Other to its document in the format asked for
    (a path-absolute reference: no PUBLIC_BASE is set, and the Host header is the client's)."""
    path = KINDS[kind][0]
    response = client().get(path, headers={"Accept": MEDIA_TYPES[extension]})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{path}.{extension}"
    assert "Accept" in response.vary


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extension", RDF_FORMATS)
def test_document_parses_back_and_holds_the_resource_statements(kind: str, extension: str):
    """Each RDF document (JSON-LD through PyLD) parses with rdflib and holds the statement."""
    path, iri, statement = KINDS[kind]
    test_client = client()
    response = test_client.get(f"{path}.{extension}")
    assert response.status_code == 200
    assert response.mimetype == RDF_FORMATS[extension][0]
    graph = parse_rdf(response.data, extension, test_client)
    assert statement in graph
    document = URIRef(f"{SERVED}{path[1:]}.{extension}")
    assert (document, FOAF.primaryTopic, URIRef(iri)) in graph


def test_browser_gets_html_and_curl_gets_turtle():
    """A browser's Accept header is sent to the page; ``*/*`` and no Accept get Turtle."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client().get("/id/imt-mines-ales", headers={"Accept": browser}).headers["Location"]
        == "/id/imt-mines-ales.html"
    )
    for headers in ({"Accept": "*/*"}, {}):
        response = client().get("/id/imt-mines-ales", headers=headers)
        assert response.headers["Location"] == "/id/imt-mines-ales.ttl"


def test_redirect_keeps_the_query_string():
    """The language switch parameter survives the 303."""
    response = client().get("/id/imt-mines-ales?lang=fr", headers={"Accept": "text/html"})
    assert response.headers["Location"] == "/id/imt-mines-ales.html?lang=fr"


def test_dataset_formats_mark_inferred_statements_and_sources():
    """TriG keeps each statement in its graph: asserted in a source graph, inferred apart."""
    test_client = client()
    response = test_client.get("/id/imt-mines-ales.trig")
    quads = parse_quads(response.data, "trig", test_client)
    school = URIRef(ID + "imt-mines-ales")
    industry_week = URIRef(GRAPH + "industry-week-2025")
    assert (school, RDF.type, URIRef(IMT + "EngineeringSchool"), industry_week) in quads
    assert (school, RDF.type, ORG.Organization, URIRef(GRAPH + "inferred")) in quads
    assert (school, RDF.type, ORG.Organization, industry_week) not in quads
    source = URIRef(ID + "source/industry-week-2025-at-imt")
    assert (industry_week, PROV.wasDerivedFrom, source, URIRef(GRAPH + "sources")) in quads


def test_description_holds_incoming_statements_and_labels_of_linked_resources():
    """The description has statements pointing at the resource and names what it links to."""
    test_client = client()
    response = test_client.get("/id/imt-mines-ales.nt")
    graph = parse_rdf(response.data, "nt", test_client)
    school = URIRef(ID + "imt-mines-ales")
    director = URIRef(ID + "person/assia-tria")
    assert (director, URIRef(IMT + "isDirectorOf"), school) in graph
    assert (director, RDFS.label, Literal("Assia Tria", lang="en")) in graph
    assert (
        URIRef(IMT + "hasSchool"),
        RDFS.label,
        Literal("a pour école membre", lang="fr"),
    ) in graph


def test_jsonld_is_compact_with_the_published_context_and_equals_nquads():
    """JSON-LD by source refers to /context.jsonld, uses its terms, and expands to the N-Quads
    document (the default, one-graph JSON-LD: tests/test_jsonld_consumers.py)."""
    test_client = client()
    body = test_client.get("/id/institut-mines-telecom.jsonld?profile=by-source").data
    document = json.loads(body)
    assert document["@context"] == SERVED + "context.jsonld"
    text = body.decode("utf-8")
    assert '"hasSchool"' in text and IMT + "hasSchool" not in text
    expanded = jsonld_to_nquads(body, test_client).replace(
        SERVED + "id/institut-mines-telecom.jsonld", SERVED + "id/institut-mines-telecom.nq"
    )
    nquads = test_client.get("/id/institut-mines-telecom.nq").data.decode("utf-8")
    assert len(nquads.splitlines()) > 200
    assert set(expanded.splitlines()) == set(nquads.splitlines())


def test_context_document_is_derived_from_the_ontology():
    """The published context maps the ontology's terms; object properties take IRIs."""
    response = client().get("/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    context = json.loads(response.data)["@context"]
    assert context["hasSchool"] == {"@id": IMT + "hasSchool", "@type": "@id"}
    assert context["statedAs"] == {"@id": IMT + "statedAs"}
    assert context["School"] == {"@id": IMT + "School"}
    assert context["label"] == {"@id": str(RDFS.label), "@container": "@language"}
    assert context["imt"] == IMT


@pytest.mark.parametrize(
    "path", ["/id/does-not-exist", "/graph/no-such-graph", "/ontology/NoSuchTerm", "/id/a%20b"]
)
def test_unknown_iri_is_404_in_the_requested_format(path: str):
    """An IRI the graph says nothing of is 404: a page for browsers, RDF for RDF clients."""
    page = client().get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert text_of(parse_html(page.data).find(".//h1")) == "Not found"
    turtle = client().get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 404
    assert turtle.mimetype == "text/turtle"
    assert turtle.data.startswith(b"# 404 Not Found: nothing is known about <https://w3id.org/")
    assert len(parse_rdf(turtle.data, "ttl", client())) == 0
    document = client().get(path + ".jsonld")
    assert document.status_code == 404
    assert document.mimetype == "application/ld+json"


def test_unacceptable_format_is_406():
    """A client accepting none of the formats gets 406 with the list of what is offered."""
    response = client().get("/id/imt-mines-ales", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_public_base_maps_iris_onto_the_configured_address():
    """With PUBLIC_BASE set to the canonical base, redirects and links use the canonical IRIs."""
    app = shipped_app()
    app.config["PUBLIC_BASE"] = BASE
    try:
        response = client().get("/id/imt-mines-ales", headers={"Accept": "text/turtle"})
        assert response.headers["Location"] == BASE + "id/imt-mines-ales.ttl"
        page = parse_html(client().get("/id/imt-mines-ales.html").data)
        hrefs = {a.get("href") for a in page.iter("a")}
        assert BASE + "id/institut-mines-telecom.html" in hrefs
        assert SERVED + "id/institut-mines-telecom.html" not in hrefs
    finally:
        app.config["PUBLIC_BASE"] = None


def test_conditional_get_answers_304():
    """A document's ETag makes a repeated request a 304 without a body."""
    test_client = client()
    first = test_client.get("/id/imt-mines-ales.ttl")
    again = test_client.get(
        "/id/imt-mines-ales.ttl", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""


def test_every_iri_of_the_graph_answers():
    """Every IRI under the canonical base in the graph (subject, object or graph) has an
    N-Triples document that parses and is about it."""
    rows = select(
        f"""SELECT DISTINCT ?x WHERE {{
  {{ GRAPH ?g {{ ?x ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?x }} }}
  UNION {{ GRAPH ?x {{ ?s ?p ?o }} }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}"))
}}"""
    )
    iris = sorted({row["x"] for row in rows})
    assert len(iris) > 300
    graphs = {row["g"] for row in select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    test_client = client()
    failures = []
    for iri in iris:
        path = iri[len(BASE) :]
        if iri in REMOVED:  # answered 301 or 410: see the tests of the deprecation trail
            continue
        if "#" in path:  # an ontology term is described by its own page under /ontology/
            path = path.replace("#", "/")
        response = test_client.get(f"/{path}.nt")
        if response.status_code != 200:
            failures.append((iri, response.status_code))
            continue
        graph = parse_rdf(response.data, "nt", test_client)
        about = [t for t in graph.triples((URIRef(iri), None, None))]
        about += [t for t in graph.triples((None, None, URIRef(iri))) if t[1] != FOAF.primaryTopic]
        if not about and iri not in graphs:
            failures.append((iri, "not described"))
    assert failures == []


def test_query_engine_failure_is_a_short_message(monkeypatch):
    """A description the engine cannot answer in time is a 504 with one line, no stack trace."""
    from imtkg.query.errors import QueryTimeout
    from imtkg.web.pages import routes as pages

    def timeout(*args, **kwargs):
        raise QueryTimeout("the query exceeded the 10-second time limit and was stopped")

    monkeypatch.setattr(pages, "describe", timeout)
    response = client().get("/id/imt-mines-ales.html")
    assert response.status_code == 504
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "504 the query exceeded the 10-second time limit and was stopped\n"
    )


@pytest.mark.parametrize(
    "path",
    ["/id/imt-mines-ales.ttl", "/id/imt-mines-ales.html", "/ontology.ttl", "/ontology.html"],
)
def test_document_views_answer_conditional_requests_alike(path):
    """Both document views (a resource's, the ontology's) answer a conditional request that holds
    their ETag, or a date not older than their Last-Modified, with a bodiless 304 carrying the
    same ETag and Cache-Control as the 200; another ETag gets the document again."""
    test_client = client()
    first = test_client.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"')
    by_etag = test_client.get(path, headers={"If-None-Match": etag})
    by_date = test_client.get(path, headers={"If-Modified-Since": modified})
    for again in (by_etag, by_date):
        assert again.status_code == 304
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert "Last-Modified" not in again.headers  # werkzeug leaves entity headers out of a 304
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    other = test_client.get(path, headers={"If-None-Match": 'W/"another"'})
    assert other.status_code == 200
    assert other.data == first.data


@pytest.mark.parametrize("path", ["/id/imt-mines-ales.html", "/ontology.html"])
def test_page_etag_depends_on_the_language(path):
    """An HTML page's ETag names its language: the English ETag does not spare the French page."""
    test_client = client()
    english = test_client.get(path + "?lang=en")
    french = test_client.get(path + "?lang=fr", headers={"If-None-Match": english.headers["ETag"]})
    assert french.status_code == 200
    assert french.headers["Content-Language"] == "fr"
    assert french.headers["ETag"] != english.headers["ETag"]


def test_unknown_ontology_format_is_404_even_when_conditional():
    """A format the ontology is not served in is a 404, whatever ETag the request holds."""
    response = client().get("/ontology.xyz", headers={"If-None-Match": "*"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "ETag" not in response.headers


# -- The deprecation trail (graph:deprecated) ------------------------------------------------------

#: the IRIs issue 14's data work removed (and the catalogue's made-up document): where each went
REMOVED = {
    ID + "membership/institut-mines-telecom-imt-grand-est": None,
    ID + "membership/universite-de-lorraine-imt-grand-est": None,
    ID + "membership/universite-de-strasbourg-imt-grand-est": None,
    ID + "interval/imt-grand-est-partnership": None,
    ID + "instant/2018-07-12": None,
    ID + "goal/imt-grand-est-train-more-engineers": (
        "/id/claim/imt-grand-est-page-france-needs-more-engineers"
    ),
    ID + "source/passage-ledgers": None,
}
GONE = [iri[len(BASE) - 1 :] for iri, target in REMOVED.items() if target is None]


def test_the_trail_lists_exactly_the_removed_iris():
    """graph:deprecated marks owl:deprecated exactly the removed IRIs; none is used elsewhere."""
    rows = select(
        f"SELECT ?x WHERE {{ GRAPH <{GRAPH}deprecated> {{ ?x <{OWL.deprecated}> true }} }}"
    )
    assert sorted(row["x"] for row in rows) == sorted(REMOVED)
    used = select(
        f"""SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }}
  FILTER (?g != <{GRAPH}deprecated> && ?g != <{GRAPH}inferred>)
  VALUES ?x {{ {" ".join(f"<{iri}>" for iri in REMOVED)} }} }}"""
    )
    assert used == []


@pytest.mark.parametrize("suffix", ["", ".html", ".ttl", ".jsonld"])
def test_a_replaced_iri_moves_permanently_to_its_replacement(suffix: str):
    """The removed goal answers 301 to the claim that replaces it, format kept (a document)."""
    response = client().get(
        "/id/goal/imt-grand-est-train-more-engineers" + suffix, headers={"Accept": "text/html"}
    )
    assert response.status_code == 301
    assert response.headers["Location"] == (
        "/id/claim/imt-grand-est-page-france-needs-more-engineers" + suffix
    )
    assert client().get(response.headers["Location"]).status_code == (303 if not suffix else 200)


@pytest.mark.parametrize("path", GONE)
def test_a_removed_iri_is_gone_with_a_page_saying_why(path: str):
    """A removed IRI without a replacement is 410 Gone: a page naming why, for browsers."""
    response = client().get(path, headers={"Accept": "text/html"})
    assert response.status_code == 410
    assert "Location" not in response.headers
    page = parse_html(response.data)
    assert text_of(page.find(".//h1")).startswith("Gone: ")
    assert text_of(page.find(".//code")) == BASE + path[1:]
    assert text_of(page.find(".//p[@class='change-note']")).startswith("Removed")
    assert client().get(path + ".html").status_code == 410


@pytest.mark.parametrize("path", GONE)
def test_a_removed_iri_is_gone_in_rdf_with_its_trail(path: str):
    """In Turtle (negotiated or by suffix) the 410 carries the trail: deprecated, and why."""
    iri = URIRef(BASE + path[1:])
    for response in (
        client().get(path, headers={"Accept": "text/turtle"}),
        client().get(path + ".ttl"),
    ):
        assert response.status_code == 410
        assert response.mimetype == "text/turtle"
        graph = parse_rdf(response.data, "ttl", client())
        assert (iri, OWL.deprecated, Literal(True)) in graph
        notes = {n.language: str(n) for n in graph.objects(iri, SKOS.changeNote)}
        assert sorted(notes) == ["en", "fr"]
        assert notes["en"].startswith("Removed")


def test_the_membership_records_removed_from_imt_grand_est_point_at_the_alliance():
    """The removed founding-partner records say why and link to the alliance (rdfs:seeAlso)."""
    response = client().get("/id/membership/universite-de-lorraine-imt-grand-est.ttl")
    assert response.status_code == 410
    graph = parse_rdf(response.data, "ttl", client())
    iri = URIRef(ID + "membership/universite-de-lorraine-imt-grand-est")
    assert list(graph.objects(iri, RDFS.seeAlso)) == [URIRef(ID + "imt-grand-est")]
    notes = {n.language: str(n) for n in graph.objects(iri, SKOS.changeNote)}
    assert "names no signatory" in notes["en"]
