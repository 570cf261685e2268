"""``imtkg reason``: the OWL 2 RL inferences and clash check of the shipped graph, or of FILES.

* no FILES: the shipped dataset (``ontology/`` + ``graph/``), a summary by default (the number
  of inferred triples, the engine, the triples per predicate);
* ``FILES``: those files only (any RDF syntax the project reads, by suffix; ``-`` for Turtle on
  standard input), nothing of the project mixed in; the inferred triples by default (Turtle).

What is printed is the inferred graph of :func:`imtkg.reasoning.closure.reason`: the closure
minus what the files assert, without the noise the closure's docstring lists; ``--full`` keeps
the whole closure (noise included). ``--format`` writes it as Turtle, N-Triples (``nt``),
JSON-LD, ``text`` (one triple a line, short names) or ``summary``. The clash check
(:mod:`imtkg.reasoning.consistency`) goes to standard error: each clash with its rule, its
triples and the asserted triples behind them.

Exit status: 0 consistent, 1 clashes, 2 unreadable input, 3 when ``--engine fast`` declines the
input (the construct is named on standard error).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections import Counter
from pathlib import Path

import click
import pyoxigraph as ox
from rdflib import Dataset, URIRef

from imtkg.cli.inputs import read_files
from imtkg.core.namespaces import PREFIXES
from imtkg.rdf.formats import serialized
from imtkg.rdf.reading import oxigraph_term, oxigraph_triple
from imtkg.rdf.terms import format_triple, shorten
from imtkg.reasoning.closure import ENGINES, Engine, Reasoning
from imtkg.reasoning.closure import reason as run_reasoning
from imtkg.reasoning.consistency import inconsistencies_of
from imtkg.reasoning.rl_reasoner import Triple

#: ``--format`` -> Oxigraph's syntax (``summary`` and ``text`` are for people)
SYNTAXES: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
}
FORMATS = ("summary", "text", *SYNTAXES)

#: exit status when the forced engine declines the input
DECLINED = 3


def ordered(triples: set[Triple]) -> list[Triple]:
    """Return ``triples`` in a stable order (subject, predicate, object, as N-Triples text)."""
    return sorted(triples, key=lambda t: tuple(str(oxigraph_term(x)) for x in t))


def used_prefixes(triples: list[Triple]) -> dict[str, str]:
    """Return the project's prefixes (:data:`PREFIXES`) that name an IRI of ``triples``."""
    iris = {str(term) for triple in triples for term in triple if isinstance(term, URIRef)}
    return {
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def written(triples: set[Triple], fmt: str) -> str:
    """Return ``triples`` in ``fmt`` (a key of :data:`SYNTAXES`, or ``text``)."""
    items = ordered(triples)
    if fmt == "text":
        return "".join(f"{format_triple(t)}\n" for t in items)
    oxigraph = (oxigraph_triple(*t) for t in items)
    prefixes = used_prefixes(items) if fmt == "turtle" else None
    return serialized(oxigraph, SYNTAXES[fmt], prefixes).decode("utf-8")


def summary(reasoning: Reasoning, full: bool) -> str:
    """Return the summary: how many triples, how long, which engine, how many per predicate."""
    lines = [
        f"{len(reasoning.inferred)} inferred triples in {reasoning.seconds:.3f} s "
        f"(engine: {reasoning.engine}{', full closure' if full else ''})"
    ]
    counts = Counter(p for _, p, _ in reasoning.inferred)
    for predicate, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        lines.append(f"  {n:>6}  {shorten(predicate)}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="auto and fast: the project's engine (every OWL 2 RL rule); owlrl: the reference library.",
)
@click.option("--full", is_flag=True, help="Print the whole OWL RL closure, noise included.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="summary (the default without FILES), turtle (the default with FILES), nt, json-ld, "
    "or text (one triple a line).",
)
def reason(files: tuple[Path, ...], engine: Engine, full: bool, fmt: str | None) -> None:
    """Compute the OWL 2 RL inferences of the shipped graph, or of FILES only.

    \b
    Exit status: 0 consistent, 1 clashes (on standard error), 2 unreadable input,
    3 the forced engine declines the input.
    """
    # rdflib logs and warns about each literal not valid for its datatype: the clash check
    # reports them (dt-not-type)
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module="rdflib.term")
    dataset: Dataset
    if files:
        dataset, _ = read_files(files)
    else:
        from imtkg.data.dataset import load_dataset

        dataset = load_dataset()
    fmt = fmt or ("turtle" if files else "summary")
    try:
        reasoning = run_reasoning(dataset, full=full, engine=engine)
    except ValueError as exc:  # the forced fast engine declines the input
        click.echo(f"error: {exc}", err=True)
        sys.exit(DECLINED)
    if engine == "fast" and reasoning.engine != "fast":
        click.echo(
            f"error: the fast engine does not compute the whole closure (--full): "
            f"{reasoning.engine} does; use --engine auto or {reasoning.engine}",
            err=True,
        )
        sys.exit(DECLINED)
    if fmt == "summary":
        click.echo(summary(reasoning, full), nl=False)
    else:
        click.echo(written(reasoning.inferred, fmt), nl=False)
    inconsistencies = inconsistencies_of(reasoning, dataset)
    if inconsistencies:
        click.echo(f"{len(inconsistencies)} inconsistencies:", err=True)
        for inconsistency in inconsistencies:
            click.echo(inconsistency.describe(), err=True)
        sys.exit(1)
