"""The dumps served under ``/dumps/`` (built by :mod:`imtkg.store.dumps` from the served graph).

The dumps of the releases are under ``/dumps/<version>/`` (:mod:`imtkg.web.endpoints.releases`);
``/dumps/<version>`` and ``/dumps/latest`` lead there.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from imtkg.releases.records import VERSION_PATTERN
from imtkg.store.dumps import CHECKSUMS, DumpFile, build_dumps
from imtkg.web.i18n import add_messages, choose_language
from imtkg.web.linked_data import redirect_location
from imtkg.web.state import current_state

bp = Blueprint("dumps", __name__)

_CACHE_KEY = "dumps.files"
_build_lock = threading.Lock()

add_messages(
    {
        "Dumps": "Dumps",
        "Downloads of the dataset, each with its SHA-256 checksum.": (
            "Téléchargements du jeu de données, chacun avec sa somme de contrôle SHA-256."
        ),
        "File": "Fichier",
        "Contents": "Contenu",
        "Size": "Taille",
        "Statements": "Énoncés",
        "bytes": "octets",
        "Check the files with": "Vérifiez les fichiers avec",
        "All checksums": "Toutes les sommes de contrôle",
        "The same files are written by": "Les mêmes fichiers sont écrits par",
        "The whole dataset, every named graph (TriG, gzip)": (
            "Le jeu de données entier, tous les graphes nommés (TriG, gzip)"
        ),
        "The whole dataset, every named graph (N-Quads, gzip)": (
            "Le jeu de données entier, tous les graphes nommés (N-Quads, gzip)"
        ),
        "The ontology (Turtle)": "L'ontologie (Turtle)",
        "The SHACL shapes (Turtle)": "Les formes SHACL (Turtle)",
        "The OWL RL inferences on their own (Turtle)": "Les inférences OWL RL seules (Turtle)",
        "The SHA-256 checksums of the files": "Les sommes de contrôle SHA-256 des fichiers",
    }
)


def served_dumps() -> list[DumpFile]:
    """Return the dumps of the served graph, built on first use and kept for the app's life."""
    state = current_state()
    with _build_lock:
        if _CACHE_KEY not in state.extra:
            state.extra[_CACHE_KEY] = build_dumps(state.kg.store, _shapes_dir())
    return state.extra[_CACHE_KEY]


def _shapes_dir() -> Path | None:
    """Return the app's ``SHAPES_DIR`` setting, if any (the shipped shapes otherwise)."""
    folder = current_app.config.get("SHAPES_DIR")
    return Path(folder) if folder else None


@bp.route("/dumps/")
def index() -> str:
    """The list of dumps with their sizes, statement counts and checksums."""
    return render_template("dumps.html", lang=choose_language(request), dumps=served_dumps())


@bp.route("/dumps/<name>")
def download(name: str) -> BaseResponse:
    """A dump, its ``.sha256`` file or ``SHA256SUMS``; conditional on the file's checksum."""
    if name == "latest" or VERSION_PATTERN.fullmatch(name):  # a release's folder
        return redirect(redirect_location(f"dumps/{name}/"), code=301)
    files = {f.name: f for f in served_dumps()}
    stem = name.removesuffix(".sha256")
    dump = files.get(stem)
    if dump is None or (stem != name and stem == CHECKSUMS):
        abort(404, description=f"no dump named {name!r}; see /dumps/")
    if stem != name:
        response = Response(dump.checksum_line, content_type="text/plain; charset=utf-8")
    else:
        response = Response(dump.data, content_type=dump.media_type)
        response.headers["Content-Disposition"] = f"attachment; filename={dump.name}"
    response.set_etag(f"{dump.sha256}{'.sha256' if stem != name else ''}")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.make_conditional(request)  # in place
    return response
