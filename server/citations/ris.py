"""A citation as RIS, written with rispy.

Reference types: ``DATA`` for a release, ``NEWS`` for a newspaper article, ``ELEC`` for a web
page, ``MGZN`` for an article of a periodical (its title in ``T2``), ``RPRT`` for a report,
``GEN`` otherwise. A known date gives ``PY`` (the year) and ``DA`` (``YYYY/MM/DD/`` as far as
known); an undated work has neither. The version is ``ET``, the paragraphs cited and other
notes are ``N1`` lines, the licence one more.
"""

from __future__ import annotations

import rispy

from imtkg.citations.model import Citation, Work

#: CSL type -> RIS reference type
REFERENCE_TYPES = {
    "dataset": "DATA",
    "article-newspaper": "NEWS",
    "article-magazine": "MGZN",
    "webpage": "ELEC",
    "report": "RPRT",
}
DEFAULT_REFERENCE_TYPE = "GEN"


class _Writer(rispy.RisWriter):
    """rispy's writer without its numbered line before each reference (``1.``)."""

    def set_header(self, count: int) -> str:
        """Write no header line."""
        return ""


def ris_record(work: Work) -> dict[str, object]:
    """Return ``work`` as a rispy record."""
    record: dict[str, object] = {
        "type_of_reference": REFERENCE_TYPES.get(work.kind, DEFAULT_REFERENCE_TYPE),
        "id": work.key,
        "title": work.title,
    }
    if work.authors:
        record["authors"] = list(work.authors)
    if work.issued is not None:
        record["year"] = str(work.issued.year)
        parts = [f"{p:02d}" if i else str(p) for i, p in enumerate(work.issued.parts())]
        record["date"] = "/".join(parts + [""] * (3 - len(parts))) + "/"
    if work.version:
        record["edition"] = work.version
    if work.container:
        record["secondary_title"] = work.container
    if work.publisher:
        record["publisher"] = work.publisher
    if work.languages:
        record["language"] = ", ".join(work.languages)
    if work.url:
        record["urls"] = [work.url]
    notes = work.all_notes()
    if work.licence:
        notes.append(f"Licence: {work.licence}")
    if notes:
        record["notes"] = notes
    return record


def write_ris(citation: Citation) -> str:
    """Return ``citation`` as RIS text, one reference per work."""
    return rispy.dumps([ris_record(work) for work in citation.works], implementation=_Writer)
