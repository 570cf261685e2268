"""The endpoint is read-only and never reaches out: no update, no SERVICE, no IRI fetched."""

from __future__ import annotations

import pytest
from sparql_support import ASSERTED_TRIPLES, COUNT_QUERY, GRAPH, LoopbackListener

from imtkg.rdf.sparql_guard import analyse, looks_like_update, unescape


@pytest.fixture()
def listener():
    """A loopback TCP listener that must receive no connection (checked with
    :meth:`~sparql_support.LoopbackListener.settled_connections`)."""
    listener = LoopbackListener()
    yield listener
    listener.close()


@pytest.fixture()
def planted(tmp_path):
    """A local RDF file whose content must never appear in an answer."""
    path = tmp_path / "secret.ttl"
    path.write_text('<urn:secret> <urn:says> "PLANTED-SECRET" .\n', encoding="utf-8")
    return path.as_uri()


def triples(client) -> int:
    """Return the number of asserted triples the endpoint serves."""
    response = client.get("/sparql", query_string={"query": COUNT_QUERY, "infer": "false"})
    return int(response.json["results"]["bindings"][0]["n"]["value"])


UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
    "# a comment first\ninsert data { <urn:a> <urn:b> <urn:c> }",
    "\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_in_every_form(client, update):
    """An update sent as query=, update=, a form or a sparql-update body gets 403 'read-only'."""
    attempts = [
        client.get("/sparql", query_string={"query": update}),
        client.get("/sparql", query_string={"update": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
        client.post("/sparql", data=update, content_type="application/sparql-query"),
    ]
    for response in attempts:
        assert response.status_code == 403, (update, response.status_code, response.data)
        assert b"read-only" in response.data
    assert triples(client) == ASSERTED_TRIPLES


def test_load_fetches_nothing(client, listener, planted):
    """LOAD of a loopback URL or a file: IRI is refused and nothing is fetched or read."""
    for target in (listener.url + "data.ttl", planted):
        for update in (f"LOAD <{target}>", f"LOAD SILENT <{target}> INTO GRAPH <urn:g>"):
            response = client.post("/sparql", data={"update": update})
            assert response.status_code == 403
            response = client.get("/sparql", query_string={"query": update})
            assert response.status_code == 403
    assert listener.settled_connections() == 0
    assert triples(client) == ASSERTED_TRIPLES


def service_queries(url: str) -> list[str]:
    """Queries calling SERVICE, plain and disguised (case, escapes, SILENT, nesting)."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z . OPTIONAL {{ SeRvIcE <{url}> {{ ?s ?p ?o }} }} }}",
        f"PREFIX r: <{url}>\nASK {{ SERVICE r: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o .SERVICE <{url}> {{ ?a ?b ?c }} }}",
    ]


def test_service_is_refused_and_never_called(client, listener):
    """Every SERVICE query gets 400 and the loopback listener sees no connection."""
    for query in service_queries(listener.url):
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 400, (query, response.data)
        assert b"SERVICE" in response.data
        assert client.post("/sparql", data={"query": query}).status_code == 400
    assert listener.settled_connections() == 0


def test_an_escaped_service_keyword_is_a_syntax_error(client, listener):
    """Oxigraph (0.5) applies no \\u escapes outside strings and IRIs: no SERVICE, just 400."""
    query = f"SELECT * WHERE {{ \\u0053ERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert response.data == b"SPARQL syntax error: error at 1:26: expected OPTIONAL\n"
    assert listener.settled_connections() == 0


def test_service_as_a_word_is_not_a_false_positive(client):
    """The word SERVICE in a string, an IRI, a comment or a prefixed name is a normal query."""
    queries = [
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/> { }" }',
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "# SERVICE <http://127.0.0.1:1/>\nSELECT * WHERE { ?s ?p ?o } LIMIT 1",
        "PREFIX service: <http://example.org/>\nSELECT * WHERE { ?s service:x ?o }",
        "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    ]
    for query in queries:
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 200, (query, response.data)


def test_dataset_iris_fetch_nothing(client, listener):
    """FROM, FROM NAMED, GRAPH, default-graph-uri and named-graph-uri on loopback fetch nothing."""
    url = listener.url + "graph.ttl"
    queries = [
        (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        (f"SELECT * WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": url}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": url}),
    ]
    for query, params in queries:
        response = client.get("/sparql", query_string={"query": query, **params})
        assert response.status_code == 200
        assert response.json["results"]["bindings"] == []
    assert listener.settled_connections() == 0


def test_file_iris_read_nothing(client, planted):
    """A planted local file named in FROM, GRAPH or the protocol parameters is never read."""
    queries = [
        (f"SELECT * FROM <{planted}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{planted}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        (f"SELECT * WHERE {{ GRAPH <{planted}> {{ ?s ?p ?o }} }}", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": planted}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": planted}),
        (f"SELECT * WHERE {{ SERVICE <{planted}> {{ ?s ?p ?o }} }}", {}),
    ]
    for query, params in queries:
        response = client.get("/sparql", query_string={"query": query, **params})
        assert b"PLANTED-SECRET" not in response.data
        assert response.status_code in (200, 400)


def test_guard_reads_queries_like_the_parser():
    """The guard applies escapes, tells updates from queries and finds dataset clauses."""
    assert unescape("\\u0053ERVICE") == "SERVICE"
    assert looks_like_update("BASE <http://x/> PREFIX a: <http://y/> DROP ALL")
    assert not looks_like_update("PREFIX insert: <http://y/> SELECT * { ?s insert:x ?o }")
    found = analyse(f"SELECT * FROM <{GRAPH}schools> WHERE {{ ?s ?p ?o }}")
    assert found.has_dataset_clause and not found.uses_service and not found.is_update
    assert not analyse('SELECT * WHERE { ?s ?p "FROM <x>" }').has_dataset_clause
    # SPARQL 1.2 syntax (rdflib cannot parse it) is read by Oxigraph itself
    assert analyse("SELECT * WHERE { SERVICE <http://x/> { <<( ?s ?p ?o )>> ?q ?r } }").uses_service
    # an engine that applies \\u escapes (a remote one) would read SERVICE here; Oxigraph not
    escaped = "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }"
    assert analyse(escaped).uses_service and not analyse(escaped, escapes=False).uses_service
