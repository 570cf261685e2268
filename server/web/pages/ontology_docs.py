"""The documentation of the ontology, built from ``graph:ontology`` with SPARQL through the engine.

:func:`ontology_doc` reads every statement of the ontology graph once and returns an
:class:`OntologyDoc`: the header (titles, version, licence...), each ``imt:`` class and property
with its labels and comments in both languages, hierarchy, domains and ranges, its alignments
to the standard vocabularies, the class hierarchy as a tree, and the SKOS concept schemes.
``templates/pages/ontology.html`` renders it; each term's section has the term's local name as
its ``id``, so that ``https://w3id.org/imt-kg/ontology#School`` lands on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from imtkg.core.namespaces import IMT, ONTOLOGY_GRAPH, ONTOLOGY_IRI
from imtkg.query.interface import QueryEngine
from imtkg.web.pages.describe import labels_by_language, run_select

VANN = "http://purl.org/vocab/vann/"
PROPERTY_KINDS = {
    str(OWL.ObjectProperty): "object",
    str(OWL.DatatypeProperty): "datatype",
    str(OWL.AnnotationProperty): "annotation",
}
CHARACTERISTICS = {
    str(OWL.SymmetricProperty): "symmetric",
    str(OWL.TransitiveProperty): "transitive",
    str(OWL.FunctionalProperty): "functional",
    str(OWL.InverseFunctionalProperty): "inverse functional",
    str(OWL.AsymmetricProperty): "asymmetric",
    str(OWL.ReflexiveProperty): "reflexive",
    str(OWL.IrreflexiveProperty): "irreflexive",
}
#: alignment properties, in the order the documentation lists them
ALIGNMENTS = [
    str(p)
    for p in (
        RDFS.subClassOf,
        OWL.equivalentClass,
        RDFS.subPropertyOf,
        OWL.equivalentProperty,
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
        OWL.sameAs,
    )
]
LABELS = (str(RDFS.label), str(SKOS.prefLabel))


class _Index:
    """The ontology graph as ``subject -> predicate -> [objects]``."""

    def __init__(self, rows: list[dict]) -> None:
        self.by_subject: dict[object, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.by_object: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.label_quads: list[ox.Quad] = []
        for row in rows:
            s, p, o = row["s"], row["p"].value, row["o"]
            if o not in self.by_subject[s][p]:
                self.by_subject[s][p].append(o)
            if isinstance(o, ox.NamedNode) and isinstance(s, ox.NamedNode):
                self.by_object[(p, o.value)].append(s.value)
            if p in LABELS and isinstance(o, ox.Literal) and isinstance(s, ox.NamedNode):
                self.label_quads.append(ox.Quad(s, row["p"], o, ox.NamedNode(str(ONTOLOGY_GRAPH))))

    def values(self, subject: str | ox.BlankNode, predicate: str) -> list:
        key = ox.NamedNode(subject) if isinstance(subject, str) else subject
        return self.by_subject.get(key, {}).get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        values = self.values(subject, predicate)
        return sorted(o.value for o in values if isinstance(o, ox.NamedNode))

    def texts(self, subject: str, predicate: str) -> dict[str, list[str]]:
        """Return literal values by language (``""`` for none)."""
        found: dict[str, list[str]] = defaultdict(list)
        for o in self.values(subject, predicate):
            if isinstance(o, ox.Literal):
                found[o.language or ""].append(o.value)
        return dict(found)

    def subjects(self, predicate: str, obj: str) -> list[str]:
        return sorted(set(self.by_object.get((predicate, obj), [])))

    def rdf_list(self, node: object) -> list[str]:
        items = []
        while isinstance(node, ox.BlankNode):
            first = self.values(node, str(RDF.first))
            items += [i.value for i in first if isinstance(i, ox.NamedNode)]
            rest = self.values(node, str(RDF.rest))
            node = rest[0] if rest else None
        return items


@dataclass
class TermDoc:
    """One ``imt:`` class or property, as the documentation shows it."""

    iri: str
    name: str
    kind: str
    labels: dict[str, list[str]]
    comments: dict[str, list[str]]
    definitions: dict[str, list[str]]
    change_notes: dict[str, list[str]]
    parents: list[str]
    children: list[str]
    equivalents: list[str]
    disjoint: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    domain_of: list[str] = field(default_factory=list)
    range_of: list[str] = field(default_factory=list)
    deprecated: bool = False
    count: int = 0


@dataclass
class TreeNode:
    """A class in the class hierarchy, with its subclasses."""

    term: TermDoc
    outside_parents: list[str]
    children: list[TreeNode]


@dataclass
class Alignment:
    """An ``imt:`` term related to a term of a standard vocabulary."""

    term: str
    relation: str
    target: str


@dataclass
class OntologyDoc:
    """Everything the ontology documentation shows."""

    iri: str
    titles: dict[str, list[str]]
    descriptions: dict[str, list[str]]
    header: dict[str, list[object]]
    classes: list[TermDoc]
    properties: dict[str, list[TermDoc]]
    hierarchy: list[TreeNode]
    alignments: list[Alignment]
    schemes: list[tuple[str, list[str]]]
    labels: dict[str, dict[str, str]]

    def term(self, iri: str) -> TermDoc | None:
        """Return the documentation of an ``imt:`` term, if the ontology declares it."""
        for term in self.classes + [p for group in self.properties.values() for p in group]:
            if term.iri == iri:
                return term
        return None


def _term(index: _Index, iri: str, kind: str, counts: dict[str, int]) -> TermDoc:
    is_class = kind == "class"
    sub = str(RDFS.subClassOf if is_class else RDFS.subPropertyOf)
    equivalent = str(OWL.equivalentClass if is_class else OWL.equivalentProperty)
    term = TermDoc(
        iri=iri,
        name=iri[len(str(IMT)) :],
        kind=kind,
        labels=index.texts(iri, str(RDFS.label)),
        comments=index.texts(iri, str(RDFS.comment)),
        definitions=index.texts(iri, str(SKOS.definition)),
        change_notes=index.texts(iri, str(SKOS.changeNote)),
        parents=index.iris(iri, sub),
        children=index.subjects(sub, iri),
        equivalents=index.iris(iri, equivalent),
        deprecated=any(o.value == "true" for o in index.values(iri, str(OWL.deprecated))),
        count=counts.get(iri, 0),
    )
    if is_class:
        term.disjoint = index.iris(iri, str(OWL.disjointWith))
        term.domain_of = index.subjects(str(RDFS.domain), iri)
        term.range_of = index.subjects(str(RDFS.range), iri)
    else:
        term.domain = index.iris(iri, str(RDFS.domain))
        term.range = index.iris(iri, str(RDFS.range))
        term.inverse = sorted(
            set(index.iris(iri, str(OWL.inverseOf))) | set(index.subjects(str(OWL.inverseOf), iri))
        )
        types = {o.value for o in index.values(iri, str(RDF.type))}
        term.characteristics = sorted(CHARACTERISTICS[t] for t in types if t in CHARACTERISTICS)
        chains = index.values(iri, str(OWL.propertyChainAxiom))
        term.chain = index.rdf_list(chains[0]) if chains else []
    return term


def _hierarchy(classes: list[TermDoc]) -> list[TreeNode]:
    by_iri = {c.iri: c for c in classes}

    def node(term: TermDoc, seen: frozenset[str]) -> TreeNode:
        children = [by_iri[c] for c in term.children if c in by_iri and c not in seen]
        return TreeNode(
            term=term,
            outside_parents=[p for p in term.parents if p not in by_iri],
            children=[node(c, seen | {c.iri}) for c in sorted(children, key=lambda c: c.name)],
        )

    roots = [c for c in classes if not any(p in by_iri for p in c.parents)]
    return [node(c, frozenset({c.iri})) for c in roots]


def ontology_doc(engine: QueryEngine, counts: dict[str, int]) -> OntologyDoc:
    """Read ``graph:ontology`` and return its documentation.

    :param counts: the number of instances of each class, or of statements of each property.
    """
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
    rows = run_select(engine, query)
    index = _Index(rows)
    ontology = str(ONTOLOGY_IRI)
    terms: dict[str, TermDoc] = {}
    for (predicate, obj), subjects in index.by_object.items():
        if predicate != str(RDF.type):
            continue
        kind = "class" if obj in (str(OWL.Class), str(RDFS.Class)) else PROPERTY_KINDS.get(obj)
        for subject in subjects:
            if kind and subject.startswith(str(IMT)) and subject not in terms:
                terms[subject] = _term(index, subject, kind, counts)
    ordered = sorted(terms.values(), key=lambda t: t.name)
    classes = [t for t in ordered if t.kind == "class"]
    properties = {k: [t for t in ordered if t.kind == k] for k in PROPERTY_KINDS.values()}
    alignments = [
        Alignment(term.iri, relation, target)
        for term in ordered
        for relation in ALIGNMENTS
        for target in index.iris(term.iri, relation)
        if not target.startswith(str(IMT)) and target != str(OWL.Thing)
    ]
    schemes = [
        (scheme, index.subjects(str(SKOS.inScheme), scheme))
        for scheme in index.subjects(str(RDF.type), str(SKOS.ConceptScheme))
    ]
    header_properties = {
        "version": str(OWL.versionInfo),
        "version_iri": str(OWL.versionIRI),
        "license": str(DCTERMS.license),
        "created": str(DCTERMS.created),
        "modified": str(DCTERMS.modified),
        "prefix": VANN + "preferredNamespacePrefix",
        "namespace": VANN + "preferredNamespaceUri",
        "see_also": str(RDFS.seeAlso),
    }
    header: dict[str, list[object]] = {
        key: index.values(ontology, p) for key, p in header_properties.items()
    }
    header["creators"] = [
        name
        for creator in index.values(ontology, str(DCTERMS.creator))
        for name in index.values(creator, str(FOAF.name))
    ]
    return OntologyDoc(
        iri=ontology,
        titles=index.texts(ontology, str(DCTERMS.title)),
        descriptions=index.texts(ontology, str(DCTERMS.description)),
        header=header,
        classes=classes,
        properties=properties,
        hierarchy=_hierarchy(classes),
        alignments=alignments,
        schemes=schemes,
        labels=labels_by_language(index.label_quads),
    )
