"""Calls to join in the workspace: a coordinator opens, changes and closes the calls of their own
programmes and answers the visitors who are interested; the answer reaches the visitor by e-mail
(a real SMTP server) in the language they wrote in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.app import create_app
from hub.calls.models import Call, CallInterest, CallRole
from hub.communities.models import RequestStatus
from hub.db import utcnow
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post
from tests.mail import Inbox, html_of, smtp_settings, text_of
from tests.servers import free_port


def call_form(network: Network, **fields: str) -> dict[str, Any]:
    return {
        "programme_id": str(network.gdca.id),
        "pilot": "",
        "source_language": "nl",
        "title_nl": "Aankopers gezocht voor circulair textiel",
        "title_en": "",
        "body_nl": "Sluit aan bij onze pilot.",
        "body_en": "",
        "closes_on": "2099-03-31",
        **fields,
    }


def audit_actions(session: Session, entity: str) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).all()
    )


def test_a_coordinator_opens_changes_and_closes_a_call(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    pilot = factories.pilot(session, network.gdca, title_en="Circular workwear")
    session.commit()
    assert 'href="/en/coordinator/calls"' in coordinator.get("/en/coordinator/").text  # in the nav
    listing = coordinator.get("/en/coordinator/calls")
    assert listing.status_code == 200 and "Your programmes have no calls yet." in listing.text
    form_page = coordinator.get("/en/coordinator/calls/new")
    assert form_page.status_code == 200 and 'name="title_nl"' in form_page.text

    created = post(
        coordinator,
        "/en/coordinator/calls/new",
        call_form(network, pilot=str(pilot.id)),
        follow_redirects=False,
    )
    assert created.status_code == 303
    call = session.scalars(select(Call)).one()
    assert created.headers["location"] == f"/en/coordinator/calls/{call.id}"
    assert (call.programme_id, call.pilot_id, call.closes_on) == (
        network.gdca.id,
        pilot.id,
        dt.date(2099, 3, 31),
    )
    assert call.created_by_id is not None and call.source_language == "nl"
    assert "The call was opened" in coordinator.get(created.headers["location"]).text
    assert "This pilot is open for new participants." in coordinator.get(f"/en/pilots/{pilot.id}").text

    edit = coordinator.get(f"/en/coordinator/calls/{call.id}/edit")
    assert edit.status_code == 200 and f'value="{pilot.id}"' in edit.text
    changed = post(
        coordinator,
        f"/en/coordinator/calls/{call.id}/edit",
        call_form(network, title_en="Procurers wanted for circular textiles", closes_on=""),
        follow_redirects=False,
    )
    assert changed.status_code == 303
    session.refresh(call)
    assert (call.title_en, call.pilot_id, call.closes_on) == (
        "Procurers wanted for circular textiles",
        None,
        None,
    )

    closed = post(coordinator, f"/en/coordinator/calls/{call.id}/close", {}, follow_redirects=False)
    assert closed.status_code == 303
    session.refresh(call)
    assert call.closed_at is not None
    assert "and takes no more expressions of interest" in coordinator.get(f"/en/calls/{call.id}").text
    assert "Closed" in coordinator.get("/en/coordinator/calls").text
    assert audit_actions(session, "calls") == ["create", "update", "close"]


def test_the_call_form_refuses_a_pilot_of_another_programme_and_a_past_closing_day(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    theirs = factories.pilot(session, network.procirc, title_en="ProCirc pilot")
    withdrawn = factories.pilot(session, network.gdca, withdrawn_at=utcnow())
    session.commit()
    path = "/en/coordinator/calls/new"
    other_programme = post(coordinator, path, call_form(network, pilot=str(theirs.id)))
    assert other_programme.status_code == 400
    assert f"Pilot {theirs.id} belongs to ProCirc, not to the programme of this call." in other_programme.text
    assert 'value="Aankopers gezocht voor circulair textiel"' in other_programme.text  # kept
    unknown = post(coordinator, path, call_form(network, pilot="999999"))
    assert unknown.status_code == 400 and "There is no pilot with number 999999." in unknown.text
    gone = post(coordinator, path, call_form(network, pilot=str(withdrawn.id)))
    assert gone.status_code == 400 and "was withdrawn" in gone.text
    not_a_number = post(coordinator, path, call_form(network, pilot="twelve"))
    assert not_a_number.status_code == 400 and "Enter a whole number" in not_a_number.text
    past = post(coordinator, path, call_form(network, closes_on="2020-01-01"))
    assert past.status_code == 400 and "The closing day cannot be in the past." in past.text
    untitled = post(coordinator, path, call_form(network, title_nl="", body_nl=""))
    assert untitled.status_code == 400 and "Enter the title in the source language." in untitled.text
    assert "Write the text of the call in the source language." in untitled.text
    not_mine = post(coordinator, path, call_form(network, programme_id=str(network.procirc.id)))
    assert not_mine.status_code == 400 and "Choose one of the options offered." in not_mine.text
    assert session.scalars(select(Call)).all() == []


def test_a_closing_day_that_passed_may_stay_when_the_call_is_edited(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    call = factories.call(session, network.gdca, closes_on=dt.date(2021, 6, 30), source_language="nl")
    session.commit()
    kept = post(
        coordinator,
        f"/en/coordinator/calls/{call.id}/edit",
        call_form(network, closes_on="2021-06-30"),
        follow_redirects=False,
    )
    assert kept.status_code == 303
    moved = post(
        coordinator, f"/en/coordinator/calls/{call.id}/edit", call_form(network, closes_on="2021-07-01")
    )
    assert moved.status_code == 400 and "cannot be in the past" in moved.text


def test_coordinators_work_on_their_own_programmes_calls_only(
    client: TestClient, session: Session, network: Network
) -> None:
    theirs = factories.call(session, network.procirc, title_en="ProCirc call")
    mine = factories.call(session, network.gdca, title_en="GDCA call")
    pending = CallInterest(call_id=theirs.id, name="X", email="x@example.org", role=CallRole.EXPERT)
    session.add(pending)
    session.commit()
    path = f"/en/coordinator/calls/{theirs.id}"
    assert client.get(path, follow_redirects=False).status_code == 303  # to the login page
    log_in(client, network.coordinator)
    listing = client.get("/en/coordinator/calls").text
    assert "GDCA call" in listing and "ProCirc call" not in listing
    assert client.get(path).status_code == 403
    assert client.get(f"{path}/edit").status_code == 403
    assert post(client, f"{path}/edit", call_form(network)).status_code == 403
    assert post(client, f"{path}/close", {}).status_code == 403
    assert post(client, f"{path}/interests/{pending.id}", {"decision": "accept"}).status_code == 403
    assert client.get(f"/en/coordinator/calls/{mine.id}").status_code == 200
    assert client.get("/en/coordinator/calls/999999").status_code == 404
    session.refresh(theirs)
    assert theirs.closed_at is None and pending.status is RequestStatus.PENDING

    log_in(client, network.admin)
    listing = client.get("/en/coordinator/calls").text
    assert "GDCA call" in listing and "ProCirc call" in listing
    assert client.get(path).status_code == 200


def test_forms_without_their_token_are_refused(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    call = factories.call(session, network.gdca)
    pending = CallInterest(call_id=call.id, name="X", email="x@example.org", role=CallRole.EXPERT)
    session.add(pending)
    session.commit()
    assert coordinator.post("/en/coordinator/calls/new", data=call_form(network)).status_code == 403
    assert coordinator.post(f"/en/coordinator/calls/{call.id}/close").status_code == 403
    answer = coordinator.post(
        f"/en/coordinator/calls/{call.id}/interests/{pending.id}", data={"decision": "accept"}
    )
    assert answer.status_code == 403
    session.refresh(call)
    assert call.closed_at is None and session.scalars(select(Call)).all() == [call]


def interests(session: Session, call: Call) -> tuple[CallInterest, CallInterest]:
    textiles = factories.product_group(session, "textiles")
    dutch = CallInterest(
        call_id=call.id,
        name="Lotte",
        email="lotte@example.nl",
        organisation_name="Gemeente Utrecht",
        role=CallRole.PROCURER,
        product_group_id=textiles.id,
        message="Wij kopen <b>werkkleding</b>",
        language="nl",
    )
    english = CallInterest(
        call_id=call.id,
        name="Sam",
        email="sam@example.co.uk",
        organisation_name="Kent County Council",
        role=CallRole.SUPPLIER,
        language="en",
    )
    session.add_all([dutch, english])
    session.commit()
    return dutch, english


def test_answering_tells_each_visitor_by_e_mail_in_their_language(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    call = factories.call(
        session, network.gdca, title_nl="Doe mee met textiel", title_en="Join textiles", source_language="nl"
    )
    dutch, english = interests(session, call)
    log_in(mail_client, network.coordinator)
    listing = mail_client.get("/en/coordinator/calls").text
    assert "<strong>2</strong>" in listing  # two interests wait for an answer
    dashboard = mail_client.get("/en/coordinator/").text
    assert "2 expressions of interest in calls to join wait for your answer" in dashboard
    page = mail_client.get(f"/en/coordinator/calls/{call.id}")
    assert page.status_code == 200
    assert "Wij kopen &lt;b&gt;werkkleding&lt;/b&gt;" in page.text and "Gemeente Utrecht" in page.text
    assert "Procuring organisation" in page.text and "Supplier" in page.text

    path = f"/en/coordinator/calls/{call.id}/interests"
    accepted = post(
        mail_client,
        f"{path}/{dutch.id}",
        {"decision": "accept", "note": "Welkom in de pilot!"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/en/coordinator/calls/{call.id}"
    assert "Lotte was told by e-mail" in mail_client.get(accepted.headers["location"]).text
    session.refresh(dutch)
    assert dutch.status is RequestStatus.ACCEPTED and dutch.decision_note == "Welkom in de pilot!"
    assert dutch.decided_at is not None and dutch.notified_at is not None and dutch.decided_by_id is not None
    [to_lotte] = inbox[0].to("lotte@example.nl")
    assert "Doe mee met textiel" in to_lotte["Subject"]
    text = text_of(to_lotte)
    assert text.startswith("Hallo,")  # Dutch, as she wrote in Dutch; her name is not repeated
    assert "Welkom in de pilot!" in text and f"http://testserver/nl/calls/{call.id}" in text
    assert '<div lang="nl">' in html_of(to_lotte)

    declined = post(mail_client, f"{path}/{english.id}", {"decision": "decline", "note": "Maybe next year."})
    assert declined.status_code == 200
    [to_sam] = inbox[0].to("sam@example.co.uk")
    assert to_sam["Subject"] == "Your interest in Join textiles"
    assert text_of(to_sam).startswith("Hello,") and "cannot include your organisation" in text_of(to_sam)
    assert f"http://testserver/en/calls/{call.id}" in text_of(to_sam)
    session.refresh(english)
    assert english.status is RequestStatus.DECLINED

    again = post(mail_client, f"{path}/{dutch.id}", {"decision": "decline"})
    assert again.status_code == 409 and "answered already" in again.text
    no_choice = post(mail_client, f"{path}/{english.id}", {"decision": "maybe"})
    assert no_choice.status_code == 400
    assert audit_actions(session, "call_interests") == ["accept", "decline"]
    assert "<strong>2</strong>" not in mail_client.get("/en/coordinator/calls").text
    assert "calls to join wait" not in mail_client.get("/en/coordinator/").text


@pytest.fixture
def broken_mail_client(sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    """The app with an SMTP server configured where nothing listens."""
    settings = smtp_settings(tmp_path, free_port(), base_url="http://testserver")
    with TestClient(create_app(settings, sessions=sessions), raise_server_exceptions=False) as c:
        yield c


def test_an_answer_is_saved_when_the_mail_server_is_down(
    broken_mail_client: TestClient, session: Session, network: Network
) -> None:
    call = factories.call(session, network.gdca)
    dutch, _english = interests(session, call)
    log_in(broken_mail_client, network.coordinator)
    answer = post(
        broken_mail_client,
        f"/en/coordinator/calls/{call.id}/interests/{dutch.id}",
        {"decision": "accept"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = broken_mail_client.get(answer.headers["location"]).text
    assert "the e-mail to lotte@example.nl could not be sent" in page
    assert "the e-mail could not be sent" in page  # shown with the answer too
    session.refresh(dutch)
    assert dutch.status is RequestStatus.ACCEPTED and dutch.notified_at is None


def test_a_person_without_a_programme_sees_no_calls_and_opens_none(
    client: TestClient, session: Session, network: Network
) -> None:
    factories.call(session, network.gdca, title_en="GDCA call")
    nobody = factories.user(session, "nobody@example.org")
    session.commit()
    log_in(client, nobody.email)
    listing = client.get("/en/coordinator/calls")
    assert listing.status_code == 200 and "GDCA call" not in listing.text and "/calls/new" not in listing.text
    assert client.get("/en/coordinator/calls/new").status_code == 403


def test_a_closed_call_is_reopened_and_takes_interest_again(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    call = factories.call(session, network.gdca, closes_on=dt.date(2099, 3, 31), closed_at=utcnow())
    session.commit()
    path = f"/en/coordinator/calls/{call.id}"
    page = coordinator.get(path).text
    assert f'action="/en/coordinator/calls/{call.id}/reopen"' in page and "Reopen the call" in page
    assert "Close the call now" not in page

    reopened = post(coordinator, f"{path}/reopen", {}, form_page=path, follow_redirects=False)
    assert reopened.status_code == 303 and reopened.headers["location"] == path
    page = coordinator.get(path).text
    assert "The call is open again until 31 Mar 2099." in page
    assert "Close the call now" in page and "Reopen the call" not in page
    session.refresh(call)
    assert call.closed_at is None and call.closes_on == dt.date(2099, 3, 31)  # its closing day stays
    assert "takes no more expressions of interest" not in coordinator.get(f"/en/calls/{call.id}").text
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "calls", AuditEntry.action == "reopen")
    ).one()
    assert entry.entity_id == call.id and entry.programme_id == network.gdca.id
    assert entry.after == {"closed_at": None} and entry.before is not None and entry.before["closed_at"]

    again = post(coordinator, f"{path}/reopen", {}, form_page=path)
    assert again.status_code == 409 and "This call is open already." in again.text
    assert audit_actions(session, "calls") == ["reopen"]


def test_reopening_a_call_whose_closing_day_passed_keeps_it_open_until_further_notice(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    call = factories.call(session, network.gdca, closes_on=dt.date(2021, 6, 30))
    session.commit()
    path = f"/en/coordinator/calls/{call.id}"
    assert "Reopen the call" in coordinator.get(path).text  # closed by its date
    reopened = post(coordinator, f"{path}/reopen", {}, form_page=path, follow_redirects=False)
    assert reopened.status_code == 303
    assert "The call is open again, until further notice" in coordinator.get(path).text
    session.refresh(call)
    assert call.closes_on is None and call.closed_at is None
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "reopen")).one()
    assert (entry.before, entry.after) == ({"closes_on": "2021-06-30"}, {"closes_on": None})


def test_only_the_programmes_coordinators_reopen_its_calls_with_the_forms_token(
    client: TestClient, session: Session, network: Network
) -> None:
    theirs = factories.call(session, network.procirc, closed_at=utcnow())
    mine = factories.call(session, network.gdca, closed_at=utcnow())
    session.commit()
    log_in(client, network.coordinator)
    assert post(client, f"/en/coordinator/calls/{theirs.id}/reopen", {}).status_code == 403
    assert client.post(f"/en/coordinator/calls/{mine.id}/reopen").status_code == 403  # no CSRF token
    assert post(client, "/en/coordinator/calls/999999/reopen", {}).status_code == 404
    session.refresh(theirs)
    session.refresh(mine)
    assert theirs.closed_at is not None and mine.closed_at is not None
    assert audit_actions(session, "calls") == []

    log_in(client, network.admin)
    assert (
        post(client, f"/en/coordinator/calls/{theirs.id}/reopen", {}, follow_redirects=False).status_code
        == 303
    )
