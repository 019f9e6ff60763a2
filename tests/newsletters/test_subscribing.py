"""Subscribing without an account, through a real SMTP server: double opt-in, the preference
centre, one-click unsubscribe (RFC 8058), the subscriber's data, bounces and abuse."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.newsletters import subscriptions, tokens
from hub.newsletters.models import ConsentEvent, InterestKind, Subscription, SubscriptionStatus
from hub.newsletters.views import PER_ADDRESS
from tests import factories
from tests.accounts.conftest import csrf_of
from tests.mail import Inbox, smtp_settings, text_of

BASE = "http://testserver"


@pytest.fixture
def lists(session: Session) -> dict[str, Any]:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    food = factories.product_group(session, "food")
    session.commit()
    return {"gdca": gdca, "food": food}


def subscribe(client: TestClient, lang: str = "en", **fields: Any) -> Any:
    data = {"email": "an@example.be", "language": lang, "consent": "yes", **fields}
    path = f"/{lang}/newsletter"
    return client.post(path, data={**data, "csrf_token": csrf_of(client, path)}, follow_redirects=False)


def link(message: Any, kind: str) -> str:
    found = re.search(rf"{BASE}(/\w\w/newsletter/{kind}/[\w.\-]+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def confirm(client: TestClient, path: str) -> Any:
    token = csrf_of(client, "/en/newsletter")  # the session's: any form page gives it
    return client.post(path, data={"csrf_token": token}, follow_redirects=False)


def test_double_opt_in_from_request_to_welcome(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, lists: dict[str, Any]
) -> None:
    follow = [f"programme:{lists['gdca'].id}", f"product_group:{lists['food'].id}"]
    answer = subscribe(mail_client, "en", language="nl", follow=follow)
    assert answer.status_code == 303
    assert "Check your inbox" in mail_client.get(answer.headers["location"]).text
    subscription = session.scalars(select(Subscription)).one()
    assert subscription.status is SubscriptionStatus.PENDING and subscription.interests == []

    [request] = inbox[0].to("an@example.be")
    assert request["Subject"] == "Bevestig je inschrijving op de nieuwsbrief"  # the language chosen
    assert request.get_body(("html",)) is not None
    path = link(request, "confirm")
    page = mail_client.get(path)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and "an@example.be" in page.text
    session.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PENDING

    confirmed = confirm(mail_client, path)
    assert confirmed.status_code == 303 and "/nl/newsletter/preferences/" in confirmed.headers["location"]
    session.refresh(subscription)
    assert subscription.status is SubscriptionStatus.CONFIRMED and subscription.language == "nl"
    assert {(i.kind, i.ref_id) for i in subscription.interests} == {
        (InterestKind.PROGRAMME, lists["gdca"].id),
        (InterestKind.PRODUCT_GROUP, lists["food"].id),
    }
    events = session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
    assert [(e.action, e.language) for e in events] == [("requested", "en"), ("confirmed", "nl")]
    assert events[1].text.startswith("Ik wil de nieuwsbrief")  # the text agreed to, in its language

    welcome = [m for m in inbox[0].to("an@example.be") if m is not request]
    assert [m["Subject"] for m in welcome] == ["Welkom bij de nieuwsbrief"]
    preferences = link(welcome[0], "preferences")
    assert mail_client.get(preferences).status_code == 200
    again = confirm(mail_client, path)  # the confirmation link is used up
    assert again.status_code == 410 and "al gebruikt" in again.text  # the link is Dutch: so is the page


def test_asking_again_sends_no_storm_and_a_known_address_learns_nothing_new(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, lists: dict[str, Any]
) -> None:
    for _ in range(3):
        assert subscribe(mail_client).status_code == 303
    assert len(inbox[0].to("an@example.be")) == 1  # one confirmation, however often the form is sent
    subscription = session.scalars(select(Subscription)).one()
    subscription.status = SubscriptionStatus.CONFIRMED
    subscription.confirmation_sent_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    session.commit()
    assert subscribe(mail_client, language="nl").status_code == 303
    manage = inbox[0].to("an@example.be")[-1]
    assert "subscribed to the newsletter already" in manage[
        "Subject"
    ] and "/newsletter/preferences/" in text_of(manage)
    session.refresh(subscription)
    assert subscription.language == "en"  # a request changes nothing by itself


def test_bad_input_is_refused_with_what_was_typed_kept(
    client: TestClient, session: Session, lists: dict[str, Any]
) -> None:
    bad = subscribe(client, email="an at example", follow=[f"programme:{lists['gdca'].id}"])
    assert bad.status_code == 400 and "Enter an e-mail address such as name@example.org." in bad.text
    assert 'value="an at example"' in bad.text and f'value="programme:{lists["gdca"].id}" checked' in bad.text
    header = subscribe(client, email="an@example.be\r\nBcc: all@example.org")
    assert header.status_code == 400 and "Write this on one line" in header.text
    unknown_list = subscribe(client, follow=["programme:999999"])
    assert unknown_list.status_code == 400 and "Choose one of the options offered." in unknown_list.text
    no_consent = subscribe(client, consent="")
    assert no_consent.status_code == 400 and "Tick the box" in no_consent.text
    assert session.scalars(select(Subscription)).all() == []
    assert subscribe(client, email="jürgen@müller.de").status_code == 303
    assert session.scalars(select(Subscription.email)).one() == "jürgen@müller.de"


def test_a_bot_filling_the_hidden_field_gets_the_same_answer_and_nothing_happens(
    client: TestClient, session: Session, lists: dict[str, Any]
) -> None:
    answer = subscribe(client, website="http://spam.example")
    assert answer.status_code == 303 and "Check your inbox" in client.get(answer.headers["location"]).text
    assert session.scalars(select(Subscription)).all() == []


def test_tampered_expired_and_revoked_links(
    client: TestClient, session: Session, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscription = Subscription(email="an@example.be", language="en")
    session.add(subscription)
    session.commit()
    token = tokens.confirm_token(settings, subscription, language="en", interests=frozenset())
    tampered = client.get(f"/en/newsletter/confirm/{token[:-3]}xyz")
    assert tampered.status_code == 400 and "not valid" in tampered.text
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3 * 86400)
    old = tokens.confirm_token(settings, subscription, language="en", interests=frozenset())
    monkeypatch.setattr(time, "time", real_time)
    expired = client.get(f"/en/newsletter/confirm/{old}")
    assert expired.status_code == 400 and "has expired" in expired.text
    assert client.get("/en/newsletter/preferences/not-a-token").status_code == 404
    manage = tokens.manage_token(settings, subscription)
    subscription.key = "0" * 32  # a new key revokes the links sent before
    session.commit()
    assert client.get(f"/en/newsletter/preferences/{manage}").status_code == 404


def confirmed_subscriber(
    session: Session, settings: Any, email: str = "an@example.be"
) -> tuple[Subscription, str]:
    subscription = Subscription(email=email, language="en", status=SubscriptionStatus.CONFIRMED)
    session.add(subscription)
    session.commit()
    return subscription, tokens.manage_token(settings, subscription)


def test_one_click_unsubscribe_is_a_post_only_and_resubscribing_needs_a_new_confirmation(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, settings: Any, lists: dict[str, Any]
) -> None:
    subscription, token = confirmed_subscriber(session, mail_client.app.state.settings)  # type: ignore[attr-defined]
    prefetch = mail_client.get(f"/newsletter/one-click/{token}", follow_redirects=False)
    assert prefetch.status_code == 303  # a GET (a scanner) only shows the page
    assert mail_client.get(f"/en/newsletter/unsubscribe/{token}").status_code == 200
    session.refresh(subscription)
    assert subscription.status is SubscriptionStatus.CONFIRMED

    # What a mail program sends: no cookie, no CSRF token, another origin.
    with TestClient(mail_client.app) as mail_program:
        wrong = mail_program.post(f"/newsletter/one-click/{token}", data={"List-Unsubscribe": "Please"})
        assert wrong.status_code == 400
        answer = mail_program.post(
            f"/newsletter/one-click/{token}",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://mail.example"},
        )
    assert answer.status_code == 200
    session.refresh(subscription)
    assert subscription.status is SubscriptionStatus.UNSUBSCRIBED

    assert subscribe(mail_client).status_code == 303
    session.refresh(subscription)
    assert subscription.status is SubscriptionStatus.UNSUBSCRIBED  # no silent change
    [confirmation] = inbox[0].to("an@example.be")
    assert confirm(mail_client, link(confirmation, "confirm")).status_code == 303
    session.refresh(subscription)
    assert subscription.status is SubscriptionStatus.CONFIRMED


def test_the_preference_centre_changes_what_arrives_and_gives_or_deletes_the_data(
    client: TestClient, session: Session, settings: Any, lists: dict[str, Any]
) -> None:
    subscription, token = confirmed_subscriber(session, settings)
    path = f"/en/newsletter/preferences/{token}"
    data = {
        "language": "nl",
        "follow": [f"product_group:{lists['food'].id}"],
        "csrf_token": csrf_of(client, path),
    }
    saved = client.post(path, data=data, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/nl/newsletter/preferences/{token}"  # on in the language chosen
    assert "Je keuzes zijn bewaard." in client.get(saved.headers["location"]).text  # the flash too
    session.refresh(subscription)
    assert subscription.language == "nl"
    assert [(i.kind, i.ref_id) for i in subscription.interests] == [
        (InterestKind.PRODUCT_GROUP, lists["food"].id)
    ]
    bad = client.post(path, data={**data, "follow": ["community:abc"]})
    assert bad.status_code == 400

    download = client.get(f"{path}/data.json")
    assert download.status_code == 200 and download.headers["cache-control"] == "no-store"
    mine = json.loads(download.text)
    assert mine["email"] == "an@example.be" and mine["consent"][0]["action"] == "changed"
    food = lists["food"]
    assert mine["follows"] == [
        {
            "kind": "product_group",
            "id": food.id,
            "name": food.name_nl,  # in the subscriber's language, with the page it stands for
            "url": f"{settings.base_url}/nl/product-groups/{food.code}",
        }
    ]

    erased = client.post(f"{path}/delete", data={"csrf_token": csrf_of(client, path)}, follow_redirects=False)
    assert erased.status_code == 303
    assert (
        session.scalars(select(Subscription)).all() == []
        and session.scalars(select(ConsentEvent)).all() == []
    )
    assert client.get(path).status_code == 404


@pytest.fixture
def bounce_client(sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    settings = smtp_settings(tmp_path, 25, base_url=BASE, bounce_token="s3cret", bounce_threshold=3)
    with TestClient(create_app(settings, sessions=sessions)) as c:
        yield c


def test_bounce_notifications_stop_sending_after_the_threshold(
    bounce_client: TestClient, client: TestClient, session: Session, settings: Any
) -> None:
    confirmed_subscriber(session, settings)
    auth = {"Authorization": "Bearer s3cret"}
    assert client.post("/api/v1/bounces", json={"email": "an@example.be"}).status_code == 404  # off
    assert bounce_client.post("/api/v1/bounces", json={"email": "an@example.be"}).status_code == 401
    assert bounce_client.post("/api/v1/bounces", json={"mail": "x"}, headers=auth).status_code == 400
    assert (
        bounce_client.post("/api/v1/bounces", json={"email": "no@example.be"}, headers=auth).status_code
        == 404
    )
    for expected in ("confirmed", "confirmed", "bounced"):
        answer = bounce_client.post(
            "/api/v1/bounces", json={"email": "an@example.be", "type": "soft"}, headers=auth
        )
        assert answer.status_code == 200 and answer.json()["status"] == expected
    confirmed_subscriber(session, settings, "bo@example.be")
    hard = bounce_client.post(
        "/api/v1/bounces", json={"email": "bo@example.be", "type": "hard"}, headers=auth
    )
    assert hard.json()["status"] == "bounced"


def test_unconfirmed_subscriptions_are_purged_after_a_week(session: Session) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    session.add_all(
        [
            Subscription(email="old@example.be", created_at=old),
            Subscription(email="new@example.be"),
            Subscription(email="kept@example.be", created_at=old, status=SubscriptionStatus.CONFIRMED),
        ]
    )
    session.commit()
    assert subscriptions.purge_unconfirmed(session, older_than=dt.timedelta(days=7)) == 1
    assert set(session.scalars(select(Subscription.email))) == {"new@example.be", "kept@example.be"}


def test_one_address_asked_for_again_and_again_is_stopped(
    client: TestClient, session: Session, lists: dict[str, Any]
) -> None:
    limit = PER_ADDRESS.amount
    answers = [subscribe(client).status_code for _ in range(limit + 1)]
    assert answers == [303] * limit + [429]
    assert len(session.scalars(select(ConsentEvent)).all()) == limit
