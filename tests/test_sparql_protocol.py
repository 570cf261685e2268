"""The SPARQL 1.1 Protocol at /sparql on the Flask test client: methods, formats, errors, HTTP."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import warnings

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.query import Result
from sparql_support import (
    ASSERTED_TRIPLES,
    CITIES,
    CITY_QUERY,
    COUNT_QUERY,
    GRAPH,
    ID,
    IMT,
    PROLOGUE,
    app_context,
    count,
    get,
)

from imtkg.core.config import load_settings
from imtkg.core.namespaces import SD, VOID
from imtkg.web import app as app_module

CONSTRUCT_CITIES = PROLOGUE + "CONSTRUCT { ?c imt:city ?city } WHERE { ?c imt:city ?city }"


@pytest.fixture(scope="module")
def app_settings():
    """The module's app (conftest.py) has a small result limit, to exercise truncation."""
    return {"RESULT_LIMIT": 4}


def parse_rdf(data: bytes, rdflib_format: str) -> Dataset:
    """Parse RDF bytes with rdflib into a Dataset (quads of every graph)."""
    with warnings.catch_warnings():
        # rdflib 7.6's own parsers still call its deprecated Dataset/ConjunctiveGraph API
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = Dataset()
        parsed.parse(data=data, format=rdflib_format)
    return parsed


def cities_from_json(data: bytes) -> list[str]:
    """Return the ?city values of SPARQL JSON results."""
    return [b["city"]["value"] for b in json.loads(data)["results"]["bindings"]]


# -- Query methods -------------------------------------------------------------------------------


def test_get_query_answers_json_by_default(client):
    """GET with no Accept header answers SPARQL JSON with exact non-ASCII values."""
    response = get(client, CITY_QUERY)
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.mimetype_params["charset"] == "utf-8"
    assert cities_from_json(response.data) == CITIES


def test_post_form_and_post_direct_give_the_same_answer(client):
    """POST form-encoded and POST application/sparql-query answer like GET."""
    form = client.post("/sparql", data={"query": CITY_QUERY})
    direct = client.post(
        "/sparql", data=CITY_QUERY.encode("utf-8"), content_type="application/sparql-query"
    )
    assert form.status_code == direct.status_code == 200
    assert cities_from_json(form.data) == cities_from_json(direct.data) == CITIES


def test_post_direct_takes_protocol_parameters_from_the_url(client):
    """With a query body, default-graph-uri comes from the URL query string."""
    response = client.post(
        "/sparql?default-graph-uri=" + GRAPH + "schools",
        data=COUNT_QUERY,
        content_type="application/sparql-query",
    )
    assert response.status_code == 200
    assert response.json["results"]["bindings"][0]["n"]["value"] == "11"


# -- Dataset -------------------------------------------------------------------------------------


def test_default_graph_is_the_union_of_all_named_graphs(client):
    """Without FROM, the default graph holds every named graph, inferred graph included."""
    assert count(client) > ASSERTED_TRIPLES
    assert count(client, infer="false") == ASSERTED_TRIPLES


def test_infer_false_leaves_out_the_inferences(client):
    """A subclass inference is visible by default and gone with infer=false."""
    ask = PROLOGUE + "ASK { id:telecom-paris a org:FormalOrganization }"
    assert get(client, ask).json["boolean"] is True
    assert get(client, ask, infer="false").json["boolean"] is False
    assert get(client, ask, infer="bogus").status_code == 400


def test_from_and_graph_name_source_graphs(client):
    """FROM, FROM NAMED + GRAPH and GRAPH ?g select the sources' named graphs by IRI."""
    from_schools = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}schools> WHERE {{ ?s ?p ?o }}"
    assert count(client, from_schools) == 11
    # the project's predeclared prefixes still work in a query with FROM
    prefixed = "SELECT (COUNT(*) AS ?n) FROM graph:schools WHERE { ?s a imt:School }"
    assert count(client, prefixed) == 3
    query = (
        f"SELECT (COUNT(*) AS ?n) FROM NAMED <{GRAPH}campuses> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert count(client, query) == 11
    graphs = get(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    names = [b["g"]["value"] for b in graphs.json["results"]["bindings"]]
    assert {GRAPH + "schools", GRAPH + "campuses", GRAPH + "ontology"} <= set(names)


def test_protocol_dataset_parameters(client):
    """default-graph-uri and named-graph-uri choose the dataset, overriding the query's."""
    assert count(client, **{"default-graph-uri": GRAPH + "campuses"}) == 11
    both = client.get(
        "/sparql",
        query_string=[
            ("query", COUNT_QUERY),
            ("default-graph-uri", GRAPH + "campuses"),
            ("default-graph-uri", GRAPH + "schools"),
        ],
    )
    assert int(both.json["results"]["bindings"][0]["n"]["value"]) == 22
    named = get(
        client,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        **{"named-graph-uri": GRAPH + "schools"},
    )
    assert named.json["results"]["bindings"][0]["n"]["value"] == "11"


def test_protocol_dataset_is_only_what_the_parameters_give(client):
    """default-graph-uri alone gives no named graphs; named-graph-uri alone, an empty default."""
    in_named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(client, in_named, **{"default-graph-uri": GRAPH + "campuses"}) == 0
    assert count(client, **{"named-graph-uri": GRAPH + "campuses"}) == 0
    # without either parameter: the union as default graph, every graph named
    assert count(client, in_named) > 22
    assert count(client) > ASSERTED_TRIPLES


# -- Formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type", "parse"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
    ],
)
def test_select_formats_round_trip(client, accept, media_type, parse):
    """Each SELECT format, read back by rdflib (JSON, XML, TSV) or the csv module, is exact."""
    response = get(client, CITY_QUERY, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    if parse == "csv":
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"), newline="")))
        assert [r["city"] for r in rows] == CITIES
        assert rows[0]["campus"] == ID + "campus-ales"
        return
    result = Result.parse(io.BytesIO(response.data), format=parse)
    assert [str(row["city"]) for row in result] == CITIES
    assert [row["campus"] for row in result][0] == URIRef(ID + "campus-ales")


def test_language_tags_and_multiline_literals_round_trip(client):
    """Language tags, quotes, tabs and newlines survive JSON, XML and TSV exactly."""
    query = PROLOGUE + "SELECT ?c WHERE { id:campus-ales rdfs:comment ?c }"
    expected = Literal('Ligne 1\nLigne 2, avec "guillemets" et une tabulation:\tfin', lang="fr")
    for fmt in ("json", "xml", "tsv"):
        response = get(client, query, format=fmt)
        result = Result.parse(io.BytesIO(response.data), format=fmt)
        assert [row["c"] for row in result] == [expected], fmt


def test_ask_formats(client):
    """ASK answers a boolean in JSON and XML."""
    ask = PROLOGUE + 'ASK { ?c imt:city "Évry" }'
    assert get(client, ask).json == {"head": {}, "boolean": True}
    xml = get(client, ask, format="xml")
    assert Result.parse(io.BytesIO(xml.data), format="xml").askAnswer is True


@pytest.mark.parametrize(
    ("fmt", "media_type", "rdflib_format"),
    [
        ("turtle", "text/turtle", "turtle"),
        ("ntriples", "application/n-triples", "nt"),
        ("rdfxml", "application/rdf+xml", "xml"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("trig", "application/trig", "trig"),
        ("nquads", "application/n-quads", "nquads"),
    ],
)
def test_construct_formats_round_trip(client, fmt, media_type, rdflib_format):
    """Each CONSTRUCT format, by Accept and by format=, parses back to the same three triples."""
    by_accept = get(client, CONSTRUCT_CITIES, headers={"Accept": media_type})
    by_name = get(client, CONSTRUCT_CITIES, format=fmt)
    for response in (by_accept, by_name):
        assert response.status_code == 200
        assert response.mimetype == media_type
        parsed = parse_rdf(response.data, rdflib_format)
        triples = {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}
        assert {str(o) for _, _, o in triples} == set(CITIES)
        assert (URIRef(ID + "campus-evry"), URIRef(IMT + "city"), Literal("Évry")) in triples


def test_describe_answers_turtle(client):
    """DESCRIBE answers the resource's triples in Turtle."""
    response = get(client, PROLOGUE + "DESCRIBE id:campus-evry")
    graph = Graph().parse(data=response.data, format="turtle")
    assert (URIRef(ID + "campus-evry"), URIRef(IMT + "city"), Literal("Évry")) in graph


def test_accept_q_values_are_honoured(client):
    """The highest q-value wins: CSV over JSON here, N-Triples over Turtle for a graph."""
    response = get(
        client, CITY_QUERY, headers={"Accept": "application/sparql-results+json;q=0.5, text/csv"}
    )
    assert response.mimetype == "text/csv"
    graph = get(
        client,
        CONSTRUCT_CITIES,
        headers={"Accept": "text/turtle;q=0.2, application/n-triples;q=0.9"},
    )
    assert graph.mimetype == "application/n-triples"


def test_wildcard_and_browser_accept_get_defaults(client):
    """*/* gets JSON results and Turtle graphs; format= with a media type works too."""
    assert get(client, CITY_QUERY, headers={"Accept": "*/*"}).mimetype.endswith("+json")
    assert get(client, CONSTRUCT_CITIES, headers={"Accept": "*/*"}).mimetype == "text/turtle"
    assert get(client, CONSTRUCT_CITIES).mimetype == "text/turtle"
    assert get(client, CITY_QUERY, format="text/csv").mimetype == "text/csv"


def test_not_acceptable_lists_offered_types(client):
    """An Accept header with nothing offered gets 406 listing the offered media types."""
    response = get(client, CITY_QUERY, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert b"application/sparql-results+json" in response.data
    wrong_form = get(client, CITY_QUERY, format="turtle")
    assert wrong_form.status_code == 406
    assert b"text/csv" in wrong_form.data
    assert get(client, CITY_QUERY, format="pdf").status_code == 406


def test_results_over_the_limit_are_truncated_and_flagged(client):
    """More rows than RESULT_LIMIT (4 here) are cut off, with X-SPARQL-Truncated."""
    response = get(client, "SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert len(response.json["results"]["bindings"]) == 4
    assert response.headers["X-SPARQL-Truncated"] == "true"
    assert response.headers["X-SPARQL-MaxRows"] == "4"
    small = get(client, CITY_QUERY)
    assert "X-SPARQL-Truncated" not in small.headers
    assert small.headers["X-SPARQL-Rows"] == "3"


# -- Service description -------------------------------------------------------------------------


def test_service_description_is_negotiated(client):
    """GET /sparql without a query describes the service in Turtle, or JSON-LD when asked."""
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    names = set(graph.objects(None, SD.name))
    assert URIRef(GRAPH + "schools") in names and URIRef(GRAPH + "campuses") in names
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(parse_rdf(jsonld.data, "json-ld")) == len(graph)
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


def test_service_description_counts_the_default_graph_as_a_set(shipped_client):
    """The default graph's void:triples is its distinct triples, as COUNT(*) over it answers.

    The shipped graphs share triples (a fact two documents state), so the sum of the named
    graphs' sizes is larger: it was the figure stated before.
    """
    graph = Graph().parse(data=shipped_client.get("/sparql").data, format="turtle")
    dataset = graph.value(URIRef("http://localhost/sparql"), SD.defaultDataset)
    stated = graph.value(graph.value(dataset, SD.defaultGraph), VOID.triples).toPython()
    assert stated == count(shipped_client)
    named = [
        graph.value(graph.value(n, SD.graph), VOID.triples).toPython()
        for n in graph.objects(dataset, SD.namedGraph)
    ]
    assert stated < sum(named)


def without_workbench(monkeypatch) -> None:
    """Leave the workbench blueprint (imtkg.web.endpoints.workbench) out of the next apps."""
    blueprints = [m for m in app_module.BLUEPRINTS if m != "imtkg.web.endpoints.workbench"]
    monkeypatch.setattr(app_module, "BLUEPRINTS", blueprints)


def test_service_description_without_workbench_for_browsers(monkeypatch):
    """A browser gets the description while no workbench view is registered."""
    without_workbench(monkeypatch)
    with app_context(WORKERS=1) as app:
        response = app.test_client().get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"


def test_browsers_get_the_workbench_when_registered(monkeypatch):
    """A registered ``workbench`` view answers browsers at GET /sparql; RDF clients get RDF."""
    without_workbench(monkeypatch)
    with app_context(WORKERS=1) as app:
        app.add_url_rule("/workbench", "workbench", lambda: "<html>workbench</html>")
        client = app.test_client()
        html = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
        assert html.data == b"<html>workbench</html>"
        assert client.get("/sparql", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_public_base_names_the_endpoint():
    """PUBLIC_BASE sets the endpoint IRI of the description."""
    with app_context(WORKERS=1, PUBLIC_BASE="https://kg.example.org/") as app:
        data = app.test_client().get("/sparql", query_string={"format": "ntriples"}).data
        assert b"<https://kg.example.org/sparql>" in data


# -- Errors --------------------------------------------------------------------------------------


def test_syntax_error_is_400_with_position(client):
    """A malformed query gets 400 with the parser's line:column, no stack trace."""
    response = get(client, "SELECT ?x WHERE { ?x ?y }")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert b"error at 1:" in response.data
    assert b"Traceback" not in response.data


def test_missing_or_repeated_query_is_400(client):
    """POST without a query, an empty body, and a repeated query parameter all get 400."""
    assert client.post("/sparql", data={"format": "json"}).status_code == 400
    empty = client.post("/sparql", data=b"  ", content_type="application/sparql-query")
    assert empty.status_code == 400
    repeated = client.get("/sparql", query_string=[("query", "ASK {}"), ("query", "ASK {}")])
    assert repeated.status_code == 400
    assert b"2 times" in repeated.data


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "default-graph-uri",
            "not an iri",
            "default-graph-uri must be an absolute IRI, not 'not an iri'",
        ),
        ("default-graph-uri", "", "default-graph-uri must be an absolute IRI, not ''"),
        ("named-graph-uri", "<>", "named-graph-uri must be an absolute IRI, not '<>'"),
        (
            "named-graph-uri",
            "urn:not an iri",
            "named-graph-uri 'urn:not an iri' is not a valid IRI: Invalid IRI code point ' '",
        ),
    ],
)
def test_invalid_graph_iri_is_400(client, name, value, message):
    """A default-graph-uri or named-graph-uri that is no absolute IRI gets 400 saying so."""
    for response in (
        client.get("/sparql", query_string={"query": "ASK {}", name: value}),
        client.post("/sparql", data={"query": "ASK {}", name: value}),
    ):
        assert response.status_code == 400
        assert response.mimetype == "text/plain"
        assert response.data.decode("utf-8") == message + "\n"


def test_unknown_function_is_400(client):
    """A call of a function IRI the engine does not implement is the query's fault: 400."""
    response = get(client, "SELECT (<http://127.0.0.1:18799/>(1) AS ?x) {}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.data == b"The custom function <http://127.0.0.1:18799/> is not supported\n"


def test_wrong_method_is_405(client):
    """PUT and DELETE get 405 with an Allow header and a short text body."""
    for method in (client.put, client.delete):
        response = method("/sparql")
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]
        assert b"Traceback" not in response.data


def test_unknown_content_type_is_415(client):
    """A POST body that is neither a form nor a query gets 415."""
    response = client.post("/sparql", data="{}", content_type="application/json")
    assert response.status_code == 415


def test_body_over_the_limit_is_413():
    """A request body over MAX_BODY gets 413."""
    with app_context(WORKERS=1, MAX_BODY=1000) as app:
        client = app.test_client()
        big = "ASK {}" + " " * 2000
        response = client.post("/sparql", data=big, content_type="application/sparql-query")
        assert response.status_code == 413
        assert client.post("/sparql", data={"query": big}).status_code == 413
        assert b"Traceback" not in response.data


def test_unknown_path_is_a_short_404(client):
    """404 pages are short text, never a stack trace."""
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"


def test_invalid_utf8_body_is_400(client):
    """A query body that is not UTF-8 gets 400."""
    response = client.post("/sparql", data=b"ASK {\xff}", content_type="application/sparql-query")
    assert response.status_code == 400


# -- HTTP ----------------------------------------------------------------------------------------


def test_etag_and_last_modified_give_304(client):
    """A GET result carries a weak ETag and Last-Modified; conditional requests get 304."""
    first = get(client, CITY_QUERY)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept" in first.headers["Vary"]
    assert get(client, CITY_QUERY, headers={"If-None-Match": etag}).status_code == 304
    since = first.headers["Last-Modified"]
    assert get(client, CITY_QUERY, headers={"If-Modified-Since": since}).status_code == 304
    other = get(client, CITY_QUERY, format="csv", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["ETag"] != etag


def test_post_results_are_not_cached(client):
    """POST answers carry no ETag and say no-cache."""
    response = client.post("/sparql", data={"query": CITY_QUERY})
    assert "ETag" not in response.headers
    assert "no-cache" in response.headers["Cache-Control"]


def test_cors_simple_and_preflight(client):
    """Cross-origin GETs are allowed, and a preflight for a POST with a content type too."""
    simple = get(client, CITY_QUERY, headers={"Origin": "https://example.org"})
    assert simple.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_large_results_are_compressed():
    """A result over the compression threshold is sent gzip-encoded when the client accepts it."""
    with app_context(WORKERS=1) as app:
        response = app.test_client().get(
            "/sparql",
            query_string={"query": "SELECT * WHERE { ?s ?p ?o }"},
            headers={"Accept-Encoding": "gzip"},
        )
        assert response.headers["Content-Encoding"] == "gzip"
        data = json.loads(gzip.decompress(response.data))
        assert len(data["results"]["bindings"]) > ASSERTED_TRIPLES


def test_one_json_access_log_line_per_query(client, caplog):
    """Each query logs one JSON line with method, status, duration and the query's hash."""
    with caplog.at_level(logging.INFO, logger="imtkg.access"):
        get(client, CITY_QUERY)
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "imtkg.access"]
    assert len(records) == 1
    record = records[0]
    assert record["method"] == "GET" and record["path"] == "/sparql" and record["status"] == 200
    assert record["duration_ms"] >= 0
    assert record["query_length"] == len(CITY_QUERY)
    assert len(record["query_sha256"]) == 16


def test_health_is_ready(client):
    """GET /health answers 200 with the triple count once the app is built."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
    assert response.json["graphs"] == 4


def test_health_is_503_when_not_ready(app):
    """GET /health answers 503 while the state says it is not ready."""
    state = app.extensions["imt_kg"]
    state.ready = False
    try:
        assert app.test_client().get("/health").status_code == 503
    finally:
        state.ready = True


def test_settings_come_from_the_environment():
    """IMTKG_* variables override defaults and explicit config overrides both."""
    env = {"IMTKG_PORT": "9000", "IMTKG_QUERY_TIMEOUT": "2.5", "IMTKG_REASON": "false"}
    settings = load_settings({"PORT": 9100}, environ=env)
    assert settings["PORT"] == 9100
    assert settings["QUERY_TIMEOUT"] == 2.5
    assert settings["REASON"] is False
    assert load_settings(environ={})["HOST"] == "127.0.0.1"


def test_a_query_without_graph_patterns_is_not_given_the_named_graphs():
    """Listing the named graphs costs Oxigraph time on every query, so a query that cannot
    read them (no ``GRAPH``, not even spelled with a codepoint escape) is not given them, and
    answers the same."""
    import pyoxigraph as ox

    from imtkg.query.worker import QueryRequest, answer, may_see_named_graphs
    from imtkg.store.oxigraph_store import ASSERTED_UNION, QueryScope, query_options

    assert not may_see_named_graphs("SELECT ?s WHERE { ?s ?p ?o }")
    assert may_see_named_graphs("SELECT ?g WHERE { graph ?g { ?s ?p ?o } }")
    assert may_see_named_graphs("SELECT ?g WHERE { \\u0047RAPH ?g { ?s ?p ?o } }")
    store = ox.Store()
    s, p, o = ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o")
    store.add(ox.Quad(s, p, o, ox.NamedNode(ASSERTED_UNION)))
    store.add(ox.Quad(s, p, o, ox.NamedNode("urn:g")))
    assert "named_graphs" not in query_options(store, QueryScope(), named=False)
    for query in ("SELECT ?s WHERE { ?s ?p ?o }", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
        request = QueryRequest(query=query, scope=QueryScope())
        reply = answer(store, request)
        assert reply[0] == "ok" and reply[5] == 1, reply


# -- A GET with query parameters but no query (issue 16) ------------------------------------------

#: parameters that only go with a query, each given alone, and the 400 naming ``query``
WITHOUT_QUERY = [
    ({"default-graph-uri": GRAPH + "schools"}, "default-graph-uri"),
    ({"named-graph-uri": GRAPH + "schools"}, "named-graph-uri"),
    ({"infer": "false"}, "infer"),
]
ACCEPTS = ["*/*", "application/sparql-results+json", "text/turtle"]


def _missing_query(given: str) -> bytes:
    return f"missing the query parameter ({given} is given without it)\n".encode()


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize(("params", "given"), WITHOUT_QUERY)
def test_get_with_parameters_but_no_query_is_400_through_the_app(client, params, given, accept):
    """Through the whole app (the fast path answers): a 400 naming the missing parameter, not
    the service description nor a 406."""
    response = client.get("/sparql", query_string=params, headers={"Accept": accept})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.data == _missing_query(given)


@pytest.mark.parametrize(("params", "given"), WITHOUT_QUERY)
def test_fast_path_answers_the_missing_query_itself(app, params, given):
    """The fast path answers the 400 without handing the request to Flask."""
    from werkzeug.test import Client

    from imtkg.web.fast_sparql import FastSparql

    handed: list[str] = []

    def flask_app(environ, start_response):
        handed.append(environ["PATH_INFO"])
        start_response("299 Handed", [("Content-Type", "text/plain")])
        return [b"Flask"]

    fast = Client(FastSparql(flask_app, app, []))
    accept = {"Accept": "application/sparql-results+json"}
    response = fast.get("/sparql", query_string=params, headers=accept)
    assert (response.status_code, response.data) == (400, _missing_query(given))
    assert handed == []
    # a GET without any of them still goes to Flask (service description or workbench)
    assert fast.get("/sparql", query_string={"format": "turtle"}).status_code == 299
    assert handed == ["/sparql"]


@pytest.mark.parametrize(("params", "given"), WITHOUT_QUERY)
def test_flask_view_answers_the_missing_query_as_the_fast_path(app, params, given):
    """The Flask view (FAST_SPARQL off, or any request reaching it) gives the same 400."""
    from imtkg.web.endpoints.sparql import sparql

    accept = {"Accept": "application/sparql-results+json"}
    with app.test_request_context("/sparql", query_string=params, headers=accept):
        response = sparql()
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data() == _missing_query(given)


def test_get_with_only_other_parameters_still_describes_the_service(client):
    """``format`` (the description's format) and the workbench's ``example`` need no query."""
    turtle = client.get("/sparql", query_string={"format": "turtle"})
    assert turtle.status_code == 200
    assert turtle.mimetype == "text/turtle"
    example = client.get("/sparql", query_string={"example": "x"}, headers={"Accept": "*/*"})
    assert example.status_code == 200
    assert example.mimetype == "text/turtle"
