"""Cool URIs: where each IRI of the graph is served, and which document a request gets.

The canonical IRIs live under :data:`imtkg.core.namespaces.BASE` (``https://w3id.org/imt-kg/``); the
server answers them under its public base (the ``PUBLIC_BASE`` setting, else the request's own
address), so ``https://w3id.org/imt-kg/id/imt-mines-ales`` is served at
``http://127.0.0.1:8000/id/imt-mines-ales`` locally and at the canonical address in production.

The request's address comes from its ``Host`` header, which the client chooses: documents name
it only when no ``PUBLIC_BASE`` is set (``ALLOWED_HOSTS`` then limits it, see
:mod:`imtkg.web.host_guard`), and a redirect never does: its ``Location`` is under ``PUBLIC_BASE``
or a path-absolute reference (``/id/x.ttl``, RFC 9110 section 10.2.2), so that a forged ``Host``
cannot reach an answer a shared cache may keep for other clients.

Content negotiation follows the W3C note "Cool URIs for the Semantic Web", 303 flavour, applied
to every resource: the IRI of a thing (``/id/x``, ``/graph/x``, ``/ontology``) answers
``303 See Other`` (``Vary: Accept``) to the document about it in the best format the client
accepts, ``/id/x.html``, ``/id/x.ttl``, ``/id/x.nt``, ``/id/x.rdf``, ``/id/x.jsonld``,
``/id/x.trig`` or ``/id/x.nq``; those document URLs answer 200 and are what pages link to.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from werkzeug.datastructures import MIMEAccept

from imtkg.core.namespaces import BASE
from imtkg.rdf.formats import BY_EXTENSION


@dataclass(frozen=True)
class DocumentFormat:
    """A format a description is served in.

    :param extension: the file extension of its document URL (``ttl``).
    :param media_type: its media type (``text/turtle``).
    :param name: its name for people (``Turtle``).
    :param dataset: whether it keeps named graphs (TriG, N-Quads, JSON-LD).
    """

    extension: str
    media_type: str
    name: str
    dataset: bool = False


#: the formats, by extension; the order breaks ties in negotiation (``*/*`` gets Turtle)
FORMATS: dict[str, DocumentFormat] = {
    ext: DocumentFormat("html", "text/html", "HTML")
    if ext == "html"
    else DocumentFormat(
        ext, BY_EXTENSION[ext].media_type, BY_EXTENSION[ext].label, BY_EXTENSION[ext].dataset
    )
    for ext in ("ttl", "html", "jsonld", "nt", "rdf", "trig", "nq")
}

#: the RDF formats (every format but HTML)
RDF_FORMATS: tuple[str, ...] = tuple(ext for ext in FORMATS if ext != "html")

#: media types clients send for these formats, beyond the registered ones
MEDIA_TYPE_ALIASES: dict[str, str] = {
    "application/x-turtle": "ttl",
    "application/xhtml+xml": "html",
    "application/json": "jsonld",
    "application/xml": "rdf",
    "text/xml": "rdf",
    "text/plain": "nt",
    "text/x-nquads": "nq",
}

#: media type -> extension, preferred first
ACCEPTED: dict[str, str] = {
    **{f.media_type: ext for ext, f in FORMATS.items()},
    **MEDIA_TYPE_ALIASES,
}

DEFAULT_EXTENSION = "ttl"


def negotiate(accept: MIMEAccept) -> str | None:
    """Return the extension of the best format for ``accept``; ``None`` when none is acceptable.

    No Accept header (or ``*/*``) gets Turtle; a browser, which asks for ``text/html`` first,
    gets HTML.
    """
    if not accept:
        return DEFAULT_EXTENSION
    match = accept.best_match(list(ACCEPTED))
    return ACCEPTED[match] if match else None


def split_extension(path: str) -> tuple[str, str | None]:
    """Split ``id/x.ttl`` into ``("id/x", "ttl")``; a path without a known extension is kept."""
    stem, dot, extension = path.rpartition(".")
    if dot and stem and extension in FORMATS and not stem.endswith("/"):
        return stem, extension
    return path, None


def served_base() -> str:
    """Return the public base of the server, ending in ``/`` (setting, else the request's)."""
    # a page maps hundreds of IRIs: work the base out once per request
    base = g.get("imtkg_served_base")
    if base is None:
        base = public_base() or request.url_root
        g.imtkg_served_base = base
    return base


def public_base() -> str | None:
    """Return the ``PUBLIC_BASE`` setting ending in ``/``, or ``None`` when it is not set."""
    base = current_app.config.get("PUBLIC_BASE")
    if not base:
        return None
    return base if base.endswith("/") else base + "/"


def redirect_location(path: str) -> str:
    """Return the ``Location`` of a redirect to ``path`` (relative to the base, no leading ``/``).

    Under ``PUBLIC_BASE`` when it is set, else a path-absolute reference (the client resolves
    it against the address it asked): never built from the ``Host`` header.
    """
    base = public_base()
    if base is not None:
        return base + path.lstrip("/")
    return f"{request.script_root}/{path.lstrip('/')}"


def location_without_host(location: str) -> str:
    """Rewrite a ``Location`` built from the request's address (werkzeug's own redirects, such
    as ``/dumps`` to ``/dumps/``) as :func:`redirect_location` builds it; others are kept."""
    for own in (request.url_root, request.host_url):
        if location.startswith(own):
            rest = location[len(own) :]
            if own == request.url_root:
                return redirect_location(rest)
            return "/" + rest
    return location


def canonical_iri(path: str) -> str:
    """Return the canonical IRI of the resource served at ``path`` (relative to the base)."""
    return BASE + path.lstrip("/")


def is_local(iri: str) -> bool:
    """Tell whether ``iri`` is one of the graph's own IRIs (under the canonical base)."""
    return iri.startswith(BASE) and len(iri) > len(BASE)


def served_url(iri: str) -> str:
    """Return where the server answers ``iri`` (its own IRIs only; others are returned as is)."""
    if is_local(iri):
        return served_base() + iri[len(BASE) :]
    return iri


def document_url(iri: str, extension: str) -> str:
    """Return the URL of the document about ``iri`` in the format of ``extension``.

    The document about an ontology term ``ontology#Term`` is the one about the whole ontology.
    """
    url = served_url(iri.split("#", 1)[0])
    return f"{url}.{extension}"


def page_url(iri: str) -> str:
    """Return the URL of the HTML page of ``iri``: ``/id/x.html``, ``/ontology/Term.html``.

    An ontology term gets its own page (its instances, its uses), from which the ontology's
    documentation (``/ontology.html#Term``) is one link away. Outside IRIs are returned as is.
    """
    if not is_local(iri):
        return iri
    if "#" in iri:
        document, term = iri.split("#", 1)
        return f"{served_url(document)}/{term}.html"
    return document_url(iri, "html")


def ontology_anchor(iri: str) -> str:
    """Return the URL of the section documenting ontology term ``iri`` (``/ontology.html#Term``)."""
    document, _, term = iri.partition("#")
    return f"{document_url(document, 'html')}#{term}"
