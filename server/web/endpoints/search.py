"""``GET /search?q=…``: resources found by name or description, as JSON or as an HTML page.

The index (:mod:`imtkg.store.search_index`) is built once per dataset version from the store
(or a remote engine's answers), cached as a file beside the cached stores and opened read-only
(:func:`prepare_index`, called by ``imtkg serve`` before it forks). Parameters: ``q``
(the words), ``limit`` (1 to :data:`MAX_LIMIT`), ``offset``, ``type`` (an IRI or a prefixed name
of :data:`~imtkg.core.namespaces.PREFIXES`) and ``lang`` (``fr`` or ``en``); a bad one is
answered 400 naming it. JSON is the default; a browser asking for HTML gets the page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup, escape

from imtkg.core.namespaces import PREFIXES, sparql_prologue
from imtkg.query.interface import QueryEngine
from imtkg.store.search_index import SEARCH_QUERY, TYPES_QUERY, Hit, SearchIndex
from imtkg.store.startup_cache import cached_search_index
from imtkg.web.caching import add_cache_headers, etag_for, not_modified
from imtkg.web.i18n import add_messages, choose_language
from imtkg.web.linked_data import page_url
from imtkg.web.state import ImtKgState, current_state

bp = Blueprint("search", __name__)

#: the most results one answer gives
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
#: the furthest a client may page
MAX_OFFSET = 10_000
#: the longest query read
MAX_QUERY_CHARS = 200
#: rows asked of the engine at a time while building the index (below its ``RESULT_LIMIT``)
BUILD_PAGE = 5000
OFFERED = ["application/json", "text/html"]

add_messages(
    {
        "Search": "Recherche",
        "Search the knowledge graph": "Rechercher dans le graphe de connaissances",
        "Search results": "Résultats de la recherche",
        "No result.": "Aucun résultat.",
        "result": "résultat",
        "results": "résultats",
        "matched in": "trouvé dans",
        "name": "nom",
        "description": "description",
        "Previous": "Précédents",
        "Next": "Suivants",
        "Type a name, for instance": "Saisissez un nom, par exemple",
    }
)


class BadParameter(ValueError):
    """A parameter of the request is wrong; the message names it."""


@dataclass(frozen=True)
class SearchRequest:
    """The checked parameters of a search."""

    q: str
    limit: int
    offset: int
    type_iri: str | None
    lang: str | None


def _int_parameter(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"parameter {name} must be an integer, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadParameter(f"parameter {name} must be between {low} and {high}, not {value}")
    return value


def _type_parameter() -> str | None:
    raw = request.args.get("type")
    if not raw:
        return None
    prefix, _, local = raw.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    try:
        ox.NamedNode(raw)
    except ValueError:
        raise BadParameter(
            f"parameter type must be an IRI or a prefixed name, not {raw[:80]!r}"
        ) from None
    if ":" not in raw:
        raise BadParameter(f"parameter type must be an IRI or a prefixed name, not {raw[:80]!r}")
    return raw


def parse_request() -> SearchRequest:
    """Read and check the parameters of the request.

    :raises BadParameter: naming the first wrong parameter.
    """
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(f"parameter q is longer than {MAX_QUERY_CHARS} characters")
    lang = request.args.get("lang") or None
    if lang not in (None, "fr", "en"):
        raise BadParameter(f"parameter lang must be fr or en, not {lang[:20]!r}")
    return SearchRequest(
        q=q,
        limit=_int_parameter("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_int_parameter("offset", 0, 0, MAX_OFFSET),
        type_iri=_type_parameter(),
        lang=lang,
    )


def _pages(engine: QueryEngine, query: str, order: str) -> Iterator[ox.QuerySolution]:
    """All the rows of ``query`` in the ``order`` of its variables, asked :data:`BUILD_PAGE` at a
    time (the engine cuts long results)."""
    offset = 0
    while True:
        paged = f"{query} ORDER BY {order} LIMIT {BUILD_PAGE} OFFSET {offset}"
        result = engine.execute(sparql_prologue() + paged, result_format="json", graph_format=None)
        solutions = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        yield from solutions
        offset += result.count
        if result.count == 0 or (result.count < BUILD_PAGE and not result.truncated):
            return


def build_index(engine: QueryEngine) -> SearchIndex:
    """Build the search index from what ``engine`` answers."""
    rows = [(s["s"].value, s["p"].value, s["o"]) for s in _pages(engine, SEARCH_QUERY, "?s ?p ?o")]
    types = [(s["s"].value, s["type"].value) for s in _pages(engine, TYPES_QUERY, "?s ?type")]
    return SearchIndex.from_rows(rows, types)


def _build(state: ImtKgState) -> SearchIndex:
    """Build the index: from the store when the app holds it loaded, else from the local
    store's folder opened read-only, else from the engine's answers (a remote engine)."""
    if state.loaded_kg is not None:
        return SearchIndex.from_store(state.loaded_kg.store)
    store_path = getattr(state.engine, "store_path", None)
    if isinstance(store_path, Path) and store_path.is_dir():
        store = ox.Store.read_only(str(store_path))
        try:
            return SearchIndex.from_store(store)
        finally:
            del store
    return build_index(state.engine)


def prepare_index(state: ImtKgState) -> SearchIndex:
    """The app's search index: the cached file of its dataset version, or built now (and
    cached) by :func:`_build`; kept in :attr:`~imtkg.web.state.ImtKgState.shared`.

    ``imtkg serve`` calls it before the serving process is forked, so no search builds it.
    """

    def load() -> SearchIndex:
        started = time.monotonic()
        index, built = cached_search_index(state.version.digest, lambda: _build(state))
        state.extra["search_index_seconds"] = time.monotonic() - started
        state.extra["search_index_built"] = built
        return index

    return state.shared.get("search_index", load)


def search_index() -> SearchIndex:
    """The current app's search index (:func:`prepare_index`)."""
    return prepare_index(current_state())


def compact(iri: str) -> str:
    """``iri`` as a prefixed name when one of the project's prefixes fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def highlighted(hit: Hit) -> Markup:
    """The matched text of ``hit``, escaped, with its matched words in ``<mark>``."""
    parts, last = [], 0
    for start, end in hit.marks:
        parts.append(escape(hit.text[last:start]))
        parts.append(Markup("<mark>") + escape(hit.text[start:end]) + Markup("</mark>"))
        last = end
    parts.append(escape(hit.text[last:]))
    return Markup("").join(parts)


def hit_json(hit: Hit) -> dict:
    """The stable JSON form of one result."""
    return {
        "iri": hit.iri,
        "types": list(hit.types),
        "labels": hit.labels,
        "description": hit.descriptions,
        "matched": {"field": hit.field, "lang": hit.lang, "exact": hit.exact},
        "snippet": hit.text,
        "highlights": [list(span) for span in hit.marks],
        "snippet_html": str(highlighted(hit)),
        "page": page_url(hit.iri),
    }


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.route("/search")
def search() -> Response:
    """Answer a search, as JSON (the default) or as an HTML page."""
    chosen = (
        request.accept_mimetypes.best_match(OFFERED) if request.accept_mimetypes else OFFERED[0]
    )
    if chosen is None:
        return _error(406, "search results are offered as: " + ", ".join(OFFERED))
    html = chosen == "text/html"
    try:
        asked = parse_request()
    except BadParameter as exc:
        return _error(400, str(exc))
    if not asked.q.strip() and not html:
        return _error(400, "parameter q is required")
    state = current_state()
    lang = choose_language(request) if html else None
    etag = etag_for(state.version, "search", request.query_string, lang or "json")
    if not_modified(request, etag, state.version):
        response = Response(status=304)
    else:
        hits, total = search_index().search(
            asked.q, asked.limit, asked.offset, asked.type_iri, asked.lang
        )
        if html:
            response = Response(
                render_template(
                    "search.html",
                    lang=lang,
                    asked=asked,
                    hits=hits,
                    total=total,
                    highlighted=highlighted,
                    compact=compact,
                    page_url=page_url,
                ),
                content_type="text/html; charset=utf-8",
            )
        else:
            body = {
                "query": asked.q,
                "total": total,
                "limit": asked.limit,
                "offset": asked.offset,
                "results": [hit_json(h) for h in hits],
            }
            response = Response(
                json.dumps(body, ensure_ascii=False), content_type="application/json"
            )
    add_cache_headers(response, etag, state.version, current_app.config["CACHE_MAX_AGE"])
    response.vary.add("Accept")
    if html:
        response.vary.update(("Accept-Language", "Cookie"))
    return response
