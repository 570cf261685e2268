"""Helpers of the SHACL tests: W3C-style fixtures (data and expected results), run in batches.

A fixture of ``tests/shapes/{valid,invalid}/`` is a TriG file: its data is the default graph
(and, for fixtures about the catalogue of named graphs, named graphs), its expected results are
``sh:ValidationResult`` nodes in the graph ``<urn:x-imtkg-test:expected>`` (focus node, path,
value when there is one, constraint component, source shape, severity). Every fixture is
validated with ``tests/shapes/context.ttl`` and the shipped ontology.

Fixtures without named graphs are validated together in one run (a validation costs seconds,
whatever its size); each result is then attributed to the fixture whose data has its focus node
as a subject.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF
from rdflib.term import Node

from imtkg.core.namespaces import SH
from imtkg.rdf.reading import parse_quads_file
from imtkg.shacl.property_paths import path_text
from imtkg.shacl.results import ValidationResult
from imtkg.shacl.validation import ValidationOutcome, validate_dataset

SHAPES_TESTS = Path(__file__).resolve().parent / "shapes"
CONTEXT = SHAPES_TESTS / "context.ttl"
VALID = sorted((SHAPES_TESTS / "valid").glob("*.trig"))
INVALID = sorted((SHAPES_TESTS / "invalid").glob("*.trig"))
EXPECTED_GRAPH = URIRef("urn:x-imtkg-test:expected")

#: (focus node, path, value or None, constraint component, source shape, severity)
ResultKey = tuple[Node, str | None, Node | None, Node, Node, Node]


@dataclass
class Fixture:
    """One fixture file: its data, the subjects it describes and the results it expects."""

    path: Path
    data: Dataset
    subjects: frozenset[Node]
    expected: Counter

    @property
    def name(self) -> str:
        """The fixture's file name, for test ids and messages."""
        return self.path.name

    @property
    def has_named_graphs(self) -> bool:
        """Tell whether the data has named graphs (then it is validated as its own dataset)."""
        return any(
            isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
            for g in self.data.graphs()
        )


def copy_graph(graph: Graph, dataset: Dataset) -> None:
    """Add the triples of ``graph`` to the graph of the same name in ``dataset``."""
    target = (
        dataset.default_graph
        if graph.identifier == DATASET_DEFAULT_GRAPH_ID
        else dataset.graph(graph.identifier)
    )
    for triple in graph:
        target.add(triple)


def load_fixture(path: Path) -> Fixture:
    """Parse a fixture: its data graphs and its expected results."""
    parsed = parse_quads_file(path, Dataset(), "trig")
    expected_graph = parsed.graph(EXPECTED_GRAPH)
    data = Dataset()
    for graph in parsed.graphs():
        if graph.identifier == EXPECTED_GRAPH or not len(graph):
            continue
        copy_graph(graph, data)
    subjects = frozenset(s for g in data.graphs() for s in g.subjects())
    return Fixture(path, data, subjects, expected_results(expected_graph))


def expected_results(graph: Graph) -> Counter:
    """Return the results a fixture's expected graph lists, as comparable keys."""
    keys = Counter()
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        path = graph.value(node, SH.resultPath)
        keys[
            (
                graph.value(node, SH.focusNode),
                path_text(graph, path) if path is not None else None,
                graph.value(node, SH.value),
                graph.value(node, SH.sourceConstraintComponent),
                graph.value(node, SH.sourceShape),
                graph.value(node, SH.resultSeverity),
            )
        ] += 1
    return keys


def result_key(result: ValidationResult) -> ResultKey:
    """Return the comparable key of an actual result (a value equal to the focus is left out)."""
    value = None if result.value == result.focus_node else result.value
    severity = SH[result.severity]
    return (
        result.focus_node,
        result.path,
        value,
        result.constraint_component,
        result.source_shape,
        severity,
    )


def with_context(*datasets: Dataset) -> Dataset:
    """Return one dataset: the context and the given data, graph by graph."""
    combined = Dataset()
    combined.default_graph.parse(CONTEXT, format="turtle")
    for dataset in datasets:
        for graph in dataset.graphs():
            copy_graph(graph, combined)
    return combined


@dataclass
class Batch:
    """Fixtures validated together, and the results attributed to each of them."""

    outcome: ValidationOutcome
    by_fixture: dict[str, Counter]
    unattributed: list[ValidationResult]


def validate_batch(fixtures: list[Fixture]) -> Batch:
    """Validate fixtures: those with named graphs one by one, the others all together."""
    by_fixture: dict[str, Counter] = {f.name: Counter() for f in fixtures}
    unattributed: list[ValidationResult] = []
    together = [f for f in fixtures if not f.has_named_graphs]
    outcome = validate_dataset(with_context(*(f.data for f in together)))
    for result in outcome.results:
        owners = [f for f in together if result.focus_node in f.subjects]
        if len(owners) == 1:
            by_fixture[owners[0].name][result_key(result)] += 1
        else:
            unattributed.append(result)
    for fixture in fixtures:
        if fixture.has_named_graphs:
            alone = validate_dataset(with_context(fixture.data))
            by_fixture[fixture.name] = Counter(result_key(r) for r in alone.results)
    return Batch(outcome, by_fixture, unattributed)
