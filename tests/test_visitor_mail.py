"""Mail to an address a visitor typed carries nothing else they typed: whoever fills in a public
form may give someone else's address, so the hub must not send their words there (the address is
not confirmed). Each public form is posted with a marker in every free-text field; the mails to the
visitor's address (at once, or after a coordinator's decision), read from a real SMTP server, hold
no marker: not in the subject, the text, the HTML or an attachment.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.calls.models import CallInterest
from hub.communities.models import CommunityProposal, JoinRequest, MeetingMode
from tests import factories
from tests.accounts.conftest import csrf_of, log_in
from tests.coordinators import Network, post
from tests.mail import Inbox

VISITOR = "victim@example.org"
OTHER = "other-victim@example.org"


def typed(*fields: str) -> dict[str, str]:
    """A marker for each free-text field: words no mail of the hub has otherwise."""
    return {field: f"Vq{field.title()}Marker" for field in fields}


def everything(message: EmailMessage) -> str:
    """The subject and every part (text, HTML, attachments), lines unfolded."""
    texts = [str(message["Subject"])]
    for part in message.walk():
        if part.is_multipart():
            continue
        content = part.get_content()  # type: ignore[attr-defined]
        texts.append(content.decode() if isinstance(content, bytes) else str(content))
    return "\n".join(texts).replace("\r\n ", "").replace("\n ", "")


def assert_none_of(markers: dict[str, str], messages: list[EmailMessage]) -> None:
    assert messages, "a mail went to the visitor's address"
    for message in messages:
        body = everything(message)
        assert [field for field, marker in markers.items() if marker in body] == []


def send(client: TestClient, path: str, data: dict[str, str], form_page: str = "") -> Any:
    answer = client.post(
        path, data={**data, "csrf_token": csrf_of(client, form_page or path)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return answer


def decide(client: TestClient, path: str, decision: str) -> None:
    answer = post(
        client, path, {"decision": decision, "note": "From the coordinator."}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def test_a_meeting_registration(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    community = factories.community(session, network.gdca)
    meeting = factories.meeting(
        session, community, mode=MeetingMode.HYBRID, online_url="https://meet.example/x", location="Gent"
    )
    session.commit()
    markers = typed("name", "organisation")
    path = f"/en/communities/{community.id}/meetings/{meeting.id}"
    send(
        mail_client,
        f"{path}/register",
        {**markers, "email": VISITOR},
        form_page=f"{path}".rsplit("/meetings")[0] + "/join",
    )
    assert_none_of(markers, inbox[0].to(VISITOR))


def test_an_event_registration(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    factories.product_group(session, "ict")
    event = factories.event(session, network.gdca)
    session.commit()
    markers = typed("organisation", "name", "offer")
    fields = {**markers, "side": "supplier", "email": VISITOR, "product_group": "ict"}
    send(mail_client, f"/en/events/{event.id}", fields)
    assert_none_of(markers, inbox[0].to(VISITOR))


def test_an_interest_in_a_call_accepted_or_declined(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    call = factories.call(session, network.gdca)
    session.commit()
    markers = typed("name", "organisation", "message")
    for address in (VISITOR, OTHER):
        send(mail_client, f"/en/calls/{call.id}", {**markers, "email": address, "role": "procurer"})
    log_in(mail_client, network.coordinator)
    for address, decision in ((VISITOR, "accept"), (OTHER, "decline")):
        interest = session.scalars(select(CallInterest).where(CallInterest.email == address)).one()
        decide(mail_client, f"/en/coordinator/calls/{call.id}/interests/{interest.id}", decision)
        assert_none_of(markers, inbox[0].to(address))


def test_a_request_to_join_accepted_or_declined(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    community = factories.community(session, network.gdca)
    session.commit()
    markers = typed("name", "organisation", "message")
    path = f"/en/communities/{community.id}/join"
    for address in (VISITOR, OTHER):
        send(mail_client, path, {**markers, "email": address})
    log_in(mail_client, network.coordinator)
    for address, decision in ((VISITOR, "accept"), (OTHER, "decline")):
        asked = session.scalars(select(JoinRequest).where(JoinRequest.email == address)).one()
        decide(mail_client, f"/en/coordinator/communities/{community.id}/requests/{asked.id}", decision)
        assert_none_of(markers, inbox[0].to(address))


def test_a_community_proposal_accepted_or_declined(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    factories.product_group(session, "textiles")
    factories.product_group(session, "food")
    session.commit()
    markers = typed("title", "description", "name", "organisation")
    for address, group in ((VISITOR, "textiles"), (OTHER, "food")):
        fields = {**markers, "email": address, "programme": "gdca", "product_group": group}
        send(mail_client, "/en/communities/propose", fields)
    log_in(mail_client, network.coordinator)
    for address, decision in ((VISITOR, "accept"), (OTHER, "decline")):
        proposal = session.scalars(select(CommunityProposal).where(CommunityProposal.email == address)).one()
        decide(mail_client, f"/en/coordinator/proposals/{proposal.id}", decision)
        assert_none_of(markers, inbox[0].to(address))


def test_the_mails_still_say_what_they_are_about(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    """Without the visitor's words, a confirmation still names the event and links to it."""
    event = factories.event(
        session,
        network.gdca,
        title_en="Buyers meet suppliers",
        starts_at=dt.datetime(2099, 5, 4, 8, tzinfo=dt.UTC),
    )
    session.commit()
    fields = {"side": "buyer", "organisation": "Stad Gent", "name": "An", "email": VISITOR, "offer": ""}
    send(mail_client, f"/en/events/{event.id}", fields)
    [message] = inbox[0].to(VISITOR)
    body = everything(message)
    assert "Buyers meet suppliers" in message["Subject"] and "as a buyer" in body
    assert f"http://testserver/en/events/{event.id}" in body
