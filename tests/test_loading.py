"""Loading: broken files are reported with their file name and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from imtkg.core.errors import InputError
from imtkg.data.dataset import load_dataset


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_turtle_names_file_and_line(tmp_path: Path) -> None:
    """A Turtle syntax error in a graph file fails the load with that file's name and line."""
    ontology = tmp_path / "ontology"
    graphs = tmp_path / "graph"
    ontology.mkdir()
    graphs.mkdir()
    _write(ontology, "o.ttl", "@prefix ex: <http://example.org/> .\nex:C a ex:Class .\n")
    bad = _write(
        graphs,
        "broken.ttl",
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n\nex:d ex:e ex:f ex:g .\n",
    )
    with pytest.raises(InputError) as caught:
        load_dataset(ontology, graphs)
    assert caught.value.source == str(bad)
    assert (caught.value.line, caught.value.column) == (4, 16)
    assert str(caught.value) == (
        f"{bad}:4:16: Turtle syntax error: A dot is expected at the end of statements"
    )


def test_unterminated_string_line(tmp_path: Path) -> None:
    """An unterminated string literal is reported on the line where it starts."""
    (tmp_path / "ontology").mkdir()
    (tmp_path / "graph").mkdir()
    _write(
        tmp_path / "graph",
        "g.ttl",
        '@prefix ex: <http://example.org/> .\nex:a ex:b "oops .\nex:c ex:d ex:e .\n',
    )
    with pytest.raises(InputError) as caught:
        load_dataset(tmp_path / "ontology", tmp_path / "graph")
    assert (caught.value.line, caught.value.column) == (2, 11)
    assert caught.value.message == "Turtle syntax error: Unexpected end of file"


def test_each_graph_file_is_a_named_graph(tmp_path: Path) -> None:
    """Each graph/<slug>.ttl becomes the named graph graph:<slug>; the ontology graph:ontology."""
    (tmp_path / "ontology").mkdir()
    (tmp_path / "graph").mkdir()
    _write(
        tmp_path / "ontology", "o.ttl", "@prefix ex: <http://example.org/> .\nex:C a ex:Class .\n"
    )
    _write(
        tmp_path / "graph", "alpha.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n"
    )
    dataset = load_dataset(tmp_path / "ontology", tmp_path / "graph")
    names = sorted(str(g.identifier) for g in dataset.graphs() if len(g))
    assert names == [
        "https://w3id.org/imt-kg/graph/alpha",
        "https://w3id.org/imt-kg/graph/ontology",
    ]


def test_broken_ntriples_names_file_and_line(tmp_path: Path) -> None:
    """An N-Triples error names the line, which rdflib's parser does not say (Oxigraph does)."""
    from imtkg.rdf.reading import parse_file

    bad = _write(
        tmp_path, "bad.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n"
    )
    with pytest.raises(InputError) as caught:
        parse_file(bad)
    assert str(caught.value) == (
        f"{bad}:2:23: N-Triples syntax error: "
        "The object of a triple must be an IRI, a blank node or a literal"
    )


def test_broken_nquads_request_body_names_line() -> None:
    """A request body in N-Quads with an error on line 3 is reported on line 3."""
    from imtkg.rdf.reading import parse_text

    body = '<http://a> <http://b> <http://c> <http://g> .\n\n<http://a> <http://b> "x .\n'
    with pytest.raises(InputError) as caught:
        parse_text(body, "nquads")
    assert caught.value.source == "<request body>"
    assert caught.value.line == 3
