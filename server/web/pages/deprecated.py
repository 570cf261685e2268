"""Removed IRIs: the trail of ``graph:deprecated``, read once per app, and what each answers.

An IRI the graph once published is never reused nor left to a bare 404: ``graph:deprecated``
(``graph/deprecated.ttl``) marks it ``owl:deprecated true`` with why it went
(``skos:changeNote``) and, where one exists, its replacement (``dcterms:isReplacedBy``). The
server answers a replaced IRI (and each of its documents) with ``301 Moved Permanently`` to the
replacement, any other with ``410 Gone`` and the trail's description of it, as a page or in the
negotiated RDF format.

The releases are the other trail (:func:`release_removals`): an IRI that a release described
(as subject, under ``id/``) and the served data no longer describes is gone too, and its 410
names the latest release that had it, so that the statements can still be read in its dump.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from imtkg.core.namespaces import BASE, GRAPH
from imtkg.query.interface import QueryEngine
from imtkg.releases.history import ReleaseHistory
from imtkg.releases.records import Release
from imtkg.web.i18n import add_messages
from imtkg.web.pages.describe import as_iri, as_resource, run_select

DEPRECATED_GRAPH = str(GRAPH["deprecated"])
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
IS_REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"
CHANGE_NOTE = "http://www.w3.org/2004/02/skos/core#changeNote"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"

add_messages(
    {
        "Gone": "Retiré",
        "This IRI is no longer part of the graph.": "Cette IRI ne fait plus partie du graphe.",
        "Why": "Pourquoi",
        "See also": "Voir aussi",
        "The latest release that describes it is": "La dernière version publiée qui la décrit est",
        "its dump": "son export",
    }
)


@dataclass
class Deprecation:
    """A removed IRI and what the trail says of it.

    :param iri: the removed IRI.
    :param replacement: the IRI that replaces it, or ``None`` (then it is gone).
    :param labels: its label per language.
    :param notes: why it went, per language.
    :param see_also: related IRIs of the graph.
    :param quads: the trail's triples about it, in ``graph:deprecated``.
    :param last_release: the latest release that described it, when the releases are its trail.
    """

    iri: str
    replacement: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    see_also: list[str] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)
    last_release: Release | None = None

    def label(self, lang: str) -> str:
        """Return the label in ``lang``, else in English, else the IRI."""
        return self.labels.get(lang) or self.labels.get("en") or self.iri

    def note(self, lang: str) -> str:
        """Return why the IRI went, in ``lang`` (else English; empty when the trail says none)."""
        return self.notes.get(lang) or self.notes.get("en", "")


def deprecations(engine: QueryEngine) -> dict[str, Deprecation]:
    """Read ``graph:deprecated``: every IRI marked ``owl:deprecated true``, by IRI."""
    rows = run_select(
        engine,
        f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{DEPRECATED_GRAPH}> {{
  ?s <{OWL_DEPRECATED}> true ; ?p ?o }} }} ORDER BY ?s ?p ?o""",
    )
    found: dict[str, Deprecation] = defaultdict(lambda: Deprecation(iri=""))
    graph = ox.NamedNode(DEPRECATED_GRAPH)
    for row in rows:
        subject, predicate, value = row["s"], row["p"].value, row["o"]
        entry = found[subject.value]
        entry.iri = subject.value
        entry.quads.append(ox.Quad(as_resource(subject), as_iri(row["p"]), value, graph))
        if predicate == IS_REPLACED_BY and isinstance(value, ox.NamedNode):
            entry.replacement = value.value
        elif predicate == SEE_ALSO and isinstance(value, ox.NamedNode):
            entry.see_also.append(value.value)
        elif isinstance(value, ox.Literal) and value.language:
            if predicate == LABEL:
                entry.labels[value.language] = value.value
            elif predicate == CHANGE_NOTE:
                entry.notes[value.language] = value.value
    return dict(found)


def replacement_path(deprecation: Deprecation, extension: str | None) -> str | None:
    """Return the path (under the served base) a replaced IRI, or its document in the format of
    ``extension``, moved to; ``None`` when it has no replacement of the graph's own."""
    target = deprecation.replacement
    if target is None or not target.startswith(BASE):
        return None
    path = target[len(BASE) :]
    return f"{path}.{extension}" if extension else path


def release_removals(history: ReleaseHistory, served: Iterable[str]) -> dict[str, Deprecation]:
    """Return the IRIs some release of ``history`` describes and the served data (``served``,
    the IRIs it describes) does not, each with its labels in the latest release that had it."""
    removals: dict[str, Deprecation] = {}
    for iri, release in history.removed_resources(served).items():
        entry = Deprecation(iri=iri, last_release=release)
        for quad in sorted(history.descriptions(release)[iri], key=str):
            value = quad.object
            if quad.predicate.value == LABEL and isinstance(value, ox.Literal) and value.language:
                entry.labels.setdefault(value.language, value.value)
        removals[iri] = entry
    return removals
