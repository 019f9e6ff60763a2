"""Community life in a real browser: a visitor asks to join, the coordinator accepts, plans a
meeting, and visitors register until it is full. The hub runs as its embedded default, so its
mail lands in the maildir of its data directory, where the test reads it."""

from __future__ import annotations

import mailbox
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.browser.conftest import axe_violations, log_in


def mail_to(hub_directory: Path, address: str) -> list[EmailMessage]:
    box = mailbox.Maildir(hub_directory / "var" / "maildir", create=False)
    found = []
    for key in box.iterkeys():
        message = message_from_bytes(box.get_bytes(key), policy=policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found


def open_an_active_gdca_community(page: Any) -> int:
    page.goto("/nl/communities")
    page.locator("main li", has_text="GDCA · Actief").first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/nl/communities/\d+$"))
    return int(str(page.url).rsplit("/", 1)[1])


def test_join_request_approval_and_meeting_registration(
    browser: Any, hub_url: str, hub_directory: Path, page: Any
) -> None:
    visitor_context = browser.new_context(base_url=hub_url, locale="nl-BE", bypass_csp=True)
    visitor = visitor_context.new_page()
    try:
        community_id = open_an_active_gdca_community(visitor)
        visitor.get_by_role("link", name="Vraag om lid te worden van deze gemeenschap").click()
        visitor.get_by_label("Je naam").fill("Lotte Peeters")
        visitor.get_by_label("E-mailadres").fill("lotte at stad")
        visitor.get_by_label("Organisatie").fill("Stad Mechelen")
        visitor.get_by_role("button", name="Mijn aanvraag versturen").click()
        assert visitor.get_by_role("alert").is_visible()
        assert visitor.locator("#f-email").get_attribute("aria-invalid") == "true"
        assert visitor.locator("#f-organisation").input_value() == "Stad Mechelen"
        assert axe_violations(visitor) == []
        visitor.get_by_label("E-mailadres").fill("lotte@mechelen.example")
        visitor.get_by_role("button", name="Mijn aanvraag versturen").click()
        visitor.wait_for_url(re.compile(rf".*/nl/communities/{community_id}$"))
        assert (
            "Bedankt: je aanvraag ging naar de moderatoren"
            in visitor.get_by_role("status").first.inner_text()
        )

        # The coordinator of GDCA moderates its communities.
        log_in(page)
        page.get_by_role("link", name="Mijn gemeenschappen").click()
        assert "aanvraag om lid te worden wacht op jou" in page.locator("main").inner_text()
        page.goto(f"/nl/coordinator/communities/{community_id}")
        assert axe_violations(page) == []
        page.get_by_label("Een bericht voor Lotte Peeters").fill("Welkom in het netwerk!")
        page.get_by_role("button", name="Lotte Peeters aanvaarden").click()
        page.wait_for_load_state()
        assert "Beslissing bewaard; Lotte Peeters kreeg een e-mail." in page.locator("main").inner_text()
        assert "Stad Mechelen" in page.locator("#members-title + ul").inner_text()
        [decision] = mail_to(hub_directory, "lotte@mechelen.example")
        assert decision["Subject"].startswith("Je aanvraag om lid te worden van")
        assert "Welkom in het netwerk!" in decision.get_body(("plain",)).get_content()  # type: ignore[union-attr]

        # The coordinator plans a meeting with one place.
        page.get_by_role("link", name="Een bijeenkomst plannen").click()
        page.get_by_label("Datum").fill("2099-05-12")
        page.get_by_label("Begin").fill("10:00")
        page.get_by_label("Einde").fill("12:00")
        page.get_by_label("Plaats", exact=True).fill("Mechelen, stadhuis")
        page.get_by_label("Plaatsen").fill("1")
        page.locator("#f-title_nl").fill("Voorjaarsbijeenkomst 2099")
        page.get_by_role("button", name="Opslaan").click()
        page.wait_for_url(re.compile(r".*/meetings/\d+$"))
        assert "De bijeenkomst is gepland." in page.locator("main").inner_text()
        meeting_id = int(str(page.url).rsplit("/", 1)[1])
        assert axe_violations(page) == []

        # A visitor takes the one place; the next one finds the meeting full.
        visitor.goto(f"/nl/communities/{community_id}/meetings/{meeting_id}")
        assert "Voorjaarsbijeenkomst 2099" in visitor.locator("h1").inner_text()
        assert axe_violations(visitor) == []
        visitor.get_by_label("Je naam").fill("Lotte Peeters")
        visitor.get_by_label("E-mailadres").fill("lotte@mechelen.example")
        visitor.get_by_role("button", name="Inschrijven voor deze bijeenkomst").click()
        visitor.wait_for_load_state()
        assert "Je bent ingeschreven." in visitor.get_by_role("status").first.inner_text()
        [confirmation] = [
            m for m in mail_to(hub_directory, "lotte@mechelen.example") if "ingeschreven" in m["Subject"]
        ]
        assert [part.get_content_type() for part in confirmation.iter_attachments()] == ["text/calendar"]
        assert "volzet" in visitor.locator("main").inner_text()

        page.reload()
        assert "Lotte Peeters" in page.locator("#registrations-title + div").inner_text()
    finally:
        visitor_context.close()
