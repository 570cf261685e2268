"""SHACL validation of the knowledge graph: the shapes, the data graph, the outcome.

:func:`validate_dataset` validates a dataset (the shipped one, files given to ``imtkg validate`` or
a request body of ``POST /shacl``) against the shapes of ``shapes/``:

* the data graph is the union of the dataset's asserted graphs (not ``graph:inferred``) and of
  the ontology, whose controlled lists (SKOS concepts) the data links to; the ontology is also
  pyshacl's ``ont_graph``, so that ``sh:class`` and ``sh:targetClass`` see subclass typing
  without RDFS entailment of the data;
* the dataset's named graphs of facts are described in the data graph with
  ``sd:namedGraph``/``sd:name``, so that ``imtsh:NamedGraphShape`` can require each of them to be
  in the ``graph:sources`` catalogue;
* the project's gate, :attr:`ValidationOutcome.conforms`, means no ``sh:Violation`` (warnings
  are allowed: they do not fail ``imtkg validate``), while every ``sh:ValidationReport`` the
  project writes has the spec's ``sh:conforms``: true only when there is no result at all; each
  result says which named graph (and file) states the triple it is about.

Two validators produce the same results: the Oxigraph engine (:mod:`imtkg.shacl.oxigraph_validator`,
the shapes compiled to SPARQL by :mod:`imtkg.shacl.compiled_shapes`), used by default, and pyshacl,
the reference, used when the shapes need a feature the engine does not implement or with ``rdfs``
inference.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, SD, SH
from imtkg.core.paths import resource_dir, turtle_files
from imtkg.data.dataset import ontology_files
from imtkg.rdf.reading import parse_file
from imtkg.shacl.report import ValidationOutcome
from imtkg.shacl.results import REPORT_PREFIXES, ValidationResult, short

#: the catalogue graph: it describes the other graphs, so it is not itself derived from a document
SOURCES_GRAPH = GRAPH["sources"]

#: pyshacl inference modes the validator accepts (see :func:`validate_dataset`)
INFERENCE_MODES = ("none", "rdfs")

#: validators :func:`validate_dataset` can use
ENGINES = ("auto", "oxigraph", "pyshacl")

#: id of a shapes graph -> (the graph, its size, its compiled shapes)
_COMPILED: dict[int, tuple] = {}

log = logging.getLogger(__name__)

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

_NOT_DATA = frozenset({ONTOLOGY_GRAPH, INFERRED_GRAPH})


class ShapesError(ImtKgError):
    """The shapes themselves are wrong (pyshacl cannot use them); the data was not validated."""


class EngineUnavailable(ImtKgError):
    """The Oxigraph engine was asked for, but the shapes use a feature it does not implement."""


class ValidationFailed(ImtKgError):
    """The validator stopped on the data instead of reporting on it; it was not validated."""


def shapes_files(shapes_dir: Path | None = None) -> list[Path]:
    """Return the shapes' Turtle files (the shipped ones by default)."""
    return turtle_files(shapes_dir or resource_dir("shapes"))


@lru_cache(maxsize=4)
def _load_shapes(paths: tuple[Path, ...]) -> Graph:
    shapes = Graph()
    for path in paths:
        parse_file(path, shapes)
    return shapes


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """Return the shapes graph: every ``.ttl`` file of ``shapes_dir`` (``shapes/`` by default).

    The graph is parsed once per folder and shared: do not modify it.

    :raises InputError: when a shapes file cannot be parsed.
    """
    return _load_shapes(tuple(shapes_files(shapes_dir)))


@lru_cache(maxsize=1)
def shipped_ontology() -> Graph:
    """Return the shipped ontology (parsed once; do not modify it)."""
    ontology = Graph()
    for path in ontology_files():
        parse_file(path, ontology)
    return ontology


def graphs_of_facts(dataset: Dataset) -> list[URIRef]:
    """Return the named graphs that must be in the catalogue (not ontology, inferred, sources)."""
    return sorted(
        g.identifier
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef)
        and g.identifier not in _NOT_DATA
        and g.identifier not in (SOURCES_GRAPH, DATASET_DEFAULT_GRAPH_ID)
        and len(g)
    )


def data_graph(dataset: Dataset, ontology: Graph | None = None) -> Graph:
    """Return the graph pyshacl validates: the asserted triples and a description of the graphs.

    Every graph but ``graph:ontology`` and ``graph:inferred`` is copied (the default graph too:
    a request body in a triple format lands there), and so is ``ontology``: pyshacl only copies
    the RDFS/OWL axioms of its ``ont_graph`` into the data, while the data links to the SKOS
    concepts of the ontology's controlled lists, which must be there to be checked. The dataset
    itself is not changed.
    """
    data = Graph()
    for triple in data_triples(dataset, ontology):
        data.add(triple)
    return data


def data_triples(dataset: Dataset, ontology: Graph | None = None) -> Iterator[tuple]:
    """Yield the triples of :func:`data_graph` (some more than once), without building it."""
    for graph in dataset.graphs():
        if graph.identifier not in _NOT_DATA:
            yield from graph
    yield from ontology if ontology is not None else ()
    described = BNode()
    yield (described, RDF.type, SD.Dataset)
    for name in graphs_of_facts(dataset):
        entry = BNode()
        yield (described, SD.namedGraph, entry)
        yield (entry, SD.name, name)


class _AssertedView:
    """The asserted triples of a dataset about a node, for labels, without a copy of the data."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """Yield the objects of ``subject`` and ``predicate`` in the data's graphs."""
        for _, _, obj, context in self.dataset.quads((subject, predicate, None, None)):
            if getattr(context, "identifier", context) not in _NOT_DATA:
                yield obj


def ontology_of(dataset: Dataset) -> Graph:
    """Return the dataset's ``graph:ontology``, or the shipped ontology when it has none."""
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    return ontology if len(ontology) else shipped_ontology()


def validate_dataset(
    dataset: Dataset,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    origins: Mapping[URIRef, str] | None = None,
    inference: str = "none",
    engine: str = "auto",
) -> ValidationOutcome:
    """Validate ``dataset`` against the shapes and return what was found.

    :param shapes: the shapes graph; the shipped shapes by default.
    :param ontology: pyshacl's ontology graph; the dataset's ``graph:ontology`` by default (the
        shipped ontology if the dataset has none).
    :param origins: named-graph IRI -> the file it was loaded from, to name files in results.
    :param inference: ``none`` (the default: subclass typing already counts through the ontology
        graph) or ``rdfs`` (RDFS entailment of the data first; see the report of issue 3).
    :param engine: ``auto`` (the default) validates with the Oxigraph engine
        (:mod:`imtkg.shacl.oxigraph_validator`) when the shapes only use what it implements and
        inference is ``none``, else with pyshacl (logging why); ``oxigraph`` and ``pyshacl`` force
        one.
    :raises EngineUnavailable: ``engine="oxigraph"`` with shapes, data or inference it cannot do.
    :raises ShapesError: shapes whose SPARQL must not run (``SERVICE``, ``FROM``, ``MINUS``...).
    """
    if inference not in INFERENCE_MODES:
        raise ValueError(f"inference must be one of {INFERENCE_MODES}, not {inference!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    started = time.monotonic()
    shapes = load_shapes() if shapes is None else shapes
    _refuse_unsafe(shapes)
    ontology = ontology_of(dataset) if ontology is None else ontology
    report, used, data = None, "pyshacl", None
    if engine != "pyshacl":
        report = _fast_report(dataset, ontology, shapes, inference, forced=engine == "oxigraph")
        if report is not None:
            used, data = "oxigraph", _AssertedView(dataset)
    if report is None:
        data = data_graph(dataset, ontology)
        report = _pyshacl_report(data, shapes, ontology, inference)
    outcome = outcome_of(report, shapes, data, ontology, dataset, origins or {})
    outcome.seconds = time.monotonic() - started
    outcome.inference = inference
    outcome.engine = used
    return outcome


def _fast_report(
    dataset: Dataset, ontology: Graph, shapes: Graph, inference: str, forced: bool
) -> Graph | None:
    """Return the Oxigraph engine's report, or ``None`` (logged) when it cannot validate this.

    The engine loads :func:`data_triples`, the very triples of the graph pyshacl validates.
    """
    from imtkg.shacl.compiled_shapes import UnsupportedFeature
    from imtkg.shacl.oxigraph_validator import validate_graph

    try:
        if inference != "none":
            raise UnsupportedFeature(f"inference {inference!r}")
        return validate_graph(data_triples(dataset, ontology), compiled_shapes(shapes), shapes)
    except UnsupportedFeature as exc:
        if forced:
            raise EngineUnavailable(f"the oxigraph engine cannot validate this: {exc}") from exc
        log.info("validating with pyshacl: the oxigraph engine does not implement %s", exc)
        return None
    except (OSError, ValueError) as exc:  # a query Oxigraph stops on
        raise ValidationFailed(f"the validator stopped on this data ({exc})") from exc


def validate_graphs(data: Graph, shapes: Graph, engine: str = "auto") -> tuple[Graph, str]:
    """Validate ``data`` against ``shapes`` only (no ontology, no inference); return the report
    (``sh:conforms`` as the spec says: no result at all) and the engine that wrote it.

    :param engine: ``auto`` (the Oxigraph engine, else pyshacl), ``oxigraph`` or ``pyshacl``.
    :raises ShapesError: shapes that must be refused (``SERVICE``, ``MINUS``...: see
        :func:`imtkg.shacl.compiled_shapes.refuse_unsafe`) or that pyshacl cannot use.
    :raises EngineUnavailable: ``engine="oxigraph"`` with shapes or data it cannot do.
    """
    from imtkg.shacl.compiled_shapes import UnsupportedFeature
    from imtkg.shacl.oxigraph_validator import validate_graph

    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    _refuse_unsafe(shapes)
    if engine != "pyshacl":
        try:
            return validate_graph(data, compiled_shapes(shapes), shapes), "oxigraph"
        except UnsupportedFeature as exc:
            if engine == "oxigraph":
                raise EngineUnavailable(f"the oxigraph engine cannot validate this: {exc}") from exc
            log.info("validating with pyshacl: the oxigraph engine does not implement %s", exc)
    report = _pyshacl_report(data, shapes, Graph(), "none")
    _set_conforms(report, (None, SH.result, None) not in report)
    return report, "pyshacl"


def _refuse_unsafe(shapes: Graph) -> None:
    """Refuse shapes whose SPARQL must not run (before either engine runs anything)."""
    from imtkg.shacl.compiled_shapes import InvalidShapes, refuse_unsafe

    try:
        refuse_unsafe(shapes)
    except InvalidShapes as exc:
        raise ShapesError(f"the shapes cannot be used: {exc}") from exc


def compiled_shapes(shapes: Graph):
    """Return ``shapes`` compiled for the Oxigraph engine (cached for the shared shapes graph).

    :raises UnsupportedFeature: naming a SHACL feature the engine does not implement.
    """
    from imtkg.shacl.compiled_shapes import compile_shapes

    cached = _COMPILED.get(id(shapes))
    if cached is not None and cached[0] is shapes and cached[1] == len(shapes):
        return cached[2]
    compiled = compile_shapes(shapes)
    if shapes is load_shapes():
        _COMPILED[id(shapes)] = (shapes, len(shapes), compiled)
    return compiled


def _pyshacl_report(data: Graph, shapes: Graph, ontology: Graph, inference: str) -> Graph:
    """Return pyshacl's report on ``data``."""
    from pyshacl import validate  # imported here: ~0.5 s that a warm server start never needs

    try:
        _, report, text = validate(
            data,
            shacl_graph=_copy(shapes),
            ont_graph=ontology,
            inference=inference,
            advanced=True,  # SPARQL-based targets (SHACL-AF) select the data namespace
            allow_warnings=True,
            abort_on_first=False,
            meta_shacl=False,
        )
    except Exception as exc:  # noqa: BLE001 - whatever pyshacl trips on, say so plainly
        raise ValidationFailed(
            f"the validator stopped on this data ({type(exc).__name__}: {exc}); "
            "check its literals against their datatypes"
        ) from exc
    if not isinstance(report, Graph):  # pyshacl answers a ValidationFailure for unusable shapes
        raise ShapesError(f"the shapes cannot be used: {text.strip()}")
    return report


def outcome_of(
    report: Graph,
    shapes: Graph,
    data: Graph | _AssertedView,
    ontology: Graph,
    dataset: Dataset,
    origins: Mapping[URIRef, str],
) -> ValidationOutcome:
    """Read a standard SHACL report (of either engine) into a :class:`ValidationOutcome`.

    Results are located in the dataset's named graphs and sorted; the outcome's ``conforms`` is
    the project's gate (no violation), the report's ``sh:conforms`` the spec's (no result at
    all); the report gets the project's prefixes.
    """
    results = _read_results(report, shapes, data, ontology)
    located = [_locate(r, dataset, origins) for r in results]
    located.sort(key=_sort_key)
    conforms = not any(r.severity == "Violation" for r in located)
    _set_conforms(report, not located)
    for prefix, namespace in REPORT_PREFIXES.items():
        report.bind(prefix, namespace, replace=True)
    return ValidationOutcome(
        conforms=conforms, results=located, report=report, graphs=graphs_of_facts(dataset)
    )


def _copy(graph: Graph) -> Graph:
    """Return a copy of ``graph``: pyshacl adds axioms to the shapes graph it is given, and the
    shared one is read by concurrent requests."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _set_conforms(report: Graph, conforms: bool) -> None:
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))


def _sort_key(result: ValidationResult) -> tuple:
    return (
        _SEVERITY_ORDER.get(result.severity, 3),
        str(result.focus_node),
        result.path or "",
        str(result.value or ""),
        str(result.source_shape),
    )


def _read_results(
    report: Graph, shapes: Graph, data: Graph, ontology: Graph
) -> list[ValidationResult]:
    """Read the results of a pyshacl report (the report's ``sh:result``s, not their details)."""
    results = []
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        path_node = report.value(node, SH.resultPath)
        path_graph = (
            report if path_node is not None and (path_node, None, None) in report else shapes
        )
        severity = report.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                focus_node=focus,
                focus_label=label_of(focus, data, ontology),
                path=path_text(path_graph, path_node) if path_node is not None else None,
                value=report.value(node, SH.value),
                message=_message(
                    list(report.objects(node, SH.resultMessage)),
                    _templates(shapes, report.value(node, SH.sourceConstraint), node, report),
                ),
                severity=SEVERITY_NAMES.get(severity, str(severity)),
                source_shape=report.value(node, SH.sourceShape),
                constraint_component=report.value(node, SH.sourceConstraintComponent),
            )
        )
    return results


def _templates(shapes: Graph, constraint: Node | None, node: Node, report: Graph) -> list[str]:
    """Return the English ``sh:message`` templates that may have produced a result's message."""
    sources = [constraint, report.value(node, SH.sourceShape)]
    return [
        str(m)
        for source in sources
        if source is not None
        for m in shapes.objects(source, SH.message)
        if isinstance(m, Literal) and m.language == "en"
    ]


def _message(messages: list[Node], templates: list[str]) -> str:
    """Return a result's English message, with prefixed names instead of full IRIs.

    pyshacl drops the language of the messages of SHACL-SPARQL constraints (whose ``{?var}``
    it fills in with full IRIs): the English one is the one that matches an English template.
    """
    texts = [m for m in messages if isinstance(m, Literal)]
    english = [str(m) for m in texts if m.language == "en"]
    if not english:
        patterns = [_template_pattern(t) for t in templates]
        english = [str(m) for m in texts if any(p.fullmatch(str(m)) for p in patterns)]
    found = sorted(english) or sorted(str(m) for m in texts)
    return _IRI_IN_TEXT.sub(lambda m: short(URIRef(m.group(0))), found[0]) if found else ""


#: an absolute http(s) IRI inside a message (up to a space, or a comma or colon before a space)
_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"]+?(?=[,.:;)]?(\s|$))")


def _template_pattern(template: str) -> re.Pattern[str]:
    """Return a pattern matching a message template with its ``{?var}``/``{$var}`` filled in."""
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.compile("(?s)" + ".+?".join(re.escape(p) for p in parts))


def label_of(node: Node | None, *graphs: Graph) -> str | None:
    """Return the label of ``node``: English ``rdfs:label`` first, then any label or prefLabel."""
    if node is None:
        return None
    labels: list[Literal] = []
    for graph in graphs:
        for predicate in (RDFS.label, SKOS.prefLabel):
            labels += [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    if not labels:
        return None
    english = sorted(str(label) for label in labels if label.language == "en")
    return english[0] if english else sorted(str(label) for label in labels)[0]


def path_text(graph: Graph, path: Node) -> str:
    """Render a SHACL property path in SPARQL property-path syntax (``^a``, ``a/b``, ``(a|b)``)."""
    if isinstance(path, URIRef):
        return short(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _grouped(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return _grouped(graph, inner) + suffix
    if graph.value(path, RDF.first) is not None:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    return short(path)


def _grouped(graph: Graph, path: Node) -> str:
    text = path_text(graph, path)
    return text if isinstance(path, URIRef) or text.startswith("(") else f"({text})"


def _locate(
    result: ValidationResult, dataset: Dataset, origins: Mapping[URIRef, str]
) -> ValidationResult:
    """Add to ``result`` the named graphs (and files) where the problem is stated."""
    graphs = origin_graphs(dataset, result.focus_node, result.path, result.value)
    files = tuple(dict.fromkeys(origins[g] for g in graphs if g in origins))
    return ValidationResult(**{**result.__dict__, "graphs": graphs, "files": files})


def origin_graphs(
    dataset: Dataset, focus: Node, path: str | None, value: Node | None
) -> tuple[URIRef, ...]:
    """Return the graphs that state the triple of a result, else those that describe its focus.

    The default graph counts (``DATASET_DEFAULT_GRAPH_ID``: a request body in a triple format);
    a named graph given as focus node (a graph missing from the catalogue) is its own origin.
    """
    predicate = _expand(path) if path and value is not None else None
    found: list[URIRef] = []
    if predicate is not None:
        inverse = path.startswith("^")
        triple = (value, predicate, focus) if inverse else (focus, predicate, value)
        found = _graphs_matching(dataset, triple)
    if not found:
        found = _graphs_matching(dataset, (focus, RDF.type, None)) or _graphs_matching(
            dataset, (focus, None, None)
        )
    if not found and any(g.identifier == focus for g in dataset.graphs()):
        found = [focus]
    return tuple(sorted(set(found), key=str))


def _graphs_matching(dataset: Dataset, pattern: tuple) -> list[URIRef]:
    """Return the graphs (not graph:inferred) with a triple matching ``pattern``.

    The default graph counts (``DATASET_DEFAULT_GRAPH_ID``); one look-up in the dataset's
    indexes, not one per graph.
    """
    found = []
    for *_, context in dataset.quads((*pattern, None)):
        name = getattr(context, "identifier", context)
        if name != INFERRED_GRAPH and isinstance(name, URIRef):
            found.append(name)
    return list(dict.fromkeys(found))


def _expand(path: str) -> URIRef | None:
    """Return the IRI of a one-step path (``imt:value`` or ``^org:hasUnit``), else ``None``."""
    text = path.removeprefix("^")
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in REPORT_PREFIXES or any(c in local for c in "/|()*+?^"):
        return None
    return URIRef(REPORT_PREFIXES[prefix] + local)
