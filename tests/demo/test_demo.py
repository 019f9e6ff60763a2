"""The demo network: sized like the real programmes, deterministic, and honest about its sources."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.communities.models import (
    CloseOut,
    Community,
    CommunityStatus,
    Meeting,
    MeetingMode,
    MemberRole,
    Membership,
    Post,
)
from hub.db import metadata
from hub.demo.generate import DEFAULT_PILOTS, DemoSummary, is_empty, load_demo, scaled_sizes
from hub.demo.organisation_facts import REAL_ORGANISATIONS
from hub.lessons.models import Lesson, LessonPilotLink
from hub.organisations.models import (
    Commitment,
    CommitmentKind,
    Organisation,
    Participation,
    Role,
    Sector,
    SupportingAction,
)
from hub.pilots.models import Pilot, PilotParty, PilotProgress, PilotRole, PilotStatus
from hub.programmes.models import KeyFigure, Metric, Programme
from hub.records import Record
from hub.taxonomy.models import ProductGroup, Strategy, StrategyKind
from hub.taxonomy.vocabulary import PRODUCT_GROUPS, STRATEGIES, ensure_vocabulary

SMALL = {"gdca": 40, "gdci": 20, "procirc": 12}
REAL_NAMES = [organisation.name for organisation in REAL_ORGANISATIONS]
RECORDS: tuple[type[Record], ...] = (
    Programme,
    Organisation,
    Participation,
    Commitment,
    SupportingAction,
    Pilot,
    Community,
    Meeting,
    CloseOut,
    Lesson,
    LessonPilotLink,
)


@pytest.fixture
def demo(session: Session) -> DemoSummary:
    return load_demo(session)


def programme_id(session: Session, code: str) -> int:
    found = session.scalar(select(Programme.id).where(Programme.code == code))
    assert found is not None
    return found


def count(session: Session, statement: Any) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def participants(session: Session, code: str, *roles: Role) -> int:
    return count(
        session,
        select(Participation.id).where(
            Participation.programme_id == programme_id(session, code), Participation.role.in_(roles)
        ),
    )


def test_is_empty_until_the_demo_is_loaded(session: Session) -> None:
    assert is_empty(session)
    load_demo(session, pilots=SMALL)
    assert not is_empty(session)


def test_sizes_match_the_real_programmes(session: Session, demo: DemoSummary) -> None:
    assert session.scalars(select(Programme.code).order_by(Programme.code)).all() == [
        "gdca",
        "gdci",
        "procirc",
    ]
    assert participants(session, "gdca", Role.PROCURER) == 101
    assert participants(session, "gdca", Role.FACILITATOR) == 52
    assert participants(session, "gdci", Role.PROCURER, Role.KNOWLEDGE_PARTNER) == 45
    assert participants(session, "procirc", Role.LEAD_PARTNER, Role.PROJECT_PARTNER) == 11
    for code, size in DEFAULT_PILOTS.items():
        assert (
            count(session, select(Pilot.id).where(Pilot.programme_id == programme_id(session, code))) == size
        )
    assert count(session, select(SupportingAction.id)) == 60
    goals = session.scalars(select(Strategy.code).where(Strategy.kind == StrategyKind.GOAL)).all()
    assert sorted(goals) == sorted(
        ["reduce_materials", "reduce_virgin_input", "extend_lifetime", "reuse", "recycle"]
    )
    assert demo.pilots == sum(DEFAULT_PILOTS.values())
    assert demo.organisations == count(session, select(Organisation.id))
    assert demo.lessons == count(session, select(Lesson.id)) == 40
    for model in RECORDS:
        assert count(session, select(model.id).where(model.is_demo.is_(False))) == 0, model


def test_procirc_partners_are_8_public_and_3_private_in_6_countries(
    session: Session, demo: DemoSummary
) -> None:
    rows = session.execute(
        select(Organisation.name, Organisation.sector, Organisation.country, Participation.role)
        .join(Participation)
        .where(
            Participation.programme_id == programme_id(session, "procirc"),
            Participation.role.in_((Role.LEAD_PARTNER, Role.PROJECT_PARTNER)),
        )
    ).all()
    assert Counter(row.sector for row in rows) == {Sector.PUBLIC: 8, Sector.PRIVATE: 3}
    assert {row.country for row in rows} == {"NL", "BE", "DK", "DE", "SE", "GB"}
    assert ("Rijkswaterstaat", Role.LEAD_PARTNER) in {(row.name, row.role) for row in rows}
    assert "Vlaanderen Circulair" in {row.name for row in rows}


def test_commitments_follow_the_programme_rules(session: Session, demo: DemoSummary) -> None:
    gdca = session.get_one(Programme, programme_id(session, "gdca"))
    rows = session.execute(
        select(Participation.role, Commitment.kind, Commitment.target_count, Commitment.signed_on)
        .join(Commitment)
        .where(Participation.programme_id == gdca.id)
    ).all()
    assert Counter((r.role, r.kind, r.target_count) for r in rows) == {
        (Role.PROCURER, CommitmentKind.PILOTS, 2): 101,
        (Role.FACILITATOR, CommitmentKind.SUPPORTING_ACTIONS, 1): 52,
    }
    assert {r.signed_on for r in rows} == {gdca.starts_on}
    # A handful of facilitators deliberately delivered no supporting action.
    acting = select(SupportingAction.organisation_id)
    silent = count(
        session,
        select(Participation.id).where(
            Participation.programme_id == gdca.id,
            Participation.role == Role.FACILITATOR,
            Participation.organisation_id.not_in(acting),
        ),
    )
    assert 1 <= silent <= 10


def test_real_organisations_never_procure_or_supply_generated_pilots(
    session: Session, demo: DemoSummary
) -> None:
    real = ["Vlaanderen Circulair", "Rijkswaterstaat", "PIANOo", "Dienst ICT Uitvoering", "NEVI"]
    parties = select(PilotParty.pilot_id).join(Organisation).where(Organisation.name.in_(real))
    assert count(session, parties) == 0


def test_same_seed_same_data_and_another_seed_other_data(sessions: sessionmaker[Session]) -> None:
    def load(seed: int) -> str:
        with sessions() as session:
            load_demo(session, seed=seed, pilots=SMALL)
            found = digest(session)
            session.rollback()
        return found

    first = load(7)
    assert load(7) == first
    assert load(8) != first


# Columns that hold ids without a foreign key (a participant's entry names its record and its
# form's choices by id): left out, since sequences hand out other ids on a second load.
IDS_INSIDE = {
    ("participant_entries", "target_id"),
    ("participant_entries", "values"),
    # The search index names its records and filters by id (its terms are hashed).
    ("search_documents", "record_id"),
    ("search_documents", "programme_id"),
    ("search_documents", "product_group_id"),
}


def digest(session: Session) -> str:
    """A hash of every row, with ids (which sequences hand out) replaced by uids or codes."""
    natural: dict[str, dict[Any, Any]] = {}
    hashed = hashlib.sha256()
    for table in metadata.sorted_tables:
        rows = session.execute(select(table)).mappings().all()
        key = "uid" if "uid" in table.c else "code" if "code" in table.c else None
        if key and "id" in table.c:
            natural[table.name] = {row["id"]: row[key] for row in rows}
        lines = []
        for row in rows:
            values = []
            for column in table.c:
                if (
                    column.name in ("id", "created_at", "updated_at")
                    or (table.name, column.name) in IDS_INSIDE
                ):
                    continue
                value = row[column.name]
                for foreign_key in column.foreign_keys:
                    if value is not None:
                        value = natural[foreign_key.column.table.name][value]
                values.append(f"{column.name}={value!r}")
            lines.append("|".join(values))
        for line in sorted(lines):
            hashed.update(f"{table.name}:{line}\n".encode())
    return hashed.hexdigest()


def test_disagreeing_gdca_counts_are_kept_with_their_date_and_source(
    session: Session, demo: DemoSummary
) -> None:
    figures = session.scalars(
        select(KeyFigure).where(
            KeyFigure.programme_id == programme_id(session, "gdca"), KeyFigure.metric == Metric.PARTICIPANTS
        )
    ).all()
    by_value = {figure.value: figure for figure in figures}
    assert set(by_value) == {Decimal(150), Decimal(170), Decimal(153)}
    assert len({f.as_of for f in figures}) == len({f.source_title for f in figures}) == 3
    assert by_value[Decimal(150)].approximate and by_value[Decimal(170)].approximate
    assert not by_value[Decimal(153)].approximate
    assert by_value[Decimal(153)].as_of == dt.date(2019, 9, 9)
    assert "Interreg Europe" in by_value[Decimal(153)].source_title
    procurers = session.scalars(
        select(KeyFigure.value).where(KeyFigure.metric == Metric.PROCURERS).order_by(KeyFigure.as_of)
    ).all()
    assert procurers == [Decimal(110), Decimal(101)]


def test_some_pilots_are_untranslated(session: Session, demo: DemoSummary) -> None:
    pilots = session.scalars(select(Pilot)).all()
    untranslated = [
        p for p in pilots if not getattr(p, f"title_{'en' if p.source_language == 'nl' else 'nl'}")
    ]
    assert 0 < len(untranslated) < len(pilots) * 0.1
    dutch = next(p for p in untranslated if p.source_language == "nl")
    assert dutch.title_nl and not dutch.summary_en
    assert dutch.localized("title", "en").fallback
    assert all(p.title_nl and p.title_en for p in pilots if p not in untranslated)
    assert {p.source_language for p in pilots if p.programme.code == "procirc"} == {"en"}


def test_some_procurers_fall_short_of_two_pilots(session: Session, demo: DemoSummary) -> None:
    gdca = programme_id(session, "gdca")
    pilots_per_procurer = (
        select(func.count(PilotParty.pilot_id))
        .join(Pilot)
        .where(
            PilotParty.organisation_id == Participation.organisation_id,
            PilotParty.role == PilotRole.PROCURER,
            Pilot.programme_id == gdca,
        )
        .scalar_subquery()
    )
    counts = session.scalars(
        select(pilots_per_procurer).where(
            Participation.programme_id == gdca, Participation.role == Role.PROCURER
        )
    ).all()
    short = sum(1 for n in counts if n < 2)
    assert 0 < short < len(counts) / 4


def test_procirc_aims_at_20_to_25_percent_and_pilots_add_up_to_40_million(
    session: Session, demo: DemoSummary
) -> None:
    procirc = session.get_one(Programme, programme_id(session, "procirc"))
    assert (procirc.reduction_target_min, procirc.reduction_target_max) == (
        Decimal("0.200"),
        Decimal("0.250"),
    )
    values = session.scalars(select(Pilot.contract_value).where(Pilot.programme_id == procirc.id)).all()
    assert None not in values
    assert abs(sum(v for v in values if v is not None) - 40_000_000) < 400_000
    completed = session.scalars(
        select(Pilot).where(Pilot.status == PilotStatus.COMPLETED, Pilot.co2_result_t.is_not(None))
    ).all()
    reductions = [p.reduction("co2") for p in completed]
    assert all(r is not None and Decimal("0.09") < r < Decimal("0.36") for r in reductions)
    assert any(r is not None and r >= Decimal("0.20") for r in reductions)
    assert any(r is not None and r < Decimal("0.20") for r in reductions)


def test_pilots_stay_within_their_programme(session: Session, demo: DemoSummary) -> None:
    for pilot in session.scalars(select(Pilot)):
        programme = pilot.programme
        assert pilot.starts_on is not None and programme.starts_on is not None
        assert programme.starts_on <= pilot.starts_on <= (programme.ends_on or dt.date.max)
        assert (pilot.ends_on is not None) == (pilot.status in (PilotStatus.COMPLETED, PilotStatus.STOPPED))
        assert 1 <= len(pilot.strategies) <= 3
        procurers = [p for p in pilot.parties if p.role is PilotRole.PROCURER]
        assert 1 <= len(procurers) <= 2
        assert pilot.country == procurers[0].organisation.country


def test_communities_meetings_and_lessons(session: Session, demo: DemoSummary) -> None:
    communities = session.scalars(select(Community).order_by(Community.id)).all()
    by_programme = Counter(c.programme.code for c in communities)
    assert by_programme == {"gdca": 5, "gdci": 8, "procirc": 5}
    gdca = [c for c in communities if c.programme.code == "gdca"]
    assert {(c.contact_name, c.contact_email, c.status) for c in gdca} == {
        ("Melody", "melody@gdca.example.org", CommunityStatus.ACTIVE)  # invented: the form works
    }
    assert {c.since for c in gdca} == {dt.date(2020, 1, 1)}
    gdci_bouw = next(c for c in communities if c.name_nl == "Werkgroep Bouw")
    meetings = session.scalars(select(Meeting).where(Meeting.community_id == gdci_bouw.id)).all()
    assert 12 <= len(meetings) <= 16  # four a year, June 2018 to the end of 2021
    zones = session.scalars(select(Meeting.timezone).distinct()).all()
    assert set(zones) <= {"Europe/Brussels", "Europe/Amsterdam"}

    lessons = session.scalars(select(Lesson)).all()
    assert all(lesson.title_nl and lesson.title_en and lesson.source_language == "nl" for lesson in lessons)
    links = session.scalars(select(LessonPilotLink)).all()
    assert links
    assert {(link.lesson.programme.code, link.pilot.programme.code) for link in links} == {
        ("gdca", "procirc")
    }


def test_community_life(session: Session, demo: DemoSummary) -> None:
    communities = session.scalars(select(Community).order_by(Community.id)).all()
    programme_members = set(
        session.execute(select(Participation.programme_id, Participation.organisation_id))
    )
    real = set(session.scalars(select(Organisation.id).where(Organisation.name.in_(REAL_NAMES))))
    for community in communities:
        members = session.scalars(select(Membership).where(Membership.community_id == community.id)).all()
        assert 4 <= len(members) <= 8, community.name_en
        assert [m.role for m in members].count(MemberRole.CONTACT) == 1
        assert all(m.organisation_id is not None and m.email is None and not m.name for m in members)
        assert {(community.programme_id, m.organisation_id) for m in members} <= programme_members
        assert not {m.organisation_id for m in members} & real  # invented organisations only
    assert demo.memberships == count(session, select(Membership.id))

    meetings = session.scalars(select(Meeting)).all()
    for meeting in meetings:
        assert meeting.agenda_nl.startswith("1. ") and meeting.agenda_en.startswith("1. ")
        assert (meeting.capacity is None) == (meeting.mode is MeetingMode.ONLINE)
        assert meeting.online_url is None  # no invented links
        if dt.date(2020, 4, 1) <= meeting.starts_at.date() <= dt.date(2021, 6, 1):
            assert meeting.mode is MeetingMode.ONLINE and not meeting.location
    assert {m.mode for m in meetings} == set(MeetingMode)

    # Every meeting is past: each has a published close-out about the community's product group.
    closeouts = session.scalars(select(CloseOut)).all()
    assert len(closeouts) == len(meetings) == demo.closeouts
    with_pilots = with_lessons = 0
    for closeout in closeouts:
        meeting, community = closeout.meeting, closeout.meeting.community
        assert closeout.minutes_nl and closeout.minutes_en and closeout.attendance
        assert closeout.published_at is not None and closeout.published_at > meeting.starts_at
        if meeting.capacity:
            assert closeout.attendance <= meeting.capacity
        members = session.scalars(
            select(Membership.organisation_id).where(Membership.community_id == community.id)
        ).all()
        assert closeout.organisations and {o.id for o in closeout.organisations} <= set(members)
        assert len(closeout.pilots) <= 2 and len(closeout.lessons) <= 2
        for pilot in closeout.pilots:
            assert pilot.product_group_id == community.product_group_id
            assert pilot.starts_on is not None and pilot.starts_on <= meeting.starts_at.date()
        assert all(lesson.product_group_id == community.product_group_id for lesson in closeout.lessons)
        with_pilots += bool(closeout.pilots)
        with_lessons += bool(closeout.lessons)
    assert with_pilots > len(closeouts) / 2 and with_lessons > 0

    posts = Counter(session.scalars(select(Post.community_id)).all())
    for community in communities:
        expected = (1, 2) if community.status is CommunityStatus.ACTIVE else (0,)
        assert posts[community.id] in expected, community.name_en
    assert sum(posts.values()) == demo.posts
    assert all(p.title_nl and p.body_en and p.author_name for p in session.scalars(select(Post)))


def test_a_benchmark_sized_override(session: Session) -> None:
    summary = load_demo(session, pilots={"gdca": 1000})
    assert summary.pilots == 1000 + DEFAULT_PILOTS["gdci"] + DEFAULT_PILOTS["procirc"]
    assert scaled_sizes(10_000) == {"gdca": 9898, "gdci": 70, "procirc": 32}
    assert scaled_sizes(302) == DEFAULT_PILOTS
    assert sum(scaled_sizes(50).values()) == 50


@pytest.fixture
def statements(connection: Connection) -> Iterator[Callable[[], list[str]]]:
    """The SQL statements run on the test's connection since the last call."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(connection, "before_cursor_execute", record)

    def take() -> list[str]:
        taken = list(seen)
        seen.clear()
        return taken

    yield take
    event.remove(connection, "before_cursor_execute", record)


def test_ensure_vocabulary_is_idempotent(session: Session, statements: Callable[[], list[str]]) -> None:
    ensure_vocabulary(session)
    assert count(session, select(ProductGroup.id)) == len(PRODUCT_GROUPS) == 14
    assert count(session, select(Strategy.id)) == len(STRATEGIES) == 10
    statements()
    ensure_vocabulary(session)
    second = statements()
    assert second  # it did look
    assert not [s for s in second if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]

    furniture = session.scalars(select(ProductGroup).where(ProductGroup.code == "furniture")).one()
    furniture.name_en = "Old name"
    session.flush()
    ensure_vocabulary(session)
    assert furniture.name_en == "Furniture"
    assert count(session, select(ProductGroup.id)) == 14
    names = session.execute(select(ProductGroup.code, ProductGroup.name_nl).order_by(ProductGroup.position))
    assert names.all()[:2] == [("food", "Voeding"), ("ict", "ICT")]


@pytest.mark.parametrize("day", [dt.date(2019, 6, 1), dt.date(2026, 12, 7)])
def test_statuses_follow_the_pilots_dates_on_the_day_loaded(session: Session, day: dt.date) -> None:
    """Loaded inside GDCA, some pilots run and some are planned; loaded years after the
    programmes ended, every pilot has finished. Either way, no status contradicts a date."""
    load_demo(session, pilots=SMALL, today=day)
    pilots = session.scalars(select(Pilot)).all()
    for pilot in pilots:
        assert pilot.starts_on is not None
        if pilot.status is PilotStatus.PLANNED:
            assert pilot.starts_on > day and pilot.ends_on is None
        elif pilot.status is PilotStatus.RUNNING:
            assert pilot.starts_on <= day and pilot.ends_on is None
        else:
            assert pilot.ends_on is not None and pilot.starts_on <= pilot.ends_on <= day
    statuses = {pilot.status for pilot in pilots}
    if day.year == 2019:
        assert {PilotStatus.RUNNING, PilotStatus.PLANNED} <= statuses
    else:
        assert statuses <= {PilotStatus.COMPLETED, PilotStatus.STOPPED}
    # Progress reports are what the pilot's dates gave on the day each was written.
    for progress in session.scalars(select(PilotProgress)):
        pilot = session.get(Pilot, progress.pilot_id)
        assert pilot is not None and pilot.starts_on <= progress.as_of
        ended = pilot.ends_on is not None and progress.as_of >= pilot.ends_on
        assert (progress.percent == 100) == ended, (progress.percent, progress.as_of, pilot.ends_on)
