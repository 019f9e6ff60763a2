"""Moderators decide on requests, plan meetings and record their outcome; coordinators decide on
proposals. Decisions reach the asker by e-mail through a real SMTP server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.communities.models import (
    CloseOut,
    Community,
    CommunityProposal,
    JoinRequest,
    Meeting,
    MeetingMode,
    MemberRole,
    Membership,
    Post,
    RequestStatus,
)
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post
from tests.mail import Inbox, text_of


def moderated_community(session: Session, network: Network) -> tuple[Community, str]:
    community = factories.community(session, network.procirc, name_en="Textiles CoP", name_nl="Textiel")
    moderator = factories.user(session, "mo@example.org", moderator_of=[community.id])
    session.commit()
    return community, moderator.email


def test_a_moderator_accepts_a_request_and_the_asker_hears_in_their_language(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    community, moderator = moderated_community(session, network)
    join_request = JoinRequest(
        community_id=community.id,
        name="Lotte",
        email="lotte@example.nl",
        language="nl",
        message="Wij kopen <b>kleding</b>",
    )
    session.add(join_request)
    session.commit()
    log_in(mail_client, moderator)
    index = mail_client.get("/en/coordinator/communities")
    assert "Textiles CoP" in index.text and "1 request to join waits for you" in index.text
    page = mail_client.get(f"/en/coordinator/communities/{community.id}")
    assert page.status_code == 200 and "Wij kopen &lt;b&gt;kleding&lt;/b&gt;" in page.text

    path = f"/en/coordinator/communities/{community.id}/requests/{join_request.id}"
    answer = post(mail_client, path, {"decision": "accept", "note": "Welkom!"}, follow_redirects=False)
    assert answer.status_code == 303
    session.refresh(join_request)
    assert join_request.status is RequestStatus.ACCEPTED and join_request.notified_at is not None
    member = session.scalars(select(Membership).where(Membership.community_id == community.id)).one()
    assert (member.email, member.role) == ("lotte@example.nl", MemberRole.MEMBER)
    [message] = inbox[0].to("lotte@example.nl")
    assert message["Subject"] == "Je aanvraag om lid te worden van Textiel"
    assert "Welkom!" in text_of(message) and f"http://testserver/nl/communities/{community.id}" in text_of(
        message
    )
    # The decision, the moderator's note and the link are paragraphs of their own.
    paragraphs = text_of(message).replace("\r\n", "\n").strip().split("\n\n")
    assert len(paragraphs) == 4 and paragraphs[2].endswith("\nWelkom!"), paragraphs

    again = post(mail_client, path, {"decision": "decline"})
    assert again.status_code == 409 and "decided already" in again.text


def test_only_moderators_of_the_community_and_coordinators_of_its_programme_moderate_it(
    client: TestClient, session: Session, network: Network
) -> None:
    community, _moderator = moderated_community(session, network)
    other = factories.community(session, network.gdca)
    stranger = factories.user(session, "other-mo@example.org", moderator_of=[other.id])
    procirc = factories.user(session, "pc@example.org", coordinator_of=["procirc"])
    session.commit()
    path = f"/en/coordinator/communities/{community.id}"
    assert client.get(path, follow_redirects=False).status_code == 303  # to the login page
    log_in(client, stranger.email)
    assert client.get(path).status_code == 403
    assert post(client, f"{path}/members", {"name": "X", "role": "member"}).status_code == 403
    log_in(client, network.coordinator)  # of GDCA, not ProCirc
    assert client.get(path).status_code == 403
    log_in(client, procirc.email)
    assert client.get(path).status_code == 200
    mirrored = factories.community(
        session, network.procirc, home_hub="https://procirc.example", mirrored=True
    )
    session.commit()
    assert client.get(f"/en/coordinator/communities/{mirrored.id}").status_code == 409


def meeting_form(**fields: str) -> dict[str, Any]:
    return {
        "source_language": "en",
        "title_en": "Circular workwear tender",
        "title_nl": "",
        "agenda_en": "1. Market dialogue",
        "agenda_nl": "",
        "day": "2099-10-06",
        "starts": "10:00",
        "ends": "12:00",
        "timezone": "Europe/London",
        "mode": "hybrid",
        "location": "London",
        "online_url": "https://meet.example/tex",
        "capacity": "30",
        **fields,
    }


def test_planning_a_meeting_in_its_time_zone_refusing_past_overlapping_and_skipped_times(
    client: TestClient, session: Session, network: Network
) -> None:
    community, moderator = moderated_community(session, network)
    log_in(client, moderator)
    path = f"/en/coordinator/communities/{community.id}/meetings/new"
    assert client.get(path).status_code == 200

    created = post(client, path, meeting_form(), follow_redirects=False)
    assert created.status_code == 303
    meeting = session.scalars(select(Meeting).where(Meeting.community_id == community.id)).one()
    # 10:00 in London in October (summer time) is 09:00 UTC.
    assert meeting.starts_at == dt.datetime(2099, 10, 6, 9, 0, tzinfo=dt.UTC)
    assert (meeting.mode, meeting.capacity, meeting.timezone) == (MeetingMode.HYBRID, 30, "Europe/London")

    overlapping = post(client, path, meeting_form(starts="11:30", ends="13:00", title_en="Second"))
    assert overlapping.status_code == 400 and "This overlaps the meeting" in overlapping.text
    assert 'value="Second"' in overlapping.text  # what was typed is kept

    past = post(client, path, meeting_form(day="2020-01-10"))
    assert past.status_code == 400 and "This moment has passed" in past.text

    # 01:30 on 25 March 2096 does not exist in London (the clocks jump from 01:00 to 02:00).
    skipped = post(client, path, meeting_form(day="2096-03-25", starts="01:30", ends="03:00"))
    assert skipped.status_code == 400 and "This time does not exist in Europe/London" in skipped.text

    online_without_link = post(client, path, meeting_form(day="2099-11-01", mode="online", online_url=""))
    assert online_without_link.status_code == 400 and "needs the link" in online_without_link.text
    assert len(session.scalars(select(Meeting)).all()) == 1

    moved = post(
        client,
        f"/en/coordinator/communities/{community.id}/meetings/{meeting.id}",
        meeting_form(starts="14:00", ends="16:00"),
        follow_redirects=False,
    )
    assert moved.status_code == 303  # a meeting does not overlap itself
    session.refresh(meeting)
    assert meeting.starts_at == dt.datetime(2099, 10, 6, 13, 0, tzinfo=dt.UTC)


def test_a_close_out_is_a_draft_until_published(
    client: TestClient, session: Session, network: Network
) -> None:
    food = factories.product_group(session, "food")
    community = factories.community(session, network.gdca, product_group=food)
    meeting = factories.meeting(session, community, starts_at=dt.datetime(2022, 5, 3, 8, 0, tzinfo=dt.UTC))
    pilot = factories.pilot(session, network.procirc, product_group=food, title_en="Plant-based canteen")
    other_group_pilot = factories.pilot(session, network.gdca, title_en="Other")
    organisation = factories.organisation(session, "Stad Gent")
    session.add(Membership(community_id=community.id, organisation_id=organisation.id))
    session.commit()
    log_in(client, network.coordinator)
    path = f"/en/coordinator/communities/{community.id}/meetings/{meeting.id}/closeout"
    page = client.get(path)
    assert "Plant-based canteen" in page.text and "Stad Gent" in page.text and "Other" not in page.text

    data = {"source_language": "en", "minutes_en": "We agreed on a joint tender.", "attendance": "18"}
    refused = post(client, path, {**data, "pilots": str(other_group_pilot.id)})
    assert refused.status_code == 400 and "Choose one of the options offered." in refused.text
    saved = post(
        client,
        path,
        {**data, "pilots": str(pilot.id), "organisations": str(organisation.id)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    closeout = session.scalars(select(CloseOut)).one()
    assert closeout.published_at is None and [p.id for p in closeout.pilots] == [pilot.id]
    public = f"/en/communities/{community.id}/meetings/{meeting.id}"
    assert "joint tender" not in client.get(public).text

    assert post(client, f"{path}/publish", {}, follow_redirects=False).status_code == 303
    session.refresh(closeout)
    assert closeout.published_at is not None
    page = client.get(public).text
    assert "joint tender" in page and "18 people took part" in page and "Plant-based canteen" in page


def test_a_moderator_posts_an_update_shown_as_text(
    client: TestClient, session: Session, network: Network
) -> None:
    community, moderator = moderated_community(session, network)
    log_in(client, moderator)
    path = f"/en/coordinator/communities/{community.id}/posts"
    missing = post(client, path, {"source_language": "nl", "title_en": "Only English"})
    assert missing.status_code == 400 and "Enter the title in the source language." in missing.text
    assert 'value="Only English"' in missing.text
    posted = post(
        client,
        path,
        {"source_language": "en", "title_en": "New tender model", "body_en": "<script>x()</script>Read it."},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert session.scalars(select(Post)).one().author_name
    page = client.get(f"/en/communities/{community.id}").text
    assert "New tender model" in page and "&lt;script&gt;x()&lt;/script&gt;Read it." in page


def test_a_coordinator_accepts_a_proposal_and_the_community_starts(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, network: Network
) -> None:
    textiles = factories.product_group(session, "textiles")
    proposal = CommunityProposal(
        programme_id=network.gdca.id,
        product_group_id=textiles.id,
        title="Circular workwear",
        description="Uniforms.",
        name="Sam",
        email="sam@example.be",
        language="en",
    )
    elsewhere = CommunityProposal(
        programme_id=network.procirc.id, title="Elsewhere", name="X", email="x@example.org"
    )
    session.add_all([proposal, elsewhere])
    session.commit()
    log_in(mail_client, network.coordinator)
    index = mail_client.get("/en/coordinator/communities").text
    assert "Circular workwear" in index and "Elsewhere" not in index
    assert (
        post(mail_client, f"/en/coordinator/proposals/{elsewhere.id}", {"decision": "accept"}).status_code
        == 403
    )

    answer = post(
        mail_client,
        f"/en/coordinator/proposals/{proposal.id}",
        {"decision": "accept"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    session.refresh(proposal)
    community = session.get(Community, proposal.community_id)
    assert (
        community is not None
        and community.name_en == "Circular workwear"
        and community.contact_email == "sam@example.be"
    )
    contact = session.scalars(select(Membership).where(Membership.community_id == community.id)).one()
    assert contact.role is MemberRole.CONTACT
    [message] = inbox[0].to("sam@example.be")
    assert "has started, with you as its contact person" in text_of(message)
