"""Why a triple holds: the OWL 2 RL derivation of an inference, down to the sources that state it.

:class:`Explainer` answers for one triple of the knowledge graph:

* an **asserted** triple: the named graphs that state it, and for each the source document(s)
  the ``graph:sources`` catalogue links it to (``prov:wasDerivedFrom`` / ``dcterms:source``);
* an **inferred** triple: the OWL 2 RL rule that concludes it (``prp-inv1``, ``prp-spo2``,
  ``cax-sco``...), the ontology axioms and the premises it uses, each explained in turn,
  recursively, down to asserted triples;
* a triple that **does not hold** (neither asserted nor inferred): ``None``.

Derivations are rebuilt backwards over the closure of :mod:`imtkg.reasoning.rl_reasoner`: each step
uses premises first derived in an earlier round, so the tree has no cycle and is as shallow as the
shortest derivation (ties go to the fewest steps, then to the rules' order of preference).
:func:`explanation_text`, :func:`explanation_json` and :func:`explanation_graph` write an
explanation for the command line, for JSON clients and as RDF (PROV-O).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS
from rdflib.term import Identifier, Node

from imtkg.core.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, SCHEMA
from imtkg.rdf.terms import format_triple, shorten
from imtkg.reasoning.closure import graphs_stating, iter_asserted
from imtkg.reasoning.rl_reasoner import CHAIN, RULES, RLClosure, Triple

#: where the OWL 2 RL rules are defined
RULES_SPEC = URIRef(
    "https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules"
)


@dataclass(frozen=True)
class SourceDocument:
    """A document a named graph's facts are taken from (from the ``graph:sources`` catalogue)."""

    iri: URIRef
    label: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Statement:
    """Where an asserted triple is stated: a named graph and the documents behind it."""

    graph: URIRef
    label: str | None = None
    documents: tuple[SourceDocument, ...] = ()


@dataclass
class Explanation:
    """Why a triple holds: where it is stated, or the rule and the explained premises.

    :param triple: the explained triple.
    :param statements: the named graphs stating it (empty for an inferred triple).
    :param rule: the OWL 2 RL rule that concludes it (``None`` for an asserted triple, or an
        inference the rule set cannot rebuild, such as owlrl's under ``full``).
    :param axioms: the explanations of the ontology axioms the rule uses.
    :param premises: the explanations of the facts the rule uses.
    :param chain: for a property chain axiom, the properties of the chain.
    """

    triple: Triple
    statements: tuple[Statement, ...] = ()
    rule: str | None = None
    axioms: list[Explanation] = field(default_factory=list)
    premises: list[Explanation] = field(default_factory=list)
    chain: tuple[Node, ...] | None = None

    @property
    def asserted(self) -> bool:
        """Tell whether the triple is stated by a named graph."""
        return bool(self.statements)

    def children(self) -> list[Explanation]:
        """Return the explanations of the axioms, then of the premises."""
        return self.axioms + self.premises

    def rules(self) -> list[str]:
        """Return the rules of the derivation, from the top, depth first."""
        found = [self.rule] if self.rule else []
        for child in self.children():
            found += child.rules()
        return found

    def leaves(self) -> list[Explanation]:
        """Return the asserted triples the derivation rests on, once each, depth first."""
        if self.asserted:
            return [self]
        found: dict[Triple, Explanation] = {}
        for child in self.children():
            for leaf in child.leaves():
                found.setdefault(leaf.triple, leaf)
        return list(found.values())

    def documents(self) -> list[SourceDocument]:
        """Return the source documents of the asserted triples it rests on, sorted, once each."""
        found = {d.iri: d for leaf in self.leaves() for s in leaf.statements for d in s.documents}
        return [found[iri] for iri in sorted(found)]


class Explainer:
    """Explains the triples of a dataset (asserted graphs, optionally a ``graph:inferred``).

    :param dataset: the knowledge graph; its asserted graphs are reasoned over again to know
        in which round each inference is first derived (a fraction of a second).
    :param closure: an already computed closure of the dataset's asserted graphs, if any.
    """

    def __init__(self, dataset: Dataset, closure: RLClosure | None = None) -> None:
        self.dataset = dataset
        self.closure = closure or RLClosure(iter_asserted(dataset)).run()
        self._catalogue = _catalogue(dataset)
        self._inferred = dataset.graph(INFERRED_GRAPH)
        self._memo: dict[Triple, Explanation] = {}

    def holds(self, triple: Triple) -> bool:
        """Tell whether ``triple`` is asserted or inferred."""
        return triple in self.closure or triple in self._inferred

    def explain(self, triple: Triple) -> Explanation | None:
        """Return why ``triple`` holds; ``None`` when it is neither asserted nor inferred."""
        if not self.holds(triple):
            return None
        return self._explain(triple)

    def _explain(self, triple: Triple) -> Explanation:
        known = self._memo.get(triple)
        if known is not None:
            return known
        statements = self.statements(triple)
        if statements:
            explanation = Explanation(triple, statements)
        else:
            derivations = self.closure.derivations(triple)
            if not derivations:  # not in the fast engine's closure (a graph:inferred of owlrl's)
                explanation = Explanation(triple)
            else:
                best = derivations[0]
                explanation = Explanation(
                    triple,
                    rule=best.rule,
                    axioms=[self._explain_axiom(t) for t in best.axioms],
                    premises=[self._explain(t) for t in best.premises],
                )
        self._memo[triple] = explanation
        return explanation

    def _explain_axiom(self, triple: Triple) -> Explanation:
        explanation = self._explain(triple)
        if triple[1] == CHAIN and explanation.chain is None:
            chain = self.closure.rdf_list(triple[2])
            explanation.chain = tuple(chain) if chain else None
        return explanation

    def statements(self, triple: Triple) -> tuple[Statement, ...]:
        """Return where ``triple`` is asserted: each named graph and its source documents."""
        return tuple(self._statement(g) for g in graphs_stating(self.dataset, triple))

    def _statement(self, graph: URIRef) -> Statement:
        catalogue = self._catalogue
        linked = (PROV.wasDerivedFrom, DCTERMS.source)
        documents = sorted(
            {d for p in linked for d in catalogue.objects(graph, p) if isinstance(d, Identifier)}
        )
        return Statement(
            graph,
            _label(catalogue, graph),
            tuple(
                SourceDocument(
                    d,
                    _label(catalogue, d) or _label(catalogue, d, DCTERMS.title),
                    _first(catalogue, d, SCHEMA.url, FOAF.page),
                )
                for d in documents
                if isinstance(d, URIRef)
            ),
        )


#: what the catalogue says of graphs and documents that explanations show
CATALOGUE_PREDICATES = (
    PROV.wasDerivedFrom,
    DCTERMS.source,
    DCTERMS.title,
    RDFS.label,
    SCHEMA.url,
    FOAF.page,
)


def _catalogue(dataset: Dataset) -> Graph:
    """Return the triples of the asserted graphs that describe named graphs and documents."""
    catalogue = Graph()
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            for predicate in CATALOGUE_PREDICATES:
                pairs = graph.subject_objects(predicate)
                catalogue.addN((s, predicate, o, catalogue) for s, o in pairs)
    return catalogue


def _label(graph: Graph, node: Node, predicate: URIRef = RDFS.label) -> str | None:
    """Return the English label of ``node``, else one without language, else any."""
    labels = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    for wanted in ("en", None):
        chosen = sorted(str(o) for o in labels if o.language == wanted)
        if chosen:
            return chosen[0]
    return sorted(str(o) for o in labels)[0] if labels else None


def _first(graph: Graph, node: Node, *predicates: URIRef) -> str | None:
    """Return the first value of the first of ``predicates`` that ``node`` has."""
    for predicate in predicates:
        values = sorted(str(o) for o in graph.objects(node, predicate))
        if values:
            return values[0]
    return None


# -- writing explanations ----------------------------------------------------------------------


def triple_text(explanation: Explanation) -> str:
    """Write the explained triple on one line, with a property chain written out."""
    if explanation.chain is not None:
        s, p, _ = explanation.triple
        items = " ".join(shorten(t) for t in explanation.chain)
        return f"{shorten(s)} {shorten(p)} ( {items} )"
    return format_triple(explanation.triple)


def statement_text(statement: Statement) -> str:
    """Write where a triple is stated: the graph, and its documents with their labels."""
    if statement.graph == ONTOLOGY_GRAPH:
        return f"{shorten(statement.graph)} (the ontology)"
    text = shorten(statement.graph)
    for document in statement.documents:
        text += f"; source: {shorten(document.iri)}"
        if document.label:
            text += f' "{document.label}"'
        if document.url:
            text += f" <{document.url}>"
    return text


def explanation_text(explanation: Explanation) -> str:
    """Write an explanation as an indented tree for the terminal, with a summary of sources."""
    lines = [triple_text(explanation)]
    _text_body(explanation, 1, lines)
    documents = explanation.documents()
    if explanation.rule and documents:
        lines.append("")
        lines.append(f"Rests on {len(explanation.leaves())} asserted triples, from:")
        lines += [f"  {shorten(d.iri)}" + (f' "{d.label}"' if d.label else "") for d in documents]
    return "\n".join(lines)


def _text_body(explanation: Explanation, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    if explanation.asserted:
        lines += [f"{pad}asserted in {statement_text(s)}" for s in explanation.statements]
        return
    if explanation.rule is None:
        lines.append(f"{pad}inferred by owlrl with a rule outside the explained rule set")
        return
    lines.append(f"{pad}inferred by rule {explanation.rule}: {RULES[explanation.rule]}")
    for kind, children in (("axiom", explanation.axioms), ("premise", explanation.premises)):
        for child in children:
            lines.append(f"{pad}{kind}: {triple_text(child)}")
            _text_body(child, depth + 1, lines)


def term_json(term: Node) -> dict[str, str]:
    """Write an RDF term as in the SPARQL 1.1 JSON results format."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value: dict[str, str] = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        value["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype is not None:
        value["datatype"] = str(term.datatype)
    return value


def explanation_json(explanation: Explanation) -> dict:
    """Write an explanation as a JSON-ready dictionary (nested for the premises)."""
    s, p, o = explanation.triple
    node: dict = {
        "triple": {"subject": term_json(s), "predicate": term_json(p), "object": term_json(o)},
        "text": triple_text(explanation),
        "status": "asserted" if explanation.asserted else "inferred",
    }
    if explanation.chain is not None:
        node["chain"] = [str(t) for t in explanation.chain]
    if explanation.asserted:
        node["statedIn"] = [
            {
                "graph": str(st.graph),
                "label": st.label,
                "documents": [
                    {"iri": str(d.iri), "label": d.label, "url": d.url} for d in st.documents
                ],
            }
            for st in explanation.statements
        ]
        return node
    node["rule"] = explanation.rule
    node["ruleDescription"] = RULES.get(explanation.rule or "")
    node["axioms"] = [explanation_json(a) for a in explanation.axioms]
    node["premises"] = [explanation_json(p) for p in explanation.premises]
    return node


def explanation_graph(explanation: Explanation) -> Graph:
    """Write an explanation as RDF: reified statements and PROV-O derivations.

    Each explained triple is an ``rdf:Statement``; an asserted one is ``dcterms:isPartOf`` its
    named graph and ``prov:wasDerivedFrom`` the graph's documents; an inferred one
    ``prov:wasGeneratedBy`` a ``prov:Activity`` labelled with the rule, which ``prov:used`` the
    statements of the axioms and premises.
    """
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    _add_statement(graph, explanation, {})
    return graph


def _add_statement(graph: Graph, explanation: Explanation, done: dict[Triple, BNode]) -> BNode:
    known = done.get(explanation.triple)
    if known is not None:
        return known
    node = done[explanation.triple] = BNode()
    s, p, o = explanation.triple
    graph.add((node, RDF.type, RDF.Statement))
    graph.add((node, RDF.subject, s))
    graph.add((node, RDF.predicate, p))
    graph.add((node, RDF.object, o))
    for statement in explanation.statements:
        graph.add((node, DCTERMS.isPartOf, statement.graph))
        for document in statement.documents:
            graph.add((node, PROV.wasDerivedFrom, document.iri))
    if explanation.rule is not None:
        activity = BNode()
        graph.add((node, PROV.wasGeneratedBy, activity))
        graph.add((activity, RDF.type, PROV.Activity))
        graph.add((activity, RDFS.label, Literal(explanation.rule)))
        graph.add((activity, RDFS.comment, Literal(RULES[explanation.rule], lang="en")))
        graph.add((activity, RDFS.seeAlso, RULES_SPEC))
        for child in explanation.children():
            graph.add((activity, PROV.used, _add_statement(graph, child, done)))
    return node
