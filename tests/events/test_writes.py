"""One write path for events: the typed input, its rules wherever an event is written, the audit;
and the form's check of a local time the clocks skip (shared with the meetings' form)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.models import AuditEntry
from hub.events.models import EventKind
from hub.events.writes import (
    EventInput,
    create_event,
    errors_of,
    registration_closes_at,
    update_event,
)
from hub.forms import Form
from hub.refusals import Invalid
from tests import factories

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def event_input(programme_id: int, **changes: Any) -> EventInput:
    data = EventInput(
        programme_id=programme_id,
        kind=EventKind.BUYER_MEETS_SUPPLIER,
        source_language="en",
        title_en="Buyer meets Supplier: textiles",
        starts_at=dt.datetime(2099, 3, 26, 8, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2099, 3, 26, 15, 30, tzinfo=dt.UTC),
        capacity_buyers=80,
    )
    return dataclasses.replace(data, **changes)


def test_an_event_is_created_and_updated_with_its_audit(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    textiles = factories.product_group(session, "textiles")
    closes = registration_closes_at(dt.date(2099, 3, 20), "Europe/Brussels")
    data = event_input(programme.id, product_group_ids=(textiles.id,), registration_closes_at=closes)
    event = create_event(session, data=data, user_id=user.id, now=NOW)
    assert event.id is not None and [g.code for g in event.product_groups] == ["textiles"]
    assert event.registration_closes_at == dt.datetime(2099, 3, 20, 23, 0, tzinfo=dt.UTC)
    assert event.last_registration_day() == dt.date(2099, 3, 20)
    assert EventInput.of(event) == data

    assert not update_event(session, event=event, data=data, user_id=user.id, now=NOW)
    moved = dataclasses.replace(data, location="Gent", product_group_ids=())
    assert update_event(session, event=event, data=moved, user_id=user.id, now=NOW)
    assert event.location == "Gent" and event.product_groups == []
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "events")).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before == {"location": "", "product_groups": ["textiles"]}
    assert entries[1].summary == "Buyer meets Supplier: textiles"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": dt.datetime(2099, 3, 26, 8, 30, tzinfo=dt.UTC)}, "ends_at"),
        (
            {"registration_closes_at": registration_closes_at(dt.date(2099, 3, 27), "Europe/Brussels")},
            "registration_closes_at",
        ),
        ({"outcome_nl": "Veertig gesprekken."}, "outcome_nl"),
        ({"capacity_suppliers": -1}, "capacity_suppliers"),
        ({"title_en": ""}, "title_en"),
    ],
)
def test_the_rules_hold_for_every_write(session: Session, changes: dict[str, Any], field: str) -> None:
    programme = factories.programme(session, "gdca")
    with pytest.raises(Invalid) as raised:
        create_event(session, data=event_input(programme.id, **changes), user_id=1, now=NOW)
    assert list(raised.value.errors) == [field]

    event = factories.event(session, programme)
    with pytest.raises(Invalid):
        update_event(session, event=event, data=event_input(programme.id, **changes), user_id=1, now=NOW)
    assert event.title_en.startswith("Event ")  # nothing was written


def test_the_rules_read_what_they_are_given() -> None:
    """A form checks the rules over the values it could read: the others are not checked."""
    assert errors_of({"ends_at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}, now=NOW) == {}
    starts = dt.datetime(2019, 4, 25, 7, 30, tzinfo=dt.UTC)
    assert errors_of({"starts_at": starts, "outcome_en": "Done."}, now=NOW) == {}  # it took place
    # Registration may close at the end of the event's own day (in its zone), not a day later.
    same_day = registration_closes_at(dt.date(2019, 4, 25), "Europe/London")
    assert (
        errors_of(
            {"starts_at": starts, "registration_closes_at": same_day, "timezone": "Europe/London"}, now=NOW
        )
        == {}
    )
    next_day = registration_closes_at(dt.date(2019, 4, 26), "Europe/London")
    late = {"starts_at": starts, "registration_closes_at": next_day, "timezone": "Europe/London"}
    assert list(errors_of(late, now=NOW)) == ["registration_closes_at"]


def test_a_time_the_clocks_skip_is_refused() -> None:
    form = Form()
    # 01:30 on 25 March 2096 does not exist in London (the clocks jump from 01:00 to 02:00).
    assert form.moment("starts", dt.date(2096, 3, 25), dt.time(1, 30), "Europe/London") is None
    assert "Europe/London" in form.errors["starts"]  # in the language of the page
    moment = form.moment("ends", dt.date(2096, 3, 25), dt.time(9, 0), "Europe/London")
    assert moment == dt.datetime(2096, 3, 25, 8, 0, tzinfo=dt.UTC) and "ends" not in form.errors
