"""``GET /explain?s=&p=&o=``: why a triple holds, as JSON, HTML or Turtle.

The terms are written as for ``imtkg explain`` (``id:mines-nancy``, ``org:memberOf``, ``a``,
``<https://...>``, Turtle literals). The format is chosen by the ``format`` parameter (``json``,
``html``, ``turtle``) or else by the Accept header (JSON for ``*/*``, HTML for browsers).
Answers: 200 with the explanation, 404 when the triple does not hold, 400 for a missing or
unreadable term, 406 when no offered format is acceptable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, jsonify, render_template, request

from imtkg.rdf.terms import TermError, format_triple, parse_triple, shorten
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
    explanation = explainer().explain(triple)
    if explanation is None:
        message = f"{format_triple(triple)} does not hold: it is neither asserted nor inferred"
        if fmt == "json":
            response = jsonify(holds=False, message=message)
        elif fmt == "html":
            response = Response(_page(triple, None, message), mimetype="text/html")
        else:
            response = Response(message + "\n", mimetype="text/plain")
        response.status_code = 404
    elif fmt == "json":
        from imtkg.reasoning.explanation import explanation_json

        response = jsonify(holds=True, explanation=explanation_json(explanation))
    elif fmt == "html":
        response = Response(_page(triple, explanation), mimetype="text/html")
    else:
        from imtkg.reasoning.explanation import explanation_graph

        body = explanation_graph(explanation).serialize(format="turtle", encoding="utf-8")
        response = Response(body, mimetype="text/turtle")
    response.vary.add("Accept")
    return response


def _page(triple, explanation, message: str | None = None) -> str:
    """Render the HTML page of an explanation (or of a triple that does not hold)."""
    from imtkg.reasoning.explanation import RULES_SPEC, statement_text, triple_text
    from imtkg.reasoning.rl_reasoner import RULES

    return render_template(
        "explain.html",
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
