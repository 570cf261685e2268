"""The reader's language (en/fr) and the words of the site's pages in both languages.

The language comes from, in order: the ``lang`` query parameter (the visible switch; it is then
remembered in the ``lang`` cookie), the cookie, the ``Accept-Language`` header, English.
Templates translate with ``_("English text")``: the English text is the message id and
:data:`FRENCH` its French translation (missing translations fall back to the English text).
Other page modules add their words with :func:`add_messages`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Request

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
PARAMETER = "lang"

#: English message -> French translation
FRENCH: dict[str, str] = {
    "Home": "Accueil",
    "Schools": "Écoles",
    "Alliances": "Alliances",
    "Events": "Événements",
    "Rankings": "Classements",
    "Ontology": "Ontologie",
    "SPARQL workbench": "Atelier SPARQL",
    "VoID": "VoID",
    "Example queries": "Exemples de requêtes",
    "Language": "Langue",
    "Site navigation": "Navigation du site",
    "IMT Knowledge Graph": "Graphe de connaissances de l'IMT",
    "Data licensed under": "Données sous licence",
    "Code licensed under MIT.": "Code sous licence MIT.",
    "Every page of this site is also data:": "Chaque page de ce site est aussi une donnée :",
    "Types": "Types",
    "Properties": "Propriétés",
    "Referenced by": "Cité par",
    "Sources": "Sources",
    "inferred": "inféré",
    "Inferred by OWL RL reasoning: no source states it.": (
        "Déduit par raisonnement OWL RL : aucune source ne l'énonce."
    ),
    "Statements marked inferred are derived by OWL RL reasoning from the ontology and the sourced "
    "statements (graph:inferred).": (
        "Les énoncés marqués « inféré » sont déduits par raisonnement OWL RL de l'ontologie et des "
        "énoncés sourcés (graph:inferred)."
    ),
    "Named graph": "Graphe nommé",
    "Source document": "Document source",
    "stated by the ontology": "énoncé par l'ontologie",
    "This resource in other formats": "Cette ressource dans d'autres formats",
    "Not found": "Introuvable",
    "Nothing is known about": "Rien n'est connu de",
    "Go to the home page": "Aller à l'accueil",
    "Instances": "Instances",
    "Concepts": "Concepts",
    "Subclasses": "Sous-classes",
    "Superclasses": "Super-classes",
    "Domain": "Domaine",
    "Range": "Portée",
    "Statements using this property": "Énoncés utilisant cette propriété",
    "Documentation in the ontology": "Documentation dans l'ontologie",
    "Memberships": "Adhésions",
    "Membership network": "Réseau d'adhésions",
    "Member": "Membre",
    "Organisation": "Organisation",
    "Role": "Rôle",
    "Status": "Statut",
    "From": "Depuis",
    "since": "depuis",
    "Until": "Jusqu'à",
    "Relation": "Relation",
    "Membership record": "Fiche d'adhésion",
    "direct statement": "énoncé direct",
    "not stated": "non précisé",
    "Sub-events": "Sous-événements",
    "Timeline of the sub-events": "Chronologie des sous-événements",
    "Date": "Date",
    "Dates": "Dates",
    "Dates:": "Dates :",
    "dates to be confirmed": "dates à confirmer",
    "no date stated": "aucune date énoncée",
    "possible dates": "dates possibles",
    "Entries": "Entrées",
    "Institution": "Établissement",
    "Rank": "Rang",
    "Scope": "Périmètre",
    "Trend": "Évolution",
    "first appearance": "première apparition",
    "Figures": "Chiffres",
    "Figure": "Chiffre",
    "Value": "Valeur",
    "As stated": "Tel qu'énoncé",
    "Statements in this graph": "Énoncés de ce graphe",
    "Resources described in this graph": "Ressources décrites dans ce graphe",
    "Derived from": "Tiré de",
    "Named graphs": "Graphes nommés",
    "What the graph holds": "Ce que contient le graphe",
    "Resources per class": "Ressources par classe",
    "Class": "Classe",
    "Resources": "Ressources",
    "triples": "triplets",
    "Triples": "Triplets",
    "Entry points": "Points d'entrée",
    "Its schools": "Ses écoles",
    "Query the graph": "Interroger le graphe",
    "SPARQL endpoint and workbench": "Point d'accès et atelier SPARQL",
    "Dataset description (VoID)": "Description du jeu de données (VoID)",
    "Classes": "Classes",
    "Object properties": "Propriétés d'objet",
    "Datatype properties": "Propriétés de données",
    "Annotation properties": "Propriétés d'annotation",
    "Class hierarchy": "Hiérarchie des classes",
    "Alignments to standard vocabularies": "Alignements sur les vocabulaires standard",
    "Concept schemes": "Schémas de concepts",
    "Contents": "Sommaire",
    "Version": "Version",
    "Licence": "Licence",
    "Created": "Créée le",
    "Modified": "Modifiée le",
    "Creator": "Auteur",
    "Preferred prefix": "Préfixe préféré",
    "Download the ontology": "Télécharger l'ontologie",
    "Labels": "Libellés",
    "Comment": "Commentaire",
    "Definition": "Définition",
    "Subclass of": "Sous-classe de",
    "Equivalent to": "Équivalente à",
    "Disjoint with": "Disjointe de",
    "Subproperty of": "Sous-propriété de",
    "Subproperties": "Sous-propriétés",
    "Entry": "Entrée",
    "The open knowledge graph of the Institut Mines-Télécom network: its schools, alliances and "
    "memberships, events, rankings and figures, each statement with the source document that "
    "states it.": (
        "Le graphe de connaissances ouvert du réseau de l'Institut Mines-Télécom : ses écoles, "
        "alliances et adhésions, événements, classements et chiffres, chaque énoncé avec le "
        "document source qui l'énonce."
    ),
    "Inverse of": "Inverse de",
    "Characteristics": "Caractéristiques",
    "Property chain": "Chaîne de propriétés",
    "Properties with this domain": "Propriétés de ce domaine",
    "Properties with this range": "Propriétés de cette portée",
    "Instances:": "Instances :",
    "Uses:": "Utilisations :",
    "As stated:": "Tel qu'énoncé :",
    "Measure:": "Mesure :",
    "Population:": "Population :",
    "Page of the term": "Page du terme",
    "Term": "Terme",
    "Standard term": "Terme standard",
    "deprecated": "obsolète",
    "Change note": "Note de modification",
    "and": "et",
    "or": "ou",
    "Counts of resources per class (asserted and inferred types)": (
        "Nombre de ressources par classe (types énoncés et inférés)"
    ),
    "yes": "oui",
    "no": "non",
}

MONTHS = {
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "fr": (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    ).split(),
}

#: abbreviated month names, for the ticks of a time axis
MONTHS_SHORT = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split(),
}


def add_messages(french: Mapping[str, str]) -> None:
    """Add French translations of English messages (for other page modules)."""
    FRENCH.update(french)


def translate(message: str, lang: str) -> str:
    """Return ``message`` (English) in ``lang``; the English text when no translation exists."""
    if lang == "fr":
        return FRENCH.get(message, message)
    return message


def choose_language(request: Request) -> str:
    """Return the reader's language: ``lang`` parameter, then cookie, then Accept-Language."""
    for value in (request.args.get(PARAMETER), request.cookies.get(COOKIE)):
        if value in LANGUAGES:
            return value
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def format_date(value: date, lang: str) -> str:
    """Return a date the way the reader's language writes it (``17 November 2025``)."""
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def format_short_date(value: date, lang: str) -> str:
    """Return a day and abbreviated month (``17 Nov``, ``17 nov.``), for axis ticks."""
    return f"{value.day} {MONTHS_SHORT[lang][value.month - 1]}"


def format_year_month(year: int, month: int, lang: str) -> str:
    """Return a month of a year (``November 2022``, ``novembre 2022``)."""
    return f"{MONTHS[lang][month - 1]} {year}"


def format_number(value: float, lang: str) -> str:
    """Return a number with the thousands separator of ``lang`` (``2,350`` / ``2 350``)."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    if lang == "fr":
        # French groups thousands with a narrow no-break space and writes a decimal comma
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
