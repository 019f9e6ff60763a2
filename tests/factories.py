"""Small factories: the fewest fields a valid record needs, the rest given by the test."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.models import RoleName, User
from hub.organisations.models import Organisation, Participation, Role, Sector
from hub.pilots.models import Pilot, PilotParty, PilotRole, PilotStatus
from hub.programmes.models import Programme
from hub.taxonomy.models import Phase, ProductGroup, Strategy, StrategyKind

_counter = itertools.count(1)


def programme(session: Session, code: str = "", **fields: Any) -> Programme:
    code = code or f"prog{next(_counter)}"
    values: dict[str, Any] = {
        "short_name": code.upper(),
        "name_nl": f"Programma {code}",
        "name_en": f"Programme {code}",
        "countries": ["BE"],
        "starts_on": dt.date(2017, 6, 1),
    }
    record = Programme(code=code, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def product_group(session: Session, code: str = "", **fields: Any) -> ProductGroup:
    code = code or f"group{next(_counter)}"
    existing = session.scalar(select(ProductGroup).where(ProductGroup.code == code))
    if existing:
        return existing
    record = ProductGroup(code=code, **{"name_nl": f"Groep {code}", "name_en": f"Group {code}", **fields})
    session.add(record)
    session.flush()
    return record


def strategy(session: Session, code: str = "", **fields: Any) -> Strategy:
    code = code or f"strategy{next(_counter)}"
    existing = session.scalar(select(Strategy).where(Strategy.code == code))
    if existing:
        return existing
    values = {
        "kind": StrategyKind.GOAL,
        "name_nl": f"Strategie {code}",
        "name_en": f"Strategy {code}",
    }
    record = Strategy(code=code, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def organisation(session: Session, name: str = "", **fields: Any) -> Organisation:
    values = {"sector": Sector.PUBLIC, "country": "BE"}
    record = Organisation(name=name or f"Organisatie {next(_counter)}", **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def participation(
    session: Session, programme: Programme, organisation: Organisation, role: Role = Role.PROCURER
) -> Participation:
    record = Participation(programme=programme, organisation=organisation, role=role)
    session.add(record)
    session.flush()
    return record


def pilot(
    session: Session,
    programme: Programme,
    *,
    strategies: list[Strategy] | None = None,
    procurers: list[Organisation] | None = None,
    **fields: Any,
) -> Pilot:
    n = next(_counter)
    values: dict[str, Any] = {
        "title_nl": f"Pilot {n}",
        "title_en": f"Pilot {n}",
        "country": "BE",
        "phase": Phase.TENDER,
        "status": PilotStatus.RUNNING,
        "starts_on": dt.date(2018, 1, 1),
    }
    record = Pilot(programme=programme, **{**values, **fields})
    record.strategies = list(strategies or [])
    record.parties = [
        PilotParty(organisation=o, role=PilotRole.PROCURER, position=i) for i, o in enumerate(procurers or [])
    ]
    session.add(record)
    session.flush()
    return record


PASSWORD = "correct horse battery staple"


def user(
    session: Session,
    email: str = "",
    *,
    admin: bool = False,
    coordinator_of: list[str] | None = None,
    moderator_of: list[int] | None = None,
    password: str = PASSWORD,
) -> User:
    from hub.accounts import services

    account = services.create_user(
        session, email=email or f"user{next(_counter)}@example.org", password=password
    )
    if admin:
        services.grant(session, user=account, role=RoleName.ADMIN)
    for code in coordinator_of or []:
        services.grant(session, user=account, role=RoleName.COORDINATOR, programme_code=code)
    for community_id in moderator_of or []:
        services.grant(session, user=account, role=RoleName.MODERATOR, community_id=community_id)
    session.flush()
    return account


def community(session: Session, programme: Programme, **fields: Any) -> Any:  # a Community
    from hub.communities.models import Community

    n = next(_counter)
    values: dict[str, Any] = {"name_nl": f"Gemeenschap {n}", "name_en": f"Community {n}"}
    record = Community(programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def meeting(session: Session, community: Any, **fields: Any) -> Any:  # a Meeting
    from hub.communities.models import Meeting

    n = next(_counter)
    values: dict[str, Any] = {
        "title_nl": f"Bijeenkomst {n}",
        "title_en": f"Meeting {n}",
        "starts_at": dt.datetime(2099, 6, 1, 8, 0, tzinfo=dt.UTC),
        "timezone": "Europe/Brussels",
    }
    record = Meeting(community=community, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def supporting_action(
    session: Session, programme: Programme, organisation: Organisation, **fields: Any
) -> Any:  # a SupportingAction
    from hub.organisations.models import SupportingAction

    values = {"title_nl": "Actie", "title_en": "Action"}
    record = SupportingAction(programme=programme, organisation=organisation, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def source(session: Session, programme: Programme, key: str = "", **fields: Any) -> Any:  # a Source
    """A source, due now; by default a feed of news (the options are not checked here). A source
    of kind "hub" may bring in every programme known so far, unless ``peer_programmes`` says."""
    from hub.db import utcnow
    from hub.sync.models import Source

    if fields.get("kind") == "hub":
        fields.setdefault("peer_programmes", sorted(session.scalars(select(Programme.code))))

    key = key or f"source{next(_counter)}"
    values: dict[str, Any] = {
        "name": f"Bron {key}",
        "kind": "feed",
        "options": {"url": "http://127.0.0.1:1/feed.atom", "language": "nl", "target": "news"},
        "schedule": "every 60",
        "next_run_at": utcnow(),
    }
    record = Source(key=key, programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def lesson(session: Session, programme: Programme, **fields: Any) -> Any:  # a Lesson
    from hub.lessons.models import Lesson, LessonKind

    n = next(_counter)
    values: dict[str, Any] = {"title_nl": f"Les {n}", "title_en": f"Lesson {n}", "kind": LessonKind.TIP}
    record = Lesson(programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def lesson_link(session: Session, lesson: Any, pilot: Pilot, **fields: Any) -> Any:  # a LessonPilotLink
    """A link made on this hub (``home_hub=None``) unless ``home_hub`` says where; REUSED_BY by default."""
    from hub.lessons.models import LessonPilotLink, LinkKind

    values: dict[str, Any] = {"kind": LinkKind.REUSED_BY, "made_by": "Coördinator"}
    record = LessonPilotLink(lesson=lesson, pilot=pilot, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def closeout(session: Session, meeting: Any, **fields: Any) -> Any:  # a CloseOut
    from hub.communities.models import CloseOut

    values: dict[str, Any] = {"minutes_en": "We met.", "source_language": "en"}
    record = CloseOut(meeting=meeting, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def library_item(session: Session, programme: Programme, **fields: Any) -> Any:  # a LibraryItem
    """A document in the programme's library (``kind`` and the rest as given)."""
    from hub.library.models import LibraryItem, LibraryKind

    n = next(_counter)
    values: dict[str, Any] = {
        "title_nl": f"Document {n}",
        "title_en": f"Document {n}",
        "kind": LibraryKind.DOCUMENT,
        "source_language": "nl",
    }
    record = LibraryItem(programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def call(session: Session, programme: Programme, **fields: Any) -> Any:  # a Call (to join)
    """An open call to join the programme (no closing day unless given)."""
    from hub.calls.models import Call

    n = next(_counter)
    values: dict[str, Any] = {
        "title_nl": f"Oproep {n}",
        "title_en": f"Call {n}",
        "body_nl": "Doe mee.",
        "body_en": "Join us.",
        "source_language": "en",
    }
    record = Call(programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def event(session: Session, programme: Programme, **fields: Any) -> Any:  # an Event
    """A Buyer-meets-Supplier event of the programme far ahead (no limit on places unless given)."""
    from hub.events.models import Event, EventKind

    n = next(_counter)
    values: dict[str, Any] = {
        "title_nl": f"Evenement {n}",
        "title_en": f"Event {n}",
        "kind": EventKind.BUYER_MEETS_SUPPLIER,
        "starts_at": dt.datetime(2099, 5, 12, 7, 30, tzinfo=dt.UTC),
        "ends_at": dt.datetime(2099, 5, 12, 14, 30, tzinfo=dt.UTC),
        "timezone": "Europe/Brussels",
        "location": "Gent",
        "source_language": "en",
    }
    record = Event(programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record
