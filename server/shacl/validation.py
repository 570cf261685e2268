"""SHACL validation of the knowledge graph: which validator runs, on what, and what it found.

:func:`validate_dataset` validates a dataset (the shipped one, files given to ``imtkg validate`` or
a request body of ``POST /shacl``) against the shapes of ``shapes/``
(:mod:`imtkg.shacl.shapes_loading`): the data graph is assembled by
:mod:`imtkg.shacl.data_graph`, the report is read into a :class:`ValidationOutcome` by
:mod:`imtkg.shacl.report_reading`. The project's gate, :attr:`ValidationOutcome.conforms`, means
no ``sh:Violation`` (warnings are allowed: they do not fail ``imtkg validate``), while every
``sh:ValidationReport`` the project writes has the spec's ``sh:conforms``: true only when there is
no result at all; each result says which named graph (and file) states the triple it is about.

Two validators produce the same results: the Oxigraph engine (:mod:`imtkg.shacl.oxigraph_validator`,
the shapes compiled to SPARQL by :mod:`imtkg.shacl.compiled_shapes`), used by default, and pyshacl,
the reference, used when the shapes need a feature the engine does not implement or with ``rdfs``
inference.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef

from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import SH
from imtkg.shacl.data_graph import (
    SOURCES_GRAPH,
    AssertedView,
    data_graph,
    data_triples,
    ontology_of,
)
from imtkg.shacl.report import ValidationOutcome
from imtkg.shacl.report_reading import Triples, outcome_of, set_conforms
from imtkg.shacl.shapes_loading import load_shapes

#: the public names; ``SOURCES_GRAPH`` (of :mod:`imtkg.shacl.data_graph`) is re-exported for
#: ``bench/validation.py``
__all__ = [
    "ENGINES",
    "INFERENCE_MODES",
    "SOURCES_GRAPH",
    "EngineUnavailable",
    "ShapesError",
    "ValidationFailed",
    "ValidationOutcome",
    "compiled_shapes",
    "validate_dataset",
    "validate_graphs",
]

#: pyshacl inference modes the validator accepts (see :func:`validate_dataset`)
INFERENCE_MODES = ("none", "rdfs")

#: validators :func:`validate_dataset` can use
ENGINES = ("auto", "oxigraph", "pyshacl")

#: id of a shapes graph -> (the graph, its size, its compiled shapes)
_COMPILED: dict[int, tuple[Graph, int, CompiledShapes]] = {}

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the engine's modules are imported when it first runs
    from imtkg.shacl.compiled_shapes import CompiledShapes


class ShapesError(ImtKgError):
    """The shapes themselves are wrong (pyshacl cannot use them); the data was not validated."""


class EngineUnavailable(ImtKgError):
    """The Oxigraph engine was asked for, but the shapes use a feature it does not implement."""


class ValidationFailed(ImtKgError):
    """The validator stopped on the data instead of reporting on it; it was not validated."""


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
    report = (
        None
        if engine == "pyshacl"
        else _fast_report(dataset, ontology, shapes, inference, forced=engine == "oxigraph")
    )
    data: Triples
    if report is not None:
        used, data = "oxigraph", AssertedView(dataset)
    else:
        graph = data_graph(dataset, ontology)
        used, data, report = "pyshacl", graph, _pyshacl_report(graph, shapes, ontology, inference)
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
    set_conforms(report, (None, SH.result, None) not in report)
    return report, "pyshacl"


def _refuse_unsafe(shapes: Graph) -> None:
    """Refuse shapes whose SPARQL must not run (before either engine runs anything)."""
    from imtkg.shacl.compiled_shapes import InvalidShapes, refuse_unsafe

    try:
        refuse_unsafe(shapes)
    except InvalidShapes as exc:
        raise ShapesError(f"the shapes cannot be used: {exc}") from exc


def compiled_shapes(shapes: Graph) -> CompiledShapes:
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


def _copy(graph: Graph) -> Graph:
    """Return a copy of ``graph``: pyshacl adds axioms to the shapes graph it is given, and the
    shared one is read by concurrent requests."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy
