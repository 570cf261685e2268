"""``GET /explain?s=&p=&o=``: why a triple holds, as JSON, HTML or Turtle.

The terms are written as for ``imtkg explain`` (``id:mines-nancy``, ``org:memberOf``, ``a``,
``<https://...>``, Turtle literals). The format is chosen by the ``format`` parameter (``json``,
``html``, ``turtle``) or else by the Accept header (JSON for ``*/*``, HTML for browsers).
Answers: 200 with the explanation, 404 when the triple does not hold, 400 for a missing or
unreadable term, 406 when no offered format is acceptable. Every answer names the paragraphs of
the source documents that state the premises (``graph:locators``); for a membership
(``org:memberOf``, ``imt:holdsMembershipIn``, ``org:hasMember``) it also names the membership
records with their status, and why an announced one gives no ``org:memberOf``
(:mod:`imtkg.reasoning.membership_status`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, jsonify, render_template, request

from imtkg.rdf.terms import TermError, format_triple, parse_triple, shorten
from imtkg.web.linked_data import page_url
from imtkg.web.state import current_state

if TYPE_CHECKING:
    from imtkg.reasoning.explanation import Explainer

# imtkg.reasoning.explanation (the reasoner's rules, owlrl) is imported on the first explanation,
# not at every server start: explanations are rare, starts are not

bp = Blueprint("explain", __name__)

#: format name -> media type, in order of preference for ``*/*``
FORMATS: dict[str, str] = {
    "json": "application/json",
    "turtle": "text/turtle",
    "html": "text/html",
}
FORMAT_ALIASES = {"ttl": "turtle", **{name: name for name in FORMATS}}
EXPLAINER_KEY = "explainer"


def explainer() -> Explainer:
    """Return the app's :class:`Explainer`, built once on first use (a fraction of a second)."""
    from imtkg.reasoning.explanation import Explainer

    state = current_state()
    return state.shared.get(EXPLAINER_KEY, lambda: Explainer(state.kg.dataset))


def chosen_format() -> str:
    """Return the format asked for by ``format`` or the Accept header (400/406 if none fits)."""
    name = request.args.get("format")
    if name:
        if name.strip().lower() not in FORMAT_ALIASES:
            abort(400, description=f"unknown format {name!r}; use json, html or turtle")
        return FORMAT_ALIASES[name.strip().lower()]
    if not request.accept_mimetypes:
        return "json"
    best = request.accept_mimetypes.best_match(list(FORMATS.values()))
    if best is None:
        abort(406, description="explanations are offered as " + ", ".join(FORMATS.values()))
    return next(name for name, media_type in FORMATS.items() if media_type == best)


@bp.get("/explain")
def explain_triple() -> Response:
    """Explain the triple given by the ``s``, ``p`` and ``o`` parameters."""
    missing = [name for name in ("s", "p", "o") if not request.args.get(name, "").strip()]
    if missing:
        abort(
            400,
            description=f"missing parameter {', '.join(missing)}: give the triple as s=, p= and "
            "o=, e.g. /explain?s=id:mines-nancy&p=org:memberOf&o=id:imt-grand-est",
        )
    try:
        triple = parse_triple(request.args["s"], request.args["p"], request.args["o"])
    except TermError as exc:
        abort(400, description=str(exc))
    fmt = chosen_format()
    from imtkg.reasoning.membership_status import (
        membership_pair,
        membership_records,
        passage_json,
        passages_of,
        why_not_lines,
    )

    dataset = current_state().kg.dataset
    explanation = explainer().explain(triple)
    pair = membership_pair(triple)
    records = membership_records(dataset, *pair) if pair else []
    if explanation is None:
        message = f"{format_triple(triple)} does not hold: it is neither asserted nor inferred"
        why = why_not_lines(records)
        if fmt == "json":
            body: dict = {"holds": False, "message": message}
            if records:
                body.update(why=why, membershipRecords=[r.json() for r in records])
            response = jsonify(body)
        elif fmt == "html":
            page = _page(triple, None, message, records=records, why=why)
            response = Response(page, mimetype="text/html")
        else:
            response = Response("\n".join([message, *why]) + "\n", mimetype="text/plain")
        response.status_code = 404
    elif fmt == "json":
        from imtkg.reasoning.explanation import explanation_json

        passages = [
            {"triple": format_triple(leaf.triple), **passage_json(p)}
            for leaf in explanation.leaves()
            for p in passages_of(dataset, leaf.triple)
        ]
        body = {"holds": True, "explanation": explanation_json(explanation), "passages": passages}
        if records:
            body["membershipRecords"] = [r.json() for r in records]
        response = jsonify(body)
    elif fmt == "html":
        passages_by_leaf = [
            (leaf, passages_of(dataset, leaf.triple)) for leaf in explanation.leaves()
        ]
        page = _page(triple, explanation, records=records, passages=passages_by_leaf)
        response = Response(page, mimetype="text/html")
    else:
        from imtkg.reasoning.explanation import explanation_graph

        body_bytes = explanation_graph(explanation).serialize(format="turtle", encoding="utf-8")
        response = Response(body_bytes, mimetype="text/turtle")
    response.vary.add("Accept")
    return response


def _page(
    triple,
    explanation,
    message: str | None = None,
    records: list | None = None,
    why: list[str] | None = None,
    passages: list | None = None,
) -> str:
    """Render the HTML page of an explanation (or of a triple that does not hold), with the
    membership records behind a membership and the passages stating the premises."""
    from imtkg.reasoning.explanation import RULES_SPEC, statement_text, triple_text
    from imtkg.reasoning.rl_reasoner import RULES

    return render_template(
        "explain.html",
        records=records or [],
        why=why or [],
        passages=[(leaf, found) for leaf, found in passages or [] if found],
        page_url=page_url,
        title=format_triple(triple),
        explanation=explanation,
        message=message,
        rules=RULES,
        rules_spec=str(RULES_SPEC),
        triple_text=triple_text,
        statement_text=statement_text,
        short=shorten,
        query=request.args,
    )
