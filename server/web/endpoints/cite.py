"""``/cite/…``: citations of the dataset, a release, a resource or one statement.

Routes:

* ``GET /cite/``: the dataset (its latest release; the working data when there is none);
* ``GET /cite/release/<version>``: release ``version`` (400 for a malformed version, 404 for
  one that does not exist);
* ``GET /cite/<name>``: resource ``id:<name>`` (404 when the graph says nothing of it, 410 when
  the trail of removed IRIs names it or a release described it and the data no longer does,
  naming that release, 301 to its replacement's citation when it has one);
* ``GET /cite/<name>?p=<predicate IRI>&o=<object in N-Triples>[&g=<graph IRI>]``: the statement
  ``id:<name> p o`` (in ``g``, else in every graph asserting it); 400 naming the parameter when
  one is absent or malformed, or when the data holds no such statement (the statements of the
  trail about a removed IRI are citable: the data holds them).

Formats (:data:`imtkg.citations.formats.FORMATS`): the ``format`` parameter (``bibtex``,
``csl-json``, ``ris``, ``text``, ``html``, or a media type; 400 listing them when unknown), else
the ``Accept`` header (406 listing the media types when none is acceptable); the HTML page shows
every format with Copy and Download buttons. ``download=1`` answers a file
(``Content-Disposition: attachment``). Every answer varies with ``Accept``. A release whose dump
does not match its checksum is a 409 naming it, as on ``/releases/``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from imtkg.citations.bibliography import write_html
from imtkg.citations.dataset import dataset_citation
from imtkg.citations.formats import FORMATS
from imtkg.citations.model import Citation, CitationError
from imtkg.citations.resources import cite_resource
from imtkg.citations.statements import cite_statement, parse_statement
from imtkg.core.errors import ImtKgError
from imtkg.core.namespaces import ID
from imtkg.releases.history import ReleaseHistory
from imtkg.releases.records import VERSION_PATTERN, Release, ReleaseError
from imtkg.store.dumps import canonical_dataset
from imtkg.web.caching import add_cache_headers, etag_for, not_modified_response
from imtkg.web.i18n import add_messages, choose_language
from imtkg.web.linked_data import page_url, redirect_location, served_base, served_url
from imtkg.web.negotiation import best
from imtkg.web.pages.deprecated import deprecations, release_removals
from imtkg.web.pages.describe import exists
from imtkg.web.pages.page_data import description_keys
from imtkg.web.pages.routes import shared
from imtkg.web.releases_state import served_history
from imtkg.web.state import current_state

bp = Blueprint("cite", __name__)
log = logging.getLogger(__name__)

HTML = "html"
#: media type -> format name; the page first, so that ``*/*`` (a link followed) gets the page
OFFERED: dict[str, str] = {"text/html": HTML, **{f.media_type: n for n, f in FORMATS.items()}}
#: the ``format`` names, in the order a 400 lists them
FORMAT_NAMES = [*FORMATS, HTML]
#: the parameters that name a statement
STATEMENT_PARAMETERS = ("p", "o", "g")

add_messages(
    {
        "Cite": "Citer",
        "Cite this resource": "Citer cette ressource",
        "Citation": "Citation",
        "Copy": "Copier",
        "Copied": "Copié",
        "Download": "Télécharger",
        "All formats": "Tous les formats",
        "Reference": "Référence",
        "Formatted (APA)": "Mise en forme (APA)",
        "The statement cited": "L'énoncé cité",
        "What to cite": "Ce qu'il faut citer",
        "Formats": "Formats",
        "Reference managers and programs get each format from this URL with the Accept header "
        "or the format parameter:": (
            "Les gestionnaires de références et les programmes obtiennent chaque format à cette "
            "URL avec l'en-tête Accept ou le paramètre format :"
        ),
        "Cite the source documents that state it, at the paragraph given, and the release of "
        "the dataset it comes from.": (
            "Citez les documents sources qui l'énoncent, au paragraphe indiqué, et la version du "
            "jeu de données dont il provient."
        ),
    }
)


def chosen_format() -> str:
    """Return the format asked for: the ``format`` parameter, else the ``Accept`` header.

    Aborts with 400 (unknown ``format``) or 406 (nothing acceptable), listing what is offered.
    """
    value = request.args.get("format")
    if value is not None:
        key = value.strip().lower()
        name = key if key in FORMAT_NAMES else OFFERED.get(key.split(";")[0].strip())
        if name is None:
            abort(
                400,
                description=f"unknown format {value[:60]!r}; use one of "
                f"{', '.join(FORMAT_NAMES)} or one of the media types {', '.join(OFFERED)}",
            )
        return name
    name = best(request.accept_mimetypes, OFFERED, HTML)
    if name is None:
        response = Response(
            f"406 Not Acceptable: a citation is offered as {', '.join(OFFERED)}\n",
            status=406,
            mimetype="text/plain",
        )
        response.vary.add("Accept")
        abort(response)
    return name


def _etag(name: str, lang: str) -> str:
    query = sorted(request.args.items(multi=True))
    return etag_for(current_state().version, "cite", served_base(), request.path, query, name, lang)


def answer(citation_of: Callable[[], Citation]) -> Response:
    """Answer the citation built by ``citation_of()`` in the chosen format (304 when the client
    holds it already)."""
    name = chosen_format()
    lang = choose_language(request) if name == HTML else ""
    etag = _etag(name, lang)
    state = current_state()
    max_age = current_app.config["CACHE_MAX_AGE"]
    unchanged = not_modified_response(request, etag, state.version, max_age)
    if unchanged is not None:
        return unchanged
    try:
        citation = citation_of()
    except CitationError as exc:
        abort(400, description=str(exc))
    except ReleaseError as exc:  # a release's dump damaged or edited: as /releases/ answers
        abort(409, description=str(exc))
    if name == HTML:
        response = Response(_page(citation), mimetype="text/html")
        response.content_language.add(lang)
        response.vary.update(("Accept-Language", "Cookie"))
        extension = "html"
    else:
        chosen = FORMATS[name]
        body = chosen.write(citation)
        response = Response(body, content_type=f"{chosen.media_type}; charset=utf-8")
        extension = chosen.extension
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{citation.filename}.{extension}"'
        )
    add_cache_headers(response, etag, state.version, max_age)
    return response


def _work_url(iri: str) -> str:
    """Where this server shows a cited work: a resource's page, a release's page."""
    return page_url(iri) if iri.startswith(str(ID)) else served_url(iri)


def _page(citation: Citation) -> str:
    url = served_base() + request.path.lstrip("/")
    args = {k: v for k, v in request.args.items() if k in STATEMENT_PARAMETERS}
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in args.items())
    here = url + ("?" + query if query else "")
    joiner = "&" if query else "?"
    formats = [
        {
            "name": name,
            "label": f.label,
            "media_type": f.media_type,
            "text": f.write(citation),
            "url": f"{here}{joiner}format={name}",
            "download": f"{here}{joiner}format={name}&download=1",
        }
        for name, f in FORMATS.items()
    ]
    return render_template(
        "cite.html",
        citation=citation,
        reference=write_html(citation),
        formats=formats,
        url=here,
        works=[(w, _work_url(w.iri)) for w in citation.works],
    )


def _served_keys() -> dict[str, frozenset[tuple]]:
    """The served resources' descriptions (blank nodes compared by their statements), shared
    with the pages' release line (:func:`imtkg.web.pages.page_data.description_keys`).

    :raises ImtKgError: when the app holds no knowledge graph to read them from.
    """
    state = current_state()
    return state.shared.get(
        ("linked_data", "served_keys"), lambda: description_keys(canonical_dataset(state.kg.store))
    )


def _same_as_latest(history: ReleaseHistory, iri: str) -> bool | None:
    """Whether the latest release describes ``iri`` as the served data does; ``None`` when
    there is no release or it cannot be told (then the citation compares by itself)."""
    latest = history.latest
    if latest is None:
        return None
    try:
        released = current_state().shared.get(
            ("linked_data", "release_keys", latest.version),
            lambda: description_keys(history.quads(latest)),
        )
        return _served_keys().get(iri) == released.get(iri)
    except ImtKgError as exc:
        log.warning("citation of %s compares with release %s by itself: %s", iri, latest, exc)
        return None


def _removed_by_release(history: ReleaseHistory, iri: str) -> Release | None:
    """The last release that described ``iri``, when the served data no longer does."""
    if not len(history):
        return None
    try:
        removals = current_state().shared.get(
            ("linked_data", "release_removals"),
            lambda: release_removals(history, _served_keys()),
        )
    except ImtKgError as exc:
        log.warning("the IRIs removed by the releases are not known: %s", exc)
        return None
    removed = removals.get(iri)
    return removed.last_release if removed is not None else None


def _history() -> ReleaseHistory:
    """The app's releases; a release record that cannot be read is a 409 naming it."""
    try:
        return served_history()
    except ReleaseError as exc:
        abort(409, description=str(exc))


@bp.route("/cite/")
def dataset() -> Response:
    """The citation of the dataset: its latest release."""
    return answer(lambda: dataset_citation(_history()))


@bp.route("/cite/release/<version>")
def release(version: str) -> Response:
    """The citation of release ``version``."""
    if not VERSION_PATTERN.fullmatch(version):
        abort(400, description=f"{version[:40]!r} is not a release version (MAJOR.MINOR.PATCH)")
    history = _history()
    try:
        history.get(version)
    except ReleaseError as exc:
        abort(404, description=str(exc))
    return answer(lambda: dataset_citation(history, version))


@bp.route("/cite/<path:name>")
def resource(name: str) -> BaseResponse:
    """The citation of resource ``id:<name>``, or of one of its statements (``p``, ``o``,
    ``g``)."""
    iri = str(ID) + name
    statement_asked = any(k in request.args for k in STATEMENT_PARAMETERS)
    removed = shared("deprecations", deprecations).get(iri)  # the pages' copy, read once
    # the trail's own statements about a removed IRI are data, and citable like any other
    if removed is not None and not statement_asked:
        replacement = removed.replacement
        if replacement and replacement.startswith(str(ID)):
            target = redirect_location("cite/" + replacement[len(str(ID)) :])
            if request.query_string:
                target += "?" + request.query_string.decode("latin-1")
            return redirect(target, code=301)
        why = removed.note("en")
        abort(410, description=f"<{iri}> was removed from the graph" + (f": {why}" if why else ""))
    engine = current_state().engine
    history = _history()
    if not exists(engine, iri):
        gone = _removed_by_release(history, iri)
        if gone is not None:
            abort(
                410,
                description=f"<{iri}> was removed from the graph after release {gone.version}; "
                f"cite that release: {served_base()}cite/release/{gone.version}",
            )
        abort(404, description=f"nothing is known about <{iri}>")
    if statement_asked:

        def statement() -> Citation:
            triple, graph = parse_statement(
                iri, request.args.get("p"), request.args.get("o"), request.args.get("g")
            )
            return cite_statement(engine, history, triple, graph)

        return answer(statement)
    same = _same_as_latest(history, iri)
    return answer(lambda: cite_resource(engine, history, iri, same))
