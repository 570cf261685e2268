"""The formats a citation is written in: name, media type, file extension and writer.

The names are those of the ``format`` parameter of a citation URL; the media types are those
reference managers ask for (and DOI content negotiation answers): BibTeX, CSL-JSON, RIS and a
formatted reference (``text/x-bibliography``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from imtkg.citations.bibliography import write_text
from imtkg.citations.bibtex import write_bibtex
from imtkg.citations.csl import write_csl_json
from imtkg.citations.model import Citation
from imtkg.citations.ris import write_ris


@dataclass(frozen=True)
class CitationFormat:
    """A format of citations.

    :param name: its name in ``format=`` (``bibtex``).
    :param media_type: its media type (``application/x-bibtex``).
    :param extension: the extension of a downloaded file (``bib``).
    :param label: its name for people.
    :param write: the writer of a citation in it.
    """

    name: str
    media_type: str
    extension: str
    label: str
    write: Callable[[Citation], str]


#: the formats by name, in the order pages show them
FORMATS: dict[str, CitationFormat] = {
    f.name: f
    for f in (
        CitationFormat("bibtex", "application/x-bibtex", "bib", "BibTeX", write_bibtex),
        CitationFormat(
            "csl-json",
            "application/vnd.citationstyles.csl+json",
            "json",
            "CSL-JSON",
            write_csl_json,
        ),
        CitationFormat("ris", "application/x-research-info-systems", "ris", "RIS", write_ris),
        CitationFormat("text", "text/x-bibliography", "txt", "Formatted (APA)", write_text),
    )
}
