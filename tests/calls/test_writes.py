"""One write path for calls to join: the typed input, its rules, the audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.models import AuditEntry
from hub.calls.writes import CallInput, create_call, update_call
from hub.db import utcnow
from hub.refusals import Invalid
from tests import factories

TODAY = dt.date(2024, 6, 1)


def call_input(programme_id: int, **changes: Any) -> CallInput:
    data = CallInput(
        programme_id=programme_id,
        source_language="nl",
        title_nl="Aankopers gezocht",
        body_nl="Sluit aan bij onze pilot.",
        closes_on=dt.date(2024, 6, 30),
    )
    return dataclasses.replace(data, **changes)


def test_a_call_is_created_and_updated_with_its_audit(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    pilot = factories.pilot(session, programme)
    user = factories.user(session)
    data = call_input(programme.id, pilot_id=pilot.id)
    call = create_call(session, data=data, user_id=user.id, on=TODAY)
    assert call.id is not None and call.created_by_id == user.id
    assert CallInput.of(call) == data
    assert not update_call(session, call=call, data=data, user_id=user.id, on=TODAY)
    assert update_call(
        session, call=call, data=dataclasses.replace(data, pilot_id=None), user_id=user.id, on=TODAY
    )
    assert call.pilot_id is None
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "calls")).all()
    assert list(actions) == ["create", "update"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pilot_id": 999999}, "pilot_id"),
        ({"closes_on": dt.date(2024, 5, 31)}, "closes_on"),
        ({"body_nl": ""}, "body_nl"),
        ({"title_nl": ""}, "title_nl"),
    ],
)
def test_the_rules_hold_for_every_write(session: Session, changes: dict[str, Any], field: str) -> None:
    programme = factories.programme(session, "gdca")
    with pytest.raises(Invalid) as raised:
        create_call(session, data=call_input(programme.id, **changes), user_id=1, on=TODAY)
    assert list(raised.value.errors) == [field]


def test_a_pilot_of_the_call_is_a_live_pilot_of_its_programme(session: Session) -> None:
    gdca, procirc = factories.programme(session, "gdca"), factories.programme(session, "procirc")
    theirs = factories.pilot(session, procirc)
    withdrawn = factories.pilot(session, gdca, withdrawn_at=utcnow())
    for pilot in (theirs, withdrawn):
        with pytest.raises(Invalid) as raised:
            create_call(session, data=call_input(gdca.id, pilot_id=pilot.id), user_id=1, on=TODAY)
        assert list(raised.value.errors) == ["pilot_id"]


def test_a_closing_day_that_passed_may_stay(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    call = factories.call(session, programme, closes_on=dt.date(2021, 6, 30))
    kept = dataclasses.replace(CallInput.of(call), title_en="Still the same day")
    assert update_call(session, call=call, data=kept, user_id=user.id, on=TODAY)
    with pytest.raises(Invalid):
        update_call(
            session,
            call=call,
            data=dataclasses.replace(kept, closes_on=dt.date(2021, 7, 1)),
            user_id=1,
            on=TODAY,
        )
    assert call.closes_on == dt.date(2021, 6, 30)
