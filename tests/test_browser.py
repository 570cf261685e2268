"""A real browser on a real server: Debian's chromium, driven by Playwright, on loopback.

The browser opens the home page, follows a link to IMT Mines Alès, switches the page to French,
opens the workbench and runs example questions, and sees their rows in the result table. Every
request the pages make is recorded: none may leave the server (127.0.0.1). Screenshots go to
``artifacts/screenshots/`` and the measured page load times to ``artifacts/page-load.json``.

The system browser is required: without ``/usr/bin/chromium`` (``apt-get install chromium``)
these tests fail; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sparql_support import live_server

from imtkg.web.i18n import translate

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 20_000
#: the active tab's result table and its rows
RESULT_ROWS = ".tabPanel.active .yasr_results table.dataTable tbody tr"
#: pages whose load time is measured, by name: the heavier ones (the gallery, the VoID and the
#: dumps pages are plain HTML and load in less time than the home page)
TIMED_PAGES = {
    "home": "/",
    "organisation": "/id/imt-mines-ales.html",
    "ontology": "/ontology.html",
    "workbench": "/sparql",
}
LOADS_PER_PAGE = 3


def sync_playwright():
    """Return Playwright's sync API entry point, or fail saying how to install it."""
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:  # pragma: no cover - depends on the environment
        pytest.fail("Playwright for Python is missing: pip install -e '.[test]'")
    return start


@pytest.fixture(scope="module")
def base_url(shipped_app) -> Iterator[str]:
    """The URL of a waitress server on the shipped graph, on a free loopback port."""
    with live_server(shipped_app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's headless chromium, launched by Playwright (fails when chromium is missing)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install chromium); Playwright's own browsers are not used"
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright()() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A browser page and every URL it requested."""

    page: object
    requests: list[str] = field(default_factory=list)

    def outside_requests(self) -> list[str]:
        """The requested URLs whose host is not the local server."""
        return [u for u in self.requests if urlsplit(u).hostname not in LOCAL_HOSTS]

    def screenshot(self, name: str) -> None:
        """Save a full-page screenshot as ``artifacts/screenshots/<name>.png``."""
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def visit(browser) -> Iterator[Visit]:
    """A fresh English-speaking browser context and page that records its requests."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(page)
    page.on("request", lambda request: visit.requests.append(request.url))
    yield visit
    context.close()


def headings(page) -> list[str]:
    """The texts of the page's h2 headings."""
    return page.eval_on_selector_all("main h2", "hs => hs.map(h => h.textContent.trim())")


def result_rows(page, expected: int) -> list[list[str]]:
    """Wait for the active tab's result table to have ``expected`` rows; return their cells."""
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length === n"
        " && !document.querySelector(selector + ' td.dt-empty')",
        arg=[RESULT_ROWS, expected],
    )
    return page.eval_on_selector_all(
        RESULT_ROWS,
        "rows => rows.map(r => Array.from(r.querySelectorAll('td')).slice(1)"
        ".map(td => td.textContent.trim()))",
    )


def run_query(page) -> None:
    """Press the active tab's run button."""
    page.click(".tabPanel.active .yasqe_queryButton")


def test_home_organisation_language_and_workbench(base_url, visit):
    """Home -> IMT Mines Alès -> French -> workbench -> an example's rows; all requests local."""
    page = visit.page
    page.goto(base_url + "/")
    assert page.title() == "Home · IMT Knowledge Graph"
    visit.screenshot("home")

    page.click("main a[href$='/id/imt-mines-ales.html']")
    page.wait_for_url("**/id/imt-mines-ales.html")
    assert page.inner_text("h1") == "IMT Mines Alès"
    english = headings(page)
    assert "Memberships" in english
    visit.screenshot("organisation-en")

    page.click(".language-switch a[hreflang='fr']")
    page.wait_for_function("document.documentElement.lang === 'fr'")
    assert page.title() == "IMT Mines Alès · Graphe de connaissances de l'IMT"
    assert headings(page) == [translate(h, "fr") for h in english]
    assert "Adhésions" in headings(page)
    visit.screenshot("organisation-fr")

    page.click("nav a[href$='/sparql']")
    page.wait_for_selector(".tabPanel.active .CodeMirror")
    assert page.inner_text("h1") == "Atelier SPARQL"
    page.select_option("#example-select", "the-impact-ranking-2021")
    assert page.inner_text("#example-description") == (
        "Quelles écoles de l'IMT sont classées dans l'édition 2021 du THE Impact Ranking, avec "
        "leur rang quand il est donné, et ont-elles progressé ou fait leur entrée ?"
    )
    run_query(page)
    rows = result_rows(page, 4)
    assert [row[0] for row in rows] == [
        '"IMT Atlantique"@en',
        '"IMT Mines Alès"@en',
        '"Institut Mines-Télécom Business School"@en',
        '"Mines Saint-Étienne"@en',
    ]
    assert rows[0][1] == '"1"^^xsd:integer'
    visit.screenshot("workbench")
    assert visit.outside_requests() == []


def test_gallery_opens_and_runs_an_example(base_url, visit):
    """The gallery's link opens the example in the workbench, which runs it at once."""
    page = visit.page
    page.goto(base_url + "/queries")
    visit.screenshot("queries")
    page.click("#imt-schools a.open-workbench")
    rows = result_rows(page, 11)
    names = [row[1] for row in rows]
    assert names[:5] == [
        '"IMT Atlantique"@en',
        '"IMT Mines Alès"@en',
        '"IMT Nord Europe"@en',
        '"Institut Mines-Télécom Business School"@en',
        '"Mines Saint-Étienne"@en',
    ]
    assert rows[1][3] == '"2017"^^xsd:gYear'
    assert {row[2] for row in rows[5:]} == {"id:imt-grand-est"}
    visit.screenshot("workbench-imt-schools")
    assert visit.outside_requests() == []


def test_chart_of_counts(base_url, visit):
    """A label column and a count column can be drawn as a bar chart, one bar per row."""
    page = visit.page
    page.goto(base_url + "/sparql?example=ranking-editions")
    result_rows(page, 4)
    page.click(".tabPanel.active .yasr .select_chart")
    bars = page.eval_on_selector_all(
        ".tabPanel.active svg.workbench-chart rect",
        "rs => rs.map(r => Number(r.getAttribute('width')))",
    )
    assert len(bars) == 4
    assert bars[1] == max(bars)  # 1115 institutions in 2021
    visit.screenshot("workbench-chart")
    assert visit.outside_requests() == []


def test_inference_switch(base_url, visit):
    """The same question with inferences gives 9 members, without (infer=false) none."""
    page = visit.page
    page.goto(base_url + "/sparql?example=members-of-imt-grand-est")
    assert len(result_rows(page, 9)) == 9
    assert page.is_checked("#infer")
    page.uncheck("#infer")
    run_query(page)
    page.wait_for_selector(RESULT_ROWS + " td.dt-empty")
    assert page.inner_text(".tabPanel.active .yasr_response_chip").startswith("0 results")
    raw = page.get_attribute("#raw-links a.raw-csv", "href")
    assert "infer=false" in raw and "format=csv" in raw
    assert visit.outside_requests() == []


def test_autocompletion_uses_local_data(base_url, visit):
    """Typing a prefixed name adds its PREFIX line; Ctrl-Space offers the ontology's classes."""
    page = visit.page
    page.goto(base_url + "/sparql")
    page.click(".addTab")
    page.click(".tabPanel.active .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT * WHERE { ?s a imt:Sch")
    page.wait_for_function(
        "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()"
        ".startsWith('PREFIX imt: <https://w3id.org/imt-kg/ontology#>')"
    )
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    hints = page.eval_on_selector_all(".CodeMirror-hints li", "ls => ls.map(l => l.textContent)")
    assert hints == ["imt:School"]
    visit.screenshot("workbench-autocompletion")
    paths = {urlsplit(u).path for u in visit.requests}
    assert {"/prefixes.json", "/workbench/terms.json"} <= paths
    assert visit.outside_requests() == []


def test_autocompletion_of_resource_names(base_url, visit):
    """Ctrl-Space after a resource's name where a term may stand offers its IRI, from this
    site's /search; picking it writes the IRI in the query."""
    page = visit.page
    page.goto(base_url + "/sparql")
    page.click(".addTab")
    page.click(".tabPanel.active .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT * WHERE { ?s ?p ales")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    hints = page.eval_on_selector_all(".CodeMirror-hints li", "ls => ls.map(l => l.textContent)")
    assert hints[:3] == [
        "<https://w3id.org/imt-kg/id/place/ales>",
        "<https://w3id.org/imt-kg/id/place/bassin-alesien>",
        "<https://w3id.org/imt-kg/id/imt-mines-ales>",
    ]
    page.keyboard.press("Enter")
    value = page.evaluate(
        "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()"
    )
    assert value.endswith("?s ?p <https://w3id.org/imt-kg/id/place/ales>")
    assert "/search" in {urlsplit(u).path for u in visit.requests}
    assert visit.outside_requests() == []


def load_time_ms(page, url: str) -> float:
    """Load ``url`` and return its navigation time to the load event, in milliseconds."""
    page.goto(url, wait_until="load")
    return page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"
    )


def test_page_load_times(base_url, browser):
    """Each page loads (to its load event) in under 2 s, median of 3 loads; times are recorded.

    The browser cache is off (every script and style sheet is fetched again each time); a first
    load, not counted, lets the server compute what it keeps for the next requests.
    """
    medians = {}
    for name, path in TIMED_PAGES.items():
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        load_time_ms(page, base_url + path)
        times = [load_time_ms(page, base_url + path) for _ in range(LOADS_PER_PAGE)]
        context.close()
        medians[name] = round(statistics.median(times), 1)
    heaviest = max(medians, key=medians.get)
    (ARTIFACTS / "page-load.json").write_text(
        json.dumps(
            {"median_ms": medians, "loads_per_page": LOADS_PER_PAGE, "heaviest": heaviest},
            indent=2,
        )
        + "\n"
    )
    assert medians[heaviest] < 2000, medians
