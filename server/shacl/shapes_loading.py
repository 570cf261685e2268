"""The shapes graph: the Turtle files of ``shapes/`` (or of a folder given), parsed once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from imtkg.core.paths import resource_dir, turtle_files
from imtkg.rdf.reading import parse_file


def shapes_files(shapes_dir: Path | None = None) -> list[Path]:
    """Return the shapes' Turtle files (the shipped ones by default)."""
    return turtle_files(shapes_dir or resource_dir("shapes"))


@lru_cache(maxsize=4)
def _load_shapes(paths: tuple[Path, ...]) -> Graph:
    shapes = Graph()
    for path in paths:
        parse_file(path, shapes)
    return shapes


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """Return the shapes graph: every ``.ttl`` file of ``shapes_dir`` (``shapes/`` by default).

    The graph is parsed once per folder and shared: do not modify it.

    :raises InputError: when a shapes file cannot be parsed.
    """
    return _load_shapes(tuple(shapes_files(shapes_dir)))
