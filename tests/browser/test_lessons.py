"""Lessons reused in a real browser: the GDCA coordinator opens a ProCirc pilot, gets Flemish
lessons suggested with the reasons, confirms one with one click and turns another down; the
pilot's public page then shows the lesson as used, and the lesson's page the pilot."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import axe_violations, log_in


def test_a_coordinator_confirms_a_suggested_lesson_for_a_procirc_pilot(page: Any) -> None:
    log_in(page)
    page.goto("/en/pilots?programme=procirc&product_group=furniture")
    page.locator("main article h2 a, main li h2 a, main h3 a").first.click()
    page.wait_for_url(re.compile(r".*/en/pilots/\d+$"))
    pilot_url = page.url
    pilot_title = page.get_by_role("heading", level=1).inner_text().strip()

    page.get_by_role("link", name="Find lessons for this pilot").click()
    page.wait_for_url(re.compile(r".*/en/coordinator/pilots/\d+/lessons$"))
    assert axe_violations(page) == []
    suggestions = page.locator("ol.suggestions > li")
    assert suggestions.count() >= 2
    first, second = suggestions.nth(0), suggestions.nth(1)
    chosen = first.get_by_role("heading", level=3).inner_text().strip()
    turned_down = second.get_by_role("heading", level=3).inner_text().strip()
    assert "Why:" in first.inner_text() and "same product group" in first.inner_text()

    first.get_by_label("How it bears on the pilot").select_option("reused_by")
    first.get_by_label("Note (optional)").fill("Its award criteria went into our tender.")
    first.get_by_role("button", name="Confirm the link").click()
    assert "Linked." in page.get_by_role("status").first.inner_text()
    linked = page.locator("section[aria-labelledby=linked-title]")
    assert chosen in linked.inner_text() and "Reused by" in linked.inner_text()

    page.locator("ol.suggestions > li", has_text=turned_down).get_by_role(
        "button", name="Not relevant"
    ).click()
    assert "Turned down" in page.get_by_role("status").first.inner_text()
    assert turned_down not in page.locator("section[aria-labelledby=suggested-title]").inner_text()

    # Published: the pilot's page shows the lesson as used, with the note; the lesson's page the pilot.
    page.goto(pilot_url)
    applying = page.locator("main").inner_text()
    assert chosen in applying and "Used by this pilot" in applying
    assert "Its award criteria went into our tender." in applying
    page.get_by_role("link", name=chosen).first.click()
    page.wait_for_url(re.compile(r".*/en/lessons/\d+$"))
    assert pilot_title in page.locator("main").inner_text()
    assert axe_violations(page) == []
