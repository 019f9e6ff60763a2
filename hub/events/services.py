"""Queries and writes for events: the public list, one event with its places and supplier offers, a
registration, and what the workspace shows of the registrations.

A registration is refused once the event has started or its registration has closed, when the
side is full, or when the address is registered already. Two processes may try at once: the
capacity check and the insert run under a lock on the event's row, and the database's partial
unique index (one live registration per address and event) stops a second one whatever happens.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub import changes
from hub.db import utcnow
from hub.events.models import Event, EventKind, EventRegistration, Side
from hub.filters import QueryFilters
from hub.i18n import N_, LabelledEnum, format_date, ngettext
from hub.i18n import gettext as _
from hub.pagination import Page, paginate
from hub.programmes.models import Programme
from hub.queries import PublicFilters
from hub.refusals import Refused
from hub.search import query
from hub.taxonomy.models import ProductGroup

PAGE_SIZE = 20
KIND = "event"  # in the search index
_LIVE = Event.withdrawn_at.is_(None)
_LIVE_REGISTRATION = EventRegistration.cancelled_at.is_(None)


# --- the public list ---


class Sort(LabelledEnum):
    RELEVANCE = "relevance", N_("Best match")  # the default with a search
    DATE = "date", N_("Date")  # those to come first, then those past


@dataclasses.dataclass(frozen=True)
class EventFilters(PublicFilters):
    programme: str | None = None
    kind: EventKind | None = None
    sort: Sort = Sort.DATE


def parse_filters(session: Session, params: Mapping[str, str]) -> EventFilters:
    """Filters from query parameters; an unknown value raises ``InvalidFilter`` (shown as 400)."""
    read = QueryFilters(session, params)
    q = read.search()
    return EventFilters(
        programme=read.code("programme", Programme.code),
        kind=read.member("kind", EventKind),
        q=q,
        sort=read.member("sort", Sort) or (Sort.RELEVANCE if query.parse(q) else Sort.DATE),
        page=read.page(),
    )


def list_events(session: Session, *, filters: EventFilters, now: dt.datetime) -> Page[Event]:
    """One page of live events: the best matches of a search first, or those to come first
    (soonest first), then those past (latest first)."""
    conditions: list[ColumnElement[bool]] = [_LIVE]
    if filters.programme:
        conditions.append(
            Event.programme_id
            == select(Programme.id).where(Programme.code == filters.programme).scalar_subquery()
        )
    if filters.kind:
        conditions.append(Event.kind == filters.kind)
    dialect = session.get_bind().dialect.name
    to_come = Event.starts_at > now
    by_date = (
        case((to_come, 0), else_=1),
        case((to_come, Event.starts_at)).asc(),  # NULL (equal) for the past ones
        Event.starts_at.desc(),
        Event.id,
    )
    statement: Select[Any] = select(Event).where(*conditions).options(joinedload(Event.programme))
    searched = query.parse(filters.q)
    if searched and filters.sort is Sort.RELEVANCE:
        # The matches with their rank, joined: they filter as the ``q`` condition would.
        ranked = query.matches(dialect, KIND).subquery()
        statement = statement.join(ranked, ranked.c.record_id == Event.id).order_by(ranked.c.rank, *by_date)
    else:
        if searched:
            statement = statement.where(Event.id.in_(query.matching_ids(dialect, KIND)))
        statement = statement.order_by(*by_date)
    if searched:
        statement = statement.params(search=query.search_text(session, searched))
    page: Page[Event] = paginate(session, statement, page=filters.page, per_page=PAGE_SIZE)
    return page


def get_event(session: Session, *, event_id: int) -> Event | None:
    return session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(joinedload(Event.programme), selectinload(Event.product_groups))
    )


def live_events(session: Session) -> Sequence[Event]:
    """Every live event, in order of time (the calendar feed)."""
    return session.scalars(select(Event).where(_LIVE).order_by(Event.starts_at, Event.id)).all()


# --- places and offers ---


def taken_places(session: Session, *, event_ids: Collection[int]) -> dict[int, dict[Side, int]]:
    """Live registrations per event and side (events without any are left out)."""
    if not event_ids:
        return {}
    taken: dict[int, dict[Side, int]] = {}
    for event_id, side, count in session.execute(
        select(EventRegistration.event_id, EventRegistration.side, func.count())
        .where(EventRegistration.event_id.in_(list(event_ids)), _LIVE_REGISTRATION)
        .group_by(EventRegistration.event_id, EventRegistration.side)
    ):
        taken.setdefault(event_id, {})[side] = count
    return taken


def places_left(event: Event, taken: Mapping[Side, int]) -> dict[Side, int | None]:
    """Places left per side (None: no limit)."""
    left: dict[Side, int | None] = {}
    for side in Side:
        capacity = event.capacity(side)
        left[side] = None if capacity is None else max(capacity - taken.get(side, 0), 0)
    return left


def supplier_offers(
    session: Session, *, event_id: int
) -> list[tuple[ProductGroup | None, list[EventRegistration]]]:
    """The live suppliers' circular offers grouped per product group (in the vocabulary's order)."""
    suppliers = session.scalars(
        select(EventRegistration)
        .outerjoin(ProductGroup, ProductGroup.id == EventRegistration.product_group_id)
        .where(
            EventRegistration.event_id == event_id,
            EventRegistration.side == Side.SUPPLIER,
            _LIVE_REGISTRATION,
        )
        .options(joinedload(EventRegistration.product_group))
        .order_by(
            ProductGroup.position.is_(None),
            ProductGroup.position,
            func.lower(EventRegistration.organisation_name),
            EventRegistration.id,
        )
    ).all()
    groups: list[tuple[ProductGroup | None, list[EventRegistration]]] = []
    for supplier in suppliers:
        if not groups or groups[-1][0] is not supplier.product_group:
            groups.append((supplier.product_group, []))
        groups[-1][1].append(supplier)
    return groups


# --- registering ---


def registration_refusal(event: Event, now: dt.datetime) -> str | None:
    """Why the event takes no registrations now (None: it does)."""
    if event.home_hub is not None:
        return _("This event is kept by %(home)s: register there.", home=event.home_hub)
    if event.is_past(now):
        return _("This event has taken place: registration is closed.")
    if event.registration_deadline() <= now:
        day = event.last_registration_day()
        if day is None:
            return _("Registration for this event is closed.")
        return _("Registration for this event closed on %(date)s.", date=format_date(day))
    return None


def full_message(side: Side, capacity: int) -> str:
    if side is Side.BUYER:
        return ngettext(
            "The one place for buyers is taken.", "All %(num)d places for buyers are taken.", capacity
        )
    return ngettext(
        "The one place for suppliers is taken.", "All %(num)d places for suppliers are taken.", capacity
    )


def _registered_already() -> str:
    return _("This address is registered already for this event.")


def _registered(session: Session, *, event_id: int, email: str) -> int | None:
    """The id of the live registration of ``email`` (in lower case) for the event, if any."""
    return session.scalar(
        select(EventRegistration.id).where(
            EventRegistration.event_id == event_id, EventRegistration.email == email, _LIVE_REGISTRATION
        )
    )


def register(
    session: Session,
    *,
    event: Event,
    side: Side,
    organisation_name: str,
    contact_name: str,
    email: str,
    product_group_id: int | None,
    circular_offer: str,
    language: str,
    now: dt.datetime,
) -> EventRegistration:
    """A live registration (flushed); ``Refused`` when closed, the side is full or the address has one."""
    # Counting the side's registrations and then inserting races with another process doing the
    # same for the last place. On PostgreSQL the event's row lock (SELECT ... FOR UPDATE) makes the
    # second wait until the first commits, and then count its registration; SQLite has no row
    # locks, but a writer session (BEGIN IMMEDIATE) serialises whole write transactions there.
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    refusal = registration_refusal(event, now)
    if refusal is not None:
        raise Refused(refusal)
    email = email.lower()  # stored in lower case: the unique index then ignores case
    registered_already = Refused(_registered_already(), field="email")
    if _registered(session, event_id=event.id, email=email) is not None:
        raise registered_already
    capacity = event.capacity(side)
    if capacity is not None:
        taken = session.scalar(
            select(func.count()).where(
                EventRegistration.event_id == event.id, EventRegistration.side == side, _LIVE_REGISTRATION
            )
        )
        if (taken or 0) >= capacity:
            raise Refused(full_message(side, capacity), field="side")
    registration = EventRegistration(
        event_id=event.id,
        side=side,
        organisation_name=organisation_name,
        contact_name=contact_name,
        email=email,
        product_group_id=product_group_id if side is Side.SUPPLIER else None,
        circular_offer=circular_offer if side is Side.SUPPLIER else "",
        language=language,
        created_at=utcnow(),
    )
    # Another process may store the same address at this moment.
    changes.add_unique(session, registration, registered_already)
    return registration


# --- the workspace ---


def events_of(
    session: Session, *, programme_ids: Collection[int] | None, archived: bool = False, page: int = 1
) -> Page[Event]:
    """The events of these programmes (all for None), latest first."""
    statement = select(Event).where(Event.withdrawn_at.is_not(None) if archived else _LIVE)
    if programme_ids is not None:
        statement = statement.where(Event.programme_id.in_(list(programme_ids)))
    statement = statement.options(joinedload(Event.programme)).order_by(
        Event.starts_at.desc(), Event.id.desc()
    )
    result: Page[Event] = paginate(session, statement, page=page)
    return result


def registrations_of(session: Session, *, event_id: int) -> Sequence[EventRegistration]:
    """Every registration of the event (cancelled ones too), per side, oldest first."""
    return session.scalars(
        select(EventRegistration)
        .where(EventRegistration.event_id == event_id)
        .options(joinedload(EventRegistration.product_group))
        .order_by(EventRegistration.side, EventRegistration.created_at, EventRegistration.id)
    ).all()


def get_registration(session: Session, *, registration_id: int, event_id: int) -> EventRegistration | None:
    return session.scalar(
        select(EventRegistration).where(
            EventRegistration.id == registration_id, EventRegistration.event_id == event_id
        )
    )


def cancel_registration(
    session: Session, *, registration: EventRegistration, event: Event, user_id: int
) -> bool:
    """Cancels a live registration (its place frees up); False if it was cancelled already."""
    return changes.stamp(
        session,
        record=registration,
        column="cancelled_at",
        action="cancel",
        user_id=user_id,
        programme_id=event.programme_id,
        summary=f"{registration.email} · {event.title_en or event.title_nl}",
    )


def events_held_by_programme(session: Session) -> dict[int, int]:
    """Per programme id: its live events that have started."""
    return dict(
        session.execute(
            select(Event.programme_id, func.count())
            .where(Event.withdrawn_at.is_(None), Event.starts_at < utcnow())
            .group_by(Event.programme_id)
        ).all()
    )


def upcoming(session: Session, *, now: dt.datetime, limit: int = 3) -> Sequence[Event]:
    """The live events still to come, soonest first, for the home page."""
    return session.scalars(
        select(Event)
        .where(_LIVE, Event.starts_at > now)
        .options(joinedload(Event.programme))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    ).all()
