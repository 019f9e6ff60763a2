"""The public site and the login in a real browser, with an accessibility check by axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, log_in


@pytest.mark.parametrize(
    "path",
    [
        "/nl/",
        "/en/pilots",
        "/nl/pilots?programme=procirc",
        "/en/lessons",
        "/en/lessons/reuse",
        "/nl/lessons/1",
        "/en/library",
        "/nl/library/3",  # a demo webinar, linked from pilots and lessons
        "/en/programmes/gdca",
        "/nl/login",
        "/en/sources",
        "/nl/news",
        "/en/communities",
        "/nl/communities/1",
        "/nl/communities/1/join",
        "/en/communities/propose",
        "/nl/communities/1/meetings/1",
        "/en/product-groups",
        "/nl/product-groups/food",
        "/en/network",
        "/nl/newsletter",
        "/en/calls",
        "/nl/calls/2",  # the demo's open GDCA call, with its interest form
        "/en/events",
        "/nl/events/11",  # the demo's event to come, with its registration form and suppliers' offers
    ],
)
def test_public_pages_have_no_serious_accessibility_violations(page: Any, path: str) -> None:
    page.goto(path)
    assert axe_violations(page) == []


def test_pilot_search_and_detail(page: Any) -> None:
    page.goto("/en/pilots")
    page.get_by_label("Search").fill("furniture")
    page.get_by_role("button", name="Show pilots").click()
    page.wait_for_url("**/en/pilots?*q=furniture*")
    first = page.locator(".pilot-list h3 a").first
    title = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text().startswith(title)
    assert axe_violations(page) == []


def test_language_switch_keeps_the_page(page: Any) -> None:
    page.goto("/nl/pilots?programme=gdci")
    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_url("**/en/pilots?programme=gdci")
    assert page.locator("h1").inner_text() == "Pilots"


def test_login_lands_on_the_dashboard(page: Any) -> None:
    log_in(page)
    assert page.locator("h1").inner_text() == "Werkruimte"
    assert axe_violations(page) == []


def test_wrong_password_says_so_and_keeps_the_address(page: Any) -> None:
    page.goto("/nl/login")
    page.get_by_label("E-mailadres", exact=True).fill("coordinator@example.org")
    page.get_by_label("Wachtwoord").fill("not the password")
    page.get_by_role("button", name="Aanmelden").click()
    assert page.get_by_role("alert").inner_text() == "Verkeerd e-mailadres of wachtwoord."
    assert page.get_by_label("E-mailadres", exact=True).input_value() == "coordinator@example.org"


def test_keyboard_reaches_the_content_first(page: Any) -> None:
    page.goto("/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
