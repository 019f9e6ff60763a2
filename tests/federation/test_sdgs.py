"""A pilot's Sustainable Development Goals travel between hubs: the API sends them as numbers, a
peer's are mirrored and replaced on change, a bad list is that record's sync error, and a peer of
an earlier release (which sends none) leaves what this hub has."""

from __future__ import annotations

import time
from typing import Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.federation.kinds import KINDS
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.sync.models import RunStatus, Source
from tests import factories
from tests.connectors.fixture_server import FixtureServer
from tests.federation.test_api import api, read_all, settings
from tests.sync.test_mirror import FIRST, SECOND, THIRD, errors, page, peer, pilot, source
from tests.sync.test_runs import run

__all__ = ["api", "peer", "settings", "source"]  # fixtures


def test_the_api_sends_a_pilots_goals_and_a_change_of_them_alone_is_a_change(
    api: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    record = factories.pilot(session, gdca, sdgs=[13, 12])
    bare = factories.pilot(session, gdca)
    session.commit()
    documents, cursor = read_all(api, "pilots")
    assert {d["uid"]: d["sdgs"] for d in documents} == {record.uid: [12, 13], bare.uid: []}
    schema = KINDS["pilots"].schema()
    for document in documents:
        jsonschema.validate(document, schema)
    assert schema["properties"]["sdgs"]["items"] == {"type": "integer", "minimum": 1, "maximum": 17}

    time.sleep(0.002)
    record.sdgs = [9, 12]
    session.commit()
    changed, _ = read_all(api, "pilots", cursor)
    assert [(d["uid"], d["sdgs"]) for d in changed] == [(record.uid, [9, 12])]


def as_the_peers(document: dict[str, Any], base: str, n: int) -> dict[str, Any]:
    """This hub's document of a pilot as if a peer at ``base`` kept it (its own uid and address)."""
    uid = f"00000000-0000-4000-8000-{n:012d}"
    return {**document, "id": f"{base}/api/v1/pilots/{uid}", "uid": uid, "home_hub": base, "url": None}


def test_a_pilots_goals_make_the_round_trip_to_a_peer_and_back(
    api: TestClient,
    session: Session,
    sessions: sessionmaker[Session],
    source: Source,
    peer: FixtureServer,
) -> None:
    base = peer.base
    procirc = session.scalars(select(Programme).where(Programme.code == "procirc")).one()
    factories.pilot(session, procirc, title_en="Circular asphalt", sdgs=[13, 12, 9])
    session.commit()
    (document,) = read_all(api, "pilots")[0]
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [as_the_peers(document, base, 1)], FIRST)
    first = run(sessions, source)
    assert (first.added, first.failed) == (1, 0), errors(session, first)

    def mirrored() -> tuple[str, list[int]]:
        session.expire_all()
        found = session.scalars(select(Pilot).where(Pilot.mirrored.is_(True))).one()
        return found.title_en, found.sdgs

    assert mirrored() == ("Circular asphalt", [9, 12, 13])

    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = page("pilots", [pilot(base, 1, sdgs=[12])], SECOND)
    assert run(sessions, source).updated == 1
    assert mirrored() == ("Pilot 1", [12])

    # A peer of an earlier release knows no goals: it sends none, and the goals stay as they were.
    earlier = pilot(base, 1, title="Renamed at the peer")
    assert "sdgs" not in earlier
    peer.routes[f"/api/v1/pilots?limit=2&after={SECOND}"] = page("pilots", [earlier], THIRD)
    assert run(sessions, source).updated == 1
    assert mirrored() == ("Renamed at the peer", [12])


def test_a_pilot_of_an_earlier_release_is_mirrored_without_goals(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [pilot(peer.base, 1)], FIRST)
    result = run(sessions, source)
    assert (result.status, result.added, result.failed) == (RunStatus.SUCCEEDED, 1, 0)
    assert session.scalars(select(Pilot).where(Pilot.mirrored.is_(True))).one().sdgs == []


def test_goals_that_are_not_goal_numbers_are_that_records_sync_error(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    base = peer.base
    documents = [
        pilot(base, 1, sdgs=[12, 18]),
        pilot(base, 2, sdgs=["12"]),
        pilot(base, 3, sdgs=12),
        pilot(base, 4, sdgs=[True]),
        pilot(base, 5, sdgs=[13]),
    ]
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", documents[:2], FIRST, more=True)
    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = page("pilots", documents[2:4], SECOND, more=True)
    peer.routes[f"/api/v1/pilots?limit=2&after={SECOND}"] = page("pilots", documents[4:], THIRD)
    result = run(sessions, source)
    assert (result.added, result.failed) == (1, 4)
    assert errors(session, result) == ["sdgs: expected a list of goal numbers (1-17)"] * 4
    session.expire_all()
    (kept,) = session.scalars(select(Pilot).where(Pilot.mirrored.is_(True))).all()
    assert (kept.uid[-1:], kept.sdgs) == ("5", [13])
