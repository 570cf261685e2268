"""The ontology: its HTML documentation (a section per term, both languages, hierarchy,
alignments) and the ontology graph itself by content negotiation."""

from __future__ import annotations

import pytest
from linked_data_support import (
    BASE,
    IMT,
    RDF_FORMATS,
    SERVED,
    by_id,
    client,
    links,
    parse_html,
    parse_rdf,
    select,
    text_of,
)
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS

ONTOLOGY_GRAPH = BASE + "graph/ontology"


@pytest.fixture(scope="module")
def doc():
    """The ontology's documentation page, parsed strictly."""
    response = client().get("/ontology.html")
    assert response.status_code == 200
    return parse_html(response.data)


def declared_terms() -> dict[str, str]:
    """The ``imt:`` classes and properties the ontology graph declares: local name -> kind."""
    rows = select(
        f"""SELECT DISTINCT ?term ?kind WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?term a ?kind }}
  VALUES ?kind {{ <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty>
                 <http://www.w3.org/2002/07/owl#DatatypeProperty> }}
  FILTER(STRSTARTS(STR(?term), "{IMT}"))
}}"""
    )
    return {row["term"][len(IMT) :]: row["kind"].rpartition("#")[2] for row in rows}


def test_ontology_iri_negotiates_documentation_or_graph():
    """The ontology's IRI answers 303 to its documentation for browsers, the graph otherwise."""
    page = client().get("/ontology", headers={"Accept": "text/html"})
    assert (page.status_code, page.headers["Location"]) == (303, "/ontology.html")
    graph = client().get("/ontology", headers={"Accept": "application/rdf+xml"})
    assert (graph.status_code, graph.headers["Location"]) == (303, "/ontology.rdf")


def test_every_term_has_a_section_with_labels_in_both_languages(doc):
    """Each declared imt: term has a section whose id is its local name (the fragment of its
    IRI), showing its English and French labels."""
    terms = declared_terms()
    assert len(terms) > 100
    for name in terms:
        section = by_id(doc, name)
        assert text_of(section.find(".//p[@class='iri']")) == IMT + name
        languages = {
            span.get("lang") for span in section.iter("span") if span.get("class") == "label"
        }
        assert languages == {"en", "fr"}, name


def test_class_section_shows_hierarchy_alignments_and_uses(doc):
    """imt:School: labels, superclasses (own and standard), subclasses, domain and range,
    and a link to its page of instances."""
    section = by_id(doc, "School")
    labels = [text_of(s) for s in section.iter("span") if s.get("class") == "label"]
    assert labels == ["School en", "École fr"]
    facts = {text_of(dt): dd for dt, dd in zip(section.iter("dt"), section.iter("dd"), strict=True)}
    assert links(facts["Subclass of"]) == {
        "schema:CollegeOrUniversity": "https://schema.org/CollegeOrUniversity",
        "imt:HigherEducationInstitution": "#HigherEducationInstitution",
    }
    assert links(facts["Subclasses"])["imt:EngineeringSchool"] == "#EngineeringSchool"
    assert links(facts["Properties with this domain"])["imt:isSchoolOf"] == "#isSchoolOf"
    assert links(facts["Properties with this range"]) == {"imt:hasSchool": "#hasSchool"}
    count = select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{IMT}School> }}")[0]["n"]
    assert links(facts["Page of the term"]) == {
        f"Instances: {count}": SERVED + "ontology/School.html"
    }


def test_property_section_shows_domain_range_and_super_properties(doc):
    """imt:hasSchool: its domain, range and the ORG properties it refines."""
    section = by_id(doc, "hasSchool")
    facts = {text_of(dt): dd for dt, dd in zip(section.iter("dt"), section.iter("dd"), strict=True)}
    assert text_of(facts["Domain"]) == "imt:InstitutionGroup"
    assert text_of(facts["Range"]) == "imt:School"
    assert links(facts["Subproperty of"]) == {
        "org:hasMember": "http://www.w3.org/ns/org#hasMember",
        "org:hasSubOrganization": "http://www.w3.org/ns/org#hasSubOrganization",
    }


def test_hierarchy_nests_subclasses(doc):
    """The class hierarchy nests imt:EngineeringSchool under imt:School."""
    hierarchy = by_id(doc, "hierarchy")
    school = next(li for li in hierarchy.iter("li") if text_of(li.find("a")) == "imt:School")
    assert "imt:EngineeringSchool" in [text_of(a) for a in school.find("ul").iter("a")]


def test_alignments_table_lists_standard_terms(doc):
    """The alignments table relates imt: terms to the standard vocabularies' terms."""
    rows = [
        [text_of(td) for td in tr.iter("td")]
        for tr in by_id(doc, "alignments").find(".//tbody").iter("tr")
    ]
    assert [
        "imt:School",
        "rdfs:subClassOf",
        "schema:CollegeOrUniversity CollegeOrUniversity",
    ] in rows
    assert ["imt:hasSchool", "rdfs:subPropertyOf", "org:hasMember has member"] in rows


def test_concept_schemes_link_their_concepts(doc):
    """The concept schemes list their concepts, linked to their pages."""
    scheme = by_id(doc, "scheme-qualifier")
    assert links(scheme)["more than"] == SERVED + "id/concept/qualifier/more-than.html"


def test_french_documentation(doc):
    """The documentation speaks French to a French reader."""
    french = parse_html(client().get("/ontology.html?lang=fr").data)
    assert text_of(french.find(".//h1")) == "Ontologie du graphe de connaissances de l'IMT"
    assert text_of(by_id(french, "School").find("h3")) == "imt:School — École"


@pytest.mark.parametrize("extension", RDF_FORMATS)
def test_ontology_graph_by_negotiation(extension: str):
    """Each RDF document of the ontology holds exactly the ontology graph (and says what it
    is about)."""
    test_client = client()
    response = test_client.get(f"/ontology.{extension}")
    assert response.status_code == 200
    graph = parse_rdf(response.data, extension, test_client)
    expected = select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} "
        "FILTER(!isBlank(?s) && !isBlank(?o)) }"
    )
    served = {
        (str(s), str(p), str(o))
        for s, p, o in graph
        if not isinstance(s, BNode) and not isinstance(o, BNode)
    }
    document = SERVED + f"ontology.{extension}"
    assert {t for t in served if t[0] != document} == {(r["s"], r["p"], r["o"]) for r in expected}
    assert (URIRef(IMT + "School"), RDFS.label, Literal("École", lang="fr")) in graph


def test_term_page_is_reached_from_the_term_section(doc):
    """A term's section links to its page, which links back to the section."""
    page = parse_html(client().get("/ontology/Alliance.html").data)
    assert text_of(page.find(".//h1")) == "Alliance"
    assert links(by_id(page, "instances"))["Documentation in the ontology"] == (
        SERVED + "ontology.html#Alliance"
    )
