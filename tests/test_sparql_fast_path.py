"""The worker's fast path for SELECT (issue 15): the row limit applied by Oxigraph through a
sub-select with ``LIMIT n + 1``, the results written by Oxigraph's serialiser, the rows counted
without a Python step per row, gives the answers the row-by-row path gives.

Every competency question and a few hand-made queries (ORDER BY, aggregates, VALUES, a trailing
comment, tricky literals) are answered both ways on the shipped graph, in the four result
formats and under row limits that cut them, and the answers must agree: same rows in the same
order, same count, same truncation flag; CSV, TSV and XML byte for byte (both written by
Oxigraph), JSON as parsed documents.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from imtkg.query.worker import (
    QueryRequest,
    answer,
    bounded_select,
    count_rows,
    fast_select,
    serialise_results,
)
from imtkg.rdf.formats import RESULT_FORMATS
from imtkg.store.oxigraph_store import QueryScope, StoreLayout, query_options

COMPETENCY = sorted((Path(__file__).parent / "competency").glob("*.rq"))
HANDMADE = {
    "ordered": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY DESC(?l) ?s",
    "aggregate": (
        "SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type } "
        "GROUP BY ?type ORDER BY DESC(?n) ?type LIMIT 10"
    ),
    "values": "SELECT ?x ?s WHERE { ?s a ?x } VALUES ?x { imt:School org:Organization }",
    "comment": "SELECT ?s WHERE { ?s rdfs:label ?l } ORDER BY ?s # a comment, no line feed",
    "prologue": (
        "BASE <https://w3id.org/imt-kg/id/>\nPREFIX r: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "prefix : <https://w3id.org/imt-kg/ontology#> SELECT ?l { <imt-mines-ales> r:label ?l }"
        " ORDER BY ?l"
    ),
    "star": "SELECT * WHERE { ?s rdfs:label ?l ; a ?type } ORDER BY ?s ?l ?type LIMIT 60",
    "distinct star": "SELECT DISTINCT * WHERE { ?s org:memberOf ?o }",
    "offset": "SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p LIMIT 7 OFFSET 3",
    "empty": "SELECT ?s WHERE { ?s a <http://example.org/Nothing> }",
    "no variable": "SELECT * WHERE { }",
}


@pytest.fixture(scope="module")
def store(kg) -> ox.Store:
    """The shipped knowledge graph's store (union and inferred graphs)."""
    return kg.store


def both_ways(store: ox.Store, query: str, result_format: str, row_limit: int) -> tuple:
    """Return the fast path's answer (it must take the query) and the row-by-row path's."""
    request = QueryRequest(query, QueryScope(), result_format, None, row_limit, 16 * 1024 * 1024)
    layout = StoreLayout.of(store)
    options = query_options(store, QueryScope(), layout, named=True)
    fast = fast_select(store, request, options, False)
    assert fast is not None, "the fast path declined the query"
    assert answer(store, request, layout) == fast  # and it is what a worker answers
    slow = serialise_results(store.query(query, **options), request)
    return fast, slow


def rows_of(body: bytes, result_format: str) -> object:
    """A results document in a form where equal meaning is equality."""
    if result_format == "json":
        return json.loads(body)
    return body


QUERIES = [
    *((path.stem, path.read_text(encoding="utf-8")) for path in COMPETENCY),
    *HANDMADE.items(),
]


@pytest.mark.parametrize("result_format", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize(("name", "query"), QUERIES, ids=[name for name, _ in QUERIES])
def test_fast_path_answers_as_the_row_by_row_path(store, name, query, result_format):
    """Same rows, order, count and truncation, under no limit and limits that cut."""
    assert bounded_select(query, 1, lambda: ["any"]) is not None, "the fast path takes it"
    for row_limit in (10000, 5, 1):
        fast, slow = both_ways(store, query, result_format, row_limit)
        assert fast[0] == "ok", fast
        assert fast[2:] == slow[2:], (row_limit, fast[2:], slow[2:])
        assert rows_of(fast[1], result_format) == rows_of(slow[1], result_format), row_limit


def test_bounded_select_keeps_the_prologue_in_front_and_ends_a_trailing_comment():
    """The sub-select is the query after its prologue (comments included); the outer query
    projects the listed variables in their order; a trailing ``#`` comment is closed."""
    query = "# q\nPREFIX a: <http://x/> BASE <http://b/>\nSELECT ?s $o { ?s a:p ?o } # n"
    assert bounded_select(query, 11) == (
        "# q\nPREFIX a: <http://x/> BASE <http://b/>\nSELECT ?s ?o WHERE {\n"
        "\nSELECT ?s $o { ?s a:p ?o } # n\n}\nLIMIT 11"
    )
    wrapped = bounded_select("SELECT DISTINCT * {}", 2)
    assert wrapped == "\nSELECT * WHERE {\nSELECT DISTINCT * {}\n}\nLIMIT 2"


def test_an_expression_in_the_projection_asks_the_planned_variables():
    """``(expr AS ?v)`` is not read from the text: the variables come from ``projection``, in
    its order; without it, the query is left to the row-by-row path."""
    query = "SELECT (COUNT(*) AS ?n) ?t { ?s a ?t } GROUP BY ?t"
    assert bounded_select(query, 3) is None
    wrapped = bounded_select(query, 3, lambda: ["n", "t"])
    assert wrapped == f"\nSELECT ?n ?t WHERE {{\n{query}\n}}\nLIMIT 3"


def test_other_query_forms_are_left_to_the_row_by_row_path():
    """ASK, CONSTRUCT and DESCRIBE are not wrapped."""
    for query in ("ASK {}", "CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <http://x/>"):
        assert bounded_select(query, 1, lambda: ["x"]) is None


RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TRICKY = [
    ox.Literal('a "b" },{ [{ <result>\n\r\tz,'),
    ox.Literal("tab\there", language="fr"),
    ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.BlankNode("b0"),
    ox.NamedNode("http://example.org/a,b"),
]


@pytest.mark.parametrize("result_format", ["json", "xml", "csv", "tsv"])
def test_rows_are_counted_exactly_whatever_the_literals_hold(result_format):
    """Quotes, brackets, ``},{``, ``<result>``, line breaks and commas inside terms, unbound
    values and rows without any binding are counted as rows, never as separators."""
    store = ox.Store()
    subject = ox.NamedNode("http://example.org/s")
    for i, term in enumerate(TRICKY):
        predicate = ox.NamedNode(f"http://example.org/p{i}")
        store.add(ox.Quad(subject, predicate, term if not isinstance(term, ox.BlankNode) else term))
    _, fmt = RESULT_FORMATS[result_format]
    queries = {
        "SELECT ?o ?x WHERE { ?s ?p ?o } ORDER BY ?p": len(TRICKY),
        "SELECT ?x WHERE { ?s ?p ?o }": len(TRICKY),  # rows without any binding
        "SELECT * WHERE { }": 1,
        "SELECT ?o WHERE { ?s ?p ?o FILTER(false) }": 0,
    }
    for query, expected in queries.items():
        body = store.query(query).serialize(format=fmt)
        assert count_rows(body, fmt) == expected, (query, body)


def test_json_rows_are_counted_exactly_when_literals_mimic_separators():
    """Literals that end with ``},{``, hold ``},{"`` followed by what may follow a string, or
    spell a whole solution, are counted as one row each, as blanking every string out counts
    them (random literals over the characters of JSON's syntax included)."""
    import random
    import re

    rng = random.Random(15)
    alphabet = '{}[],:"\\ax'
    values = ["x},{", '},{"}', '},{",', '},{"]', '},{":', '},{"a":{"type":"uri","value":"b"}}']
    drawn = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(300)]
    # with and without ``{}`` (which sends the count to the blanking)
    values += drawn + [value.replace("{}", "{a}") for value in drawn]
    json_string = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)  # the slow reference
    fmt = ox.QueryResultsFormat.JSON
    for start in range(0, len(values), 7):
        store = ox.Store()
        chunk = values[start : start + 7]
        for i, value in enumerate(chunk):
            store.add(
                ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), RDFS_LABEL, ox.Literal(value))
            )
        for query in ("SELECT ?l ?s WHERE { ?s ?p ?l }", "SELECT ?l WHERE { ?s ?p ?l }"):
            body = store.query(query).serialize(format=fmt)
            reference = json_string.sub(b'""', body).count(b"},{") + 1
            assert count_rows(body, fmt) == reference == len(chunk), body


def test_a_cut_answer_says_so_with_the_limit_and_the_first_rows(store):
    """Past the row limit, the answer holds exactly ``row_limit`` rows, the first ones in the
    query's order, and is flagged truncated."""
    query = HANDMADE["ordered"]
    fast, _ = both_ways(store, query, "json", 3)
    document = json.loads(fast[1])
    assert fast[4:] == (True, 3)
    everything = json.loads(both_ways(store, query, "json", 10000)[0][1])
    assert document["results"]["bindings"] == everything["results"]["bindings"][:3]


def test_the_byte_limit_hands_a_big_answer_to_the_row_by_row_path(store):
    """A body past the byte limit is never sent whole: the answer is cut at a row, flagged."""
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    request = QueryRequest(query, QueryScope(), "json", None, 10000, 2000)
    reply = answer(store, request, StoreLayout.of(store))
    assert reply[0] == "ok" and reply[4] is True
    assert 0 < reply[5] < 100
    assert len(json.loads(reply[1])["results"]["bindings"]) == reply[5]


def test_a_syntax_error_keeps_the_original_position(store):
    """The wrapped text never shows in an error: the query as sent is parsed for its message."""
    request = QueryRequest("SELECT ?s WHERE { ?s ?p }", QueryScope(), "json", None, 10, 10**6)
    reply = answer(store, request, StoreLayout.of(store))
    assert reply[:2] == ("error", "syntax")
    assert "1:" in reply[2], reply[2]


#: tokens the guard's measure reads differently: brackets, IRIs or comparisons, prefix
#: operators, links, group words, strings and comments hiding brackets
TOKENS = (
    "{", "}", "(", ")", "[", "]", "<", ">", "<<", ">>", "!", "-", "^", "+", "UNION", "OPTIONAL",
    "?a", "'x<(['", "<http://x/{>", "#c{(\n", ".", ";", ",", "&&", "||", "=", " ", "\n", "\\u007B",
)  # fmt: skip


def test_the_guard_shortcut_never_passes_a_query_measure_would_refuse():
    """When character counts say a query is within the nesting and chain limits, the guard's
    full reading agrees, on random token soups around the limits (the shortcut is an upper
    bound: it may send a harmless query to the full reading, never the reverse)."""
    import random

    from imtkg.rdf.sparql_guard import MAX_CHAIN, MAX_DEPTH, measure, plainly_within_limits

    rng = random.Random(15)
    shortcut = 0
    for _ in range(3000):
        text = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 400)))
        if plainly_within_limits(text):
            shortcut += 1
            shape = measure(text)
            assert shape.depth <= MAX_DEPTH and shape.chain <= MAX_CHAIN, text
    assert shortcut > 300  # the soups do reach the shortcut
    deepest = "{" * MAX_DEPTH
    assert plainly_within_limits(deepest) and measure(deepest).depth == MAX_DEPTH
    assert not plainly_within_limits("{" * (MAX_DEPTH + 1))
    assert not plainly_within_limits("?a || " * (MAX_CHAIN // 2 + 1))


# -- the HTTP fast path (imtkg.web.fast_sparql) answers as the Flask view does ---------------

SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 40"
#: (method, query string, headers, body): requests of every kind the protocol view answers
PROTOCOL_REQUESTS = [
    ("GET", {"query": SELECT_ALL}, {}, None),
    ("GET", {"query": SELECT_ALL}, {"Accept": "text/csv", "Accept-Encoding": "gzip"}, None),
    ("GET", {"query": SELECT_ALL}, {"Accept-Encoding": "br;q=0.5, gzip"}, None),
    ("GET", {"query": SELECT_ALL, "format": "xml"}, {"Origin": "https://example.org"}, None),
    ("GET", {"query": "ASK { ?s ?p ?o }"}, {"Accept": "text/tab-separated-values"}, None),
    ("GET", {"query": "CONSTRUCT WHERE { ?s a ?t } LIMIT 5"}, {"Accept": "text/turtle"}, None),
    ("GET", {"query": "SELECT ?s WHERE { ?s ?p }"}, {}, None),
    ("GET", {"query": SELECT_ALL}, {"Accept": "image/png"}, None),
    ("GET", {"query": SELECT_ALL, "format": "nonsense"}, {}, None),
    ("GET", {"query": SELECT_ALL, "infer": "perhaps"}, {}, None),
    ("GET", {"query": SELECT_ALL, "default-graph-uri": "not an iri"}, {}, None),
    ("GET", {"query": [SELECT_ALL, SELECT_ALL]}, {}, None),
    ("GET", {"query": "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }"}, {}, None),
    ("GET", {"update": "DROP ALL"}, {}, None),
    ("GET", {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}, {}, None),
    ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded"}, {"query": SELECT_ALL}),
    ("POST", {}, {"Content-Type": "application/sparql-query"}, SELECT_ALL.encode()),
    ("POST", {}, {"Content-Type": "application/sparql-update"}, b"DROP ALL"),
    ("POST", {}, {"Content-Type": "text/plain"}, b"SELECT * {}"),
    ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded"}, {"other": "1"}),
    ("POST", {}, {"Content-Type": "application/sparql-query; charset=latin-9"}, b"ASK {}"),
    ("HEAD", {"query": SELECT_ALL}, {}, None),
]


@pytest.fixture(scope="module")
def two_apps():
    """The same app twice, on the endpoint fixture data: with the fast path and without."""
    from sparql_support import make_app

    from imtkg.web.app import close_app

    apps = (make_app(), make_app(FAST_SPARQL=False))
    yield apps
    for one in apps:
        close_app(one)


def _exchange(app, method, args, headers, body):
    """Send one request to ``app``; return (status, headers but Date, decoded body).

    A gzip body is compared decoded: flask-compress stamps the gzip header with the current
    second, so two identical answers made a second apart differ in those four bytes."""
    response = app.test_client().open(
        "/sparql", method=method, query_string=args, data=body, headers=headers
    )
    kept = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() != "date")
    data = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return response.status, kept, data


@pytest.mark.parametrize(
    ("method", "args", "headers", "body"),
    PROTOCOL_REQUESTS,
    ids=[f"{i}-{m}" for i, (m, *_) in enumerate(PROTOCOL_REQUESTS)],
)
def test_fast_path_answers_every_protocol_request_as_the_flask_view(
    two_apps, method, args, headers, body
):
    """Status, every header (CORS, caching, compression, SPARQL headers) and body agree."""
    fast, flask_only = two_apps
    assert _exchange(fast, method, args, headers, body) == _exchange(
        flask_only, method, args, headers, body
    )


def test_a_get_without_a_query_is_left_to_flask_for_the_service_description(two_apps):
    """The service description (its blank nodes named anew each time) comes from the view."""
    fast, flask_only = two_apps
    answers = [_exchange(app, "GET", {}, {"Accept": "text/turtle"}, None) for app in two_apps]
    assert answers[0][:2] == answers[1][:2]
    assert answers[0][0] == "200 OK" and b"sd:Service" in answers[0][2]


def test_a_conditional_request_gets_the_same_304_both_ways(two_apps):
    """The ETag the fast path sends makes a later conditional GET a 304, with the headers
    the Flask view's 304 carries."""
    fast, flask_only = two_apps
    etag = fast.test_client().get("/sparql", query_string={"query": SELECT_ALL}).headers["ETag"]
    headers = {"If-None-Match": etag}
    answers = [_exchange(app, "GET", {"query": SELECT_ALL}, headers, None) for app in two_apps]
    assert answers[0][0] == "304 NOT MODIFIED"
    assert answers[0] == answers[1]


def test_the_fast_path_writes_the_access_log_line_of_the_flask_view(two_apps, caplog):
    """One JSON line per query, with the same fields and values but the duration."""
    import logging

    lines = []
    for app in two_apps:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="imtkg.access"):
            response = app.test_client().get(
                "/sparql", query_string={"query": SELECT_ALL}, headers={"Cache-Control": "no-cache"}
            )
        records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "imtkg.access"]
        assert len(records) == 1, records
        records[0].pop("duration_ms")
        assert records[0]["sparql_rows"] == response.headers["X-SPARQL-Rows"]
        lines.append(records[0])
    assert lines[0] == lines[1]
    assert lines[0]["status"] == 200 and lines[0]["bytes"] > 100


@pytest.mark.parametrize("result_format", ["json", "xml", "csv", "tsv"])
def test_an_answer_cut_in_its_text_is_the_answer_to_the_limited_query(result_format):
    """Cutting Oxigraph's document after ``rows`` solutions gives, byte for byte, what
    Oxigraph writes for the first ``rows`` solutions (tricky literals, unbound values, rows
    without any binding included); CSV with quoted values is declined."""
    from imtkg.query.worker import first_rows

    store = ox.Store()
    subject = ox.NamedNode("http://example.org/s")
    for i, term in enumerate(TRICKY):
        store.add(ox.Quad(subject, ox.NamedNode(f"http://example.org/p{i}"), term))
    _, fmt = RESULT_FORMATS[result_format]
    for query in (
        "SELECT ?o ?x WHERE { ?s ?p ?o } ORDER BY ?p",
        "SELECT ?x WHERE { ?s ?p ?o }",
        "SELECT ?p WHERE { ?s ?p ?o } ORDER BY ?p",
    ):
        whole = store.query(query).serialize(format=fmt)
        for rows in range(len(TRICKY)):
            cut = first_rows(whole, fmt, rows)
            expected = store.query(f"{query} LIMIT {rows}").serialize(format=fmt)
            if result_format == "csv" and b'"' in whole:
                assert cut is None
            else:
                assert cut == expected, (query, rows)
