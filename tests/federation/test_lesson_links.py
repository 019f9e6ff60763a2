"""Links between lessons and pilots across real hub processes: the same link made at two hubs at
once, a link to a record withdrawn at its home hub, and a link to a record on a hub this hub does
not follow. Clear states, no duplicates, nothing lost."""

from __future__ import annotations

import datetime as dt

import httpx2 as httpx
import pytest
from sqlalchemy import select

from hub import changes
from hub.accounts import services as accounts
from hub.accounts.models import User
from hub.lessons import links
from hub.lessons.models import Lesson, LessonKind, LessonPilotLink, LinkKind
from hub.pilots.models import Pilot, PilotStatus
from hub.refusals import Refused
from hub.sync.models import SyncError, SyncRun
from hub.taxonomy.models import Phase
from tests.federation.test_three_hubs import Hub, _create, hubs
from tests.servers import run_hub

__all__ = ["hubs"]  # the fixture: three hubs (two SQLite, one PostgreSQL), each following the others

pytestmark = pytest.mark.usefixtures("hubs")


def _link(hub: Hub, *, lesson_uid: str, pilot_uid: str, kind: LinkKind, note: str) -> LessonPilotLink:
    """A link confirmed by the hub's coordinator (an administrator), as the workspace does."""
    with hub.sessions() as session:
        principal = accounts.principal_of(session.get_one(User, hub.user_id))
        lesson = session.scalars(select(Lesson).where(Lesson.uid == lesson_uid)).one()
        pilot = session.scalars(select(Pilot).where(Pilot.uid == pilot_uid)).one()
        link, made = links.confirm(session, principal, lesson=lesson, pilot=pilot, kind=kind, note=note)
        assert made
        session.commit()
        session.expunge(link)
        return link


def _links(hub: Hub) -> list[tuple[str, str, str, str | None, bool]]:
    """(lesson uid, pilot uid, kind, home hub, live) of every link the hub holds."""
    with hub.sessions() as session:
        return sorted(
            (
                (link.lesson.uid, link.pilot.uid, link.kind.value, link.home_hub, link.withdrawn_at is None)
                for link in session.scalars(select(LessonPilotLink))
            ),
            key=str,
        )


def _sync(hub: Hub, *keys: str) -> None:
    """Syncs the hub from these peers only, in this order."""
    for key in keys:
        result = run_hub("sync", key, env={**hub.env, **hub.secrets})
        assert result.returncode == 0, result.stderr


def _records(hubs: dict[str, Hub]) -> tuple[Lesson, Pilot]:
    """A Flemish lesson and a ProCirc pilot it bears on, each at its home hub."""
    lesson = _create(
        hubs["flanders"],
        Lesson(
            title_nl="Vraag naar hergebruikt kantoormeubilair",
            body_nl="Hergebruik van kantoormeubilair spaart grondstoffen.",
            kind=LessonKind.TIP,
            phase=Phase.TENDER,
        ),
    )
    pilot = _create(
        hubs["procirc"],
        Pilot(
            title_en="Reused office furniture for the ministry",
            country="NL",
            phase=Phase.TENDER,
            status=PilotStatus.RUNNING,
            starts_on=dt.date(2021, 3, 1),
            source_language="en",
        ),
    )
    return lesson, pilot


def test_the_same_link_made_at_two_hubs_at_once_shows_once_with_both_authors(hubs: dict[str, Hub]) -> None:
    flanders, netherlands, procirc = hubs["flanders"], hubs["netherlands"], hubs["procirc"]
    lesson, pilot = _records(hubs)
    for hub in hubs.values():
        hub.sync()  # Flanders now holds the pilot, ProCirc the lesson

    # Both coordinators confirm the same link before either hub has seen the other's.
    _link(flanders, lesson_uid=lesson.uid, pilot_uid=pilot.uid, kind=LinkKind.REUSED_BY, note="Via ProCirc")
    _link(
        procirc,
        lesson_uid=lesson.uid,
        pilot_uid=pilot.uid,
        kind=LinkKind.REUSED_BY,
        note="Used in the tender",
    )
    for _ in range(2):
        for hub in hubs.values():
            hub.sync()

    # Every hub keeps both statements (two authors, two notes): nothing lost, no sync error.
    expected = {(flanders.url, True), (procirc.url, True)}
    for hub in hubs.values():
        held = _links(hub)
        assert len(held) == 2, (hub.name, held)
        assert {(home or hub.url, live) for *_, home, live in held} == expected
        with hub.sessions() as session:
            assert session.scalars(select(SyncError.message_values)).all() == []

    # The pilot's page shows the lesson once, with both hubs' notes.
    with procirc.sessions() as session:
        pilot_id = session.scalars(select(Pilot.id).where(Pilot.uid == pilot.uid)).one()
    page = httpx.get(f"{procirc.url}/en/pilots/{pilot_id}").text
    assert page.count("Vraag naar hergebruikt kantoormeubilair") == 1
    assert "Via ProCirc" in page and "Used in the tender" in page
    with netherlands.sessions() as session:
        nl_pilot = session.scalars(select(Pilot.id).where(Pilot.uid == pilot.uid)).one()
    assert (
        httpx.get(f"{netherlands.url}/en/pilots/{nl_pilot}").text.count(
            "Vraag naar hergebruikt kantoormeubilair"
        )
        == 1
    )


def test_a_lesson_withdrawn_at_home_keeps_its_links_marked_and_takes_no_new_ones(
    hubs: dict[str, Hub],
) -> None:
    flanders, procirc = hubs["flanders"], hubs["procirc"]
    lesson, pilot = _records(hubs)
    _sync(procirc, "flanders")
    _link(procirc, lesson_uid=lesson.uid, pilot_uid=pilot.uid, kind=LinkKind.INSPIRED, note="Read it in 2021")

    with flanders.sessions() as session:
        gone = session.get_one(Lesson, lesson.id)
        changes.archive(session, record=gone, user_id=flanders.user_id, programme_id=gone.programme_id)
        session.commit()
    _sync(procirc, "flanders")

    # The link is kept (it is ProCirc's statement) and the pilot page says the lesson was withdrawn.
    assert _links(procirc) == [(lesson.uid, pilot.uid, "inspired", None, True)]
    with procirc.sessions() as session:
        principal = accounts.principal_of(session.get_one(User, procirc.user_id))
        held = session.scalars(select(Lesson).where(Lesson.uid == lesson.uid)).one()
        assert held.withdrawn_at is not None
        local_pilot = session.scalars(select(Pilot).where(Pilot.uid == pilot.uid)).one()
        # (Outside a request, messages are in the hub's default language, Dutch.)
        with pytest.raises(Refused, match="ingetrokken bij haar thuishub") as refused:
            links.confirm(session, principal, lesson=held, pilot=local_pilot, kind=LinkKind.REUSED_BY)
        assert refused.value.status == 409
        pilot_id = local_pilot.id
    page = httpx.get(f"{procirc.url}/en/pilots/{pilot_id}").text
    assert "Vraag naar hergebruikt kantoormeubilair" in page and "withdrawn" in page


def test_a_link_to_a_lesson_of_an_unfollowed_hub_waits_and_arrives_once_it_is_followed(
    hubs: dict[str, Hub],
) -> None:
    """The Netherlands links a Flemish lesson to a ProCirc pilot. ProCirc reads the Netherlands
    before it follows Flanders: the link names a lesson ProCirc does not have, so the run says so
    and reads that page again next time; once ProCirc follows Flanders, the link arrives."""
    flanders, netherlands, procirc = hubs["flanders"], hubs["netherlands"], hubs["procirc"]
    lesson, pilot = _records(hubs)
    _sync(netherlands, "flanders", "procirc")
    _link(netherlands, lesson_uid=lesson.uid, pilot_uid=pilot.uid, kind=LinkKind.APPLIES_TO, note="Zie les")

    _sync(procirc, "netherlands")
    assert _links(procirc) == []
    with procirc.sessions() as session:
        run = session.scalars(select(SyncRun).order_by(SyncRun.id.desc())).first()
        assert run is not None and run.failed == 1
        (error,) = session.scalars(select(SyncError).where(SyncError.run_id == run.id))
        assert "does not have (yet)" in error.message and error.message_values["uid"] == lesson.uid

    _sync(procirc, "flanders")
    _sync(procirc, "netherlands")
    assert _links(procirc) == [(lesson.uid, pilot.uid, "applies_to", netherlands.url, True)]
    assert flanders.url  # the lesson came from its home, Flanders
