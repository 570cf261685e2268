"""``GET /health``: 200 and a JSON summary once the graph and the workers are up, else 503."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from imtkg.web.state import EXTENSION_KEY

bp = Blueprint("health", __name__)


@bp.route("/health")
def health():
    """Answer whether the server is ready to answer queries, with the size of what it serves."""
    state = current_app.extensions.get(EXTENSION_KEY)
    if state is None or not state.ready or not state.engine.alive:
        response = jsonify(status="starting" if state is None or not state.ready else "down")
        response.status_code = 503
    else:
        response = jsonify(
            status="ready",
            triples=sum(state.graph_sizes.values()),
            graphs=len(state.graph_sizes),
            version=state.version.digest[:16],
            query_workers=state.engine.size,
        )
    response.cache_control.no_store = True
    return response
