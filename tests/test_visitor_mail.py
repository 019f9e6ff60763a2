"""Mail to an address a visitor typed carries nothing else they typed: whoever fills in a public
form may give someone else's address, so the hub must not send their words there (the address is
not confirmed). Each public form is posted with a marker in every free-text field; the mails to the
visitor's address (at once, or after a coordinator's decision), read from a real SMTP server, hold
no marker: not in the subject, the text, the HTML or an attachment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
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


@dataclasses.dataclass(frozen=True)
class Posted:
    """Where a public form is posted, its other fields (per address), the page its CSRF token is
    read from, and (for a request a coordinator decides on) the record it wrote and where the
    decision is posted."""

    path: str
    fields: Callable[[str], dict[str, str]] = lambda address: {}
    form_page: str = ""
    model: type[CallInterest | JoinRequest | CommunityProposal] | None = None
    decided_at: Callable[[Any], str] = lambda record: ""


# Sets up what a public form is about (a meeting, an event, a call, a community ...).
Prepare = Callable[[Session, Network], Posted]


def _meeting_registration(session: Session, network: Network) -> Posted:
    community = factories.community(session, network.gdca)
    meeting = factories.meeting(
        session, community, mode=MeetingMode.HYBRID, online_url="https://meet.example/x", location="Gent"
    )
    path = f"/en/communities/{community.id}"
    return Posted(f"{path}/meetings/{meeting.id}/register", form_page=f"{path}/join")


def _event_registration(session: Session, network: Network) -> Posted:
    factories.product_group(session, "ict")
    event = factories.event(session, network.gdca)
    return Posted(f"/en/events/{event.id}", lambda address: {"side": "supplier", "product_group": "ict"})


def _interest_in_a_call(session: Session, network: Network) -> Posted:
    call = factories.call(session, network.gdca)
    return Posted(
        f"/en/calls/{call.id}",
        lambda address: {"role": "procurer"},
        model=CallInterest,
        decided_at=lambda interest: f"/en/coordinator/calls/{call.id}/interests/{interest.id}",
    )


def _request_to_join(session: Session, network: Network) -> Posted:
    community = factories.community(session, network.gdca)
    return Posted(
        f"/en/communities/{community.id}/join",
        model=JoinRequest,
        decided_at=lambda asked: f"/en/coordinator/communities/{community.id}/requests/{asked.id}",
    )


def _community_proposal(session: Session, network: Network) -> Posted:
    factories.product_group(session, "textiles")
    factories.product_group(session, "food")
    groups = {VISITOR: "textiles", OTHER: "food"}  # one proposal per product group and address
    return Posted(
        "/en/communities/propose",
        lambda address: {"programme": "gdca", "product_group": groups[address]},
        model=CommunityProposal,
        decided_at=lambda proposal: f"/en/coordinator/proposals/{proposal.id}",
    )


SENT_AT_ONCE = {
    "a meeting registration": (_meeting_registration, ("name", "organisation")),
    "an event registration": (_event_registration, ("organisation", "name", "offer")),
}
DECIDED = {
    "an interest in a call": (_interest_in_a_call, ("name", "organisation", "message")),
    "a request to join": (_request_to_join, ("name", "organisation", "message")),
    "a community proposal": (_community_proposal, ("title", "description", "name", "organisation")),
}


def _post(
    client: TestClient,
    session: Session,
    network: Network,
    prepare: Prepare,
    markers: dict[str, str],
    *to: str,
) -> Posted:
    """Sets up what the form is about and posts it once per address in ``to``, with ``markers``."""
    posted = prepare(session, network)
    session.commit()
    for address in to:
        fields = {**markers, **posted.fields(address), "email": address}
        send(client, posted.path, fields, form_page=posted.form_page)
    return posted


@pytest.mark.parametrize(("prepare", "free_text"), SENT_AT_ONCE.values(), ids=SENT_AT_ONCE)
def test_a_confirmation_sent_at_once(
    mail_client: TestClient,
    inbox: tuple[Inbox, int],
    session: Session,
    network: Network,
    prepare: Prepare,
    free_text: tuple[str, ...],
) -> None:
    markers = typed(*free_text)
    _post(mail_client, session, network, prepare, markers, VISITOR)
    assert_none_of(markers, inbox[0].to(VISITOR))


@pytest.mark.parametrize(("prepare", "free_text"), DECIDED.values(), ids=DECIDED)
def test_a_request_accepted_or_declined(
    mail_client: TestClient,
    inbox: tuple[Inbox, int],
    session: Session,
    network: Network,
    prepare: Prepare,
    free_text: tuple[str, ...],
) -> None:
    markers = typed(*free_text)
    posted = _post(mail_client, session, network, prepare, markers, VISITOR, OTHER)
    model = posted.model
    assert model is not None
    log_in(mail_client, network.coordinator)
    for address, decision in ((VISITOR, "accept"), (OTHER, "decline")):
        asked = session.scalars(select(model).where(model.email == address)).one()
        decide(mail_client, posted.decided_at(asked), decision)
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
