"""``POST /shacl``: validate RDF against the project's SHACL shapes; ``GET /shacl``: a form.

* The body is RDF in any format the project reads, named by its Content-Type (``text/turtle``,
  ``application/trig``, ``application/n-triples``, ``application/n-quads``,
  ``application/ld+json``, ``application/rdf+xml``); a browser form (``data`` and ``format``
  fields) works too.
* ``?with=shipped`` validates the data together with the served graph: a contribution in
  context (its links to what the graph already describes are then not dangling). Without it the
  data is validated alone, with the served ontology.
* Triples sent in a triple format, or in the default graph of a quad format, need no catalogue
  entry; a named graph sent in TriG or N-Quads must be described in ``graph:sources`` (sent
  along, or already served with ``?with=shipped``), as the files of ``graph/`` are.
* The report is negotiated by ``format=`` (``turtle``, ``jsonld``, ``html``) or the Accept
  header: the standard SHACL validation report in Turtle (the default) or JSON-LD, or an HTML
  page for people. ``X-SHACL-Conforms`` and the ``X-SHACL-Violations``/``-Warnings`` counts are
  in the headers; the status is 200 whether or not the data conforms.
* The body is read by :mod:`imtkg.rdf.reading` inside a validation slot, within ``QUERY_TIMEOUT``:
  a JSON-LD ``@context`` is inline or this server's own ``/context.jsonld`` (nothing is
  fetched or opened), RDF/XML declares no DTD entity.
* Errors: 400 unparsable body (the parser's message, line and column), 413 body over
  ``MAX_BODY``, 415 unknown Content-Type, 406 no acceptable report format, 422 when the
  validator stops on the data instead of reporting on it, 503 when validations are already
  running on every slot (``Retry-After``). Nothing sent here changes the served data: the
  request's data is validated in a copy.
"""

from __future__ import annotations

import threading
import time

from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import Dataset

from imtkg.core.errors import InputError
from imtkg.core.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from imtkg.rdf.jsonld_input import CANONICAL_CONTEXT_URL, ContextSource
from imtkg.rdf.reading import MEDIA_TYPE_FORMATS, parse_text
from imtkg.shacl.report import graph_name, group_by_focus, summary
from imtkg.shacl.results import short
from imtkg.shacl.validation import ValidationFailed, ValidationOutcome, validate_dataset
from imtkg.web.state import current_state

bp = Blueprint("shacl", __name__)

#: report format name -> media type, preferred first (``*/*`` gets Turtle)
REPORT_MEDIA_TYPES: dict[str, str] = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "html": "text/html",
}
#: other names accepted by ``format=`` and other media types accepted in Accept
FORMAT_ALIASES = {"ttl": "turtle", "json-ld": "jsonld", "json": "jsonld"}
ACCEPT_ALIASES = {"application/json": "jsonld", "application/x-turtle": "turtle"}
RDFLIB_SERIALIZERS = {"turtle": "turtle", "jsonld": "json-ld"}

#: ``with=`` values that add the served graph
WITH_SHIPPED = ("shipped", "served")

#: validations run at once; more wait for none and get 503 (validation is CPU-bound)
VALIDATION_SLOTS = 2
SLOTS_KEY = "shacl_slots"
_slots_lock = threading.Lock()
#: the media types of the form's format menu, with what people call them
FORM_FORMATS = {
    "text/turtle": "Turtle",
    "application/trig": "TriG",
    "application/n-triples": "N-Triples",
    "application/n-quads": "N-Quads",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF/XML",
}


def report_format() -> str:
    """Return the report format asked for by ``format=`` or the Accept header (400/406)."""
    name = request.args.get("format", "").strip().lower()
    if name:
        name = FORMAT_ALIASES.get(name, name)
        if name not in REPORT_MEDIA_TYPES:
            abort(400, description=f"unknown format {name!r}; use turtle, jsonld or html")
        return name
    accept = request.accept_mimetypes
    if not accept:
        return "turtle"
    offered = {**{m: n for n, m in REPORT_MEDIA_TYPES.items()}, **ACCEPT_ALIASES}
    best = accept.best_match(list(offered))
    if best is None:
        abort(406, description="reports are offered as " + ", ".join(REPORT_MEDIA_TYPES.values()))
    return offered[best]


def request_rdf() -> tuple[bytes, str]:
    """Return the RDF sent (body or form field ``data``) and its rdflib format (400/413/415)."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = request.form.get("data", "").encode("utf-8")
        media_type = request.form.get("format", "text/turtle")
    else:
        data = request.get_data(cache=False)  # 413 above MAX_CONTENT_LENGTH (MAX_BODY)
        media_type = request.mimetype
    if not media_type:
        abort(415, description="say what the body is with a Content-Type such as text/turtle")
    fmt = MEDIA_TYPE_FORMATS.get(media_type.split(";")[0].strip().lower())
    if fmt is None:
        known = ", ".join(sorted(set(MEDIA_TYPE_FORMATS)))
        abort(415, description=f"cannot read {media_type}; send one of {known}")
    if not data.strip():
        abort(400, description="the request has no RDF to validate")
    return data, fmt


def with_shipped() -> bool:
    """Tell whether ``with=`` asks for the served graph (400 for an unknown value)."""
    value = (request.values.get("with") or "").strip().lower()
    if value and value not in WITH_SHIPPED:
        abort(400, description=f"unknown with={value!r}; use with=shipped")
    return bool(value)


def combined(sent: Dataset, served: Dataset) -> Dataset:
    """Return a new dataset: the served asserted graphs plus what was sent (nothing is shared)."""
    dataset = Dataset()
    for source in (served, sent):
        for graph in source.graphs():
            if graph.identifier != INFERRED_GRAPH and len(graph):
                target = dataset.graph(graph.identifier)
                for triple in graph:
                    target.add(triple)
    return dataset


def read_body(data: bytes, rdf_format: str) -> Dataset:
    """Parse the RDF sent (400 with the line, column and what is wrong when it cannot be).

    JSON-LD may name the context this server publishes (at its own address or the canonical
    one) and no other; the parse stops after ``QUERY_TIMEOUT`` seconds.
    """
    limit = float(current_app.config.get("QUERY_TIMEOUT") or 10.0)
    try:
        return parse_text(
            data, rdf_format, contexts=published_contexts(), deadline=time.monotonic() + limit
        )
    except InputError as exc:
        abort(400, description=str(exc))


def published_contexts() -> ContextSource:
    """Return the JSON-LD contexts a request body may name: this server's own, by its URLs."""
    from imtkg.web.pages.rdf_documents import build_context
    from imtkg.web.pages.routes import context_url, shared

    urls = {context_url(), CANONICAL_CONTEXT_URL}
    return lambda url: shared("context", build_context) if url in urls else None


def validation_slots() -> threading.BoundedSemaphore:
    """Return the app's semaphore of :data:`VALIDATION_SLOTS` validations."""
    state = current_state()
    with _slots_lock:
        return state.extra.setdefault(SLOTS_KEY, threading.BoundedSemaphore(VALIDATION_SLOTS))


@bp.get("/shacl")
def form() -> str:
    """Answer a page with a form to validate data (for people)."""
    return render_template("shacl/validate.html", outcome=None, formats=FORM_FORMATS, sent=None)


@bp.post("/shacl")
def validate_request() -> Response:
    """Validate the RDF sent against the shapes and answer the report in the negotiated format."""
    fmt = report_format()
    data, rdf_format = request_rdf()
    shipped = with_shipped()
    slots = validation_slots()
    if not slots.acquire(blocking=False):
        response = Response(
            "503 Service Unavailable: every validation slot is busy; retry in a few seconds\n",
            status=503,
            mimetype="text/plain",
        )
        response.headers["Retry-After"] = "5"
        return response
    try:
        # parsed in the slot: reading a body costs CPU too, and as many run at once as slots
        sent = read_body(data, rdf_format)
        served = current_state().kg.dataset
        dataset = combined(sent, served) if shipped else sent
        outcome = validate_dataset(dataset, ontology=served.graph(ONTOLOGY_GRAPH))
    except ValidationFailed as exc:
        abort(422, description=str(exc))
    finally:
        slots.release()
    response = render_report(outcome, fmt, data.decode("utf-8", "replace"), shipped)
    response.headers["X-SHACL-Conforms"] = "true" if outcome.conforms else "false"
    response.headers["X-SHACL-Violations"] = str(outcome.violations)
    response.headers["X-SHACL-Warnings"] = str(outcome.warnings)
    response.vary.add("Accept")
    return response


def render_report(outcome: ValidationOutcome, fmt: str, sent: str, shipped: bool) -> Response:
    """Return the report of ``outcome`` as Turtle, JSON-LD or an HTML page."""
    if fmt == "html":
        page = render_template(
            "shacl/validate.html",
            outcome=outcome,
            groups=group_by_focus(outcome.results),
            summary=summary(outcome),
            short=short,
            graph_name=graph_name,
            formats=FORM_FORMATS,
            sent=sent,
            sent_format=request.form.get("format") or request.mimetype,
            shipped=shipped,
            max_body=current_app.config.get("MAX_BODY"),
        )
        return Response(page, mimetype="text/html")
    body = outcome.serialize(RDFLIB_SERIALIZERS[fmt])
    return Response(body, mimetype=REPORT_MEDIA_TYPES[fmt])
