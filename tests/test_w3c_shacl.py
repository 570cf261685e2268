"""The W3C SHACL test suite (``tests/w3c/shacl-test-suite/``) on the project's engines.

Each of the 120 tests is run on the forced Oxigraph engine, on ``auto`` and on pyshacl, and the
report compared with the expected one (:mod:`imtkg.shacl.w3c_suite`). The Oxigraph engine answers
exactly or declines naming the feature (custom SPARQL-based constraint components only), never
wrong; ``auto`` answers all 120; pyshacl's two known gaps are named. Shapes whose SPARQL would
make a validator reach outside the data (``SERVICE``, ``FROM``) are refused by every engine
before any query runs: a loopback canary proves no connection is opened.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal
from sparql_support import LoopbackListener, wait_until

from imtkg.core.namespaces import SH
from imtkg.shacl.validation import ShapesError, validate_dataset, validate_graphs
from imtkg.shacl.w3c_suite import ENGINES, SuiteTest, load_suite, main, run_test, summary

#: the vendored suite, unchanged, with its notice
SUITE = Path(__file__).resolve().parent / "w3c" / "shacl-test-suite"
TESTS = load_suite(SUITE)

#: the tests the forced Oxigraph engine declines, and the feature it names
DECLINED = {
    "sparql/component/optional-001": "sh:ConstraintComponent",
    "sparql/component/propertyValidator-select-001": "sh:ConstraintComponent",
    "sparql/component/validator-001": "a subclass of sh:ConstraintComponent",
}

#: pyshacl's answers that differ from the suite's (auto does not use pyshacl for them)
PYSHACL_WRONG = {
    "core/property/uniqueLang-002",  # takes "1"^^xsd:boolean for true
    "sparql/pre-binding/shapesGraph-001",  # raises NotImplementedError for $shapesGraph
}


@pytest.fixture(scope="module")
def answers() -> dict[str, list]:
    """Every test's answer on every engine (rdflib's warnings on the suite's ill-typed data
    muted)."""
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    cache: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {e: [run_test(t, e, cache) for t in TESTS] for e in ENGINES}


def test_the_suite_is_complete():
    """The vendored suite has its 120 tests: 98 core, 22 SHACL-SPARQL."""
    names = Counter(t.name.split("/")[0] for t in TESTS)
    assert names == {"core": 98, "sparql": 22}


def test_figures_per_engine(answers):
    """Oxigraph: 117 exact, 3 declined, 0 wrong; auto: 120 exact; pyshacl: 118, 2 named wrong."""
    print("\nW3C SHACL test suite\n" + summary([a for e in ENGINES for a in answers[e]]))
    verdicts = {e: {a.test: a.verdict for a in answers[e]} for e in ENGINES}
    assert [t for t, v in verdicts["oxigraph"].items() if v == "wrong"] == []
    assert {t for t, v in verdicts["oxigraph"].items() if v == "declined"} == set(DECLINED)
    assert set(verdicts["auto"].values()) == {"pass"}
    assert {t for t, v in verdicts["pyshacl"].items() if v != "pass"} == PYSHACL_WRONG


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_oxigraph_engine_is_exact_or_declines(answers, test: SuiteTest):
    """The forced Oxigraph engine's answer to one test: exact, or declined naming the feature."""
    answer = next(a for a in answers["oxigraph"] if a.test == test.name)
    if test.name in DECLINED:
        assert answer.verdict == "declined"
        assert DECLINED[test.name] in answer.detail
    else:
        assert answer.verdict == "pass", answer.detail


def test_ill_typed_literals_are_kept_apart_whatever_the_order():
    """An ill-typed "none"^^xsd:boolean and a valid "false" are two values in any triple order
    (W3C or-datatypes-001 failed 3 runs in 16 when they were merged)."""
    test = next(t for t in TESTS if t.name == "core/property/or-datatypes-001")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(16):
            assert run_test(test, "oxigraph").verdict == "pass"


SERVICE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Shape a sh:NodeShape ; sh:targetNode ex:a ;
    sh:sparql [ sh:select \"\"\"
        SELECT $this WHERE { $this ?p ?o . SERVICE <URL> { ?s ?p2 ?o2 } }\"\"\" ] .
"""
FROM_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Shape a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ;
    sh:select "SELECT ?this FROM <URL> WHERE { ?this ?p ?o }" ] ; sh:minCount 1 .
"""


@pytest.fixture
def canary():
    """A loopback listener, shown to see a SERVICE call Oxigraph makes unguarded."""
    listener = LoopbackListener()
    try:
        with pytest.raises(OSError):
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
        wait_until(lambda: listener.connections >= 1, "the canary sees the unguarded SERVICE call")
        yield listener
    finally:
        listener.close()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("template", [SERVICE_SHAPES, FROM_SHAPES], ids=["SERVICE", "FROM"])
def test_shapes_reaching_outside_are_refused_before_running(canary, engine, template):
    """SERVICE (Oxigraph and rdflib run it) and FROM (rdflib fetches it) in a shape's SPARQL are
    refused by every engine, by name, and nothing connects (the refusal comes before any query)."""
    before = canary.connections
    shapes = Graph().parse(data=template.replace("URL", canary.url), format="turtle")
    data = Graph().parse(data="<http://example.org/a> <http://example.org/p> 1 .", format="ttl")
    keyword = "SERVICE" if template is SERVICE_SHAPES else "FROM"
    with pytest.raises(ShapesError, match=f"{keyword} in the SPARQL query"):
        validate_graphs(data, shapes, engine=engine)
    dataset = Dataset()
    dataset.default_graph.parse(data="<http://example.org/a> <http://example.org/p> 1 .")
    with pytest.raises(ShapesError, match=keyword):
        validate_dataset(dataset, shapes=shapes, ontology=Graph(), engine=engine)
    assert canary.settled_connections() == before


def test_a_namespace_that_is_not_an_iri_is_refused():
    """A prefix declaration cannot end the PREFIX line and inject a clause into the queries."""
    shapes = Graph().parse(
        data=SERVICE_SHAPES.replace("SERVICE <URL> { ?s ?p2 ?o2 }", "")
        + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex: sh:declare [ sh:prefix "x" ; sh:namespace "http://x/> } SERVICE <http://y/" ] .',
        format="turtle",
    )
    with pytest.raises(ShapesError, match="is not an IRI"):
        validate_graphs(Graph(), shapes, engine="auto")


#: SERVICE written so that a lexical scan and Oxigraph's parser read it differently
SERVICE_DISGUISES = {
    "carriage return ends a comment": "SELECT $this WHERE { $this ?p ?o #c\rSERVICE <URL> {} }",
    "keyword glued to a prefixed name": (
        "PREFIX x: <URL> SELECT $this WHERE { $this ?p ?o . SERVICEx:y { ?s ?p2 ?o2 } }"
    ),
    "no space before the IRI": "SELECT $this WHERE { $this ?p ?o . SERVICE<URL>{ ?s ?p ?o } }",
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("query", SERVICE_DISGUISES.values(), ids=SERVICE_DISGUISES.keys())
def test_disguised_service_in_a_shape_is_refused_as_oxigraph_reads_it(canary, engine, query):
    """The shapes' refusal asks Oxigraph's parser (as the endpoint's guard does), so a SERVICE
    that a lexical scan misses is refused by every engine, and nothing connects."""
    before = canary.connections
    shapes = Graph().parse(data=SERVICE_SHAPES.replace("URL", canary.url), format="turtle")
    (constraint,) = shapes.objects(None, SH.sparql)
    shapes.set((constraint, SH.select, Literal(query.replace("URL", canary.url))))
    data = Graph().parse(data="<http://example.org/a> <http://example.org/p> 1 .", format="ttl")
    with pytest.raises(ShapesError, match="SERVICE in the SPARQL query"):
        validate_graphs(data, shapes, engine=engine)
    assert canary.settled_connections() == before


def test_a_shape_query_nested_too_deep_is_refused_before_any_parse():
    """Oxigraph's parser is recursive: a shape query nested past the guard's limit is refused
    with the depth and the limit, by the same measure as the endpoint's queries."""
    shapes = Graph().parse(data=SERVICE_SHAPES.replace("URL", "http://example.org/"))
    (constraint,) = shapes.objects(None, SH.sparql)
    deep = "SELECT $this WHERE { $this ?p ?o " + "{ " * 3000 + "}" * 3000 + " }"
    shapes.set((constraint, SH.select, Literal(deep)))
    with pytest.raises(ShapesError, match=r"nests \d+ levels deep .*the limit is 64"):
        validate_graphs(Graph(), shapes, engine="auto")


def test_the_runner_takes_a_suite_folder_relative_to_the_working_folder(monkeypatch, capsys):
    """``python -m imtkg.shacl.w3c_suite --suite tests/w3c/shacl-test-suite`` (as .ci/run calls
    it) prints the figures; a relative folder once ended in a traceback (no file URI for it)."""
    monkeypatch.chdir(SUITE.parent.parent.parent)
    assert main(["oxigraph", "--suite", "tests/w3c/shacl-test-suite"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].split()[:7] == [
        "oxigraph",
        "pass",
        "117",
        "declined",
        "3",
        "wrong",
        "0",
    ]
