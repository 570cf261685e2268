"""``imtkg query`` and ``imtkg stats``: answer a SPARQL query, count what the graph holds."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click
import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF

from imtkg.core.namespaces import PREFIXES
from imtkg.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS, serialized, solutions_table
from imtkg.store.knowledge import load_knowledge_graph
from imtkg.store.oxigraph_store import QueryScope, run_query


@click.command()
@click.argument("sparql", required=False)
@click.option(
    "--file",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a .rq file.",
)
@click.option(
    "--format",
    "fmt",
    default="table",
    type=click.Choice(["table", *RESULT_FORMATS, *GRAPH_FORMATS]),
    help="Output format: a table (default), a SPARQL results format or an RDF format.",
)
@click.option(
    "--infer/--no-infer",
    default=True,
    help="Include the OWL RL inferences (default) or only what the sources assert.",
)
def query(sparql: str | None, query_file: Path | None, fmt: str, infer: bool) -> None:
    """Answer a SPARQL query on the shipped knowledge graph."""
    if (sparql is None) == (query_file is None):
        raise click.UsageError("give the query as an argument or with --file, not both")
    text = query_file.read_text(encoding="utf-8") if query_file is not None else sparql
    if text is None:  # never: one of the two was given
        raise click.UsageError("give the query as an argument or with --file")
    kg = load_knowledge_graph()
    try:
        results = run_query(kg.store, text, QueryScope(infer=infer))
    except SyntaxError as exc:
        click.echo(f"error: SPARQL syntax error: {exc}", err=True)
        sys.exit(2)
    click.echo(render(results, fmt))


def render(results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str) -> str:
    """Render pyoxigraph results as ``table`` or a RESULT_FORMATS / GRAPH_FORMATS name."""
    if isinstance(results, ox.QueryBoolean):
        if fmt == "table":
            return "true" if bool(results) else "false"
        return _written(results.serialize(format=_result_format(fmt)))
    if isinstance(results, ox.QuerySolutions):
        if fmt == "table":
            return solutions_table(results, PREFIXES)
        return _written(results.serialize(format=_result_format(fmt)))
    rdf_format = GRAPH_FORMATS["turtle" if fmt == "table" else _graph_name(fmt)][1]
    return serialized(results, rdf_format, PREFIXES).decode("utf-8")


def _written(data: bytes | None) -> str:
    """Return the text of results serialised to bytes (no output file given)."""
    if data is None:  # never: with no output given, pyoxigraph returns the bytes
        raise ValueError("pyoxigraph wrote no bytes")
    return data.decode("utf-8")


def _result_format(fmt: str) -> ox.QueryResultsFormat:
    if fmt not in RESULT_FORMATS:
        raise click.UsageError(
            f"--format {fmt} is for graphs; SELECT/ASK take {', '.join(RESULT_FORMATS)}"
        )
    return RESULT_FORMATS[fmt][1]


def _graph_name(fmt: str) -> str:
    if fmt not in GRAPH_FORMATS:
        raise click.UsageError(
            f"--format {fmt} is for SELECT/ASK; graphs take {', '.join(GRAPH_FORMATS)}"
        )
    return fmt


@click.command()
@click.option("--no-infer", is_flag=True, help="Do not compute the inferred graph.")
def stats(no_infer: bool) -> None:
    """Print the triples per named graph and the instances per class."""
    kg = load_knowledge_graph(reason=not no_infer)
    click.echo("Triples per named graph:")
    total = 0
    for graph in sorted(kg.dataset.graphs(), key=lambda g: str(g.identifier)):
        if isinstance(graph.identifier, URIRef) and len(graph):
            click.echo(f"  {len(graph):>7}  <{graph.identifier}>")
            total += len(graph)
    click.echo(f"  {total:>7}  (all named graphs)")
    click.echo("Instances per class (asserted and inferred):")
    counts = Counter(o for _, o in kg.dataset.subject_objects(RDF.type))
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        click.echo(f"  {n:>7}  {_short(cls)}")


def _short(iri: object) -> str:
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(ns):
            return f"{prefix}:{str(iri)[len(ns) :]}"
    return f"<{iri}>"
