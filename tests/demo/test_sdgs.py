"""The demo's Sustainable Development Goals: GDCA's from the seed, none invented for the other
programmes, and every demo pilot's derived from what it is (circular; CO2 measured or not)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.demo.generate import load_demo
from hub.pilots.models import Pilot, PilotSdg
from hub.programmes.models import Programme


def test_the_demo_networks_goals(session: Session) -> None:
    load_demo(session, pilots={"gdca": 40, "gdci": 20, "procirc": 20})
    programmes = {programme.code: programme.sdgs for programme in session.scalars(select(Programme))}
    assert programmes == {"gdca": [9, 11, 12, 13, 17], "gdci": [], "procirc": []}

    goals: dict[int, list[int]] = {}
    for pilot_id, number in session.execute(select(PilotSdg.pilot_id, PilotSdg.sdg).order_by(PilotSdg.sdg)):
        goals.setdefault(pilot_id, []).append(number)
    measured: dict[int, bool] = dict(
        session.execute(select(Pilot.id, Pilot.co2_baseline_t.is_not(None))).all()
    )
    assert len(measured) == 80
    assert {pilot_id: [12, 13] if co2 else [12] for pilot_id, co2 in measured.items()} == goals
    assert any(measured.values()) and not all(measured.values())
