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
    # The page goes on in the language just chosen.
    page.wait_for_url(re.compile(r".*/en/newsletter/preferences/.+"))
    assert "Your choices are saved." in page.get_by_role("status").inner_text()
    assert (
        page.get_by_label("Construction", exact=True).is_checked()
        and page.get_by_label("English", exact=True).is_checked()
    )
    welcome = [m for m in mail_to(hub_directory, ADDRESS) if m["Subject"] == "Welkom bij de nieuwsbrief"]
    assert len(welcome) == 1


def test_a_group_of_lists_is_ticked_at_once(page: Any) -> None:
    page.goto("/en/newsletter")
    programmes = page.locator("fieldset.follow-group", has=page.locator("legend", has_text="Programmes"))
    boxes = programmes.locator("input[type=checkbox]")
    assert boxes.count() == 3 and not any(boxes.nth(i).is_checked() for i in range(3))
    programmes.get_by_role("button", name="Select all: Programmes").click()
    assert all(boxes.nth(i).is_checked() for i in range(3))
    programmes.get_by_role("button", name="Select none: Programmes").click()
    assert not any(boxes.nth(i).is_checked() for i in range(3))
    # Each programme's communities are a group of their own.
    assert page.locator("fieldset.follow-group legend", has_text="Communities of GDCA").count() == 1
    assert axe_violations(page) == []
