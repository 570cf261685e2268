"""The releases on the web: ``/releases/``, each release's page and diff, its dumps under
``/dumps/<version>/`` (and ``/dumps/latest/``).

* ``GET /releases/``: every release, newest first; HTML for browsers, else the DCAT/VoID
  catalogue of the releases (:func:`imtkg.releases.catalogue.release_catalogue`) in the
  negotiated RDF format (``Accept`` or ``?format=``);
* ``GET /releases/<version>``: the release's page (its citation, files, neighbours, and what
  changed from the previous release per graph, the inferences apart), or its DCAT description;
* ``GET /releases/<version>/added.nq``, ``removed.nq``, ``changes.rdfp`` (RDF Patch),
  ``changes.json``: the diff from the previous release, computed once per app and kept;
* ``GET /dumps/<version>/``, ``/dumps/<version>/<file>``: the release's dumps, their
  ``<file>.sha256`` and ``SHA256SUMS`` (made from ``release.json``, the record the files are
  checked against); ``/dumps/latest/...`` and ``/releases/latest...`` are 302s to the latest
  release's.

Errors: a malformed version is a 400, an unknown one a 404 naming the releases there are. A dump
whose bytes no longer match its recorded SHA-256 is never sent: its URL (and every page or patch
that needs its statements) answers ``409 Conflict`` with the message of
:func:`imtkg.releases.history.verified_bytes` -- the stored file conflicts with the release's
record. It is not a 5xx (the server works; that one stored file is wrong) nor a 404 (the
release exists); the response is not cached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import Graph
from werkzeug.utils import redirect
from werkzeug.wrappers import Response as BaseResponse

from imtkg.rdf.formats import GRAPH_FORMATS
from imtkg.releases.catalogue import (
    DATASET_CREATOR,
    DATASET_TITLE,
    DUMP_MEDIA_TYPES,
    LICENSE,
    LICENSE_NAME,
    release_catalogue,
    release_description,
)
from imtkg.releases.diff import (
    DatasetDiff,
    GraphDiff,
    diff_quads,
    nquads_patch,
    quad_line,
    rdf_patch,
)
from imtkg.releases.history import ReleaseHistory, verified_bytes
from imtkg.releases.records import (
    CHECKSUMS,
    RELEASE_DUMPS,
    Release,
    ReleaseError,
    parse_version,
    release_iri,
)
from imtkg.web.caching import add_cache_headers, etag_for, not_modified
from imtkg.web.endpoints.service_description import serialize_description
from imtkg.web.i18n import add_messages, choose_language
from imtkg.web.linked_data import page_url, redirect_location, served_base
from imtkg.web.negotiation import UnknownFormat, negotiate_graph_format, prefers_html
from imtkg.web.pages.labels import Labeller
from imtkg.web.pages.page_data import history_tag
from imtkg.web.pages.resource_view import graph_facts
from imtkg.web.pages.routes import shared
from imtkg.web.releases_state import served_history
from imtkg.web.state import current_state

bp = Blueprint("releases", __name__)

#: statements of each graph a release page lists (the patches hold them all)
SHOWN_STATEMENTS = 20
#: the diff's downloads: name -> media type
PATCHES = {
    "added.nq": "application/n-quads",
    "removed.nq": "application/n-quads",
    "changes.rdfp": "application/rdf-patch",
    "changes.json": "application/json",
}

add_messages(
    {
        "Releases": "Versions publiées",
        "Release": "Version",
        "Every release of the dataset, newest first, with its dumps and what changed.": (
            "Toutes les versions publiées du jeu de données, de la plus récente à la plus "
            "ancienne, avec leurs exports et ce qui a changé."
        ),
        "No release yet.": "Aucune version publiée pour l'instant.",
        "Citation in BibTeX, CSL-JSON, RIS and text": (
            "Citation en BibTeX, CSL-JSON, RIS et texte"
        ),
        "Version": "Version",
        "Date": "Date",
        "Notes": "Notes",
        "Changes": "Changements",
        "the first release": "la première version",
        "added": "ajoutés",
        "removed": "retirés",
        "inferred": "inféré",
        "Graph": "Graphe",
        "Added": "Ajoutés",
        "Removed": "Retirés",
        "This catalogue in": "Ce catalogue en",
        "Cite this release": "Citer cette version",
        "Title": "Titre",
        "Creator": "Auteur",
        "Licence": "Licence",
        "IRI": "IRI",
        "Files": "Fichiers",
        "Previous release": "Version précédente",
        "Next release": "Version suivante",
        "What changed since": "Ce qui a changé depuis",
        "Resources touched": "Ressources touchées",
        "The first statements of each graph; the patches hold them all:": (
            "Les premiers énoncés de chaque graphe ; les correctifs les contiennent tous :"
        ),
        "The first release: nothing to compare it with.": (
            "La première version : rien à quoi la comparer."
        ),
        "No statement changed.": "Aucun énoncé n'a changé.",
        "Unknown release": "Version inconnue",
        "There is no release": "Il n'existe pas de version",
        "The releases are:": "Les versions publiées sont :",
        "none": "aucune",
        "Dumps of release": "Exports de la version",
        "The files of the release, each with its SHA-256 checksum.": (
            "Les fichiers de la version, chacun avec sa somme de contrôle SHA-256."
        ),
        "statements": "énoncés",
    }
)


@dataclass(frozen=True)
class GraphChangeView:
    """One graph's changes on a release page: counts and the first statements."""

    graph: str
    inferred: bool
    added: int
    removed: int
    first_added: list[str]
    first_removed: list[str]


def _text(status: int, message: str) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    response.cache_control.no_store = True
    return response


def _history() -> ReleaseHistory:
    try:
        return served_history()
    except ReleaseError as exc:  # a release record that cannot be read: said, never a 500
        abort(_text(409, f"409 Conflict: {exc}"))


def _release(version: str) -> Release:
    """Return release ``version``: 400 when it is no version, 404 (naming those there are)
    when there is no such release."""
    try:
        parse_version(version)
    except ReleaseError as exc:
        abort(_text(400, f"400 Bad Request: {exc}"))
    history = _history()
    try:
        return history.get(version)
    except ReleaseError:
        abort(_unknown(version, history))


def _unknown(version: str, history: ReleaseHistory) -> Response:
    known = [r.version for r in reversed(history.releases)]
    if prefers_html(request.accept_mimetypes):
        page = render_template(
            "releases/unknown.html", lang=choose_language(request), version=version, known=known
        )
        response = Response(page, status=404, content_type="text/html; charset=utf-8")
        response.cache_control.no_store = True
        return response
    return _text(
        404, f"404 Not Found: no release {version} (releases: {', '.join(known) or 'none'})"
    )


def _conflict(exc: ReleaseError) -> Response:
    return _text(409, f"409 Conflict: {exc}")


def release_diff(history: ReleaseHistory, release: Release) -> DatasetDiff | None:
    """Return what changed from the previous release to ``release`` (``None`` for the first),
    computed once per app.

    :raises ReleaseError: when a dump of either release does not match its record.
    """
    if release.previous is None:
        return None
    previous = history.get(release.previous)
    return current_state().shared.get(
        ("releases.diff", previous.version, release.version),
        lambda: diff_quads(
            history.quads(previous), history.quads(release), previous.version, release.version
        ),
    )


def _etag(*parts: object) -> str:
    return etag_for(
        current_state().version,
        "releases",
        served_base(),
        history_tag(_history()),
        request.path,
        *parts,
    )


def _cached(response: Response, etag: str, html: bool) -> Response:
    state = current_state()
    add_cache_headers(response, etag, state.version, current_app.config["CACHE_MAX_AGE"])
    if html:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def _answer_kind() -> tuple[bool, str | None, str | None, str] | Response:
    """Return what to answer (HTML or the RDF format, the page's language, the ETag), or the
    406 refusing both, or the 304 of a conditional request that matches."""
    negotiated = _negotiated()
    if isinstance(negotiated, Response):
        return negotiated
    html, graph_format = negotiated
    lang = choose_language(request) if html else None
    etag = _etag(lang or graph_format)
    if not_modified(request, etag, current_state().version):
        return _cached(Response(status=304), etag, html)
    return html, graph_format, lang, etag


def _negotiated() -> tuple[bool, str | None] | Response:
    """Return whether to answer HTML and the RDF format otherwise, or the 406 refusing both."""
    fmt = request.args.get("format")
    html = not fmt and prefers_html(request.accept_mimetypes)
    try:
        graph_format = negotiate_graph_format(request.accept_mimetypes, fmt)
    except UnknownFormat as exc:
        return _text(406, f"406 Not Acceptable: {exc}")
    if graph_format is None and not html:
        offered = ", ".join(m for m, _ in GRAPH_FORMATS.values())
        return _text(406, f"406 Not Acceptable: offered as {offered}, text/html")
    return html, graph_format


def _rdf_response(graph: Graph, graph_format: str, key: tuple) -> Response:
    body = current_state().documents.get(key, lambda: serialize_description(graph, graph_format))
    return Response(body, content_type=f"{GRAPH_FORMATS[graph_format][0]}; charset=utf-8")


def _dump_path(version: str, name: str = "") -> str:
    return f"{served_base()}dumps/{version}/{name}"


# -- /releases/ ----------------------------------------------------------------------------------


@bp.route("/releases/")
def index() -> Response:
    """Every release, newest first (HTML), or the DCAT/VoID catalogue of the releases."""
    answer = _answer_kind()
    if isinstance(answer, Response):
        return answer
    html, graph_format, lang, etag = answer
    history = _history()
    base = served_base()
    if html:
        page = render_template(
            "releases/index.html",
            releases=list(reversed(history.releases)),
            formats=[(name, media) for name, (media, _) in GRAPH_FORMATS.items()],
            base=base,
        )
        response = Response(page, content_type="text/html; charset=utf-8")
    else:
        assert graph_format is not None
        response = _rdf_response(
            release_catalogue(history, base), graph_format, ("releases", base, graph_format)
        )
    return _cached(response, etag, html)


def _graph_views(diff: DatasetDiff) -> list[GraphChangeView]:
    def first(changes: GraphDiff, added: bool) -> list[str]:
        quads = changes.added if added else changes.removed
        return [quad_line(q) for q in quads[:SHOWN_STATEMENTS]]

    return [
        GraphChangeView(
            g.graph, g.inferred, len(g.added), len(g.removed), first(g, True), first(g, False)
        )
        for g in diff.graphs
    ]


@bp.route("/releases/<version>")
def release_page(version: str) -> BaseResponse:
    """A release: its citation, files, neighbours and changes (HTML), or its DCAT description;
    ``latest``: a 302 to the latest release."""
    if version == "latest":
        return _latest_redirect("releases/{version}")
    release = _release(version)
    answer = _answer_kind()
    if isinstance(answer, Response):
        return answer
    html, graph_format, lang, etag = answer
    history = _history()
    base = served_base()
    if not html:
        assert graph_format is not None
        key = ("release", release.version, base, graph_format)
        return _cached(
            _rdf_response(release_description(release, base), graph_format, key), etag, False
        )
    try:
        diff = release_diff(history, release)
    except ReleaseError as exc:
        return _conflict(exc)
    touched = diff.touched_resources() if diff else {}
    facts = shared("facts", graph_facts)
    name = Labeller(facts.labels.labels_for(touched), lang or "en")
    page = render_template(
        "releases/release.html",
        release=release,
        iri=release.iri,
        page=release_iri(release.version, base),
        previous=history.get(release.previous) if release.previous else None,
        following=history.next_of(release),
        diff=diff,
        graphs=_graph_views(diff) if diff else [],
        touched=[(iri, name(iri), page_url(iri), graphs) for iri, graphs in touched.items()],
        shown=SHOWN_STATEMENTS,
        patches=list(PATCHES),
        dumps=[release.files[name] for name in RELEASE_DUMPS],
        dumps_url=_dump_path(release.version),
        title=DATASET_TITLE,
        creator=DATASET_CREATOR,
        license=LICENSE,
        license_name=LICENSE_NAME,
    )
    return _cached(Response(page, content_type="text/html; charset=utf-8"), etag, True)


@bp.route("/releases/<version>/<name>")
def patch(version: str, name: str) -> BaseResponse:
    """The diff from the previous release: N-Quads patches, an RDF Patch, or its JSON summary."""
    if version == "latest":
        return _latest_redirect("releases/{version}/" + name)
    release = _release(version)
    if name not in PATCHES:
        abort(_text(404, f"404 Not Found: no {name!r} here; a release offers {', '.join(PATCHES)}"))
    if release.previous is None:
        abort(
            _text(
                404,
                f"404 Not Found: {release.version} is the first release; there is no previous "
                "release to compare it with",
            )
        )
    etag = _etag()
    if not_modified(request, etag, current_state().version):
        return _cached(Response(status=304), etag, False)
    try:
        diff = release_diff(_history(), release)
    except ReleaseError as exc:
        return _conflict(exc)
    assert diff is not None
    if name == "added.nq":
        body = nquads_patch(diff.added())
    elif name == "removed.nq":
        body = nquads_patch(diff.removed())
    elif name == "changes.rdfp":
        body = rdf_patch(diff)
    else:
        body = json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n"
    response = Response(body, content_type=f"{PATCHES[name]}; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename={release.version}-{name}"
    return _cached(response, etag, False)


# -- /dumps/<version>/ ---------------------------------------------------------------------------


def _latest_redirect(path: str) -> BaseResponse:
    """A 302 to ``path`` (``{version}`` in it) of the latest release; 404 when there is none."""
    latest = _history().latest
    if latest is None:
        abort(_text(404, "404 Not Found: there is no release yet"))
    response = redirect(redirect_location(path.format(version=latest.version)), code=302)
    response.cache_control.no_cache = True
    return response


@bp.route("/dumps/<version>/")
def dumps_index(version: str) -> BaseResponse:
    """The files of a release with their sizes and checksums (``latest``: a 302 to the latest)."""
    if version == "latest":
        return _latest_redirect("dumps/{version}/")
    release = _release(version)
    page = render_template(
        "releases/dumps.html",
        release=release,
        dumps=[release.files[name] for name in RELEASE_DUMPS],
        media_types=DUMP_MEDIA_TYPES,
        dumps_url=_dump_path(release.version),
    )
    response = Response(page, content_type="text/html; charset=utf-8")
    return _cached(response, _etag(choose_language(request)), True)


def checksums_text(release: Release) -> str:
    """Return the ``SHA256SUMS`` of ``release`` (``sha256sum --check`` format) from its record."""
    return "".join(f"{release.files[name].sha256}  {name}\n" for name in RELEASE_DUMPS)


@bp.route("/dumps/<version>/<name>")
def dump_file(version: str, name: str) -> BaseResponse:
    """A file of a release, its ``.sha256`` or ``SHA256SUMS``; ETag: the file's SHA-256, and the
    bytes are sent only once checked against it (409 otherwise)."""
    if version == "latest":
        return _latest_redirect("dumps/{version}/" + name)
    release = _release(version)
    stem = name.removesuffix(".sha256")
    if name == CHECKSUMS:
        body: bytes | str = checksums_text(release)
        response = Response(body, content_type="text/plain; charset=utf-8")
        response.set_etag(_etag())
    elif stem in release.files:
        record = release.files[stem]
        if stem != name:
            response = Response(
                f"{record.sha256}  {stem}\n", content_type="text/plain; charset=utf-8"
            )
            response.set_etag(f"{record.sha256}.sha256")
        else:
            if request.if_none_match.contains(record.sha256):
                response = Response(status=304)
                response.set_etag(record.sha256)
                return response
            try:
                data = verified_bytes(release, name)
            except ReleaseError as exc:
                return _conflict(exc)
            response = Response(data, content_type="application/gzip")
            response.headers["Content-Disposition"] = (
                f"attachment; filename=imt-kg-{release.version}-{name.removeprefix('imt-kg.')}"
            )
            response.set_etag(record.sha256)
    else:
        files = ", ".join([*RELEASE_DUMPS, CHECKSUMS])
        abort(
            _text(404, f"404 Not Found: release {release.version} has no file {name!r} ({files})")
        )
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request)
