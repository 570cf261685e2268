"""SHACL shapes: documented, covering every class with instances, each shape with a failing fixture.

Invalid fixtures produce exactly the results they list (focus node, path, value, constraint
component, source shape, severity), valid fixtures none, and the shipped graph no violation.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from shapes_support import (
    CONTEXT,
    INVALID,
    VALID,
    load_fixture,
    validate_batch,
    with_context,
)

from imtkg.core.namespaces import GRAPH, ONTOLOGY_GRAPH, SH
from imtkg.data.dataset import load_dataset
from imtkg.shacl.results import IMTSH
from imtkg.shacl.shapes_loading import load_shapes, shapes_files
from imtkg.shacl.validation import validate_dataset

#: predicates of a shape that are not constraints (documentation, targets, structure)
NOT_CONSTRAINTS = {
    RDF.type, RDFS.label, RDFS.comment, RDFS.isDefinedBy, SH.name, SH.description, SH.message,
    SH.severity, SH.path, SH.property, SH.targetClass, SH.target, SH.targetNode,
    SH.targetObjectsOf, SH.targetSubjectsOf, SH.deactivated, SH.order, SH.group,
}  # fmt: skip


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The shipped shapes graph (every file of shapes/)."""
    return load_shapes()


@pytest.fixture(scope="module")
def invalid_batch():
    """Every invalid fixture validated (one run for those without named graphs)."""
    return validate_batch([load_fixture(p) for p in INVALID])


@pytest.fixture(scope="module")
def valid_batch():
    """Every valid fixture validated (one run for those without named graphs)."""
    return validate_batch([load_fixture(p) for p in VALID])


def shape_iris(shapes: Graph) -> set[URIRef]:
    """Return the node and property shapes named by an IRI."""
    return {
        s
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }


def has_own_constraints(shapes: Graph, shape: URIRef) -> bool:
    """Tell whether a shape has constraint parameters of its own (not only sh:property)."""
    return any(p not in NOT_CONSTRAINTS for p in shapes.predicates(shape))


# -- The shapes themselves -------------------------------------------------------------------


@pytest.mark.parametrize("path", shapes_files(), ids=lambda p: p.name)
def test_every_shapes_file_has_a_metadata_header(path):
    """Each shapes file describes itself: English and French titles, version, SHACL conformance."""
    graph = Graph().parse(path, format="turtle")
    header = URIRef(f"https://w3id.org/imt-kg/shapes/{path.stem}")
    assert (header, RDF.type, OWL.Ontology) in graph
    titles = {t.language for t in graph.objects(header, DCTERMS.title)}
    assert titles == {"en", "fr"}
    assert graph.value(header, OWL.versionInfo) == Literal("0.1.0")
    assert (header, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/shacl/")) in graph
    assert (header, DCTERMS.isPartOf, URIRef("https://w3id.org/imt-kg/shapes")) in graph


def test_the_split_of_severities_follows_the_files(shapes):
    """core/ranges/sparql hold violations only; recommended.ttl holds warnings only."""
    for path in shapes_files():
        defined = URIRef(f"https://w3id.org/imt-kg/shapes/{path.stem}")
        severities = {
            shapes.value(s, SH.severity)
            for s in shapes.subjects(RDFS.isDefinedBy, defined)
            if shapes.value(s, SH.severity) is not None
        }
        expected = {SH.Warning} if path.stem == "recommended" else {SH.Violation}
        assert severities == expected, path.name


def test_every_property_shape_is_documented(shapes):
    """Each property shape has a path, English name and description, an English and a French
    message, and an explicit severity."""
    property_shapes = [s for s in shape_iris(shapes) if (s, RDF.type, SH.PropertyShape) in shapes]
    assert len(property_shapes) > 150
    for shape in property_shapes:
        assert shapes.value(shape, SH.path) is not None, shape
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape
        for predicate in (SH.name, SH.description):
            languages = {o.language for o in shapes.objects(shape, predicate)}
            assert "en" in languages, (shape, predicate)
        assert {o.language for o in shapes.objects(shape, SH.message)} == {"en", "fr"}, shape


def test_property_shape_iris_are_named_after_their_node_shape(shapes):
    """Every property shape is ``imtsh:<NodeShape>-<name>`` and attached to that node shape."""
    for node, shape in shapes.subject_objects(SH.property):
        if isinstance(shape, URIRef):
            assert str(shape).startswith(str(node) + "-"), (node, shape)


def test_every_class_with_instances_has_a_shape_targeting_it(shapes):
    """Every class used as rdf:type in graph/*.ttl is the sh:targetClass of a node shape."""
    dataset = load_dataset()
    typed = {
        cls
        for graph in dataset.graphs()
        if graph.identifier not in (ONTOLOGY_GRAPH,) and len(graph)
        for cls in graph.objects(None, RDF.type)
    }
    targeted = set(shapes.objects(None, SH.targetClass))
    assert len(typed) > 40
    assert sorted(typed - targeted) == []


def test_every_shape_has_a_failing_fixture(shapes):
    """Every shape with a constraint of its own is the source of an expected result of an
    invalid fixture; a shape used only through sh:node is covered by its users' results."""
    expected = Counter()
    for path in INVALID:
        expected.update(load_fixture(path).expected)
    sources = {key[4] for key in expected}
    node_users = {key[4] for key in expected if key[3] == SH.NodeConstraintComponent}
    uncovered = []
    for shape in sorted(shape_iris(shapes)):
        if not has_own_constraints(shapes, shape) or shape in sources:
            continue
        users = set(shapes.subjects(SH.node, shape))
        if users and users <= node_users:
            continue
        uncovered.append(shape)
    assert uncovered == []
    # node shapes with only property shapes are covered through them
    for node in {s for s in shape_iris(shapes) if (s, RDF.type, SH.NodeShape) in shapes}:
        parts = set(shapes.objects(node, SH.property)) | {node}
        assert parts & sources or not shapes.value(node, SH.property), node


# -- Fixtures --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_gives_exactly_its_expected_results(invalid_batch, path):
    """The fixture's data gives exactly the results its expected graph lists."""
    fixture = load_fixture(path)
    assert fixture.expected, "an invalid fixture lists its expected results"
    assert invalid_batch.by_fixture[path.name] == fixture.expected


def test_invalid_fixtures_give_no_result_outside_their_data(invalid_batch):
    """No result falls on the context or on two fixtures at once."""
    assert invalid_batch.unattributed == []


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_fixture_gives_no_result(valid_batch, path):
    """A valid fixture conforms with no violation and no warning."""
    assert valid_batch.by_fixture[path.name] == Counter()


def test_valid_fixtures_and_context_give_no_result_at_all(valid_batch):
    """The context and the valid fixtures, validated together, give no result."""
    assert valid_batch.outcome.results == []
    assert valid_batch.outcome.conforms is True


def test_graph_missing_from_the_catalogue_is_named_with_its_file():
    """A named graph not in graph:sources is reported on the graph itself, with its file."""
    fixture = load_fixture(next(p for p in INVALID if p.name == "catalogue.trig"))
    uncatalogued = GRAPH["test-uncatalogued"]
    outcome = validate_dataset(
        with_context(fixture.data), origins={uncatalogued: "graph/test-uncatalogued.ttl"}
    )
    assert outcome.conforms is False
    assert outcome.graphs == [GRAPH["test-uncatalogued"], GRAPH["test-underived"]]
    on_graph = [r for r in outcome.results if r.focus_node == uncatalogued]
    origin = ((uncatalogued,), ("graph/test-uncatalogued.ttl",))
    assert [(r.source_shape, (r.graphs, r.files)) for r in on_graph] == [
        (IMTSH.NamedGraphShape, origin),
        (IMTSH["NamedGraphShape-wasDerivedFrom"], origin),
    ]
    assert on_graph[0].message == (
        "The named graph is not in the catalogue: describe it in graph/sources.ttl as an "
        "imt:SourceGraph (or, for a graph the project writes itself, an imt:ProjectGraph)."
    )


# -- The validator ---------------------------------------------------------------------------


def test_results_say_which_graph_states_the_offending_triple():
    """A result on a triple names the named graph that states it, not the others."""
    fixture = load_fixture(next(p for p in INVALID if p.name == "figures.trig"))
    dataset = with_context()
    dataset.graph(GRAPH["test-figures"]).parse(
        data=fixture.data.default_graph.serialize(format="turtle"), format="turtle"
    )
    outcome = validate_dataset(dataset)
    integer = next(r for r in outcome.results if r.source_shape == IMTSH["FigureShape-value"])
    assert integer.graphs == (GRAPH["test-figures"],)
    assert integer.focus_label == "Integer"
    assert integer.message == (
        'A figure has at most one imt:value, an xsd:decimal: write 30.0, not 30 or "30".'
    )


def test_validation_does_not_change_the_dataset():
    """Validating copies the data: the dataset keeps exactly its triples."""
    dataset = with_context(load_fixture(INVALID[0]).data)
    before = {(g.identifier, t) for g in dataset.graphs() for t in g}
    validate_dataset(dataset)
    assert {(g.identifier, t) for g in dataset.graphs() for t in g} == before


def test_unknown_inference_mode_is_refused():
    """Only the inference modes the validator documents are accepted."""
    with pytest.raises(ValueError, match="inference must be one of"):
        validate_dataset(with_context(), inference="owlrl")


def test_context_file_is_shared_by_every_fixture():
    """The context exists and describes the resources the fixtures link to."""
    context = Graph().parse(CONTEXT, format="turtle")
    ctx = "https://w3id.org/imt-kg/id/test/context/"
    assert {str(s)[len(ctx):] for s in context.subjects(RDF.type, None)} == {
        "group", "school", "person", "place", "source", "goal", "instant", "interval", "figure",
    }  # fmt: skip


def test_shipped_graph_has_no_violation(kg):
    """The shipped graph conforms: no sh:Violation (warnings are listed in the report)."""
    outcome = validate_dataset(kg.dataset)
    assert [r for r in outcome.results if r.severity == "Violation"] == [], outcome.text
    assert outcome.conforms is True
