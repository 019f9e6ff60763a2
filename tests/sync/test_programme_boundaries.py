"""A source's records are its programme's: an entry that refers to another programme's record is an
error on that entry (the rest of the run goes on), for every kind of record a source feeds.

Runs go over a real HTTP server on 127.0.0.1, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors.targets import TARGETS
from hub.communities.models import Community, Meeting
from hub.lessons.models import Lesson
from hub.news.models import NewsItem
from hub.organisations.models import Organisation, Participation
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.sync.kinds import KINDS, Lookups
from hub.sync.models import RunStatus, Source, SyncError, SyncRun
from tests import factories
from tests.connectors.fixture_server import File, FixtureServer
from tests.sync.test_lessons_sync import run

CSV = "text/csv"


@dataclass
class World:
    gdca: Programme
    gdci: Programme
    procirc: Programme
    community: dict[str, Community]  # programme code -> a community of it


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture
def world(session: Session) -> World:
    programmes = {code: factories.programme(session, code) for code in ("gdca", "gdci", "procirc")}
    community = {code: factories.community(session, programme) for code, programme in programmes.items()}
    session.commit()
    return World(programmes["gdca"], programmes["gdci"], programmes["procirc"], community)


def export_source(
    session: Session, server: FixtureServer, programme: Programme, target: str, columns: dict[str, str]
) -> Source:
    source: Source = factories.source(
        session,
        programme,
        f"{programme.code}-{target}",
        kind="tabular",
        options={
            "url": server.url(f"/{target}.csv"),
            "format": "csv",
            "target": target,
            "id_column": "id",
            "columns": columns,
        },
    )
    session.commit()
    return source


def csv(header: str, rows: list[str]) -> File:
    return File(("\n".join([header, *rows]) + "\n").encode(), CSV)


def errors(session: Session, run: SyncRun) -> dict[str | None, str]:
    found = session.scalars(select(SyncError).where(SyncError.run_id == run.id))
    return {e.external_id: e.message % e.message_values for e in found}


def test_a_meeting_in_another_programmes_community_is_an_error_on_that_entry(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    source = export_source(
        session,
        server,
        world.gdca,
        "meeting",
        {"title_en": "title", "community_id": "community", "starts_at": "starts"},
    )
    ours, gdci, procirc = (world.community[code].id for code in ("gdca", "gdci", "procirc"))
    rows = [
        f"M1,Ours,{ours},2099-05-12T08:00:00+00:00",
        f"M2,In GDCI,{gdci},2099-05-12T08:00:00+00:00",
        f"M3,In ProCirc,{procirc},2099-05-12T08:00:00+00:00",
    ]
    server.routes["/meeting.csv"] = csv("id,title,community,starts", rows)
    result = run(sessions, session, source)

    assert result.status is RunStatus.PARTIAL and (result.added, result.failed) == (1, 2)
    refused = errors(session, result)
    assert set(refused) == {"M2", "M3"}
    assert refused["M2"] == f"community_id: {gdci} belongs to another programme than this source"
    meetings = session.scalars(select(Meeting).where(Meeting.source_id == source.id)).all()
    assert [(m.external_id, m.community_id) for m in meetings] == [("M1", ours)]

    # A meeting the source placed in its own programme is not moved out of it by a later change.
    rows[0] = f"M1,Ours,{gdci},2099-05-12T08:00:00+00:00"
    server.routes["/meeting.csv"] = csv("id,title,community,starts", rows)
    again = run(sessions, session, source)
    assert "M1" in errors(session, again) and again.updated == 0
    assert session.scalar(select(Meeting.community_id).where(Meeting.source_id == source.id)) == ours


def test_a_lesson_is_not_linked_to_a_pilot_of_another_programme_under_its_programmes_sources(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    # A peer hub followed by a GDCA source brought in a ProCirc pilot (its external id is its uid).
    peer = factories.source(session, world.gdca, "peer", kind="hub", peer_programmes=["procirc"])
    foreign = factories.pilot(session, world.procirc, source_id=peer.id, external_id="P-X", mirrored=True)
    own_source = factories.source(session, world.gdca, "gdca-pilots", kind="tabular")
    own = factories.pilot(session, world.gdca, source_id=own_source.id, external_id="P-1")
    source = export_source(
        session, server, world.gdca, "lesson", {"title_en": "title", "kind": "kind", "pilots": "pilots"}
    )
    server.routes["/lesson.csv"] = File(b'id,title,kind,pilots\nL1,Start early,tip,"P-1, P-X"\n', CSV)
    result = run(sessions, session, source)

    lesson = session.scalars(select(Lesson).where(Lesson.source_id == source.id)).one()
    assert lesson.programme_id == world.gdca.id
    assert [pilot.id for pilot in lesson.pilots] == [own.id] and foreign.id != own.id
    assert "P-X" in result.message % result.message_values  # named on the run's page


@pytest.mark.parametrize(
    ("target", "header", "row", "columns", "model"),
    [
        ("news", "id,title", "N1,News", {"title_en": "title"}, NewsItem),
        (
            "pilot",
            "id,title,country,status,phase",
            "P1,Pilot,BE,running,tender",
            {"title_en": "title", "country": "country", "status": "status", "phase": "phase"},
            Pilot,
        ),
        ("lesson", "id,title,kind", "L1,Lesson,tip", {"title_en": "title", "kind": "kind"}, Lesson),
    ],
)
def test_a_sources_record_is_its_programmes_whatever_its_row_says(
    session: Session,
    sessions: sessionmaker[Session],
    server: FixtureServer,
    world: World,
    target: str,
    header: str,
    row: str,
    columns: dict[str, str],
    model: type[NewsItem | Pilot | Lesson],
) -> None:
    source = export_source(session, server, world.gdca, target, columns)
    server.routes[f"/{target}.csv"] = File(f"{header},programme\n{row},gdci\n".encode(), CSV)
    result = run(sessions, session, source)
    assert result.status is RunStatus.SUCCEEDED and result.added == 1
    record = session.scalars(select(model).where(model.source_id == source.id)).one()
    assert record.programme_id == world.gdca.id


def test_an_organisations_role_is_in_its_sources_programme(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    columns = {"name": "name", "sector": "sector", "country": "country", "role": "role"}
    source = export_source(session, server, world.gdca, "organisation", columns)
    server.routes["/organisation.csv"] = File(
        b"id,name,sector,country,role,programme\nO1,City of Ghent,public,BE,procurer,procirc\n", CSV
    )
    result = run(sessions, session, source)
    assert result.status is RunStatus.SUCCEEDED
    organisation = session.scalars(select(Organisation).where(Organisation.source_id == source.id)).one()
    taken = session.scalars(select(Participation).where(Participation.organisation_id == organisation.id))
    assert [p.programme_id for p in taken] == [world.gdca.id]


def test_no_target_lets_a_row_name_a_programme_and_every_reference_to_a_record_is_checked(
    session: Session, world: World
) -> None:
    """A guard for kinds and fields to come: every field naming another record by id is checked
    against the source's programme, and no field says which programme a record is in."""
    checked = set(Lookups.load(session).owners)
    for name, target in TARGETS.items():
        assert not {"programme", "programme_id"} & set(target.fields), name
        assert {field for field in target.fields if field.endswith("_id")} <= checked, name
        assert name in KINDS
