"""The gallery of example questions: ``server/web/queries/*.rq``, described by
``queries/index.json``.

Each entry of the manifest names an example (``id``), its title and a one-sentence description of
what it answers in English and French, its query file (``<id>.rq`` unless ``query`` says
otherwise) and whether it runs with the OWL RL inferences (``infer``, true unless false). The
workbench pre-loads the examples; this module serves them for people and programs:

* ``GET /queries``: the gallery page, with links that open each example in the workbench and to
  its results as CSV and JSON;
* ``GET /queries.json``: the manifest with the query texts and those links;
* ``GET /queries/<id>.rq``: the query, headed by its title and description as comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from imtkg.core.errors import ImtKgError
from imtkg.web.i18n import LANGUAGES, add_messages, choose_language

bp = Blueprint("queries", __name__)

QUERY_DIR = Path(__file__).resolve().parents[1] / "queries"
MANIFEST = "index.json"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: the ``format=`` values the gallery links results to
RESULT_LINK_FORMATS = ("csv", "json", "tsv", "xml")
GALLERY_INTRO = (
    "Questions a researcher may ask of the graph, each with the SPARQL query that answers it: "
    "open one in the workbench to run and change it, or take its results as CSV or JSON."
)

add_messages(
    {
        GALLERY_INTRO: (
            "Des questions qu'un chercheur peut poser au graphe, chacune avec la requête SPARQL "
            "qui y répond : ouvrez-en une dans l'atelier pour l'exécuter et la modifier, ou "
            "prenez ses résultats en CSV ou en JSON."
        ),
        "Runs without the inferred statements (infer=false).": (
            "S'exécute sans les énoncés inférés (infer=false)."
        ),
        "Open in the workbench": "Ouvrir dans l'atelier",
        "Results as": "Résultats en",
        "The query (.rq)": "La requête (.rq)",
        "Show the query": "Voir la requête",
        "The examples as JSON": "Les exemples en JSON",
    }
)


class ManifestError(ImtKgError):
    """The manifest of the examples is malformed (what is wrong and which entry)."""


@dataclass(frozen=True)
class Example:
    """An example question of the gallery.

    :param id: its name in URLs (``imt-schools``).
    :param title: language -> a short title.
    :param description: language -> the sentence saying what it answers.
    :param query: the SPARQL text.
    :param infer: whether it runs with the inferred graph (``infer=false`` otherwise).
    """

    id: str
    title: dict[str, str]
    description: dict[str, str]
    query: str
    infer: bool = True

    def protocol_parameters(self, **extra: str) -> dict[str, str]:
        """Return the ``/sparql`` parameters that run the example (query, infer) plus ``extra``."""
        params = {"query": self.query, **extra}
        if not self.infer:
            params["infer"] = "false"
        return params

    def results_url(self, fmt: str) -> str:
        """Return the URL of the example's results in ``fmt`` (``csv``, ``json``...)."""
        parameters: dict[str, Any] = self.protocol_parameters(format=fmt)
        return url_for("sparql.sparql", **parameters)

    def workbench_url(self) -> str:
        """Return the URL that opens the example in the workbench."""
        return url_for("sparql.sparql", example=self.id)

    def text_with_header(self, lang: str = "en") -> str:
        """Return the query headed by its title and description as SPARQL comments."""
        header = f"# {self.title[lang]}\n# {self.description[lang]}\n"
        if not self.infer:
            header += "# Run with infer=false (without the inferred graph).\n"
        return header + "\n" + self.query


def _text(entry: dict, key: str, where: str) -> dict[str, str]:
    """Return the en/fr texts of ``entry[key]`` or raise naming what is missing."""
    value = entry.get(key)
    if not isinstance(value, dict) or any(
        not isinstance(value.get(lang), str) or not value[lang].strip() for lang in LANGUAGES
    ):
        raise ManifestError(f"{where}: '{key}' needs a non-empty text for each of {LANGUAGES}")
    return {lang: value[lang] for lang in LANGUAGES}


def parse_manifest(entries: object, folder: Path) -> tuple[Example, ...]:
    """Check the manifest's entries and read their queries from ``folder``.

    :raises ManifestError: naming the entry that is malformed or whose query file is missing.
    """
    if not isinstance(entries, list) or not entries:
        raise ManifestError(f"{folder / MANIFEST}: expected a non-empty JSON list of examples")
    examples: list[Example] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{folder / MANIFEST}, entry {number}"
        if not isinstance(entry, dict) or not _ID.match(str(entry.get("id", ""))):
            raise ManifestError(f"{where}: 'id' must be lower-case words joined by hyphens")
        where += f" ({entry['id']})"
        if any(e.id == entry["id"] for e in examples):
            raise ManifestError(f"{where}: the id is used twice")
        if not isinstance(entry.get("infer", True), bool):
            raise ManifestError(f"{where}: 'infer' must be true or false")
        path = folder / entry.get("query", f"{entry['id']}.rq")
        if path.parent != folder or not path.is_file():
            raise ManifestError(f"{where}: no query file {path.name} in {folder}")
        examples.append(
            Example(
                id=entry["id"],
                title=_text(entry, "title", where),
                description=_text(entry, "description", where),
                query=path.read_text(encoding="utf-8"),
                infer=entry.get("infer", True),
            )
        )
    return tuple(examples)


@lru_cache(maxsize=4)
def load_examples(folder: Path = QUERY_DIR) -> tuple[Example, ...]:
    """Return the examples of ``folder`` (the shipped gallery by default), in gallery order."""
    try:
        entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{folder / MANIFEST}: {exc}") from exc
    return parse_manifest(entries, folder)


def find_example(example_id: str) -> Example | None:
    """Return the shipped example named ``example_id``, or None."""
    return next((e for e in load_examples() if e.id == example_id), None)


def example_links(example: Example) -> dict[str, str]:
    """Return the example's links: the workbench, the query file and its results per format."""
    links = {
        "workbench": example.workbench_url(),
        "query": url_for("queries.query_file", example_id=example.id),
    }
    links.update({fmt: example.results_url(fmt) for fmt in RESULT_LINK_FORMATS})
    return links


@bp.route("/queries")
def gallery() -> str:
    """The gallery page: every example with what it answers and where to run it."""
    lang = choose_language(request)
    return render_template(
        "queries.html",
        lang=lang,
        examples=[(e, example_links(e)) for e in load_examples()],
        gallery_intro=GALLERY_INTRO,
    )


@bp.route("/queries.json")
def manifest() -> Response:
    """The examples as JSON: titles, descriptions, query texts, infer flags and links."""
    return jsonify(
        [
            {
                "id": e.id,
                "title": e.title,
                "description": e.description,
                "infer": e.infer,
                "query": e.query,
                "links": example_links(e),
            }
            for e in load_examples()
        ]
    )


@bp.route("/queries/<example_id>.rq")
def query_file(example_id: str) -> Response:
    """The example's query, headed by its title and description."""
    example = find_example(example_id)
    if example is None:
        abort(404, description=f"no example query named {example_id!r}; see /queries")
    return Response(
        example.text_with_header(choose_language(request)),
        content_type="application/sparql-query; charset=utf-8",
    )
