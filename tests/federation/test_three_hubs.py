"""Three hub processes federate through the real API with real tokens, and converge.

Flanders (GDCA) and the Netherlands (GDCI) run on SQLite, ProCirc on PostgreSQL; each serves its
own records with ``hub serve`` on 127.0.0.1 and pulls the other two with ``hub sync`` (the peer-hub
connector, OAuth2 client credentials). Records are created, edited and deleted at their home hub
through the workspace's services, as a coordinator's form would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from hub import changes, migrate
from hub.accounts.services import audit
from hub.communities.models import CloseOut, Community, Meeting, MeetingMode
from hub.db import make_engine, make_sessionmaker, utcnow
from hub.federation import services
from hub.federation.kinds import KINDS
from hub.lessons.models import (
    Lesson,
    LessonAttachment,
    LessonKind,
    LessonPilotLink,
    LinkKind,
    lesson_pilots,
)
from hub.library.models import LibraryItem, LibraryKind, library_item_lessons, library_item_pilots
from hub.organisations.models import Organisation, Sector
from hub.pilots.models import Pilot, PilotParty, PilotRole, PilotStatus
from hub.programmes.models import Programme
from hub.sync import declared
from hub.taxonomy.models import Phase, ProductGroup
from hub.taxonomy.vocabulary import ensure_vocabulary
from tests import factories
from tests.conftest import create_database_url, drop_database
from tests.servers import free_port, hub_environment, run_hub, serving_hub

PROGRAMMES = {"flanders": "gdca", "netherlands": "gdci", "procirc": "procirc"}


@dataclasses.dataclass
class Hub:
    name: str
    directory: Path
    url: str
    env: dict[str, str]
    sessions: sessionmaker[Session]
    user_id: int = 0
    secrets: dict[str, str] = dataclasses.field(default_factory=dict)  # env var -> secret, for its syncs

    def sync(self) -> str:
        result = run_hub("sync", env={**self.env, **self.secrets})
        assert result.returncode == 0, result.stderr
        return result.stderr

    def programme(self, session: Session) -> Programme:
        return session.scalars(select(Programme).where(Programme.code == PROGRAMMES[self.name])).one()


def _prepare(name: str, directory: Path, database_url: str) -> Hub:
    port = free_port()
    env = hub_environment(
        directory,
        HUB_DATABASE_URL=database_url,
        HUB_BASE_URL=f"http://127.0.0.1:{port}",
        HUB_SECRET_KEY=f"secret-of-{name}-at-least-32-characters-long",
        HUB_API_SETTLE_SECONDS="0",
        HUB_FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
        HUB_LOG_LEVEL="WARNING",
    )
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        ensure_vocabulary(session)
        for code in PROGRAMMES.values():  # every hub knows the three programmes (by their codes)
            factories.programme(session, code)
        user_id = factories.user(session, f"coordinator@{name}.example", admin=True).id
        session.commit()
    return Hub(name, directory, f"http://127.0.0.1:{port}", env, sessions, user_id)


@pytest.fixture
def hubs(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str
) -> Iterator[dict[str, Hub]]:
    procirc_url, handle = create_database_url("postgresql", tmp_path_factory, postgres_admin_url)
    urls = {
        "flanders": f"sqlite:///{tmp_path / 'flanders.sqlite3'}",
        "netherlands": f"sqlite:///{tmp_path / 'nl.sqlite3'}",
    }
    urls["procirc"] = procirc_url
    prepared = {}
    for name, url in urls.items():
        (tmp_path / name).mkdir()
        prepared[name] = _prepare(name, tmp_path / name, url)
    # Each hub registers the other two as clients, and follows them with the secret it was given
    # (in a sources file, as an operator would; the command line is tested on its own).
    for reader in prepared.values():
        lines = []
        for publisher in prepared.values():
            if publisher is reader:
                continue
            with publisher.sessions() as session:
                client, secret = services.register_client(session, name=f"{reader.name} hub")
                session.commit()
            variable = f"HUB_PEER_{publisher.name.upper()}_SECRET"
            reader.secrets[variable] = secret
            lines += [
                "[[source]]",
                f'key = "{publisher.name}"',
                f'name = "{publisher.name} hub"',
                'kind = "hub"',
                f'programme = "{PROGRAMMES[publisher.name]}"',
                'programmes = ["gdca", "gdci", "procirc"]',  # each follows every programme
                'schedule = "every 60"',
                "allow_private = true",
                "[source.options]",
                f'url = "{publisher.url}"',
                f'client_id = "{client.client_id}"',
                f'client_secret_env = "{variable}"',
                "",
            ]
        sources = reader.directory / "sources.toml"
        sources.write_text("\n".join(lines))
        with reader.sessions() as session:
            assert declared.load(session, sources) == (2, 0, 0)
    with contextlib.ExitStack() as stack:
        for hub in prepared.values():
            port = int(hub.url.rsplit(":", 1)[1])
            stack.enter_context(serving_hub(hub.directory, "--no-scheduler", env=hub.env, port=port))
        yield prepared
    for hub in prepared.values():
        hub.sessions.kw["bind"].dispose()
    drop_database(postgres_admin_url, handle)


def _create(hub: Hub, record: Any) -> Any:
    with hub.sessions() as session:
        programme = hub.programme(session)
        if hasattr(record, "programme_id"):
            record.programme_id = programme.id
        session.add(record)
        session.flush()
        audit(
            session,
            user=None,
            user_id=hub.user_id,
            action="create",
            entity=record.__tablename__,
            entity_id=record.id,
            programme_id=programme.id,
            summary="",
            before=None,
            after={},
        )
        session.commit()
        session.refresh(record)
        session.expunge(record)
        return record


def _snapshot(hub: Hub) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every public record of every federated kind on ``hub``: uid -> (home, live, a title or name)."""
    found: dict[str, dict[str, tuple[Any, ...]]] = {}
    with hub.sessions() as session:
        for name, kind in KINDS.items():
            model = kind.model
            label = next(
                (c for c in ("title_en", "name_en", "name", "note", "minutes_en") if c in kind.table.c), "uid"
            )
            statement = select(
                model.uid, model.mirrored, model.home_hub, model.withdrawn_at, getattr(model, label)
            )
            rows = session.execute(statement if kind.where is None else statement.where(kind.where))
            found[name] = {
                uid: ((home if mirrored else "self"), withdrawn is None, text)
                for uid, mirrored, home, withdrawn, text in rows
            }
            found[name] = {uid: value for uid, value in found[name].items()}
    return found


def _as_seen_from(
    hub: Hub, snapshot: dict[str, dict[str, tuple[Any, ...]]], home: Hub
) -> dict[str, dict[str, tuple[Any, ...]]]:
    """``home``'s own records as ``hub`` should hold them (with ``home`` as their home)."""
    return {
        kind: {uid: (home.url, live, text) for uid, (owner, live, text) in records.items() if owner == "self"}
        for kind, records in snapshot.items()
    }


def _converged(hubs: dict[str, Hub]) -> None:
    """Each hub holds every other hub's records, once, as they are at home."""
    snapshots = {name: _snapshot(hub) for name, hub in hubs.items()}
    for reader_name, reader in hubs.items():
        for home_name, home in hubs.items():
            if home is reader:
                continue
            expected = _as_seen_from(reader, snapshots[home_name], home)
            for kind, records in expected.items():
                if kind == "programmes":
                    continue  # every hub has its own rows for the three programmes (same codes)
                held = {
                    uid: value for uid, value in snapshots[reader_name][kind].items() if value[0] == home.url
                }
                assert held == records, f"{reader_name} holds {home_name}'s {kind} differently"


def _close_out_meetings(hub: Hub, *, organisation: str, pilot: str, lesson: str) -> tuple[str, str]:
    """A community with two meetings at ``hub``: one closed out and published (linking these
    records by uid), one closed out as a draft. The close-outs' uids."""
    community = _create(hub, Community(name_en="Furniture task force", source_language="en"))
    published, draft = (
        _create(
            hub,
            Meeting(
                community_id=community.id,
                title_en=title,
                starts_at=dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC),
                mode=MeetingMode.ONLINE,
                agenda_en="Tender texts",
                capacity=20,
            ),
        )
        for title, day in (("Task force", 12), ("Task force, again", 19))
    )
    with hub.sessions() as session:
        closeout = CloseOut(
            meeting_id=published.id,
            minutes_en="Tender texts are shared.",
            attendance=14,
            published_at=utcnow(),
            source_language="en",
            organisations=[
                session.scalars(select(Organisation).where(Organisation.uid == organisation)).one()
            ],
            pilots=[session.scalars(select(Pilot).where(Pilot.uid == pilot)).one()],
            lessons=[session.scalars(select(Lesson).where(Lesson.uid == lesson)).one()],
        )
        unpublished = CloseOut(meeting_id=draft.id, minutes_en="Not yet", source_language="en")
        session.add_all([closeout, unpublished])
        session.commit()
        return closeout.uid, unpublished.uid


def test_three_hubs_converge_after_one_sync_each(hubs: dict[str, Hub]) -> None:
    flanders, netherlands, procirc = hubs["flanders"], hubs["netherlands"], hubs["procirc"]

    # Flanders: an organisation, its pilot, a lesson from it; ProCirc: a pilot the lesson applies to.
    with flanders.sessions() as session:
        furniture = session.scalars(
            select(ProductGroup).where(ProductGroup.code == "office_furnishing")
        ).first()
    org = _create(flanders, Organisation(name="Stad Gent", sector=Sector.PUBLIC, country="BE"))
    pilot = Pilot(
        title_nl="Hergebruik van kantoormeubilair",
        title_en="Reuse of office furniture",
        country="BE",
        phase=Phase.CONTRACT_MANAGEMENT,
        status=PilotStatus.RUNNING,
        starts_on=dt.date(2018, 3, 1),
        product_group_id=furniture.id if furniture else None,
        source_language="nl",
    )
    pilot.parties = [PilotParty(organisation_id=org.id, role=PilotRole.PROCURER, position=0)]
    pilot = _create(flanders, pilot)
    lesson = _create(
        flanders,
        Lesson(
            title_nl="Vraag naar de functie",
            body_nl="Zitcomfort, geen stoelen.",
            kind=LessonKind.TIP,
            attachments=[LessonAttachment(title="Model", url="https://gdca.example/model.docx")],
        ),
    )
    with flanders.sessions() as session:
        session.execute(insert(lesson_pilots).values(lesson_id=lesson.id, pilot_id=pilot.id))
        session.commit()
    # A webinar in the Flemish library, linked from that pilot and lesson.
    webinar = _create(
        flanders,
        LibraryItem(
            kind=LibraryKind.WEBINAR,
            title_en="Webinar: circular furniture",
            url="https://gdca.example/webinar",
            held_on=dt.date(2018, 6, 12),
            speakers="Lotte Peeters",
            source_language="en",
        ),
    )
    with flanders.sessions() as session:
        session.execute(insert(library_item_pilots).values(item_id=webinar.id, pilot_id=pilot.id))
        session.execute(insert(library_item_lessons).values(item_id=webinar.id, lesson_id=lesson.id))
        session.commit()
    procirc_pilot = _create(
        procirc,
        Pilot(
            title_en="Circular furniture for Rijkswaterstaat",
            country="NL",
            phase=Phase.TENDER,
            status=PilotStatus.PLANNED,
            source_language="en",
        ),
    )
    community = _create(
        netherlands,
        Community(name_nl="Werkgroep Interieur", contact_name="An", contact_email="an@gdci.example"),
    )
    _create(
        netherlands,
        Meeting(
            community_id=community.id,
            title_nl="Kwartaalbijeenkomst",
            starts_at=dt.datetime(2026, 3, 26, 13, tzinfo=dt.UTC),
            online_url="https://meet.example/x",
        ),
    )

    for hub in hubs.values():
        hub.sync()
    # The lesson's link to the ProCirc pilot is made at Flanders once it holds that pilot.
    with flanders.sessions() as session:
        mirrored_pilot = session.scalars(select(Pilot).where(Pilot.uid == procirc_pilot.uid)).one()
        assert mirrored_pilot.home_hub == procirc.url and mirrored_pilot.mirrored
    _create(
        flanders, LessonPilotLink(lesson_id=lesson.id, pilot_id=mirrored_pilot.id, kind=LinkKind.APPLIES_TO)
    )
    # The webinar helped the ProCirc pilot too: Flanders links it from that pilot, which it now holds.
    with flanders.sessions() as session:
        entry = session.get_one(LibraryItem, webinar.id)
        entry.pilots = [*entry.pilots, session.get_one(Pilot, mirrored_pilot.id)]
        session.commit()
    # ProCirc closes a meeting out, naming the Flemish organisation and lesson it now holds; the
    # close-out of another meeting is still a draft, which no other hub gets.
    closeout, draft = _close_out_meetings(
        procirc, organisation=org.uid, pilot=procirc_pilot.uid, lesson=lesson.uid
    )
    for hub in hubs.values():
        hub.sync()
    _converged(hubs)
    with flanders.sessions() as session:
        mirrored_closeout = session.scalars(select(CloseOut).where(CloseOut.uid == closeout)).one()
        assert (mirrored_closeout.home_hub, mirrored_closeout.meeting.title_en) == (procirc.url, "Task force")
        assert [o.id for o in mirrored_closeout.organisations] == [org.id]  # Flanders' own records
        assert [p.uid for p in mirrored_closeout.pilots] == [procirc_pilot.uid]
        assert [lesson_.id for lesson_ in mirrored_closeout.lessons] == [lesson.id]
        assert session.scalars(select(CloseOut).where(CloseOut.uid == draft)).first() is None

    # The protected fields travelled with the token; the pilot page says where the pilot lives.
    with procirc.sessions() as session:
        mirrored_community = session.scalars(select(Community).where(Community.uid == community.uid)).one()
        assert mirrored_community.contact_email == "an@gdci.example"
        link = session.scalars(select(LessonPilotLink)).one()
        assert (link.pilot.uid, link.lesson.uid, link.home_hub) == (
            procirc_pilot.uid,
            lesson.uid,
            flanders.url,
        )
        # The lesson came with the Flemish pilot it was learned in and its linked document.
        assert [p.uid for p in link.lesson.pilots] == [pilot.uid]
        assert [(a.title, a.url) for a in link.lesson.attachments] == [
            ("Model", "https://gdca.example/model.docx")
        ]
        page_id = session.scalars(select(Pilot.id).where(Pilot.uid == pilot.uid)).one()
        # The webinar came with the pilots and lesson it is linked from; one of them is ProCirc's own.
        entry = session.scalars(select(LibraryItem).where(LibraryItem.uid == webinar.uid)).one()
        assert (entry.home_hub, entry.held_on, entry.url) == (
            flanders.url,
            dt.date(2018, 6, 12),
            "https://gdca.example/webinar",
        )
        assert {p.uid for p in entry.pilots} == {pilot.uid, procirc_pilot.uid}
        assert [lesson_.uid for lesson_ in entry.lessons] == [lesson.uid]
        assert procirc_pilot.id in {p.id for p in entry.pilots}  # ProCirc's own record, not a copy
    page = httpx.get(f"{procirc.url}/en/pilots/{page_id}")
    assert page.status_code == 200 and flanders.url in page.text

    # An edit and a deletion at home reach the other two after one sync.
    with flanders.sessions() as session:
        record = session.get(Pilot, pilot.id)
        assert record is not None
        changes.save(
            session,
            record=record,
            values={"title_en": "Reuse of office furniture, city-wide"},
            user_id=flanders.user_id,
            programme_id=record.programme_id,
        )
        gone = session.get(Lesson, lesson.id)
        assert gone is not None
        changes.archive(session, record=gone, user_id=flanders.user_id, programme_id=gone.programme_id)
        session.commit()
    netherlands.sync()
    procirc.sync()
    _converged(hubs)
    with netherlands.sessions() as session:
        edited = session.scalars(select(Pilot).where(Pilot.uid == pilot.uid)).one()
        assert edited.title_en == "Reuse of office furniture, city-wide"
        assert session.scalars(select(Lesson).where(Lesson.uid == lesson.uid)).one().withdrawn_at is not None
        assert len(session.scalars(select(Pilot).where(Pilot.uid == pilot.uid)).all()) == 1


def test_a_revoked_client_is_refused_and_nothing_changes(hubs: dict[str, Hub]) -> None:
    flanders, netherlands = hubs["flanders"], hubs["netherlands"]
    _create(flanders, Organisation(name="OVAM", sector=Sector.PUBLIC, country="BE"))
    netherlands.sync()
    before = _snapshot(netherlands)
    with flanders.sessions() as session:
        (client,) = [c for c in services.list_clients(session) if c.name == "netherlands hub"]
        services.revoke_client(session, client_id=client.client_id)
        session.commit()
    _create(flanders, Organisation(name="Vlaamse overheid", sector=Sector.PUBLIC, country="BE"))

    result = run_hub("sync", "flanders", env={**netherlands.env, **netherlands.secrets})
    assert result.returncode != 0
    assert "refused our client credentials" in result.stderr or "invalid_client" in result.stderr
    assert _snapshot(netherlands) == before
