"""Lessons learned from a source: an export or a feed, over a real HTTP server on 127.0.0.1.

A lesson's row may name the pilots it came from by their ids in the programme's pilot export;
they are linked after the lesson rows are written, and an id not (yet) known is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from connectors.feed import FeedOptions
from connectors.messages import OptionsError
from connectors.targets import TARGETS
from hub.lessons.models import Lesson, LessonKind
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.sync.models import RunStatus, RunTrigger, Source, SyncError, SyncRun
from hub.sync.runner import RunSettings, run_by_id
from hub.taxonomy.models import Phase
from tests import factories
from tests.connectors.fixture_server import File, FixtureServer, Status
from tests.coordinators import Network, post

SETTINGS = RunSettings(
    timeout_seconds=0.5, max_seconds=3, max_bytes=2 * 2**20, allowed_networks=("127.0.0.1/32",)
)
CSV = "text/csv"
HEADER = "id,titel,tekst,middelen,taal,groep,strategie,fase,soort,pilots\n"
ROWS = {
    "L1": "L1,Vroeg de markt in,<p>Begin <b>vroeg</b>.</p>,Twee dagen,nl,ict,reuse,market_dialogue,tip,"
    '"P-1, P-2"\n',
    "L2": "L2,Retourlogistiek,Plan de retour mee,,nl,,,,barrier,\n",
    "L3": "L3,Ask for take-back,Suppliers take it back,,en,,,,success_factor,P-9\n",
}
COLUMNS = {
    "title_nl": "titel",
    "body_nl": "tekst",
    "resources_nl": "middelen",
    "source_language": "taal",
    "product_group": "groep",
    "strategy": "strategie",
    "phase": "fase",
    "kind": "soort",
    "pilots": "pilots",
}


def export(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode()


@dataclass
class World:
    programme: Programme
    pilots: Source
    lessons: Source
    pilot: dict[str, Pilot]


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture
def world(session: Session, server: FixtureServer) -> World:
    programme = factories.programme(session, "gdca")
    other = factories.programme(session, "gdci")
    factories.product_group(session, "ict")
    factories.strategy(session, "reuse")
    pilots = factories.source(session, programme, "gdca-pilots", kind="tabular", options={"target": "pilot"})
    elsewhere = factories.source(session, other, "gdci-pilots", kind="tabular", options={"target": "pilot"})
    pilot = {
        key: factories.pilot(session, programme, source_id=pilots.id, external_id=key)
        for key in ("P-1", "P-2")
    }
    # Another programme's export uses the same id: never this programme's lessons' pilot.
    factories.pilot(session, other, source_id=elsewhere.id, external_id="P-2")
    lessons = factories.source(
        session,
        programme,
        "gdca-lessons",
        kind="tabular",
        options={
            "url": server.url("/lessons.csv"),
            "format": "csv",
            "target": "lesson",
            "id_column": "id",
            "columns": COLUMNS,
        },
    )
    session.commit()
    return World(programme, pilots, lessons, pilot)


def run(sessions: sessionmaker[Session], session: Session, source: Source) -> SyncRun:
    source.cursor = {}  # no validators: the export is fetched again, not answered with 304
    session.commit()
    result = run_by_id(
        sessions,
        source_id=source.id,
        owner="test",
        trigger=RunTrigger.MANUAL,
        run_settings=SETTINGS,
        lease=dt.timedelta(minutes=5),
    )
    assert result is not None
    session.expire_all()
    return result


def lessons(session: Session, source: Source) -> dict[str, Lesson]:
    session.expire_all()
    return {
        lesson.external_id or "": lesson
        for lesson in session.scalars(select(Lesson).where(Lesson.source_id == source.id))
    }


def pilot_ids(lesson: Lesson) -> list[str]:
    return [pilot.external_id or "" for pilot in lesson.pilots]


def errors(session: Session, run: SyncRun) -> dict[str | None, str]:
    found = session.scalars(select(SyncError).where(SyncError.run_id == run.id))
    return {e.external_id: e.message % e.message_values for e in found}


def counts(run: SyncRun) -> tuple[int, ...]:
    return (run.added, run.updated, run.unchanged, run.deleted, run.failed)


def test_an_export_of_lessons_with_their_pilots_then_the_same_again(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    server.routes["/lessons.csv"] = File(export(*ROWS.values()), CSV)
    first = run(sessions, session, world.lessons)
    assert first.status is RunStatus.SUCCEEDED and counts(first) == (3, 0, 0, 0, 0)
    # P-9 is not (yet) a pilot of the programme: a warning on the run, not an error.
    assert "P-9" in first.message % first.message_values and first.message_values["count"] == 1

    held = lessons(session, world.lessons)
    early = held["L1"]
    assert (early.title_nl, early.body_nl, early.resources_nl) == (
        "Vroeg de markt in",
        "Begin vroeg.",
        "Twee dagen",
    )
    assert early.kind is LessonKind.TIP and early.phase is Phase.MARKET_DIALOGUE
    assert early.product_group is not None and early.product_group.code == "ict"
    assert early.strategy is not None and early.strategy.code == "reuse"
    assert early.programme_id == world.programme.id and early.source_language == "nl"
    assert [p.id for p in early.pilots] == [world.pilot["P-1"].id, world.pilot["P-2"].id]
    assert held["L2"].pilots == [] and held["L2"].phase is None and held["L2"].kind is LessonKind.BARRIER
    assert held["L3"].source_language == "en" and held["L3"].pilots == []

    # The same export again: every content hash matches, nothing is written.
    written = {key: lesson.updated_at for key, lesson in held.items()}
    second = run(sessions, session, world.lessons)
    assert second.status is RunStatus.SUCCEEDED and counts(second) == (0, 0, 3, 0, 0)
    assert {key: lesson.updated_at for key, lesson in lessons(session, world.lessons).items()} == written

    # P-9 arrives with the pilot export: the unchanged lesson L3 is linked to it now.
    nine = factories.pilot(session, world.programme, source_id=world.pilots.id, external_id="P-9")
    session.commit()
    third = run(sessions, session, world.lessons)
    assert counts(third) == (0, 1, 2, 0, 0) and third.message == ""
    linked = lessons(session, world.lessons)["L3"]
    assert [p.id for p in linked.pilots] == [nine.id]
    assert linked.updated_at > written["L3"]  # its pilots are part of it, for the publishing API


def test_what_a_coordinator_changed_here_survives_a_change_at_the_source(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    server.routes["/lessons.csv"] = File(export(ROWS["L1"], ROWS["L2"]), CSV)
    run(sessions, session, world.lessons)
    lesson = lessons(session, world.lessons)["L1"]
    lesson.body_nl = "Begin een jaar voor de aanbesteding."
    lesson.title_en = "Go to the market early"
    lesson.pilots = [world.pilot["P-1"]]
    lesson.local_fields = ["body_nl", "pilots", "title_en"]
    session.commit()

    changed = ROWS["L1"].replace("Vroeg de markt in", "Vroeg naar de markt").replace('"P-1, P-2"', "P-2")
    server.routes["/lessons.csv"] = File(export(changed, ROWS["L2"]), CSV)
    result = run(sessions, session, world.lessons)
    assert counts(result) == (0, 1, 1, 0, 0)
    lesson = lessons(session, world.lessons)["L1"]
    assert lesson.title_nl == "Vroeg naar de markt"  # the source's field follows the source
    assert (lesson.body_nl, lesson.title_en) == (
        "Begin een jaar voor de aanbesteding.",
        "Go to the market early",
    )
    assert pilot_ids(lesson) == ["P-1"]


def test_a_bad_value_fails_its_row_only(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    bad = {
        "B1": "B1,Slechte groep,Tekst,,nl,textiel,,,tip,\n",
        "B2": "B2,Slechte fase,Tekst,,nl,,,someday,tip,\n",
        "B3": "B3,Slecht soort,Tekst,,nl,,,,rumour,\n",
        "B4": "B4,Geen soort,Tekst,,nl,,,,,\n",
        "B5": "B5,Slechte strategie,Tekst,,nl,,hope,,tip,\n",
    }
    server.routes["/lessons.csv"] = File(export(ROWS["L2"], *bad.values()), CSV)
    result = run(sessions, session, world.lessons)
    assert result.status is RunStatus.PARTIAL and counts(result) == (1, 0, 0, 0, 5)
    assert list(lessons(session, world.lessons)) == ["L2"]
    reasons = errors(session, result)
    assert "“textiel” is not a product group" in reasons["B1"]
    assert "phase: “someday” is not one of" in reasons["B2"]
    assert "kind: “rumour” is not one of success_factor, barrier, tip, template" in reasons["B3"]
    assert "the required field “kind” is empty" in reasons["B4"]
    assert "“hope” is not a strategy" in reasons["B5"]


def test_a_lesson_gone_from_the_export_is_withdrawn(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    server.routes["/lessons.csv"] = File(export(*ROWS.values()), CSV)
    run(sessions, session, world.lessons)
    # L2 is gone; L1 now comes from P-2 alone.
    server.routes["/lessons.csv"] = File(export(ROWS["L1"].replace('"P-1, P-2"', "P-2"), ROWS["L3"]), CSV)
    result = run(sessions, session, world.lessons)
    assert counts(result) == (0, 1, 1, 1, 0)
    held = lessons(session, world.lessons)
    assert held["L2"].withdrawn_at is not None
    assert held["L1"].withdrawn_at is None and pilot_ids(held["L1"]) == ["P-2"]


def test_a_failing_source_leaves_the_lessons_as_they_were(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    server.routes["/lessons.csv"] = File(export(*ROWS.values()), CSV)
    run(sessions, session, world.lessons)

    def state() -> dict[str, tuple[Any, ...]]:
        return {
            key: (lesson.title_nl, lesson.body_nl, lesson.withdrawn_at, pilot_ids(lesson))
            for key, lesson in lessons(session, world.lessons).items()
        }

    before = state()
    server.routes["/lessons.csv"] = Status(500)
    result = run(sessions, session, world.lessons)
    assert result.status is RunStatus.FAILED and "500" in result.message % result.message_values
    assert state() == before and len(before) == 3


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Lessons</title><link>https://example.org/</link>
<description>Lessons learned</description>
<item><guid>https://example.org/lessons/7</guid><title>Reuse &amp; repair first</title>
<link>https://example.org/lessons/7</link>
<description>&lt;p&gt;Ask &lt;b&gt;three&lt;/b&gt; suppliers.&lt;/p&gt;
&lt;script&gt;alert(1)&lt;/script&gt;</description>
</item></channel></rss>"""


def test_a_feed_of_lessons_arrives_as_plain_text(
    session: Session, sessions: sessionmaker[Session], server: FixtureServer, world: World
) -> None:
    source = factories.source(
        session,
        world.programme,
        "gdca-lessons-feed",
        options={
            "url": server.url("/lessons.rss"),
            "language": "en",
            "target": "lesson",
            "defaults": {"kind": "tip", "product_group": "ict"},
        },
    )
    server.routes["/lessons.rss"] = File(RSS, "application/rss+xml")
    result = run(sessions, session, source)
    assert result.status is RunStatus.SUCCEEDED and result.added == 1
    lesson = lessons(session, source)["https://example.org/lessons/7"]
    assert (lesson.title_en, lesson.body_en) == ("Reuse & repair first", "Ask three suppliers.")
    assert lesson.kind is LessonKind.TIP and lesson.source_language == "en"
    assert lesson.origin_url == "https://example.org/lessons/7"

    # The feed says nothing of pilots: a link made here stays when the lesson changes there.
    lesson.pilots = [world.pilot["P-1"]]
    session.commit()
    server.routes["/lessons.rss"] = File(RSS.replace(b"Reuse &amp; repair", b"Repair"), "application/rss+xml")
    assert run(sessions, session, source).updated == 1
    lesson = lessons(session, source)["https://example.org/lessons/7"]
    assert lesson.title_en == "Repair first" and pilot_ids(lesson) == ["P-1"]


def test_a_lesson_source_must_say_what_kind_of_lessons_it_gives() -> None:
    with pytest.raises(OptionsError) as refused:
        FeedOptions.parse({"url": "https://example.org/lessons.rss", "language": "nl", "target": "lesson"})
    assert refused.value.field == "fields" and refused.value.values["fields"] == "kind"


def test_pilot_ids_may_be_separated_by_commas_semicolons_or_spaces() -> None:
    target = TARGETS["lesson"]
    assert target.coerce_field("pilots", " P-1, P-2;P-3  P-1 ") == ("P-1", "P-2", "P-3")
    assert target.coerce({"title_nl": "Les", "kind": "tip", "pilots": ("P-1",)})["pilots"] == ("P-1",)


def test_the_source_form_offers_lessons(coordinator: TestClient, network: Network, session: Session) -> None:
    page = coordinator.get("/en/coordinator/sources/new")
    assert '<option value="lesson"' in page.text and "Lessons learned" in page.text
    form = {
        "name": "GDCA lessen",
        "key": "gdca-lessons",
        "programme_id": str(network.gdca.id),
        "kind": "tabular",
        "schedule": "every 60",
        "url": "https://example.org/lessons.csv",
        "format": "csv",
        "target": "lesson",
        "id_column": "id",
        "columns": "title_nl = titel\nkind = soort\npilots = pilots",
        "defaults": "",
        "complete": "1",
    }
    response = post(coordinator, "/en/coordinator/sources/new", form, follow_redirects=False)
    assert response.status_code == 303, response.text
    source = session.scalars(select(Source).where(Source.key == "gdca-lessons")).one()
    assert source.options["target"] == "lesson"
    assert "Lessons learned" in coordinator.get(f"/en/coordinator/sources/{source.id}").text
