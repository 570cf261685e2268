"""A citation as BibTeX, written with bibtexparser 2.

Entry types are biblatex's: ``@dataset`` for a release, ``@online`` for a web page or a
news article, ``@article`` for an article of a periodical (``journaltitle``), ``@report``,
``@misc`` otherwise. A known date gives ``date`` (ISO 8601, as far as known) and ``year`` (and
``month``, as a number); an undated work has none of them. Values are braced (bibtexparser's
writer encloses them) and the characters TeX reads as commands are escaped; an organisation as
author is double-braced so that BibTeX does not split it into first and last names; a URL is
left as it is (``url`` is verbatim in biblatex).
"""

from __future__ import annotations

import bibtexparser
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from imtkg.citations.model import Citation, Work

#: CSL type -> biblatex entry type
ENTRY_TYPES = {
    "dataset": "dataset",
    "webpage": "online",
    "article-newspaper": "online",
    "article-magazine": "article",
    "report": "report",
}
DEFAULT_ENTRY_TYPE = "misc"
#: characters TeX would read as commands, and how to write them
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def escape(text: str) -> str:
    """Return ``text`` with TeX's special characters escaped."""
    return "".join(_ESCAPES.get(c, c) for c in text)


def _verbatim(url: str) -> str:
    """Return a URL as a verbatim field holds it (a brace would end the field)."""
    return url.replace("{", "%7B").replace("}", "%7D")


def bibtex_entry(work: Work) -> Entry:
    """Return ``work`` as a BibTeX entry."""
    fields: list[Field] = []
    if work.authors:
        names = [
            "{" + escape(a) + "}" if work.organisation_authors else escape(a) for a in work.authors
        ]
        fields.append(Field("author", " and ".join(names)))
    fields.append(Field("title", escape(work.title)))
    if work.version:
        fields.append(Field("version", escape(work.version)))
    if work.container:
        fields.append(Field("journaltitle", escape(work.container)))
    if work.publisher:
        fields.append(Field("publisher", escape(work.publisher)))
    if work.issued is not None:
        fields.append(Field("date", work.issued.iso()))
        fields.append(Field("year", str(work.issued.year)))
        if work.issued.month is not None:
            fields.append(Field("month", str(work.issued.month)))
    if work.languages:
        fields.append(Field("language", escape(" and ".join(work.languages))))
    if work.url:
        fields.append(Field("url", _verbatim(work.url)))
    if work.licence:
        fields.append(Field("license", _verbatim(work.licence)))
    notes = work.all_notes()
    if notes:
        fields.append(Field("note", escape(". ".join(notes))))
    return Entry(ENTRY_TYPES.get(work.kind, DEFAULT_ENTRY_TYPE), work.key, fields)


def write_bibtex(citation: Citation) -> str:
    """Return ``citation`` as BibTeX text, one entry per work."""
    library = bibtexparser.Library([bibtex_entry(work) for work in citation.works])
    layout = BibtexFormat()
    layout.block_separator = "\n"  # each entry ends with a newline: one blank line between
    return bibtexparser.write_string(library, bibtex_format=layout)
