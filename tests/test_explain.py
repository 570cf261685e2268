"""Explanations: why an inferred triple holds, down to asserted triples and their documents."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from imtkg.cli import main
from imtkg.cli import reasoning as reasoning_cli
from imtkg.core.namespaces import GRAPH, ID, IMT, INFERRED_GRAPH, ONTOLOGY_GRAPH, ORG, SCHEMA
from imtkg.reasoning.explanation import Explainer, Statement, explanation_text
from imtkg.reasoning.rl_reasoner import RULES, RLClosure
from tests.owl2rl.strategies import ontologies

TSO = ORG.transitiveSubOrganizationOf
GRAND_EST_PAGE = (
    "https://telecomnancy.univ-lorraine.fr/lecole/instances-and-networks/imt-grand-est/?lang=en"
)


@pytest.fixture(scope="module")
def explainer(kg) -> Explainer:
    """An explainer of the shipped knowledge graph."""
    return Explainer(kg.dataset)


@pytest.fixture
def cli(kg, monkeypatch) -> CliRunner:
    """A CLI runner whose commands use the session's knowledge graph instead of reloading it."""
    monkeypatch.setattr(reasoning_cli, "load_knowledge_graph", lambda: kg)
    return CliRunner()


def leaves(explanation) -> list[tuple]:
    """The asserted triples an explanation rests on, in depth-first order."""
    return [leaf.triple for leaf in explanation.leaves()]


def graphs_of(explanation) -> list[URIRef]:
    """The named graphs stating an asserted triple."""
    return [s.graph for s in explanation.statements]


def test_inverse_prp_inv2(explainer):
    """A school of IMT (isSchoolOf) comes from IMT's hasSchool, stated by three documents."""
    target = (ID["mines-saint-etienne"], IMT.isSchoolOf, ID["institut-mines-telecom"])
    explanation = explainer.explain(target)
    assert explanation.rules() == ["prp-inv2"]
    stated = (ID["institut-mines-telecom"], IMT.hasSchool, ID["mines-saint-etienne"])
    assert leaves(explanation) == [(IMT.isSchoolOf, OWL.inverseOf, IMT.hasSchool), stated]
    assert graphs_of(explanation.premises[0]) == [
        GRAPH["imt-strategy-2023-2027"],
        GRAPH["industry-week-2025"],
        GRAPH["the-impact-ranking-2021"],
    ]
    assert [d.iri for d in explanation.documents()] == [
        ID["source/imt-strategy-2023-2027"],
        ID["source/industry-week-2025-at-imt"],
        ID["source/the-impact-ranking-2021"],
    ]


def test_inverse_prp_inv1(explainer):
    """org:siteOf is the inverse of the asserted org:hasSite (the first property of the axiom)."""
    site = ID["place/hub-creativite"]
    explanation = explainer.explain((site, ORG.siteOf, ID["imt-mines-ales"]))
    assert explanation.rules() == ["prp-inv1"]
    assert leaves(explanation) == [
        (ORG.hasSite, OWL.inverseOf, ORG.siteOf),
        (ID["imt-mines-ales"], ORG.hasSite, site),
    ]
    assert graphs_of(explanation.axioms[0]) == [ONTOLOGY_GRAPH]
    assert graphs_of(explanation.premises[0]) == [GRAPH["imt-mines-ales-interview-2022"]]


def test_sub_property_after_inverse(explainer):
    """Mines Nancy is a member of IMT Grand Est: hasAllianceMember inverted, then generalised."""
    explanation = explainer.explain((ID["mines-nancy"], ORG.memberOf, ID["imt-grand-est"]))
    assert explanation.rules() == ["prp-spo1", "prp-inv2"]
    assert leaves(explanation) == [
        (IMT.isAllianceMemberOf, RDFS.subPropertyOf, ORG.memberOf),
        (IMT.isAllianceMemberOf, OWL.inverseOf, IMT.hasAllianceMember),
        (ID["imt-grand-est"], IMT.hasAllianceMember, ID["mines-nancy"]),
    ]
    stated = explanation.premises[0].premises[0]
    assert stated.statements == (
        Statement(
            GRAPH["imt-grand-est"],
            "Facts from 'IMT Grand-Est'",
            (stated.statements[0].documents[0],),
        ),
    )
    document = stated.statements[0].documents[0]
    assert (document.iri, document.label, document.url) == (
        ID["source/imt-grand-est"],
        "IMT Grand-Est",
        GRAND_EST_PAGE,
    )


def test_property_chain_through_a_membership_record(explainer):
    """IMT Mines Alès holds a membership in IMT through its membership record (prp-spo2)."""
    target = (ID["imt-mines-ales"], IMT.holdsMembershipIn, ID["institut-mines-telecom"])
    explanation = explainer.explain(target)
    assert explanation.rules() == ["prp-spo2", "prp-inv2"]
    assert explanation.axioms[0].chain == (IMT.hasMembership, IMT.organizationInForce)
    record = ID["membership/imt-mines-ales-institut-mines-telecom"]
    assert leaves(explanation)[1:] == [
        (IMT.hasMembership, OWL.inverseOf, ORG.member),
        (record, ORG.member, ID["imt-mines-ales"]),
        (record, IMT.organizationInForce, ID["institut-mines-telecom"]),
    ]
    assert leaves(explanation)[0][:2] == (IMT.holdsMembershipIn, OWL.propertyChainAxiom)
    assert [d.iri for d in explanation.documents()] == [ID["source/imt-mines-ales-interview-2022"]]


def test_transitive_sub_organisation_via_mines_saint_etienne(explainer):
    """La Rotonde is (transitively) part of IMT: a unit of Mines Saint-Étienne, a school of IMT."""
    explanation = explainer.explain((ID["la-rotonde"], TSO, ID["institut-mines-telecom"]))
    assert explanation.rules() == [
        "prp-trp",
        "prp-spo1",
        "prp-spo1",
        "prp-spo1",
        "scm-spo",
        "prp-inv2",
    ]
    assert [p.triple for p in explanation.premises] == [
        (ID["la-rotonde"], TSO, ID["mines-saint-etienne"]),
        (ID["mines-saint-etienne"], TSO, ID["institut-mines-telecom"]),
    ]
    assert leaves(explanation) == [
        (TSO, RDF.type, OWL.TransitiveProperty),
        (ORG.subOrganizationOf, RDFS.subPropertyOf, TSO),
        (ORG.unitOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
        (ID["la-rotonde"], ORG.unitOf, ID["mines-saint-etienne"]),
        (IMT.isSchoolOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
        (IMT.isSchoolOf, OWL.inverseOf, IMT.hasSchool),
        (ID["institut-mines-telecom"], IMT.hasSchool, ID["mines-saint-etienne"]),
    ]


def test_subclass(explainer):
    """The T.I.M.E. Association is an alliance because it is a network (cax-sco)."""
    explanation = explainer.explain((ID["time-association"], RDF.type, IMT.Alliance))
    assert explanation.rules() == ["cax-sco"]
    assert leaves(explanation) == [
        (IMT.Network, RDFS.subClassOf, IMT.Alliance),
        (ID["time-association"], RDF.type, IMT.Network),
    ]
    assert graphs_of(explanation.premises[0]) == [GRAPH["imt-strategy-2023-2027"]]


def test_asserted_triple_names_its_sources(explainer):
    """An asserted triple is explained by the graph and document that state it, no rule."""
    explanation = explainer.explain((ID["imt-grand-est"], IMT.hasAllianceMember, ID["mines-nancy"]))
    assert explanation.rule is None and explanation.asserted
    assert graphs_of(explanation) == [GRAPH["imt-grand-est"]]
    assert [d.iri for d in explanation.statements[0].documents] == [ID["source/imt-grand-est"]]


def test_triple_that_does_not_hold(explainer):
    """A triple neither asserted nor inferred has no explanation."""
    assert explainer.explain((ID["mines-nancy"], ORG.memberOf, ID["imt-atlantique"])) is None


def test_every_inferred_triple_is_explained_down_to_asserted_triples(kg, explainer):
    """Each triple of graph:inferred has a cycle-free derivation whose leaves are asserted."""

    def check(node, path):
        """Check ``node`` and its descendants; ``path`` holds the triples above it."""
        assert node.triple not in path
        if node.asserted:
            return
        assert node.rule in RULES and node.children()
        for child in node.children():
            check(child, path | {node.triple})

    inferred = list(kg.dataset.graph(INFERRED_GRAPH))
    for triple in inferred:
        explanation = explainer.explain(triple)
        assert explanation is not None and not explanation.asserted
        check(explanation, frozenset())
        assert all(leaf.statements for leaf in explanation.leaves())
    assert len(inferred) > 500


def test_text_of_a_subclass_explanation(explainer):
    """The terminal text shows the rule, the axiom, the premise and where they are stated."""
    explanation = explainer.explain((ID["time-association"], RDF.type, IMT.Alliance))
    document = explanation.premises[0].statements[0].documents[0]
    source = f'id:source/imt-strategy-2023-2027 "{document.label}"'
    assert explanation_text(explanation) == "\n".join(
        [
            "id:time-association rdf:type imt:Alliance",
            "  inferred by rule cax-sco: an instance of a class is an instance of its superclasses",
            "  axiom: imt:Network rdfs:subClassOf imt:Alliance",
            "    asserted in graph:ontology (the ontology)",
            "  premise: id:time-association rdf:type imt:Network",
            f"    asserted in graph:imt-strategy-2023-2027; source: {source} <{document.url}>",
            "",
            "Rests on 2 asserted triples, from:",
            f"  {source}",
        ]
    )
    assert document.label == "IMT's new strategy and the transitions (L'Étudiant – EducPros)"


def test_cli_explains_an_inference(cli):
    """``imtkg explain`` prints the derivation tree and exits 0."""
    result = cli.invoke(main, ["explain", "id:mines-nancy", "org:memberOf", "id:imt-grand-est"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:3] == [
        "id:mines-nancy org:memberOf id:imt-grand-est",
        "  inferred by rule prp-spo1: a sub-property implies its super-property",
        "  axiom: imt:isAllianceMemberOf rdfs:subPropertyOf org:memberOf",
    ]
    assert "  premise: id:mines-nancy imt:isAllianceMemberOf id:imt-grand-est" in lines
    source = f'id:source/imt-grand-est "IMT Grand-Est" <{GRAND_EST_PAGE}>'
    assert f"      asserted in graph:imt-grand-est; source: {source}" in lines


def test_cli_accepts_full_iris_a_and_literals(cli):
    """Full IRIs, ``a`` and Turtle literals are read; a literal inference is explained too."""
    figure = "<https://w3id.org/imt-kg/id/figure/imt-grand-est-partners>"
    result = cli.invoke(main, ["explain", figure, "schema:value", '"3.0"^^xsd:decimal'])
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == (
        "  inferred by rule prp-spo1: a sub-property implies its super-property"
    )
    result = cli.invoke(main, ["explain", figure, "imt:value", "3.0"])
    assert result.exit_code == 0
    assert result.output.splitlines()[1].startswith("  asserted in graph:imt-grand-est; source:")
    result = cli.invoke(main, ["explain", "id:time-association", "a", "imt:Alliance"])
    assert result.exit_code == 0 and "cax-sco" in result.output


def test_cli_json_and_turtle(cli):
    """``--format json`` nests the derivation; ``--format turtle`` writes it with PROV-O."""
    args = ["explain", "id:mines-nancy", "org:memberOf", "id:imt-grand-est"]
    body = json.loads(cli.invoke(main, [*args, "--format", "json"]).output)
    assert body["holds"] is True
    top = body["explanation"]
    assert (top["status"], top["rule"], top["text"]) == (
        "inferred",
        "prp-spo1",
        "id:mines-nancy org:memberOf id:imt-grand-est",
    )
    leaf = top["premises"][0]["premises"][0]
    assert leaf["status"] == "asserted"
    assert leaf["statedIn"][0]["documents"][0]["iri"] == str(ID["source/imt-grand-est"])

    turtle = cli.invoke(main, [*args, "--format", "turtle"]).output
    graph = Graph().parse(data=turtle, format="turtle")
    activities = graph.subjects(RDF.type, PROV.Activity)
    labels = sorted(str(o) for a in activities for o in graph.objects(a, RDFS.label))
    assert labels == ["prp-inv2", "prp-spo1"]
    assert set(graph.objects(None, PROV.wasDerivedFrom)) == {ID["source/imt-grand-est"]}
    assert len(list(graph.subjects(RDF.type, RDF.Statement))) == 5


def test_cli_says_when_a_triple_does_not_hold(cli):
    """A triple that does not hold: the message and exit status 1."""
    result = cli.invoke(main, ["explain", "id:mines-nancy", "org:memberOf", "id:imt-atlantique"])
    assert result.exit_code == 1
    assert result.output == (
        "id:mines-nancy org:memberOf id:imt-atlantique does not hold: "
        "it is neither asserted nor inferred\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["foo:x", "a", "org:Organization"], "error: unknown prefix foo: in the subject foo:x"),
        (["id:x", '"label"', "id:y"], "error: the predicate cannot be a literal"),
        (["_:b1", "a", "org:Organization"], "error: subject _:b1 is a blank node"),
        (["id:x", "a", '"unterminated'], "error: cannot read the object"),
    ],
)
def test_cli_rejects_unreadable_terms(cli, args, message):
    """An unreadable term is a usage error (exit 2) that says what is wrong."""
    result = cli.invoke(main, ["explain", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message)


EXPLAIN = "/explain?s=id:mines-nancy&p=org:memberOf&o=id:imt-grand-est"


def test_http_json(one_worker_client):
    """GET /explain answers JSON by default with the derivation."""
    response = one_worker_client.get(EXPLAIN)
    assert response.status_code == 200 and response.mimetype == "application/json"
    top = response.json["explanation"]
    assert (top["rule"], top["premises"][0]["rule"]) == ("prp-spo1", "prp-inv2")
    assert "Accept" in response.vary


def test_http_html_for_browsers(one_worker_client):
    """A browser gets an HTML page with the rules, the triples and the source document."""
    response = one_worker_client.get(
        EXPLAIN, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    title = "Why: id:mines-nancy org:memberOf id:imt-grand-est · IMT Knowledge Graph"
    assert f"<title>{title}</title>" in page
    assert ">prp-spo1</a>" in page and ">prp-inv2</a>" in page
    assert f'<a href="{GRAND_EST_PAGE}">IMT Grand-Est</a>' in page


def test_http_turtle(one_worker_client):
    """``format=turtle`` (or Accept: text/turtle) gives the PROV-O graph."""
    for response in (
        one_worker_client.get(EXPLAIN + "&format=turtle"),
        one_worker_client.get(EXPLAIN, headers={"Accept": "text/turtle"}),
    ):
        assert response.status_code == 200 and response.mimetype == "text/turtle"
        graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert (None, RDF.subject, ID["mines-nancy"]) in graph


def test_http_asserted_triple_with_a_literal(one_worker_client):
    """An asserted triple with a literal object is explained by its graph."""
    response = one_worker_client.get(
        "/explain",
        query_string={"s": "id:figure/imt-grand-est-partners", "p": "imt:value", "o": "3.0"},
    )
    assert response.status_code == 200
    top = response.json["explanation"]
    assert top["status"] == "asserted"
    value = {"type": "literal", "value": "3.0", "datatype": str(XSD.decimal)}
    assert top["triple"]["object"] == value
    assert [s["graph"] for s in top["statedIn"]] == [str(GRAPH["imt-grand-est"])]


def test_http_404_when_the_triple_does_not_hold(one_worker_client):
    """A triple that does not hold is a 404 that says so."""
    response = one_worker_client.get("/explain?s=id:mines-nancy&p=org:memberOf&o=id:imt-atlantique")
    assert response.status_code == 404
    assert response.json == {
        "holds": False,
        "message": "id:mines-nancy org:memberOf id:imt-atlantique does not hold: "
        "it is neither asserted nor inferred",
    }


@pytest.mark.parametrize(
    ("query", "headers", "status", "start"),
    [
        ("s=id:mines-nancy&p=org:memberOf", {}, 400, "400 Bad Request: missing parameter o"),
        ("p=org:memberOf", {}, 400, "400 Bad Request: missing parameter s, o"),
        ("s=foo:x&p=a&o=org:Organization", {}, 400, "400 Bad Request: unknown prefix foo:"),
        (EXPLAIN.split("?")[1] + "&format=csv", {}, 400, "400 Bad Request: unknown format 'csv'"),
        (EXPLAIN.split("?")[1], {"Accept": "image/png"}, 406, "406 Not Acceptable"),
    ],
)
def test_http_errors(one_worker_client, query, headers, status, start):
    """Missing or unreadable terms are 400s, an unacceptable format a 406; never a 500."""
    response = one_worker_client.get("/explain?" + query, headers=headers)
    assert response.status_code == status
    assert response.get_data(as_text=True).startswith(start)


def test_literal_helpers_are_exact():
    """Literals in explanations keep their datatype (checked on the SPARQL JSON term format)."""
    from imtkg.reasoning.explanation import term_json

    assert term_json(Literal("x", lang="fr")) == {"type": "literal", "value": "x", "xml:lang": "fr"}
    assert term_json(SCHEMA.Place) == {"type": "uri", "value": "https://schema.org/Place"}


@settings(derandomize=True, database=None, deadline=None, max_examples=150)
@given(ontologies())
def test_every_derived_triple_of_a_random_graph_has_a_ranked_derivation(drawn):
    """On random graphs over every OWL 2 RL construct (the oracle's generator), each triple the
    engine derives has a derivation by some rule, whose axioms and premises were all derived
    in earlier rounds (so every explanation tree ends on asserted triples)."""
    closure = RLClosure(drawn[0]).run()
    for triple in closure.derived():
        derivations = closure.derivations(triple)
        assert derivations, f"no derivation of {triple}"
        level = closure.rank_of(triple)
        assert level is not None
        for derivation in derivations:
            assert derivation.rule in RULES
            ranks = [closure.rank_of(t) for t in derivation.all_premises()]
            assert all(r is not None and r < level for r in ranks), (triple, derivation)
