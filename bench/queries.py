"""The benchmark's fixed mix of queries, with the resources each dataset anchors them on.

Every query is bounded (a constant to start from, or a LIMIT), so that its answer has the same
size whatever the server's result limit, and uses only what the three servers share: the
asserted triples and the inferred ones (``org:memberOf`` is inferred from
``imt:hasAllianceMember`` and sub-properties), in their default graph.
"""

from __future__ import annotations

PROLOGUE = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX imt: <https://w3id.org/imt-kg/ontology#>
"""

#: query name -> template (``{label}``, ``{member}``, ``{organisation}``, ``{event}``, ``{needle}``)
TEMPLATES: dict[str, str] = {
    # one index lookup
    "label lookup": 'SELECT ?s WHERE {{ ?s rdfs:label "{label}"@fr }}',
    # the organisations a member belongs to, their other members, and those members' labels
    "2-hop join": (
        "SELECT ?peer ?label WHERE {{ <{member}> org:memberOf ?org . ?peer org:memberOf ?org . "
        '?peer rdfs:label ?label FILTER(lang(?label) = "en") }} LIMIT 100'
    ),
    # a scan of every typed resource
    "aggregate": (
        "SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?type }} "
        "GROUP BY ?type ORDER BY DESC(?n) ?type LIMIT 10"
    ),
    "optional + lang": (
        "SELECT ?s ?en ?fr WHERE {{ ?s a imt:EngineeringSchool . "
        'OPTIONAL {{ ?s rdfs:label ?en FILTER(lang(?en) = "en") }} '
        'OPTIONAL {{ ?s rdfs:label ?fr FILTER(lang(?fr) = "fr") }} }} LIMIT 100'
    ),
    "property path": "SELECT ?e WHERE {{ <{event}> schema:subEvent+ ?e }}",
    "describe": "DESCRIBE <{organisation}>",
    "contains": (
        "SELECT ?s ?l WHERE {{ ?s rdfs:label ?l "
        'FILTER(CONTAINS(LCASE(STR(?l)), "{needle}")) }} LIMIT 20'
    ),
}

ID = "https://w3id.org/imt-kg/id/"
#: what the queries start from in the shipped graph, and in the synthetic ones
ANCHORS: dict[str, dict[str, str]] = {
    "shipped": {
        "label": "IMT Mines Alès",
        "member": ID + "telecom-nancy",
        "organisation": ID + "institut-mines-telecom",
        "event": ID + "event/industry-week-2025",
        "needle": "mines",
    },
    "synthetic": {
        "label": "École synthétique 1",
        "member": ID + "synthetic/school-00001",
        "organisation": ID + "synthetic/alliance-00001",
        "event": ID + "synthetic/event-00001",
        "needle": "brest",
    },
}


def queries(dataset: str) -> dict[str, str]:
    """Return the query mix (name -> SPARQL) anchored for dataset ``dataset``."""
    anchors = ANCHORS["shipped" if dataset == "shipped" else "synthetic"]
    return {name: PROLOGUE + text.format(**anchors) for name, text in TEMPLATES.items()}
