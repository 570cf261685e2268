"""The VoID description of the dataset at ``/.well-known/void``, computed from the data by SPARQL.

Every number comes from a query the app's :class:`~imtkg.query.interface.QueryEngine` answers
(once per app: the data does not change while it runs): the size of the dataset (the default graph,
the set of asserted and inferred triples), its entities (subjects under :data:`URI_SPACE`), a class
partition and a property partition, one subset per named graph with the source document the
catalogue links it to, and one linkset per outside dataset its ``schema:sameAs`` links reach
(Wikidata, ROR). The description is negotiated: Turtle by default, N-Triples, RDF/XML, JSON-LD,
TriG, N-Quads (``Accept`` or ``?format=``), and an HTML view for browsers.

The dataset's releases are described there too, under the served base: the dataset's
``dcat:version``, ``dcterms:issued`` and ``dcat:hasVersion`` each release, chained by
``dcat:previousVersion`` and ``prov:wasRevisionOf``
(:func:`imtkg.releases.catalogue.release_catalogue`, the same graph ``/releases/`` serves).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from imtkg.core.namespaces import (
    BASE,
    ID,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    PREFIXES,
    SCHEMA,
)
from imtkg.core.namespaces import VOID as VOID_NS
from imtkg.query.interface import QueryEngine
from imtkg.rdf.formats import GRAPH_FORMATS
from imtkg.releases.catalogue import release_catalogue
from imtkg.releases.history import ReleaseHistory
from imtkg.releases.records import ReleaseError
from imtkg.store.dumps import DUMPS
from imtkg.web.caching import add_cache_headers, etag_for, not_modified
from imtkg.web.endpoints.service_description import serialize_description
from imtkg.web.i18n import add_messages, choose_language
from imtkg.web.linked_data import served_base
from imtkg.web.negotiation import (
    UnknownFormat,
    negotiate_graph_format,
    prefers_html,
)
from imtkg.web.pages.page_data import history_tag
from imtkg.web.releases_state import served_history
from imtkg.web.state import current_state

log = logging.getLogger(__name__)
bp = Blueprint("void", __name__)

VOID_PATH = ".well-known/void"
#: the IRIs of the dataset's own resources
URI_SPACE = str(ID)
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
FORMATS = "http://www.w3.org/ns/formats/"
#: outside URI space -> the catalogue's description of that dataset (the linkset's target)
LINK_TARGETS: dict[str, URIRef] = {
    "http://www.wikidata.org/entity/": ID["source/wikidata"],
    "https://ror.org/": ID["source/ror-registry"],
}
LINK_PREDICATE = SCHEMA.sameAs
ROOT_RESOURCE = ID["institut-mines-telecom"]
EXAMPLE_RESOURCES = (ID["imt-mines-ales"], ID["imt-grand-est"], ID["event/industry-week-2025"])
TITLE = {"en": "IMT knowledge graph", "fr": "Graphe de connaissances de l'IMT"}
DESCRIPTION = {
    "en": "An open knowledge graph of the Institut Mines-Télécom network: its schools, alliances, "
    "events, rankings, figures and strategy, each fact kept in the named graph of the public "
    "document that states it, with an OWL ontology and the OWL RL inferences.",
    "fr": "Un graphe de connaissances ouvert du réseau de l'Institut Mines-Télécom : ses écoles, "
    "alliances, événements, classements, chiffres et sa stratégie, chaque fait rangé dans le "
    "graphe nommé du document public qui l'énonce, avec une ontologie OWL et les inférences "
    "OWL RL.",
}
#: what the graphs with no source document hold
GRAPH_DESCRIPTIONS = {
    str(ONTOLOGY_GRAPH): "The IMT ontology and the terms of the standard vocabularies it reuses.",
    str(INFERRED_GRAPH): "The statements OWL RL reasoning derives from the ontology and the "
    "sources, and that no source states.",
}

_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
TOTALS_QUERY = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
ENTITIES_QUERY = f"""
SELECT (COUNT(DISTINCT ?s) AS ?entities)
WHERE {{ ?s ?p ?o FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{URI_SPACE}")) }}
"""
CLASSES_QUERY = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
WHERE { ?s a ?class FILTER (isIRI(?class)) }
GROUP BY ?class ORDER BY ?class
"""
PROPERTIES_QUERY = """
SELECT ?property (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?property ?o }
GROUP BY ?property ORDER BY ?property
"""
GRAPHS_QUERY = (
    _PROLOGUE
    + """
SELECT ?graph ?triples ?subjects ?source WHERE {
  { SELECT ?graph (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
    WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph }
  OPTIONAL { ?graph dcterms:source ?source }
}
ORDER BY ?graph
"""
)
LABELS_QUERY = (
    _PROLOGUE
    + """
SELECT ?resource ?label WHERE {
  VALUES ?resource { %s }
  ?resource rdfs:label ?label
}
ORDER BY ?resource ?label
"""
)
LINKS_QUERY = (
    _PROLOGUE
    + """
SELECT ?space (COUNT(*) AS ?links) WHERE {
  VALUES ?space { %s }
  ?s <%s> ?o
  FILTER (isIRI(?o) && STRSTARTS(STR(?o), ?space))
}
GROUP BY ?space ORDER BY ?space
"""
)

add_messages(
    {
        "Dataset description (VoID)": "Description du jeu de données (VoID)",
        "This description in": "Cette description en",
        "The VoID description of the dataset, computed from the data.": (
            "La description VoID du jeu de données, calculée à partir des données."
        ),
    }
)


@dataclass(frozen=True)
class ClassPartition:
    """A class partition: the class and its instances."""

    term: str
    entities: int


@dataclass(frozen=True)
class PropertyPartition:
    """A property partition: the property, its triples and their distinct subjects and objects."""

    term: str
    triples: int
    subjects: int
    objects: int


@dataclass(frozen=True)
class Subset:
    """A named graph: its size and the source document the catalogue links it to."""

    graph: str
    triples: int
    subjects: int
    source: str | None


@dataclass(frozen=True)
class VoidStatistics:
    """The figures of a VoID description, as the data gives them."""

    triples: int
    entities: int
    subjects: int
    objects: int
    classes: tuple[ClassPartition, ...]
    properties: tuple[PropertyPartition, ...]
    subsets: tuple[Subset, ...]
    links: dict[str, int]
    labels: dict[str, tuple[Literal, ...]]

    @property
    def vocabularies(self) -> list[str]:
        """The vocabularies of the classes and properties used (the IMT ontology by its IRI)."""
        terms = [p.term for p in self.classes] + [p.term for p in self.properties]
        found = {_namespace(term) for term in terms}
        found.discard(URI_SPACE)
        return sorted(str(ONTOLOGY_IRI) if ns == f"{BASE}ontology#" else ns for ns in found)


def _namespace(iri: str) -> str:
    """Return the namespace of an IRI: up to its last ``#`` or ``/``."""
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


def _rows(engine: QueryEngine, query: str) -> list[dict[str, dict]]:
    return engine.select(query)["results"]["bindings"]


def _int(row: dict, name: str) -> int:
    return int(row[name]["value"])


def compute_statistics(engine: QueryEngine) -> VoidStatistics:
    """Count what the VoID description states, by SPARQL queries on ``engine``."""
    totals = _rows(engine, TOTALS_QUERY)[0]
    classes = tuple(
        ClassPartition(r["class"]["value"], entities=_int(r, "entities"))
        for r in _rows(engine, CLASSES_QUERY)
    )
    properties = tuple(
        PropertyPartition(
            r["property"]["value"],
            triples=_int(r, "triples"),
            subjects=_int(r, "subjects"),
            objects=_int(r, "objects"),
        )
        for r in _rows(engine, PROPERTIES_QUERY)
    )
    subsets = tuple(
        Subset(
            r["graph"]["value"],
            _int(r, "triples"),
            _int(r, "subjects"),
            r["source"]["value"] if "source" in r else None,
        )
        for r in _rows(engine, GRAPHS_QUERY)
    )
    spaces = " ".join(f'"{space}"' for space in LINK_TARGETS)
    links = {
        r["space"]["value"]: _int(r, "links")
        for r in _rows(engine, LINKS_QUERY % (spaces, LINK_PREDICATE))
    }
    described = {str(t) for t in LINK_TARGETS.values()} | {s.graph for s in subsets}
    labels: dict[str, list[Literal]] = {}
    for r in _rows(engine, LABELS_QUERY % " ".join(f"<{iri}>" for iri in sorted(described))):
        label = r["label"]
        labels.setdefault(r["resource"]["value"], []).append(
            Literal(label["value"], lang=label.get("xml:lang"))
        )
    return VoidStatistics(
        triples=_int(totals, "triples"),
        entities=_int(_rows(engine, ENTITIES_QUERY)[0], "entities"),
        subjects=_int(totals, "subjects"),
        objects=_int(totals, "objects"),
        classes=classes,
        properties=properties,
        subsets=subsets,
        links=links,
        labels={iri: tuple(values) for iri, values in labels.items()},
    )


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def void_graph(stats: VoidStatistics, base: str, history: ReleaseHistory | None = None) -> Graph:
    """Build the VoID description of the dataset served at ``base`` (ending in ``/``), with the
    DCAT description of the releases of ``history`` when there are any."""
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    g.bind("formats", FORMATS)
    document = URIRef(base + VOID_PATH)
    dataset = URIRef(f"{document}#imt-kg")
    dumps = {spec.name: URIRef(f"{base}dumps/{spec.name}") for spec in DUMPS}

    g.add((document, RDF.type, VOID_NS.DatasetDescription))
    g.add(
        (document, DCTERMS.title, Literal("VoID description of the IMT knowledge graph", lang="en"))
    )
    g.add((document, FOAF.primaryTopic, dataset))

    g.add((dataset, RDF.type, VOID_NS.Dataset))
    for lang in TITLE:
        g.add((dataset, DCTERMS.title, Literal(TITLE[lang], lang=lang)))
        g.add((dataset, DCTERMS.description, Literal(DESCRIPTION[lang], lang=lang)))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, FOAF.homepage, URIRef(base)))
    g.add((dataset, VOID_NS.sparqlEndpoint, URIRef(base + "sparql")))
    g.add((dataset, VOID_NS.dataDump, dumps["imt-kg.trig.gz"]))
    g.add((dataset, VOID_NS.dataDump, dumps["imt-kg.nq.gz"]))
    for name in ("TriG", "N-Quads", "Turtle", "SPARQL_Results_JSON"):
        g.add((dataset, VOID_NS.feature, URIRef(FORMATS + name)))
    g.add((dataset, VOID_NS.uriSpace, Literal(URI_SPACE)))
    g.add((dataset, VOID_NS.rootResource, ROOT_RESOURCE))
    for resource in EXAMPLE_RESOURCES:
        g.add((dataset, VOID_NS.exampleResource, resource))
    for vocabulary in stats.vocabularies:
        g.add((dataset, VOID_NS.vocabulary, URIRef(vocabulary)))
    g.add((dataset, VOID_NS.triples, _count(stats.triples)))
    g.add((dataset, VOID_NS.entities, _count(stats.entities)))
    g.add((dataset, VOID_NS.distinctSubjects, _count(stats.subjects)))
    g.add((dataset, VOID_NS.distinctObjects, _count(stats.objects)))
    g.add((dataset, VOID_NS.classes, _count(len(stats.classes))))
    g.add((dataset, VOID_NS.properties, _count(len(stats.properties))))

    for class_partition in stats.classes:
        node = BNode()
        g.add((dataset, VOID_NS.classPartition, node))
        g.add((node, VOID_NS["class"], URIRef(class_partition.term)))
        g.add((node, VOID_NS.entities, _count(class_partition.entities)))
    for property_partition in stats.properties:
        node = BNode()
        g.add((dataset, VOID_NS.propertyPartition, node))
        g.add((node, VOID_NS.property, URIRef(property_partition.term)))
        g.add((node, VOID_NS.triples, _count(property_partition.triples)))
        g.add((node, VOID_NS.distinctSubjects, _count(property_partition.subjects)))
        g.add((node, VOID_NS.distinctObjects, _count(property_partition.objects)))

    subset_dumps = {str(ONTOLOGY_GRAPH): "ontology.ttl", str(INFERRED_GRAPH): "inferred.ttl"}
    for subset in stats.subsets:
        graph = URIRef(subset.graph)
        g.add((dataset, VOID_NS.subset, graph))
        g.add((graph, RDF.type, VOID_NS.Dataset))
        g.add((graph, VOID_NS.triples, _count(subset.triples)))
        g.add((graph, VOID_NS.distinctSubjects, _count(subset.subjects)))
        for label in stats.labels.get(subset.graph, ()):
            g.add((graph, RDFS.label, label))
        if subset.source:
            g.add((graph, DCTERMS.source, URIRef(subset.source)))
            g.add((graph, PROV.wasDerivedFrom, URIRef(subset.source)))
        if subset.graph in GRAPH_DESCRIPTIONS:
            g.add(
                (graph, DCTERMS.description, Literal(GRAPH_DESCRIPTIONS[subset.graph], lang="en"))
            )
        if subset.graph in subset_dumps:
            g.add((graph, VOID_NS.dataDump, dumps[subset_dumps[subset.graph]]))

    for space, target in LINK_TARGETS.items():
        linkset = URIRef(f"{document}#links-{target.split('/')[-1]}")
        g.add((dataset, VOID_NS.subset, linkset))
        g.add((linkset, RDF.type, VOID_NS.Linkset))
        g.add((linkset, VOID_NS.linkPredicate, LINK_PREDICATE))
        g.add((linkset, VOID_NS.subjectsTarget, dataset))
        g.add((linkset, VOID_NS.objectsTarget, target))
        g.add((linkset, VOID_NS.target, dataset))
        g.add((linkset, VOID_NS.target, target))
        g.add((linkset, VOID_NS.triples, _count(stats.links.get(space, 0))))
        g.add((target, RDF.type, VOID_NS.Dataset))
        g.add((target, VOID_NS.uriSpace, Literal(space)))
        for label in stats.labels.get(str(target), ()):
            g.add((target, RDFS.label, label))
    if history is not None and len(history):
        catalogue = release_catalogue(history, base)
        for prefix, namespace in catalogue.namespaces():
            g.bind(prefix, namespace, override=False)
        g += catalogue
    return g


def _served_releases() -> ReleaseHistory | None:
    """The served releases; ``None`` (logged) when a record cannot be read: the VoID is
    served without them rather than not at all."""
    try:
        return served_history()
    except ReleaseError as exc:
        log.warning("the VoID description leaves the releases out: %s", exc)
        return None


def void_statistics() -> VoidStatistics:
    """Return the served dataset's statistics, computed on first use and kept for the app's life."""
    state = current_state()
    return state.shared.get("void.statistics", lambda: compute_statistics(state.engine))


def void_document(base: str, graph_format: str) -> bytes:
    """Return the description of the dataset served at ``base`` in ``graph_format``.

    Serialising takes rdflib tens of milliseconds, so each document is kept, in the app's
    bounded store of documents (:attr:`imtkg.web.state.ImtKgState.documents`): the base is the
    request's address when no ``PUBLIC_BASE`` is set, which the client chooses.
    """
    return current_state().documents.get(
        ("void", base, graph_format),
        lambda: serialize_description(
            void_graph(void_statistics(), base, _served_releases()), graph_format
        ),
    )


def void_document_iri() -> str:
    """Return the public IRI of the VoID description (for links from other documents)."""
    return served_base() + VOID_PATH


def _text_response(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.route("/" + VOID_PATH)
def void() -> Response:
    """The VoID description, in the format the client asks for (Turtle by default)."""
    fmt = request.args.get("format")
    html = not fmt and prefers_html(request.accept_mimetypes)
    try:
        graph_format = negotiate_graph_format(request.accept_mimetypes, fmt)
    except UnknownFormat as exc:
        return _text_response(406, str(exc))
    if graph_format is None and not html:
        offered = ", ".join(m for m, _ in GRAPH_FORMATS.values())
        return _text_response(406, f"the VoID description is offered as: {offered}, text/html")
    state = current_state()
    base = served_base()
    lang = choose_language(request) if html else None
    releases = _served_releases()
    tag = history_tag(releases) if releases is not None else ()
    etag = etag_for(state.version, "void", base, tag, lang or graph_format)
    if not_modified(request, etag, state.version):
        response = Response(status=304)
    elif html:
        page = render_template(
            "void.html",
            lang=lang,
            turtle=void_document(base, "turtle").decode("utf-8"),
            formats=[(name, media) for name, (media, _) in GRAPH_FORMATS.items()],
        )
        response = Response(page, content_type="text/html; charset=utf-8")
    else:
        assert graph_format is not None  # refused with a 406 above unless the answer is HTML
        response = Response(
            void_document(base, graph_format),
            content_type=f"{GRAPH_FORMATS[graph_format][0]}; charset=utf-8",
        )
    add_cache_headers(response, etag, state.version, current_app.config["CACHE_MAX_AGE"])
    if html:
        response.vary.update(("Accept-Language", "Cookie"))
    return response
