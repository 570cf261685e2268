"""JSON-LD that a JSON-LD consumer reads: one graph, the resource at the top, plain JSON keys.

The default JSON-LD of a document is parsed as a consumer would: rdflib's ``Graph`` and PyLD's
``to_rdf`` (with the context fetched from the app, never from the network); the per-source form
(``?profile=by-source``) is still a dataset.
"""

from __future__ import annotations

import json
import warnings

import pytest
from linked_data_support import ID, SERVED, client, document_loader, parse_quads
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import ORG, RDFS

from imtkg.core.namespaces import ONTOLOGY_IRI

ALES = ID + "imt-mines-ales"


def _with_inline_context(body: bytes) -> str:
    """Replace the document's ``@context`` URL by the context document the app serves there."""
    document = json.loads(body)
    url = document["@context"]
    assert url == SERVED + "context.jsonld"
    context = json.loads(client().get("/context.jsonld").data)
    document["@context"] = context["@context"]
    return json.dumps(document)


def _turtle_graph(path: str, jsonld_path: str) -> Graph:
    """The Turtle document of ``path``, its own URL renamed to the JSON-LD document's."""
    body = client().get(path + ".ttl").data.decode("utf-8")
    body = body.replace(SERVED + path.lstrip("/") + ".ttl", SERVED + jsonld_path.lstrip("/"))
    return Graph().parse(data=body, format="turtle")


def _rdflib_graph(body: bytes) -> Graph:
    """Read a JSON-LD document as one graph with rdflib, as a consumer loading it does."""
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser calls its own deprecated ConjunctiveGraph
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        return Graph().parse(data=_with_inline_context(body), format="json-ld")


def _pyld_graph(body: bytes) -> Graph:
    """Read a JSON-LD document with PyLD's ``to_rdf`` (context from the app) into a graph."""
    from pyld import jsonld

    options = {"format": "application/n-quads", "documentLoader": document_loader(client())}
    nquads = jsonld.to_rdf(json.loads(body), options)
    return Graph().parse(data=nquads, format="nt")


@pytest.mark.parametrize("path", ["/id/imt-mines-ales", "/id/person/assia-tria", "/ontology"])
def test_default_jsonld_is_one_graph_equal_to_the_turtle_document(path: str):
    """rdflib and PyLD read the default JSON-LD as one graph: the Turtle document's triples."""
    response = client().get(path, headers={"Accept": "application/ld+json"})
    assert response.status_code == 303
    jsonld_path = response.headers["Location"]
    assert jsonld_path == path + ".jsonld"
    body = client().get(jsonld_path).data
    turtle = _turtle_graph(path, jsonld_path)
    assert len(turtle) > 20
    for graph in (_rdflib_graph(body), _pyld_graph(body)):
        assert len(graph) == len(turtle)
        assert isomorphic(graph, turtle)


def test_resource_is_the_top_node_with_plain_json_keys():
    """The school is the top node; its label and memberOf read as plain JSON values."""
    document = json.loads(client().get("/id/imt-mines-ales.jsonld").data)
    assert document["@id"] == "id:imt-mines-ales"
    assert document["label"] == {"en": "IMT Mines Alès", "fr": "IMT Mines Alès"}
    assert document["memberOf"] == "id:institut-mines-telecom"
    assert "EngineeringSchool" in document["@type"]
    # the other nodes (the document itself, labels of linked terms) come after, in @included
    assert list(document)[-1] == "@included"
    own = {node["@id"]: node for node in document["@included"]}
    assert own[SERVED + "id/imt-mines-ales.jsonld"]["primaryTopic"] == "id:imt-mines-ales"


def test_resource_statements_match_turtle_exactly():
    """The triples whose subject is the school are the same set in JSON-LD and Turtle."""
    body = client().get("/id/imt-mines-ales.jsonld").data
    turtle = _turtle_graph("/id/imt-mines-ales", "/id/imt-mines-ales.jsonld")
    school = URIRef(ALES)
    expected = set(turtle.triples((school, None, None)))
    assert (school, ORG.memberOf, URIRef(ID + "institut-mines-telecom")) in expected
    assert set(_rdflib_graph(body).triples((school, None, None))) == expected
    assert set(_pyld_graph(body).triples((school, None, None))) == expected


def test_ontology_document_has_the_ontology_at_the_top():
    """The ontology's JSON-LD is one graph whose top node is the ontology."""
    document = json.loads(client().get("/ontology.jsonld").data)
    assert document["@id"] == str(ONTOLOGY_IRI)
    terms = {node["@id"] for node in document["@included"]}
    assert "imt:School" in terms


def test_by_source_profile_is_the_dataset_of_the_nquads_document():
    """``?profile=by-source`` keeps one named graph per source, as N-Quads gives it."""
    test_client = client()
    default = test_client.get("/id/imt-mines-ales.jsonld")
    response = test_client.get("/id/imt-mines-ales.jsonld?profile=by-source")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["ETag"] != default.headers["ETag"]
    document = json.loads(response.data)
    assert "@graph" in document and "@id" not in document
    quads = parse_quads(response.data, "jsonld", test_client)
    nq = test_client.get("/id/imt-mines-ales.nq").data.replace(b".nq>", b".jsonld>")
    assert quads == parse_quads(nq, "nq", test_client)
    graphs = {g for *_, g in quads if g is not None}
    assert len(graphs) > 2
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        dataset = Dataset().parse(data=_with_inline_context(response.data), format="json-ld")
        assert len(list(dataset.graphs())) > 3


def test_profile_parameter_is_kept_through_the_303():
    """The resource's IRI with ``?profile=by-source`` redirects to the by-source document."""
    response = client().get(
        "/id/imt-mines-ales?profile=by-source", headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/id/imt-mines-ales.jsonld?profile=by-source"


def test_conditional_request_does_not_mix_the_two_forms():
    """The default form's ETag does not validate the by-source form (and the reverse)."""
    test_client = client()
    etag = test_client.get("/id/imt-mines-ales.jsonld").headers["ETag"]
    other = test_client.get(
        "/id/imt-mines-ales.jsonld?profile=by-source", headers={"If-None-Match": etag}
    )
    assert other.status_code == 200
    same = test_client.get("/id/imt-mines-ales.jsonld", headers={"If-None-Match": etag})
    assert same.status_code == 304


def test_labels_of_linked_terms_stay_in_the_graph():
    """Nodes other than the resource keep their statements (an ORG term's label)."""
    graph = _rdflib_graph(client().get("/id/imt-mines-ales.jsonld").data)
    assert graph.value(ORG.memberOf, RDFS.label) is not None


@pytest.mark.parametrize(
    ("path", "top"),
    [("/.well-known/void", SERVED + ".well-known/void#imt-kg"), ("/sparql", SERVED + "sparql")],
)
def test_void_and_service_description_are_one_graph_with_their_subject_on_top(path, top):
    """VoID and the service description in JSON-LD: their subject on top, blank nodes embedded,
    the context inline (no other document to fetch), the Turtle answer's graph exactly."""
    test_client = client()
    body = test_client.get(path, headers={"Accept": "application/ld+json"}).data
    document = json.loads(body)
    assert document["@id"] == top
    assert isinstance(document["@context"], dict)
    assert "_:" not in body.decode("utf-8")  # every blank node is used once: all embedded
    turtle = Graph().parse(
        data=test_client.get(path, headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    assert len(turtle) > 50
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        by_rdflib = Graph().parse(data=body, format="json-ld")
    from pyld import jsonld

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    by_pyld = Graph().parse(data=nquads, format="nt")
    for graph in (by_rdflib, by_pyld):
        assert isomorphic(graph, turtle)


def test_blank_node_cycles_and_shared_blank_nodes_stay_readable():
    """Blank nodes in a cycle, or the object of two statements, are not embedded (no infinite
    nesting, no statement lost): the document still reads as the same graph."""
    import pyoxigraph as ox

    from imtkg.web.pages.rdf_documents import to_merged_jsonld

    ex = "http://example.org/"
    top, p = ox.NamedNode(ex + "top"), ox.NamedNode(ex + "p")
    a, b, shared = ox.BlankNode("a"), ox.BlankNode("b"), ox.BlankNode("s")
    triples = [
        ox.Triple(top, p, ox.Literal("x")),
        ox.Triple(a, p, b),  # a -> b -> a: a cycle reached from nowhere
        ox.Triple(b, p, a),
        ox.Triple(top, p, shared),  # the object of two statements
        ox.Triple(ox.NamedNode(ex + "other"), p, shared),
        ox.Triple(shared, p, ox.Literal("y")),
    ]
    body = to_merged_jsonld(triples, {"@context": {"ex": ex}}, None, top.value)
    document = json.loads(body)
    assert document["@id"] == "ex:top"
    from pyld import jsonld

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    expected = Graph().parse(data="".join(f"{t} .\n" for t in triples), format="nt")
    assert len(expected) == 6
    assert isomorphic(Graph().parse(data=nquads, format="nt"), expected)
