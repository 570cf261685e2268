"""Every example question of the gallery, run through the app's /sparql, gives its known answer.

The expected answers are in ``tests/data/examples/<id>.json`` (the variables and the rows, each
term written as in N-Triples). They were produced by running the examples on the shipped graph
and checked by hand against the files of ``graph/``; after a change of the data, rewrite them with
``python tests/test_examples.py --write`` and check the difference by hand again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from imtkg.web.endpoints.queries_gallery import Example, load_examples

EXPECTED = Path(__file__).resolve().parent / "data" / "examples"
EXAMPLES = load_examples()
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term_text(term: dict | None) -> str | None:
    """Write a SPARQL JSON results term as in N-Triples (``None`` when unbound)."""
    if term is None:
        return None
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    text = '"' + term["value"].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang']}"
    if term.get("datatype", XSD_STRING) != XSD_STRING:
        return f"{text}^^<{term['datatype']}>"
    return text


def table(results: dict) -> dict:
    """Reduce SPARQL JSON results to ``{"vars": [...], "rows": [[term or None, ...], ...]}``."""
    variables = results["head"]["vars"]
    rows = [[term_text(b.get(v)) for v in variables] for b in results["results"]["bindings"]]
    return {"vars": variables, "rows": rows}


def expected_table(example: Example) -> dict:
    """The stored answer of ``example``."""
    return json.loads((EXPECTED / f"{example.id}.json").read_text(encoding="utf-8"))


def answer_through_gallery_link(client, example: Example) -> dict:
    """Run ``example`` by the gallery's JSON results link and return its table."""
    with client.application.test_request_context():
        url = example.results_url("json")
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/sparql-results+json"
    return table(response.get_json())


def test_gallery_has_at_least_15_examples_each_with_an_answer_file():
    """The gallery holds at least 15 examples, and every one has a stored answer and no other."""
    assert len(EXAMPLES) >= 15
    assert sorted(p.stem for p in EXPECTED.glob("*.json")) == sorted(e.id for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_gives_its_expected_answer(shipped_client, example):
    """The example's JSON link on /sparql answers exactly the stored rows, in order."""
    assert answer_through_gallery_link(shipped_client, example) == expected_table(example)


def test_inference_changes_the_answer(shipped_client):
    """The same query with and without inference: 9 members of IMT Grand Est, then none."""
    by_id = {e.id: e for e in EXAMPLES}
    inferred, asserted = (
        by_id["members-of-imt-grand-est"],
        by_id["members-of-imt-grand-est-asserted"],
    )
    assert inferred.query == asserted.query
    assert (inferred.infer, asserted.infer) == (True, False)
    assert len(answer_through_gallery_link(shipped_client, inferred)["rows"]) == 9
    assert answer_through_gallery_link(shipped_client, asserted)["rows"] == []


def test_csv_link_gives_the_same_rows(shipped_client):
    """The gallery's CSV link of an example answers the same rows as its JSON link."""
    example = next(e for e in EXAMPLES if e.id == "ranking-editions")
    with shipped_client.application.test_request_context():
        url = example.results_url("csv")
    response = shipped_client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines() == [
        "edition,year,population,institutionsRanked,statedAs",
        "THE Impact Ranking 2020,2020,all institutions,776,776 en 2020",
        "THE Impact Ranking 2021,2021,all institutions,1115,1115 en 2021",
        "THE Impact Ranking 2021,2021,French institutions,18,18 établissements français classés",
        "THE Impact Ranking 2021,2021,IMT schools,4,4 de ses écoles",
    ]


def answer_file_text(answer: dict) -> str:
    """Write an answer as JSON with one row per line, for people to read and diff."""
    rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in answer["rows"])
    variables = json.dumps(answer["vars"])
    return (
        f'{{"vars": {variables},\n "rows": [\n{rows}\n ]}}\n'
        if rows
        else (f'{{"vars": {variables},\n "rows": []}}\n')
    )


def write_expected() -> None:  # pragma: no cover - a maintenance command
    """Run every example on the shipped graph and store its answer (to be checked by hand)."""
    from imtkg.web.app import close_app, create_app

    app = create_app({"WORKERS": 1})
    try:
        client = app.test_client()
        EXPECTED.mkdir(parents=True, exist_ok=True)
        for example in EXAMPLES:
            answer = answer_through_gallery_link(client, example)
            path = EXPECTED / f"{example.id}.json"
            path.write_text(answer_file_text(answer), encoding="utf-8")
            print(f"{path}: {len(answer['rows'])} rows")
    finally:
        close_app(app)


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_examples.py --write")
    write_expected()
