"""Visitors ask to join a community or propose one, without an account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.communities.models import CommunityProposal, CommunityStatus, JoinRequest, Membership, RequestStatus
from hub.ratelimit import PUBLIC_FORM_POSTS
from tests import factories
from tests.accounts.conftest import csrf_of
from tests.mail import Inbox, html_of, text_of


def ask(client: TestClient, community_id: int, **fields: str) -> object:
    data = {"name": "An Peeters", "email": "an@example.be", "organisation": "Stad Gent", **fields}
    path = f"/en/communities/{community_id}/join"
    return client.post(path, data={**data, "csrf_token": csrf_of(client, path)}, follow_redirects=False)


def test_a_visitor_asks_to_join_and_a_second_request_is_refused_keeping_what_was_typed(
    client: TestClient, session: Session
) -> None:
    community = factories.community(session, factories.programme(session, "gdca"), name_en="Food network")
    session.commit()
    page = client.get(f"/en/communities/{community.id}")
    assert f'href="/en/communities/{community.id}/join"' in page.text

    first = ask(client, community.id, message="We buy for 40 schools.")
    assert first.status_code == 303 and first.headers["location"] == f"/en/communities/{community.id}"
    assert "your request was sent to the moderators" in client.get(first.headers["location"]).text
    stored = session.scalars(select(JoinRequest)).one()
    assert (stored.email, stored.status, stored.language) == ("an@example.be", RequestStatus.PENDING, "en")

    again = ask(client, community.id, email="AN@example.be", message="Second try")
    assert again.status_code == 409
    assert "is already waiting for the moderator" in again.text
    assert 'value="Stad Gent"' in again.text and "Second try" in again.text  # nothing typed is lost
    assert session.scalar(select(JoinRequest.id).where(JoinRequest.id != stored.id)) is None


def test_a_member_cannot_ask_again_and_bad_addresses_or_line_breaks_get_a_message(
    client: TestClient, session: Session
) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    session.add(Membership(community_id=community.id, name="An", email="an@example.be"))
    session.commit()
    member = ask(client, community.id)
    assert member.status_code == 409 and "is already a member of this community" in member.text

    bad = ask(client, community.id, email="an at example")
    assert bad.status_code == 400 and "Enter an e-mail address such as name@example.org." in bad.text
    assert 'value="an at example"' in bad.text and 'aria-invalid="true"' in bad.text

    header_injection = ask(client, community.id, name="An\r\nBcc: everyone@example.org", email="b@example.be")
    assert header_injection.status_code == 400 and "Write this on one line" in header_injection.text
    assert session.scalars(select(JoinRequest)).all() == []


def test_an_internationalised_address_is_accepted_and_dutch_messages_are_dutch(
    client: TestClient, session: Session
) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    session.commit()
    path = f"/nl/communities/{community.id}/join"
    page = client.get(path)
    assert "Vraag om lid te worden" in page.text
    answer = client.post(
        path,
        data={"name": "Jürgen", "email": "jürgen@müller.de", "csrf_token": csrf_of(client, path)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert session.scalars(select(JoinRequest.email)).one() == "jürgen@müller.de"
    refused = client.post(
        path,
        data={"name": "Jürgen", "email": "jürgen@müller.de", "csrf_token": csrf_of(client, path)},
    )
    assert refused.status_code == 409 and "wacht al op de beslissing" in refused.text


def test_closed_and_mirrored_communities_take_no_requests_here(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    closed = factories.community(session, gdca, status=CommunityStatus.CLOSED)
    mirrored = factories.community(
        session,
        gdca,
        home_hub="https://procirc.example",
        mirrored=True,
        origin_url="https://procirc.example/en/communities/7",
    )
    session.commit()
    assert ask(client, closed.id).status_code == 409
    page = client.get(f"/en/communities/{mirrored.id}")
    assert "https://procirc.example/en/communities/7" in page.text and "/join" not in page.text
    refused = ask(client, mirrored.id)
    assert refused.status_code == 409 and "ask to join it there" in refused.text
    assert session.scalars(select(JoinRequest)).all() == []


def test_markup_in_what_visitors_and_sources_write_is_shown_as_text(
    client: TestClient, session: Session
) -> None:
    community = factories.community(
        session,
        factories.programme(session, "gdca"),
        description_en="<script>alert('x')</script> Circular <b>food</b>",
    )
    session.commit()
    page = client.get(f"/en/communities/{community.id}")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(" in page.text
    answer = ask(client, community.id, name="<img src=x onerror=alert(1)>")
    assert answer.status_code == 303
    assert session.scalars(select(JoinRequest.name)).one() == "<img src=x onerror=alert(1)>"


def propose(client: TestClient, **fields: str) -> object:
    data = {
        "programme": "gdca",
        "product_group": "textiles",
        "title": "Circular workwear",
        "description": "Buyers of uniforms and workwear.",
        "name": "Sam",
        "email": "sam@example.be",
        **fields,
    }
    path = "/en/communities/propose"
    return client.post(path, data={**data, "csrf_token": csrf_of(client, path)}, follow_redirects=False)


def test_a_visitor_proposes_a_community_for_a_product_group_without_one(
    client: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    food = factories.product_group(session, "food")
    factories.product_group(session, "textiles")
    factories.community(session, gdca, product_group=food, name_en="Food network")
    session.commit()
    assert 'href="/en/communities/propose"' in client.get("/en/communities").text

    answer = propose(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/en/communities"
    proposal = session.scalars(select(CommunityProposal)).one()
    assert (proposal.title, proposal.status, proposal.product_group.code) == (
        "Circular workwear",
        RequestStatus.PENDING,
        "textiles",
    )
    twice = propose(client, email="SAM@example.be")
    assert twice.status_code == 409 and "already waiting for a decision" in twice.text

    existing = propose(client, product_group="food", title="Another food group")
    assert existing.status_code == 409 and "Food network" in existing.text
    assert 'value="Another food group"' in existing.text

    missing = propose(client, programme="", title="")
    assert missing.status_code == 400 and missing.text.count("field-error") >= 2
    assert len(session.scalars(select(CommunityProposal)).all()) == 1


def test_the_moderators_hear_of_a_request_and_the_coordinators_of_a_proposal(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    factories.product_group(session, "textiles")
    community = factories.community(session, gdca, name_nl="Textiel", name_en="Textiles")
    factories.user(session, "mo@example.org", moderator_of=[community.id])
    factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    session.commit()
    assert ask(mail_client, community.id, message="We buy <b>uniforms</b>").status_code == 303
    [notice] = inbox[0].to("mo@example.org")
    assert (
        notice["Subject"]
        == "An Peeters vraagt om lid te worden van Textiel · An Peeters asks to join Textiel"
    )
    assert f"http://testserver/nl/coordinator/communities/{community.id}" in text_of(notice)
    assert "We buy &lt;b&gt;uniforms&lt;/b&gt;" in html_of(notice)
    assert inbox[0].to("gina@example.org") == []  # the community has a moderator of its own

    assert propose(mail_client).status_code == 303
    [proposal] = inbox[0].to("gina@example.org")
    assert "Circular workwear" in proposal["Subject"] and "Buyers of uniforms and workwear." in text_of(
        proposal
    )


def test_one_client_sending_form_after_form_is_stopped(client: TestClient, session: Session) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    session.commit()
    limit = PUBLIC_FORM_POSTS.amount
    answers = [ask(client, community.id, email=f"bot{n}@example.org").status_code for n in range(limit + 1)]
    assert answers[:limit] == [303] * limit
    assert answers[limit] == 429
    assert len(session.scalars(select(JoinRequest)).all()) == limit


def test_a_visitor_writes_to_the_contact_person_whose_address_stays_private(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    community = factories.community(
        session, gdca, name_en="Catering", contact_name="Melody", contact_email="melody@example.be"
    )
    silent = factories.community(session, gdca, contact_name="Nobody")  # no address: nothing to write to
    session.commit()
    page = mail_client.get(f"/en/communities/{community.id}")
    assert f'href="/en/communities/{community.id}/contact"' in page.text and "Write to Melody" in page.text
    path = f"/en/communities/{community.id}/contact"
    form = mail_client.get(path)
    assert form.status_code == 200 and "melody@example.be" not in form.text
    assert mail_client.get(f"/en/communities/{silent.id}/contact").status_code == 404

    def send(**fields: str) -> Any:
        data = {"name": "An Peeters", "email": "an@example.be", "message": "Can we <b>join</b>?", **fields}
        return mail_client.post(
            path, data={**data, "csrf_token": csrf_of(mail_client, path)}, follow_redirects=False
        )

    empty = send(message="")
    assert empty.status_code == 400 and 'value="an@example.be"' in empty.text  # what was typed stays
    assert send(website="http://spam.example").status_code == 303  # a bot, thanked, and nothing sent
    assert inbox[0].to("melody@example.be") == []

    sent = send()
    assert sent.status_code == 303
    assert "Your message was sent to Melody." in mail_client.get(sent.headers["location"]).text
    [message] = inbox[0].to("melody@example.be")
    assert message["Reply-To"] == "an@example.be"
    assert "A message about" in message["Subject"] and "Can we &lt;b&gt;join&lt;/b&gt;?" in html_of(message)
    assert "An Peeters" in text_of(message) and f"/nl/communities/{community.id}" in text_of(message)
    # Without the form's token, nothing is sent.
    assert (
        mail_client.post(path, data={"name": "X", "email": "x@example.be", "message": "hi"}).status_code
        == 403
    )
