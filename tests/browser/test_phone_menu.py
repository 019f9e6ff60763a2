"""The main menu on a phone (390 px: a "Menu" button opens it) and on a laptop (1366 px: one line),
in both languages, with screenshots of each in ``test-artifacts/``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, LAPTOP, PHONE, axe_violations, screen_of

TOPS = "Array.from(document.querySelectorAll('#site-menu li')).map(item => item.getBoundingClientRect().top)"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_on_a_phone_the_menu_opens_from_a_button(browser: Any, hub_url: str, lang: str) -> None:
    with screen_of(browser, hub_url, PHONE) as page:
        page.goto(f"/{lang}/")
        button = page.get_by_role("button", name="Menu")
        menu = page.locator("#site-menu")
        assert button.is_visible() and not menu.is_visible()
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        assert menu.is_visible() and button.get_attribute("aria-expanded") == "true"
        assert menu.get_by_role("link", name="Pilots").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"menu-390-{lang}.png"), full_page=True)
        assert axe_violations(page) == []
        page.keyboard.press("Escape")
        assert not menu.is_visible() and page.evaluate("document.activeElement.className") == "menu-button"
        # Nothing is wider than the screen: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_on_a_laptop_the_menu_is_one_line(browser: Any, hub_url: str, lang: str) -> None:
    with screen_of(browser, hub_url, LAPTOP) as page:
        page.goto(f"/{lang}/pilots")
        assert not page.get_by_role("button", name="Menu").is_visible()
        assert page.locator("#site-menu").is_visible()
        tops = page.evaluate(TOPS)
        assert len(tops) == 10 and max(tops) - min(tops) < 2, tops  # every item on the same line
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"menu-1366-{lang}.png"))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_programmes_figures_fit_a_phone(browser: Any, hub_url: str, lang: str) -> None:
    with screen_of(browser, hub_url, PHONE) as page:
        page.goto(f"/{lang}/programmes/gdca")
        figures = page.locator("table.figures")
        assert figures.count() == 1
        cells = "Array.from(document.querySelectorAll('table.figures td'))"
        right = page.evaluate(f"Math.max(...{cells}.map(cell => cell.getBoundingClientRect().right))")
        assert right <= 390, right  # no cell runs off the screen (the source column was cut mid-word)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"programme-390-{lang}.png"), full_page=True)
        assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_on_a_phone_a_lists_filters_fold_behind_a_button(browser: Any, hub_url: str, lang: str) -> None:
    name = {"nl": "Filter de pilots", "en": "Filter the pilots"}[lang]
    with screen_of(browser, hub_url, PHONE) as page:
        page.goto(f"/{lang}/pilots?status=running&q=")
        button = page.get_by_role("button", name=f"{name} (1)")  # one filter in use
        form = page.locator("form.filters")
        assert button.is_visible() and not form.is_visible()
        assert button.get_attribute("aria-expanded") == "false"
        # The results come first: their count is on the first screen.
        assert page.locator("#results-heading").bounding_box()["y"] < 844
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"filters-390-{lang}.png"))
        button.focus()
        page.keyboard.press("Enter")
        assert form.is_visible() and button.get_attribute("aria-expanded") == "true"
        assert page.locator("#status").input_value() == "running"
        page.screenshot(path=str(ARTIFACTS / f"filters-390-open-{lang}.png"))
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.set_viewport_size({"width": 1366, "height": 768})  # wider: the filters stand open
        button.wait_for(state="hidden")  # the media query's change event comes after the resize
        assert form.is_visible() and not button.is_visible()
        page.screenshot(path=str(ARTIFACTS / f"filters-1366-{lang}.png"))
        page.goto(f"/{lang}/news")  # one search field: nothing to fold
        assert page.locator("form.filters").is_visible()
        assert page.locator(".filters-button").count() == 0
