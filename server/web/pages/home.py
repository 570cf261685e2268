"""The home page: what the graph holds (counts per class, named graphs and their sources) and
where to start (IMT, its schools, the alliances, the events, the rankings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from imtkg.core.namespaces import IMT, INFERRED_GRAPH, ONTOLOGY_GRAPH
from imtkg.query.interface import QueryEngine
from imtkg.web.i18n import translate
from imtkg.web.linked_data import page_url
from imtkg.web.pages import page_data
from imtkg.web.pages.describe import LabelIndex, SourceCatalogue
from imtkg.web.pages.diagrams import Bar, bar_chart
from imtkg.web.pages.labels import Labeller

#: the licence of the data
LICENSE_IRI = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"


@dataclass
class HomeData:
    """What the home page shows, read once per app (it does not depend on the language)."""

    class_counts: dict[str, int]
    graph_sizes: dict[str, int]
    documents: dict[str, list[str]]
    entry_points: page_data.EntryPoints
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        """The number of triples of all named graphs."""
        return sum(self.graph_sizes.values())


def home_data(engine: QueryEngine, catalogue: SourceCatalogue, labels: LabelIndex) -> HomeData:
    """Read the counts, the named graphs, the entry points and their labels."""
    data = HomeData(
        class_counts=page_data.class_counts(engine),
        graph_sizes=page_data.graph_sizes(engine),
        documents=catalogue.documents,
        entry_points=page_data.entry_points(engine),
    )
    iris = set(data.class_counts) | set(data.graph_sizes) | set(data.entry_points.iris())
    iris |= {d for docs in data.documents.values() for d in docs}
    data.labels = labels.labels_for(sorted(iris))
    return data


@dataclass
class GraphRow:
    """A named graph on the home page."""

    iri: str
    label: str
    url: str
    triples: int
    documents: list[tuple[str, str]]


Link = tuple[str, str]


@dataclass
class HomeView:
    """The home page in one language; links are ``(label, url)`` sorted by label."""

    name: Labeller
    chart: str
    counts: list[tuple[str, str, int]]
    graphs: list[GraphRow]
    data: HomeData
    imt: Link
    schools: list[Link]
    alliances: list[Link]
    events: list[tuple[str, str, str]]
    rankings: list[tuple[str, str, list[Link]]]


def _links(name: Labeller, iris: list[str]) -> list[Link]:
    return sorted(((name(i), page_url(i)) for i in iris), key=lambda link: link[0].casefold())


def project_classes(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Return the project's own classes (``imt:``) with instances, most instances first."""
    mine = [(c, n) for c, n in counts.items() if c.startswith(str(IMT)) and n]
    return sorted(mine, key=lambda item: (-item[1], item[0]))


def home_view(data: HomeData, lang: str) -> HomeView:
    """Build the home page of ``data`` in ``lang``."""
    name = Labeller(data.labels, lang)
    classes = project_classes(data.class_counts)
    chart = bar_chart(
        [Bar(name(c), n, page_url(c)) for c, n in classes],
        translate("Counts of resources per class (asserted and inferred types)", lang),
        ident="class-counts",
    )
    counts = [(name(c), page_url(c), n) for c, n in classes]
    special = (str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH))
    graphs = [
        GraphRow(
            iri=g,
            label=name(g),
            url=page_url(g),
            triples=n,
            documents=[(name(d), page_url(d)) for d in data.documents.get(g, [])],
        )
        for g, n in sorted(data.graph_sizes.items(), key=lambda i: (i[0] in special, i[0]))
    ]
    points = data.entry_points
    events = sorted(
        (name(e), page_url(e), name.literal(start) if start is not None else "")
        for e, start in points.events
    )
    rankings = sorted(
        (name(r), page_url(r), _links(name, editions)) for r, editions in points.rankings
    )
    return HomeView(
        name=name,
        chart=chart,
        counts=counts,
        graphs=graphs,
        data=data,
        imt=(name(page_data.IMT_IRI), page_url(page_data.IMT_IRI)),
        schools=_links(name, points.schools),
        alliances=_links(name, points.alliances),
        events=events,
        rankings=rankings,
    )
