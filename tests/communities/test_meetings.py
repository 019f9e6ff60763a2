"""A meeting's page: agenda, registration with capacity (mail through a real SMTP server), outcome."""

from __future__ import annotations

import datetime as dt

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.communities.models import CloseOut, MeetingMode, Registration
from tests import factories
from tests.accounts.conftest import csrf_of
from tests.mail import Inbox, html_of, text_of


def register(client: TestClient, path: str, **fields: str) -> object:
    data = {"name": "An Peeters", "email": "an@example.be", "organisation": "Stad Gent", **fields}
    form_page = path.split("/meetings/")[0] + "/join"  # any form gives the session's token
    return client.post(
        f"{path}/register", data={**data, "csrf_token": csrf_of(client, form_page)}, follow_redirects=False
    )


def test_registration_takes_the_places_there_are_and_mails_the_meeting_with_its_online_link(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session
) -> None:
    community = factories.community(session, factories.programme(session, "gdca"), name_en="ICT network")
    meeting = factories.meeting(
        session,
        community,
        title_en="Refurbished laptops",
        agenda_en="Welcome\n\nWhat the market offers",
        mode=MeetingMode.HYBRID,
        location="Brussels",
        online_url="https://meet.example/ict",
        capacity=2,
        starts_at=dt.datetime(2099, 3, 30, 7, 30, tzinfo=dt.UTC),
    )
    session.commit()
    path = f"/en/communities/{community.id}/meetings/{meeting.id}"
    page = mail_client.get(path)
    assert page.status_code == 200 and "What the market offers" in page.text and "2 of 2 left" in page.text
    assert "https://meet.example/ict" not in page.text  # the link goes to registered people only

    first = register(mail_client, path)
    assert first.status_code == 303 and first.headers["location"] == path
    assert "A confirmation is on its way to an@example.be" in mail_client.get(path).text
    [message] = inbox[0].to("an@example.be")
    assert message["Subject"] == "You are registered for Refurbished laptops"
    assert "https://meet.example/ict" in text_of(message) and "09:30 CEST" in text_of(message)
    assert f"http://testserver{path}" in html_of(message)
    [attachment] = list(message.iter_attachments())
    event = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert event.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(2099, 3, 30, 7, 30, tzinfo=dt.UTC)

    twice = register(mail_client, path, email="AN@EXAMPLE.BE")
    assert twice.status_code == 409 and "is registered for this meeting already" in twice.text
    assert register(mail_client, path, email="bo@example.be").status_code == 303
    full = register(mail_client, path, email="cas@example.be", name="Cas")
    assert full.status_code == 409 and "This meeting is full: all 2 places are taken." in full.text
    assert "This meeting is full" in mail_client.get(path).text
    assert len(session.scalars(select(Registration)).all()) == 2
    assert len(inbox[0].received) == 2


def test_a_past_meeting_takes_no_registrations_and_shows_its_outcome_once_published(
    client: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    community = factories.community(session, gdca)
    meeting = factories.meeting(session, community, starts_at=dt.datetime(2021, 3, 1, 9, 0, tzinfo=dt.UTC))
    pilot = factories.pilot(session, gdca, title_en="Reusable cups at events")
    organisation = factories.organisation(session, "Stad Leuven")
    closeout = CloseOut(
        meeting_id=meeting.id,
        minutes_en="We <b>agreed</b> on a joint tender.",
        attendance=23,
        source_language="en",
    )
    closeout.pilots, closeout.organisations = [pilot], [organisation]
    session.add(closeout)
    session.commit()
    path = f"/en/communities/{community.id}/meetings/{meeting.id}"
    page = client.get(path)
    assert "Register for this meeting" not in page.text and "joint tender" not in page.text
    assert "have not been published" in page.text
    refused = register(client, path)
    assert refused.status_code == 409 and "registration is closed" in refused.text

    closeout.published_at = dt.datetime.now(dt.UTC)
    session.commit()
    page = client.get(path)
    assert (
        "We &lt;b&gt;agreed&lt;/b&gt; on a joint tender." in page.text and "23 people took part" in page.text
    )
    assert f'href="/en/pilots/{pilot.id}"' in page.text and "Stad Leuven" in page.text
    assert "minutes and outcome published" in client.get(f"/en/communities/{community.id}").text


def test_a_meeting_of_another_community_is_not_found(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    one, other = factories.community(session, gdca), factories.community(session, gdca)
    meeting = factories.meeting(session, other)
    session.commit()
    assert client.get(f"/en/communities/{one.id}/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/en/communities/{other.id}/meetings/{meeting.id}").status_code == 200
