"""Membership and classification questions that only reasoning answers, asked both ways.

Each question is asked on the shipped graph through ``imtkg query`` (with and without
``--no-infer``) and through ``GET /sparql`` (with and without ``infer=false``): the sources
alone answer nothing, or less; with the OWL RL inferences the answer is the one written here,
worked out from the source graphs and the ontology.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from imtkg.cli import main
from imtkg.cli import query as cli_module
from imtkg.rdf.terms import shorten

GRAND_EST_MEMBERS = ["id:ensg", "id:eost", "id:gip-insic", "id:mines-nancy", "id:telecom-nancy"]
GRAND_EST_PARTNERS = [
    "id:institut-mines-telecom",
    "id:universite-de-lorraine",
    "id:universite-de-strasbourg",
]
IMT_SCHOOLS = [
    "id:imt-atlantique",
    "id:imt-business-school",
    "id:imt-mines-ales",
    "id:imt-nord-europe",
    "id:mines-saint-etienne",
]

#: name -> (query, answer from the sources alone, answer with the inferences); one row per tuple
QUESTIONS: dict[str, tuple[str, list[tuple[str, ...]], list[tuple[str, ...]]]] = {
    # alliance members are written as imt:hasAllianceMember, partners as founding partners and
    # membership records; all of them are org:memberOf the alliance
    "members of IMT Grand Est": (
        "SELECT ?m WHERE { ?m org:memberOf id:imt-grand-est }",
        [],
        sorted(
            [(m,) for m in GRAND_EST_MEMBERS + ["id:telecom-physique-strasbourg"]]
            + [(p,) for p in GRAND_EST_PARTNERS]
        ),
    ),
    "partners of IMT Grand Est": (
        "SELECT ?p WHERE { ?p imt:isPartnerOf id:imt-grand-est }",
        [],
        [(p,) for p in GRAND_EST_PARTNERS],
    ),
    "what IMT Mines Alès is a member of": (
        "SELECT ?o WHERE { id:imt-mines-ales org:memberOf ?o }",
        [],
        [("id:institut-mines-telecom",)],
    ),
    # no source gives IMT a membership record (the IMT Grand Est page names IMT a founding
    # partner, above, and dates no membership); Mines Saint-Étienne has one, in T.I.M.E.
    "where Mines Saint-Étienne holds a membership (membership records)": (
        "SELECT ?o WHERE { id:mines-saint-etienne imt:holdsMembershipIn ?o }",
        [],
        [("id:time-association",)],
    ),
    # only a record in force gives org:memberOf: IMT Atlantique's entry is announced
    "members of the T.I.M.E. Association (membership records in force)": (
        "SELECT ?m WHERE { id:time-association org:hasMember ?m }",
        [],
        [("id:mines-saint-etienne",)],
    ),
    "what the T.I.M.E. Association's records in force make their members a member of": (
        "SELECT ?m ?o WHERE { ?m org:memberOf ?o FILTER (?o = id:time-association) }",
        [],
        [("id:mines-saint-etienne", "id:time-association")],
    ),
    "members of the Franco-German Academy": (
        "SELECT ?m WHERE { id:franco-german-academy-industry-of-the-future org:hasMember ?m }",
        [],
        [("id:institut-mines-telecom",), ("id:technical-university-of-munich",)],
    ),
    "schools of IMT": (
        "SELECT ?s WHERE { ?s imt:isSchoolOf id:institut-mines-telecom }",
        [],
        [(s,) for s in IMT_SCHOOLS],
    ),
    "everything that is part of IMT, at any depth": (
        "SELECT ?x WHERE { ?x org:transitiveSubOrganizationOf id:institut-mines-telecom }",
        [],
        sorted(
            (s,)
            for s in [
                *IMT_SCHOOLS,
                "id:imt-mines-ales-incubator",
                "id:imt-mines-ales-research-laboratories",
                "id:la-rotonde",
            ]
        ),
    ),
    "schools affiliated with IMT through an alliance": (
        "SELECT ?x WHERE { ?x imt:isAffiliatedThroughAllianceWith id:institut-mines-telecom }",
        [],
        sorted([(m,) for m in GRAND_EST_MEMBERS + ["id:telecom-physique-strasbourg"]]),
    ),
    "people who are members of an organisation (heads)": (
        "SELECT ?p ?o WHERE { ?p a foaf:Person ; org:memberOf ?o }",
        [],
        [
            ("id:person/assia-tria", "id:imt-mines-ales"),
            ("id:person/odile-gauthier", "id:institut-mines-telecom"),
        ],
    ),
    "units of Mines Saint-Étienne": (
        "SELECT ?u WHERE { id:mines-saint-etienne org:hasUnit ?u }",
        [],
        [("id:la-rotonde",)],
    ),
    "double degrees with IMT Mines Alès (symmetric)": (
        "SELECT ?x WHERE { ?x imt:hasDoubleDegreeWith id:imt-mines-ales }",
        [],
        [("id:ecole-architecture-montpellier",), ("id:enscm",)],
    ),
    "colleges and universities (schema.org)": (
        "SELECT ?x WHERE { ?x a schema:CollegeOrUniversity }",
        [],
        sorted(
            [(s,) for s in IMT_SCHOOLS + GRAND_EST_MEMBERS + GRAND_EST_PARTNERS]
            + [
                ("id:ecole-architecture-montpellier",),
                ("id:enscm",),
                ("id:imt-mines-albi",),
                ("id:technical-university-of-munich",),
                ("id:telecom-physique-strasbourg",),
            ]
        ),
    ),
    "organisational collaborations (alliances and networks)": (
        "SELECT ?x WHERE { ?x a org:OrganizationalCollaboration }",
        [],
        [
            ("id:franco-german-academy-industry-of-the-future",),
            ("id:imt-affiliated-and-associated-schools",),
            ("id:imt-grand-est",),
            ("id:time-association",),
        ],
    ),
    "educational events of Industry Week": (
        "SELECT ?e WHERE { ?e a schema:EducationEvent }",
        [],
        [
            ("id:event/douai-public-workshops-2025",),
            ("id:event/douai-school-workshops-2025",),
            ("id:event/industry-week-2025-evry",),
            ("id:event/les-audacieuses-conference-2025",),
            ("id:event/mechatronics-platform-tour-2025",),
            ("id:event/welcome-to-createch-2025",),
        ],
    ),
    "places in Occitanie": (
        "SELECT ?p WHERE { id:place\\/occitanie schema:containsPlace ?p }",
        [],
        [
            ("id:place/bagnols-sur-ceze",),
            ("id:place/bassin-alesien",),
            ("id:place/montpellier",),
            ("id:place/nimes",),
            ("id:place/toulouse",),
        ],
    ),
    "kinds of organisation (subclasses of org:Organization)": (
        "SELECT ?c WHERE { ?c rdfs:subClassOf org:Organization }",
        [
            ("org:FormalOrganization",),
            ("org:OrganizationalCollaboration",),
            ("org:OrganizationalUnit",),
        ],
        [
            ("imt:AccreditationBody",),
            ("imt:Alliance",),
            ("imt:ArchitectureSchool",),
            ("imt:BusinessSchool",),
            ("imt:Committee",),
            ("imt:Company",),
            ("imt:EngineeringSchool",),
            ("imt:GovernanceBody",),
            ("imt:HigherEducationInstitution",),
            ("imt:Incubator",),
            ("imt:InstitutionGroup",),
            ("imt:MediaOrganization",),
            ("imt:Network",),
            ("imt:PublicBody",),
            ("imt:ResearchUnit",),
            ("imt:School",),
            ("imt:ScienceOutreachCentre",),
            ("imt:StartUp",),
            ("imt:University",),
            ("org:FormalOrganization",),
            ("org:OrganizationalCollaboration",),
            ("org:OrganizationalUnit",),
        ],
    ),
}

INFERRED_GRAPH_QUESTION = (
    "SELECT ?m WHERE { GRAPH <https://w3id.org/imt-kg/graph/inferred> "
    "{ ?m org:memberOf id:imt-grand-est } }"
)


def rows_of(results: dict) -> list[tuple[str, ...]]:
    """Turn SPARQL JSON results into sorted rows of short names."""
    names = results["head"]["vars"]
    return sorted(
        tuple(shorten(URIRef(b[n]["value"])) for n in names) for b in results["results"]["bindings"]
    )


@pytest.fixture
def ask_cli(kg, monkeypatch):
    """Ask ``imtkg query`` (on the session's knowledge graph) and return the rows."""
    monkeypatch.setattr(cli_module, "load_knowledge_graph", lambda: kg)
    runner = CliRunner()

    def ask(query: str, *options: str) -> list[tuple[str, ...]]:
        """Run ``imtkg query --format json [options] query`` and return its rows."""
        result = runner.invoke(main, ["query", "--format", "json", *options, query])
        assert result.exit_code == 0, result.output
        return rows_of(json.loads(result.output))

    return ask


def ask_http(client, query: str, **params: str) -> list[tuple[str, ...]]:
    """Ask ``GET /sparql`` and return the rows."""
    response = client.get(
        "/sparql",
        query_string={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return rows_of(response.json)


def test_there_are_at_least_twelve_questions():
    """The issue asks for at least twelve questions whose answers need reasoning."""
    assert len(QUESTIONS) >= 12
    assert all(asserted != inferred for _, asserted, inferred in QUESTIONS.values())


@pytest.mark.parametrize("name", QUESTIONS)
def test_question_on_the_command_line(ask_cli, name):
    """``imtkg query`` answers with the inferences; ``--no-infer`` only with the sources."""
    query, asserted, inferred = QUESTIONS[name]
    assert ask_cli(query, "--no-infer") == asserted
    assert ask_cli(query) == inferred
    assert ask_cli(query, "--infer") == inferred


@pytest.mark.parametrize("name", QUESTIONS)
def test_question_on_the_endpoint(one_worker_client, name):
    """``GET /sparql`` answers with the inferences; ``infer=false`` only with the sources."""
    query, asserted, inferred = QUESTIONS[name]
    assert ask_http(one_worker_client, query, infer="false") == asserted
    assert ask_http(one_worker_client, query) == inferred


def test_inferred_graph_is_queryable_by_name(one_worker_client, ask_cli):
    """GRAPH graph:inferred holds the inferred memberships; infer=false hides the graph."""
    query, _, inferred = QUESTIONS["members of IMT Grand Est"]
    assert ask_http(one_worker_client, INFERRED_GRAPH_QUESTION) == inferred
    assert ask_cli(INFERRED_GRAPH_QUESTION) == inferred
    assert ask_http(one_worker_client, INFERRED_GRAPH_QUESTION, infer="false") == []
    assert ask_cli(INFERRED_GRAPH_QUESTION, "--no-infer") == []


def test_inferred_graph_holds_no_asserted_answer(one_worker_client):
    """An asserted fact (the alliance lists its members) is not repeated in graph:inferred."""
    asserted = (
        "SELECT ?m WHERE { GRAPH <https://w3id.org/imt-kg/graph/inferred> "
        "{ id:imt-grand-est imt:hasAllianceMember ?m } }"
    )
    assert ask_http(one_worker_client, asserted) == []


#: ORG consumers read the records: both stay org:Membership with member, organisation and status
RECORDS_OF_TIME = (
    "SELECT ?m ?status WHERE { ?r a org:Membership ; org:member ?m ; "
    "org:organization id:time-association ; imt:membershipStatus ?status }"
)


@pytest.mark.parametrize("options", [(), ("--no-infer",)])
def test_records_of_time_keep_member_organisation_and_status(ask_cli, options):
    """Both T.I.M.E. records are queryable as ORG records, with their status, inferred or not."""
    assert ask_cli(RECORDS_OF_TIME, *options) == [
        ("id:imt-atlantique", "id:concept/membership-status/announced"),
        ("id:mines-saint-etienne", "id:concept/membership-status/in-force"),
    ]


def test_an_announced_membership_gives_no_plain_membership(one_worker_client):
    """IMT Atlantique is not org:memberOf T.I.M.E. (announced); Mines Saint-Étienne is (in
    force)."""
    ask = (
        "SELECT ?x WHERE {{ BIND({s} AS ?x) "
        "FILTER EXISTS {{ {s} org:memberOf id:time-association }} }}"
    )
    assert ask_http(one_worker_client, ask.format(s="id:imt-atlantique")) == []
    assert ask_http(one_worker_client, ask.format(s="id:mines-saint-etienne")) == [
        ("id:mines-saint-etienne",)
    ]
