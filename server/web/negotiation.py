"""Content negotiation of query results: the Accept header (q-values) and the ``format`` parameter.

SELECT/ASK results and CONSTRUCT/DESCRIBE graphs have different formats, and the query form is
only known once the query is parsed, so both choices are made up front: :func:`negotiate` returns
the best result format and the best graph format (each ``None`` when the client accepts none).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from imtkg.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS

#: media type -> result format name, preferred first (the order breaks ties such as */*)
RESULT_MEDIA_TYPES: dict[str, str] = {
    **{media_type: name for name, (media_type, _) in RESULT_FORMATS.items()},
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}

#: media type -> graph format name, preferred first
GRAPH_MEDIA_TYPES: dict[str, str] = {
    **{media_type: name for name, (media_type, _) in GRAPH_FORMATS.items()},
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}

#: ``format=`` short names -> (result format, graph format); either may be None
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "trig": (None, "trig"),
    "nquads": (None, "nquads"),
    "nq": (None, "nquads"),
}

#: the (Accept header, ``format``) pairs whose choice :func:`negotiate_header` remembers
NEGOTIATED_HEADERS = 256

DEFAULT_RESULT_FORMAT = "json"
DEFAULT_GRAPH_FORMAT = "turtle"


class UnknownFormat(ValueError):
    """A ``format`` parameter that names no format the endpoint offers."""


@dataclass(frozen=True)
class Negotiated:
    """The formats chosen for the request: by name, ``None`` when nothing acceptable is offered."""

    result_format: str | None
    graph_format: str | None


def offered_media_types() -> list[str]:
    """Return every media type the endpoint can answer a query in."""
    return [m for m, _ in RESULT_FORMATS.values()] + [m for m, _ in GRAPH_FORMATS.values()]


def from_format_parameter(value: str) -> Negotiated:
    """Read the ``format`` parameter: a short name (``json``, ``turtle``...) or a media type.

    :raises UnknownFormat: when the value names nothing offered.
    """
    key = value.strip().lower()
    if key in FORMAT_NAMES:
        return Negotiated(*FORMAT_NAMES[key])
    media_type = key.split(";")[0].strip()
    result, graph = RESULT_MEDIA_TYPES.get(media_type), GRAPH_MEDIA_TYPES.get(media_type)
    if result is None and graph is None:
        names = ", ".join(FORMAT_NAMES)
        raise UnknownFormat(f"unknown format {value!r}; use one of {names} or a media type")
    return Negotiated(result, graph)


def best(accept: MIMEAccept, offered: dict[str, str], default: str) -> str | None:
    """Return the name of the best format of ``offered`` for ``accept``; ``default`` if none."""
    if not accept:
        return default
    match = accept.best_match(list(offered))
    return offered[match] if match else None


def negotiate(accept: MIMEAccept, format_parameter: str | None = None) -> Negotiated:
    """Choose the result and graph formats from the ``format`` parameter or else the Accept header.

    :raises UnknownFormat: when ``format_parameter`` names nothing offered.
    """
    if format_parameter:
        return from_format_parameter(format_parameter)
    return Negotiated(
        best(accept, RESULT_MEDIA_TYPES, DEFAULT_RESULT_FORMAT),
        negotiate_graph_format(accept),
    )


@lru_cache(maxsize=NEGOTIATED_HEADERS)
def negotiate_header(accept_header: str, format_parameter: str | None = None) -> Negotiated:
    """:func:`negotiate` for the raw ``Accept`` header, remembered for the last
    :data:`NEGOTIATED_HEADERS` (header, ``format``) pairs: clients send the same few headers,
    and werkzeug's matching costs more than running a label lookup.

    :raises UnknownFormat: when ``format_parameter`` names nothing offered.
    """
    return negotiate(parse_accept_header(accept_header, MIMEAccept), format_parameter)


def negotiate_graph_format(accept: MIMEAccept, format_parameter: str | None = None) -> str | None:
    """Choose the format of an RDF document from the ``format`` parameter or else the Accept header.

    :raises UnknownFormat: when ``format_parameter`` names nothing offered.
    """
    if format_parameter:
        return from_format_parameter(format_parameter).graph_format
    return best(accept, GRAPH_MEDIA_TYPES, DEFAULT_GRAPH_FORMAT)


def prefers_html(accept: MIMEAccept) -> bool:
    """Tell whether the client (a browser) prefers HTML to every RDF format offered."""
    if not accept:
        return False
    # text/html last: a */* client such as curl gets RDF, a browser's explicit text/html wins
    return accept.best_match([*GRAPH_MEDIA_TYPES, "text/html"]) == "text/html"
