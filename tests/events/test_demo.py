"""The demo's events: GDCA's eight action and inspiration days and two Buyer-meets-Supplier events
(2017–2019) with their outcomes and suppliers' offers, and one event to come with an open form."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.db import utcnow
from hub.demo.generate import load_demo
from hub.events.models import Event, EventKind, EventRegistration, Side

SMALL = {"gdca": 40, "gdci": 20, "procirc": 12}


def test_the_demo_holds_gdca_s_events_and_one_to_come(client: TestClient, session: Session) -> None:
    summary = load_demo(session, pilots=SMALL)
    session.commit()
    events = session.scalars(select(Event).order_by(Event.starts_at)).all()
    assert summary.events == len(events) == 11
    assert all(event.is_demo and event.programme.code == "gdca" for event in events)
    held, to_come = events[:10], events[10:]
    assert all(dt.date(2017, 6, 1) <= e.starts_at.date() <= dt.date(2019, 11, 21) for e in held)
    assert Counter(e.kind for e in held) == {
        EventKind.ACTION_DAY: 5,
        EventKind.INSPIRATION_DAY: 3,
        EventKind.BUYER_MEETS_SUPPLIER: 2,
    }
    assert held[-1].starts_at.date() == dt.date(2019, 11, 21)  # the final event of the seeds
    assert all(e.outcome_nl and e.outcome_en and e.title_nl and e.title_en for e in held)
    suppliers = session.scalars(select(EventRegistration)).all()
    assert {r.side for r in suppliers} == {Side.SUPPLIER}
    assert all(r.circular_offer and r.product_group_id for r in suppliers)
    for event in held:
        if event.kind is EventKind.BUYER_MEETS_SUPPLIER:
            assert len({r.product_group_id for r in suppliers if r.event_id == event.id}) >= 3
    [upcoming] = to_come
    assert upcoming.starts_at > utcnow() and upcoming.kind is EventKind.BUYER_MEETS_SUPPLIER
    # Dated from the day the demo was loaded: the first Thursday six weeks or more ahead.
    ahead = upcoming.starts_at.date() - utcnow().date()
    assert dt.timedelta(weeks=6) <= ahead < dt.timedelta(weeks=7) and upcoming.starts_at.weekday() == 3
    assert all(r.created_at <= utcnow() for r in suppliers)  # nobody registered in the future

    page = client.get(f"/en/events/{upcoming.id}")
    assert page.status_code == 200 and 'name="side"' in page.text and "Refurb Noord" in page.text
    listing = client.get("/nl/events").text
    assert listing.index(upcoming.title_nl) < listing.index("Slotevent Green Deal Circulair Aankopen")
    assert "<dt>Events held</dt><dd><a" in client.get("/en/programmes/gdca").text.replace("\n", "")
