"""What a citation holds, whatever the format it is written in.

A :class:`Citation` is what one citation URL answers: one or more :class:`Work` (the source
documents that state a fact, each with the paragraphs that state it, and the dataset release it
comes from). Every field is read from the graph or from the release records; a field the data
does not give stays empty (an undated document has ``issued=None``: no format writes a date for
it, and none writes today's date instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imtkg.core.errors import ImtKgError

#: the XSD datatypes a date is read from, and how many of year, month, day each gives
_XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_DATATYPES = {
    _XSD + "gYear": 1,
    _XSD + "gYearMonth": 2,
    _XSD + "date": 3,
    _XSD + "dateTime": 3,
}
_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


class CitationError(ImtKgError):
    """What to cite is malformed or not in the data; the message says which part and why."""


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day.

    :param year: the year.
    :param month: the month (1-12), ``None`` when only the year is known.
    :param day: the day, ``None`` when only the year or the month is known.
    """

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def from_literal(cls, lexical: str, datatype: str) -> PartialDate | None:
        """Read an ``xsd:gYear``, ``gYearMonth``, ``date`` or ``dateTime``; ``None`` otherwise."""
        parts = DATE_DATATYPES.get(datatype)
        match = _DATE.match(lexical)
        if parts is None or match is None:
            return None
        numbers = [int(g) for g in match.groups()[:parts] if g is not None]
        if len(numbers) != parts:
            return None
        return cls(*numbers)

    def parts(self) -> list[int]:
        """Return ``[year, month, day]`` as far as known (CSL's ``date-parts``)."""
        return [p for p in (self.year, self.month, self.day) if p is not None]

    def iso(self) -> str:
        """Return the date as ISO 8601 as far as known: ``2022``, ``2022-11``, ``2022-11-04``."""
        return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(self.parts()))


@dataclass(frozen=True)
class Locator:
    """A numbered paragraph of a source document (``id:passage/<source>/paragraph-N``)."""

    number: int
    iri: str

    def text(self) -> str:
        """Return the locator for people: ``paragraph 4``."""
        return f"paragraph {self.number}"


@dataclass(frozen=True)
class Work:
    """One citable work: a source document or a release of the dataset.

    :param key: its citation key (BibTeX key, CSL and RIS id): ``imt-kg-1.0.0``.
    :param kind: its CSL type (``dataset``, ``article-newspaper``, ``webpage``...).
    :param title: its title as published.
    :param iri: its IRI in the graph (a source document, a release).
    :param url: where it is published (``schema:url``; a release's page).
    :param authors: its creators' names, as the data writes them.
    :param organisation_authors: whether the authors are organisations (not split into names).
    :param publisher: who publishes it.
    :param container: the periodical (or site) it is part of (``schema:isPartOf``).
    :param issued: its date as far as the data knows it; ``None`` when undated.
    :param languages: its languages (BCP 47 codes).
    :param version: a release's version.
    :param licence: its licence IRI.
    :param locators: the paragraphs a citation points at.
    :param notes: what else a reader needs (the statement cited, an unreleased version...).
    """

    key: str
    kind: str
    title: str
    iri: str
    url: str | None = None
    authors: tuple[str, ...] = ()
    organisation_authors: bool = False
    publisher: str | None = None
    container: str | None = None
    issued: PartialDate | None = None
    languages: tuple[str, ...] = ()
    version: str | None = None
    licence: str | None = None
    locators: tuple[Locator, ...] = ()
    notes: tuple[str, ...] = ()

    def locator_text(self) -> str | None:
        """Return the paragraphs cited, for people (``paragraph 4``, ``paragraphs 2, 11``)."""
        if not self.locators:
            return None
        numbers = ", ".join(str(loc.number) for loc in self.locators)
        word = "paragraph" if len(self.locators) == 1 else "paragraphs"
        return f"{word} {numbers}"

    def all_notes(self) -> list[str]:
        """Return the notes of the work, the paragraphs cited first (with their IRIs)."""
        found = []
        if self.locators:
            iris = ", ".join(loc.iri for loc in self.locators)
            text = self.locator_text() or ""
            found.append(f"{text[0].upper()}{text[1:]} ({iris})")
        return found + list(self.notes)


@dataclass(frozen=True)
class Citation:
    """What one citation URL answers: the works to cite, in order, and what they are cited for.

    :param label: what is cited, for people (a title, or a statement in N-Triples).
    :param works: the source documents (with their paragraphs), then the dataset release.
    :param filename: the stem of a downloaded file (``imt-kg-1.0.0``).
    :param statement: the cited statement as an N-Quad, when a statement is cited.
    """

    label: str
    works: tuple[Work, ...]
    filename: str
    statement: str | None = None
