"""The newsletter in a real browser: subscribe (a mistake first), confirm from the e-mail, change
preferences. The hub is the embedded default, so the confirmation lands in its maildir."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import axe_violations
from tests.browser.test_communities import mail_to

ADDRESS = "lezer@gent.example"


def test_subscribe_confirm_and_change_preferences(page: Any, hub_directory: Path) -> None:
    page.goto("/nl/newsletter")
    assert axe_violations(page) == []
    page.get_by_label("E-mailadres").fill(ADDRESS)
    page.get_by_label("Nederlands", exact=True).check()
    page.get_by_label("Voeding", exact=True).check()
    page.get_by_role("button", name="Inschrijven").click()  # without agreeing first
    assert page.get_by_role("alert").is_visible()
    assert (
        page.locator("#f-email").input_value() == ADDRESS
        and page.get_by_label("Voeding", exact=True).is_checked()
    )
    assert axe_violations(page) == []
    page.get_by_label(re.compile("Ik wil de nieuwsbrief")).check()
    page.get_by_role("button", name="Inschrijven").click()
    page.wait_for_url("**/nl/newsletter")
    assert "Kijk in je mailbox" in page.get_by_role("status").inner_text()

    [confirmation] = mail_to(hub_directory, ADDRESS)
    assert confirmation["Subject"] == "Bevestig je inschrijving op de nieuwsbrief"
    text = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"https?://[^/\s]+(/nl/newsletter/confirm/\S+)", text)
    assert link, text
    page.goto(link.group(1))  # the path: the hub's HUB_BASE_URL is not this test server's port
    assert axe_violations(page) == []
    page.get_by_role("button", name="Mijn inschrijving bevestigen").click()
    page.wait_for_url(re.compile(r".*/nl/newsletter/preferences/.+"))
    assert "Je inschrijving is bevestigd" in page.get_by_role("status").inner_text()
    assert page.get_by_label("Voeding", exact=True).is_checked()
    assert axe_violations(page) == []

    page.get_by_label("Engels", exact=True).check()
    page.get_by_label("Bouw", exact=True).check()
    page.get_by_role("button", name="Mijn keuzes bewaren").click()
    page.wait_for_load_state()
    assert "Je keuzes zijn bewaard." in page.get_by_role("status").inner_text()
    assert (
        page.get_by_label("Bouw", exact=True).is_checked()
        and page.get_by_label("Engels", exact=True).is_checked()
    )
    welcome = [m for m in mail_to(hub_directory, ADDRESS) if m["Subject"] == "Welkom bij de nieuwsbrief"]
    assert len(welcome) == 1
