"""Parse RDF files and request bodies, turning parser failures into :class:`InputError`.

Every failure names the file (or ``<request body>``) and, when the parser knows it, the line.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from xml.sax import SAXParseException

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import InputError

#: file suffix -> rdflib parser name
SUFFIX_FORMATS: dict[str, str] = {
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

#: media type -> rdflib parser name
MEDIA_TYPE_FORMATS: dict[str, str] = {
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

QUAD_FORMATS = frozenset({"trig", "nquads", "json-ld"})

_LINE_IN_MESSAGE = re.compile(r"line (\d+)")
_BAD_SYNTAX_WHY = re.compile(r"Bad syntax \((.*?)\) at \^", re.DOTALL)


def format_for_path(path: Path) -> str:
    """Return the rdflib parser name for a file, from its suffix.

    :raises InputError: when the suffix is not an RDF format the project reads.
    """
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise InputError(
            str(path), f"unknown RDF file type {path.suffix!r} (expected one of {known})"
        )
    return fmt


#: line-based formats whose rdflib parser does not say where it failed; Oxigraph does
_OXIGRAPH_LINE_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS}


def _oxigraph_position(data: str | bytes, fmt: str) -> tuple[str, int | None] | None:
    """Re-parse line-based ``data`` with Oxigraph to learn the message and line of its error."""
    oxigraph_format = _OXIGRAPH_LINE_FORMATS.get(fmt)
    if oxigraph_format is None:
        return None
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        for _ in ox.parse(raw, format=oxigraph_format):
            pass
    except SyntaxError as exc:
        message = str(exc).split(": ", 1)[-1]
        return message, exc.lineno
    return None


def _input_error(
    source: str, exc: Exception, data: str | bytes | None = None, fmt: str | None = None
) -> InputError:
    """Translate a parser exception into an :class:`InputError` with a line number if known."""
    if data is not None and fmt is not None:
        located = _oxigraph_position(data, fmt)
        if located is not None:
            message, line = located
            return InputError(source, f"syntax error: {message}", line)
    if isinstance(exc, BadSyntax):
        text = str(exc)
        why = _BAD_SYNTAX_WHY.search(text)
        line = getattr(exc, "lines", None)
        return InputError(
            source,
            f"Turtle syntax error: {why.group(1) if why else text.splitlines()[0]}",
            line + 1 if isinstance(line, int) else None,
        )
    if isinstance(exc, SAXParseException):
        return InputError(source, f"RDF/XML error: {exc.getMessage()}", exc.getLineNumber())
    message = str(exc).strip() or type(exc).__name__
    found = _LINE_IN_MESSAGE.search(message)
    return InputError(source, message.splitlines()[0], int(found.group(1)) if found else None)


def parse_file(path: Path, graph: Graph | None = None, fmt: str | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new :class:`Graph` by default) and return it.

    :raises InputError: naming the file and line when the file cannot be read or parsed.
    """
    fmt = fmt or format_for_path(path)
    target = graph if graph is not None else Graph()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    try:
        target.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # noqa: BLE001 - every parser failure becomes an InputError
        raise _input_error(str(path), exc, data, fmt) from exc
    return target


def parse_quads_file(path: Path, dataset: Dataset, fmt: str | None = None) -> Dataset:
    """Parse a quad file (TriG, N-Quads, JSON-LD) into ``dataset``, keeping its named graphs."""
    fmt = fmt or format_for_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    try:
        _parse_quads(dataset, data=data, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # noqa: BLE001
        raise _input_error(str(path), exc, data, fmt) from exc
    return dataset


def _parse_quads(dataset: Dataset, **kwargs) -> None:
    """Parse quads into ``dataset`` without rdflib's warnings about its own deprecated API."""
    with warnings.catch_warnings():
        # rdflib 7.6's quad parsers use its deprecated ConjunctiveGraph and Dataset.default_context
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
        dataset.parse(**kwargs)


def parse_text(data: str | bytes, fmt: str, source: str = "<request body>") -> Dataset:
    """Parse RDF text in rdflib format ``fmt`` into a new :class:`Dataset`.

    Triple formats land in the dataset's default graph, quad formats keep their named graphs.

    :raises InputError: naming ``source`` and the line when the text cannot be parsed.
    """
    dataset = Dataset()
    try:
        if fmt in QUAD_FORMATS:
            _parse_quads(dataset, data=data, format=fmt)
        else:
            dataset.default_graph.parse(data=data, format=fmt)
    except Exception as exc:  # noqa: BLE001
        raise _input_error(source, exc, data, fmt) from exc
    return dataset
