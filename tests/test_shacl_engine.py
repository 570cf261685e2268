"""The Oxigraph SHACL engine gives pyshacl's results: same results, same conformance.

Each dataset is validated by both engines and the full results compared (focus node, path,
value, severity, source shape, constraint component, message, as sorted lists): the shipped
dataset, every fixture of ``tests/shapes/{invalid,valid}/`` (batched as in ``test_shapes.py``),
a synthetic dataset and a copy of it with violations injected. Shapes with a feature the engine
does not implement fall back to pyshacl (``auto``) or are refused (``oxigraph``).
"""

from __future__ import annotations

import shutil

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from shapes_support import INVALID, VALID, load_fixture, with_context

from bench import synthetic
from imtkg.core.namespaces import GRAPH, ID, IMT, SCHEMA, SH
from imtkg.data.dataset import load_dataset
from imtkg.shacl.compiled_shapes import UnsupportedFeature, compile_shapes
from imtkg.shacl.results import IMTSH
from imtkg.shacl.validation import (
    EngineUnavailable,
    ValidationOutcome,
    load_shapes,
    validate_dataset,
)


def result_rows(outcome: ValidationOutcome) -> list[tuple]:
    """Return the comparable results of an outcome, sorted."""
    return sorted(
        (
            str(r.focus_node),
            r.path or "",
            repr(r.value),
            r.severity,
            str(r.source_shape),
            str(r.constraint_component),
            r.message,
        )
        for r in outcome.results
    )


def assert_same(dataset: Dataset) -> ValidationOutcome:
    """Validate ``dataset`` with both engines; assert equal results; return the fast outcome."""
    fast = validate_dataset(dataset, engine="oxigraph")
    reference = validate_dataset(dataset, engine="pyshacl")
    assert fast.engine == "oxigraph" and reference.engine == "pyshacl"
    assert result_rows(fast) == result_rows(reference)
    assert fast.conforms == reference.conforms
    for outcome in (fast, reference):  # the spec's sh:conforms: no result at all
        assert (None, SH.conforms, Literal(not outcome.results)) in outcome.report
    return fast


def test_shipped_dataset():
    """The shipped dataset: same results (it conforms)."""
    assert assert_same(load_dataset()).conforms


def fixture_datasets() -> list:
    """The fixtures' datasets: those without named graphs in one batch, the others one by one."""
    fixtures = [load_fixture(p) for p in INVALID + VALID]
    together = [f for f in fixtures if not f.has_named_graphs]
    alone = [f for f in fixtures if f.has_named_graphs]
    return [
        pytest.param(lambda: with_context(*(f.data for f in together)), id="batch"),
        *(pytest.param(lambda f=f: with_context(f.data), id=f.name) for f in alone),
    ]


@pytest.mark.parametrize("make_dataset", fixture_datasets())
def test_shape_fixtures(make_dataset):
    """Every invalid and valid fixture: same results."""
    assert_same(make_dataset())


@pytest.fixture(scope="module")
def synthetic_dataset() -> Dataset:
    """A synthetic dataset of about 5k triples (ontology included)."""
    return synthetic.generate(5000, seed=3)


def test_synthetic_dataset(synthetic_dataset):
    """A synthetic dataset: same results."""
    assert_same(synthetic_dataset)


def instances(dataset: Dataset, cls: URIRef) -> list:
    """Return the instances of ``cls`` stated in the dataset's graphs, sorted."""
    return sorted({s for g in dataset.graphs() for s in g.subjects(RDF.type, cls)}, key=str)


def broken(dataset: Dataset) -> Dataset:
    """Return a copy of ``dataset`` with violations and warnings of many kinds injected."""
    copy = Dataset()
    for graph in dataset.graphs():
        target = copy.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
    facts = copy.graph(GRAPH["synthetic-broken"])  # a graph missing from the catalogue
    schools = instances(copy, IMT.EngineeringSchool)
    events = instances(copy, SCHEMA.Event)
    figures = instances(copy, IMT.Figure)
    school, other = schools[0], schools[1]
    for graph in copy.graphs():
        graph.remove((school, RDFS.label, None))  # no English label
    facts.add((other, RDFS.label, Literal("Second", lang="en")))  # two English labels
    facts.add((other, RDFS.label, Literal("Zweite", lang="de-AT")))
    facts.add((other, SCHEMA.foundingDate, Literal("20 May", datatype=XSD.date)))  # ill-typed
    facts.add((other, SCHEMA.foundingDate, Literal("1990", datatype=XSD.gYear)))  # 2 dates
    facts.add((other, IMT.hasSchools, school))  # undeclared property
    facts.add((other, SCHEMA.sameAs, URIRef("https://example.org/not-wikidata")))
    facts.add((other, IMT.composition, Literal("board", lang="it")))
    facts.add((other, SCHEMA.alternateName, school))  # a link where text is expected
    facts.add((school, SCHEMA.location, Literal("Brest")))  # a literal where a place is
    facts.add((school, IMT.partnerOf, ID["synthetic/nowhere"]))  # dangling, undeclared
    facts.add((ID["synthetic/Bad_IRI"], RDFS.label, Literal("Bad IRI", lang="en")))
    if events:
        facts.add((events[0], SCHEMA.startDate, Literal("2030-01-01", datatype=XSD.date)))
        facts.add((events[0], SCHEMA.endDate, Literal("2020-01-01", datatype=XSD.date)))
    for figure in figures[:2]:
        facts.add((figure, IMT.minValue, Literal("3.50", datatype=XSD.decimal)))
        facts.add((figure, IMT.maxValue, Literal(-2)))
    return copy


def test_broken_synthetic_dataset(synthetic_dataset):
    """A synthetic dataset with injected violations: same results, and it does not conform."""
    outcome = assert_same(broken(synthetic_dataset))
    assert not outcome.conforms
    components = {r.constraint_component for r in outcome.results}
    assert {
        SH.QualifiedMinCountConstraintComponent,
        SH.UniqueLangConstraintComponent,
        SH.DatatypeConstraintComponent,
        SH.SPARQLConstraintComponent,
        SH.PatternConstraintComponent,
    } <= components


def rule_shapes() -> Graph:
    """The shipped shapes plus a SHACL-AF rule (rules are not implemented by the engine)."""
    shapes = Graph()
    for triple in load_shapes():
        shapes.add(triple)
    rule = URIRef(str(IMTSH) + "PlaceRule")
    shapes.add((IMTSH.RulePlaceShape, RDF.type, SH.NodeShape))
    shapes.add((IMTSH.RulePlaceShape, SH.targetClass, SCHEMA.Place))
    shapes.add((IMTSH.RulePlaceShape, SH.rule, rule))
    shapes.add((rule, RDF.type, SH.SPARQLRule))
    construct = "CONSTRUCT { $this a $this } WHERE { FILTER (false) }"
    shapes.add((rule, SH.construct, Literal(construct)))
    return shapes


def test_unsupported_feature_is_named():
    """Compiling shapes with a rule names the feature."""
    with pytest.raises(UnsupportedFeature, match="sh:SPARQLRule"):
        compile_shapes(rule_shapes())


def test_component_typed_through_a_subclass_is_declined():
    """A constraint component typed with a subclass of sh:ConstraintComponent is declined, not
    silently ignored (W3C validator-001)."""
    shapes = rule_shapes()
    shapes.remove((None, SH.rule, None))
    shapes.remove((None, RDF.type, SH.SPARQLRule))
    kind, component = URIRef(str(IMTSH) + "MyComponents"), URIRef(str(IMTSH) + "MyComponent")
    shapes.add((kind, RDFS.subClassOf, SH.ConstraintComponent))
    shapes.add((component, RDF.type, kind))
    with pytest.raises(UnsupportedFeature, match="a subclass of sh:ConstraintComponent"):
        compile_shapes(shapes)


def test_unsupported_feature_falls_back_or_fails(caplog):
    """auto falls back to pyshacl (and logs why); oxigraph refuses, naming the feature."""
    fixture = with_context(load_fixture(VALID[0]).data)
    with caplog.at_level("INFO", logger="imtkg.shacl.validation"):
        outcome = validate_dataset(fixture, shapes=rule_shapes())
    assert outcome.engine == "pyshacl"
    assert "sh:SPARQLRule" in caplog.text
    with pytest.raises(EngineUnavailable, match="sh:SPARQLRule"):
        validate_dataset(fixture, shapes=rule_shapes(), engine="oxigraph")


def test_auto_uses_the_fast_engine_unless_inference():
    """auto picks Oxigraph for the shipped shapes, pyshacl with RDFS inference."""
    fixture = with_context(load_fixture(VALID[0]).data)
    assert validate_dataset(fixture).engine == "oxigraph"
    with pytest.raises(EngineUnavailable, match="inference"):
        validate_dataset(fixture, inference="rdfs", engine="oxigraph")


def test_validator_code_is_part_of_the_validation_cache_key(tmp_path, monkeypatch):
    """Editing any module of the shacl subpackage changes the key of cached SHACL outcomes."""
    from imtkg.core import code_digest
    from imtkg.shacl import outcome_cache

    copy = tmp_path / "imtkg"
    ignore = shutil.ignore_patterns("__pycache__", "static", "templates", "queries")
    shutil.copytree(code_digest.PACKAGE_DIR, copy, ignore=ignore)
    monkeypatch.setattr(code_digest, "PACKAGE_DIR", copy)
    key = outcome_cache.validation_key("digest")
    with (copy / "shacl" / "oxigraph_validator.py").open("a") as module:
        module.write("# edited\n")
    code_digest.forget()  # as the next start would
    assert outcome_cache.validation_key("digest") != key


def test_validate_command_engines_print_the_same_report():
    """imtkg validate --engine oxigraph|pyshacl print the same report of the shipped graph."""
    from click.testing import CliRunner

    from imtkg.cli import main

    outputs = {}
    for engine in ("oxigraph", "pyshacl"):
        result = CliRunner().invoke(main, ["validate", "--engine", engine])
        assert result.exit_code == 0, result.output
        outputs[engine] = result.output
    assert outputs["oxigraph"] == outputs["pyshacl"]


#: shapes with constraints the shipped shapes do not use (yet), each with a message
EXTRA_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://w3id.org/imt-kg/id/test/extra/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "thing"@en ;
    sh:property [ sh:path ex:score ; sh:minExclusive 0 ; sh:maxInclusive 10 ;
                  sh:message "score"@en ] ,
                [ sh:path ex:ratio ; sh:maxExclusive 1.0 ; sh:message "ratio"@en ] ,
                [ sh:path ex:code ; sh:minLength 2 ; sh:maxLength 4 ; sh:message "code"@en ] ,
                [ sh:path ex:kind ; sh:in ( ex:a ex:b "c" ) ; sh:message "kind"@en ] ,
                [ sh:path ( ex:part ex:code ) ; sh:pattern "^[A-Z]+$" ; sh:flags "i" ;
                  sh:message "part code"@en ] ,
                [ sh:path [ sh:zeroOrMorePath ex:part ] ; sh:not [ sh:class ex:Bad ] ;
                  sh:message "no bad part"@en ] .
"""
EXTRA_DATA = """
@prefix ex: <https://w3id.org/imt-kg/id/test/extra/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:one a ex:Thing ; ex:score 0, 5, 10, 11, "x", "7"^^xsd:decimal, "abc"^^xsd:integer ;
    ex:ratio 0.5, 1.0, "0.90"^^xsd:decimal ; ex:code "a", "ab", "abcde", 12, ex:c, [] ;
    ex:kind ex:a, ex:z, "c", "c"@en ; ex:part ex:p1, [ ex:code "xy" ] .
ex:p1 a ex:Bad ; ex:code "x1" ; ex:part ex:p2 .
ex:p2 a ex:Bad .
"""


def test_constraints_beyond_the_shipped_shapes():
    """Range, length, sh:in, sequence and closure paths, sh:not: same results as pyshacl."""
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    dataset = Dataset()
    dataset.default_graph.parse(data=EXTRA_DATA, format="turtle")
    fast = validate_dataset(dataset, shapes=shapes, engine="oxigraph")
    reference = validate_dataset(dataset, shapes=shapes, engine="pyshacl")
    assert result_rows(fast) == result_rows(reference)
    assert len({r.constraint_component for r in fast.results}) >= 8


def test_literals_oxigraph_cannot_tell_apart_fall_back():
    """1.0 and 1.00 are two terms for pyshacl, one for Oxigraph: auto falls back to pyshacl."""
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    dataset = Dataset()
    dataset.default_graph.parse(data=EXTRA_DATA, format="turtle")
    thing = URIRef(str(ID) + "test/extra/one")
    ratio = URIRef(str(ID) + "test/extra/ratio")
    dataset.default_graph.add((thing, ratio, Literal("1.00", datatype=XSD.decimal)))
    assert validate_dataset(dataset, shapes=shapes).engine == "pyshacl"
    with pytest.raises(EngineUnavailable, match="differ only in form"):
        validate_dataset(dataset, shapes=shapes, engine="oxigraph")


def test_sparql_oxigraph_cannot_parse_is_unsupported():
    """A SPARQL target in a syntax Oxigraph refuses is named, not an error at validation time."""
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    target = URIRef(str(ID) + "test/extra/target")
    shapes.add((IMTSH.ThingShape, SH.target, target))
    shapes.add((target, RDF.type, SH.SPARQLTarget))
    shapes.add((target, SH.select, Literal("SELECT ?this WHERE { ?this ?p ?o ")))
    with pytest.raises(UnsupportedFeature, match="cannot parse"):
        compile_shapes(shapes)


def test_iri_oxigraph_refuses_falls_back():
    """An IRI Oxigraph refuses (rdflib takes it): auto falls back to pyshacl."""
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    dataset = Dataset()
    dataset.default_graph.parse(data=EXTRA_DATA, format="turtle")
    thing = URIRef(str(ID) + "test/extra/one")
    kind = URIRef(str(ID) + "test/extra/kind")
    dataset.default_graph.add((thing, kind, URIRef("https://example.org/a{b}")))
    outcome = validate_dataset(dataset, shapes=shapes)
    assert outcome.engine == "pyshacl"
    assert any(r.value == URIRef("https://example.org/a{b}") for r in outcome.results)
    with pytest.raises(EngineUnavailable, match="refuses"):
        validate_dataset(dataset, shapes=shapes, engine="oxigraph")


def test_blank_node_label_n_quads_refuses_is_loaded_as_quads():
    """A blank node label N-Quads cannot write is loaded another way: same results."""
    from rdflib import BNode

    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    dataset = Dataset()
    dataset.default_graph.parse(data=EXTRA_DATA, format="turtle")
    thing = URIRef(str(ID) + "test/extra/one")
    code = URIRef(str(ID) + "test/extra/code")
    dataset.default_graph.add((thing, code, BNode("odd:label")))
    fast = validate_dataset(dataset, shapes=shapes, engine="oxigraph")
    reference = validate_dataset(dataset, shapes=shapes, engine="pyshacl")
    assert result_rows(fast) == result_rows(reference)
    assert any(r.value == BNode("odd:label") for r in fast.results)


PRE_BINDING = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Shape a sh:NodeShape ; sh:targetNode ex:a, ex:b ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE {
        FILTER NOT EXISTS { $this <http://www.w3.org/2000/01/rdf-schema#label> ?l } }\"\"\" ] .
ex:Warn a sh:NodeShape ; sh:targetNode ex:b ;
    sh:property [ sh:path rdfs:label ; sh:minCount 2 ; sh:severity sh:Warning ] .
"""


def test_this_is_pre_bound_not_joined():
    """$this is substituted (SHACL-SPARQL 5.3.1): ex:a has no label and is reported although
    another node has one; the shape has no sh:message and gets pyshacl's default wording."""
    from imtkg.shacl.validation import validate_graphs

    shapes = Graph().parse(data=PRE_BINDING, format="turtle")
    data = Graph().parse(
        data='<http://example.org/b> <http://www.w3.org/2000/01/rdf-schema#label> "b" .',
        format="turtle",
    )
    for engine in ("oxigraph", "pyshacl"):
        report, used = validate_graphs(data, shapes, engine=engine)
        assert used == engine
        focus = {report.value(r, SH.focusNode) for r in report.objects(None, SH.result)}
        assert focus == {URIRef("http://example.org/a"), URIRef("http://example.org/b")}
        assert (None, SH.conforms, Literal(False)) in report
    report, _ = validate_graphs(data, shapes, engine="oxigraph")
    messages = {str(m) for m in report.objects(None, SH.resultMessage)}
    assert messages == {"Less than 2 values on ex:b->rdfs:label"}


def test_warnings_only_report_does_not_conform_but_passes_the_gate():
    """A report with only a warning has sh:conforms false (the spec); the project's gate
    (outcome.conforms, exit status 0) still lets it pass."""
    shapes = Graph().parse(data=PRE_BINDING, format="turtle")
    shapes.remove((None, SH.sparql, None))
    dataset = Dataset()
    dataset.default_graph.parse(
        data='<http://example.org/b> <http://www.w3.org/2000/01/rdf-schema#label> "b" .',
        format="turtle",
    )
    for engine in ("oxigraph", "pyshacl"):
        outcome = validate_dataset(dataset, shapes=shapes, ontology=Graph(), engine=engine)
        assert outcome.conforms and outcome.warnings == 1
        assert (None, SH.conforms, Literal(False)) in outcome.report
