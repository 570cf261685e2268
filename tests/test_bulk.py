"""The bulk build's parts (issue 7): the N-Quads text written for the store, the graph sizes
taken from the encoding, blank nodes kept across graphs, terms converted only when read."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal
from rdflib.namespace import RDFS
from rdflib.namespace import XSD as XSD_NS

from imtkg.core.namespaces import INFERRED_GRAPH
from imtkg.reasoning.rl_reasoner import RESERVED, RLClosure
from imtkg.store.bulk_build import build_store_from_sources, dataset_sources
from imtkg.store.bulk_terms import LazyTerms, TermTable, to_rdflib
from imtkg.store.bulk_writer import StoreWriter, graph_suffix, load_chunks, nquads_chunks
from imtkg.store.manifest import count_graphs
from imtkg.store.oxigraph_store import ASSERTED_UNION

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TERMS = [
    ox.NamedNode(EX + "s"),
    ox.NamedNode(EX + "p"),
    ox.NamedNode(EX + "é/ünïcode?q=1#x"),
    ox.Literal('quote " backslash \\ newline \n tab \t return \r'),
    ox.Literal("émoji 😀", language="fr"),
    ox.Literal("chat", language="en-GB"),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("not a date", datatype=ox.NamedNode(XSD + "dateTime")),
    ox.Literal(""),
]


def _quads(store: ox.Store) -> set[ox.Quad]:
    return set(store)


def test_nquads_chunks_load_the_same_quads_as_the_terms():
    """Text made from the terms' N-Triples text loads exactly the quads of those terms."""
    table = TermTable()
    codes = [table.code(term) for term in TERMS]
    triples = [(codes[0], codes[1], o) for o in codes] + [(codes[2], codes[1], codes[3])]
    graph = EX + "g"
    store = ox.Store()
    with StoreWriter(store) as writer:
        writer.submit(load_chunks(nquads_chunks(triples, table.texts, graph_suffix(graph), 3)))
        writer.close()
    name, terms = ox.NamedNode(graph), table.ox_terms
    expected = {ox.Quad(terms[s], terms[p], terms[o], name) for s, p, o in triples}
    assert _quads(store) == expected


def test_nquads_chunks_split_into_chunks_of_whole_lines():
    table = TermTable()
    a, p = table.code(ox.NamedNode(EX + "a")), table.code(ox.NamedNode(EX + "p"))
    chunks = list(nquads_chunks([(a, p, a)] * 5, table.texts, graph_suffix(None), 2))
    assert [c.count(b"\n") for c in chunks] == [2, 2, 1]
    assert chunks[0].decode().splitlines()[0] == f"<{EX}a> <{EX}p> <{EX}a> ."


def test_the_writer_raises_its_failure_and_skips_the_jobs_after_it():
    store, ran = ox.Store(), []
    with pytest.raises(SyntaxError), StoreWriter(store, threads=1) as writer:
        writer.load(b"<not valid")
        writer.submit(lambda _: ran.append(1))
        writer.close()
    assert ran == [] and len(store) == 0


def test_lazy_terms_convert_only_what_is_read():
    table = TermTable()
    codes = [table.code(term) for term in TERMS]
    terms = LazyTerms(table)
    assert len(terms) == len(RESERVED) + len(TERMS)
    assert tuple(terms[: len(RESERVED)]) == RESERVED
    assert terms._converted.count(None) == len(TERMS)
    assert terms[codes[4]] == Literal("émoji 😀", lang="fr")
    assert terms._converted.count(None) == len(TERMS) - 1
    assert [terms[c] for c in codes] == [to_rdflib(t) for t in TERMS]


def test_checked_literals_are_those_the_reasoner_checks():
    table = TermTable()
    codes = [table.code(term) for term in TERMS]
    # the reserved cardinality literals "0" and "1" of the rules, then those of TERMS
    assert table.checked_literals()[-2:] == [codes[6], codes[7]]
    assert all(code < len(RESERVED) for code in table.checked_literals()[:-2])
    asserted = {(codes[0], codes[1], c) for c in codes}
    # p's range types every literal an xsd:dateTime: dt-not-type for each but none of them
    range_axiom = (codes[1], RESERVED.index(RDFS.range), RESERVED.index(XSD_NS.dateTime))
    asserted.add(range_axiom)
    lazy = RLClosure.from_encoded(LazyTerms(table), asserted, table.checked_literals()).run()
    eager = RLClosure.from_encoded(list(LazyTerms(table)), asserted).run()
    assert [v.triples for v in lazy.violations()] == [v.triples for v in eager.violations()]
    assert {v.rule for v in lazy.violations()} == {"dt-not-type"}
    assert len(lazy.violations()) == 6  # the six literals; "42" is no dateTime either


DATASET = f"""
<{EX}onto> <http://www.w3.org/2002/07/owl#someProperty> "x" <{EX}ontology> .
<{EX}p> <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> <{EX}q> <{EX}ontology> .
<{EX}q> <http://www.w3.org/2000/01/rdf-schema#domain> <{EX}C> <{EX}ontology> .
<{EX}a> <{EX}p> <{EX}b> <{EX}g1> .
<{EX}a> <{EX}p> <{EX}b> <{EX}g1> .
<{EX}a> <{EX}p> <{EX}b> <{EX}g2> .
<{EX}a> <{EX}p> <{EX}b> <{EX}g2> .
<{EX}a> <{EX}p> <{EX}b> <{EX}g1> .
_:node <{EX}p> "with a blank node" <{EX}g2> .
<{EX}a> <{EX}r> _:node <{EX}g2> .
<{EX}a> <{EX}label> "plain" .
<{EX}old> <{EX}p> <{EX}inferred-before> <{INFERRED_GRAPH}> .
<{EX}old> <{EX}p> <{EX}union-before> <{ASSERTED_UNION}> .
"""


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "data.nq"
    path.write_text(DATASET, encoding="utf-8")
    return build_store_from_sources(dataset_sources([path]), tmp_path / "store")


def test_graph_sizes_from_the_encoding_are_those_of_the_store(built):
    """Repeated quads count once per graph; a dump's inferred and union graphs are skipped."""
    assert built.graphs == count_graphs(built.store)
    assert built.graphs[EX + "g1"] == 1 and built.graphs[EX + "g2"] == 3
    assert len(built.store) == sum(built.graphs.values()) + 1  # + the default graph's triple


def test_blank_nodes_are_the_same_nodes_in_every_graph(built):
    store = built.store
    blanks = {
        graph: {
            term.value
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            for term in (q.subject, q.object)
            if isinstance(term, ox.BlankNode)
        }
        for graph in (EX + "g2", ASSERTED_UNION, str(INFERRED_GRAPH))
    }
    assert len(blanks[EX + "g2"]) == 1
    assert blanks[ASSERTED_UNION] == blanks[EX + "g2"] == blanks[str(INFERRED_GRAPH)]


def test_inferences_are_written_without_the_old_ones(built):
    inferred = {
        (q.subject, q.predicate, q.object)
        for q in built.store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH)))
    }
    assert (ox.NamedNode(EX + "a"), ox.NamedNode(EX + "q"), ox.NamedNode(EX + "b")) in inferred
    assert not any(t[0] == ox.NamedNode(EX + "old") for t in inferred)


def test_fast_engine_streams_inferences_with_a_derived_same_as(tmp_path):
    """The fast engine writes its rounds as it goes, owl:sameAs (here derived) included: it
    implements every OWL 2 RL rule, so nothing is handed to owlrl any more."""
    path = tmp_path / "data.nq"
    path.write_text(
        f"<{EX}p> <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> "
        f"<http://www.w3.org/2002/07/owl#sameAs> <{EX}ontology> .\n"
        f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n",
        encoding="utf-8",
    )
    built = build_store_from_sources(dataset_sources([path]), tmp_path / "store")
    assert built.engine == "fast"
    assert built.graphs == count_graphs(built.store)
    inferred = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in built.store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH)))
    }
    same = "http://www.w3.org/2002/07/owl#sameAs"
    assert {(EX + "a", same, EX + "b"), (EX + "b", same, EX + "a")} <= inferred
