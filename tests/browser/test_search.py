"""The hub's search in a real browser: the page in both languages passes axe, the header's field
leads to it, and the header keeps its layout on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations

HEADER_FIELD = "header.site-header form.site-search input[name=q]"


@pytest.mark.parametrize(
    "path",
    [
        "/nl/search?q=meubilair",
        "/en/search?q=furniture+reuse",
        "/en/search?q=reuse&kind=pilot&page=2",
        "/nl/search?q=meubliair",  # nothing found: a suggestion
        "/en/search?q=furniture&country=DK&year=2017",  # nothing with the filters
        "/nl/search",  # no query: an explanation
    ],
)
def test_search_pages_have_no_serious_accessibility_violations(page: Any, path: str) -> None:
    page.goto(path)
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_results_in_both_languages(page: Any) -> None:
    page.goto("/nl/search?q=meubilair")
    assert page.locator(".search-result").count() > 0
    assert page.locator(".search-result mark").count() > 0
    page.goto("/en/search?q=furniture")
    first = page.locator(".search-result h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith(title)


def test_the_header_field_leads_to_the_results(page: Any) -> None:
    page.goto("/nl/pilots")
    field = page.locator(HEADER_FIELD)
    field.fill("hergebruik meubilair")
    field.press("Enter")
    page.wait_for_url("**/nl/search?q=hergebruik+meubilair")
    assert page.locator(".search-result").count() > 0
    assert page.locator("#search-q").input_value() == "hergebruik meubilair"


def test_a_misspelling_offers_a_suggestion_that_finds(page: Any) -> None:
    page.goto("/nl/search?q=meubliair")
    assert page.locator(".search-result").count() == 0
    page.locator(".empty a", has_text="meubilair").click()
    page.wait_for_url("**/nl/search?q=meubilair")
    assert page.locator(".search-result").count() > 0


@pytest.mark.parametrize("path", ["/en/", "/nl/search?q=meubilair"])
def test_the_header_fits_a_phone(page: Any, path: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    box = page.locator(HEADER_FIELD).bounding_box()
    button = page.locator("header.site-header form.site-search button").bounding_box()
    assert box["x"] >= 0 and button["x"] + button["width"] <= 360
    assert box["width"] >= 150  # room to type
