"""A call to join in a real browser: a visitor expresses interest in the demo's open GDCA call (a
refused form first, keeping what was typed), and the GDCA coordinator answers in the workspace. The
hub runs as its embedded default, so its mail lands in the maildir of its data directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import COORDINATOR, axe_violations, log_in
from tests.browser.test_communities import mail_to

VISITOR = "lotte@utrecht.example"


def test_a_visitor_expresses_interest_and_the_coordinator_answers(
    browser: Any, hub_url: str, hub_directory: Path, page: Any
) -> None:
    visitor_context = browser.new_context(base_url=hub_url, locale="en-GB", bypass_csp=True)
    visitor = visitor_context.new_page()
    try:
        visitor.goto("/en/calls")
        visitor.locator("#open-title + ul a").first.click()
        visitor.wait_for_url(re.compile(r".*/en/calls/\d+$"))
        call_id = int(str(visitor.url).rsplit("/", 1)[1])
        title = visitor.locator("h1").inner_text()
        assert "GDCA" in visitor.locator(".facts").inner_text()

        visitor.locator("#f-name").fill("Lotte Peeters")
        visitor.locator("#f-email").fill("lotte at utrecht")
        visitor.locator("#f-organisation").fill("Gemeente Utrecht")
        visitor.locator("#f-role").select_option("procurer")
        visitor.locator("#f-product_group").select_option("textiles")
        visitor.locator("#f-message").fill("We buy workwear for 3,000 staff.")
        visitor.get_by_role("button", name="Send my interest").click()
        assert visitor.get_by_role("alert").is_visible()
        assert visitor.locator("#f-email").get_attribute("aria-invalid") == "true"
        assert visitor.locator("#f-organisation").input_value() == "Gemeente Utrecht"
        assert visitor.locator("#f-role").input_value() == "procurer"
        assert visitor.locator("#f-message").input_value() == "We buy workwear for 3,000 staff."
        assert axe_violations(visitor) == []
        visitor.locator("#f-email").fill(VISITOR)
        visitor.get_by_role("button", name="Send my interest").click()
        visitor.wait_for_url(re.compile(rf".*/en/calls/{call_id}$"))
        assert "the coordinators have your interest" in visitor.get_by_role("status").first.inner_text()
        [waiting] = [m for m in mail_to(hub_directory, COORDINATOR) if "Lotte Peeters" in m["Subject"]]
        assert f"/coordinator/calls/{call_id}" in waiting.get_body(("plain",)).get_content()  # type: ignore[union-attr]

        # The coordinator of GDCA answers in the workspace.
        log_in(page)
        page.goto("/en/coordinator/calls")
        row = page.locator("tr", has=page.locator(f'a[href="/en/coordinator/calls/{call_id}"]'))
        assert row.locator("td.num").inner_text() == "1"
        row.locator("a").first.click()
        page.wait_for_url(f"**/en/coordinator/calls/{call_id}")
        assert "Gemeente Utrecht" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        page.get_by_label("Your answer to Lotte Peeters").fill("Welcome: we will call you next week.")
        page.get_by_role("button", name="Accept Lotte Peeters").click()
        page.wait_for_load_state()
        assert "Lotte Peeters was told by e-mail" in page.locator("main").inner_text()
        [answer] = mail_to(hub_directory, VISITOR)
        assert answer["Subject"] == f"Your interest in {title}"
        body = answer.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        # The address is not confirmed: the mail carries the coordinator's note, nothing the visitor typed.
        assert body.startswith("Hello,") and "Welcome: we will call you next week." in body
        assert "Lotte Peeters" not in body
        assert f"/en/calls/{call_id}" in body
    finally:
        visitor_context.close()
