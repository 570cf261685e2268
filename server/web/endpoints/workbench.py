"""The SPARQL query workbench: YASGUI (vendored) on this app's ``/sparql``, and its local data.

A browser that opens ``/sparql`` (Accept: text/html) gets this page through the endpoint's
workbench hook (:data:`imtkg.web.endpoints.sparql.WORKBENCH_ENDPOINT`); ``/workbench`` serves it to
any client. ``?example=<id>`` opens and runs one example of the gallery.

YASGUI's autocompleters would call prefix.cc and LOV from the browser; the page replaces their
data with the app's own, served here:

* ``GET /prefixes.json``: the project's prefixes (``{"imt": "https://w3id.org/imt-kg/ontology#"...}``);
* ``GET /workbench/terms.json``: the classes and properties the ontology declares or the data
  uses, as full IRIs, computed once by SPARQL.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from imtkg.core.namespaces import PREFIXES, sparql_prologue
from imtkg.web.endpoints.queries_gallery import find_example, load_examples
from imtkg.web.i18n import add_messages, choose_language, translate
from imtkg.web.state import current_state

bp = Blueprint("workbench", __name__)

#: the query of a new, empty tab
NEW_TAB_QUERY = (
    "PREFIX imt: <https://w3id.org/imt-kg/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
    "SELECT ?school ?name WHERE {\n"
    "  ?school a imt:School ;\n"
    "          rdfs:label ?name .\n"
    '  FILTER (lang(?name) = "en")\n'
    "}\nORDER BY ?name\n"
)

#: classes and properties the ontology declares, or the data uses (every graph, inferences too)
TERMS_QUERY = (
    sparql_prologue()
    + """
SELECT DISTINCT ?term ?kind WHERE {
  {
    GRAPH graph:ontology { ?term a ?type }
    VALUES (?type ?kind) {
      (owl:Class "classes") (rdfs:Class "classes")
      (owl:ObjectProperty "properties") (owl:DatatypeProperty "properties")
      (owl:AnnotationProperty "properties") (rdf:Property "properties")
    }
  }
  UNION { [] a ?term . BIND ("classes" AS ?kind) }
  UNION { [] ?term [] . BIND ("properties" AS ?kind) }
  FILTER (isIRI(?term))
}
ORDER BY ?kind ?term
"""
)

_TERMS_KEY = "workbench.terms"
NEEDS_JAVASCRIPT = (
    "The query editor needs JavaScript; the endpoint itself answers any SPARQL client at"
)
INTRODUCTION = (
    "Write a query, or pick an example question; results show as a table, a chart or the "
    "raw response."
)

add_messages(
    {
        "Examples": "Exemples",
        "Choose an example question…": "Choisir une question d'exemple…",
        "Include inferred statements (infer)": "Inclure les énoncés inférés (infer)",
        "Raw results:": "Résultats bruts :",
        "Chart": "Graphique",
        NEEDS_JAVASCRIPT: (
            "L'éditeur de requêtes demande JavaScript ; le point d'accès lui-même répond à tout "
            "client SPARQL à"
        ),
        INTRODUCTION: "Écrivez une requête ou choisissez une question d'exemple ; les "
        "résultats s'affichent en tableau, en graphique ou en réponse brute.",
        "All example questions": "Toutes les questions d'exemple",
        "Service description": "Description du service",
        "Dataset description (VoID)": "Description du jeu de données (VoID)",
        "Dumps": "Dumps",
        "No example is named": "Aucun exemple ne s'appelle",
    }
)


def ontology_terms() -> dict[str, list[str]]:
    """Return ``{"classes": [...], "properties": [...]}``, computed once per app by SPARQL."""
    state = current_state()
    if _TERMS_KEY not in state.extra:
        rows = state.engine.select(TERMS_QUERY)["results"]["bindings"]
        terms: dict[str, list[str]] = {"classes": [], "properties": []}
        for row in rows:
            terms[row["kind"]["value"]].append(row["term"]["value"])
        state.extra[_TERMS_KEY] = terms
    return state.extra[_TERMS_KEY]


@bp.route("/workbench")
def workbench() -> Response:
    """The workbench page, with the gallery's examples (``?example=<id>`` opens and runs one).

    An unknown example is a 404, with the workbench all the same and a notice saying so.
    """
    lang = choose_language(request)
    wanted = request.args.get("example")
    selected = find_example(wanted) if wanted else None
    settings = {
        "endpoint": url_for("sparql.sparql"),
        "prefixesUrl": url_for("workbench.prefixes"),
        "termsUrl": url_for("workbench.terms"),
        "prefixes": PREFIXES,
        "newTabQuery": NEW_TAB_QUERY,
        "selected": selected.id if selected else None,
        "run": selected is not None,
        "messages": {
            "chart": translate("Chart", lang),
            "rawResults": translate("Raw results:", lang),
        },
        "examples": [
            {
                "id": e.id,
                "title": e.title[lang],
                "description": e.description[lang],
                "query": e.query,
                "infer": e.infer,
            }
            for e in load_examples()
        ],
    }
    page = render_template(
        "workbench.html",
        lang=lang,
        settings=settings,
        examples=load_examples(),
        unknown_example=wanted if wanted and selected is None else None,
        intro=INTRODUCTION,
        needs_javascript=NEEDS_JAVASCRIPT,
    )
    response = Response(page, status=404 if wanted and selected is None else 200)
    # /sparql answers this page or RDF by Accept, and the page's language follows the reader
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response


@bp.route("/prefixes.json")
def prefixes() -> Response:
    """The project's prefixes, for the editor's prefix autocompletion."""
    return jsonify(PREFIXES)


@bp.route("/workbench/terms.json")
def terms() -> Response:
    """The ontology's and the data's classes and properties, for the editor's autocompletion."""
    return jsonify(ontology_terms())
