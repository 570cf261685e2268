"""Property-based robustness: random and mutated queries never make the endpoint answer 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sparql_support import CITY_QUERY, GRAPH, PROLOGUE

SEEDS = [
    CITY_QUERY,
    PROLOGUE + "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a imt:School ; rdfs:label ?l }",
    PROLOGUE + 'ASK { ?c imt:city "Évry" }',
    PROLOGUE + "DESCRIBE id:campus-ales",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY DESC(?n)",
    PROLOGUE + 'SELECT * WHERE { ?s rdfs:label ?l FILTER(LANG(?l) = "fr") } LIMIT 3',
]
TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    "*",
    ".",
    ";",
    ",",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "GRAPH",
    "SERVICE",
    "FROM",
    "NAMED",
    "VALUES",
    "BIND",
    "AS",
    "LIMIT",
    "OFFSET",
    "ORDER BY",
    "GROUP BY",
    "COUNT",
    "<urn:x>",
    '"Télécom"@fr',
    "1",
    "'",
    '"',
    "#",
    "\\u0053",
    "INSERT",
    "DATA",
    "PREFIX",
    "a:",
    "<<",
    ">>",
    "\x00",
    "é",
    "<http://127.0.0.1:18799/>(1)",
    "<urn:x:f>(?s, ?o)",
    "STRLEN(?o)",
    "xsd:integer(?o)",
    "CONCAT(",
]
#: function-call expressions, known and unknown to the engine, for the SELECT fuzz
CALLS = [
    "<http://127.0.0.1:18799/>(1)",
    "<urn:x:f>()",
    '<http://www.w3.org/2001/XMLSchema#integer>("1")',
    "xsd:double(?o)",
    "STRLEN(STR(?o))",
    "COALESCE(?o, 1)",
    "<urn:x:f>(?s, <urn:x:g>(?o))",
    "IRI(?o)",
    "ENCODE_FOR_URI(?o)",
]
#: values of default-graph-uri / named-graph-uri: graphs of the store, absent, malformed
GRAPH_VALUES = [
    GRAPH + "schools",
    GRAPH + "campuses",
    "urn:x:absent",
    "",
    "<>",
    "not an iri",
    "relative/path",
    "http://example.org/a b",
    "http://[::1",
    "\x00",
    "é",
]
#: the triples of the fixture data, with the inferences (see sparql_support)
FIXTURE_TRIPLES = 39
#: seconds: any query on the fixture data takes milliseconds; reaching this is a hang
QUICK_QUERY_LIMIT = 10.0
SMALL_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def app_settings():
    """The module's app (conftest.py) has a result limit, and a time limit far above what any
    query on the 39 fixture triples takes even on a loaded machine: reaching it is a hang."""
    return {"QUERY_TIMEOUT": QUICK_QUERY_LIMIT, "RESULT_LIMIT": 100}


def check(client, query: str, graphs: list[tuple[str, str]] = ()) -> None:
    """GET and POST ``query``; neither may answer 5xx, a 504 included: every query on the
    fixture data is quick, so a timeout is a hang (or a runaway evaluation) to fix.

    :param graphs: protocol parameters (``default-graph-uri``/``named-graph-uri``, value).
    """
    graphs = list(graphs)
    for response in (
        client.get("/sparql", query_string=[("query", query), *graphs]),
        client.post(
            "/sparql",
            query_string=graphs,
            data=query.encode("utf-8", "surrogatepass"),
            content_type="application/sparql-query",
        ),
    ):
        assert response.status_code != 504, (
            f"a query on the {FIXTURE_TRIPLES} fixture triples ran past "
            f"{QUICK_QUERY_LIMIT:g} s: {query!r}",
            response.data,
        )
        assert response.status_code < 500, (query, response.status_code, response.data)
        assert b"Traceback" not in response.data


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_never_500(client, text):
    """Arbitrary text as a query gets 200, 400, 403 or 406, never a server error."""
    check(client, text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_random_token_soup_never_500(client, tokens):
    """Sequences of SPARQL tokens get a clean answer or a clean error."""
    check(client, " ".join(tokens))


@SETTINGS
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 6), st.sampled_from(TOKENS + ["", " "])),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_queries_never_500(client, seed, mutations):
    """Valid queries with spans deleted or replaced by tokens never cause a server error."""
    query = seed
    for position, length, token in mutations:
        position %= len(query) + 1
        query = query[:position] + token + query[position + length :]
    check(client, query)


@SMALL_SETTINGS
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(
            st.sampled_from(["default-graph-uri", "named-graph-uri"]),
            st.one_of(st.sampled_from(GRAPH_VALUES), st.text(max_size=30)),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_graph_parameters_never_500(client, seed, graphs):
    """Any default-graph-uri / named-graph-uri values get an answer or a clean 400."""
    check(client, seed, graphs)


@SMALL_SETTINGS
@given(st.lists(st.sampled_from(CALLS), min_size=1, max_size=3))
def test_function_calls_never_500(client, calls):
    """Calls of known and unknown functions get an answer or a clean 400."""
    projections = " ".join(f"({call} AS ?x{i})" for i, call in enumerate(calls))
    check(client, f"{PROLOGUE}SELECT {projections} WHERE {{ ?s ?p ?o }} LIMIT 3")
