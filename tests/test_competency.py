"""Competency questions: each ``tests/competency/*.rq`` answers exactly its ``.tsv`` file.

The questions cover every source document, provenance (``GRAPH ?g`` + the catalogue), French and
English labels, and membership questions that need the OWL RL inferences. The expected answers
were checked by hand against the source documents; every query has a total ``ORDER BY`` (or a
single row) so that the comparison is exact, row by row.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from imtkg.store.knowledge import KnowledgeGraph
from imtkg.store.oxigraph_store import QueryScope, run_query

COMPETENCY = Path(__file__).resolve().parent / "competency"
QUESTIONS = sorted(COMPETENCY.glob("*.rq"))
SOURCE_GRAPHS = (
    "industry-week-2025",
    "imt-grand-est",
    "imt-strategy-2023-2027",
    "the-impact-ranking-2021",
    "imt-mines-ales-interview-2022",
    "provenance",
    "reasoning",
)


def _answer(kg: KnowledgeGraph, query: str, infer: bool = True) -> str:
    results = run_query(kg.store, query, QueryScope(infer=infer))
    return results.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")


def test_there_are_at_least_thirty_questions_covering_every_source() -> None:
    """At least 30 questions, and each source document, provenance and reasoning is covered."""
    assert len(QUESTIONS) >= 30
    headers = " ".join(q.read_text(encoding="utf-8").splitlines()[1] for q in QUESTIONS)
    for needed in SOURCE_GRAPHS:
        assert needed in headers, f"no competency question covers {needed}"


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda p: p.stem)
def test_competency_question(kg: KnowledgeGraph, question: Path) -> None:
    """The query's answer on the shipped graph is exactly the expected table, row by row."""
    expected = question.with_suffix(".tsv").read_text(encoding="utf-8")
    assert expected.count("\n") >= 2, "an expected answer has at least one row"
    assert _answer(kg, question.read_text(encoding="utf-8")) == expected


def test_membership_through_alliance_needs_reasoning(kg: KnowledgeGraph) -> None:
    """Without the inferred graph, the 'directly or through an alliance' question has no answer."""
    query = (COMPETENCY / "34-schools-of-imt-directly-or-through-an-alliance.rq").read_text()
    assert _answer(kg, query, infer=False).splitlines() == ["?organisation\t?how\t?since"]


def test_provenance_question_names_each_document_once(kg: KnowledgeGraph) -> None:
    """A fact stated by two documents stands in both graphs and is answered with both documents."""
    query = (COMPETENCY / "31-provenance-ales-in-imt.rq").read_text()
    rows = _answer(kg, query).splitlines()[1:]
    assert [row.split("\t")[1] for row in rows] == [
        '"listed among IMT\'s schools"',
        '"listed among IMT\'s schools"',
        '"membership record"',
    ]


def test_union_default_graph_is_a_set(kg: KnowledgeGraph) -> None:
    """A triple asserted in several named graphs counts once in the default graph."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { id:institut-mines-telecom rdfs:label ?l }"
    assert _answer(kg, query).splitlines()[1] == "2"
    assert _answer(kg, query.replace("COUNT(*)", "COUNT(DISTINCT ?l)")).splitlines()[1] == "2"
