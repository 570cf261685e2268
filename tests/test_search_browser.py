"""Search in a real browser (issue 16): the header's box on a page leads to the results.

Uses the browser and live server of :mod:`test_browser` (Debian's chromium on loopback).
"""

from __future__ import annotations

from test_browser import base_url, browser, visit  # noqa: F401 (fixtures used by name)


def test_header_search_box_finds_the_examples(base_url, visit) -> None:  # noqa: F811
    """From the home page's header, "mines st etienne" then (in French) "evry" lead to result
    pages whose first result is the resource, its matched words highlighted; nothing is asked
    of another site."""
    page = visit.page
    page.goto(base_url + "/")
    page.fill("header .site-search input[name=q]", "mines st etienne")
    page.press("header .site-search input[name=q]", "Enter")
    page.wait_for_selector("ol.search-results")
    first = page.locator("ol.search-results > li").first
    assert first.locator("a").first.inner_text() == "Mines Saint-Étienne"
    assert first.locator("mark").all_inner_texts() == ["Mines", "Saint", "Étienne"]
    assert page.input_value("header .site-search input[name=q]") == "mines st etienne"
    page.goto(base_url + "/id/imt-mines-ales.html?lang=fr")
    page.fill("header .site-search input[name=q]", "evry")
    page.click("header .site-search button")
    page.wait_for_selector("ol.search-results")
    assert page.locator("p.search-count").inner_text() == "1 résultat"
    assert page.locator("ol.search-results > li a").first.get_attribute("href") == (
        base_url + "/id/place/evry.html"
    )
    visit.screenshot("search")
    assert visit.outside_requests() == []
