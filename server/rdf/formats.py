"""Formats: the one table of RDF syntaxes, SPARQL result formats, and a text table of solutions.

:data:`RDF_SYNTAXES` holds every fact about an RDF syntax the project reads or writes: its
name, the extension of its document URLs, the file suffixes it is read from, its media types,
its rdflib and Oxigraph names, and whether it keeps named graphs. The other tables (the reader's
suffixes and media types in :mod:`imtkg.rdf.reading`, the dataset file types of
:mod:`imtkg.data.sources`, the document formats of :mod:`imtkg.web.linked_data`) derive from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    """An RDF syntax and every name it goes by.

    :param name: its name in the ``format`` parameter and the CLI (``turtle``).
    :param label: its name for people (``Turtle``).
    :param extension: the extension of its document URLs (``ttl``).
    :param suffixes: the file suffixes it is read from, the usual one first (``.ttl``, ``.turtle``).
    :param media_type: its registered media type (``text/turtle``).
    :param aliases: other media types that name it, in a request body and in ``Accept``.
    :param accept_aliases: media types that name it only in ``Accept`` (too loose to read a
        body by: ``application/xml`` may be any XML).
    :param rdflib: its rdflib parser and serializer name (``turtle``).
    :param oxigraph: its Oxigraph format.
    :param dataset: whether it keeps named graphs (TriG, N-Quads, JSON-LD).
    """

    name: str
    label: str
    extension: str
    suffixes: tuple[str, ...]
    media_type: str
    aliases: tuple[str, ...]
    accept_aliases: tuple[str, ...]
    rdflib: str
    oxigraph: ox.RdfFormat
    dataset: bool


#: the RDF syntaxes; the order is that of the SPARQL graph formats (it breaks ties in negotiation)
RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax(
        "turtle", "Turtle", "ttl", (".ttl", ".turtle"), "text/turtle",
        ("application/x-turtle",), (), "turtle", ox.RdfFormat.TURTLE, dataset=False,
    ),
    RdfSyntax(
        "ntriples", "N-Triples", "nt", (".nt",), "application/n-triples",
        ("text/plain",), (), "nt", ox.RdfFormat.N_TRIPLES, dataset=False,
    ),
    RdfSyntax(
        "rdfxml", "RDF/XML", "rdf", (".rdf", ".owl", ".xml"), "application/rdf+xml",
        (), ("application/xml", "text/xml"), "xml", ox.RdfFormat.RDF_XML, dataset=False,
    ),
    RdfSyntax(
        "jsonld", "JSON-LD", "jsonld", (".jsonld", ".json"), "application/ld+json",
        ("application/json",), (), "json-ld", ox.RdfFormat.JSON_LD, dataset=True,
    ),
    RdfSyntax(
        "trig", "TriG", "trig", (".trig",), "application/trig",
        (), (), "trig", ox.RdfFormat.TRIG, dataset=True,
    ),
    RdfSyntax(
        "nquads", "N-Quads", "nq", (".nq",), "application/n-quads",
        (), ("text/x-nquads",), "nquads", ox.RdfFormat.N_QUADS, dataset=True,
    ),
)  # fmt: skip

#: syntax by name (``turtle``)
BY_NAME: dict[str, RdfSyntax] = {s.name: s for s in RDF_SYNTAXES}
#: syntax by document extension (``ttl``)
BY_EXTENSION: dict[str, RdfSyntax] = {s.extension: s for s in RDF_SYNTAXES}
#: syntax by file suffix (``.ttl``), lower case
BY_SUFFIX: dict[str, RdfSyntax] = {x: s for s in RDF_SYNTAXES for x in s.suffixes}
#: syntax by rdflib name (``nt``)
BY_RDFLIB: dict[str, RdfSyntax] = {s.rdflib: s for s in RDF_SYNTAXES}

#: name -> (media type, pyoxigraph results format) for SELECT and ASK results
RESULT_FORMATS: dict[str, tuple[str, ox.QueryResultsFormat]] = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}

#: name -> (media type, pyoxigraph RDF format) for CONSTRUCT and DESCRIBE results
GRAPH_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    s.name: (s.media_type, s.oxigraph) for s in RDF_SYNTAXES
}


def serialized(
    items: Iterable[ox.Triple] | Iterable[ox.Quad],
    rdf_format: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """Return ``items`` written in ``rdf_format``: :func:`pyoxigraph.serialize` to bytes."""
    data = ox.serialize(items, format=rdf_format, prefixes=prefixes)
    if data is None:  # never: with no output given, pyoxigraph returns the text
        raise ValueError("pyoxigraph wrote no bytes")
    return data


def term_text(term: object, prefixes: dict[str, str] | None = None) -> str:
    """Return a short form of an RDF term: ``prefix:local`` for IRIs, the text of literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in (prefixes or {}).items():
            if term.value.startswith(iri) and len(term.value) > len(iri):
                return f"{prefix}:{term.value[len(iri) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def solutions_table(solutions: ox.QuerySolutions, prefixes: dict[str, str] | None = None) -> str:
    """Render SELECT solutions as an aligned plain-text table with a row count."""
    names = [v.value for v in solutions.variables]
    rows = [[term_text(sol[name], prefixes) for name in names] for sol in solutions]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)), line]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
