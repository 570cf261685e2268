"""The dataset and its releases in DCAT and VoID: who publishes it, under which licence, and
each release with its version, date, dumps (and their checksums) and predecessor.

The shape follows DCAT 3's versioning (https://www.w3.org/TR/vocab-dcat-3/#dataset-versions):
the dataset (:data:`~imtkg.releases.records.DATASET_IRI`) ``dcat:hasVersion`` each release and
``dcat:hasCurrentVersion`` the latest; a release is a ``dcat:Dataset`` and ``void:Dataset`` with
``dcat:version``, ``dcterms:issued``, ``dcterms:license``, ``dcat:isVersionOf`` the dataset, and
``dcat:previousVersion`` / ``prov:wasRevisionOf`` its predecessor; each dump is a
``dcat:Distribution`` with ``dcat:downloadURL``, ``dcat:byteSize`` and an ``spdx:checksum``.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from imtkg.core.namespaces import BASE
from imtkg.releases.history import ReleaseHistory
from imtkg.releases.records import DATASET_IRI, Release, dump_iri, release_iri

#: DCAT 3 (rdflib's closed DCAT namespace predates its versioning terms)
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VOID = Namespace("http://rdfs.org/ns/void#")
#: the dataset's citation: title, who makes it, licence (the same as CITATION.cff)
DATASET_TITLE = {"en": "IMT knowledge graph", "fr": "Graphe de connaissances de l'IMT"}
DATASET_CREATOR = "IMT knowledge graph contributors"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC-BY-4.0"
#: the media types of the release dumps (gzip of N-Quads, of TriG)
DUMP_MEDIA_TYPES = {
    "imt-kg.nq.gz": "application/n-quads",
    "imt-kg.trig.gz": "application/trig",
}
_IANA = "https://www.iana.org/assignments/media-types/"


def _rebased(iri: str, base: str) -> URIRef:
    """Return ``iri`` (under :data:`BASE`) under the served ``base``."""
    return URIRef(base + iri[len(BASE) :] if iri.startswith(BASE) else iri)


def dataset_iri(base: str = BASE) -> URIRef:
    """Return the dataset's IRI under ``base``."""
    return _rebased(DATASET_IRI, base)


def add_release(graph: Graph, release: Release, base: str = BASE) -> URIRef:
    """Add the DCAT/VoID description of ``release`` to ``graph`` and return its IRI."""
    node = URIRef(release_iri(release.version, base))
    dataset = dataset_iri(base)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, RDF.type, VOID.Dataset))
    for lang, title in DATASET_TITLE.items():
        graph.add((node, DCTERMS.title, Literal(f"{title} {release.version}", lang=lang)))
    graph.add((node, DCAT.version, Literal(release.version)))
    graph.add((node, DCTERMS.issued, Literal(release.issued.isoformat(), datatype=XSD.date)))
    graph.add((node, DCTERMS.license, URIRef(LICENSE)))
    graph.add((node, DCAT.isVersionOf, dataset))
    graph.add((node, VOID.triples, Literal(release.statements)))
    if release.notes:
        graph.add((node, DCTERMS.description, Literal(release.notes, lang="en")))
    if release.previous is not None:
        previous = URIRef(release_iri(release.previous, base))
        graph.add((node, DCAT.previousVersion, previous))
        graph.add((node, PROV.wasRevisionOf, previous))
    for name, record in sorted(release.files.items()):
        distribution = URIRef(dump_iri(release.version, name, base))
        checksum = BNode(f"sha256-{release.version}-{name}".replace(".", "_"))
        graph.add((node, DCAT.distribution, distribution))
        graph.add((node, VOID.dataDump, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, distribution))
        graph.add(
            (distribution, DCAT.byteSize, Literal(record.size, datatype=XSD.nonNegativeInteger))
        )
        graph.add((distribution, DCAT.compressFormat, URIRef(_IANA + "application/gzip")))
        media = DUMP_MEDIA_TYPES.get(name)
        if media:
            graph.add((distribution, DCAT.mediaType, URIRef(_IANA + media)))
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(record.sha256, datatype=XSD.hexBinary)))
    return node


def _new_graph() -> Graph:
    """Return an empty graph with the catalogue's prefixes bound."""
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dcterms", DCTERMS)
    graph.bind("prov", PROV)
    graph.bind("spdx", SPDX)
    graph.bind("void", VOID)
    return graph


def release_description(release: Release, base: str = BASE) -> Graph:
    """Return the description of ``release`` alone: the release, its dumps and checksums."""
    graph = _new_graph()
    add_release(graph, release, base)
    return graph


def release_catalogue(history: ReleaseHistory, base: str = BASE) -> Graph:
    """Return the dataset's citation and every release of ``history``, linked in a chain."""
    graph = _new_graph()
    dataset = dataset_iri(base)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    for lang, title in DATASET_TITLE.items():
        graph.add((dataset, DCTERMS.title, Literal(title, lang=lang)))
    graph.add((dataset, DCTERMS.creator, Literal(DATASET_CREATOR)))
    graph.add((dataset, DCTERMS.license, URIRef(LICENSE)))
    graph.add((dataset, RDFS.seeAlso, URIRef(base + "releases/")))
    for release in history:
        graph.add((dataset, DCAT.hasVersion, add_release(graph, release, base)))
    latest = history.latest
    if latest is not None:
        current = URIRef(release_iri(latest.version, base))
        graph.add((dataset, DCAT.hasCurrentVersion, current))
        graph.add((dataset, DCAT.version, Literal(latest.version)))
        graph.add((dataset, DCTERMS.issued, Literal(latest.issued.isoformat(), datatype=XSD.date)))
    return graph
