"""Calls to join, public side: the list, a call's page, and a visitor expressing interest without an
account. The coordinators hear of it through a real SMTP server; a mail server that is down loses
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.calls import services
from hub.calls.models import Call, CallInterest, CallRole
from hub.communities.models import RequestStatus
from hub.db import utcnow
from hub.programmes.models import Programme
from hub.ratelimit import PUBLIC_FORM_POSTS
from hub.refusals import Refused
from tests import factories
from tests.accounts.conftest import csrf_of
from tests.mail import Inbox, html_of, smtp_settings, text_of
from tests.servers import free_port

FUTURE = dt.date(2099, 6, 30)


def gdca(session: Session) -> Programme:
    return factories.programme(session, "gdca", short_name="GDCA")


def interest(client: TestClient, call_id: int, lang: str = "en", form_page: str = "", **fields: str) -> Any:
    """Posts the interest form with the session's CSRF token (from ``form_page``, else the call's page)."""
    data = {
        "name": "An Peeters",
        "email": "an@example.be",
        "organisation": "Stad Gent",
        "role": "procurer",
        "product_group": "",
        "message": "",
        **fields,
    }
    path = f"/{lang}/calls/{call_id}"
    token = csrf_of(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_the_list_shows_the_open_calls_then_those_closed_and_says_when_there_are_none(
    client: TestClient, session: Session
) -> None:
    empty = client.get("/en/calls")
    assert empty.status_code == 200
    assert "No call is open at the moment." in empty.text and "No call has closed yet." in empty.text
    programme = gdca(session)
    procirc = factories.programme(session, "procirc", short_name="ProCirc")
    factories.call(session, programme, title_en="Open until further notice")
    factories.call(session, procirc, title_en="Closing soon", closes_on=FUTURE)
    factories.call(session, procirc, title_en="Closed by date", closes_on=dt.date(2020, 3, 1))
    factories.call(session, programme, title_en="Closed by hand", closed_at=utcnow(), closes_on=FUTURE)
    session.commit()

    page = client.get("/en/calls")
    assert page.status_code == 200
    open_part, closed_part = page.text.split('id="closed-title"', 1)
    assert open_part.index("Closing soon") < open_part.index("Open until further notice")
    assert "open until 30 Jun 2099" in open_part and "open until further notice" in open_part
    assert "Closed by hand" in closed_part and "Closed by date" in closed_part
    assert closed_part.index("Closed by hand") < closed_part.index("Closed by date")  # newest first
    assert "closed on 1 Mar 2020" in closed_part
    assert 'href="/en/calls"' in page.text  # in the main navigation
    assert client.get("/nl/calls").status_code == 200


def test_a_call_page_names_its_programme_and_pilot_and_the_pilot_and_programme_link_to_it(
    client: TestClient, session: Session
) -> None:
    programme = gdca(session)
    pilot = factories.pilot(session, programme, title_en="Circular office chairs")
    call = factories.call(
        session, programme, pilot=pilot, title_en="Join the chairs pilot", body_en="Para one.\n\nPara two."
    )
    session.commit()
    page = client.get(f"/en/calls/{call.id}")
    assert page.status_code == 200
    assert 'href="/en/programmes/gdca"' in page.text and f'href="/en/pilots/{pilot.id}"' in page.text
    assert "Circular office chairs" in page.text and "Open until further notice" in page.text
    assert "<p>Para one.</p>" in page.text and "<p>Para two.</p>" in page.text
    assert 'name="role"' in page.text and "Procuring organisation" in page.text
    assert 'name="website"' in page.text  # the hidden field bots fill in

    pilot_page = client.get(f"/en/pilots/{pilot.id}").text
    assert "This pilot is open for new participants." in pilot_page
    assert f'href="/en/calls/{call.id}"' in pilot_page
    programme_page = client.get("/en/programmes/gdca").text
    assert "Open for new participants" in programme_page and f'href="/en/calls/{call.id}"' in programme_page

    call.closed_at = utcnow()
    session.commit()
    closed = client.get(f"/en/calls/{call.id}")
    assert "and takes no more expressions of interest" in closed.text and 'name="role"' not in closed.text
    assert "This pilot is open" not in client.get(f"/en/pilots/{pilot.id}").text
    assert "Open for new participants" not in client.get("/en/programmes/gdca").text
    assert client.get("/en/calls/999999").status_code == 404


def test_a_visitor_expresses_interest_and_a_refused_form_keeps_what_was_typed(
    client: TestClient, session: Session
) -> None:
    call = factories.call(session, gdca(session), closes_on=FUTURE)
    textiles = factories.product_group(session, "textiles")
    session.commit()

    refused = interest(
        client, call.id, email="an at example", role="", product_group="textiles", message="We buy uniforms."
    )
    assert refused.status_code == 400
    assert "Enter an e-mail address such as name@example.org." in refused.text
    assert "Choose one of the options." in refused.text
    assert 'value="an at example"' in refused.text and 'value="Stad Gent"' in refused.text
    assert "We buy uniforms." in refused.text
    assert '<option value="textiles" selected>' in refused.text
    unknown_group = interest(client, call.id, product_group="spaceships")
    assert unknown_group.status_code == 400 and "Choose one of the options offered." in unknown_group.text
    header_injection = interest(client, call.id, organisation="Gent\r\nBcc: all@example.org")
    assert header_injection.status_code == 400 and "Write this on one line" in header_injection.text
    assert session.scalars(select(CallInterest)).all() == []

    sent = interest(client, call.id, role="supplier", product_group="textiles", message="We make workwear.")
    assert sent.status_code == 303 and sent.headers["location"] == f"/en/calls/{call.id}"
    assert "the coordinators have your interest" in client.get(sent.headers["location"]).text
    stored = session.scalars(select(CallInterest)).one()
    assert (stored.name, stored.email, stored.organisation_name, stored.role) == (
        "An Peeters",
        "an@example.be",
        "Stad Gent",
        CallRole.SUPPLIER,
    )
    assert (stored.product_group_id, stored.message, stored.language) == (
        textiles.id,
        "We make workwear.",
        "en",
    )
    assert stored.status is RequestStatus.PENDING


def test_a_second_pending_interest_from_the_same_address_is_refused(
    client: TestClient, session: Session
) -> None:
    call = factories.call(session, gdca(session))
    other = factories.call(session, call.programme)
    session.commit()
    assert interest(client, call.id).status_code == 303
    again = interest(client, call.id, email="AN@example.be", message="Second try")
    assert again.status_code == 409
    assert "is already waiting for the coordinators" in again.text
    assert 'value="AN@example.be"' in again.text and "Second try" in again.text
    assert interest(client, other.id).status_code == 303  # another call: fine
    # Once answered, the same address may express interest again.
    first = session.scalars(select(CallInterest).where(CallInterest.call_id == call.id)).one()
    first.status = RequestStatus.DECLINED
    session.commit()
    assert interest(client, call.id).status_code == 303


def test_two_processes_storing_the_same_interest_at_once_store_it_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = factories.call(session, gdca(session))
    session.commit()
    values: dict[str, Any] = {
        "call": call,
        "today": services.today(),
        "name": "An",
        "email": "an@example.be",
        "organisation_name": "Stad Gent",
        "role": CallRole.PROCURER,
        "product_group_id": None,
        "message": "",
        "language": "nl",
    }
    services.express_interest(session, **values)
    session.commit()
    # The other process checked before this one stored its interest: only the index stops it.
    monkeypatch.setattr(services, "_pending_interest", lambda *args, **kwargs: None)
    with pytest.raises(Refused) as refused:
        services.express_interest(session, **values)
    assert refused.value.field == "email"
    session.commit()  # the transaction survived the refused insert
    assert len(session.scalars(select(CallInterest)).all()) == 1


def test_a_closed_call_takes_no_interest(client: TestClient, session: Session) -> None:
    programme = gdca(session)
    by_hand = factories.call(session, programme, closed_at=dt.datetime(2024, 5, 2, 10, 0, tzinfo=dt.UTC))
    by_date = factories.call(session, programme, closes_on=dt.date(2021, 12, 31))
    session.commit()
    refused = interest(client, by_hand.id, form_page="/en/newsletter")  # a closed call shows no form
    assert refused.status_code == 409
    assert "This call closed on 2 May 2024 and takes no more expressions of interest." in refused.text
    late = interest(
        client, by_date.id, form_page="/en/newsletter", email="not-an-address"
    )  # closed comes before the form's errors
    assert late.status_code == 409 and "closed on 31 Dec 2021" in late.text
    assert session.scalars(select(CallInterest)).all() == []


def test_a_call_open_until_today_still_takes_interest(client: TestClient, session: Session) -> None:
    call = factories.call(session, gdca(session), closes_on=services.today())
    session.commit()
    assert interest(client, call.id).status_code == 303


def test_a_bot_filling_the_hidden_field_sees_thanks_and_nothing_happens(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session
) -> None:
    programme = gdca(session)
    factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    call = factories.call(session, programme)
    session.commit()
    answer = interest(mail_client, call.id, website="http://spam.example")
    assert answer.status_code == 303
    assert "the coordinators have your interest" in mail_client.get(answer.headers["location"]).text
    assert session.scalars(select(CallInterest)).all() == []
    assert inbox[0].received == []


def test_one_client_sending_form_after_form_is_stopped(client: TestClient, session: Session) -> None:
    call = factories.call(session, gdca(session))
    session.commit()
    limit = PUBLIC_FORM_POSTS.amount
    answers = [interest(client, call.id, email=f"bot{n}@example.org").status_code for n in range(limit + 1)]
    assert answers[:limit] == [303] * limit and answers[limit] == 429
    assert len(session.scalars(select(CallInterest)).all()) == limit


def test_a_form_without_its_token_is_refused(client: TestClient, session: Session) -> None:
    call = factories.call(session, gdca(session))
    session.commit()
    client.get(f"/en/calls/{call.id}")
    answer = client.post(f"/en/calls/{call.id}", data={"name": "An", "email": "an@example.be"})
    assert answer.status_code == 403
    assert session.scalars(select(CallInterest)).all() == []


def test_the_coordinators_hear_of_an_interest_in_both_languages(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session
) -> None:
    programme = gdca(session)
    factories.programme(session, "procirc")
    textiles = factories.product_group(session, "textiles")
    textiles.name_nl, textiles.name_en = "Textiel", "Textiles"
    factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    factories.user(session, "piet@example.org", coordinator_of=["gdca"])
    factories.user(session, "other@example.org", coordinator_of=["procirc"])
    call: Call = factories.call(
        session, programme, title_nl="Doe mee met textiel", title_en="Join textiles", source_language="nl"
    )
    session.commit()
    sent = interest(
        mail_client,
        call.id,
        lang="nl",
        role="facilitator",
        product_group="textiles",
        message="We helpen met <b>bestekken</b>",
    )
    assert sent.status_code == 303
    [notice] = inbox[0].to("gina@example.org")
    assert len(inbox[0].to("piet@example.org")) == 1 and inbox[0].to("other@example.org") == []
    assert notice["Subject"].count("An Peeters") == 2 and " · " in notice["Subject"]
    assert "Doe mee met textiel" in notice["Subject"]
    text = text_of(notice)
    assert f"http://testserver/nl/coordinator/calls/{call.id}" in text
    assert f"http://testserver/en/coordinator/calls/{call.id}" in text
    assert "Join textiles" in text and "Doe mee met textiel" in text  # each part in its language
    assert "Textiel" in text and "Textiles" in text and "Stad Gent" in text and "an@example.be" in text
    html = html_of(notice)
    assert '<div lang="nl">' in html and '<div lang="en">' in html
    assert "We helpen met &lt;b&gt;bestekken&lt;/b&gt;" in html
    page = mail_client.get(sent.headers["location"]).text
    assert "Bedankt" in page or "the coordinators have your interest" in page


@pytest.fixture
def broken_mail_client(sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    """The app with an SMTP server configured where nothing listens."""
    settings = smtp_settings(tmp_path, free_port(), base_url="http://testserver")
    with TestClient(create_app(settings, sessions=sessions), raise_server_exceptions=False) as c:
        yield c


def test_a_mail_server_that_is_down_loses_no_interest(
    broken_mail_client: TestClient, session: Session
) -> None:
    programme = gdca(session)
    factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    call = factories.call(session, programme)
    session.commit()
    sent = interest(broken_mail_client, call.id)
    assert sent.status_code == 303
    page = broken_mail_client.get(sent.headers["location"]).text
    assert "The e-mail to the coordinators could not be sent" in page
    stored = session.scalars(select(CallInterest)).one()
    assert (stored.email, stored.status) == ("an@example.be", RequestStatus.PENDING)


def test_markup_in_what_visitors_and_coordinators_write_stays_text(
    client: TestClient, session: Session
) -> None:
    call = factories.call(session, gdca(session), title_en="<script>alert(1)</script> Join")
    session.commit()
    page = client.get(f"/en/calls/{call.id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert interest(client, call.id, name="<img src=x onerror=alert(1)>").status_code == 303
    assert session.scalars(select(CallInterest.name)).one() == "<img src=x onerror=alert(1)>"
