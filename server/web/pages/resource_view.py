"""What a resource page shows, built from a description and the data of its kind of page.

:func:`resource_view` reads what the page needs beyond the description (the figures, the
memberships of an organisation, the sub-events of an event...), reads the labels of all of it at
once, and returns a :class:`ResourceView` for ``templates/pages/resource.html``: statements
grouped by property and labelled by the ontology in the reader's language, inferred statements
marked, each asserted statement citing the named graph and source document that state it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from imtkg.core.namespaces import ID, IMT, ORG, SCHEMA
from imtkg.query.interface import QueryEngine
from imtkg.web.i18n import format_number, format_short_date, translate
from imtkg.web.linked_data import (
    FORMATS,
    RDF_FORMATS,
    document_url,
    is_local,
    page_url,
    served_base,
)
from imtkg.web.pages import page_data
from imtkg.web.pages.describe import Description, LabelIndex, Statement, Term, label_index
from imtkg.web.pages.diagrams import NetworkNode, TimelineItem, network, timeline
from imtkg.web.pages.labels import Labeller, pick_label, short_name
from imtkg.web.pages.passages import PassageLink, StatementKey, statement_passages

RDF_TYPE = str(RDF.type)
#: properties shown first, in this order; the others follow by label
FIRST_PROPERTIES = [
    str(p)
    for p in (
        RDFS.label,
        SKOS.prefLabel,
        SKOS.altLabel,
        FOAF.name,
        SCHEMA.alternateName,
        DCTERMS.title,
        DCTERMS.description,
        RDFS.comment,
        SKOS.definition,
    )
]
DESCRIPTION_PROPERTIES = [str(DCTERMS.description), str(SKOS.definition), str(RDFS.comment)]
CLASS_TYPES = {str(OWL.Class), str(RDFS.Class)}
PROPERTY_TYPES = {
    str(RDF.Property),
    str(OWL.ObjectProperty),
    str(OWL.DatatypeProperty),
    str(OWL.AnnotationProperty),
}
UNIT_PERCENT = str(ID["concept/unit/percent"])
UNIT_COUNT = str(ID["concept/unit/count"])
QUALIFIER_EXACT = str(ID["concept/qualifier/exact"])
QUALIFIER_RANGE = str(ID["concept/qualifier/range"])


@dataclass
class ValueView:
    """One value of a property on a page: a link, a literal, or a blank node's own statements."""

    text: str
    url: str | None = None
    external: bool = False
    language: str | None = None
    datatype: str | None = None
    inferred: bool = False
    citations: list[int] = field(default_factory=list)
    passages: list[PassageView] = field(default_factory=list)
    nested: list[GroupView] | None = None
    items: list[ValueView] | None = None
    cite_url: str | None = None


@dataclass
class PassageView:
    """A paragraph of a source document that states a value's statement: a link to it, shown
    after the footnote (``citation``) of the named graph whose statement it supports."""

    number: int
    url: str
    title: str
    citation: int


@dataclass
class GroupView:
    """The values of one property, labelled by the ontology."""

    iri: str
    label: str
    url: str
    values: list[ValueView]


@dataclass
class CitationView:
    """A numbered source: the named graph and the document(s) it is derived from."""

    number: int
    graph: str
    label: str
    url: str
    documents: list[tuple[str, str]]


@dataclass
class Alternate:
    """A document about the resource in another format."""

    name: str
    media_type: str
    url: str
    extension: str


@dataclass
class ResourceView:
    """Everything ``pages/resource.html`` shows about a resource."""

    iri: str
    title: str
    lede: str | None
    types: list[ValueView]
    groups: list[GroupView]
    incoming: list[GroupView]
    citations: list[CitationView]
    alternates: list[Alternate]
    kinds: set[str]
    schema_org: dict
    name: Labeller
    incoming_truncated: bool = False
    sections: dict[str, object] = field(default_factory=dict)
    cite_url: str | None = None


def cite_url(iri: str, statement: Statement | None = None) -> str | None:
    """Return the citation URL of resource ``iri`` (``/cite/<name>`` for ``id:<name>``), or of
    its asserted ``statement`` (``?p=…&o=…``, with ``&g=…`` when one graph asserts it); ``None``
    for what cannot be cited by URL (an IRI outside ``id:``, an inferred statement, a blank
    node)."""
    if not iri.startswith(str(ID)) or len(iri) == len(str(ID)):
        return None
    url = f"{served_base()}cite/{quote(iri[len(str(ID)) :], safe='/')}"
    if statement is None:
        return url
    if statement.inferred or isinstance(statement.object, ox.BlankNode):
        return None
    parameters = {"p": statement.predicate.value, "o": str(statement.object)}
    if len(statement.asserted_in) == 1:
        parameters["g"] = statement.asserted_in[0]
    return f"{url}?{urlencode(parameters)}"


class Citations:
    """Numbers the named graphs that state a page's statements, in order of first citation."""

    def __init__(self, description: Description) -> None:
        self.description = description
        self.numbers: dict[str, int] = {}

    def cite(self, statement: Statement) -> list[int]:
        """Return the footnote numbers of the graphs asserting ``statement`` (none if inferred)."""
        return sorted(
            self.numbers.setdefault(g, len(self.numbers) + 1) for g in statement.asserted_in
        )

    def views(self, name: Labeller) -> list[CitationView]:
        """Return the footnotes, numbered."""
        return [
            CitationView(
                number=number,
                graph=graph,
                label=name(graph),
                url=page_url(graph),
                documents=[(name(d), page_url(d)) for d in self.description.sources.get(graph, [])],
            )
            for graph, number in self.numbers.items()
        ]


class _Builder:
    """Turns statements into grouped, labelled values (one builder per page)."""

    def __init__(
        self,
        description: Description,
        name: Labeller,
        passages: dict[StatementKey, list[PassageLink]] | None = None,
    ) -> None:
        self.description = description
        self.name = name
        self.citations = Citations(description)
        self.passages = passages or {}

    def passage_views(self, statement: Statement | None) -> list[PassageView]:
        """Return links to the paragraphs that state ``statement`` in each graph asserting it."""
        if statement is None:
            return []
        views = []
        for graph in statement.asserted_in:
            key = (statement.subject, statement.predicate, statement.object, graph)
            for link in self.passages.get(key, []):
                paragraph = translate("Paragraph", self.name.lang)
                title = f"{paragraph} {link.number} · {self.name(link.document)}"
                citation = self.citations.numbers[graph]
                views.append(PassageView(link.number, page_url(link.iri), title, citation))
        return views

    def term(self, term: Term, statement: Statement | None = None) -> ValueView:
        inferred = statement.inferred if statement else False
        citations = self.citations.cite(statement) if statement else []
        passages = self.passage_views(statement)  # after cite(): it numbers the graphs
        cite = None
        if statement is not None and isinstance(statement.subject, ox.NamedNode):
            cite = cite_url(statement.subject.value, statement)
        if isinstance(term, ox.NamedNode):
            return ValueView(
                text=self.name(term.value),
                url=page_url(term.value),
                external=not is_local(term.value),
                inferred=inferred,
                citations=citations,
                passages=passages,
                cite_url=cite,
            )
        if isinstance(term, ox.Literal):
            return ValueView(
                text=self.name.literal(term),
                language=term.language or None,
                datatype=None if term.language else self.name(term.datatype.value),
                inferred=inferred,
                citations=citations,
                passages=passages,
                cite_url=cite,
            )
        view = ValueView(text="", inferred=inferred, citations=citations, passages=passages)
        items = self._list_items(term)
        if items is not None:
            view.items = [self.term(item) for item in items]
        else:
            view.nested = self.groups(self.description.about(term))
        return view

    def _list_items(self, node: Term | None) -> list[Term] | None:
        """Return the members of the RDF list starting at ``node``; ``None`` if it is no list."""
        items: list[Term] = []
        seen = set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            statements = {s.predicate.value: s.object for s in self.description.about(node)}
            if str(RDF.first) not in statements:
                return None
            items.append(statements[str(RDF.first)])
            node = statements.get(str(RDF.rest))
        return items if node == ox.NamedNode(str(RDF.nil)) else None

    def groups(self, statements: list[Statement], incoming: bool = False) -> list[GroupView]:
        by_property: dict[str, list[Statement]] = {}
        for statement in statements:
            by_property.setdefault(statement.predicate.value, []).append(statement)
        groups = []
        for predicate, members in by_property.items():
            values = [self.term(s.subject if incoming else s.object, s) for s in members]
            values.sort(key=lambda v: (v.inferred, v.text.casefold()))
            groups.append(GroupView(predicate, self.name(predicate), page_url(predicate), values))

        def order(group: GroupView) -> tuple:
            rank = FIRST_PROPERTIES.index(group.iri) if group.iri in FIRST_PROPERTIES else 99
            return (rank, group.label.casefold(), group.iri)

        return sorted(groups, key=order)


def kinds_of(description: Description, closure: dict[str, set[str]]) -> set[str]:
    """Return the kinds of page that fit the resource (class, organisation, event...)."""
    types = set(description.types())
    every = set(types).union(*(closure.get(t, set()) for t in types))
    kinds = set()
    if types & CLASS_TYPES:
        kinds.add("class")
    if types & PROPERTY_TYPES:
        kinds.add("property")
    checks = {
        "organisation": ORG.Organization,
        "event": SCHEMA.Event,
        "ranking-edition": IMT.RankingEdition,
        "figure": IMT.Figure,
        "scheme": SKOS.ConceptScheme,
    }
    kinds.update(kind for kind, cls in checks.items() if str(cls) in every)
    if description.is_graph:
        kinds.add("graph")
    return kinds


def best_literal(literals: list[object], lang: str) -> str | None:
    """Return the text of the literal in the reader's language (with the label fallbacks)."""
    texts = {(lit.language or ""): lit.value for lit in literals if isinstance(lit, ox.Literal)}
    return pick_label(texts, lang)


# -- Kind sections -------------------------------------------------------------------------------


@dataclass
class _KindData:
    """The records a page's kind sections show, read before the labels."""

    figures: list[page_data.Figure] = field(default_factory=list)
    memberships: list[page_data.Membership] = field(default_factory=list)
    events: list[page_data.TimelineEvent] = field(default_factory=list)
    entries: list[page_data.RankingEntry] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    triples: int | None = None
    uses: int | None = None

    def iris(self) -> list[str]:
        found: list[str] = list(self.subjects)
        for records in (self.figures, self.memberships, self.events, self.entries):
            for record in records:
                found += record.iris()
        return found


@dataclass(frozen=True)
class GraphFacts:
    """What pages look up in the graph whatever the resource, read once per app.

    :param labels: the label statements (:func:`imtkg.web.pages.describe.label_index`).
    :param closure: each class with its superclasses
    (:func:`imtkg.web.pages.page_data.superclasses`).
    :param memberships: the membership properties (:func:`page_data.membership_properties`).
    """

    labels: LabelIndex
    closure: dict[str, set[str]]
    memberships: page_data.MembershipProperties


def graph_facts(engine: QueryEngine) -> GraphFacts:
    """Read the :class:`GraphFacts` of the graph."""
    return GraphFacts(
        labels=label_index(engine),
        closure=page_data.superclasses(engine),
        memberships=page_data.membership_properties(engine),
    )


def _read_kind_data(
    engine: QueryEngine, description: Description, kinds: set[str], facts: GraphFacts
) -> _KindData:
    iri = description.iri
    data = _KindData()
    has_figures = description.objects(str(IMT.hasFigure)) or any(
        s.predicate.value == str(IMT.figureOf) for s in description.incoming
    )
    if has_figures or "figure" in kinds:
        data.figures = page_data.figures_of(engine, iri)
    if "organisation" in kinds:
        data.memberships = page_data.memberships_of(engine, iri, facts.memberships)
    if "event" in kinds:
        data.events = page_data.sub_events(engine, iri)
    if "ranking-edition" in kinds:
        data.entries = page_data.ranking_entries(engine, iri)
    if "graph" in kinds:
        data.subjects = page_data.graph_subjects(engine, iri)
        data.triples = page_data.graph_size(engine, iri)
    if "property" in kinds:
        data.uses = page_data.property_uses(engine, iri)
    return data


def figure_text(figure: page_data.Figure, name: Labeller) -> str:
    """Return a figure's value with its qualifier as stated: ``more than 2,350``, ``20–30%``."""
    lang = name.lang

    def number(value: float) -> str:
        return format_number(value, lang)

    if figure.unit == UNIT_PERCENT:
        suffix = "\u202f%" if lang == "fr" else "%"
    elif figure.unit and figure.unit != UNIT_COUNT:
        suffix = " " + name(figure.unit)
    else:
        suffix = ""
    if figure.min_value is not None and figure.max_value is not None:
        return f"{number(figure.min_value)}–{number(figure.max_value)}{suffix}"
    if figure.value is None:
        return ""
    qualifier = ""
    if figure.qualifier and figure.qualifier not in (QUALIFIER_EXACT, QUALIFIER_RANGE):
        qualifier = name(figure.qualifier) + " "
    return f"{qualifier}{number(figure.value)}{suffix}"


def time_text(point: page_data.TimePoint, name: Labeller) -> str:
    """Return a point in time for the reader: its date, else the source's words and status."""
    if point.literal is not None:
        return name.literal(point.literal)
    parts = []
    if point.stated is not None:
        words = point.stated.value
        parts.append(f"« {words} »" if name.lang == "fr" else f"“{words}”")
    if point.status:
        parts.append(f"({name(point.status)})")
    return " ".join(parts) or translate("not stated", name.lang)


def event_dates_text(event: page_data.TimelineEvent, name: Labeller) -> str:
    """Return an event's dates as stated: a day or span, possible days, or its status."""
    if event.start is not None:
        start = name.literal(event.start)
        end = name.literal(event.end) if event.end is not None else start
        return start if end == start else f"{start} – {end}"
    if event.possible:
        days = [name.literal(d) for d in event.possible]
        joined = f" {translate('or', name.lang)} ".join(days)
        status = f" ({name(event.status)})" if event.status else ""
        return joined + status
    if event.status:
        return name(event.status)
    return translate("no date stated", name.lang)


def _first_literal(values: Iterable[object]) -> ox.Literal | None:
    return next((v for v in values if isinstance(v, ox.Literal)), None)


def _timeline_items(events: list[page_data.TimelineEvent], name: Labeller) -> list[TimelineItem]:
    items = []
    for event in events:
        start = page_data.parse_date(event.start)
        possible = [d for d in map(page_data.parse_date, event.possible) if d]
        note = None
        if start is None:
            if event.status:
                note = name(event.status)
            elif not possible:
                note = translate("no date stated", name.lang)
        items.append(
            TimelineItem(
                label=name(event.iri),
                url=page_url(event.iri),
                depth=event.depth,
                start=start,
                end=page_data.parse_date(event.end) or start,
                possible=[] if start else possible,
                note=note,
            )
        )
    return items


def _membership_nodes(
    iri: str, memberships: list[page_data.Membership], name: Labeller
) -> list[NetworkNode]:
    nodes = []
    for membership in memberships:
        member_side = membership.member != iri
        other = membership.member if member_side else membership.organisation
        relation = name(membership.predicate) if membership.predicate else name(membership.role)
        note = None
        if membership.begin.known:
            note = f"{translate('since', name.lang)} {time_text(membership.begin, name)}"
        nodes.append(
            NetworkNode(
                label=name(other),
                url=page_url(other),
                member_side=member_side,
                relation=relation or translate("Member", name.lang),
                note=note,
                inferred=membership.inferred,
            )
        )
    return nodes


def _sections(
    description: Description, kinds: set[str], data: _KindData, name: Labeller
) -> dict[str, object]:
    lang = name.lang
    sections: dict[str, object] = {}
    if data.figures:
        sections["figures"] = [(f, figure_text(f, name)) for f in data.figures]
    if data.memberships:
        own = description.iri

        def order(membership: page_data.Membership) -> tuple:
            # first what the resource is a member of, then its members, each by name
            other = membership.organisation if membership.member == own else membership.member
            return (membership.member != own, name(other).casefold())

        sections["memberships"] = sorted(data.memberships, key=order)
        sections["network"] = network(
            name(description.iri),
            _membership_nodes(description.iri, data.memberships, name),
            translate("Membership network", lang),
            translate("inferred", lang),
        )
    if "event" in kinds:
        own_event = page_data.TimelineEvent(
            iri=description.iri,
            parent="",
            start=_first_literal(description.objects(str(SCHEMA.startDate))),
            end=_first_literal(description.objects(str(SCHEMA.endDate))),
            possible=sorted(
                (
                    o
                    for o in description.objects(str(IMT.possibleDate))
                    if isinstance(o, ox.Literal)
                ),
                key=lambda literal: literal.value,
            ),
            status=next((o.value for o in description.objects(str(IMT.dateStatus))), None),
        )
        sections["dates"] = event_dates_text(own_event, name)
    if data.events:
        sections["events"] = [(e, event_dates_text(e, name)) for e in data.events]
        sections["timeline"] = timeline(
            _timeline_items(data.events, name),
            translate("Timeline of the sub-events", lang),
            lambda day: format_short_date(day, lang),
        )
    if "ranking-edition" in kinds:
        sections["entries"] = data.entries
    if "graph" in kinds:
        subjects = sorted(data.subjects, key=lambda iri: name(iri).casefold())
        sections["graph"] = {"triples": data.triples, "subjects": subjects}
    if "property" in kinds:
        sections["uses"] = data.uses
    if "class" in kinds or "scheme" in kinds:
        sections["instances"] = _instances(description, kinds)
    return sections


def _instances(description: Description, kinds: set[str]) -> list[Statement]:
    """The statements that make a resource an instance of a class, or a concept of a scheme."""
    instance_of = RDF_TYPE if "class" in kinds else str(SKOS.inScheme)
    return [s for s in description.incoming if s.predicate.value == instance_of]


# -- schema.org ----------------------------------------------------------------------------------


def schema_org(description: Description, name: Labeller, url: str) -> dict:
    """Return schema.org JSON-LD about the resource for search engines.

    Its types are the resource's ``schema:`` types (asserted or inferred), its properties the
    ``schema:`` statements of the description, with linked resources named.
    """
    types = sorted(t[len(str(SCHEMA)) :] for t in description.types() if t.startswith(str(SCHEMA)))
    document: dict[str, object] = {
        "@context": "https://schema.org",
        "@id": description.iri,
        "@type": types if len(types) > 1 else (types[0] if types else "Thing"),
        "name": name(description.iri),
        "url": url,
    }
    text = best_literal(
        [o for p in DESCRIPTION_PROPERTIES for o in description.objects(p)], name.lang
    )
    if text:
        document["description"] = text
    for statement in description.outgoing:
        predicate = statement.predicate.value
        if not predicate.startswith(str(SCHEMA)) or statement.inferred:
            continue
        key = predicate[len(str(SCHEMA)) :]
        value = statement.object
        if isinstance(value, ox.NamedNode):
            item: object = (
                value.value
                if key in ("sameAs", "url")
                else {"@id": value.value, "name": name(value.value)}
            )
        elif isinstance(value, ox.Literal):
            item = value.value
        else:
            continue
        existing = document.get(key)
        if existing is None:
            document[key] = item
        elif isinstance(existing, list):
            existing.append(item)
        else:
            document[key] = [existing, item]
    return document


# -- Entry point ---------------------------------------------------------------------------------


def alternates(iri: str) -> list[Alternate]:
    """Return the documents about ``iri`` in every RDF format."""
    return [
        Alternate(FORMATS[ext].name, FORMATS[ext].media_type, document_url(iri, ext), ext)
        for ext in RDF_FORMATS
    ]


def term_alternates(iri: str) -> list[Alternate]:
    """Return the documents about an ontology term (``/ontology/Term.ttl``...)."""
    base = page_url(iri)[: -len(".html")]
    return [
        Alternate(FORMATS[ext].name, FORMATS[ext].media_type, f"{base}.{ext}", ext)
        for ext in RDF_FORMATS
    ]


def resource_view(
    engine: QueryEngine,
    description: Description,
    lang: str,
    facts: GraphFacts,
) -> ResourceView:
    """Build the page of ``description`` in ``lang``.

    :param facts: the graph's labels, class hierarchy... (:func:`graph_facts`).
    """
    kinds = kinds_of(description, facts.closure)
    data = _read_kind_data(engine, description, kinds, facts)
    missing = sorted({i for i in data.iris() if i not in description.labels})
    labels = dict(description.labels)
    labels.update(facts.labels.labels_for(missing))
    name = Labeller(labels, lang)
    builder = _Builder(description, name, statement_passages(engine, description.iri))
    iri = description.iri
    types = [s for s in description.outgoing if s.predicate.value == RDF_TYPE]
    own = [s for s in description.outgoing if s.predicate.value != RDF_TYPE]
    shown_elsewhere = {RDF_TYPE} if "class" in kinds else set()
    if "scheme" in kinds:
        shown_elsewhere.add(str(SKOS.inScheme))
    incoming = [s for s in description.incoming if s.predicate.value not in shown_elsewhere]
    type_values = [builder.term(s.object, s) for s in types]
    for value, statement in zip(type_values, types, strict=True):
        if value.external:  # standard vocabularies reuse names (org: and schema: Organization)
            value.text = short_name(statement.object.value)
    type_values.sort(key=lambda v: (v.inferred, v.text.casefold()))
    view = ResourceView(
        iri=iri,
        title=name(iri),
        lede=best_literal(
            [o for p in DESCRIPTION_PROPERTIES for o in description.objects(p)], lang
        ),
        types=type_values,
        groups=builder.groups(own),
        incoming=builder.groups(incoming, incoming=True),
        citations=[],
        alternates=term_alternates(iri) if "#" in iri else alternates(iri),
        kinds=kinds,
        schema_org=schema_org(description, name, page_url(iri)),
        name=name,
        incoming_truncated=description.incoming_truncated,
        sections=_sections(description, kinds, data, name),
        cite_url=cite_url(iri),
    )
    if "instances" in view.sections:
        values = [builder.term(s.subject, s) for s in _instances(description, kinds)]
        for value in values:  # a list of members, cited from each member's own page
            value.cite_url = None
        values.sort(key=lambda v: (v.inferred, v.text.casefold()))
        view.sections["instances"] = values
    view.citations = builder.citations.views(name)
    return view
