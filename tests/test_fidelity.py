"""Fidelity to the sources: every asserted statement of a source graph is traced to its paragraph.

``graph:locators`` reifies each asserted statement of the five source graphs (``rdf:Statement``)
and links it (``imt:supportedBy``) to a numbered ``imt:Passage`` of the graph's document; the
paragraph rule and the ledgers are written by ``tools/locators.py`` (see its docstring). These
tests read the data as any consumer would, and also check that the generated files are current,
that the inventions named in issue 14 are gone, and that no sentence of an article was copied.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from imtkg.core.namespaces import GRAPH, ID, IMT, ONTOLOGY_GRAPH, PREFIXES
from imtkg.data.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
LOCATORS_GRAPH = GRAPH["locators"]
SCHEMA_NS = "https://schema.org/"


def _load_tool():
    """Import tools/locators.py (a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("locators_tool", ROOT / "tools" / "locators.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(scope="module")
def store(dataset) -> ox.Store:
    """The shipped dataset in an Oxigraph store (SPARQL 1.1, as the endpoint reads it)."""
    store = ox.Store()
    for graph in dataset.graphs():
        if isinstance(graph.identifier, URIRef) and len(graph):
            data = graph.serialize(format="nt", encoding="utf-8")
            store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph.identifier))
    return store


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The shipped dataset, as loaded by the server (no inference)."""
    return load_dataset()


def source_graphs(dataset: Dataset) -> dict[URIRef, tuple[URIRef, int]]:
    """Each source graph with a seeded document -> (document, number of its paragraphs)."""
    catalogue = dataset.graph(GRAPH["sources"])
    found = {}
    for graph_iri, document in catalogue.subject_objects(PROV.wasDerivedFrom):
        seed = catalogue.value(document, IMT.seedFile)
        if seed is not None:
            found[graph_iri] = (document, len(tool.seed_paragraphs(SEEDS / str(seed))))
    return found


def unlocated(dataset: Dataset) -> list[tuple]:
    """The asserted statements of source graphs with no valid passage locator."""
    locators = dataset.graph(LOCATORS_GRAPH)
    missing = []
    for graph_iri, (document, paragraphs) in source_graphs(dataset).items():
        for s, p, o in dataset.graph(graph_iri):
            ok = False
            for st in locators.subjects(RDF.subject, s):
                if (st, RDF.predicate, p) not in locators or (st, RDF.object, o) not in locators:
                    continue
                if (st, IMT.inGraph, graph_iri) not in locators:
                    continue
                for passage in locators.objects(st, IMT.supportedBy):
                    number = locators.value(passage, IMT.paragraphNumber)
                    if (passage, DCTERMS.isPartOf, document) in locators and number is not None:
                        ok = ok or 1 <= int(number) <= paragraphs
            if not ok:
                missing.append((graph_iri, s, p, o))
    return missing


def test_the_source_graphs_are_the_five_documents(dataset):
    """The five seeded documents each have their graph, and each graph is non-empty."""
    graphs = source_graphs(dataset)
    assert sorted(str(g).rsplit("/", 1)[1] for g in graphs) == [
        "imt-grand-est",
        "imt-mines-ales-interview-2022",
        "imt-strategy-2023-2027",
        "industry-week-2025",
        "the-impact-ranking-2021",
    ]
    assert all(len(dataset.graph(g)) > 100 for g in graphs)


def test_every_asserted_statement_of_a_source_graph_has_a_locator(dataset):
    """No statement of a source graph lacks a paragraph of its own document that supports it."""
    assert unlocated(dataset) == []


def test_a_statement_without_a_locator_is_found(dataset):
    """The check fails on a statement added to a source graph with no locator (its failing case)."""
    extra = (ID["imt-mines-ales"], URIRef(SCHEMA_NS + "foundingDate"), Literal("1844"))
    dataset.graph(GRAPH["imt-mines-ales-interview-2022"]).add(extra)
    try:
        assert unlocated(dataset) == [(GRAPH["imt-mines-ales-interview-2022"], *extra)]
    finally:
        dataset.graph(GRAPH["imt-mines-ales-interview-2022"]).remove(extra)


def test_every_locator_points_at_an_asserted_statement(dataset):
    """graph:locators holds no reification of a statement its graph does not assert."""
    locators = dataset.graph(LOCATORS_GRAPH)
    stale = [
        st
        for st in locators.subjects(RDF.type, RDF.Statement)
        if (
            locators.value(st, RDF.subject),
            locators.value(st, RDF.predicate),
            locators.value(st, RDF.object),
        )
        not in dataset.graph(locators.value(st, IMT.inGraph))
    ]
    assert stale == []


def test_the_locators_and_ledgers_are_current():
    """graph/locators.ttl and the ledgers are what tools/locators.py writes from the blocks."""
    files = tool.expected_files()
    assert sorted(p.name for p in files) == [
        "imt-grand-est.md",
        "imt-mines-ales-interview-2022.md",
        "imt-strategy-2023-2027.md",
        "industry-week-2025.md",
        "locators.ttl",
        "the-impact-ranking-2021.md",
    ]
    stale = [p.name for p, text in files.items() if p.read_text(encoding="utf-8") != text]
    assert stale == []


def test_a_statement_outside_a_paragraph_block_is_refused(tmp_path):
    """A source file with a statement before its first marker, or a paragraph the document
    lacks, is refused with the file and line named."""
    for name in ("sources.ttl",):
        (tmp_path / name).write_text((ROOT / "graph" / name).read_text("utf-8"), "utf-8")
    prefixes = (
        "@prefix id: <https://w3id.org/imt-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    path = tmp_path / "imt-grand-est.ttl"
    path.write_text(prefixes + 'id:x rdfs:label "x"@en .\n# ¶ 3\n', "utf-8")
    with pytest.raises(tool.LedgerError, match="before the first paragraph marker"):
        tool.read_ledger("imt-grand-est", tmp_path, SEEDS)
    path.write_text(prefixes + '# ¶ 99 — no such paragraph\nid:x rdfs:label "x"@en .\n', "utf-8")
    with pytest.raises(
        tool.LedgerError, match=r"grand-est.ttl:3: the document has no paragraph 99"
    ):
        tool.read_ledger("imt-grand-est", tmp_path, SEEDS)


def test_paragraphs_are_numbered_by_the_stated_rule():
    """Lines holding a letter or digit are paragraphs; blank and punctuation-only lines are not."""
    ranking = tool.seed_paragraphs(SEEDS / "003_c0b3dd13efc9f96c.txt")
    assert len(ranking) == 14 and ranking[1] == 1 and ranking[2] == 5  # line 3 is ", , ,"
    interview = tool.seed_paragraphs(SEEDS / "004_2061ec6c8e5ab42c.txt")
    assert interview[4] == 11 and interview[11] == 32  # lines 31 and 32 are two paragraphs


@pytest.mark.parametrize(
    ("ask", "expected"),
    [
        # the convention: a dated signature, no named party, no act of establishment
        ("ASK { ?a imt:party ?p FILTER(?a = id:agreement\\/imt-grand-est-convention) }", False),
        ("ASK { ?a imt:establishes ?x }", False),
        ("ASK { ?m org:organization id:imt-grand-est ; imt:membershipStatus ?s }", False),
        # no school located by the Industry Week article's section headings
        (
            "ASK { GRAPH <https://w3id.org/imt-kg/graph/industry-week-2025> "
            "{ ?s a ?c ; schema:location ?place "
            "VALUES ?c { imt:EngineeringSchool imt:BusinessSchool } } }",
            False,
        ),
        ("ASK { id:place\\/bassin-alesien imt:keySector ?x }", False),
        ("ASK { id:imt-mines-ales imt:zoneOfInfluence/imt:keySector c:field\\/hydrogen }", True),
        (
            "ASK { id:initiative\\/ecological-transition-common-core "
            "imt:planStatus c:plan-status\\/planned }",
            True,
        ),
        ("ASK { ?g imt:statedBy id:imt-grand-est ; imt:concerns c:transition\\/energy }", False),
        ("ASK { ?c imt:statedBy id:person\\/odile-gauthier ; a imt:Claim }", True),
        ('ASK { id:institut-mines-telecom skos:hiddenLabel "Institut Mines-Télécomm"@fr }', True),
        ('ASK { id:mines-saint-etienne skos:hiddenLabel "Mines Saint-Etienne"@fr }', True),
    ],
)
def test_what_the_sources_do_not_say_is_not_stated(store, ask, expected):
    """The inventions of issue 14 are gone; what replaces them keeps the source's qualifiers."""
    prefixes = {**PREFIXES, "c": str(ID) + "concept/"}
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    assert bool(store.query(prologue + ask, use_default_graph_as_union=True)) is expected


def test_the_ontology_graph_holds_no_source_fact(dataset):
    """No scope note of a concept restates what a source says (facts live in source graphs)."""
    assert list(dataset.graph(ONTOLOGY_GRAPH).subject_objects(SKOS.scopeNote)) == []


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + 12]) for i in range(len(words) - 11)}


def test_no_sentence_of_an_article_is_copied():
    """No run of 12 words of a seed document appears in the data (titles as printed excepted)."""
    seeds = set().union(*(_shingles(p.read_text("utf-8")) for p in SEEDS.glob("*.txt")))
    folders = (
        "graph",
        "graph/ledger",
        "ontology",
        "shapes",
        "server/web/queries",
        "tests/competency",
    )
    copied = {}
    for folder in folders:
        for path in sorted((ROOT / folder).glob("*.*")):
            text = path.read_text("utf-8")
            if path.name == "sources.ttl":  # the printed titles are bibliographic data
                text = "\n".join(line for line in text.splitlines() if "dcterms:title" not in line)
            runs = _shingles(text) & seeds
            if runs:
                copied[str(path.relative_to(ROOT))] = sorted(runs)
    assert copied == {}
