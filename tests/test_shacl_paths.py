"""One walker writes SHACL property paths for the Oxigraph engine and for reports.

The engine's text (full IRIs, every compound parenthesised) is substituted for ``$PATH``; the
report's (prefixed names, parentheses only where precedence needs them) is read by people and
by :func:`imtkg.shacl.result_origins.origin_graphs`.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from imtkg.core.namespaces import SH
from imtkg.shacl.compiled_shapes import UnsupportedFeature, _Compiler
from imtkg.shacl.property_paths import path_text

ORG = "http://www.w3.org/ns/org#"
PATHS = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix org: <{ORG}> .
@prefix ex: <http://example.org/> .
ex:iri sh:path org:hasUnit .
ex:inverse sh:path [ sh:inversePath org:hasUnit ] .
ex:sequence sh:path ( org:memberDuring org:hasUnit ) .
ex:alternative sh:path [ sh:alternativePath ( org:hasUnit ( org:memberOf org:hasUnit ) ) ] .
ex:closure sh:path [ sh:zeroOrMorePath ( org:memberOf org:hasUnit ) ] .
ex:inverseSequence sh:path [ sh:inversePath ( org:memberOf org:hasUnit ) ] .
ex:optional sh:path [ sh:zeroOrOnePath [ sh:oneOrMorePath org:hasUnit ] ] .
ex:unknown sh:path [ ex:notAPath org:hasUnit ] .
"""

#: shape -> (report text, engine text)
EXPECTED = {
    "iri": ("org:hasUnit", f"<{ORG}hasUnit>"),
    "inverse": ("^org:hasUnit", f"^(<{ORG}hasUnit>)"),
    "sequence": ("org:memberDuring/org:hasUnit", f"(<{ORG}memberDuring>/<{ORG}hasUnit>)"),
    "alternative": (
        "(org:hasUnit|org:memberOf/org:hasUnit)",
        f"(<{ORG}hasUnit>|(<{ORG}memberOf>/<{ORG}hasUnit>))",
    ),
    "closure": ("(org:memberOf/org:hasUnit)*", f"((<{ORG}memberOf>/<{ORG}hasUnit>))*"),
    "inverseSequence": ("^(org:memberOf/org:hasUnit)", f"^((<{ORG}memberOf>/<{ORG}hasUnit>))"),
    "optional": ("(org:hasUnit+)?", f"((<{ORG}hasUnit>)+)?"),
}


def path_of(graph: Graph, shape: str) -> Node:
    """Return the ``sh:path`` of ``ex:<shape>``."""
    path = graph.value(URIRef(f"http://example.org/{shape}"), SH.path)
    assert path is not None
    return path


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(data=PATHS, format="turtle")


@pytest.mark.parametrize("shape", sorted(EXPECTED))
def test_each_path_is_written_for_reports_and_for_the_engine(graph: Graph, shape: str) -> None:
    """The same walk gives the report's text and the engine's SPARQL."""
    path = path_of(graph, shape)
    assert (path_text(graph, path), _Compiler(graph).path(path)) == EXPECTED[shape]


def test_an_unknown_path_is_refused_by_the_engine_and_shown_in_reports(graph: Graph) -> None:
    """A blank node that is no kind of path: the engine names it, the report shows the node."""
    path = path_of(graph, "unknown")
    with pytest.raises(UnsupportedFeature, match="an unknown kind of path"):
        _Compiler(graph).path(path)
    assert path_text(graph, path) == f"_:{path}"


def test_a_literal_path_is_refused_by_the_engine(graph: Graph) -> None:
    with pytest.raises(UnsupportedFeature, match="not an IRI nor a blank node"):
        _Compiler(graph).path(Literal("org:hasUnit"))
