"""The paragraphs of the source documents that state a page's statements (``graph:locators``).

Each asserted statement of a source graph is reified in ``graph:locators`` and linked to the
numbered paragraph(s) of its document that state it (``docs/sources-and-locators.md``). A
resource page shows, next to each statement, a link to each of those paragraphs
(``id:passage/<document>/paragraph-N``, a resource of its own).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from imtkg.core.namespaces import GRAPH
from imtkg.query.interface import QueryEngine
from imtkg.web.i18n import add_messages
from imtkg.web.pages.describe import Term, iri_ref, run_select

LOCATORS_GRAPH = str(GRAPH["locators"])

add_messages(
    {
        "Paragraph": "Paragraphe",
        "The paragraph of the source document that states it": (
            "Le paragraphe du document source qui l'énonce"
        ),
    }
)

#: (subject, predicate, object, named graph) of an asserted statement
StatementKey = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term, str]


@dataclass(frozen=True)
class PassageLink:
    """A paragraph of a source document that states a statement.

    :param iri: the passage resource.
    :param number: its paragraph number in the document.
    :param document: the source document.
    """

    iri: str
    number: int
    document: str


def statement_passages(engine: QueryEngine, iri: str) -> dict[StatementKey, list[PassageLink]]:
    """Return the passages stating each asserted statement about ``iri`` (as subject or object),
    by (subject, predicate, object, graph), in paragraph order."""
    try:
        ref = iri_ref(iri)
    except ValueError:
        return {}
    rows = run_select(
        engine,
        f"""SELECT ?s ?p ?o ?g ?passage ?n ?doc WHERE {{ GRAPH <{LOCATORS_GRAPH}> {{
  {{ ?st rdf:subject {ref} }} UNION {{ ?st rdf:object {ref} }}
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; imt:inGraph ?g ;
      imt:supportedBy ?passage .
  ?passage imt:paragraphNumber ?n ; dcterms:isPartOf ?doc .
}} }} ORDER BY ?doc ?n""",
    )
    found: dict[StatementKey, list[PassageLink]] = defaultdict(list)
    for row in rows:
        subject, predicate = row["s"], row["p"]
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            continue
        if not isinstance(predicate, ox.NamedNode):
            continue
        key = (subject, predicate, row["o"], row["g"].value)
        link = PassageLink(row["passage"].value, int(row["n"].value), row["doc"].value)
        if link not in found[key]:
            found[key].append(link)
    return dict(found)
