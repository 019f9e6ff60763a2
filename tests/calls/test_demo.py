"""The demo's calls to join: ProCirc's open call to join its pilots, closed with the project, and
one open call of the GDCA network (for a new pilot), dated from the day the demo is loaded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.calls.models import Call
from hub.calls.services import open_calls, today
from hub.demo.generate import load_demo

SMALL = {"gdca": 40, "gdci": 20, "procirc": 12}


def test_procirc_s_call_is_closed_and_a_gdca_call_is_open(session: Session) -> None:
    day = today()
    load_demo(session, pilots=SMALL, today=day)
    procirc, gdca = session.scalars(select(Call).order_by(Call.id)).all()
    assert procirc.programme.code == "procirc" and procirc.pilot_id is None
    assert procirc.closes_on == dt.date(2023, 12, 31) and not procirc.is_open(today())
    assert "meer dan 30 pilootprojecten" in procirc.body_nl and procirc.source_language == "nl"
    assert procirc.created_at == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert gdca.programme.code == "gdca" and gdca.is_open(today())
    # Open since two weeks before the day the demo was loaded, for eight weeks after it.
    assert gdca.closes_on == day + dt.timedelta(weeks=8) and "Demo" in gdca.body_en
    assert gdca.created_at.date() == day - dt.timedelta(weeks=2)
    assert gdca.pilot_id is None and "new pilot" in gdca.title_en  # GDCA's own pilots have ended
    assert [call.id for call in open_calls(session, today=today())] == [gdca.id]
