"""A citation as CSL-JSON: a list of CSL items (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html).

Each work is one item; its type is the work's CSL type (``dataset`` for a release,
``article-newspaper``, ``webpage``... for a source document). Dates are ``date-parts`` as far
as known; a work without a date has no ``issued``, and no item has ``accessed``. The paragraphs
cited and the other notes go in ``note`` (CSL items have no locator: a locator belongs to a
citation in a text, not to the item).
"""

from __future__ import annotations

import json

from imtkg.citations.model import Citation, Work


def csl_item(work: Work) -> dict[str, object]:
    """Return ``work`` as a CSL item."""
    item: dict[str, object] = {"id": work.key, "type": work.kind, "title": work.title}
    if work.authors:
        item["author"] = [{"literal": name} for name in work.authors]
    if work.container:
        item["container-title"] = work.container
    if work.publisher:
        item["publisher"] = work.publisher
    if work.issued is not None:
        item["issued"] = {"date-parts": [work.issued.parts()]}
    if work.version:
        item["version"] = work.version
    if len(work.languages) == 1:
        item["language"] = work.languages[0]
    if work.url:
        item["URL"] = work.url
    if work.licence:
        item["license"] = work.licence
    notes = work.all_notes()
    if notes:
        item["note"] = "\n".join(notes)
    return item


def csl_items(citation: Citation) -> list[dict[str, object]]:
    """Return the CSL items of ``citation``, in order."""
    return [csl_item(work) for work in citation.works]


def write_csl_json(citation: Citation) -> str:
    """Return ``citation`` as CSL-JSON text."""
    return json.dumps(csl_items(citation), ensure_ascii=False, indent=2) + "\n"
