"""``imtkg explain`` and ``imtkg reason``: why a triple holds, and what the reasoner infers.

``imtkg explain id:mines-nancy org:memberOf id:imt-grand-est`` prints the OWL 2 RL derivation
of an inference down to the asserted triples, their source documents and the paragraphs that
state them (exit status 0), the sources of an asserted triple (0), or says that the triple does
not hold (1). For a membership (``org:memberOf``, ``imt:holdsMembershipIn``, ``org:hasMember``)
it also names the membership records, their status and their passages: why an announced record
gives no ``org:memberOf`` (:mod:`imtkg.reasoning.membership_status`). Terms are prefixed
names with the project's prefixes, ``<IRIs>``, ``a`` for ``rdf:type``, or Turtle literals.

``imtkg reason`` computes the inferred graph and prints a summary (engine, time, triples per
predicate, inconsistencies) or the inferred triples themselves.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import click
from rdflib import Graph

from imtkg.core.namespaces import PREFIXES
from imtkg.data.dataset import load_dataset
from imtkg.rdf.terms import format_triple, parse_triple, shorten
from imtkg.reasoning.closure import ENGINES, Engine
from imtkg.reasoning.closure import reason as run_reasoning
from imtkg.reasoning.consistency import inconsistencies_of
from imtkg.reasoning.explanation import (
    Explainer,
    explanation_graph,
    explanation_json,
    explanation_text,
)
from imtkg.reasoning.membership_status import (
    membership_pair,
    membership_records,
    passage_json,
    passage_lines,
    passages_of,
    record_lines,
    why_not_lines,
)
from imtkg.store.knowledge import load_knowledge_graph

EXPLAIN_FORMATS = ("text", "json", "turtle")


@click.command()
@click.argument("subject")
@click.argument("predicate")
@click.argument("object_", metavar="OBJECT")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPLAIN_FORMATS),
    default="text",
    show_default=True,
    help="A tree for reading, JSON, or RDF (Turtle, with PROV-O).",
)
def explain(subject: str, predicate: str, object_: str, fmt: str) -> None:
    """Say why the triple SUBJECT PREDICATE OBJECT holds in the knowledge graph.

    \b
    Example: imtkg explain id:mines-nancy org:memberOf id:imt-grand-est
    """
    triple = parse_triple(subject, predicate, object_)
    dataset = load_knowledge_graph().dataset
    explanation = Explainer(dataset).explain(triple)
    pair = membership_pair(triple)
    records = membership_records(dataset, *pair) if pair else []
    if explanation is None:
        message = f"{format_triple(triple)} does not hold: it is neither asserted nor inferred"
        if fmt == "json":
            body = {"holds": False, "message": message}
            if records:
                body["why"] = why_not_lines(records)
                body["membershipRecords"] = [r.json() for r in records]
            click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        else:
            click.echo("\n".join([message, *why_not_lines(records)]))
        sys.exit(1)
    leaves = [leaf.triple for leaf in explanation.leaves()]
    if fmt == "json":
        body = {
            "holds": True,
            "explanation": explanation_json(explanation),
            "passages": [
                {"triple": format_triple(t), **passage_json(p)}
                for t in leaves
                for p in passages_of(dataset, t)
            ],
        }
        if records:
            body["membershipRecords"] = [r.json() for r in records]
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    elif fmt == "turtle":
        click.echo(explanation_graph(explanation).serialize(format="turtle"))
    else:
        extra = [*record_lines(records), *passage_lines(dataset, leaves)]
        click.echo(
            "\n\n".join([explanation_text(explanation), "\n".join(extra)])
            if extra
            else explanation_text(explanation)
        )


@click.command()
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="The fast rule engine, owlrl (the reference), or fast unless the input needs owlrl.",
)
@click.option("--full", is_flag=True, help="Keep the whole OWL RL closure (owlrl), noise included.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["summary", "turtle", "ntriples"]),
    default="summary",
    show_default=True,
    help="A summary, or the inferred triples.",
)
def reason(engine: Engine, full: bool, fmt: str) -> None:
    """Compute the OWL RL inferences of the shipped graph (exit status 1 if inconsistent)."""
    dataset = load_dataset()
    reasoning = run_reasoning(dataset, full=full, engine=engine)
    inconsistencies = inconsistencies_of(reasoning, dataset)
    if fmt == "summary":
        click.echo(
            f"{len(reasoning.inferred)} inferred triples in {reasoning.seconds:.3f} s "
            f"(engine: {reasoning.engine}{', full closure' if full else ''})"
        )
        counts = Counter(p for _, p, _ in reasoning.inferred)
        for predicate, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            click.echo(f"  {n:>6}  {shorten(predicate)}")
    else:
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        for triple in reasoning.inferred:
            graph.add(triple)
        click.echo(graph.serialize(format="nt" if fmt == "ntriples" else "turtle"))
    if inconsistencies:
        click.echo(f"{len(inconsistencies)} inconsistencies:", err=True)
        for inconsistency in inconsistencies:
            click.echo(inconsistency.describe(), err=True)
        sys.exit(1)
