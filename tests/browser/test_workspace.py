"""A coordinator at work in a real browser: editing a pilot in both languages, a validation error,
the dashboard, and the accessibility of the workspace pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, log_in


def open_first_pilot(page: Any) -> str:
    """Open the edit page of the first pilot in the coordinator's list; returns its edit URL."""
    page.goto("/nl/coordinator/pilots")
    page.locator("main a[href*='/coordinator/pilots/']").filter(has_not_text="Nieuwe").first.click()
    page.wait_for_url(re.compile(r".*/nl/coordinator/pilots/\d+$"))
    return str(page.url)


def test_editing_a_pilot_in_both_languages(page: Any) -> None:
    log_in(page)
    edit_url = open_first_pilot(page)
    page.locator("#f-title_nl").fill("Hergebruikte bureaustoelen voor het stadhuis")
    page.locator("#f-title_en").fill("Reused office chairs for the town hall")
    page.locator("#f-summary_en").fill("The town hall furnished two floors with refurbished chairs.")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert page.locator("#f-title_en").input_value() == "Reused office chairs for the town hall"
    pilot_id = edit_url.rstrip("/").rsplit("/", 1)[1]
    page.goto(f"/en/pilots/{pilot_id}")
    assert page.locator("h1").inner_text().startswith("Reused office chairs for the town hall")
    page.goto(f"/nl/pilots/{pilot_id}")
    assert page.locator("h1").inner_text().startswith("Hergebruikte bureaustoelen voor het stadhuis")


def test_a_validation_error_keeps_what_was_typed(page: Any) -> None:
    log_in(page)
    open_first_pilot(page)
    page.locator("#f-contract_value").fill("veel geld")
    page.locator("#f-title_en").fill("Typed but not saved")
    page.get_by_role("button", name="Opslaan").click()
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    assert page.locator("#f-contract_value").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-contract_value").input_value() == "veel geld"
    assert page.locator("#f-title_en").input_value() == "Typed but not saved"
    assert axe_violations(page) == []


def test_dashboard_shows_charts(page: Any) -> None:
    log_in(page)
    charts = page.locator("svg[role='img']")
    assert charts.count() >= 3
    assert page.get_by_role("link", name=re.compile("CSV")).count() >= 3
    assert axe_violations(page) == []


WORKSPACE_PAGES = [
    "/nl/coordinator/pilots",
    "/nl/coordinator/translations",
    "/en/coordinator/organisations",
    "/nl/coordinator/audit",
    "/nl/coordinator/sources",
    "/en/coordinator/sources/new",
    "/nl/coordinator/calls",
    "/en/coordinator/calls/new",
    "/nl/coordinator/calls/2/edit",  # the demo's open GDCA call
    "/nl/coordinator/participants",
    "/nl/coordinator/entries",
    "/nl/coordinator/entries/1",  # the demo's change of a pilot's progress, waiting for review
    "/nl/coordinator/events",
    "/en/coordinator/events/new",
    "/nl/coordinator/programmes/gdca/sdgs",
]


def test_workspace_pages_have_no_serious_accessibility_violations(page: Any) -> None:
    # One login for all pages: logins are rate-limited (10 a minute per address) and the hub
    # process is shared by the whole browser suite.
    log_in(page)
    for path in WORKSPACE_PAGES:
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_form_with_errors_puts_the_focus_on_their_summary(page: Any, lang: str) -> None:
    log_in(page)
    page.goto(f"/{lang}/coordinator/sources/new")
    page.get_by_role("button", name="Opslaan" if lang == "nl" else "Save", exact=True).click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.keyboard.press("Tab")  # the next stop is the summary's first link, to the first wrong field
    assert page.evaluate("document.activeElement.closest('.error-summary') !== null")
    assert axe_violations(page) == []
