"""``imtkg validate``: SHACL validation (and OWL RL consistency) of the shipped graph or of files.

* no argument: the shipped dataset (``ontology/`` + ``graph/``);
* ``FILES``: RDF files in any format the project reads (Turtle, TriG, N-Triples, N-Quads,
  JSON-LD, RDF/XML, by suffix), validated together with the shipped ontology; a triple file
  becomes the named graph ``graph:<file stem>``, a quad file keeps its graphs;
  ``--with-shipped`` adds the shipped graph, to check a contribution in context. Like the files
  of ``graph/``, each named graph must be described in the ``graph:sources`` catalogue (give
  ``graph/sources.ttl``, or a catalogue of your own, among the files).

``--engine`` picks the SHACL validator: ``auto`` (the default: the Oxigraph engine of
:mod:`imtkg.shacl.oxigraph_validator`, or pyshacl when the shapes need a feature it does not
implement), ``oxigraph`` (an error naming the feature when it cannot) or ``pyshacl`` (the
reference).

Exit status: 0 when the data conforms (warnings allowed) and OWL RL finds no inconsistency,
1 otherwise, 2 when an input cannot be read (the message names the file and the line).

``--shapes SHAPES`` (repeatable: ``-s a.ttl -s b.ttl``) validates the FILES against those shapes
only, with nothing of the project mixed in and no reasoning unless ``--inference`` asks for it:
see :mod:`imtkg.cli.validate_shapes` (exit status 3 when a forced engine declines a feature).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

import click
from rdflib import Dataset, URIRef

from imtkg.core.namespaces import ONTOLOGY_GRAPH, graph_iri_for
from imtkg.data.dataset import graph_files, load_dataset, new_dataset, ontology_files
from imtkg.rdf.reading import QUAD_FORMATS, format_for_path, parse_file, parse_quads_file
from imtkg.rdf.terms import format_triple
from imtkg.reasoning.consistency import Inconsistency, find_inconsistencies
from imtkg.shacl.report import format_text
from imtkg.shacl.results import short
from imtkg.shacl.validation import ENGINES, EngineUnavailable, validate_dataset

#: ``--format`` name -> rdflib serializer of the standard SHACL validation report
REPORT_FORMATS = {"turtle": "turtle", "json-ld": "json-ld"}


def display_path(path: Path) -> str:
    """Return ``path`` relative to the working directory when it is below it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


def shipped_dataset() -> tuple[Dataset, dict[URIRef, str]]:
    """Return the shipped dataset and, for each of its graphs, the file(s) it comes from."""
    origins = {graph_iri_for(p.stem): display_path(p) for p in graph_files()}
    origins[ONTOLOGY_GRAPH] = ", ".join(display_path(p) for p in ontology_files())
    return load_dataset(), origins


def files_dataset(paths: Iterable[Path], with_shipped: bool) -> tuple[Dataset, dict[URIRef, str]]:
    """Load ``paths`` (and the shipped ontology, or the whole shipped dataset) into a dataset.

    :raises InputError: naming the file and line of the first file that cannot be parsed.
    """
    if with_shipped:
        dataset, origins = shipped_dataset()
    else:
        dataset, origins = new_dataset(), {}
        for path in ontology_files():
            parse_file(path, dataset.graph(ONTOLOGY_GRAPH))
        origins[ONTOLOGY_GRAPH] = ", ".join(display_path(p) for p in ontology_files())
    for path in paths:
        fmt = format_for_path(path)
        shown = display_path(path)
        if fmt in QUAD_FORMATS:
            before = {g.identifier: len(g) for g in dataset.graphs()}
            parse_quads_file(path, dataset, fmt)
            for graph in dataset.graphs():
                name = graph.identifier  # results name IRI graphs only (ValidationResult.graphs)
                if isinstance(name, URIRef) and len(graph) != before.get(name, 0):
                    origins[name] = _joined(origins.get(name), shown)
        else:
            name = graph_iri_for(path.stem)
            parse_file(path, dataset.graph(name), fmt)
            origins[name] = _joined(origins.get(name), shown)
    return dataset, origins


def _joined(previous: str | None, shown: str) -> str:
    if previous is None or previous == shown:
        return shown
    return f"{previous}, {shown}"


def inconsistency_lines(inconsistencies: list[Inconsistency]) -> list[str]:
    """Return the text lines reporting OWL RL inconsistencies and the asserted triples behind."""
    if not inconsistencies:
        return []
    lines = ["", f"OWL RL inconsistencies ({len(inconsistencies)}):"]
    for found in inconsistencies:
        lines.append(f"  {found.rule}: {found.message}")
        for triple, graphs in found.grounds:
            lines.append(f"      {format_triple(triple)}  in {', '.join(short(g) for g in graphs)}")
    return lines


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option(
    "--shapes",
    "-s",
    "shape_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Validate the FILES against these shapes only (repeat for several files: -s a.ttl "
    "-s b.ttl); no project ontology or data is added. '-' reads Turtle from standard input.",
)
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl"]),
    default="none",
    show_default=True,
    help="With --shapes: add what RDFS or OWL 2 RL infers from the data before validating it "
    "(pyshacl's inference).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", *REPORT_FORMATS]),
    default="text",
    show_default=True,
    help="A report for people, or the standard SHACL validation report in Turtle or JSON-LD.",
)
@click.option(
    "--with-shipped",
    is_flag=True,
    help="Validate the FILES together with the shipped graph (a contribution in context).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="SHACL validator: the fast Oxigraph engine, pyshacl (the reference), or auto "
    "(Oxigraph unless the shapes use a feature it does not implement).",
)
def validate(
    files: tuple[Path, ...],
    shape_files: tuple[Path, ...],
    inference: str,
    fmt: str,
    with_shipped: bool,
    engine: str,
) -> None:
    """Validate the shipped graph, or FILES, against the SHACL shapes (and OWL RL consistency),
    or FILES against --shapes only.

    \b
    Exit status: 0 conforms (warnings allowed), 1 violations or inconsistencies, 2 unreadable
    input or unusable shapes, 3 (with --shapes) the forced engine declines a feature.
    """
    # rdflib logs a traceback for each literal that is not valid for its datatype; the shapes
    # report those literals (sh:DatatypeConstraintComponent), which is what people need
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    # ... and warns about some of them ("Parsing weird boolean"): the same literals again
    warnings.filterwarnings("ignore", category=UserWarning, module="rdflib.term")
    if shape_files:
        if with_shipped:
            raise click.UsageError(
                "--with-shipped validates against the project's shapes: it cannot go with --shapes"
            )
        from imtkg.cli.validate_shapes import validate_with_shapes

        sys.exit(validate_with_shapes(shape_files, files, engine, fmt, inference))
    if inference != "none":
        raise click.UsageError("--inference goes with --shapes")
    if files:
        dataset, origins = files_dataset(files, with_shipped)
    else:
        dataset, origins = shipped_dataset()
    try:
        outcome = validate_dataset(dataset, origins=origins, engine=engine)
    except EngineUnavailable as exc:
        raise click.UsageError(str(exc)) from exc
    inconsistencies = find_inconsistencies(dataset)
    if fmt == "text":
        click.echo(format_text(outcome, origins), nl=False)
        for line in inconsistency_lines(inconsistencies):
            click.echo(line)
    else:
        click.echo(outcome.serialize(REPORT_FORMATS[fmt]).decode("utf-8"))
        for line in inconsistency_lines(inconsistencies):
            click.echo(line, err=True)
    sys.exit(0 if outcome.conforms and not inconsistencies else 1)
