"""The one table of RDF syntaxes (:mod:`imtkg.rdf.formats`) and the tables derived from it.

The derived tables are pinned to the values they had when each module kept its own copy, so
that folding them into one table changes no suffix, media type or negotiation answer.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from imtkg.data import sources
from imtkg.rdf import reading
from imtkg.rdf.formats import BY_EXTENSION, BY_RDFLIB, BY_SUFFIX, GRAPH_FORMATS, RDF_SYNTAXES
from imtkg.web import linked_data


def test_reader_suffixes_and_media_types_are_unchanged() -> None:
    """The reader takes the same file suffixes and Content-Types, each to the same parser."""
    assert reading.SUFFIX_FORMATS == {
        ".ttl": "turtle",
        ".turtle": "turtle",
        ".trig": "trig",
        ".nt": "nt",
        ".nq": "nquads",
        ".jsonld": "json-ld",
        ".json": "json-ld",
        ".rdf": "xml",
        ".owl": "xml",
        ".xml": "xml",
    }
    assert reading.MEDIA_TYPE_FORMATS == {
        "text/turtle": "turtle",
        "application/x-turtle": "turtle",
        "application/trig": "trig",
        "application/n-triples": "nt",
        "text/plain": "nt",
        "application/n-quads": "nquads",
        "application/ld+json": "json-ld",
        "application/json": "json-ld",
        "application/rdf+xml": "xml",
    }
    assert reading.QUAD_FORMATS == {"trig", "nquads", "json-ld"}
    assert "json-ld" not in reading.OXIGRAPH_FORMATS
    assert reading.OXIGRAPH_FORMATS["xml"] == ox.RdfFormat.RDF_XML
    assert reading.FORMAT_NAMES["nquads"] == "N-Quads"


def test_dataset_files_keep_their_suffixes() -> None:
    """A dataset folder takes the same seven suffixes, quads files apart from triples files."""
    assert sources.QUAD_FORMATS == {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
    assert sources.TRIPLE_FORMATS == {
        ".nt": ox.RdfFormat.N_TRIPLES,
        ".ttl": ox.RdfFormat.TURTLE,
        ".turtle": ox.RdfFormat.TURTLE,
        ".rdf": ox.RdfFormat.RDF_XML,
        ".owl": ox.RdfFormat.RDF_XML,
    }


def test_graph_formats_keep_their_order() -> None:
    """The SPARQL graph formats keep their names, media types and order (ties in Accept)."""
    assert list(GRAPH_FORMATS.items()) == [
        ("turtle", ("text/turtle", ox.RdfFormat.TURTLE)),
        ("ntriples", ("application/n-triples", ox.RdfFormat.N_TRIPLES)),
        ("rdfxml", ("application/rdf+xml", ox.RdfFormat.RDF_XML)),
        ("jsonld", ("application/ld+json", ox.RdfFormat.JSON_LD)),
        ("trig", ("application/trig", ox.RdfFormat.TRIG)),
        ("nquads", ("application/n-quads", ox.RdfFormat.N_QUADS)),
    ]


def test_document_formats_come_from_the_table() -> None:
    """The linked-data documents keep their extensions, order, media types and dataset flags."""
    assert [
        (f.extension, f.media_type, f.name, f.dataset) for f in linked_data.FORMATS.values()
    ] == [
        ("ttl", "text/turtle", "Turtle", False),
        ("html", "text/html", "HTML", False),
        ("jsonld", "application/ld+json", "JSON-LD", True),
        ("nt", "application/n-triples", "N-Triples", False),
        ("rdf", "application/rdf+xml", "RDF/XML", False),
        ("trig", "application/trig", "TriG", True),
        ("nq", "application/n-quads", "N-Quads", True),
    ]


def test_document_aliases_agree_with_the_table() -> None:
    """Each media type alias the documents negotiate names the syntax the table gives it."""
    from_table = {
        alias: s.extension for s in RDF_SYNTAXES for alias in (*s.aliases, *s.accept_aliases)
    }
    aliases = dict(linked_data.MEDIA_TYPE_ALIASES)
    assert aliases.pop("application/xhtml+xml") == "html"
    assert aliases == from_table


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        ("*/*", "ttl"),
        ("application/json, text/plain, */*", "jsonld"),
        ("text/xml", "rdf"),
        ("text/x-nquads", "nq"),
        ("application/n-quads;q=0.5, application/trig", "trig"),
    ],
)
def test_negotiation_answers_are_unchanged(accept: str, extension: str) -> None:
    """Accept headers, ties between aliases included, get the same documents as before."""
    assert linked_data.negotiate(parse_accept_header(accept, MIMEAccept)) == extension


def test_every_syntax_is_found_by_each_key() -> None:
    """Each index of the table finds every syntax, and no two syntaxes share a key."""
    assert len(BY_EXTENSION) == len(BY_RDFLIB) == len(RDF_SYNTAXES)
    assert len(BY_SUFFIX) == sum(len(s.suffixes) for s in RDF_SYNTAXES)
    for syntax in RDF_SYNTAXES:
        assert all(BY_SUFFIX[suffix] is syntax for suffix in syntax.suffixes)
        assert syntax.oxigraph.supports_datasets == syntax.dataset
