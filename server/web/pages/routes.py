"""Blueprint of the linked-data site: dereferenceable IRIs, resource pages, home, ontology docs.

Routes (see :mod:`imtkg.web.linked_data` for the 303 content negotiation they all follow):

* ``/id/<path>``, ``/graph/<name>``, ``/ontology``: an IRI of the graph; ``303 See Other`` to
  the document in the negotiated format, 404 (in that format) when the graph says nothing of it;
* ``/id/<path>.<ext>``, ``/graph/<name>.<ext>``: the document about the resource: its page
  (``html``) or its description (``ttl``, ``nt``, ``rdf``, ``jsonld``, ``trig``, ``nq``);
* ``/ontology.<ext>``: the ontology's documentation (``html``) or the ontology graph;
* ``/ontology/<Term>[.<ext>]``: the page (or description) of ontology term ``imt:<Term>``:
  a class lists its instances, a property counts its uses;
* ``/context.jsonld``: the JSON-LD context the JSON-LD documents refer to;
* ``/``: the home page.

The site-wide template context (reader's language, ``_`` translation, language switch links,
navigation) is set here for every template of the app, ``base.html`` included.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import TypeVar
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from rdflib.namespace import DCTERMS, FOAF
from werkzeug.wrappers import Response as BaseResponse

from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import BASE, IMT, ONTOLOGY_GRAPH, ONTOLOGY_IRI
from imtkg.query.errors import QueryError
from imtkg.query.interface import QueryEngine
from imtkg.releases.records import ReleaseError, release_iri
from imtkg.store.dumps import canonical_dataset
from imtkg.web.caching import add_cache_headers, etag_for, not_modified_response
from imtkg.web.i18n import COOKIE, LANGUAGES, PARAMETER, choose_language, translate
from imtkg.web.linked_data import (
    FORMATS,
    canonical_iri,
    negotiate,
    ontology_anchor,
    page_url,
    redirect_location,
    served_base,
    split_extension,
)
from imtkg.web.pages.deprecated import (
    SEE_ALSO,
    Deprecation,
    deprecations,
    release_removals,
    replacement_path,
)
from imtkg.web.pages.describe import (
    Description,
    SourceCatalogue,
    as_iri,
    as_resource,
    describe,
    exists,
    run_select,
    source_catalogue,
)
from imtkg.web.pages.home import LICENSE_IRI, LICENSE_NAME, home_data, home_view
from imtkg.web.pages.labels import Labeller, short_name
from imtkg.web.pages.members_on_date import AT_PARAMETER, BadDate, members_on, parse_at
from imtkg.web.pages.ontology_docs import ontology_doc
from imtkg.web.pages.page_data import (
    ReleaseStatus,
    class_counts,
    description_keys,
    history_tag,
    property_counts,
    release_status,
)
from imtkg.web.pages.rdf_documents import build_context, jsonld_profile, serialize
from imtkg.web.pages.resource_view import (
    GraphFacts,
    alternates,
    graph_facts,
    resource_view,
    time_text,
)
from imtkg.web.releases_state import served_history
from imtkg.web.state import current_state

log = logging.getLogger(__name__)
bp = Blueprint("linked_data", __name__)

CONTEXT_PATH = "context.jsonld"
#: the navigation bar: (English label, path under the served base); other modules may append
NAV: list[tuple[str, str]] = [
    ("Home", ""),
    ("Schools", "#schools"),
    ("Alliances", "#alliances"),
    ("Events", "#events"),
    ("Rankings", "#rankings"),
    ("Ontology", "ontology.html"),
    ("SPARQL workbench", "sparql"),
    ("VoID", ".well-known/void"),
    ("Releases", "releases/"),
]
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

T = TypeVar("T")
R = TypeVar("R", bound=BaseResponse)


def shared(name: str, build: Callable[[QueryEngine], T]) -> T:
    """Return ``build(engine)``, computed once per app (the data never changes while it runs).

    ``name`` is chosen by the code, never by the request (:attr:`ImtKgState.shared` is bounded).
    """
    state = current_state()
    return state.shared.get(("linked_data", name), lambda: build(state.engine))


def _catalogue() -> SourceCatalogue:
    return shared("catalogue", source_catalogue)


def _facts() -> GraphFacts:
    return shared("facts", graph_facts)


def context_url() -> str:
    """Return the URL of the published JSON-LD context."""
    return served_base() + CONTEXT_PATH


# -- Site-wide template context ------------------------------------------------------------------


def language_links() -> list[dict[str, str]]:
    """Return the language switch: this page in each language (``?lang=``)."""
    links = []
    for lang in LANGUAGES:
        args = request.args.to_dict(flat=False)
        args[PARAMETER] = [lang]
        url = f"{request.script_root}{request.path}?{urlencode(args, doseq=True)}"
        links.append({"lang": lang, "name": LANGUAGE_NAMES[lang], "url": url})
    return links


@bp.app_context_processor
def site_context() -> dict[str, object]:
    """Give every template the reader's language, ``_``, the language switch and the nav."""
    lang = choose_language(request)
    base = served_base()
    return {
        "lang": lang,
        "_": lambda message: translate(message, lang),
        "language_links": language_links(),
        "nav": [(label, base + path) for label, path in NAV],
        "home_url": base,
        "license_iri": LICENSE_IRI,
        "license_name": LICENSE_NAME,
        "page_url": page_url,
        "ontology_anchor": ontology_anchor,
        "imt_namespace": str(IMT),
        "short_name": short_name,
        "time_text": time_text,
    }


@bp.after_app_request
def remember_language(response: Response) -> Response:
    """Keep the language chosen with the switch (``?lang=``) in a cookie."""
    value = request.args.get(PARAMETER)
    if value in LANGUAGES and request.cookies.get(COOKIE) != value:
        response.set_cookie(COOKIE, value, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.errorhandler(QueryError)
def query_error(error: QueryError) -> Response:
    """Answer a query the engine could not run (busy, timed out) with a short message."""
    response = Response(f"{error.status} {error}\n", status=error.status, mimetype="text/plain")
    response.headers.update(error.headers())  # Retry-After when the engine is busy
    response.cache_control.no_store = True
    return response


# -- Responses -----------------------------------------------------------------------------------


def _cacheable(response: R, etag: str) -> R:
    state = current_state()
    add_cache_headers(response, etag, state.version, current_app.config["CACHE_MAX_AGE"])
    return response


def _unchanged(etag: str) -> Response | None:
    """Return the 304 answering a conditional request that holds ``etag`` already, or ``None``."""
    state = current_state()
    max_age = current_app.config["CACHE_MAX_AGE"]
    return not_modified_response(request, etag, state.version, max_age)


def _open_document(iri: str, extension: str) -> Response | tuple[str, str]:
    """Open a document view: its early answer (404 for an unknown format, 304 for a conditional
    request that holds it already), or the reader's language and the document's ETag."""
    if extension not in FORMATS:
        return not_found(iri, None)
    lang = choose_language(request)
    etag = _document_etag(extension, lang)
    unchanged = _unchanged(etag)
    return (lang, etag) if unchanged is None else unchanged


def _etag(*parts: object) -> str:
    return etag_for(
        current_state().version, "linked-data", served_base(), _releases_tag(), request.path, *parts
    )


def _document_etag(extension: str, lang: str) -> str:
    """The ETag of a document: an HTML page varies with the language and the date asked for
    (``?at=``), an RDF document does not."""
    if extension == "jsonld":
        return _etag(extension, "", jsonld_profile())
    if extension != "html":
        return _etag(extension, "")
    return _etag(extension, lang, request.args.get(AT_PARAMETER, ""))


def _at_date() -> date | None:
    """Return the date of the ``at`` parameter (members on that date), ``None`` without one;
    a value that is not a date ``YYYY-MM-DD`` is a 400 naming the parameter."""
    value = request.args.get(AT_PARAMETER)
    if value is None:
        return None
    try:
        return parse_at(value)
    except BadDate as exc:
        abort(400, description=str(exc))


def _html(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.content_language.add(choose_language(request))
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def _rdf(body: bytes, extension: str, status: int = 200) -> Response:
    media_type = FORMATS[extension].media_type
    response = Response(body, status=status, content_type=f"{media_type}; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(iri: str, extension: str | None) -> Response:
    """Answer 404 for ``iri`` in the requested format: a page, an empty RDF document, or text."""
    message = f"404 Not Found: nothing is known about <{iri}>"
    if extension == "html":
        return _html(render_template("pages/not_found.html", iri=iri), status=404)
    if extension in FORMATS:
        body = serialize([], extension, shared("context", build_context), context_url())
        if extension in ("ttl", "nt", "trig", "nq"):
            body = f"# {message}\n".encode() + body
        response = _rdf(body, extension, status=404)
    else:
        response = Response(message + "\n", status=404, mimetype="text/plain")
    response.cache_control.no_store = True
    return response


def _not_acceptable() -> Response:
    offered = ", ".join(f.media_type for f in FORMATS.values())
    response = Response(
        f"406 Not Acceptable: this resource is offered as {offered}\n", 406, mimetype="text/plain"
    )
    response.vary.add("Accept")
    return response


def see_other(iri: str) -> BaseResponse:
    """Answer ``303 See Other`` to the document about ``iri`` in the negotiated format."""
    extension = negotiate(request.accept_mimetypes)
    if extension is None:
        return _not_acceptable()
    if not exists(current_state().engine, iri):
        return not_found(iri, extension)
    target = redirect_location(request.path.lstrip("/") + "." + extension)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    response = redirect(target, code=303)
    return _cacheable(response, _etag("303", extension))


def _document_quads(iri: str, extension: str) -> list[ox.Quad]:
    """Say, in the default graph, which resource the served document is about."""
    document = ox.NamedNode(served_base() + request.path.lstrip("/"))
    return [
        ox.Quad(document, ox.NamedNode(str(FOAF.primaryTopic)), ox.NamedNode(iri)),
        ox.Quad(document, ox.NamedNode(str(DCTERMS.license)), ox.NamedNode(LICENSE_IRI)),
    ]


def document(iri: str, extension: str) -> Response:
    """Answer the document about ``iri`` in the format of ``extension`` (200, or 404)."""
    at = _at_date()
    opened = _open_document(iri, extension)
    if isinstance(opened, Response):
        return opened
    lang, etag = opened
    state = current_state()
    description = describe(state.engine, iri, _catalogue(), _facts().labels)
    if not description.exists:
        return not_found(iri, extension)
    if extension == "html":
        response = _html(_resource_page(description, lang, at))
    else:
        quads = description.quads() + _document_quads(iri, extension)
        body = serialize(quads, extension, shared("context", build_context), context_url())
        response = _rdf(body, extension)
    return _cacheable(response, etag)


def _resource_page(description: Description, lang: str, at: date | None = None) -> str:
    state = current_state()
    view = resource_view(state.engine, description, lang, _facts())
    members = members_on(state.engine, description.iri, at) if at is not None else None
    return render_template(
        "pages/resource.html",
        view=view,
        name=view.name,
        at=at,
        members_on=members,
        release=_release_status(description.iri),
    )


# -- Releases ------------------------------------------------------------------------------------


def _releases_tag() -> tuple:
    """The served releases, for ETags (pages name them); empty when they cannot be read."""
    try:
        return history_tag(served_history())
    except ReleaseError:
        return ()


def _served_keys() -> dict[str, frozenset[tuple]]:
    """The served resources' asserted descriptions (:func:`description_keys`), once per app,
    from the app's knowledge graph (loaded on first use by the modes that do not hold it).

    :raises ImtKgError: when the app holds no knowledge graph to read them from.
    """
    state = current_state()
    return state.shared.get(
        ("linked_data", "served_keys"), lambda: description_keys(canonical_dataset(state.kg.store))
    )


def _release_status(iri: str) -> ReleaseStatus | None:
    """What the releases say of ``iri``; ``None`` without releases, or when a release's dump
    cannot be read (logged: the page is served without the line rather than not at all)."""
    try:
        history = served_history()
        latest = history.latest
        if latest is None:
            return None
        latest_keys = current_state().shared.get(
            ("linked_data", "release_keys", latest.version),
            lambda: description_keys(history.quads(latest)),
        )
        return release_status(history, iri, _served_keys(), latest_keys)
    except ImtKgError as exc:  # a damaged release dump, or no knowledge graph to compare
        log.warning("no release line on the page of %s: %s", iri, exc)
        return None


def _release_removals() -> dict[str, Deprecation]:
    """The IRIs a release described and the served data no longer does (once per app)."""

    def build() -> dict[str, Deprecation]:
        try:
            history = served_history()
            if not len(history):
                return {}
            return release_removals(history, _served_keys())
        except ImtKgError as exc:
            log.warning("the removed IRIs of the releases are not known: %s", exc)
            return {}

    return current_state().shared.get(("linked_data", "release_removals"), build)


# -- Routes --------------------------------------------------------------------------------------


def _resource(path: str) -> BaseResponse:
    stem, extension = split_extension(path)
    iri = canonical_iri(stem)
    removed = shared("deprecations", deprecations).get(iri) or _release_removals().get(iri)
    if removed is not None:
        return _removed(removed, extension)
    return see_other(iri) if extension is None else document(iri, extension)


def _removed(removed: Deprecation, extension: str | None) -> BaseResponse:
    """Answer a removed IRI (or one of its documents): 301 to its replacement, else 410 Gone
    with the trail's description in the requested (or negotiated) format."""
    target = replacement_path(removed, extension)
    if target is not None:
        location = redirect_location(target)
        if request.query_string:
            location += "?" + request.query_string.decode("latin-1")
        return _cacheable(redirect(location, code=301), _etag("301", extension or ""))
    if extension is None:
        extension = negotiate(request.accept_mimetypes)
        if extension is None:
            return _not_acceptable()
    lang = choose_language(request)
    if extension == "html":
        response = _html(render_template("pages/gone.html", gone=removed), status=410)
    else:
        quads = removed.quads + _document_quads(removed.iri, extension)
        if removed.last_release is not None:
            last = ox.NamedNode(release_iri(removed.last_release.version, served_base()))
            quads.append(ox.Quad(ox.NamedNode(removed.iri), ox.NamedNode(SEE_ALSO), last))
        body = serialize(quads, extension, shared("context", build_context), context_url())
        response = _rdf(body, extension, status=410)
    response.vary.add("Accept")
    return _cacheable(response, _etag("410", extension, lang))


@bp.route("/id/<path:path>")
def entity(path: str) -> BaseResponse:
    """An entity of the graph (``https://w3id.org/imt-kg/id/...``)."""
    return _resource("id/" + path)


@bp.route("/graph/<path:path>")
def named_graph(path: str) -> BaseResponse:
    """A named graph (``https://w3id.org/imt-kg/graph/<name>``)."""
    return _resource("graph/" + path)


@bp.route("/ontology")
def ontology() -> BaseResponse:
    """The ontology (and, by their fragment, each of its terms)."""
    return see_other(str(ONTOLOGY_IRI))


def _ontology_counts(engine: QueryEngine) -> dict[str, int]:
    return {**property_counts(engine), **class_counts(engine)}


@bp.route("/ontology.<extension>")
def ontology_document(extension: str) -> Response:
    """The ontology's documentation (``html``) or the ontology graph in an RDF format."""
    iri = str(ONTOLOGY_IRI)
    opened = _open_document(iri, extension)
    if isinstance(opened, Response):
        return opened
    lang, etag = opened
    state = current_state()
    if extension == "html":
        doc = shared("ontology_doc", lambda e: ontology_doc(e, _ontology_counts(e)))
        name = Labeller(doc.labels, lang)
        links = alternates(iri)
        page = render_template("pages/ontology.html", doc=doc, alternates=links, name=name)
        return _cacheable(_html(page), etag)
    # the body names the served base (its document IRI, the context): kept per base, bounded
    body = state.documents.get(
        ("ontology", served_base(), extension, jsonld_profile()),
        lambda: _ontology_rdf(state.engine, extension),
    )
    return _cacheable(_rdf(body, extension), etag)


def _ontology_rdf(engine: QueryEngine, extension: str) -> bytes:
    rows = run_select(
        engine, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    quads = [ox.Quad(as_resource(r["s"]), as_iri(r["p"]), r["o"], graph) for r in rows]
    quads += _document_quads(str(ONTOLOGY_IRI), extension)
    return serialize(quads, extension, shared("context", build_context), context_url())


@bp.route("/ontology/<path:path>")
def ontology_term(path: str) -> BaseResponse:
    """The page (or description) of an ontology term, ``imt:<path>``; also other IRIs under
    ``https://w3id.org/imt-kg/ontology/`` (the version IRI)."""
    stem, extension = split_extension(path)
    iri = str(IMT[stem])
    if not exists(current_state().engine, iri):
        iri = BASE + "ontology/" + stem
    return see_other(iri) if extension is None else document(iri, extension)


@bp.route("/" + CONTEXT_PATH)
def jsonld_context() -> Response:
    """The JSON-LD context of the graph's JSON-LD documents."""
    etag = _etag()
    unchanged = _unchanged(etag)
    if unchanged is not None:
        return unchanged
    body = json.dumps(shared("context", build_context), ensure_ascii=False, indent=2)
    response = _rdf(body.encode("utf-8"), "jsonld")
    return _cacheable(response, etag)


@bp.route("/")
def home() -> Response:
    """The home page."""
    lang = choose_language(request)
    etag = _etag(lang)
    unchanged = _unchanged(etag)
    if unchanged is not None:
        return unchanged
    data = shared("home", lambda engine: home_data(engine, _catalogue(), _facts().labels))
    body = render_template("pages/home.html", view=home_view(data, lang))
    return _cacheable(_html(body), etag)
