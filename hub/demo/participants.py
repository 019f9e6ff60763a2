"""The demo's ambition tool: progress and milestones that GDCA procurers logged for some of their
pilots, and one change still waiting for the coordinators' review.

The seeds say GDCA procurers followed up their progress in an online tool, not what they wrote in
it: the figures and milestones here are invented (a quarter of the GDCA pilots, by id, so that the
random generator draws nothing and the rest of the network is unchanged). Milestones are written in
Dutch, as the Flemish procurers would have.
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
SUBMITTED_AT = dt.datetime(2019, 10, 15, 9, 30, tzinfo=dt.UTC)


def _percent(pilot: PilotRef) -> int:
    return 100 if pilot.status is PilotStatus.COMPLETED else 30 + (pilot.id % 6) * 10


def load_participants(demo: Demo, pilots: list[PilotRef]) -> None:
    reported = [p for p in pilots if p.programme == GDCA.code and p.status in REPORTED and p.procurers]
    reported = [p for p in reported if p.id % 4 == 0]
    if not reported:
        return
    progress: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    for pilot in reported:
        percent = _percent(pilot)
        as_of = min(pilot.starts_on + dt.timedelta(days=365), GDCA.ends_on or pilot.starts_on)
        progress.append({"pilot_id": pilot.id, "percent": percent, "as_of": max(as_of, pilot.starts_on)})
        for position, (title, days, done_at) in enumerate(MILESTONES):
            due_on = pilot.starts_on + dt.timedelta(days=days)
            milestones.append(
                {
                    "pilot_id": pilot.id,
                    "position": position,
                    "title": title,
                    "due_on": due_on,
                    "done_on": due_on + dt.timedelta(days=7) if percent >= done_at else None,
                }
            )
    demo.insert_plain(PilotProgress, progress)
    demo.insert_plain(PilotMilestone, milestones)
    _waiting_change(demo, next(p for p in reported if p.status is PilotStatus.RUNNING))


def _waiting_change(demo: Demo, pilot: PilotRef) -> None:
    """A running pilot's procurer reports more progress; the coordinators have not reviewed it yet."""
    record = demo.session.get(Pilot, pilot.id)
    assert record is not None
    raw = forms.raw_of(record)
    raw["progress"] = str(min(100, _percent(pilot) + 10))
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
                "created_at": SUBMITTED_AT,
                "updated_at": SUBMITTED_AT,
                "submitted_at": SUBMITTED_AT,
            }
        ],
    )
