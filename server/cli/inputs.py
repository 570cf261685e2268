"""Reading a person's own RDF files for ``imtkg validate --shapes`` and ``imtkg reason FILES``.

Nothing of the project is mixed in: each file is read by :mod:`imtkg.rdf.reading` (its format
from its suffix, any syntax of :data:`imtkg.rdf.formats.RDF_SYNTAXES`; literals kept exactly as
written) into a dataset where a triple file is the named graph of its ``file:`` IRI and a quad
file (TriG, N-Quads, JSON-LD) keeps its own graphs. ``-`` reads Turtle from standard input.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from imtkg.rdf.reading import (
    QUAD_FORMATS,
    format_for_path,
    parse_file,
    parse_quads_file,
    parse_text,
)

#: the name of standard input among the files
STDIN = Path("-")
#: what errors and reports call standard input
STDIN_NAME = "<stdin>"
#: the graph of what standard input holds
STDIN_GRAPH = URIRef("urn:imtkg:stdin")


def shown(path: Path) -> str:
    """Return how messages name ``path``: relative to the working directory when below it."""
    if path == STDIN:
        return STDIN_NAME
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


def read_files(paths: Iterable[Path]) -> tuple[Dataset, dict[URIRef, str]]:
    """Read ``paths`` into a new dataset; return it and, per named graph, the files stating it.

    :raises InputError: naming the file, line and column of the first file that cannot be read.
    """
    dataset = Dataset()
    origins: dict[URIRef, str] = {}
    stdin_read = False
    for path in paths:
        if path == STDIN:
            if stdin_read:
                continue  # standard input can be read once
            stdin_read = True
            sent = parse_text(sys.stdin.buffer.read(), "turtle", STDIN_NAME).default_graph
            target = dataset.graph(STDIN_GRAPH)
            target.addN((s, p, o, target) for s, p, o in sent)
            origins[STDIN_GRAPH] = STDIN_NAME
            continue
        fmt = format_for_path(path)
        if fmt in QUAD_FORMATS:
            before = {g.identifier: len(g) for g in dataset.graphs()}
            parse_quads_file(path, dataset, fmt)
            for named in dataset.graphs():
                name = named.identifier
                if isinstance(name, URIRef) and len(named) != before.get(name, 0):
                    origins[name] = _joined(origins.get(name), shown(path))
        else:
            name = URIRef(path.resolve().as_uri())
            parse_file(path, dataset.graph(name), fmt)
            origins[name] = shown(path)
    return dataset, origins


def read_graph(paths: Iterable[Path]) -> Graph:
    """Read ``paths`` into one graph (the triples of every graph of every file).

    :raises InputError: naming the file, line and column of the first file that cannot be read.
    """
    return union(read_files(paths)[0])


def union(dataset: Dataset) -> Graph:
    """Return the triples of every graph of ``dataset`` as one graph."""
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o, _ in dataset.quads((None, None, None, None)))
    return graph


def _joined(previous: str | None, name: str) -> str:
    return name if previous is None or previous == name else f"{previous}, {name}"
