"""A pilot's progress and milestones (what its procurer logged and a coordinator published) travel
between hubs: the API sends them, a peer's are mirrored and shown, a bad value is that record's sync
error, and a peer of an earlier release (which sends neither) leaves what this hub has."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.federation.kinds import KINDS
from hub.pilots.models import Pilot, PilotMilestone, PilotProgress
from hub.sync.models import Source
from tests import factories
from tests.connectors.fixture_server import FixtureServer
from tests.federation.test_api import api, read_all, settings
from tests.sync.test_mirror import FIRST, SECOND, THIRD, errors, page, peer, pilot, source
from tests.sync.test_runs import run

__all__ = ["api", "peer", "settings", "source"]  # fixtures

PROGRESS = {"percent": 60, "as_of": "2019-06-30"}
MILESTONES = [
    {"title": "Market consultation", "due_on": "2019-03-01", "done_on": "2019-03-05"},
    {"title": "Award", "due_on": None, "done_on": None},
]


def test_the_api_sends_a_pilots_progress_and_milestones(api: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    record = factories.pilot(session, gdca)
    record.progress = PilotProgress(percent=60, as_of=dt.date(2019, 6, 30))
    record.milestones = [
        PilotMilestone(
            position=0, title="Market consultation", due_on=dt.date(2019, 3, 1), done_on=dt.date(2019, 3, 5)
        ),
        PilotMilestone(position=1, title="Award"),
    ]
    bare = factories.pilot(session, gdca)
    session.commit()
    documents, _cursor = read_all(api, "pilots")
    found = {d["uid"]: (d["progress"], d["milestones"]) for d in documents}
    assert found == {record.uid: (PROGRESS, MILESTONES), bare.uid: (None, [])}
    schema = KINDS["pilots"].schema()
    for document in documents:
        jsonschema.validate(document, schema)


def mirrored(session: Session) -> tuple[Any, list[tuple[str, str | None]]]:
    session.expire_all()
    found = session.scalars(select(Pilot).where(Pilot.mirrored.is_(True))).one()
    progress = (found.progress.percent, found.progress.as_of.isoformat()) if found.progress else None
    return progress, [(m.title, m.done_on.isoformat() if m.done_on else None) for m in found.milestones]


def test_a_peers_progress_is_mirrored_kept_from_an_earlier_release_and_checked(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    base = peer.base
    peer.routes["/api/v1/pilots?limit=2"] = page(
        "pilots", [pilot(base, 1, progress=PROGRESS, milestones=MILESTONES)], FIRST
    )
    first = run(sessions, source)
    assert (first.added, first.failed) == (1, 0), errors(session, first)
    assert mirrored(session) == ((60, "2019-06-30"), [("Market consultation", "2019-03-05"), ("Award", None)])

    # A peer of an earlier release sends neither: what this hub has stays.
    earlier = pilot(base, 1, title="Renamed at the peer")
    assert "progress" not in earlier and "milestones" not in earlier
    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = page("pilots", [earlier], SECOND)
    assert run(sessions, source).updated == 1
    assert mirrored(session)[0] == (60, "2019-06-30")

    # Progress over 100 % is that record's sync error; the record keeps what it had.
    bad = pilot(base, 1, progress={"percent": 120, "as_of": "2019-07-01"}, milestones=[])
    peer.routes[f"/api/v1/pilots?limit=2&after={SECOND}"] = page("pilots", [bad], THIRD)
    result = run(sessions, source)
    assert result.failed == 1
    assert errors(session, result) == ["progress.percent: expected a whole number from 0 to 100"]
    assert mirrored(session) == ((60, "2019-06-30"), [("Market consultation", "2019-03-05"), ("Award", None)])
