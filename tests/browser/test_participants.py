"""The participant journey in a real browser: the GDCA coordinator invites a procurer's person, who
accepts the e-mailed link (no password), logs a pilot's progress (a refused value first, kept as
typed), cannot reach another organisation by changing the URL, and the coordinator publishes it.
The hub runs as its embedded default, so the invitation lands in its data directory's maildir."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import axe_violations, log_in
from tests.browser.test_communities import mail_to

PARTICIPANT = "an.peeters@stad.example"


def test_invitation_sign_in_progress_and_review(
    browser: Any, hub_url: str, hub_directory: Path, page: Any
) -> None:
    # The coordinator sees what the demo's procurers logged, and invites a person of one of them.
    log_in(page)
    page.goto("/en/coordinator/entries")
    row = page.locator("main tbody tr").first
    organisation = row.locator("td").nth(2).inner_text().split("\n")[0].strip()
    assert organisation
    page.goto("/en/coordinator/participants")
    assert axe_violations(page) == []
    page.get_by_label("Programme").select_option(label="GDCA")
    page.get_by_label("Organisation").fill(organisation)  # typed, as the picker offers it
    page.get_by_label("E-mail address").fill(PARTICIPANT)
    page.get_by_label("Name", exact=True).fill("An Peeters")
    page.get_by_label("Language of the e-mail").select_option("en")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url("**/en/coordinator/participants")
    assert f"Invitation sent to {PARTICIPANT}" in page.get_by_role("status").first.inner_text()
    [invitation] = mail_to(hub_directory, PARTICIPANT)
    body = invitation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"https?://\S+?(/en/invitations/\S+)", body)  # the hub's HUB_BASE_URL, then the path
    assert link, body

    context = browser.new_context(base_url=hub_url, locale="en-GB", bypass_csp=True)
    participant = context.new_page()
    try:
        participant.goto(link.group(1))
        assert organisation in participant.locator("main").inner_text()
        assert axe_violations(participant) == []
        participant.get_by_role("button", name="Accept and sign in").click()
        participant.wait_for_url("**/en/participant/")
        assert organisation in participant.locator("h2").first.inner_text()
        assert axe_violations(participant) == []

        participant.get_by_role("link", name=re.compile("^Log progress and results")).first.click()
        participant.wait_for_url(re.compile(r".*/en/participant/(entries/\d+|\d+/\d+/pilot/\d+)$"))
        progress = participant.get_by_label("Progress in percent")
        progress.fill("120")
        participant.locator("#f-milestone_5_title").fill("Report to the council")
        participant.get_by_role("button", name="Send for review").click()
        assert participant.get_by_role("alert").is_visible()
        assert "“120” is not" in participant.locator(".error-summary").inner_text()
        assert progress.get_attribute("aria-invalid") == "true"
        assert progress.input_value() == "120"  # what was typed is kept
        assert participant.locator("#f-milestone_5_title").input_value() == "Report to the council"
        assert axe_violations(participant) == []
        progress.fill("95")
        participant.get_by_role("button", name="Send for review").click()
        participant.wait_for_url(re.compile(r".*/en/participant/entries/\d+$"))
        assert "Sent for review" in participant.get_by_role("status").first.inner_text()

        # Another organisation, by changing the id in the URL: refused.
        participant.goto("/en/participant/")
        home = participant.locator("a", has_text="Log a new pilot").first.get_attribute("href")
        assert home is not None
        programme_id, organisation_id = (int(n) for n in home.split("/")[3:5])
        response = participant.goto(f"/en/participant/{programme_id}/{organisation_id + 1}/pilot/new")
        assert response is not None and response.status == 403
        response = participant.goto("/en/coordinator/entries")
        assert response is not None and participant.url.endswith("/en/participant/")
    finally:
        context.close()

    # The coordinator reviews the change and publishes it.
    page.goto("/en/coordinator/entries")
    page.locator("main tbody tr", has_text=organisation).first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/en/coordinator/entries/\d+$"))
    review = page.locator("main").inner_text()
    assert "95" in review and "Report to the council" in review and "Published now" in review
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert "Published." in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="View the public page").click()
    page.wait_for_url(re.compile(r".*/en/pilots/\d+$"))
    public = page.locator("main").inner_text()
    assert "95% done" in public and "Report to the council" in public
