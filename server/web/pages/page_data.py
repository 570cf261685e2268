"""What the pages show beyond a resource's own description, read with SPARQL through the engine.

One function per kind of page: the figures about a resource, an organisation's memberships, an
event's sub-events, a ranking edition's entries, a named graph's resources, and what the home
page counts. Each returns plain records of IRIs and literals; the labels are read afterwards for
all of them at once (:class:`imtkg.web.pages.describe.LabelIndex`). What the releases say of a
resource (:func:`release_status`) is read from the releases' dumps, not the engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from imtkg.core.namespaces import ID, ONTOLOGY_GRAPH, ORG
from imtkg.query.interface import QueryEngine
from imtkg.releases.history import ReleaseHistory
from imtkg.releases.records import NQUADS_DUMP
from imtkg.web.i18n import add_messages
from imtkg.web.pages.describe import INFERRED, Term, iri_ref, run_select

XSD = "http://www.w3.org/2001/XMLSchema#"
#: what a true boolean reads as: ``true``, or ``1`` (its other form; Virtuoso 7 answers a
#: query's constant ``true`` as the integer ``1``)
BOOLEAN_TRUE = frozenset({"true", "1"})


def _value(row: dict[str, Term], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _literal(row: dict[str, Term], name: str) -> ox.Literal | None:
    """Return the literal bound to ``name`` in ``row``; ``None`` if unbound or not a literal."""
    term = row.get(name)
    return term if isinstance(term, ox.Literal) else None


# -- Figures -------------------------------------------------------------------------------------


@dataclass
class Figure:
    """A figure as stated: a value (or a range) with its qualifier, unit, measure, population."""

    iri: str
    value: float | None = None
    min_value: float | None = None
    max_value: float | None = None
    qualifier: str | None = None
    unit: str | None = None
    measure: str | None = None
    population: str | None = None
    stated_as: list[ox.Literal] = field(default_factory=list)

    def iris(self) -> list[str]:
        """Return the IRIs the figure refers to (for their labels)."""
        found = (self.iri, self.qualifier, self.unit, self.measure, self.population)
        return [i for i in found if i]


def figures_of(engine: QueryEngine, iri: str) -> list[Figure]:
    """Return the figures about ``iri`` (``imt:figureOf``/``imt:hasFigure``), or ``iri`` itself
    when it is a figure; sorted by IRI."""
    ref = iri_ref(iri)
    rows = run_select(
        engine,
        f"""SELECT ?f ?value ?min ?max ?qualifier ?unit ?measure ?population ?stated WHERE {{
  {{ ?f imt:figureOf {ref} }} UNION {{ {ref} imt:hasFigure ?f }} UNION
  {{ {ref} a imt:Figure BIND({ref} AS ?f) }}
  OPTIONAL {{ ?f imt:value ?value }}
  OPTIONAL {{ ?f imt:minValue ?min }}
  OPTIONAL {{ ?f imt:maxValue ?max }}
  OPTIONAL {{ ?f imt:qualifier ?qualifier }}
  OPTIONAL {{ ?f imt:unit ?unit }}
  OPTIONAL {{ ?f imt:measure ?measure }}
  OPTIONAL {{ ?f imt:population ?population }}
  OPTIONAL {{ ?f imt:statedAs ?stated }}
}} ORDER BY ?f""",
    )
    figures: dict[str, Figure] = {}
    for row in rows:
        figure = figures.setdefault(row["f"].value, Figure(row["f"].value))
        for name, attribute in (("value", "value"), ("min", "min_value"), ("max", "max_value")):
            if name in row:
                setattr(figure, attribute, float(row[name].value))
        for name in ("qualifier", "unit", "measure", "population"):
            if name in row:
                setattr(figure, name, row[name].value)
        stated = _literal(row, "stated")
        if stated is not None and stated not in figure.stated_as:
            figure.stated_as.append(stated)
    return list(figures.values())


# -- Time ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimePoint:
    """A point in time as the graph gives it: a date, a month, a year, or only words and a status.

    :param literal: an ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` literal, if stated.
    :param stated: the words of the source (``"dès cette année"``), if given.
    :param status: the IRI of a date status concept (``to be confirmed``...), if given.
    """

    literal: ox.Literal | None = None
    stated: ox.Literal | None = None
    status: str | None = None

    @property
    def known(self) -> bool:
        """True when anything is said about this point."""
        return bool(self.literal or self.stated or self.status)


def parse_date(literal: ox.Literal | None) -> date | None:
    """Return the (first day of the) date, month or year of a literal; ``None`` if none."""
    if literal is None:
        return None
    text = literal.value
    try:
        kind = literal.datatype.value[len(XSD) :]
        if kind in ("date", "dateTime"):
            return date.fromisoformat(text[:10])
        if kind == "gYearMonth":
            return date(int(text[:4]), int(text[5:7]), 1)
        if kind == "gYear":
            return date(int(text[:4]), 1, 1)
    except ValueError:
        return None
    return None


# -- Memberships ---------------------------------------------------------------------------------


@dataclass
class Membership:
    """That ``member`` is a member of ``organisation``: by a record, by direct statements, or both.

    :param predicates: the membership properties that link them (``imt:isSchoolOf``...), with
        whether only the inferred graph states each.
    :param upward: those of ``predicates`` that go from the member to the organisation.
    :param depths: how many super-properties each of ``predicates`` has (more is more specific).
    :param record: the ``org:Membership`` record, if any, with its role, status and dates.
    """

    member: str
    organisation: str
    predicates: dict[str, bool] = field(default_factory=dict)
    upward: set[str] = field(default_factory=set)
    depths: dict[str, int] = field(default_factory=dict)
    record: str | None = None
    role: str | None = None
    status: str | None = None
    begin: TimePoint = field(default_factory=TimePoint)
    end: TimePoint = field(default_factory=TimePoint)

    @property
    def predicate(self) -> str | None:
        """The property that best says "member -> organisation": one going that way, the most
        specific, asserted before inferred, the project's own before the standard ones."""
        if not self.predicates:
            return None

        def rank(p: str) -> tuple:
            return (p not in self.upward, -self.depths.get(p, 0), self.predicates[p], p)

        return min(self.predicates, key=rank)

    @property
    def inferred(self) -> bool:
        """True when no record and only inferred statements make the link."""
        return self.record is None and all(self.predicates.values())

    def iris(self) -> list[str]:
        """Return the IRIs the membership refers to (for their labels)."""
        found = [self.member, self.organisation, self.record, self.role, self.status]
        found += [self.begin.status, self.end.status, *self.predicates]
        return [i for i in found if i]


def _time_point(row: dict[str, Term], prefix: str) -> TimePoint:
    return TimePoint(
        literal=_literal(row, prefix + "Date"),
        stated=_literal(row, prefix + "Stated"),
        status=_value(row, prefix + "Status"),
    )


_DATE_PROPERTIES = "time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear|time:inXSDDateTime"
_TIME_POINT = (
    """OPTIONAL {{ ?i {prop} ?{p} .
      OPTIONAL {{ ?{p} """
    + _DATE_PROPERTIES
    + """ ?{p}Date }}
      OPTIONAL {{ ?{p} imt:statedDate ?{p}Stated }}
      OPTIONAL {{ ?{p} imt:dateStatus ?{p}Status }} }}"""
)


@dataclass(frozen=True)
class MembershipProperties:
    """The membership properties of the ontology, with how specific each is.

    :param upward: the sub-properties of ``org:memberOf`` (member -> organisation), itself too.
    :param downward: the sub-properties of ``org:hasMember`` (organisation -> member).
    :param depths: how many super-properties each has (more is more specific).
    """

    upward: frozenset[str]
    downward: frozenset[str]
    depths: dict[str, int]


def membership_properties(engine: QueryEngine) -> MembershipProperties:
    """Read the sub-properties of ``org:memberOf`` and ``org:hasMember`` and their depths.

    The ``rdfs:subPropertyOf`` statements are read as they are and followed here, not with a
    property path: Virtuoso 7 answers ``?p rdfs:subPropertyOf* ?root`` without the zero-length
    solutions (``org:memberOf`` itself), and refuses the path with neither end given.
    """
    rows = run_select(
        engine,
        "SELECT DISTINCT ?p ?super WHERE { ?p rdfs:subPropertyOf ?super FILTER(isIRI(?p)) }",
    )
    direct: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        direct[row["p"].value].add(row["super"].value)
    upward: set[str] = set()
    downward: set[str] = set()
    depths: dict[str, int] = {}
    roots = {str(ORG.memberOf): upward, str(ORG.hasMember): downward}
    for prop in set(direct) | set(roots):
        ancestors = _reachable(prop, direct)
        for root, found in roots.items():
            if prop == root or root in ancestors:
                found.add(prop)
                depths[prop] = len(ancestors - {prop})
    return MembershipProperties(frozenset(upward), frozenset(downward), depths)


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    """Return what ``start`` reaches in one step or more along ``edges``."""
    found: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(edges.get(node, ()))
    return found


def memberships_of(
    engine: QueryEngine, iri: str, properties: MembershipProperties
) -> list[Membership]:
    """Return the memberships of ``iri``, as member and as organisation.

    Both ``org:Membership`` records (role, status, ``org:memberDuring`` with its beginning and
    end) and direct statements (any of ``properties``) count; a record and statements about
    the same pair make one membership.

    :param properties: the membership properties (:func:`membership_properties`).
    """
    ref = iri_ref(iri)
    found: dict[tuple[str, str], Membership] = {}
    up = " ".join(f"<{p}>" for p in sorted(properties.upward))
    down = " ".join(f"<{p}>" for p in sorted(properties.downward))
    direct = run_select(
        engine,
        f"""SELECT DISTINCT ?member ?org ?p ?g ?up WHERE {{
  {{ VALUES ?p {{ {up} }} GRAPH ?g {{ {ref} ?p ?org }} BIND({ref} AS ?member) BIND(true AS ?up) }}
  UNION {{ VALUES ?p {{ {up} }} GRAPH ?g {{ ?member ?p {ref} }} BIND({ref} AS ?org)
          BIND(true AS ?up) }}
  UNION {{ VALUES ?p {{ {down} }} GRAPH ?g {{ {ref} ?p ?member }} BIND({ref} AS ?org)
          BIND(false AS ?up) }}
  UNION {{ VALUES ?p {{ {down} }} GRAPH ?g {{ ?org ?p {ref} }} BIND({ref} AS ?member)
          BIND(false AS ?up) }}
  FILTER(isIRI(?member) && isIRI(?org))
}}""",
    )
    for row in direct:
        key = (row["member"].value, row["org"].value)
        membership = found.setdefault(key, Membership(*key))
        inferred = row["g"].value == INFERRED
        predicate = row["p"].value
        membership.predicates[predicate] = membership.predicates.get(predicate, True) and inferred
        if row["up"].value in BOOLEAN_TRUE:
            membership.upward.add(predicate)
        membership.depths[predicate] = properties.depths.get(predicate, 0)
    records = run_select(
        engine,
        f"""SELECT ?m ?member ?org ?role ?status ?begin ?beginDate ?beginStated ?beginStatus
       ?end ?endDate ?endStated ?endStatus WHERE {{
  {{ ?m org:member {ref} }} UNION {{ ?m org:organization {ref} }}
  ?m a org:Membership ; org:member ?member ; org:organization ?org .
  OPTIONAL {{ ?m org:role ?role }}
  OPTIONAL {{ ?m imt:membershipStatus ?status }}
  OPTIONAL {{ ?m org:memberDuring ?i .
    {_TIME_POINT.format(prop="time:hasBeginning", p="begin")}
    {_TIME_POINT.format(prop="time:hasEnd", p="end")} }}
}} ORDER BY ?m""",
    )
    for row in records:
        key = (row["member"].value, row["org"].value)
        membership = found.setdefault(key, Membership(*key))
        membership.record = row["m"].value
        membership.role = _value(row, "role") or membership.role
        membership.status = _value(row, "status") or membership.status
        begin, end = _time_point(row, "begin"), _time_point(row, "end")
        membership.begin = begin if begin.known else membership.begin
        membership.end = end if end.known else membership.end
    return sorted(found.values(), key=lambda m: (m.member != iri, m.organisation, m.member))


# -- Events --------------------------------------------------------------------------------------


@dataclass
class TimelineEvent:
    """A sub-event (at any depth) of an event, with what is said of its dates."""

    iri: str
    parent: str
    depth: int = 1
    start: ox.Literal | None = None
    end: ox.Literal | None = None
    possible: list[ox.Literal] = field(default_factory=list)
    status: str | None = None
    stated: list[ox.Literal] = field(default_factory=list)

    @property
    def start_date(self) -> date | None:
        """The first day the event is known (or possibly) held."""
        if self.start is not None:
            return parse_date(self.start)
        dates = [d for d in map(parse_date, self.possible) if d]
        return min(dates) if dates else None

    def iris(self) -> list[str]:
        """Return the IRIs the entry refers to (for their labels)."""
        return [i for i in (self.iri, self.status) if i]


def sub_events(engine: QueryEngine, iri: str) -> list[TimelineEvent]:
    """Return the sub-events of ``iri`` at any depth, in tree order (dated ones first)."""
    ref = iri_ref(iri)
    link = "(schema:subEvent|^schema:superEvent)"
    rows = run_select(
        engine,
        f"""SELECT DISTINCT ?e ?parent ?start ?end ?possible ?status ?stated WHERE {{
  {ref} {link}+ ?e .
  ?parent {link} ?e .
  OPTIONAL {{ ?e schema:startDate ?start }}
  OPTIONAL {{ ?e schema:endDate ?end }}
  OPTIONAL {{ ?e imt:possibleDate ?possible }}
  OPTIONAL {{ ?e imt:dateStatus ?status }}
  OPTIONAL {{ ?e imt:statedDate ?stated }}
  FILTER(?e != {ref})
}}""",
    )
    # a parent is the event itself or one of its sub-events (``{ref} {link}* ?parent``, which
    # Virtuoso 7 answers without some of its solutions): kept here, not in the query
    descendants = {row["e"].value for row in rows}
    rows = [r for r in rows if r["parent"].value == iri or r["parent"].value in descendants]
    events: dict[str, TimelineEvent] = {}
    for row in rows:
        iri_e = row["e"].value
        event = events.setdefault(iri_e, TimelineEvent(iri_e, row["parent"].value))
        event.start = _literal(row, "start") or event.start
        event.end = _literal(row, "end") or event.end
        event.status = _value(row, "status") or event.status
        for name, values in (("possible", event.possible), ("stated", event.stated)):
            literal = _literal(row, name)
            if literal is not None and literal not in values:
                values.append(literal)
    for event in events.values():
        event.possible.sort(key=lambda lit: lit.value)
    return _tree_order(iri, events)


def _tree_order(root: str, events: dict[str, TimelineEvent]) -> list[TimelineEvent]:
    """Order events depth first from ``root``, siblings by start date then IRI."""
    children: dict[str, list[TimelineEvent]] = defaultdict(list)
    for event in events.values():
        children[event.parent].append(event)
    ordered: list[TimelineEvent] = []

    def visit(parent: str, depth: int) -> None:
        siblings = sorted(
            children.get(parent, []),
            key=lambda e: (e.start_date is None, e.start_date or date.max, e.iri),
        )
        for event in siblings:
            if any(e.iri == event.iri for e in ordered):
                continue
            event.depth = depth
            ordered.append(event)
            visit(event.iri, depth + 1)

    visit(root, 1)
    return ordered


# -- Rankings ------------------------------------------------------------------------------------


@dataclass
class RankingEntry:
    """An institution's entry in a ranking edition."""

    iri: str
    institution: str | None = None
    rank: int | None = None
    scope: str | None = None
    trend: str | None = None
    first_appearance: bool = False

    def iris(self) -> list[str]:
        """Return the IRIs the entry refers to (for their labels)."""
        return [i for i in (self.iri, self.institution, self.scope, self.trend) if i]


def ranking_entries(engine: QueryEngine, iri: str) -> list[RankingEntry]:
    """Return the entries of the ranking edition ``iri``, best rank first, then by IRI."""
    ref = iri_ref(iri)
    rows = run_select(
        engine,
        f"""SELECT ?entry ?inst ?rank ?scope ?trend ?first WHERE {{
  ?entry imt:inEdition {ref} .
  OPTIONAL {{ ?entry imt:rankedInstitution ?inst }}
  OPTIONAL {{ ?entry imt:rankInScope ?rank }}
  OPTIONAL {{ ?entry imt:rankScope ?scope }}
  OPTIONAL {{ ?entry imt:positionTrend ?trend }}
  OPTIONAL {{ ?entry imt:firstAppearance ?first }}
}}""",
    )
    entries: dict[str, RankingEntry] = {}
    for row in rows:
        entry = entries.setdefault(row["entry"].value, RankingEntry(row["entry"].value))
        entry.institution = _value(row, "inst") or entry.institution
        entry.rank = int(row["rank"].value) if "rank" in row else entry.rank
        entry.scope = _value(row, "scope") or entry.scope
        entry.trend = _value(row, "trend") or entry.trend
        entry.first_appearance = entry.first_appearance or _value(row, "first") in BOOLEAN_TRUE
    return sorted(entries.values(), key=lambda e: (e.rank is None, e.rank or 0, e.iri))


# -- Named graphs, classes, properties -----------------------------------------------------------


def graph_subjects(engine: QueryEngine, graph: str) -> list[str]:
    """Return the IRIs the named graph ``graph`` says something about, sorted."""
    rows = run_select(
        engine,
        f"SELECT DISTINCT ?s WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} "
        "ORDER BY ?s",
    )
    return [row["s"].value for row in rows]


def graph_sizes(engine: QueryEngine) -> dict[str, int]:
    """Return the number of triples of each named graph."""
    rows = run_select(
        engine, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    return {row["g"].value: int(row["n"].value) for row in rows}


def graph_size(engine: QueryEngine, graph: str) -> int:
    """Return the number of triples of the named graph ``graph``."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"
    rows = run_select(engine, query)
    return int(rows[0]["n"].value) if rows else 0


def property_uses(engine: QueryEngine, iri: str) -> int:
    """Return how many statements of the graph (asserted or inferred) use property ``iri``."""
    rows = run_select(engine, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s {iri_ref(iri)} ?o }}")
    return int(rows[0]["n"].value) if rows else 0


def property_counts(engine: QueryEngine) -> dict[str, int]:
    """Return, for each property the graph uses, its number of statements (inferred too)."""
    rows = run_select(engine, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    return {row["p"].value: int(row["n"].value) for row in rows}


def class_counts(engine: QueryEngine) -> dict[str, int]:
    """Return, for each class the ontology declares, its number of instances (inferred too)."""
    rows = run_select(
        engine,
        f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?class a owl:Class }}
  ?s a ?class .
}} GROUP BY ?class ORDER BY DESC(?n) ?class""",
    )
    return {row["class"].value: int(row["n"].value) for row in rows}


def superclasses(engine: QueryEngine) -> dict[str, set[str]]:
    """Return each class of the ontology with all its superclasses (itself included)."""
    rows = run_select(
        engine,
        f"""SELECT ?class ?super WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?class a ?kind VALUES ?kind {{ owl:Class rdfs:Class }} }}
  ?class rdfs:subClassOf* ?super .
  FILTER(isIRI(?super))
}}""",
    )
    closure: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        closure[row["class"].value].add(row["super"].value)
    return dict(closure)


# -- Home page -----------------------------------------------------------------------------------

IMT_IRI = str(ID["institut-mines-telecom"])


@dataclass
class EntryPoints:
    """The resources the home page starts from."""

    schools: list[str] = field(default_factory=list)
    alliances: list[str] = field(default_factory=list)
    events: list[tuple[str, ox.Literal | None]] = field(default_factory=list)
    rankings: list[tuple[str, list[str]]] = field(default_factory=list)

    def iris(self) -> list[str]:
        """Return every IRI of the entry points (for their labels)."""
        found = [IMT_IRI, *self.schools, *self.alliances, *(e for e, _ in self.events)]
        for ranking, editions in self.rankings:
            found += [ranking, *editions]
        return found


def entry_points(engine: QueryEngine) -> EntryPoints:
    """Return IMT's schools, the alliances, the top-level events and the rankings.

    The events' FILTERs sit in a group of their own, apart from the BIND: Virtuoso 7 keeps no
    FILTER of a UNION branch that also holds a BIND (docs/scaling.md, limitation 3).
    """
    points = EntryPoints()
    rows = run_select(
        engine,
        f"""SELECT DISTINCT ?kind ?x ?y WHERE {{
  {{ <{IMT_IRI}> imt:hasSchool ?x BIND("school" AS ?kind) }}
  UNION {{ ?x a imt:Alliance BIND("alliance" AS ?kind) }}
  UNION {{ {{ ?x a schema:Event
             OPTIONAL {{ ?x schema:startDate ?y }}
             FILTER NOT EXISTS {{ ?x schema:superEvent ?up }}
             FILTER NOT EXISTS {{ ?up2 schema:subEvent ?x }} }}
          BIND("event" AS ?kind) }}
  UNION {{ ?x a imt:Ranking BIND("ranking" AS ?kind)
          OPTIONAL {{ ?y imt:editionOf ?x }} }}
}} ORDER BY ?kind ?x ?y""",
    )
    rankings: dict[str, list[str]] = {}
    for row in rows:
        kind, x = row["kind"].value, row["x"].value
        if kind == "school":
            points.schools.append(x)
        elif kind == "alliance":
            points.alliances.append(x)
        elif kind == "event":
            points.events.append((x, _literal(row, "y")))
        else:
            editions = rankings.setdefault(x, [])
            if "y" in row:
                editions.append(row["y"].value)
    points.rankings = list(rankings.items())
    return points


# -- Releases ------------------------------------------------------------------------------------

add_messages(
    {
        "In the dataset since release": "Dans le jeu de données depuis la version",
        "last changed in release": "modifiée pour la dernière fois dans la version",
        "Changed since the latest release.": "Modifiée depuis la dernière version publiée.",
        "Not in any release yet.": "Dans aucune version publiée pour l'instant.",
    }
)
#: how deep a blank node's own statements are followed when a description is compared
_BLANK_DEPTH = 8


def description_keys(quads: Iterable[ox.Quad]) -> dict[str, frozenset[tuple]]:
    """Return, for each resource of the graph's own IRI space (under ``id/``), its asserted
    statements as subject in a form that does not depend on blank node labels.

    A blank node object is replaced by its own statements (followed to :data:`_BLANK_DEPTH`),
    so that a resource compares equal across two datasets whose blank nodes are labelled
    differently (a canonical label is a rank among all the dataset's blank nodes: a change
    anywhere else may shift it).
    """
    inferred = ox.NamedNode(str(INFERRED))
    blank: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    own: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        if quad.graph_name == inferred:
            continue
        subject = quad.subject
        if isinstance(subject, ox.BlankNode):
            blank[subject].append(quad)
        elif isinstance(subject, ox.NamedNode) and subject.value.startswith(str(ID)):
            own[subject.value].append(quad)

    def key(quad: ox.Quad, seen: frozenset[ox.BlankNode], depth: int) -> tuple:
        value = quad.object
        if isinstance(value, ox.BlankNode):
            if value in seen or depth >= _BLANK_DEPTH:
                shown: object = "_:"
            else:
                inner = seen | {value}
                shown = frozenset(key(q, inner, depth + 1) for q in blank.get(value, ()))
        else:
            shown = str(value)
        return (str(quad.predicate), shown, str(quad.graph_name))

    return {iri: frozenset(key(q, frozenset(), 0) for q in found) for iri, found in own.items()}


@dataclass(frozen=True)
class ReleaseStatus:
    """What the releases say of a served resource, for the line of its page.

    :param since: the version and date of the first release that describes it, if any.
    :param last_changed: those of the latest release in which its description changed.
    :param in_latest: whether the latest release describes it.
    :param changed: whether its served description differs from the latest release's.
    """

    since: tuple[str, date] | None
    last_changed: tuple[str, date] | None
    in_latest: bool
    changed: bool


def release_status(
    history: ReleaseHistory,
    iri: str,
    served: dict[str, frozenset[tuple]],
    latest: dict[str, frozenset[tuple]],
) -> ReleaseStatus | None:
    """Return what ``history`` says of ``iri``; ``None`` when there is no release at all.

    :param served: :func:`description_keys` of the served data.
    :param latest: :func:`description_keys` of the latest release.
    """
    if not len(history):
        return None
    found = history.resource_history(iri)
    return ReleaseStatus(
        since=(found.since.version, found.since.issued) if found.since else None,
        last_changed=(found.last_changed.version, found.last_changed.issued)
        if found.last_changed
        else None,
        in_latest=found.in_latest,
        changed=served.get(iri, frozenset()) != latest.get(iri, frozenset()),
    )


def history_tag(history: ReleaseHistory) -> tuple[tuple[str, str], ...]:
    """Return what identifies the releases served (each version and the digest of its dump), for
    the ETags of the answers that name them."""
    return tuple((r.version, r.files[NQUADS_DUMP].sha256) for r in history)
