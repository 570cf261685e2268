"""``POST /shacl``: RDF in every format, negotiated reports, with=shipped, errors, over real HTTP.

The app serves ``tests/shapes/served`` (a served group, school and document, in the catalogue)
with the shipped ontology; bodies are limited to 8 KiB to exercise 413.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from sparql_support import COUNT_QUERY, live_server

from imtkg.core.namespaces import SH
from imtkg.rdf.reading import parse_text
from imtkg.shacl.results import IMTSH
from imtkg.web.endpoints.shacl import SLOTS_KEY, VALIDATION_SLOTS
from imtkg.web.state import EXTENSION_KEY

SERVED = Path(__file__).resolve().parent / "shapes" / "served"
MAX_BODY = 8192
SERVED_ID = "https://w3id.org/imt-kg/id/test/served/"
FIGURE_IRI = URIRef(SERVED_ID + "figure")


def figure(value: str) -> str:
    """Return Turtle of a figure about the served school, from the served document."""
    return f"""@prefix c: <https://w3id.org/imt-kg/id/concept/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix imt: <https://w3id.org/imt-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix served: <{SERVED_ID}> .

served:figure a imt:Figure ;
    rdfs:label "Students of the served school: 12"@en , "Élèves de l'école servie : 12"@fr ;
    imt:figureOf served:school ; imt:measure c:measure\\/students ;
    imt:value {value} ; imt:unit c:unit\\/count ; imt:qualifier c:qualifier\\/exact ;
    imt:statedAs "12 students"@en ;
    dcterms:source served:document .
"""


#: a figure whose value is an integer (a wrong datatype) and whose links need the served graph
WRONG = figure("12")
#: the same figure, right once the served graph is there
RIGHT = figure("12.0")
#: (focus node, source shape) of the violations of WRONG validated alone
WRONG_ALONE = [
    (str(FIGURE_IRI), str(IMTSH.DanglingReferenceShape)),
    (str(FIGURE_IRI), str(IMTSH.DanglingReferenceShape)),
    (str(FIGURE_IRI), str(IMTSH["FigureShape-source-class"])),
    (str(FIGURE_IRI), str(IMTSH["FigureShape-value"])),
]


@pytest.fixture(scope="module")
def app_settings():
    """The module's app (conftest.py) is on the served test graph and the shipped ontology,
    8 KiB bodies at most."""
    return {"ONTOLOGY_DIR": None, "GRAPH_DIR": SERVED, "MAX_BODY": MAX_BODY}


@pytest.fixture(scope="module")
def base_url(app):
    """The base URL of a waitress server of the module's app on loopback."""
    with live_server(app) as url:
        yield url


def violations(data: bytes | str, rdflib_format: str = "turtle") -> list[tuple[str, str]]:
    """Return (focus node, source shape) of each violation of a SHACL report, sorted."""
    report = parse_text(data, rdflib_format).default_graph
    return sorted(
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceShape)))
        for r in report.objects(None, SH.result)
        if report.value(r, SH.resultSeverity) == SH.Violation
    )


def conforms(data: bytes, rdflib_format: str = "turtle") -> bool:
    """Return the sh:conforms of a SHACL report."""
    report = parse_text(data, rdflib_format).default_graph
    return report.value(report.value(None, RDF.type, SH.ValidationReport), SH.conforms).toPython()


def post(client, body: str | bytes, content_type: str = "text/turtle", query: str = "", **kw):
    """POST a body to /shacl with the test client."""
    return client.post("/shacl" + query, data=body, content_type=content_type, **kw)


# -- Reports ---------------------------------------------------------------------------------


def test_turtle_report_by_default(client):
    """Without Accept, the standard report comes as Turtle, with the verdict in headers."""
    response = post(client, WRONG)
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert response.headers["X-SHACL-Conforms"] == "false"
    assert response.headers["X-SHACL-Violations"] == "4"
    assert response.headers["X-SHACL-Warnings"] == "0"
    assert "Accept" in response.headers["Vary"]
    assert conforms(response.data) is False
    assert violations(response.data) == WRONG_ALONE


def test_json_ld_report_by_format_parameter(client):
    """format=jsonld chooses JSON-LD whatever the Accept header says."""
    response = post(client, WRONG, query="?format=jsonld", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    json.loads(response.data)
    assert violations(response.data, "json-ld") == WRONG_ALONE


def test_json_ld_is_chosen_by_accept_before_validating(client):
    """Accept application/ld+json is honoured (an unparsable body shows it without validating)."""
    response = post(client, "<a> <b> .", headers={"Accept": "application/ld+json"})
    assert response.status_code == 400


def test_html_report_for_people(client):
    """A browser gets a page: the verdict, then each focus node with its results."""
    response = post(client, WRONG, headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "SHACL validation: the data does NOT conform (4 violations, 0 warnings)." in page
    assert "id:test/served/figure</span> — Students of the served school: 12" in page
    assert (
        "A figure has at most one imt:value, an xsd:decimal: write 30.0, not 30 or "
        "&#34;30&#34;." in page
    )
    assert '<td class="Violation">Violation</td>' in page
    assert "&#34;12&#34;^^xsd:integer" in page


def test_no_acceptable_report_format_is_406(client):
    """A client that accepts none of Turtle, JSON-LD and HTML gets 406."""
    response = post(client, WRONG, headers={"Accept": "application/xml"})
    assert response.status_code == 406
    assert response.get_data(as_text=True) == (
        "406 Not Acceptable: reports are offered as text/turtle, application/ld+json, text/html\n"
    )


@pytest.mark.parametrize(
    "content_type,rdflib_format",
    [
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_every_rdf_format_is_read_by_content_type(client, content_type, rdflib_format):
    """The same data sent in each triple format gives the same violations (TriG: below)."""
    body = Graph().parse(data=WRONG, format="turtle").serialize(format=rdflib_format)
    response = post(client, body, content_type=content_type)
    assert response.status_code == 200
    assert violations(response.data) == WRONG_ALONE


def test_named_graph_sent_in_trig_must_be_in_the_catalogue(client):
    """A named graph of facts sent in TriG is reported when the catalogue does not describe it."""
    body = "<https://w3id.org/imt-kg/graph/sent> {\n" + RIGHT.split("\n\n")[1] + "}\n"
    body = RIGHT.split("\n\n")[0] + "\n" + body
    response = post(client, body, content_type="application/trig", query="?with=shipped")
    assert response.status_code == 200
    assert violations(response.data) == [
        ("https://w3id.org/imt-kg/graph/sent", str(IMTSH.NamedGraphShape)),
        ("https://w3id.org/imt-kg/graph/sent", str(IMTSH["NamedGraphShape-wasDerivedFrom"])),
    ]


# -- With the served graph -------------------------------------------------------------------


def test_with_shipped_validates_in_context(client):
    """Alone, links to the served graph dangle; with=shipped the data conforms."""
    alone = post(client, RIGHT)
    together = post(client, RIGHT, query="?with=shipped")
    assert violations(alone.data) == [
        (str(FIGURE_IRI), str(IMTSH.DanglingReferenceShape)),
        (str(FIGURE_IRI), str(IMTSH.DanglingReferenceShape)),
        (str(FIGURE_IRI), str(IMTSH["FigureShape-source-class"])),
    ]
    assert together.headers["X-SHACL-Conforms"] == "true"
    assert conforms(together.data) is True
    assert violations(together.data) == []


def test_unknown_with_value_is_400(client):
    """with= takes shipped (or served); anything else is refused."""
    response = post(client, RIGHT, query="?with=everything")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "400 Bad Request: unknown with='everything'; use with=shipped\n"
    )


def test_nothing_sent_changes_the_served_data(client, app):
    """Validating data that names a served graph leaves the store and the dataset unchanged."""

    def count() -> int:
        response = client.get("/sparql", query_string={"query": COUNT_QUERY})
        return int(response.json["results"]["bindings"][0]["n"]["value"])

    dataset = app.extensions[EXTENSION_KEY].kg.dataset
    before = (count(), sum(len(g) for g in dataset.graphs()))
    body = RIGHT.split("\n\n")[0] + "\n<https://w3id.org/imt-kg/graph/schools> {\n"
    body += RIGHT.split("\n\n")[1] + "}\n"
    assert post(client, body, "application/trig", "?with=shipped").status_code == 200
    assert (count(), sum(len(g) for g in dataset.graphs())) == before


# -- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type,body,message",
    [
        (
            "text/turtle",
            figure("12.0").replace("imt:unit c:unit\\/count", "imt:unit u:count"),
            "<request body>:10:31: Turtle syntax error: The prefix u: has not been declared",
        ),
        (
            "application/trig",
            "<https://a.example/g> {\n  <https://a.example/s> <https://a.example/p> .\n}\n",
            "<request body>:2:47: TriG syntax error: . is not a valid RDF object",
        ),
        (
            "application/n-quads",
            "<https://a.example/s> <https://a.example/p> <https://a.example/o> .\n<oops> .\n",
            "<request body>:2:1: N-Quads syntax error: "
            "No scheme found in an absolute IRI in <oops>",
        ),
    ],
)
def test_unparsable_body_is_400_with_the_line(client, content_type, body, message):
    """A syntax error answers 400 with the parser's message, line and column, in the format
    sent (and the IRI, when an IRI is wrong)."""
    response = post(client, body, content_type=content_type)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == f"400 Bad Request: {message}\n"


def test_ill_typed_literal_is_reported_not_a_server_error(client):
    """A decimal written with a comma is reported (datatype, not a whole count), not a 500."""
    body = figure('"12,0"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    response = post(client, body, query="?with=shipped")
    assert response.status_code == 200
    assert violations(response.data) == [
        (str(FIGURE_IRI), str(IMTSH.CountShape)),
        (str(FIGURE_IRI), str(IMTSH["FigureShape-value"])),
    ]


def test_validator_stopping_is_422_with_a_message(client, monkeypatch):
    """If pyshacl stops on the data instead of reporting, the client is told why (422)."""
    from imtkg.shacl.validation import ValidationFailed
    from imtkg.web.endpoints import shacl as shacl_service

    def stops(*args, **kwargs):
        raise ValidationFailed("the validator stopped on this data (TypeError: test)")

    monkeypatch.setattr(shacl_service, "validate_dataset", stops)
    response = post(client, RIGHT)
    assert response.status_code == 422
    assert response.get_data(as_text=True) == (
        "422 Unprocessable Entity: the validator stopped on this data (TypeError: test)\n"
    )


def test_unknown_content_type_is_415(client):
    """A body whose media type is not an RDF format the project reads gets 415."""
    response = post(client, "a,b\n", content_type="text/csv")
    assert response.status_code == 415
    assert response.get_data(as_text=True).startswith(
        "415 Unsupported Media Type: cannot read text/csv; send one of application/json, "
    )


def test_empty_body_is_400(client):
    """There must be something to validate."""
    response = post(client, "  \n")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "400 Bad Request: the request has no RDF to validate\n"
    )


def test_body_over_the_limit_is_413(client):
    """A body over MAX_BODY is refused before it is parsed."""
    response = post(client, "# " + "x" * MAX_BODY + "\n")
    assert response.status_code == 413


def test_busy_validator_answers_503(client, app):
    """When every validation slot is taken, a request is refused at once with Retry-After."""
    with app.app_context():
        from imtkg.web.endpoints.shacl import validation_slots

        slots = validation_slots()
    taken = [slots.acquire(blocking=False) for _ in range(VALIDATION_SLOTS)]
    try:
        assert taken == [True] * VALIDATION_SLOTS
        response = post(client, RIGHT)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
    finally:
        for _ in taken:
            slots.release()
    assert app.extensions[EXTENSION_KEY].extra[SLOTS_KEY] is slots


# -- The form --------------------------------------------------------------------------------


def test_form_page_and_form_post(client):
    """GET /shacl is a form; posting it (with the served graph) answers the HTML report."""
    page = client.get("/shacl")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert '<textarea id="data" name="data"' in page.get_data(as_text=True)
    response = client.post(
        "/shacl?format=html",
        data={"data": RIGHT, "format": "text/turtle", "with": "shipped"},
    )
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["X-SHACL-Conforms"] == "true"
    text = response.get_data(as_text=True)
    assert "SHACL validation: the data conforms (0 violations, 0 warnings)." in text
    assert "Validated together with the served graph" in text


# -- Over HTTP -------------------------------------------------------------------------------


def http(url: str, body: bytes | None = None, headers: dict | None = None):
    """Send a request; return (status, headers, body) whatever the status."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_over_http_report_and_verdict(base_url):
    """A real HTTP client posts Turtle and gets the Turtle report with the verdict."""
    status, headers, body = http(
        base_url + "/shacl", WRONG.encode(), {"Content-Type": "text/turtle; charset=utf-8"}
    )
    assert status == 200
    assert headers["Content-Type"].startswith("text/turtle")
    assert headers["X-SHACL-Violations"] == "4"
    assert violations(body) == WRONG_ALONE


def test_over_http_oversized_body_is_413(base_url):
    """Over HTTP too, a body over MAX_BODY gets 413."""
    status, _, _ = http(base_url + "/shacl", b"#" * (MAX_BODY + 1), {"Content-Type": "text/turtle"})
    assert status == 413


def test_over_http_concurrent_validations_leave_the_endpoint_unchanged(base_url):
    """Concurrent with=shipped validations all answer (200 or 503) and the data stays the same."""
    count_url = base_url + "/sparql?" + urllib.parse.urlencode({"query": COUNT_QUERY})
    accept = {"Accept": "application/sparql-results+json"}

    def count() -> int:
        status, _, body = http(count_url, headers=accept)
        assert status == 200
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    before = count()
    statuses: list[int] = []

    def one() -> None:
        status, _, _ = http(
            base_url + "/shacl?with=shipped", RIGHT.encode(), {"Content-Type": "text/turtle"}
        )
        statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(VALIDATION_SLOTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(set(statuses)) in ([200], [200, 503])
    assert statuses.count(200) >= 1
    assert count() == before
    assert Literal(before).toPython() > 0
