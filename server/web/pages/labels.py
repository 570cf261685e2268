"""Names for people: the label of a resource in the reader's language, values written for them.

A label is looked for in the reader's language, then English, then French, then without a
language, then any; a resource without one is named by its prefixed name (``imt:School``) or
its IRI.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from imtkg.core.namespaces import PREFIXES
from imtkg.web.i18n import format_date, format_number, format_year_month, translate
from imtkg.web.pages.page_data import XSD, parse_date

NUMERIC_TYPES = {
    XSD + name
    for name in (
        "decimal",
        "double",
        "float",
        "integer",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
    )
}


def pick_label(labels: Mapping[str, str] | None, lang: str) -> str | None:
    """Return the label for ``lang`` from ``{language: label}``, falling back as documented."""
    if not labels:
        return None
    for language in (lang, "en", "fr", ""):
        if language in labels:
            return labels[language]
    return labels[sorted(labels)[0]]


def short_name(iri: str) -> str:
    """Return ``prefix:local`` for an IRI in a project namespace, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


class Labeller:
    """Names resources in one language from an index ``{iri: {language: label}}``."""

    def __init__(self, labels: Mapping[str, Mapping[str, str]], lang: str) -> None:
        self.labels = labels
        self.lang = lang

    def has_label(self, iri: str) -> bool:
        """Tell whether the graph gives ``iri`` a label."""
        return bool(self.labels.get(iri))

    def __call__(self, iri: str | None) -> str:
        """Return the name of ``iri`` for the reader (empty for ``None``)."""
        if iri is None:
            return ""
        return pick_label(self.labels.get(iri), self.lang) or short_name(iri)

    def literal(self, literal: ox.Literal) -> str:
        """Return a literal for the reader: dates, numbers and booleans in their language."""
        datatype = literal.datatype.value
        if datatype in NUMERIC_TYPES:
            try:
                return format_number(float(literal.value), self.lang)
            except ValueError:
                return literal.value
        if datatype == XSD + "boolean":
            return translate("yes" if literal.value in ("true", "1") else "no", self.lang)
        day = parse_date(literal)
        if day is None:
            return literal.value
        if datatype in (XSD + "date", XSD + "dateTime"):
            return format_date(day, self.lang)
        if datatype == XSD + "gYearMonth":
            return format_year_month(day.year, day.month, self.lang)
        return str(day.year)
