"""Invitations: sent by a coordinator, accepted once before they expire, then sign-in links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import RoleGrant, RoleName, User
from hub.participants.models import Invitation
from tests.accounts.conftest import csrf_of, log_in
from tests.coordinators import post
from tests.mail import Inbox, text_of
from tests.participants.conftest import Ambition, accept, invite, token_in


def test_a_coordinator_invites_and_the_link_signs_the_person_in_once(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, ambition: Ambition
) -> None:
    log_in(mail_client, ambition.coordinator)
    page = mail_client.get("/en/coordinator/participants")
    assert page.status_code == 200 and "Stad Gent" in page.text
    sent = post(
        mail_client,
        "/en/coordinator/participants",
        {
            "programme_id": str(ambition.gdca.id),
            "organisation_id": str(ambition.city.id),
            "email": "Pieter@Gent.be",
            "name": "Pieter",
            "language": "nl",
        },
        form_page="/en/coordinator/participants",
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Invitation sent to Pieter@gent.be" in mail_client.get("/en/coordinator/participants").text
    [message] = inbox[0].to("pieter@gent.be")
    assert "Stad Gent" in message["Subject"]
    text = text_of(message)
    assert text.startswith("Beste Pieter,")  # the language the coordinator chose
    token = token_in(text, "invitations")
    stored = session.scalar(select(Invitation).where(Invitation.email == "pieter@gent.be"))
    assert stored is not None and token not in stored.digest  # only the digest is kept

    mail_client.post("/en/logout", data={"csrf_token": csrf_of(mail_client, "/en/coordinator/")})
    # Opening the link (as a mail scanner would) uses nothing up.
    for _ in range(2):
        shown = mail_client.get(f"/nl/invitations/{token}")
        assert shown.status_code == 200 and "Stad Gent" in shown.text
        assert shown.headers["referrer-policy"] == "same-origin"
    accepted = accept(mail_client, token)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/en/participant/"
    home = mail_client.get("/en/participant/")
    assert home.status_code == 200 and "Stad Gent" in home.text and "Reused office chairs" in home.text
    assert "Circular road works" not in home.text  # another organisation's pilot
    person = session.scalar(select(User).where(User.email == "pieter@gent.be"))
    assert person is not None and person.password_hash is None
    grant = session.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id))
    assert grant is not None and grant.role == RoleName.PARTICIPANT
    assert (grant.programme_id, grant.organisation_id) == (ambition.gdca.id, ambition.city.id)
    # A participant is not a coordinator: the workspace sends them to their own pages.
    workspace = mail_client.get("/en/coordinator/pilots", follow_redirects=False)
    assert workspace.status_code == 303 and workspace.headers["location"] == "/en/participant/"

    # The link worked once.
    mail_client.post("/en/logout", data={"csrf_token": csrf_of(mail_client, "/en/participant/")})
    again = accept(mail_client, token)
    assert again.status_code == 410 and "works only once" in again.text
    assert mail_client.get(f"/en/invitations/{token}").status_code == 410
    assert mail_client.get("/en/participant/", follow_redirects=False).status_code == 303  # to the login


def test_an_expired_invitation_is_refused_and_opens_no_account(
    client: TestClient, session: Session, ambition: Ambition
) -> None:
    token = invite(session, ambition, lifetime=dt.timedelta(seconds=-1))
    page = client.get(f"/en/invitations/{token}")
    assert page.status_code == 410 and "expired on" in page.text and "GDCA" in page.text
    assert accept(client, token).status_code == 410
    assert session.scalar(select(User).where(User.email == "pieter@gent.be")) is None


def test_an_unknown_or_withdrawn_invitation(client: TestClient, session: Session, ambition: Ambition) -> None:
    assert client.get("/en/invitations/not-a-token").status_code == 404
    token = invite(session, ambition)
    log_in(client, ambition.coordinator)
    invitation = session.scalar(select(Invitation).where(Invitation.email == "pieter@gent.be"))
    assert invitation is not None
    path = f"/en/coordinator/participants/invitations/{invitation.id}/withdraw"
    assert post(client, path, {}, follow_redirects=False).status_code == 303
    assert post(client, path, {}).status_code == 409  # withdrawn already
    refused = accept(client, token)
    assert refused.status_code == 410 and "withdrawn" in refused.text


def test_accepting_while_logged_in_adds_the_role_to_that_account(
    client: TestClient, session: Session, ambition: Ambition
) -> None:
    """The path of an OpenID Connect login: sign in first, then accept on the invitation page."""
    token = invite(session, ambition, email="pieter@gent.be")
    log_in(client, ambition.coordinator)  # here the coordinator's own account stands in for it
    page = client.get(f"/en/invitations/{token}")
    assert "You are signed in as gina@example.org" in page.text
    assert accept(client, token).status_code == 303
    gina = session.scalar(select(User).where(User.email == "gina@example.org"))
    assert gina is not None
    session.refresh(gina)
    assert {g.role for g in gina.grants} == {RoleName.COORDINATOR, RoleName.PARTICIPANT}
    assert session.scalar(select(User).where(User.email == "pieter@gent.be")) is None
    # Someone with both roles keeps the workspace.
    assert client.get("/en/coordinator/", follow_redirects=False).status_code == 200


def test_the_invitation_form_keeps_what_was_typed_and_stays_in_scope(
    client: TestClient, session: Session, ambition: Ambition
) -> None:
    log_in(client, ambition.coordinator)
    bad = post(
        client,
        "/en/coordinator/participants",
        {
            "programme_id": str(ambition.gdca.id),
            "organisation_id": "",
            "email": "not-an-address",
            "name": "Pim",
        },
        form_page="/en/coordinator/participants",
    )
    assert bad.status_code == 400
    assert 'value="not-an-address"' in bad.text and 'value="Pim"' in bad.text
    other = post(
        client,
        "/en/coordinator/participants",
        {
            "programme_id": str(ambition.procirc.id),  # not this coordinator's
            "organisation_id": str(ambition.city.id),
            "email": "a@b.org",
            "language": "en",
        },
        form_page="/en/coordinator/participants",
    )
    assert other.status_code == 400 and "Choose one of the options offered" in other.text
    # The picker names the organisation; a name no organisation of the programmes has is refused.
    unknown = post(
        client,
        "/en/coordinator/participants",
        {"programme_id": str(ambition.gdca.id), "organisation_name": "Nergens BV", "email": "a@b.org"},
        form_page="/en/coordinator/participants",
    )
    assert (
        unknown.status_code == 400
        and "No organisation of your programmes is called “Nergens BV”" in unknown.text
    )
    assert 'value="Nergens BV"' in unknown.text and '<datalist id="invitation-organisations">' in unknown.text
    assert session.scalar(select(Invitation)) is None
    named = post(
        client,
        "/en/coordinator/participants",
        {
            "programme_id": str(ambition.gdca.id),
            "organisation_name": ambition.city.name.upper(),
            "email": "c@d.org",
            "language": "en",
        },
        form_page="/en/coordinator/participants",
    )
    assert named.status_code == 200, named.text  # sent, the page again
    invitation = session.scalar(select(Invitation))
    assert invitation is not None and invitation.organisation_id == ambition.city.id
    session.delete(invitation)
    session.commit()
    missing_csrf = client.post("/en/coordinator/participants", data={"email": "a@b.org"})
    assert missing_csrf.status_code == 403


def test_a_sign_in_link_works_once(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, ambition: Ambition
) -> None:
    token = invite(session, ambition)
    assert accept(mail_client, token).status_code == 303
    mail_client.post("/en/logout", data={"csrf_token": csrf_of(mail_client, "/en/participant/")})

    for address in ("pieter@gent.be", "nobody@example.org"):
        answer = mail_client.post(
            "/en/login/link", data={"email": address, "csrf_token": csrf_of(mail_client)}
        )
        assert answer.status_code == 200 and "a sign-in link is on its way" in answer.text
    assert inbox[0].to("nobody@example.org") == []  # the same answer, but no mail
    [message] = inbox[0].to("pieter@gent.be")
    link = token_in(text_of(message), "login/link")
    assert mail_client.get(f"/en/login/link/{link}").status_code == 200  # a scanner uses nothing up
    page = f"/en/login/link/{link}"
    used = mail_client.post(page, data={"csrf_token": csrf_of(mail_client, page)}, follow_redirects=False)
    assert used.status_code == 303 and used.headers["location"] == "/en/participant/"
    assert mail_client.get("/en/participant/").status_code == 200
    mail_client.post("/en/logout", data={"csrf_token": csrf_of(mail_client, "/en/participant/")})
    again = mail_client.post(page, data={"csrf_token": csrf_of(mail_client)})
    assert again.status_code == 410 and "used already" in again.text
    assert mail_client.get("/en/login/link/made-up").status_code == 404


def test_an_expired_sign_in_link(client: TestClient, session: Session, ambition: Ambition) -> None:
    from hub.accounts import links

    person = session.scalar(select(User).where(User.email == ambition.coordinator))
    assert person is not None
    token = links.create_sign_in_link(session, user=person, lifetime=dt.timedelta(seconds=-1))
    session.commit()
    page = client.get(f"/en/login/link/{token}")
    assert page.status_code == 410 and "expired" in page.text
