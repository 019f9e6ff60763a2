"""Events, public side: the list (to come first, then past) with its filters, one event with its
places per side, the suppliers' offers and the outcome, registering as a buyer or a supplier without
an account (the confirmation through a real SMTP server), and the events as iCalendar."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.db import utcnow
from hub.events import services
from hub.events.models import Event, EventKind, EventRegistration, Side
from hub.programmes.models import Programme
from hub.refusals import Refused
from tests import factories
from tests.accounts.conftest import csrf_of
from tests.mail import Inbox, html_of, smtp_settings, text_of
from tests.servers import free_port

PAST = dt.datetime(2018, 5, 24, 7, 30, tzinfo=dt.UTC)


def gdca(session: Session) -> Programme:
    return factories.programme(session, "gdca", short_name="GDCA")


def register(client: TestClient, event_id: int, lang: str = "en", form_page: str = "", **fields: str) -> Any:
    """Posts the registration form with the session's CSRF token (from ``form_page``, else the
    event's page)."""
    data = {
        "side": "supplier",
        "organisation": "Refurb Noord",
        "name": "Jonas Claeys",
        "email": "jonas@refurb.example",
        "product_group": "ict",
        "offer": "Refurbished laptops with take-back.",
        **fields,
    }
    path = f"/{lang}/events/{event_id}"
    token = csrf_of(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def with_groups(session: Session) -> None:
    for position, (code, name_nl, name_en) in enumerate(
        (("ict", "ICT", "ICT"), ("textiles", "Textiel", "Textiles")), start=1
    ):
        group = factories.product_group(session, code, position=position)
        group.name_nl, group.name_en = name_nl, name_en


def test_the_list_shows_events_to_come_first_then_past_ones_and_filters_them(
    client: TestClient, session: Session
) -> None:
    programme = gdca(session)
    procirc = factories.programme(session, "procirc", short_name="ProCirc")
    factories.event(session, programme, title_en="Old action day", kind=EventKind.ACTION_DAY, starts_at=PAST)
    factories.event(
        session,
        procirc,
        title_en="Recent inspiration",
        kind=EventKind.INSPIRATION_DAY,
        starts_at=PAST.replace(year=2019),
    )
    factories.event(
        session, programme, title_en="Far ahead", starts_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    )
    factories.event(session, programme, title_en="Soon", starts_at=dt.datetime(2098, 1, 1, tzinfo=dt.UTC))
    factories.event(session, programme, title_en="Archived one", withdrawn_at=utcnow())
    session.commit()

    page = client.get("/en/events")
    assert page.status_code == 200
    text = page.text
    order = [text.index(title) for title in ("Soon", "Far ahead", "Recent inspiration", "Old action day")]
    assert order == sorted(order)
    assert "Archived one" not in text and "4 events" in text
    assert 'href="/en/events"' in text and 'href="/en/events.ics"' in text  # navigation and feed

    action_days = client.get("/en/events?kind=action_day").text
    assert "Old action day" in action_days and "Far ahead" not in action_days
    of_procirc = client.get("/en/events?programme=procirc").text
    assert "Recent inspiration" in of_procirc and "Old action day" not in of_procirc
    assert client.get("/nl/events").status_code == 200

    bad_kind = client.get("/en/events?kind=party")
    assert (
        bad_kind.status_code == 400 and "“party” is not a valid value for the filter “Kind”." in bad_kind.text
    )
    assert client.get("/en/events?programme=nope").status_code == 400
    assert client.get("/en/events?page=0").status_code == 400
    past_the_end = client.get("/en/events?page=2")
    assert past_the_end.status_code == 404 and "There is no page 2: the list has 1." in past_the_end.text


def test_an_event_page_shows_its_facts_places_offers_and_outcome(
    client: TestClient, session: Session
) -> None:
    with_groups(session)
    event = factories.event(
        session,
        gdca(session),
        title_en="Buyer meets Supplier: ICT",
        summary_en="Meet suppliers.",
        capacity_buyers=50,
        capacity_suppliers=2,
        location="De Krook, Gent",
    )
    session.commit()
    page = client.get(f"/en/events/{event.id}")
    assert page.status_code == 200
    assert "Buyer meets Supplier: ICT" in page.text and "De Krook, Gent" in page.text
    # In the event's own time zone, the day said once.
    assert "Tuesday, 12 May 2099 09:30</time> – <time" in page.text and "16:30 CEST</time>" in page.text
    assert "50 of 50 left" in page.text and "2 of 2 left" in page.text
    assert "<legend>I register as" in page.text and 'type="radio" name="side"' in page.text
    assert re.search(r"a procuring organisation\s+<span>\(50 places left\)</span>", page.text)
    assert 'name="website"' in page.text  # the hidden field bots fill in
    assert "Suppliers and their circular offers" not in page.text

    assert register(client, event.id).status_code == 303
    assert register(client, event.id, side="buyer", email="an@stad.example").status_code == 303
    page = client.get(f"/en/events/{event.id}").text
    assert "49 of 50 left" in page and "1 of 2 left" in page
    offers = page.split("Suppliers and their circular offers", 1)[1]
    assert "ICT" in offers and "Refurb Noord" in offers and "Refurbished laptops with take-back." in offers
    assert "jonas@refurb.example" not in page  # addresses are not shown
    # Written in English (the page it was sent from): on the Dutch page it says so, and carries it.
    assert "Refurbished laptops with take-back.</p>" in offers and "in Dutch" not in offers
    dutch = client.get(f"/nl/events/{event.id}").text
    badge = '<span class="badge badge-untranslated">'
    marked = f'<span lang="en">Refurbished laptops with take-back.</span> {badge}'
    assert f"{marked}in het Engels</span>" in dutch

    event.starts_at = PAST
    session.commit()
    past = client.get(f"/en/events/{event.id}").text
    assert "The outcome of this event has not been written yet." in past and 'name="side"' not in past
    # A past event shows who registered, not places left beside its outcome.
    assert "left" not in past.split("<dl", 1)[1].split("</dl>", 1)[0]
    assert re.search(r"<dt>Buyers registered here</dt><dd>1</dd>", past)
    assert re.search(r"<dt>Suppliers registered here</dt><dd>1</dd>", past)
    event.outcome_en = "Forty conversations.\n\nFour pilots found a supplier."
    session.commit()
    past = client.get(f"/en/events/{event.id}").text
    assert "<p>Forty conversations.</p>" in past and "<p>Four pilots found a supplier.</p>" in past
    assert client.get("/en/events/999999").status_code == 404
    event.withdrawn_at = utcnow()
    session.commit()
    assert client.get(f"/en/events/{event.id}").status_code == 404


def test_a_supplier_registers_and_gets_a_confirmation_in_their_language(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session
) -> None:
    with_groups(session)
    event: Event = factories.event(
        session, gdca(session), title_nl="Aankopers ontmoeten leveranciers", title_en="Buyers meet suppliers"
    )
    session.commit()
    sent = register(mail_client, event.id, lang="nl", email="Jonas@Refurb.example")
    assert sent.status_code == 303 and sent.headers["location"] == f"/nl/events/{event.id}"
    stored = session.scalars(select(EventRegistration)).one()
    assert (stored.side, stored.organisation_name, stored.contact_name, stored.email) == (
        Side.SUPPLIER,
        "Refurb Noord",
        "Jonas Claeys",
        "jonas@refurb.example",
    )
    assert stored.circular_offer == "Refurbished laptops with take-back." and stored.language == "nl"
    assert stored.product_group is not None and stored.product_group.code == "ict"
    [message] = inbox[0].to("jonas@refurb.example")
    assert "Aankopers ontmoeten leveranciers" in message["Subject"]
    text = text_of(message)
    assert "Jonas Claeys" not in text and "Refurbished laptops" not in text  # the address is unconfirmed
    assert f"http://testserver/nl/events/{event.id}" in text
    assert '<div lang="nl">' in html_of(message)
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart") == event.starts_at
    page = mail_client.get(sent.headers["location"]).text
    assert "Je bent ingeschreven. Een bevestiging is onderweg naar Jonas@refurb.example." in page


def test_a_refused_form_keeps_what_was_typed(client: TestClient, session: Session) -> None:
    with_groups(session)
    event = factories.event(session, gdca(session))
    session.commit()
    refused = register(
        client, event.id, product_group="", offer="", email="not an address", organisation="Vezelkring"
    )
    assert refused.status_code == 400
    assert "Enter an e-mail address such as name@example.org." in refused.text
    assert refused.text.count("This field is required.") >= 1 and "Choose one of the options." in refused.text
    assert 'value="not an address"' in refused.text and 'value="Vezelkring"' in refused.text
    assert 'value="supplier" checked' in refused.text
    no_side = register(client, event.id, side="", offer="We repair workwear.", product_group="textiles")
    assert no_side.status_code == 400 and "We repair workwear." in no_side.text
    assert '<option value="textiles" selected>' in no_side.text
    assert session.scalars(select(EventRegistration)).all() == []
    # A buyer needs no product group nor offer.
    buyer = register(client, event.id, side="buyer", product_group="", offer="")
    assert buyer.status_code == 303


def test_an_address_registers_once_per_event(client: TestClient, session: Session) -> None:
    with_groups(session)
    event = factories.event(session, gdca(session))
    other = factories.event(session, event.programme)
    session.commit()
    assert register(client, event.id).status_code == 303
    again = register(client, event.id, side="buyer", email="JONAS@refurb.example", organisation="Second try")
    assert again.status_code == 409
    assert "This address is registered already for this event." in again.text
    assert 'value="Second try"' in again.text and 'value="JONAS@refurb.example"' in again.text
    assert register(client, event.id, form_page="/en/newsletter").status_code == 409
    assert register(client, other.id).status_code == 303  # another event: fine
    # Once cancelled, the address may register again.
    first = session.scalars(select(EventRegistration).where(EventRegistration.event_id == event.id)).one()
    first.cancelled_at = utcnow()
    session.commit()
    assert register(client, event.id).status_code == 303


def test_two_processes_storing_the_same_address_at_once_store_it_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = factories.event(session, gdca(session))
    session.commit()
    values: dict[str, Any] = {
        "event": event,
        "side": Side.BUYER,
        "organisation_name": "Stad Gent",
        "contact_name": "An",
        "email": "an@gent.example",
        "product_group_id": None,
        "circular_offer": "",
        "language": "nl",
        "now": utcnow(),
    }
    services.register(session, **values)
    session.commit()
    # The other process checked before this one stored its registration: only the index stops it.
    monkeypatch.setattr(services, "_registered", lambda *args, **kwargs: None)
    with pytest.raises(Refused) as refused:
        services.register(session, **{**values, "email": "AN@gent.example"})
    assert refused.value.field == "email"
    session.commit()  # the transaction survived the refused insert
    assert len(session.scalars(select(EventRegistration)).all()) == 1


def test_a_full_side_is_refused_while_the_other_stays_open(client: TestClient, session: Session) -> None:
    with_groups(session)
    event = factories.event(session, gdca(session), capacity_suppliers=1, capacity_buyers=10)
    session.commit()
    assert register(client, event.id).status_code == 303
    full = register(client, event.id, email="sara@vezelkring.example", organisation="Vezelkring")
    assert full.status_code == 409
    assert "The one place for suppliers is taken." in full.text
    assert 'value="Vezelkring"' in full.text and "Refurbished laptops with take-back." in full.text
    assert "(full)" in full.text
    buyer = register(
        client, event.id, side="buyer", email="sara@vezelkring.example", form_page="/en/newsletter"
    )
    assert buyer.status_code == 303
    counts = services.taken_places(session, event_ids=[event.id])[event.id]
    assert counts == {Side.SUPPLIER: 1, Side.BUYER: 1}
    # A side without places (0) takes nobody; with both sides full the form is gone.
    event.capacity_buyers = 1
    session.commit()
    page = client.get(f"/en/events/{event.id}").text
    assert "This event is full: every place is taken." in page and 'name="side"' not in page


def test_a_past_event_or_a_closed_registration_takes_nobody(client: TestClient, session: Session) -> None:
    with_groups(session)
    programme = gdca(session)
    past = factories.event(session, programme, starts_at=PAST, ends_at=None)
    closed = factories.event(
        session, programme, registration_closes_at=dt.datetime(2024, 5, 3, 22, 0, tzinfo=dt.UTC)
    )
    session.commit()
    late = register(client, past.id, form_page="/en/newsletter", email="not-an-address")  # closed comes first
    assert late.status_code == 409 and "This event has taken place: registration is closed." in late.text
    refused = register(client, closed.id, form_page="/en/newsletter")
    assert refused.status_code == 409
    assert "Registration for this event closed on 3 May 2024." in refused.text  # midnight in Brussels
    assert 'name="side"' not in client.get(f"/en/events/{closed.id}").text
    assert session.scalars(select(EventRegistration)).all() == []


def test_a_form_without_its_token_is_refused(client: TestClient, session: Session) -> None:
    event = factories.event(session, gdca(session))
    session.commit()
    client.get(f"/en/events/{event.id}")
    answer = client.post(f"/en/events/{event.id}", data={"side": "buyer", "email": "an@example.be"})
    assert answer.status_code == 403
    assert session.scalars(select(EventRegistration)).all() == []


def test_a_bot_filling_the_hidden_field_sees_thanks_and_nothing_happens(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session
) -> None:
    with_groups(session)
    event = factories.event(session, gdca(session))
    session.commit()
    answer = register(mail_client, event.id, website="http://spam.example")
    assert answer.status_code == 303
    assert "You are registered." in mail_client.get(answer.headers["location"]).text
    assert session.scalars(select(EventRegistration)).all() == []
    assert inbox[0].received == []


@pytest.fixture
def broken_mail_client(sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    """The app with an SMTP server configured where nothing listens."""
    settings = smtp_settings(tmp_path, free_port(), base_url="http://testserver")
    with TestClient(create_app(settings, sessions=sessions), raise_server_exceptions=False) as c:
        yield c


def test_a_mail_server_that_is_down_loses_no_registration(
    broken_mail_client: TestClient, session: Session
) -> None:
    with_groups(session)
    event = factories.event(session, gdca(session))
    session.commit()
    sent = register(broken_mail_client, event.id)
    assert sent.status_code == 303
    page = broken_mail_client.get(sent.headers["location"]).text
    assert "The confirmation e-mail could not be sent" in page
    assert session.scalars(select(EventRegistration.email)).one() == "jonas@refurb.example"


def test_events_as_icalendar(client: TestClient, session: Session) -> None:
    programme = gdca(session)
    # 26 March 2099 falls after the clocks go forward: 09:30 in Brussels is 07:30 UTC.
    event = factories.event(
        session,
        programme,
        title_nl="Actiedag bouw",
        title_en="Action day construction",
        starts_at=dt.datetime(2099, 3, 30, 7, 30, tzinfo=dt.UTC),
        ends_at=None,
        location="C-mine, Genk",
    )
    factories.event(session, programme, title_en="Held before", starts_at=PAST)
    factories.event(session, programme, title_en="Archived", withdrawn_at=utcnow())
    session.commit()

    one = client.get(f"/nl/events/{event.id}.ics")
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/calendar")
    assert f'filename="event-{event.id}.ics"' in one.headers["content-disposition"]
    [vevent] = icalendar.Calendar.from_ical(one.content).walk("VEVENT")
    starts = vevent.decoded("dtstart")
    assert starts == event.starts_at and starts.utcoffset() == dt.timedelta(hours=2)
    assert str(starts.tzinfo) in ("Europe/Brussels", str(ZoneInfo("Europe/Brussels")))
    assert vevent.decoded("dtend") - starts == dt.timedelta(hours=2)  # no end: shown two hours long
    assert str(vevent["summary"]) == "Actiedag bouw" and str(vevent["location"]) == "C-mine, Genk"
    assert str(vevent["url"]) == f"http://testserver/nl/events/{event.id}"
    assert str(vevent["uid"]) == f"{event.uid}@testserver"

    feed = client.get("/en/events.ics")
    assert feed.status_code == 200
    summaries = [str(v["summary"]) for v in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")]
    assert summaries == ["Held before", "Action day construction"]
    assert client.get("/en/events/999999.ics").status_code == 404


def test_the_programme_counts_the_events_it_held(client: TestClient, session: Session) -> None:
    programme = gdca(session)
    for year in (2017, 2018, 2019):
        factories.event(session, programme, starts_at=PAST.replace(year=year))
    factories.event(session, programme)  # to come
    factories.event(session, programme, starts_at=PAST, withdrawn_at=utcnow())  # archived
    session.commit()
    page = client.get("/en/programmes/gdca").text
    figures = page.split("Key figures", 1)[1]
    assert "Events held" in figures
    held = figures.split("Events held", 1)[1].split("</div>", 1)[0]
    assert ">3</a>" in held and 'href="/en/events?programme=gdca"' in held
