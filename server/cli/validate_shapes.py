"""``imtkg validate --shapes``: a person's data files against a person's shapes, nothing else.

The data graph is the union of the files' triples (:mod:`imtkg.cli.inputs`), with no ontology
and no data of the project; the shapes graph is the union of the ``--shapes`` files. The
validator (:func:`imtkg.shacl.validation.validate_graphs`) writes the standard
``sh:ValidationReport``, whose ``sh:conforms`` is the spec's: true only when there is no result
at all. The exit status is the project's gate: 0 when no result is a ``sh:Violation`` (warnings
and infos do not fail), 1 when one is, 2 when an input cannot be read or the shapes cannot be
used, 3 when ``--engine oxigraph`` declines a feature (named on standard error).

``--inference rdfs|owlrl`` first adds to the data what pyshacl's own inference adds (the same
owlrl closures: pyshacl's RDFS semantics, owlrl's OWL 2 RL), so either engine then validates
the same graph; ``none`` (the default, as in pyshacl) validates the data as written.
"""

from __future__ import annotations

from pathlib import Path

import click
import owlrl
from pyshacl.inference import CustomRDFSSemantics
from rdflib import Graph, Literal

from imtkg.cli.inputs import read_files, read_graph, union
from imtkg.core.errors import ImtKgError
from imtkg.shacl.report import format_text
from imtkg.shacl.report_reading import outcome_of
from imtkg.shacl.validation import EngineUnavailable, validate_graphs

#: ``--inference`` modes: the owlrl semantics pyshacl runs for each
INFERENCE = {"none": None, "rdfs": CustomRDFSSemantics, "owlrl": owlrl.OWLRL_Semantics}

#: exit status when a forced engine declines a feature
DECLINED = 3


def with_inferences(data: Graph, inference: str) -> Graph:
    """Return ``data`` and what ``inference`` adds to it, as pyshacl's inference does.

    Triples owlrl writes about literals (generalised RDF, not RDF) are left out.
    """
    semantics = INFERENCE[inference]
    if semantics is None:
        return data
    expanded = Graph()
    expanded.addN((s, p, o, expanded) for s, p, o in data)
    owlrl.DeductiveClosure(semantics).expand(expanded)
    for triple in [t for t in expanded if isinstance(t[0], Literal)]:
        expanded.remove(triple)
    return expanded


def validate_with_shapes(
    shape_files: tuple[Path, ...], files: tuple[Path, ...], engine: str, fmt: str, inference: str
) -> int:
    """Validate ``files`` against ``shape_files``, print the report; return the exit status.

    :param fmt: ``text`` (the readable listing), ``turtle`` or ``json-ld`` (the report graph).
    :raises InputError: naming the file and line of an input that cannot be read.
    :raises ShapesError: shapes that cannot be used (what is wrong is named).
    """
    if not files:
        raise click.UsageError("give the data FILES to validate against the --shapes")
    shapes = read_graph(shape_files)
    dataset, origins = read_files(files)
    data = with_inferences(union(dataset), inference)
    try:
        report, used = validate_graphs(data, shapes, engine)
    except EngineUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        return DECLINED
    except (OSError, ValueError) as exc:  # a query Oxigraph stops on
        raise ImtKgError(f"the validator stopped on this data ({exc})") from exc
    outcome = outcome_of(report, shapes, data, Graph(), dataset, origins)
    outcome.engine, outcome.inference = used, inference
    if fmt == "text":
        click.echo(format_text(outcome, origins), nl=False)
    else:
        click.echo(outcome.serialize(fmt).decode("utf-8"), nl=False)
    click.echo(f"(engine: {used}, inference: {inference})", err=True)
    return 0 if outcome.conforms else 1
