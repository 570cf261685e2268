"""``imtkg explain``: why a triple holds, or why it does not.

``imtkg explain id:mines-nancy org:memberOf id:imt-grand-est`` prints the OWL 2 RL derivation
of an inference down to the asserted triples, their source documents and the paragraphs that
state them (exit status 0), the sources of an asserted triple (0), or says that the triple does
not hold (1). For a membership (``org:memberOf``, ``imt:holdsMembershipIn``, ``org:hasMember``)
it also names the membership records, their status and their passages: why an announced record
gives no ``org:memberOf`` (:mod:`imtkg.reasoning.membership_status`). Terms are prefixed
names with the project's prefixes, ``<IRIs>``, ``a`` for ``rdf:type``, or Turtle literals.

``imtkg reason`` (what the reasoner infers, for the shipped graph or anyone's files) lives in
:mod:`imtkg.cli.reason`.
"""

from __future__ import annotations

import json
import sys

import click

from imtkg.rdf.terms import format_triple, parse_triple
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
