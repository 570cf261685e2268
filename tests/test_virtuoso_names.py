"""Prefixed names with escapes written as full IRIs for Virtuoso (imtkg.query.virtuoso), checked
against Oxigraph: the rewritten query means exactly what the original means."""

from __future__ import annotations

from pathlib import Path

import pytest

from imtkg.core.namespaces import PREFIXES
from imtkg.query.virtuoso import expand_escaped_names, is_virtuoso

COMPETENCY = sorted((Path(__file__).resolve().parent / "competency").glob("*.rq"))
ESCAPED = [q for q in COMPETENCY if "\\" in q.read_text(encoding="utf-8")]
ID = PREFIXES["id"]


def test_an_escaped_name_becomes_its_full_iri():
    """``id:event\\/x`` is ``<…/id/event/x>``; names without escapes stay as written."""
    query = "SELECT * WHERE { id:event\\/x imt:p id:plain , id:a\\.b\\~c }"
    assert expand_escaped_names(query, PREFIXES) == (
        f"SELECT * WHERE {{ <{ID}event/x> imt:p id:plain , <{ID}a.b~c> }}"
    )


def test_the_querys_own_declarations_win_and_unknown_prefixes_stay():
    """A PREFIX of the query overrides the predeclared one from there on (the empty prefix
    too); a prefix declared nowhere is left for the engine to report."""
    query = "PREFIX id: <urn:x:> PREFIX : <urn:e:>\nSELECT * WHERE { id:a\\/b :c\\/d nope:e\\/f }"
    assert expand_escaped_names(query, PREFIXES) == (
        "PREFIX id: <urn:x:> PREFIX : <urn:e:>\n"
        "SELECT * WHERE { <urn:x:a/b> <urn:e:c/d> nope:e\\/f }"
    )


def test_strings_comments_and_a_final_dot_are_left_alone():
    """Escapes inside strings and comments are not names; a triple's final dot is not part of
    the name; lines stay where they were."""
    query = (
        'SELECT * WHERE {\n  ?s ?p "id:a\\/b" . # id:c\\/d\n'
        "  ?s ?p '''id:e\\/f''' .\n  ?s ?q id:g\\/h.\n}"
    )
    expanded = expand_escaped_names(query, PREFIXES)
    assert expanded == query.replace("id:g\\/h.", f"<{ID}g/h>.")
    assert expanded.count("\n") == query.count("\n")


@pytest.mark.parametrize("question", ESCAPED, ids=lambda p: p.stem)
def test_rewritten_questions_answer_as_the_originals(kg, question):
    """Each competency question with escapes gives the same answer rewritten, on Oxigraph."""
    original = question.read_text(encoding="utf-8")
    rewritten = expand_escaped_names(original, PREFIXES)
    assert "\\/" not in rewritten

    def rows(query: str) -> list[tuple[str, ...]]:
        solutions = kg.store.query(query, use_default_graph_as_union=True)
        return [tuple(str(s[v]) for v in solutions.variables) for s in solutions]

    assert rows(rewritten) == rows(original)
    assert rows(original)  # a question with an answer


def test_virtuoso_is_named_by_its_server_product():
    """Only an engine whose Server product is Virtuoso/… gets rewritten queries."""
    assert is_virtuoso("Virtuoso/07.20.3229")
    assert not is_virtuoso("Oxigraph/0.5.13") and not is_virtuoso(None)
