"""Writing an event: its fields, declared once, one typed input, the rules its values obey, and one
write path, audited.

The coordinators' form writes through here and shows the same rules next to its fields
(:func:`errors_of` reads a partial set of values too: a rule over a value the form could not read
is left to that value's own error). A peer hub's mirror writes its events in bulk, each row held
to the event's own rules (:func:`check_row`, the federated kind's check).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import changes
from hub.db import utcnow
from hub.events.models import Event, EventKind, Side
from hub.i18n import N_, TIMEZONE, utc_moment
from hub.inputs import Breach, TitledInput, between, check, texts
from hub.records import LANGUAGES
from hub.refusals import Invalid
from hub.taxonomy.models import ProductGroup

MAX_CAPACITY = 100_000
TEXTS = tuple(f"{name}_{lang}" for name in ("title", "summary", "outcome") for lang in LANGUAGES)
CAPACITIES = tuple(f"capacity_{side.value}s" for side in Side)  # capacity_buyers, capacity_suppliers
MOMENTS = ("starts_at", "ends_at", "registration_closes_at")  # in UTC (a form shows them in the zone)
# The event's own values (its columns, not its bookkeeping); its product groups are a list of their own.
FIELDS = (
    "programme_id",
    "kind",
    "source_language",
    *TEXTS,
    "timezone",
    "location",
    *CAPACITIES,
    *MOMENTS,
)


@dataclasses.dataclass(frozen=True)
class EventInput(TitledInput[Event]):
    """An event's values (``FIELDS``), typed, with its product groups by id. The moments are in
    UTC; ``timezone`` is where the event happens."""

    FIELDS = FIELDS

    programme_id: int
    kind: EventKind
    source_language: str
    starts_at: dt.datetime
    title_nl: str = ""
    title_en: str = ""
    summary_nl: str = ""
    summary_en: str = ""
    outcome_nl: str = ""
    outcome_en: str = ""
    ends_at: dt.datetime | None = None
    timezone: str = TIMEZONE
    location: str = ""
    capacity_buyers: int | None = None  # None: no limit; 0: this side does not register
    capacity_suppliers: int | None = None
    registration_closes_at: dt.datetime | None = None  # None: at the start
    product_group_ids: tuple[int, ...] = ()

    @classmethod
    def links_of(cls, event: Event) -> dict[str, Any]:
        return {"product_group_ids": tuple(g.id for g in event.product_groups)}


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(TIMEZONE)


def registration_closes_at(last_day: dt.date | None, zone: str) -> dt.datetime | None:
    """The moment registration closes when ``last_day`` is the last day to register: the end of
    that day in ``zone`` (``Event.last_registration_day`` reads it back)."""
    if last_day is None:
        return None
    return utc_moment(last_day + dt.timedelta(days=1), dt.time(0, 0), zone)


def breaches(values: Mapping[str, Any]) -> list[Breach]:
    """The event's own rules ``values`` break, on every path (the coordinators' form, a peer's
    mirror): an end after the start, registration closing by the day of the event, places within
    bounds. A rule over a value missing (or None) is not checked."""
    found: list[Breach] = []
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        found.append(Breach("ends_at", N_("The event must end after it starts.")))
    closes_at = values.get("registration_closes_at")
    if starts_at and closes_at:
        zone = _zone(values.get("timezone"))
        last_day = (closes_at.astimezone(zone) - dt.timedelta(microseconds=1)).date()
        if last_day > starts_at.astimezone(zone).date():
            message = N_("Registration must close on or before the day of the event.")
            found.append(Breach("registration_closes_at", message))
    for name in CAPACITIES:
        found += between(name, values.get(name), 0, MAX_CAPACITY)
    return found


def check_row(values: Mapping[str, Any]) -> None:
    """Raises the Problem of the first of the event's own rules ``values`` break: a row a peer's
    mirror writes in bulk."""
    check(breaches(values))


def errors_of(values: Mapping[str, Any], *, now: dt.datetime) -> dict[str, str]:
    """The rules ``values`` break, by field (empty if none): the title in the source language, the
    event's own (:func:`breaches`), and an outcome only once the event took place. The first and
    the last are the rules of writing an event here: a peer's event is mirrored as its hub wrote
    it, at its moment. A rule over a value missing (or None) is not checked."""
    found: list[Breach] = []
    source = values.get("source_language")
    if source and not values.get(f"title_{source}"):
        found.append(Breach(f"title_{source}", N_("Enter the title in the source language.")))
    found += breaches(values)
    starts_at = values.get("starts_at")
    if starts_at and starts_at > now:
        message = N_("The outcome is written once the event has taken place.")
        found += [Breach(f"outcome_{code}", message) for code in LANGUAGES if values.get(f"outcome_{code}")]
    return texts(found)


def create_event(
    session: Session, *, data: EventInput, user_id: int, now: dt.datetime | None = None
) -> Event:
    """A new event of this hub from ``data``, audited in the name of ``user_id``. Raises Invalid."""
    event = Event()
    _save(session, event, data, user_id, now)
    return event


def update_event(
    session: Session, *, event: Event, data: EventInput, user_id: int, now: dt.datetime | None = None
) -> bool:
    """Sets the event's values to ``data``, auditing what changed; False if nothing did. The caller
    has checked that the event is kept here. Raises Invalid."""
    return _save(session, event, data, user_id, now)


def _product_groups(session: Session, ids: Collection[int]) -> list[ProductGroup]:
    if not ids:
        return []
    return list(
        session.scalars(
            select(ProductGroup)
            .where(ProductGroup.id.in_(list(ids)))
            .order_by(ProductGroup.position, ProductGroup.id)
        ).all()
    )


def _save(session: Session, event: Event, data: EventInput, user_id: int, now: dt.datetime | None) -> bool:
    values = data.values()
    errors = errors_of(values, now=now or utcnow())
    if errors:
        raise Invalid(errors)
    values["product_groups"] = _product_groups(session, data.product_group_ids)
    return changes.save_input(session, record=event, data=data, user_id=user_id, values=values)
