"""Citations in a real browser (issue 17): Cite on a statement of a resource page, Copy, Download.

Uses the browser and live server of :mod:`test_browser` (Debian's chromium on loopback). The
context is granted the clipboard, so the test reads back what the Copy button wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from test_browser import (  # noqa: F401 (fixtures used by name)
    SCREENSHOTS,
    TIMEOUT_MS,
    Visit,
    base_url,
    browser,
)

from imtkg.core.paths import resource_dir
from imtkg.releases.history import ReleaseHistory

PASSAGE = "https://w3id.org/imt-kg/id/passage/imt-mines-ales-interview-2022/paragraph-4"
STATEMENT = "https://w3id.org/imt-kg/id/statement/9dc80a4ccf18fd4beb89"
FOUNDING_LINK = "#properties a.cite-link[href*='foundingDate']"


@pytest.fixture
def clipboard_visit(browser) -> Iterator[Visit]:  # noqa: F811
    """A fresh English page whose context may read and write the clipboard and download."""
    context = browser.new_context(
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(page)
    page.on("request", lambda request: visit.requests.append(request.url))
    yield visit
    context.close()


def entries(text: str) -> list[tuple[str, str]]:
    """Parse BibTeX with bibtexparser: (key, note) per entry; no block may fail."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return [(e.key, e.fields_dict["note"].value) for e in library.entries]


def test_cite_a_statement_copy_and_download(base_url, clipboard_visit) -> None:  # noqa: F811
    """On IMT Mines Alès' page, Cite next to the founding date shows the statement's BibTeX
    (the interview at paragraph 4, the release holding it) without leaving the page; Copy puts
    that text on the clipboard, Download saves it as a .bib file; nothing is fetched elsewhere."""
    page = clipboard_visit.page
    page.goto(base_url + "/id/imt-mines-ales.html")
    page.evaluate("window.notReloaded = true")
    page.click(FOUNDING_LINK)
    page.wait_for_selector(".cite-panel[data-loaded='true']")
    bibtex = page.inner_text(".cite-panel pre.cite-bibtex")
    history = ReleaseHistory.from_folder(resource_dir("releases"))
    keys = entries(bibtex)
    assert keys[0] == ("imt-mines-ales-interview-2022", f"Paragraph 4 ({PASSAGE})")
    assert keys[1][0] == f"imt-kg-{history.latest.version}"
    assert keys[1][1] == f"Statement {STATEMENT}"
    clipboard_visit.screenshot("cite-statement")

    page.click(".cite-panel button.copy")
    page.wait_for_selector(".cite-panel button.copy[data-copied]")
    assert page.inner_text(".cite-panel button.copy") == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == bibtex

    with page.expect_download() as download_info:
        page.click(".cite-panel a.download")
    download = download_info.value
    assert download.suggested_filename == "statement-9dc80a4ccf18fd4beb89.bib"
    assert Path(download.path()).read_text(encoding="utf-8") == bibtex
    assert page.evaluate("window.notReloaded") is True
    assert page.url == base_url + "/id/imt-mines-ales.html"

    page.click("#cite details.cite-resource summary")
    page.wait_for_selector("#cite-resource-bibtex[data-loaded='true']")
    resource = page.inner_text("#cite-resource-bibtex")
    assert [key for key, _ in _keys_only(resource)][-1] == f"imt-kg-{history.latest.version}"
    page.click("#cite button.copy")
    page.wait_for_selector("#cite button.copy[data-copied]")
    assert page.evaluate("navigator.clipboard.readText()") == resource
    assert page.evaluate("window.notReloaded") is True
    assert clipboard_visit.outside_requests() == []


def _keys_only(text: str) -> list[tuple[str, str]]:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return [(e.key, e.entry_type) for e in library.entries]


def test_citation_page_copies_each_format(base_url, clipboard_visit) -> None:  # noqa: F811
    """The citation page of the dataset copies its RIS and its CSL-JSON as shown, in French."""
    page = clipboard_visit.page
    page.goto(base_url + "/cite/?lang=fr")
    latest = ReleaseHistory.from_folder(resource_dir("releases")).latest
    assert page.inner_text("h1") == f"Citer: IMT knowledge graph {latest.version}"
    for name in ("ris", "csl-json"):
        page.click(f"#format-{name} button.copy")
        page.wait_for_selector(f"#format-{name} button.copy[data-copied]")
        assert page.inner_text(f"#format-{name} button.copy") == "Copié"
        shown = page.inner_text(f"#cite-{name}")
        assert page.evaluate("navigator.clipboard.readText()").strip() == shown.strip()
    page.screenshot(path=str(SCREENSHOTS / "cite-page.png"), full_page=True)
    assert clipboard_visit.outside_requests() == []
