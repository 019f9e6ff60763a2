"""Mirroring a peer hub over real HTTP: what a good, a broken and a hostile peer do to this hub.

The peer is a fixture server on 127.0.0.1 answering with pages of the API; each bad answer is
refused with a recorded reason, and what the hub held before is still there, unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectors import peer as peer_connector
from hub.communities.models import CloseOut, Community, Meeting, MeetingMode
from hub.federation.children import Links
from hub.federation.kinds import KINDS
from hub.lessons.models import Lesson, LessonKind
from hub.organisations.models import Organisation
from hub.pilots.models import Pilot
from hub.sync import mirror
from hub.sync.models import RunStatus, Source, SyncError, SyncRun
from hub.sync.runner import RunSettings
from tests import factories
from tests.connectors.fixture_server import File, FixtureServer, Status
from tests.sync.test_runs import run  # one run of a source, as a coordinator's "run now"

FIRST = "c1.1795000000000000.10"
SECOND = "c1.1795000000000001.20"
THIRD = "c1.1795000000000002.30"


@pytest.fixture
def peer() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        index = {
            "api_version": "1.0",
            "kinds": {kind: f"{running.base}/api/v1/{kind}" for kind in peer_connector.KINDS},
        }
        running.routes["/api/v1/"] = File(json.dumps(index).encode(), "application/json")
        yield running


def page(
    kind: str, documents: list[Any], next_cursor: str | None, more: bool = False, version: str = "1.0"
) -> File:
    body = {
        "api_version": version,
        "kind": kind,
        "data": documents,
        "next_cursor": next_cursor,
        "has_more": more,
    }
    return File(json.dumps(body).encode(), "application/json")


def pilot(base: str, n: int, title: str = "", **fields: Any) -> dict[str, Any]:
    uid = f"00000000-0000-4000-8000-{n:012d}"
    document = {
        "id": f"{base}/api/v1/pilots/{uid}",
        "uid": uid,
        "home_hub": base,
        "updated_at": "2026-11-25T10:00:00Z",
        "deleted": False,
        "url": f"{base}/en/pilots/{n}",
        "created_at": "2026-11-25T09:00:00Z",
        "demo": False,
        "source_language": "en",
        "programme": "procirc",
        "title": {"nl": None, "en": title or f"Pilot {n}"},
        "summary": {"nl": None, "en": "Reuse of office furniture"},
        "product_group": None,
        "country": "NL",
        "phase": "tender",
        "status": "running",
        "starts_on": "2021-03-01",
        "ends_on": None,
        "contract_value": "125000.00",
        "raw_materials_baseline_t": None,
        "raw_materials_result_t": None,
        "waste_baseline_t": None,
        "waste_result_t": None,
        "co2_baseline_t": None,
        "co2_result_t": None,
        "strategies": [],
        "parties": [],
    }
    return {**document, **fields}


def tombstone(base: str, n: int) -> dict[str, Any]:
    document = pilot(base, n)
    return {key: document[key] for key in ("id", "uid", "home_hub", "updated_at")} | {"deleted": True}


@pytest.fixture
def source(session: Session, peer: FixtureServer) -> Source:
    factories.programme(session, "procirc")
    gdca = factories.programme(session, "gdca")
    record: Source = factories.source(
        session,
        gdca,
        "procirc-hub",
        kind="hub",
        options={"url": peer.base, "kinds": ["pilots"], "page_size": 2},
    )
    session.commit()
    return record


def mirrored(session: Session) -> dict[str, tuple[str, bool]]:
    session.expire_all()
    rows = session.scalars(select(Pilot).where(Pilot.mirrored.is_(True)))
    return {p.uid[-2:]: (p.title_en, p.withdrawn_at is None) for p in rows}


def errors(session: Session, run: SyncRun) -> list[str]:
    found = session.scalars(select(SyncError).where(SyncError.run_id == run.id).order_by(SyncError.id))
    return [error.message % error.message_values for error in found]


def test_a_peers_records_are_mirrored_then_edits_and_deletions_follow(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    base = peer.base
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [pilot(base, 1), pilot(base, 2)], FIRST, more=True)
    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = page("pilots", [pilot(base, 3)], SECOND)
    first = run(sessions, source)
    assert (first.status, first.added, first.failed) == (RunStatus.SUCCEEDED, 3, 0), errors(session, first)
    assert mirrored(session) == {"01": ("Pilot 1", True), "02": ("Pilot 2", True), "03": ("Pilot 3", True)}
    record = session.scalars(select(Pilot).where(Pilot.uid.endswith("01"))).one()
    assert (record.home_hub, record.origin_url, record.source_id) == (base, f"{base}/en/pilots/1", source.id)
    assert record.programme.code == "procirc" and record.contract_value == 125000

    # The next run asks only for what changed after the cursor: an edit and a deletion.
    peer.routes[f"/api/v1/pilots?limit=2&after={SECOND}"] = page(
        "pilots", [pilot(base, 2, "Pilot 2, renamed"), tombstone(base, 3)], THIRD
    )
    second = run(sessions, source)
    assert (second.added, second.updated, second.deleted) == (0, 1, 1)
    assert mirrored(session) == {
        "01": ("Pilot 1", True),
        "02": ("Pilot 2, renamed", True),
        "03": ("Pilot 3", False),
    }
    assert peer.requests[-1].path == f"/api/v1/pilots?limit=2&after={SECOND}"

    # Nothing changed: the API index (the kinds the peer publishes) and one page, nothing written.
    peer.routes[f"/api/v1/pilots?limit=2&after={THIRD}"] = page("pilots", [], THIRD)
    before = len(peer.requests)
    third = run(sessions, source)
    assert (third.added, third.updated, third.deleted, len(peer.requests) - before) == (0, 0, 0, 2)


def test_records_that_are_not_the_peers_to_give_are_refused_one_by_one(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    base = peer.base
    own = factories.pilot(session, source.programme, title_en="Ours")
    session.commit()
    documents = [
        pilot(base, 1),
        pilot(base, 2, home_hub="http://elsewhere.example"),  # names another hub as its home
        pilot(base, 3, uid=own.uid),  # the uid of one of this hub's own records
        pilot(base, 4, parties=[{"organisation": "no-such-organisation", "role": "procurer"}]),
        pilot(base, 5, country="XX"),
    ]
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", documents, FIRST)
    result = run(sessions, source)
    assert (result.status, result.added, result.failed) == (RunStatus.PARTIAL, 1, 4)
    messages = errors(session, result)
    assert "names http://elsewhere.example as its home" in messages[0]
    assert "A record of this hub has the same uid" in messages[1]
    assert "refers to no-such-organisation, which this hub does not have" in messages[2]
    assert "country: expected a country code" in messages[3]
    session.expire_all()
    assert session.get(Pilot, own.id).title_en == "Ours"  # type: ignore[union-attr]
    assert list(mirrored(session)) == ["01"]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (File(b"{not json", "application/json"), "not JSON"),
        (page("pilots", [], FIRST, version="2.0"), "speaks version 2.0 of the API"),
        (page("pilots", [], "c1.1.1"), "went backwards"),
        (Status(500), "HTTP status 500"),
        (Status(401, (("WWW-Authenticate", 'Bearer error="invalid_token"'),)), "401"),
    ],
    ids=["invalid json", "newer version", "cursor backwards", "server error", "token refused"],
)
def test_a_broken_peer_fails_the_run_and_changes_nothing(
    session: Session,
    sessions: sessionmaker[Session],
    source: Source,
    peer: FixtureServer,
    answer: Any,
    reason: str,
) -> None:
    base = peer.base
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [pilot(base, 1)], FIRST)
    assert run(sessions, source).added == 1
    before = mirrored(session)
    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = answer
    result = run(sessions, source)
    assert result.status is RunStatus.FAILED
    assert reason in result.message % result.message_values
    assert mirrored(session) == before
    session.expire_all()
    assert session.get(Source, source.id).cursor == {"pilots": FIRST}  # type: ignore[union-attr]


def test_a_source_pointing_at_this_hub_itself_is_refused(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [pilot(peer.base, 1)], FIRST)
    result = run(
        sessions, source, RunSettings(allowed_networks=("127.0.0.1/32",), hub_address=peer.base + "/")
    )
    assert result.status is RunStatus.FAILED and "this hub itself" in result.message
    assert mirrored(session) == {}


def test_an_interrupted_pull_resumes_after_the_last_batch_it_wrote(
    session: Session,
    sessions: sessionmaker[Session],
    source: Source,
    peer: FixtureServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mirror, "BATCH", 2)  # a batch per page of the peer's, to interrupt between them
    base = peer.base
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [pilot(base, 1), pilot(base, 2)], FIRST, more=True)
    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = page(
        "pilots", [pilot(base, 3), pilot(base, 4)], SECOND, more=True
    )
    peer.routes[f"/api/v1/pilots?limit=2&after={SECOND}"] = Status(503)
    interrupted = run(sessions, source)
    assert interrupted.status is RunStatus.FAILED
    assert sorted(mirrored(session)) == ["01", "02", "03", "04"]  # the batches written before stay
    session.expire_all()
    assert session.get(Source, source.id).cursor == {"pilots": FIRST}  # type: ignore[union-attr]

    peer.routes[f"/api/v1/pilots?limit=2&after={SECOND}"] = page("pilots", [pilot(base, 5)], THIRD)
    resumed = run(sessions, source)
    assert (resumed.status, resumed.added, resumed.unchanged) == (RunStatus.SUCCEEDED, 1, 2)
    assert [r.path for r in peer.requests[-2:]] == [
        f"/api/v1/pilots?limit=2&after={FIRST}",
        f"/api/v1/pilots?limit=2&after={SECOND}",
    ]
    assert session.scalar(select(func.count()).select_from(Pilot).where(Pilot.mirrored.is_(True))) == 5
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_a_pilots_strategies_and_parties_are_mirrored_and_replaced_on_change(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    base = peer.base
    factories.strategy(session, "reuse-m")
    factories.strategy(session, "recycling-m")
    buyer = factories.organisation(session, "Rijkswaterstaat", uid="0b6c3f5e-0000-4000-8000-00000000000a")
    supplier = factories.organisation(session, "Ahrend", uid="0b6c3f5e-0000-4000-8000-00000000000b")
    session.commit()
    parties = [
        {"organisation": buyer.uid, "role": "procurer"},
        {"organisation": supplier.uid, "role": "supplier"},
    ]
    peer.routes["/api/v1/pilots?limit=2"] = page(
        "pilots", [pilot(base, 1, strategies=["reuse-m"], parties=parties)], FIRST
    )
    assert run(sessions, source).added == 1

    def children() -> tuple[list[str], list[tuple[str, str]]]:
        session.expire_all()
        record = session.scalars(select(Pilot).where(Pilot.mirrored.is_(True))).one()
        return sorted(s.code for s in record.strategies), [
            (p.organisation.name, p.role.value) for p in record.parties
        ]

    assert children() == (["reuse-m"], [("Rijkswaterstaat", "procurer"), ("Ahrend", "supplier")])

    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = page(
        "pilots", [pilot(base, 1, strategies=["recycling-m", "reuse-m"], parties=parties[:1])], SECOND
    )
    assert run(sessions, source).updated == 1
    assert children() == (["recycling-m", "reuse-m"], [("Rijkswaterstaat", "procurer")])


def test_a_record_referring_to_one_not_mirrored_yet_is_read_again_until_it_can_be_stored(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    """A pilot whose procurer lives on a hub not synced yet: an error now, stored once it is there."""
    base = peer.base
    elsewhere = "0b6c3f5e-0000-4000-8000-00000000000c"
    parties = [{"organisation": elsewhere, "role": "procurer"}]
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [pilot(base, 1), pilot(base, 2)], FIRST, more=True)
    peer.routes[f"/api/v1/pilots?limit=2&after={FIRST}"] = page(
        "pilots", [pilot(base, 3, parties=parties), pilot(base, 4)], SECOND
    )
    first = run(sessions, source)
    assert (first.status, first.added, first.failed) == (RunStatus.PARTIAL, 3, 1)
    assert "which this hub does not have (yet)" in errors(session, first)[0]
    session.expire_all()
    assert session.get(Source, source.id).cursor == {"pilots": FIRST}  # type: ignore[union-attr]

    # Still missing: the same page is read again, the record fails again, nothing else changes.
    again = run(sessions, source)
    assert (again.added, again.unchanged, again.failed) == (0, 1, 1)
    assert peer.requests[-1].path == f"/api/v1/pilots?limit=2&after={FIRST}"

    # Once the organisation is here (from the hub that keeps it), the pilot is stored.
    factories.organisation(
        session, "Stad Antwerpen", uid=elsewhere, mirrored=True, home_hub="http://other.example"
    )
    session.commit()
    stored = run(sessions, source)
    assert (stored.status, stored.added, stored.failed) == (RunStatus.SUCCEEDED, 1, 0)
    assert sorted(mirrored(session)) == ["01", "02", "03", "04"]
    session.expire_all()
    assert session.get(Source, source.id).cursor == {"pilots": SECOND}  # type: ignore[union-attr]


def record(base: str, kind: str, n: int, **fields: Any) -> dict[str, Any]:
    """A live document of ``kind`` with what every record carries, and ``fields``."""
    uid = f"00000000-0000-4000-8000-{n:012d}"
    return {
        "id": f"{base}/api/v1/{kind}/{uid}",
        "uid": uid,
        "home_hub": base,
        "updated_at": "2026-11-25T10:00:00Z",
        "deleted": False,
        "url": None,
        "created_at": "2026-11-25T09:00:00Z",
        "demo": False,
        "source_language": "en",
        **fields,
    }


def test_a_peers_meetings_and_published_closeouts_are_mirrored_with_their_links(
    session: Session, sessions: sessionmaker[Session], peer: FixtureServer
) -> None:
    """A ProCirc meeting and its close-out, which names a Flemish organisation, pilot and lesson
    this hub holds (its own, or mirrored from elsewhere): the links resolve by uid."""
    base = peer.base
    procirc, gdca = factories.programme(session, "procirc"), factories.programme(session, "gdca")
    community = Community(
        programme=procirc,
        name_en="Furniture",
        uid="0c0c0c0c-0000-4000-8000-000000000001",
        mirrored=True,
        home_hub=base,
    )
    organisation = factories.organisation(session, "Stad Gent")
    pilot_here = factories.pilot(session, gdca)
    lesson = Lesson(programme=gdca, title_nl="Vraag naar de functie", kind=LessonKind.TIP)
    elsewhere = factories.organisation(session, "OVAM", mirrored=True, home_hub="http://other.example")
    session.add_all([community, lesson])
    source = factories.source(
        session, gdca, "procirc-hub", kind="hub", options={"url": base, "kinds": ["meetings", "closeouts"]}
    )
    session.commit()
    meeting = record(
        base,
        "meetings",
        1,
        community=community.uid,
        title={"nl": None, "en": "Quarterly meeting"},
        starts_at="2026-03-26T13:00:00Z",
        ends_at=None,
        timezone="Europe/Amsterdam",
        mode="hybrid",
        location="Utrecht",
        agenda={"nl": None, "en": "1. Welcome"},
        capacity=40,
    )
    fields = {
        "meeting": meeting["uid"],
        "minutes": {"nl": None, "en": "We agreed to share tender texts."},
        "attendance": 23,
        "published_at": "2026-03-27T09:00:00Z",
        "organisations": [organisation.uid, elsewhere.uid],
        "pilots": [pilot_here.uid],
        "lessons": [lesson.uid],
    }
    closeout = record(base, "closeouts", 2, **fields)
    draft = record(base, "closeouts", 3, **{**fields, "published_at": None})  # a peer never sends one
    peer.routes["/api/v1/meetings?limit=500"] = page("meetings", [meeting], FIRST)
    peer.routes["/api/v1/closeouts?limit=500"] = page("closeouts", [closeout, draft], FIRST)

    result = run(sessions, source)
    assert (result.status, result.added, result.failed) == (RunStatus.PARTIAL, 2, 1)
    assert errors(session, result) == ["published_at is missing"]
    session.expire_all()
    stored = session.scalars(select(Meeting).where(Meeting.mirrored.is_(True))).one()
    assert (stored.mode, stored.agenda_en, stored.capacity, stored.community_id) == (
        MeetingMode.HYBRID,
        "1. Welcome",
        40,
        community.id,
    )
    mirrored_closeout = session.scalars(select(CloseOut)).one()
    assert (mirrored_closeout.uid, mirrored_closeout.home_hub, mirrored_closeout.meeting_id) == (
        closeout["uid"],
        base,
        stored.id,
    )
    assert (mirrored_closeout.minutes_en, mirrored_closeout.attendance) == (
        "We agreed to share tender texts.",
        23,
    )
    assert mirrored_closeout.published_at == dt.datetime(2026, 3, 27, 9, tzinfo=dt.UTC)
    assert sorted(o.name for o in mirrored_closeout.organisations) == ["OVAM", "Stad Gent"]
    assert [p.uid for p in mirrored_closeout.pilots] == [pilot_here.uid]
    assert [lesson_.uid for lesson_ in mirrored_closeout.lessons] == [lesson.uid]

    # The links follow an edit at home: replaced, not added to.
    peer.routes[f"/api/v1/meetings?limit=500&after={FIRST}"] = page("meetings", [], FIRST)
    peer.routes[f"/api/v1/closeouts?limit=500&after={FIRST}"] = page(
        "closeouts", [{**closeout, "organisations": [elsewhere.uid], "lessons": []}], SECOND
    )
    assert run(sessions, source).updated == 1
    session.expire_all()
    mirrored_closeout = session.scalars(select(CloseOut)).one()
    assert ([o.name for o in mirrored_closeout.organisations], mirrored_closeout.lessons) == (["OVAM"], [])
    assert [p.uid for p in mirrored_closeout.pilots] == [pilot_here.uid]


def test_the_peer_connector_pulls_every_kind_after_the_kinds_it_refers_to() -> None:
    assert tuple(KINDS) == peer_connector.KINDS
    for position, (name, kind) in enumerate(KINDS.items()):
        referred = {field.kind for field in kind.reference_fields}
        referred |= {child.kind for child in kind.children if isinstance(child, Links)}
        assert referred <= set(list(KINDS)[:position]), name


def test_kinds_a_peer_of_an_earlier_release_does_not_publish_are_skipped(
    session: Session, sessions: sessionmaker[Session], source: Source, peer: FixtureServer
) -> None:
    base = peer.base
    source.options = {**source.options, "kinds": ["pilots", "closeouts"]}
    session.commit()
    older = {"api_version": "1.0", "kinds": {"pilots": f"{base}/api/v1/pilots"}}  # no close-outs
    peer.routes["/api/v1/"] = File(json.dumps(older).encode(), "application/json")
    peer.routes["/api/v1/pilots?limit=2"] = page("pilots", [pilot(base, 1)], FIRST)
    result = run(sessions, source)
    assert (result.status, result.added) == (RunStatus.SUCCEEDED, 1), errors(session, result)
    assert {request.path.partition("?")[0] for request in peer.requests} == {"/api/v1/", "/api/v1/pilots"}
