"""Why a membership is, or is not, derived: the records, their status, and the passages behind them.

Only a membership record **in force** gives ``org:memberOf``: the chain of
``imt:holdsMembershipIn`` (a sub-property of ``org:memberOf``) is ``imt:hasMembership o
imt:organizationInForce``, and ``imt:organizationInForce`` (a sub-property of
``org:organization``) is asserted by records in force only (SHACL keeps it in step with
``imt:membershipStatus``). An announced record stays an ``org:Membership`` with ``org:member``,
``org:organization`` and its status, and gives no ``org:memberOf``.

:func:`membership_records` finds the records linking a member to an organisation (what
``imtkg explain`` and ``/explain`` show for ``org:memberOf``, ``imt:holdsMembershipIn`` and
``org:hasMember``), and :func:`passages_of` the paragraphs of the source documents that state a
triple (``graph:locators``, see ``docs/sources-and-locators.md``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS
from rdflib.term import Node

from imtkg.core.namespaces import GRAPH, IMT, INFERRED_GRAPH
from imtkg.rdf.terms import format_triple, shorten

LOCATORS_GRAPH = GRAPH["locators"]
TIME = "http://www.w3.org/2006/time#"
IN_FORCE = URIRef("https://w3id.org/imt-kg/id/concept/membership-status/in-force")

#: the rule an explanation of a membership states
RULE = (
    "only a membership record in force gives org:memberOf: imt:holdsMembershipIn (a sub-property "
    "of org:memberOf) is the chain imt:hasMembership o imt:organizationInForce, and a record names "
    "its organisation with imt:organizationInForce only when its status is in force"
)

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Passage:
    """A numbered paragraph of a source document that states a triple.

    :param iri: the passage (``id:passage/<document>/paragraph-N``).
    :param number: its paragraph number.
    :param document: the source document it is part of.
    :param graph: the named graph whose statement it supports.
    """

    iri: URIRef
    number: int
    document: URIRef
    graph: URIRef

    def text(self) -> str:
        """Write the passage for people: ``paragraph 18 of id:source/… (id:passage/…)``."""
        return f"paragraph {self.number} of {shorten(self.document)} ({shorten(self.iri)})"


@dataclass(frozen=True)
class MembershipRecord:
    """An ``org:Membership`` record linking a member to an organisation.

    :param iri: the record.
    :param status: its ``imt:membershipStatus`` (``None`` when it has none).
    :param status_label: the status's English label.
    :param in_force: whether it names its organisation with ``imt:organizationInForce``.
    :param start: its start as the source gives it (a date, a year, or the words stated).
    :param passages: the paragraphs stating its member, organisation and status.
    """

    iri: URIRef
    status: URIRef | None
    status_label: str | None
    in_force: bool
    start: str | None
    passages: tuple[Passage, ...]

    def text(self) -> str:
        """Write the record, its status and its start on one line."""
        status = self.status_label or (shorten(self.status) if self.status else "no status")
        gives = (
            "gives org:memberOf (imt:organizationInForce)"
            if self.in_force
            else "gives no org:memberOf (no imt:organizationInForce)"
        )
        start = f"; start: {self.start}" if self.start else ""
        return f"record {shorten(self.iri)}: status {status}, {gives}{start}"

    def json(self) -> dict:
        """Write the record as a JSON-ready dictionary."""
        return {
            "record": str(self.iri),
            "status": str(self.status) if self.status else None,
            "statusLabel": self.status_label,
            "inForce": self.in_force,
            "start": self.start,
            "passages": [passage_json(p) for p in self.passages],
        }


def membership_pair(triple: Triple) -> tuple[URIRef, URIRef] | None:
    """Return (member, organisation) when ``triple`` says a membership, else ``None``."""
    s, p, o = triple
    if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
        return None
    if p in (ORG.memberOf, IMT.holdsMembershipIn):
        return s, o
    if p == ORG.hasMember:
        return o, s
    return None


def _asserted(dataset: Dataset):
    """Yield the asserted named graphs (not the inferences)."""
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            yield graph


def _value(dataset: Dataset, subject: Node, predicate: URIRef) -> Node | None:
    values = sorted({o for g in _asserted(dataset) for o in g.objects(subject, predicate)}, key=str)
    return values[0] if values else None


def _english_label(dataset: Dataset, node: Node) -> str | None:
    labels = [
        o for g in _asserted(dataset) for o in g.objects(node, RDFS.label) if isinstance(o, Literal)
    ]
    english = sorted(str(o) for o in labels if o.language == "en")
    return english[0] if english else None


def start_text(dataset: Dataset, record: Node) -> str | None:
    """Return the start of a record as its source gives it: a date, a year, or stated words."""
    interval = _value(dataset, record, ORG.memberDuring)
    beginning = _value(dataset, interval, URIRef(TIME + "hasBeginning")) if interval else None
    if beginning is None:
        return None
    for predicate in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear"):
        value = _value(dataset, beginning, URIRef(TIME + predicate))
        if value is not None:
            return str(value)
    stated = _value(dataset, beginning, IMT.statedDate)
    return f"“{stated}” (stated, no calendar date)" if stated is not None else None


def passages_of(dataset: Dataset, triple: Triple) -> list[Passage]:
    """Return the paragraphs that state ``triple`` in a source graph (``graph:locators``)."""
    locators = dataset.graph(LOCATORS_GRAPH)
    s, p, o = triple
    found: set[Passage] = set()
    for statement in locators.subjects(RDF.subject, s):
        if (statement, RDF.predicate, p) not in locators:
            continue
        if (statement, RDF.object, o) not in locators:
            continue
        graph = locators.value(statement, IMT.inGraph)
        for passage in locators.objects(statement, IMT.supportedBy):
            number = locators.value(passage, IMT.paragraphNumber)
            document = locators.value(passage, DCTERMS.isPartOf)
            if (
                isinstance(passage, URIRef)
                and isinstance(document, URIRef)
                and isinstance(number, Literal)
            ):
                found.add(Passage(passage, int(number.toPython()), document, URIRef(str(graph))))
    return sorted(found, key=lambda x: (str(x.document), x.number))


def passage_json(passage: Passage) -> dict:
    """Write a passage as a JSON-ready dictionary."""
    return {
        "passage": str(passage.iri),
        "paragraph": passage.number,
        "document": str(passage.document),
        "graph": str(passage.graph),
    }


def membership_records(
    dataset: Dataset, member: URIRef, organization: URIRef
) -> list[MembershipRecord]:
    """Return the asserted ``org:Membership`` records of ``member`` in ``organization``."""
    records = sorted(
        {
            r
            for g in _asserted(dataset)
            for r in g.subjects(ORG.member, member)
            if (r, ORG.organization, organization) in g
        },
        key=str,
    )
    found = []
    for record in records:
        status = _value(dataset, record, IMT.membershipStatus)
        in_force = any(
            (record, IMT.organizationInForce, organization) in g for g in _asserted(dataset)
        )
        triples: list[Triple] = [
            (record, ORG.member, member),
            (record, ORG.organization, organization),
        ]
        if status is not None:
            triples.append((record, IMT.membershipStatus, status))
        passages = tuple(dict.fromkeys(p for t in triples for p in passages_of(dataset, t)))
        found.append(
            MembershipRecord(
                URIRef(str(record)),
                URIRef(str(status)) if status is not None else None,
                _english_label(dataset, status) if status is not None else None,
                in_force,
                start_text(dataset, record),
                passages,
            )
        )
    return found


def why_not_lines(records: list[MembershipRecord]) -> list[str]:
    """Explain, line by line, why no membership is derived from ``records`` (nothing without a
    record: the triple then simply is neither asserted nor inferred)."""
    if not records:
        return []
    lines = [f"Why: {RULE}."]
    for record in records:
        lines.append("  " + record.text())
        lines += [f"    stated in {p.text()}" for p in record.passages]
    return lines


def record_lines(records: list[MembershipRecord]) -> list[str]:
    """Describe the records behind a derived membership, with their status and passages."""
    if not records:
        return []
    lines = ["Membership records:"]
    for record in records:
        lines.append("  " + record.text())
        lines += [f"    stated in {p.text()}" for p in record.passages]
    return lines


def passage_lines(dataset: Dataset, triples: list[Triple]) -> list[str]:
    """List the paragraphs stating each of ``triples`` (the premises of a derivation)."""
    lines = []
    for triple in triples:
        passages = passages_of(dataset, triple)
        if passages:
            lines.append(f"  {format_triple(triple)}")
            lines += [f"    {p.text()}" for p in passages]
    return ["Passages of the source documents:", *lines] if lines else []


# -- Membership on a date ------------------------------------------------------------------------

MEMBER = "member"
NOT_A_MEMBER = "not a member"
UNKNOWN = "unknown"


def start_bounds(start: str | None) -> tuple[date, date] | None:
    """Return the earliest and the latest day a start given as ``xsd:date``, ``xsd:gYearMonth``
    or ``xsd:gYear`` can be; ``None`` when the start is not a calendar date (or not given)."""
    if start is None:
        return None
    try:
        if len(start) == 10:
            day = date.fromisoformat(start)
            return day, day
        if len(start) == 7:
            year, month = int(start[:4]), int(start[5:])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        if len(start) == 4:
            year = int(start)
            return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None
    return None


def outcome_on(on: date, start: str | None, in_force: bool) -> str:
    """Say whether a membership holds on day ``on``, as far as its source allows.

    :param start: its start as a calendar value (``2021``, ``2021-09``, ``2021-09-01``), or
        ``None`` when the source gives no calendar date (not given, or only "this year" of an
        undated article).
    :param in_force: whether the record is in force (an announced one is not yet a membership).
    :return: :data:`MEMBER` when the start lies wholly before (or on) the day and the record is
        in force, :data:`NOT_A_MEMBER` when the start lies wholly after the day, else
        :data:`UNKNOWN` (the day falls in the start's year or month, no calendar start, or an
        announced record starting before the day).
    """
    bounds = start_bounds(start)
    if bounds is None:
        return UNKNOWN
    earliest, latest = bounds
    if on < earliest:
        return NOT_A_MEMBER
    if on >= latest and in_force:
        return MEMBER
    return UNKNOWN
