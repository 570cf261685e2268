"""The server in remote-store mode (STORE=sparql:URL) before a real Oxigraph server on loopback.

The session starts ``oxigraph serve`` (the ``oxigraph`` PyPI package, a [test] dependency: the
tests fail, not skip, without it), ``imtkg push``es the shipped dataset into it, then runs the
protocol and linked-data checks through our app on that engine, with exact answers on the shipped
graph and byte-for-byte comparisons with the in-memory mode (``shipped_app``).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import subprocess
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from sparql_support import (
    COUNT_QUERY,
    GRAPH_DIR,
    ONTOLOGY_DIR,
    TIME_MARGIN,
    LoopbackListener,
    count,
    get,
    live_server,
    require_slow_tier,
)
from SPARQLWrapper import JSON, SPARQLWrapper

from imtkg.cli import main
from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.query.errors import QueryTimeout
from imtkg.query.oxigraph_server import OxigraphServer, oxigraph_binary
from imtkg.query.remote import RemoteEngineError, RemoteQueryEngine, missing_prologue, shift_lines
from imtkg.query.worker import READ_ONLY_MESSAGE, SERVICE_MESSAGE
from imtkg.store.manifest import count_graphs
from imtkg.store.oxigraph_store import (
    ASSERTED_UNION,
    MANIFEST_GRAPH,
    QueryScope,
    run_query,
    store_graph_iris,
)
from imtkg.store.prepared import input_version
from imtkg.web.app import close_app, create_app

TESTS = Path(__file__).resolve().parent
COMPETENCY = sorted((TESTS / "competency").glob("*.rq"))
ID = "https://w3id.org/imt-kg/id/"
GRAPH = "https://w3id.org/imt-kg/graph/"
ORG = "http://www.w3.org/ns/org#"
MEMBERS_QUERY = (
    "SELECT ?member ?name WHERE { ?member org:memberOf id:imt-grand-est ; rdfs:label ?name "
    'FILTER (lang(?name) = "en") } ORDER BY ?name ?member'
)
#: the English names of IMT Grand Est's members (org:memberOf is inferred, never asserted)
GRAND_EST_MEMBERS = [
    "ENSG",
    "GIP InSIC",
    "Institut Mines-Télécom",
    "Mines Nancy",
    "School and Observatory of Earth Sciences",
    "Télécom Nancy",
    "Télécom Physique Strasbourg",
    "University of Lorraine",
    "University of Strasbourg",
]
#: a cross product of the store six times over: far past any time limit
PATHOLOGICAL = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?s1 ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 . "
    "?s4 ?p4 ?o4 . ?s5 ?p5 ?o5 . ?s6 ?p6 ?o6 }"
)
#: the Oxigraph server's own time limit, past ours, so that a stopped query frees its core
ENGINE_TIMEOUT_S = 5


@pytest.fixture(scope="session")
def engine_server(tmp_path_factory):
    """An Oxigraph server on loopback holding the shipped dataset, pushed by ``imtkg push``."""
    require_slow_tier("an Oxigraph server")
    folder = tmp_path_factory.mktemp("remote")
    with OxigraphServer(folder / "db", timeout_s=ENGINE_TIMEOUT_S) as server:
        result = CliRunner().invoke(
            main,
            ["push", server.query_url, "--skip-validation", "--bulk-dir", str(folder / "bulk")],
        )
        assert result.exit_code == 0, result.output
        server.push_output = result.output
        server.bulk_dir = folder / "bulk"
        yield server


@pytest.fixture(scope="module")
def remote_app(engine_server):
    """Our app in remote mode in front of the engine (limits as in production)."""
    app = create_app({"STORE": "sparql:" + engine_server.query_url, "QUERY_TIMEOUT": 5.0})
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def app(remote_app):
    """The module's app is the remote-mode one (conftest.py's ``client`` is a client of it)."""
    return remote_app


# -- imtkg push --------------------------------------------------------------------------------


def test_the_oxigraph_command_is_installed():
    """The engine the tests need comes with the [test] extra; its absence is a failure."""
    assert Path(oxigraph_binary()).is_file()


def test_push_printed_and_verified_every_graph(engine_server, kg):
    """push PUT every graph (the hidden union included) and verified the engine's counts."""
    expected = count_graphs(kg.store)
    assert ASSERTED_UNION in expected and str(INFERRED_GRAPH) in expected
    output = engine_server.push_output
    for iri, triples in expected.items():
        assert f"  PUT {triples:>9} triples  <{iri}>" in output
    total = sum(expected.values()) + 1  # the manifest graph's one triple
    assert f"pushed {len(expected) + 1} graphs, {total} triples; verified at" in output


def test_engine_holds_exactly_the_pushed_graphs(engine_server, kg):
    """The engine's triples per graph equal the in-memory store's, plus one manifest triple."""
    engine = RemoteQueryEngine(engine_server.query_url)
    try:
        rows = engine.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )["results"]["bindings"]
    finally:
        engine.close()
    found = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    assert found == {**count_graphs(kg.store), MANIFEST_GRAPH: 1}


def test_push_again_is_idempotent(engine_server, kg):
    """A second push replaces each graph: the counts are the same, nothing is doubled."""
    result = CliRunner().invoke(main, ["push", engine_server.query_url, "--skip-validation"])
    assert result.exit_code == 0, result.output
    assert "counts match" in result.output
    engine = RemoteQueryEngine(engine_server.query_url)
    try:
        union = f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED_UNION}> WHERE {{ ?s ?p ?o }}"
        rows = engine.select(union)["results"]["bindings"]
    finally:
        engine.close()
    assert int(rows[0]["n"]["value"]) == count_graphs(kg.store)[ASSERTED_UNION]


def test_push_refuses_data_that_does_not_conform(tmp_path):
    """Without --skip-validation, data violating the shapes is not pushed (exit status 2)."""
    with OxigraphServer(tmp_path / "db") as server:
        result = CliRunner().invoke(
            main,
            ["push", server.query_url, "--ontology-dir", str(ONTOLOGY_DIR)]
            + ["--graph-dir", str(GRAPH_DIR)],
        )
        assert result.exit_code == 2
        assert "error: the data does not conform to the shapes" in result.output
        engine = RemoteQueryEngine(server.query_url)
        try:
            assert engine.select("ASK { GRAPH ?g { ?s ?p ?o } }")["boolean"] is False
        finally:
            engine.close()


def test_push_deletes_graphs_the_new_dataset_lacks(tmp_path):
    """Graphs the previous push listed and the new dataset lacks are deleted from the engine."""
    smaller = tmp_path / "graph"
    smaller.mkdir()
    (smaller / "schools.ttl").write_bytes((GRAPH_DIR / "schools.ttl").read_bytes())
    dirs = ["--ontology-dir", str(ONTOLOGY_DIR), "--skip-validation"]
    with OxigraphServer(tmp_path / "db") as server:
        push = ["push", server.query_url, *dirs, "--graph-dir"]
        first = CliRunner().invoke(main, [*push, str(GRAPH_DIR)])
        assert first.exit_code == 0, first.output
        second = CliRunner().invoke(main, [*push, str(smaller)])
        assert second.exit_code == 0, second.output
        assert f"  DELETE  <{GRAPH}campuses> (not in this dataset)" in second.output
        engine = RemoteQueryEngine(server.query_url)
        try:
            rows = engine.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        finally:
            engine.close()
    graphs = [row["g"]["value"] for row in rows["results"]["bindings"]]
    assert f"{GRAPH}campuses" not in graphs and f"{GRAPH}schools" in graphs


def test_push_needs_a_target():
    """push without a URL or --bulk-dir is a usage error; a non-Oxigraph URL needs --gsp."""
    assert CliRunner().invoke(main, ["push"]).exit_code == 2
    result = CliRunner().invoke(main, ["push", "http://127.0.0.1:9/sparql", "--skip-validation"])
    assert result.exit_code == 2
    assert "give --gsp" in result.output


def test_bulk_files_load_into_a_fresh_engine(engine_server, kg, tmp_path):
    """The N-Quads file matches its manifest and `oxigraph load` gives an engine we can front."""
    bulk = engine_server.bulk_dir
    description = json.loads((bulk / "manifest.json").read_text(encoding="utf-8"))
    data = (bulk / "imtkg.nq.gz").read_bytes()
    assert description["sha256"] == hashlib.sha256(data).hexdigest()
    assert description["dataset"]["graphs"] == count_graphs(kg.store)
    assert description["quads"] == sum(count_graphs(kg.store).values()) + 1
    assert len(gzip.decompress(data).splitlines()) == description["quads"]
    location = tmp_path / "bulk-db"
    subprocess.run(
        [oxigraph_binary(), "load", "--location", location, "--file", bulk / "imtkg.nq.gz"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with OxigraphServer(location, read_only=True) as server:
        app = create_app({"STORE": "sparql:" + server.query_url})
        try:
            response = get(app.test_client(), MEMBERS_QUERY)
        finally:
            close_app(app)
    names = [b["name"]["value"] for b in response.json["results"]["bindings"]]
    assert names == GRAND_EST_MEMBERS


# -- The protocol through the remote engine ------------------------------------------------------


@pytest.mark.parametrize("question", COMPETENCY, ids=lambda p: p.stem)
def test_competency_questions_answer_exactly(client, question):
    """Every competency question answers exactly its expected table through the remote engine."""
    response = get(client, question.read_text(encoding="utf-8"), format="tsv")
    assert response.status_code == 200, response.data
    assert response.data.decode("utf-8") == question.with_suffix(".tsv").read_text(encoding="utf-8")


def test_members_of_imt_grand_est(client):
    """The members of IMT Grand Est, found through the inferred org:memberOf, by name."""
    response = get(client, MEMBERS_QUERY)
    assert response.status_code == 200
    names = [b["name"]["value"] for b in response.json["results"]["bindings"]]
    assert names == GRAND_EST_MEMBERS
    assert response.headers["X-SPARQL-Rows"] == "9"


def test_default_graph_is_a_set_and_infer_false_leaves_out_inferences(client, kg):
    """COUNT(*) counts each distinct triple once; infer=false counts only the asserted ones."""
    graphs = count_graphs(kg.store)
    assert count(client) == graphs[ASSERTED_UNION] + graphs[str(INFERRED_GRAPH)]
    assert count(client, infer="false") == graphs[ASSERTED_UNION]
    for infer in (True, False):
        local = run_query(kg.store, COUNT_QUERY, QueryScope(infer=infer))
        assert count(client, infer=str(infer).lower()) == int(next(iter(local))["n"].value)
    ask = f"ASK {{ ?m org:memberOf <{ID}imt-grand-est> }}"
    assert get(client, ask).json["boolean"] is True
    assert get(client, ask, infer="false").json["boolean"] is False


def test_graph_names_the_source_documents(client, kg):
    """GRAPH ?g gives the sources stating a fact, and lists the public graphs, no hidden one."""
    label = Literal("IMT Mines Alès", lang="fr")
    subject = URIRef(ID + "imt-mines-ales")
    query = (
        f'SELECT ?g WHERE {{ GRAPH ?g {{ <{subject}> rdfs:label "IMT Mines Alès"@fr }} }} '
        "ORDER BY ?g"
    )
    stating = sorted(
        str(g.identifier) for g in kg.dataset.graphs() if (subject, RDFS.label, label) in g
    )
    assert stating  # the fact is stated somewhere
    response = get(client, query)
    assert [b["g"]["value"] for b in response.json["results"]["bindings"]] == stating
    listed = get(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    names = [b["g"]["value"] for b in listed.json["results"]["bindings"]]
    assert names == store_graph_iris(kg.store)


def test_protocol_dataset_parameters(client, kg):
    """default-graph-uri and named-graph-uri choose graphs of the engine by IRI."""
    graphs = count_graphs(kg.store)
    grand_est = GRAPH + "imt-grand-est"
    assert count(client, **{"default-graph-uri": grand_est}) == graphs[grand_est]
    named = get(
        client,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        **{"named-graph-uri": GRAPH + "sources"},
    )
    assert named.json["results"]["bindings"][0]["n"]["value"] == str(graphs[GRAPH + "sources"])
    from_clause = "SELECT (COUNT(*) AS ?n) FROM graph:imt-grand-est WHERE { ?s ?p ?o }"
    assert count(client, from_clause) == graphs[grand_est]
    # the parameters given make the whole dataset: no named graphs, or an empty default graph
    in_named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(client, in_named, **{"default-graph-uri": grand_est}) == 0
    assert count(client, **{"named-graph-uri": grand_est}) == 0


PARITY_QUERIES = [
    (MEMBERS_QUERY, {}),
    (MEMBERS_QUERY, {"format": "xml"}),
    (MEMBERS_QUERY, {"format": "csv", "infer": "false"}),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", {}),
    (f"ASK {{ <{ID}mines-nancy> org:memberOf <{ID}imt-grand-est> }}", {"format": "xml"}),
    (
        f"CONSTRUCT {{ ?m org:memberOf <{ID}imt-grand-est> }} "
        f"WHERE {{ ?m org:memberOf <{ID}imt-grand-est> }}",
        {"format": "ntriples"},
    ),
]


@pytest.mark.parametrize(("query", "params"), PARITY_QUERIES)
def test_answers_are_those_of_the_memory_mode(client, shipped_client, query, params):
    """Remote and in-memory modes answer byte for byte alike, with the same ETag."""
    remote = get(client, query, **params)
    local = get(shipped_client, query, **params)
    assert remote.status_code == local.status_code == 200
    assert remote.headers["Content-Type"] == local.headers["Content-Type"]
    if "CONSTRUCT" in query:  # N-Triples: the same lines, in any order
        assert sorted(remote.data.splitlines()) == sorted(local.data.splitlines())
    else:
        assert remote.data == local.data
    assert remote.headers["ETag"] == local.headers["ETag"]
    assert remote.headers["Last-Modified"] == local.headers["Last-Modified"]


def test_syntax_error_is_400_with_the_memory_modes_message(client):
    """A malformed query gets 400 and Oxigraph's position, on the query's own lines."""
    for bad in ("SELECT ?x WHERE { ?x ?y }", "SELECT ?x\nWHERE { ?x rdfs:label }"):
        response = get(client, bad)
        assert response.status_code == 400
        assert response.mimetype == "text/plain"
        with pytest.raises(SyntaxError) as in_process:
            ox.Store().query(bad, prefixes={"rdfs": str(RDFS)})
        assert response.data.decode("utf-8") == f"SPARQL syntax error: {in_process.value}\n"
    assert b"error at 2:" in get(client, "SELECT ?x\nWHERE { ?x rdfs:label }").data


def test_invalid_graph_iri_and_unknown_function_are_400_as_in_memory_mode(client):
    """Bad graph IRIs are refused before the engine; its 500 on an unknown function is a 400."""
    bad = get(client, "ASK {}", **{"default-graph-uri": "not an iri"})
    assert bad.status_code == 400
    assert bad.data == b"default-graph-uri must be an absolute IRI, not 'not an iri'\n"
    response = get(client, "SELECT (<http://127.0.0.1:18799/>(1) AS ?x) {}")
    assert response.status_code == 400
    assert response.data == b"The custom function <http://127.0.0.1:18799/> is not supported\n"


def test_update_is_refused_before_it_reaches_the_engine(client):
    """SPARQL Update is 403 in every form; the engine still holds no such triple."""
    update = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
    by_query = get(client, update)
    by_body = client.post("/sparql", data=update, content_type="application/sparql-update")
    by_form = client.post("/sparql", data={"update": update})
    for response in (by_query, by_body, by_form):
        assert response.status_code == 403
    assert by_query.data.decode("utf-8") == READ_ONLY_MESSAGE + "\n"
    assert get(client, "ASK { GRAPH ?g { <urn:x:s> ?p ?o } }").json["boolean"] is False


def test_service_is_refused_and_nothing_is_fetched(client):
    """A SERVICE clause is 400 before forwarding: the engine never calls the service."""
    listener = LoopbackListener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}sparql> {{ ?s ?p ?o }} }}"
        response = get(client, query)
        assert response.status_code == 400
        assert response.data.decode("utf-8") == SERVICE_MESSAGE + "\n"
        assert listener.settled_connections() == 0
    finally:
        listener.close()


def test_results_over_the_limit_are_truncated(engine_server):
    """RESULT_LIMIT cuts rows and triples off, flagged, without reading the rest."""
    app = create_app({"STORE": "sparql:" + engine_server.query_url, "RESULT_LIMIT": 4})
    try:
        client = app.test_client()
        rows = get(client, "SELECT * WHERE { ?s ?p ?o }")
        assert len(rows.json["results"]["bindings"]) == 4
        assert rows.headers["X-SPARQL-Truncated"] == "true"
        assert rows.headers["X-SPARQL-MaxRows"] == "4"
        triples = get(client, "CONSTRUCT WHERE { ?s ?p ?o }", format="ntriples")
        assert len(triples.data.splitlines()) == 4
        assert triples.headers["X-SPARQL-Truncated"] == "true"
        small = get(client, "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }")
        assert "X-SPARQL-Truncated" not in small.headers
        assert small.headers["X-SPARQL-Rows"] == "3"
    finally:
        close_app(app)


def test_time_limit_stops_the_request_and_the_server_goes_on(engine_server):
    """A query past QUERY_TIMEOUT gets 504 about then; the next query is answered."""
    app = create_app({"STORE": "sparql:" + engine_server.query_url, "QUERY_TIMEOUT": 1.5})
    try:
        client = app.test_client()
        started = time.monotonic()
        response = get(client, PATHOLOGICAL)
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert response.data == b"the query exceeded the 1.5-second time limit and was stopped\n"
        # it ran to the limit; the upper bound is generous (a loaded 2-core machine), a hang
        # would still fail it
        assert 1.4 < elapsed < 1.5 + TIME_MARGIN
        names = get(client, MEMBERS_QUERY).json["results"]["bindings"]
        assert [b["name"]["value"] for b in names] == GRAND_EST_MEMBERS
    finally:
        close_app(app)


def test_health_reports_the_pushed_dataset(client, kg):
    """GET /health is ready, with the public graphs' sizes and the inputs' version."""
    response = client.get("/health")
    assert response.status_code == 200
    sizes = {iri: n for iri, n in count_graphs(kg.store).items() if iri != ASSERTED_UNION}
    assert response.json["triples"] == sum(sizes.values())
    assert response.json["graphs"] == len(sizes)
    assert response.json["version"] == input_version().digest[:16]


def test_a_store_without_a_push_is_refused(tmp_path):
    """Pointing the server at an engine nobody pushed to fails at start with the fix to apply."""
    with OxigraphServer(tmp_path / "empty") as server:
        with pytest.raises(ImtKgError, match="holds no IMT knowledge graph") as caught:
            create_app({"STORE": "sparql:" + server.query_url})
    assert f"imtkg push {server.query_url}" in str(caught.value)


def test_an_engine_outage_is_503_on_health_and_502_on_queries(tmp_path):
    """When the engine stops, /health says down (503) and queries get a short 502."""
    fixture = ["--ontology-dir", str(ONTOLOGY_DIR), "--graph-dir", str(GRAPH_DIR)]
    server = OxigraphServer(tmp_path / "db").start()
    try:
        pushed = CliRunner().invoke(main, ["push", server.query_url, *fixture, "--skip-validation"])
        assert pushed.exit_code == 0, pushed.output
        app = create_app({"STORE": "sparql:" + server.query_url})
    finally:
        server.stop()
    try:
        app.extensions["imt_kg"].engine.alive_ttl = 0.0  # ask the engine at every /health
        client = app.test_client()
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json["status"] == "down"
        response = get(client, COUNT_QUERY)
        assert response.status_code == 502
        assert response.data == b"the SPARQL engine cannot be reached; try again\n"
    finally:
        close_app(app)


def test_unreachable_engine_is_a_502_error():
    """A closed port gives RemoteEngineError (502) quickly, not a stack trace."""
    listener = LoopbackListener()
    url = listener.url + "query"
    listener.close()  # nobody listens on that port any more
    engine = RemoteQueryEngine(url, timeout=2.0)
    try:
        with pytest.raises(RemoteEngineError) as caught:
            engine.execute("ASK {}")
        assert caught.value.status == 502
        assert str(caught.value) == "the SPARQL engine cannot be reached; try again"
        assert engine.alive is False
    finally:
        engine.close()


def test_engine_time_limit_applies_to_direct_calls(engine_server):
    """RemoteQueryEngine.execute raises QueryTimeout past its timeout argument."""
    engine = RemoteQueryEngine(engine_server.query_url, graphs=[], timeout=5.0)
    try:
        with pytest.raises(QueryTimeout):
            engine.execute(PATHOLOGICAL, timeout=0.5)
        assert engine.select("ASK {}")["boolean"] is True
    finally:
        engine.close()


def test_missing_prefixes_are_sent_on_one_line():
    """Only the project prefixes a query uses and does not declare are added, on one line."""
    assert missing_prologue("SELECT * WHERE { ?s ?p ?o }") == ""
    assert missing_prologue('SELECT * WHERE { ?s ?p "org:x" } # rdfs:label') == ""
    added = missing_prologue("PREFIX org: <urn:o#> SELECT * WHERE { ?s org:x ?o ; rdfs:label ?l }")
    assert added == "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    assert shift_lines("error at 3:7: expected", 1) == "error at 2:7: expected"
    jena = "Encountered x at line 4, column 2"
    assert shift_lines(jena, 1) == "Encountered x at line 3, column 2"


# -- Linked data through the remote engine -------------------------------------------------------


def test_resource_iri_answers_turtle_as_in_memory_mode(client, shipped_client):
    """GET /id/imt-mines-ales as Turtle: 303 to the document, the same graph as in memory."""
    response = client.get("/id/imt-mines-ales", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    location = urllib.parse.urlsplit(response.headers["Location"]).path
    assert location == "/id/imt-mines-ales.ttl"
    document = client.get(location)
    assert document.status_code == 200
    assert document.mimetype == "text/turtle"
    graph = Graph().parse(data=document.data, format="turtle")
    subject = URIRef(ID + "imt-mines-ales")
    labels = set(graph.objects(subject, RDFS.label))
    assert {Literal("IMT Mines Alès", lang="fr"), Literal("IMT Mines Alès", lang="en")} <= labels
    assert (subject, URIRef(ORG + "memberOf"), URIRef(ID + "institut-mines-telecom")) in graph
    local = Graph().parse(data=shipped_client.get(location).data, format="turtle")
    assert isomorphic(graph, local)


@pytest.mark.parametrize(
    "path",
    [
        "/explain?s=id:mines-nancy&p=org:memberOf&o=id:imt-grand-est&format=json",
        "/.well-known/void?format=ntriples",
        "/dumps/",
    ],
)
def test_explanations_void_and_dumps_as_in_memory_mode(client, shipped_client, path):
    """Explanations, the VoID description and the dumps index are those of the memory mode."""
    remote = client.get(path)
    local = shipped_client.get(path)
    assert remote.status_code == local.status_code == 200
    if path.startswith("/.well-known/void"):  # blank node labels differ between the two runs
        graphs = [Graph().parse(data=r.data, format="nt") for r in (remote, local)]
        assert isomorphic(*graphs)
    else:
        assert remote.data == local.data


# -- End to end: a real HTTP server in front of the engine ---------------------------------------


def test_live_server_in_remote_mode(remote_app):
    """waitress + remote mode: SPARQLWrapper, as many concurrent clients as the app admits (one
    more may get 503: THREADS - 1 requests are inside the engine at most), a linked-data
    document."""
    with live_server(remote_app) as base:
        client = SPARQLWrapper(base + "/sparql")
        client.setReturnFormat(JSON)
        client.setQuery(MEMBERS_QUERY)
        result = client.queryAndConvert()
        assert [b["name"]["value"] for b in result["results"]["bindings"]] == GRAND_EST_MEMBERS
        url = f"{base}/sparql?" + urllib.parse.urlencode({"query": MEMBERS_QUERY, "format": "csv"})

        def fetch(_: int) -> tuple[int, bytes]:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read()

        admitted = remote_app.extensions["imt_kg"].engine.admitted
        assert admitted == int(remote_app.config["THREADS"]) - 1 == 7
        with ThreadPoolExecutor(max_workers=admitted) as pool:
            answers = list(pool.map(fetch, range(2 * admitted)))
        assert {status for status, _ in answers} == {200}
        assert len({body for _, body in answers}) == 1
        table = list(csv.DictReader(io.StringIO(answers[0][1].decode("utf-8"), newline="")))
        assert [row["name"] for row in table] == GRAND_EST_MEMBERS
        assert table[0]["member"] == ID + "ensg"
        request = urllib.request.Request(base + "/id/imt-mines-ales.ttl")
        with urllib.request.urlopen(request, timeout=30) as response:
            graph = Graph().parse(data=response.read(), format="turtle")
        assert Literal("IMT Mines Alès", lang="fr") in set(
            graph.objects(URIRef(ID + "imt-mines-ales"), RDFS.label)
        )
