"""The demo's ambition tool: progress and milestones that GDCA procurers logged for some of their
pilots, and one change still waiting for the coordinators' review.

The seeds say GDCA procurers followed up their progress in an online tool, not what they wrote in
it: the figures and milestones here are invented (a quarter of the GDCA pilots, by id, so that the
random generator draws nothing and the rest of the network is unchanged). Each report is what the
pilot's own dates give on the day it was written (a year after the start, or the Green Deal's end),
so a pilot not finished then reports part of the way. The change waiting for review is a procurer's
final report, sent in the days before the demo is loaded, of a pilot that has ended since its last
one. Milestones are written in Dutch, as the Flemish procurers would have.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.demo.context import Demo
from hub.demo.pilots import PilotRef
from hub.demo.programme_facts import GDCA
from hub.participants import forms
from hub.participants.models import Entry, EntryKind, EntryState
from hub.pilots.models import Pilot, PilotMilestone, PilotProgress, PilotStatus

REPORTED = (PilotStatus.RUNNING, PilotStatus.COMPLETED)
# (title, days after the start it was due, the progress at which it is done)
MILESTONES = (
    ("Behoefteanalyse afgerond", 60, 20),
    ("Marktconsultatie gehouden", 150, 40),
    ("Opdracht gegund", 240, 60),
    ("Eerste evaluatie van het contract", 540, 90),
)
SUBMITTED_DAYS_AGO = 3


def _reported_on(pilot: PilotRef) -> dt.date:
    """When the procurer last wrote in the tool: a year after the start, at the latest at its end."""
    return max(min(pilot.starts_on + dt.timedelta(days=365), GDCA.ends_on), pilot.starts_on)


def _percent(pilot: PilotRef, day: dt.date) -> int:
    """How far the pilot had come on ``day`` by its dates, in tens (100 once it ended)."""
    if pilot.ends_on is None:  # still running today: an end is not known yet
        return 30 + (pilot.id % 6) * 10
    if day >= pilot.ends_on:
        return 100
    share = (day - pilot.starts_on).days / max((pilot.ends_on - pilot.starts_on).days, 1)
    return min(90, max(10, round(share * 10) * 10))


def load_participants(demo: Demo, pilots: list[PilotRef]) -> None:
    reported = [p for p in pilots if p.programme == GDCA.code and p.status in REPORTED and p.procurers]
    reported = [p for p in reported if p.id % 4 == 0]
    if not reported:
        return
    progress: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    for pilot in reported:
        as_of = _reported_on(pilot)
        percent = _percent(pilot, as_of)
        progress.append({"pilot_id": pilot.id, "percent": percent, "as_of": as_of})
        for position, (title, days, done_at) in enumerate(MILESTONES):
            due_on = pilot.starts_on + dt.timedelta(days=days)
            done_on = min(due_on + dt.timedelta(days=7), as_of) if percent >= done_at else None
            milestones.append(
                {
                    "pilot_id": pilot.id,
                    "position": position,
                    "title": title,
                    "due_on": due_on,
                    "done_on": done_on,
                }
            )
    demo.insert_plain(PilotProgress, progress)
    demo.insert_plain(PilotMilestone, milestones)
    unfinished = [p for p in reported if _percent(p, _reported_on(p)) < 100]
    if unfinished:
        _waiting_change(demo, unfinished[0])


def _waiting_change(demo: Demo, pilot: PilotRef) -> None:
    """A pilot's procurer reports how far it has come now (done, once it ended); the coordinators
    have not reviewed it yet."""
    record = demo.session.get(Pilot, pilot.id)
    assert record is not None
    raw = forms.raw_of(record)
    raw["progress"] = str(_percent(pilot, demo.today))
    submitted_at = dt.datetime.combine(
        demo.today - dt.timedelta(days=SUBMITTED_DAYS_AGO), dt.time(9, 30), tzinfo=dt.UTC
    )
    values = {name: raw[name] for name in forms.FIELDS[EntryKind.PILOT] if name in raw}
    demo.insert_plain(
        Entry,
        [
            {
                "programme_id": demo.programmes[GDCA.code],
                "organisation_id": pilot.procurers[0],
                "kind": EntryKind.PILOT,
                "target_id": pilot.id,
                "title": forms.title_of(EntryKind.PILOT, values),
                "values": values,
                "state": EntryState.SUBMITTED,
                "review_note": "",
                "created_by_id": None,
                "created_at": submitted_at,
                "updated_at": submitted_at,
                "submitted_at": submitted_at,
            }
        ],
    )
