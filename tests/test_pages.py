"""Pages for people: valid HTML5, labels in the reader's language, links, kinds, diagrams."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from linked_data_support import (
    ID,
    SERVED,
    by_id,
    client,
    elements,
    find_all,
    first,
    links,
    outside_resources,
    parse_html,
    select,
    text_of,
)

import imtkg
from imtkg.web.i18n import FRENCH
from imtkg.web.pages.diagrams import Bar, NetworkNode, TimelineItem, bar_chart, network, timeline

PAGES = [
    "/",
    "/id/imt-mines-ales.html",
    "/id/institut-mines-telecom.html",
    "/id/imt-grand-est.html",
    "/id/person/assia-tria.html",
    "/id/event/industry-week-2025.html",
    "/id/ranking/the-impact-ranking-2021.html",
    "/id/figure/imt-grand-est-students.html",
    "/id/concept/audience/students.html",
    "/id/concept/qualifier.html",
    "/id/source/imt-grand-est.html",
    "/graph/imt-grand-est.html",
    "/graph/inferred.html",
    "/ontology/School.html",
    "/ontology/hasSchool.html",
    "/ontology.html",
    "/id/does-not-exist.html",
]


def page(path: str, **headers: str):
    """GET ``path`` and parse the page strictly."""
    response = client().get(path, headers=headers)
    return response, parse_html(response.data)


def rows(table) -> list[list[str]]:
    """Return the text of each body row's cells."""
    return [[text_of(td) for td in tr.iter("td")] for tr in table.find("tbody").iter("tr")]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_valid_html5_using_no_outside_resource(path: str):
    """Every kind of page parses as HTML5 without error and loads nothing from elsewhere."""
    response, doc = page(path)
    assert response.status_code == (404 if "does-not-exist" in path else 200)
    assert response.mimetype == "text/html"
    assert doc.get("lang") == "en"
    ids = [e.get("id") for e in elements(doc, "*") if e.get("id")]
    assert sorted(ids) == sorted(set(ids))
    assert outside_resources(doc) == []
    stylesheets = [link.get("href") for link in find_all(doc, "link", rel="stylesheet")]
    assert stylesheets == ["/static/css/site.css"]
    stylesheet = client().get(stylesheets[0])
    stylesheet.close()
    assert stylesheet.status_code == 200


def test_layout_has_navigation_language_switch_and_licence():
    """The base layout links the site's sections, switches language and states the licence."""
    _, doc = page("/id/imt-mines-ales.html")
    nav = links(doc.find(".//nav"))
    assert nav == {
        "Home": SERVED,
        "Schools": SERVED + "#schools",
        "Alliances": SERVED + "#alliances",
        "Events": SERVED + "#events",
        "Rankings": SERVED + "#rankings",
        "Ontology": SERVED + "ontology.html",
        "SPARQL workbench": SERVED + "sparql",
        "VoID": SERVED + ".well-known/void",
        "Releases": SERVED + "releases/",
    }
    switch = {a.get("hreflang"): a.get("href") for a in doc.iter("a") if a.get("hreflang")}
    assert switch == {
        "en": "/id/imt-mines-ales.html?lang=en",
        "fr": "/id/imt-mines-ales.html?lang=fr",
    }
    licence = find_all(doc, "a", rel="license")[0]
    assert (text_of(licence), licence.get("href")) == (
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )


def test_language_follows_accept_language_switch_and_cookie():
    """Accept-Language picks the language; ?lang= overrides it and is remembered in a cookie."""
    path = "/id/imt-mines-ales-incubator.html"
    _, english = page(path)
    assert text_of(english.find(".//h1")) == "IMT Mines Alès incubator"
    response, french = page(path, **{"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert french.get("lang") == "fr"
    assert text_of(french.find(".//h1")) == "Incubateur de l'IMT Mines Alès"
    assert response.headers["Content-Language"] == "fr"
    assert "Accept-Language" in response.vary
    reader = client()
    switched = reader.get(path + "?lang=fr")
    assert "lang=fr" in switched.headers["Set-Cookie"]
    remembered = parse_html(reader.get(path).data)
    assert text_of(remembered.find(".//h1")) == "Incubateur de l'IMT Mines Alès"
    back = parse_html(reader.get(path + "?lang=en", headers={"Accept-Language": "fr"}).data)
    assert text_of(back.find(".//h1")) == "IMT Mines Alès incubator"


def test_resource_page_shows_types_properties_sources_and_alternates():
    """A resource page: title, types (inferred marked), labelled properties, incoming links,
    the sources cited with their documents, alternates and schema.org JSON-LD."""
    _, doc = page("/id/imt-mines-ales.html")
    assert text_of(doc.find(".//h1")) == "IMT Mines Alès"
    types = {text_of(first(li, "a")): li for li in doc.find(".//ul[@class='types']")}
    assert types["Engineering school"].get("class") is None
    assert text_of(types["Engineering school"].find("sup")) == "[1] ¶\u202f2 ¶\u202f11"
    assert types["org:Organization"].get("class") == "inferred"
    assert text_of(types["org:Organization"]) == "org:Organization inferred"
    properties = by_id(doc, "properties")
    labels = [text_of(dt) for dt in properties.iter("dt")]
    assert "has a double degree with" in labels and "founding date" not in labels
    assert links(properties)["Montpellier school of architecture"] == (
        SERVED + "id/ecole-architecture-montpellier.html"
    )
    incoming = by_id(doc, "incoming")
    assert links(incoming)["Assia Tria"] == SERVED + "id/person/assia-tria.html"
    sources = by_id(doc, "sources")
    cited = links(sources)
    assert cited["Facts from 'Industry Week 2025 at IMT'"] == (
        SERVED + "graph/industry-week-2025.html"
    )
    assert cited["Industry Week 2025 at IMT"] == (
        SERVED + "id/source/industry-week-2025-at-imt.html"
    )
    alternates = {
        link.get("type"): link.get("href") for link in find_all(doc, "link", rel="alternate")
    }
    assert alternates == {
        "text/turtle": SERVED + "id/imt-mines-ales.ttl",
        "application/ld+json": SERVED + "id/imt-mines-ales.jsonld",
        "application/n-triples": SERVED + "id/imt-mines-ales.nt",
        "application/rdf+xml": SERVED + "id/imt-mines-ales.rdf",
        "application/trig": SERVED + "id/imt-mines-ales.trig",
        "application/n-quads": SERVED + "id/imt-mines-ales.nq",
    }
    script = find_all(doc, "script", type="application/ld+json")[0]
    schema = json.loads(script.text)
    assert schema["@context"] == "https://schema.org"
    assert schema["@id"] == ID + "imt-mines-ales"
    assert schema["name"] == "IMT Mines Alès"
    assert "CollegeOrUniversity" in schema["@type"]
    assert schema["foundingDate"] == "1843"
    assert "https://ror.org/03e8rf594" in schema["sameAs"]


def test_inferred_statements_are_marked():
    """A statement only the reasoner derives is marked inferred and cites no source."""
    _, doc = page("/id/imt-mines-ales.html")
    inferred = [dd for dd in by_id(doc, "properties").iter("dd") if dd.get("class") == "inferred"]
    texts = [text_of(dd) for dd in inferred]
    assert "Institut Mines-Télécom inferred" in texts
    assert all(not dd.findall(".//sup") for dd in inferred)


def test_organisation_shows_memberships_with_dates_and_network():
    """An organisation lists its memberships (records with dates, direct statements) and
    draws its membership network."""
    _, doc = page("/id/imt-mines-ales.html")
    section = by_id(doc, "memberships")
    table = rows(section.find(".//table"))
    assert [
        "IMT Mines Alès",
        "member school of Membership record",
        "Institut Mines-Télécom",
        "member school",
        "in force",
        "2017",
        "",
    ] in table
    svg = first(section, "svg")
    assert svg.get("role") == "img"
    node_texts = [text_of(t) for t in elements(svg, "text")]
    assert "Institut Mines-Télécom" in node_texts
    assert "since 2017" in node_texts
    assert "member school of" in node_texts  # the legend


def test_alliance_network_shows_members_and_founding_partners():
    """An alliance's network shows its members and its founding partners; the page that states
    them dates no partnership and gives it no status, so neither is shown."""
    _, doc = page("/id/imt-grand-est.html")
    table = rows(by_id(doc, "memberships").find(".//table"))
    partner = ["University of Lorraine", "founding partner of", "IMT Grand Est", "", "", "", ""]
    assert partner in table
    assert ["Mines Nancy", "alliance member of", "IMT Grand Est", "", "", "", ""] in table


def test_event_timeline_keeps_uncertain_dates_uncertain():
    """Sub-events with precise dates are bars; possible dates are hollow marks, and a date to
    be confirmed is written, never drawn as a date."""
    _, doc = page("/id/event/industry-week-2025.html")
    section = by_id(doc, "sub-events")
    table = {r[0]: r[1:] for r in rows(section.find(".//table"))}
    assert table["Tour of the Mechatronics Platform"] == [
        "19 November 2025 or 20 November 2025 (one of several possible dates)",
        "Nov. 19 or 20",
    ]
    assert table["Mines Saint-Étienne's programme on industry, innovation and society"] == [
        "to be confirmed",
        "dates to be confirmed",
    ]
    assert table["IMT Nord Europe's three days on the industrial transition"] == [
        "20 November 2025 – 22 November 2025",
        "",
    ]
    svg = first(section, "svg")
    groups = {first(g, "a").get("href"): g for g in find_all(svg, "g", **{"class": "row"})}
    tour = groups[SERVED + "id/event/mechatronics-platform-tour-2025.html"]
    assert len(find_all(tour, "rect", **{"class": "possible"})) == 2
    assert find_all(tour, "rect", **{"class": "bar"}) == []
    confirmed = groups[SERVED + "id/event/industry-week-2025-saint-etienne.html"]
    assert find_all(confirmed, "rect") == []
    assert "to be confirmed" in [text_of(t) for t in elements(confirmed, "text")]
    b2b = groups[SERVED + "id/event/douai-b2b-meetings-2025.html"]
    assert len(find_all(b2b, "rect", **{"class": "bar"})) == 1


def test_ranking_edition_lists_its_entries():
    """A ranking edition shows its entries: rank in scope, trend, first appearance."""
    _, doc = page("/id/ranking/the-impact-ranking-2021.html")
    table = rows(by_id(doc, "entries").find(".//table"))
    assert table[0] == [
        "IMT Atlantique",
        "1 (France)",
        "progressed or maintained its position",
        "IMT Atlantique in the THE Impact Ranking 2021",
    ]
    assert [
        "Institut Mines-Télécom Business School",
        "",
        "new entry · first appearance",
        "Institut Mines-Télécom Business School in the THE Impact Ranking 2021",
    ] in table
    assert len(table) == 4


@pytest.mark.parametrize(
    ("figure", "lang", "value"),
    [
        ("imt-grand-est-students", "en", "more than 2,350"),
        ("imt-grand-est-students", "fr", "plus de 2\u202f350"),
        ("industry-week-2025-ales-participants", "en", "nearly 1,300"),
        ("france-additional-engineers-needed", "en", "20–30%"),
        ("france-additional-engineers-needed", "fr", "20–30\u202f%"),
        ("imt-grand-est-teacher-researchers", "en", "184"),
    ],
)
def test_figure_shows_its_value_with_its_qualifier(figure: str, lang: str, value: str):
    """A figure shows its value qualified as stated, written in the reader's language."""
    _, doc = page(f"/id/figure/{figure}.html?lang={lang}")
    shown = find_all(by_id(doc, "figure"), "p", **{"class": "figure-value"})
    assert [text_of(p) for p in shown] == [value]


def test_figures_of_a_resource_are_listed_with_their_values():
    """A resource with figures lists them with their qualified values and stated words."""
    _, doc = page("/id/imt-grand-est.html")
    table = {r[0]: r[1:] for r in rows(by_id(doc, "figures").find(".//table"))}
    assert table["Students of IMT Grand Est: over 2,350"] == [
        "more than 2,350",
        "over 2,350 students",
    ]


def test_class_page_lists_its_instances_and_links_to_the_documentation():
    """The page of imt:School lists its instances (inferred ones marked) and its docs section."""
    _, doc = page("/ontology/School.html")
    assert text_of(doc.find(".//h1")) == "School"
    section = by_id(doc, "instances")
    items = {text_of(li): li.get("class") for li in section.iter("li")}
    assert items["IMT Mines Alès inferred"] == "inferred"
    found = select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/imt-kg/ontology#School> }"
    )
    assert len(items) == int(found[0]["n"])
    assert links(section)["Documentation in the ontology"] == SERVED + "ontology.html#School"


def test_property_page_counts_its_uses():
    """A property's page counts the statements that use it."""
    _, doc = page("/ontology/hasSchool.html")
    found = select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/imt-kg/ontology#hasSchool> ?o }"
    )
    assert text_of(by_id(doc, "uses").find(".//strong")) == found[0]["n"]


def test_named_graph_page_counts_triples_and_lists_resources():
    """A named graph's page gives its size, its source document and what it describes."""
    _, doc = page("/graph/imt-grand-est.html")
    size = select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/imt-kg/graph/imt-grand-est> "
        "{ ?s ?p ?o } }"
    )
    section = by_id(doc, "graph-contents")
    assert text_of(section.find(".//strong")) == size[0]["n"]
    assert links(section)["IMT Grand Est"] == SERVED + "id/imt-grand-est.html"
    assert links(by_id(doc, "properties"))["IMT Grand-Est"] == (
        SERVED + "id/source/imt-grand-est.html"
    )


def test_home_page_says_what_the_graph_holds_and_where_to_start():
    """The home page counts triples and resources per class, lists the named graphs with
    their documents, and links IMT, its schools, alliances, events, rankings and queries."""
    _, doc = page("/")
    total = select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    assert text_of(doc.find(".//strong[@class='total-triples']")) == total
    counts = {r[0]: r[1] for r in rows(by_id(doc, "class-counts"))}
    schools = select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/imt-kg/ontology#School> }"
    )
    assert counts["School"] == schools[0]["n"]
    chart = find_all(doc, "svg", **{"aria-labelledby": "class-counts-title"})[0]
    assert "School" in [text_of(t) for t in elements(chart, "text")]
    graphs = {r[0]: r[1:] for r in rows(by_id(doc, "named-graphs"))}
    grand_est = select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/imt-kg/graph/imt-grand-est> "
        "{ ?s ?p ?o } }"
    )[0]["n"]
    assert graphs["Facts from 'IMT Grand-Est'"] == ["IMT Grand-Est", grand_est]
    entry = links(by_id(doc, "entry-points"))
    assert entry["Institut Mines-Télécom"] == SERVED + "id/institut-mines-telecom.html"
    assert links(by_id(doc, "imt"))["IMT Mines Alès"] == SERVED + "id/imt-mines-ales.html"
    assert links(by_id(doc, "alliances"))["IMT Grand Est"] == SERVED + "id/imt-grand-est.html"
    assert links(by_id(doc, "events"))["Industry Week 2025"] == (
        SERVED + "id/event/industry-week-2025.html"
    )
    assert links(by_id(doc, "rankings"))["THE Impact Ranking 2021"] == (
        SERVED + "id/ranking/the-impact-ranking-2021.html"
    )
    assert entry["Example queries"] == SERVED + "queries"
    assert entry["SPARQL endpoint and workbench"] == SERVED + "sparql"
    assert entry["Dataset description (VoID)"] == SERVED + ".well-known/void"


def test_home_page_in_french():
    """The home page speaks French to a French reader."""
    _, doc = page("/?lang=fr")
    assert text_of(doc.find(".//h1")) == "Graphe de connaissances de l'IMT"
    assert text_of(by_id(doc, "holdings").find("h2")) == "Ce que contient le graphe"


# -- Diagrams ------------------------------------------------------------------------------------


def test_timeline_is_deterministic_and_never_dates_the_undated():
    """The same items give the same SVG; only precisely dated items get bars."""
    items = [
        TimelineItem("Opening", "/a", start=date(2025, 11, 17), end=date(2025, 11, 18)),
        TimelineItem(
            "Visit",
            "/b",
            possible=[date(2025, 11, 19), date(2025, 11, 20)],
            note="one of several possible dates",
        ),
        TimelineItem("Fair", "/c", note="to be confirmed"),
    ]
    svg = timeline(items, "Timeline", lambda d: f"{d.day}/{d.month}")
    assert svg == timeline(items, "Timeline", lambda d: f"{d.day}/{d.month}")
    doc = parse_html(f"<!DOCTYPE html><html><head><title>t</title></head><body>{svg}</body></html>")
    assert len(find_all(doc, "rect", **{"class": "bar"})) == 1
    assert len(find_all(doc, "rect", **{"class": "possible"})) == 2
    texts = [text_of(t) for t in elements(doc, "text")]
    assert texts[:4] == ["17/11", "18/11", "19/11", "20/11"]
    assert "to be confirmed" in texts


def test_network_places_members_left_and_memberships_right():
    """Members of the centre are drawn on the left, what it belongs to on the right."""
    nodes = [
        NetworkNode("School B", "/b", member_side=True, relation="member school of"),
        NetworkNode("School A", "/a", member_side=True, relation="member school of"),
        NetworkNode(
            "Alliance",
            "/x",
            member_side=False,
            relation="founding partner of",
            note="since 2018",
            inferred=True,
        ),
    ]
    svg = network("Group", nodes, "Network", "inferred")
    doc = parse_html(f"<!DOCTYPE html><html><head><title>t</title></head><body>{svg}</body></html>")
    circles = {a.get("href"): first(a, "circle") for a in elements(doc, "a")}
    assert float(circles["/a"].get("cx")) < float(circles["/x"].get("cx"))
    assert float(circles["/a"].get("cy")) < float(circles["/b"].get("cy"))
    dashed = [line for line in elements(doc, "line") if line.get("stroke-dasharray")]
    assert len(dashed) == 2  # the inferred link and the legend's sample
    assert "since 2018" in [text_of(t) for t in elements(doc, "text")]


def test_bar_chart_scales_bars_to_the_largest_count():
    """Bars are proportional to their counts, the largest one full width."""
    svg = bar_chart([Bar("A", 10, "/a"), Bar("B", 5)], "Counts")
    doc = parse_html(f"<!DOCTYPE html><html><head><title>t</title></head><body>{svg}</body></html>")
    widths = [float(r.get("width")) for r in elements(doc, "rect")]
    assert widths == [440.0, 220.0]


@pytest.mark.parametrize(
    ("event", "dates"),
    [
        ("industry-week-2025", "17 November 2025 – 23 November 2025"),
        (
            "mechatronics-platform-tour-2025",
            "19 November 2025 or 20 November 2025 (one of several possible dates)",
        ),
        ("industry-week-2025-saint-etienne", "to be confirmed"),
        ("industry-week-2025-ales", "no date stated"),
    ],
)
def test_event_page_states_its_own_dates_as_known(event: str, dates: str):
    """An event's page gives its dates as precisely as the sources do, and no more."""
    _, doc = page(f"/id/event/{event}.html")
    assert [text_of(s) for s in find_all(doc, "span", **{"class": "dates"})] == [dates]


def test_every_message_of_the_pages_has_a_french_translation():
    """Each English message the linked-data templates translate has its French text."""
    templates = Path(imtkg.__file__).parent / "web" / "templates"
    files = [templates / "base.html", *sorted((templates / "pages").glob("*.html"))]
    messages = {
        m for f in files for m in re.findall(r"""_\((["'])(.+?)\1\)""", f.read_text("utf-8"))
    }
    messages = {text for _, text in messages}
    assert len(messages) > 60
    assert sorted(m for m in messages if m not in FRENCH) == []


def test_concept_scheme_lists_its_concepts():
    """A concept scheme's page lists its concepts, linked to their pages."""
    _, doc = page("/id/concept/qualifier.html")
    section = by_id(doc, "instances")
    assert text_of(section.find("h2")) == "Concepts (5)"
    assert links(section) == {
        "[1]": "#source-1",  # each concept's scheme membership cites the ontology graph
        "around": SERVED + "id/concept/qualifier/around.html",
        "between": SERVED + "id/concept/qualifier/range.html",
        "exactly": SERVED + "id/concept/qualifier/exact.html",
        "more than": SERVED + "id/concept/qualifier/more-than.html",
        "nearly": SERVED + "id/concept/qualifier/nearly.html",
    }


# -- Passage locators next to each statement ----------------------------------------------------


def passage_links(doc) -> list[tuple[str, str, str]]:
    """Return (text of the value, footnote, passage URL) for each passage link of a page."""
    found = []
    for dd in doc.iter("dd"):
        for sup in dd.iter("sup"):
            for a in sup.iter("a"):
                if a.get("class") == "passage":
                    footnote = text_of(sup.find("a"))
                    found.append((text_of(dd).split("[")[0], footnote, a.get("href")))
    return found


def test_each_statement_links_the_paragraph_that_states_it():
    """Next to its footnote, the founding date 1843 links paragraph 4 of the 2022 interview."""
    response, doc = page("/id/imt-mines-ales.html")
    assert response.status_code == 200
    founded = [link for link in passage_links(doc) if link[0] == "1843"]
    assert founded == [
        ("1843", "[1]", SERVED + "id/passage/imt-mines-ales-interview-2022/paragraph-4.html")
    ]
    citation = by_id(doc, "source-1")
    assert "Interview of Assia Tria on IMT Mines Alès" in text_of(citation)


def test_a_statement_stated_by_two_documents_links_a_paragraph_of_each():
    """A statement asserted in several graphs gets each graph's paragraphs after its footnote."""
    _, doc = page("/id/imt-mines-ales.html")
    label = [(n, url) for text, n, url in passage_links(doc) if text == "IMT Mines Alès en"]
    footnotes = sorted({n for n, _ in label})
    assert len(footnotes) >= 2
    documents = {url.split("/passage/")[1].split("/")[0] for _, url in label}
    assert len(documents) == len(footnotes)


@pytest.mark.parametrize(
    "path", ["/id/imt-mines-ales.html", "/id/time-association.html", "/id/imt-grand-est.html"]
)
def test_every_passage_link_of_a_page_dereferences(path: str):
    """Each passage a page links is a resource whose page answers 200 and names its number."""
    _, doc = page(path)
    urls = sorted({url for _, _, url in passage_links(doc)})
    assert urls
    for url in urls:
        response, passage = page(url.removeprefix(SERVED[:-1]))
        assert response.status_code == 200, url
        number = url.rsplit("paragraph-", 1)[1].removesuffix(".html")
        assert text_of(first(passage, "h1")).startswith(f"Paragraph {number} of ")


def test_inferred_statements_link_no_paragraph():
    """An inferred statement has no footnote and so no passage link."""
    _, doc = page("/id/imt-mines-ales.html")
    for dd in doc.iter("dd"):
        if "inferred" in (dd.get("class") or ""):
            assert [a for a in dd.iter("a") if a.get("class") == "passage"] == []


# -- Members on a date (?at=) -------------------------------------------------------------------


def members_on_date(path: str, **headers: str) -> list[tuple[str, str]]:
    """Return (member IRI, outcome) for each row of the page's members-on-a-date table."""
    response, doc = page(path, **headers)
    assert response.status_code == 200
    section = by_id(doc, "members-on-date")
    return [(tr.get("data-member"), tr.get("data-outcome")) for tr in section.iter("tr")][1:]


@pytest.mark.parametrize(
    ("on", "saint_etienne"),
    [("2022-01-01", "member"), ("2021-06-01", "unknown"), ("2020-12-31", "not a member")],
)
def test_members_of_time_on_a_date(on: str, saint_etienne: str):
    """Mines Saint-Étienne (in force, since 2021): member after 2021, unknown during it, not a
    member before; IMT Atlantique (announced, "this year" of an undated article): unknown."""
    assert members_on_date(f"/id/time-association.html?at={on}") == [
        (ID + "imt-atlantique", "unknown"),
        (ID + "mines-saint-etienne", saint_etienne),
    ]


def test_members_of_imt_on_a_date_include_undated_schools_as_unknown():
    """IMT Mines Alès (record since 2017) was a member on 1 January 2022; the schools that the
    sources name without a date are unknown."""
    assert members_on_date("/id/institut-mines-telecom.html?at=2022-01-01") == [
        (ID + "imt-atlantique", "unknown"),
        (ID + "imt-business-school", "unknown"),
        (ID + "imt-mines-ales", "member"),
        (ID + "imt-nord-europe", "unknown"),
        (ID + "mines-saint-etienne", "unknown"),
    ]
    assert members_on_date("/id/institut-mines-telecom.html?at=2016-06-30")[2] == (
        ID + "imt-mines-ales",
        "not a member",
    )


def test_members_on_a_date_in_french():
    """The outcome and the headings read in the reader's language."""
    response, doc = page("/id/time-association.html?at=2022-01-01&lang=fr")
    section = by_id(doc, "members-on-date")
    assert text_of(first(section, "h2")) == "Membres au 2022-01-01"
    outcomes = [text_of(td) for td in section.iter("td") if td.get("class") == "outcome"]
    assert outcomes == ["inconnu", "membre"]


def test_the_iri_keeps_the_date_through_the_303():
    """``/id/<org>?at=`` answers 303 to the page with the same date."""
    response = client().get("/id/time-association?at=2022-01-01", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/id/time-association.html?at=2022-01-01"


@pytest.mark.parametrize("value", ["2022-13-01", "yesterday", "2022-1-1", "", "20220101"])
def test_a_bad_date_is_a_400_naming_the_parameter(value: str):
    """A value that is not YYYY-MM-DD is a 400 that names the parameter, in every format."""
    for path in ("/id/time-association.html", "/id/time-association.ttl"):
        response = client().get(path, query_string={"at": value})
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert body.startswith(f"400 Bad Request: parameter at: {value!r} is not a date")


def test_without_a_date_the_page_has_no_members_table():
    """Only ``?at=`` adds the table; the page's ETag differs with the date."""
    response, doc = page("/id/time-association.html")
    assert doc.find(".//section[@id='members-on-date']") is None
    dated = client().get("/id/time-association.html?at=2022-01-01")
    assert dated.headers["ETag"] != response.headers["ETag"]
