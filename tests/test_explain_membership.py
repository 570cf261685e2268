"""Why a membership is or is not derived (records, statuses, passages), and on a given date.

IMT Atlantique's entry into the T.I.M.E. Association is announced (imt-strategy-2023-2027,
paragraph 18): its record gives no ``org:memberOf``, and ``imtkg explain`` and ``/explain`` say
so, naming the record, its status, the rule and the paragraph. Mines Saint-Étienne's record, in
force since 2021, gives one: the derivation comes with the record's status and the paragraphs
that state the premises.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from linked_data_support import parse_html

from imtkg.cli import main
from imtkg.cli import reasoning as reasoning_cli
from imtkg.reasoning.membership_status import outcome_on

ATLANTIQUE = ["id:imt-atlantique", "org:memberOf", "id:time-association"]
SAINT_ETIENNE = ["id:mines-saint-etienne", "org:memberOf", "id:time-association"]
STRATEGY_18 = "id:passage/imt-strategy-2023-2027/paragraph-18"
PASSAGE_18 = "https://w3id.org/imt-kg/id/passage/imt-strategy-2023-2027/paragraph-18"
RULE = (
    "Why: only a membership record in force gives org:memberOf: imt:holdsMembershipIn (a "
    "sub-property of org:memberOf) is the chain imt:hasMembership o imt:organizationInForce, and "
    "a record names its organisation with imt:organizationInForce only when its status is in force."
)


@pytest.fixture
def cli(kg, monkeypatch) -> CliRunner:
    """A CLI runner whose commands use the session's knowledge graph instead of reloading it."""
    monkeypatch.setattr(reasoning_cli, "load_knowledge_graph", lambda: kg)
    return CliRunner()


def explain_url(s: str, p: str, o: str) -> str:
    """The /explain URL of a triple."""
    return f"/explain?s={s}&p={p}&o={o}"


def test_cli_says_why_an_announced_membership_is_not_derived(cli):
    """Not entailed (exit 1): the record, its status, the rule, its start and its paragraph."""
    result = cli.invoke(main, ["explain", *ATLANTIQUE])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "id:imt-atlantique org:memberOf id:time-association does not hold: it is neither "
        "asserted nor inferred",
        RULE,
        "  record id:membership/imt-atlantique-time: status announced, gives no org:memberOf "
        "(no imt:organizationInForce); start: “dès cette année” (stated, no calendar date)",
        f"    stated in paragraph 18 of id:source/imt-strategy-2023-2027 ({STRATEGY_18})",
    ]


def test_cli_json_names_the_announced_record(cli):
    """``--format json``: holds false, the record with its status and passage."""
    body = json.loads(cli.invoke(main, ["explain", *ATLANTIQUE, "--format", "json"]).output)
    assert body["holds"] is False
    assert body["why"][0] == RULE
    assert body["membershipRecords"] == [
        {
            "record": "https://w3id.org/imt-kg/id/membership/imt-atlantique-time",
            "status": "https://w3id.org/imt-kg/id/concept/membership-status/announced",
            "statusLabel": "announced",
            "inForce": False,
            "start": "“dès cette année” (stated, no calendar date)",
            "passages": [
                {
                    "passage": PASSAGE_18,
                    "paragraph": 18,
                    "document": "https://w3id.org/imt-kg/id/source/imt-strategy-2023-2027",
                    "graph": "https://w3id.org/imt-kg/graph/imt-strategy-2023-2027",
                }
            ],
        }
    ]


def test_cli_derivation_of_a_membership_in_force_names_status_and_passages(cli):
    """Derived (exit 0): the chain through imt:organizationInForce, the record in force since
    2021, and the paragraph of each premise."""
    result = cli.invoke(main, ["explain", *SAINT_ETIENNE])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "id:mines-saint-etienne org:memberOf id:time-association"
    assert (
        "    axiom: imt:holdsMembershipIn owl:propertyChainAxiom "
        "( imt:hasMembership imt:organizationInForce )"
    ) in lines
    start = lines.index("Membership records:")
    assert lines[start:] == [
        "Membership records:",
        "  record id:membership/mines-saint-etienne-time: status in force, gives org:memberOf "
        "(imt:organizationInForce); start: 2021",
        f"    stated in paragraph 18 of id:source/imt-strategy-2023-2027 ({STRATEGY_18})",
        "Passages of the source documents:",
        "  id:membership/mines-saint-etienne-time org:member id:mines-saint-etienne",
        f"    paragraph 18 of id:source/imt-strategy-2023-2027 ({STRATEGY_18})",
        "  id:membership/mines-saint-etienne-time imt:organizationInForce id:time-association",
        f"    paragraph 18 of id:source/imt-strategy-2023-2027 ({STRATEGY_18})",
    ]


def test_cli_shows_passages_of_premises_for_any_derivation(cli):
    """Outside memberships too, each premise stated by a source graph comes with its paragraph."""
    result = cli.invoke(main, ["explain", "id:mines-nancy", "org:memberOf", "id:imt-grand-est"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "Membership records:" not in lines
    start = lines.index("Passages of the source documents:")
    assert lines[start + 1 : start + 3] == [
        "  id:imt-grand-est imt:hasAllianceMember id:mines-nancy",
        "    paragraph 4 of id:source/imt-grand-est (id:passage/imt-grand-est/paragraph-4)",
    ]


def test_http_404_names_the_announced_record(one_worker_client):
    """``/explain`` answers 404 for the announced membership, with why, in JSON and text."""
    response = one_worker_client.get(explain_url(*ATLANTIQUE) + "&format=json")
    assert response.status_code == 404
    assert response.json["why"][0] == RULE
    assert [r["status"] for r in response.json["membershipRecords"]] == [
        "https://w3id.org/imt-kg/id/concept/membership-status/announced"
    ]
    text = one_worker_client.get(explain_url(*ATLANTIQUE), headers={"Accept": "text/turtle"})
    assert text.status_code == 404
    assert text.get_data(as_text=True).splitlines()[1] == RULE


def test_http_html_links_the_record_and_its_passage(one_worker_client):
    """The HTML page of a derived membership lists the record (in force) and links paragraph 18,
    which dereferences."""
    response = one_worker_client.get(explain_url(*SAINT_ETIENNE), headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = parse_html(response.data)
    records = page.findall(".//li[@class='membership-record']")
    assert [r.get("data-status") for r in records] == [
        "https://w3id.org/imt-kg/id/concept/membership-status/in-force"
    ]
    links = {a.get("href") for a in page.iter("a") if a.get("class") == "passage"}
    assert links == {"http://localhost/id/passage/imt-strategy-2023-2027/paragraph-18.html"}
    passage = one_worker_client.get("/id/passage/imt-strategy-2023-2027/paragraph-18.ttl")
    assert passage.status_code == 200


def test_http_json_of_a_derived_membership_lists_passages(one_worker_client):
    """JSON: holds true, the record in force, and one passage per located premise."""
    response = one_worker_client.get(explain_url(*SAINT_ETIENNE) + "&format=json")
    assert response.status_code == 200
    body = response.json
    assert [r["inForce"] for r in body["membershipRecords"]] == [True]
    assert sorted((p["triple"], p["paragraph"]) for p in body["passages"]) == [
        ("id:membership/mines-saint-etienne-time imt:organizationInForce id:time-association", 18),
        ("id:membership/mines-saint-etienne-time org:member id:mines-saint-etienne", 18),
    ]


@pytest.mark.parametrize(
    ("on", "start", "in_force", "outcome"),
    [
        ("2022-01-01", "2021", True, "member"),
        ("2021-12-31", "2021", True, "member"),
        ("2021-12-30", "2021", True, "unknown"),
        ("2020-12-31", "2021", True, "not a member"),
        ("2021-09-30", "2021-09", True, "member"),
        ("2021-09-15", "2021-09", True, "unknown"),
        ("2021-08-31", "2021-09", True, "not a member"),
        ("2021-09-01", "2021-09-01", True, "member"),
        ("2021-08-31", "2021-09-01", True, "not a member"),
        ("2022-01-01", "2021", False, "unknown"),
        ("2020-01-01", "2021", False, "not a member"),
        ("2022-01-01", None, True, "unknown"),
    ],
)
def test_outcome_on_a_date(on: str, start: str | None, in_force: bool, outcome: str):
    """A start to the day, month or year decides outside it; an announced record is never a
    member; no calendar start is unknown."""
    assert outcome_on(date.fromisoformat(on), start, in_force) == outcome
