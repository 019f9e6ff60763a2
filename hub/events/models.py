"""Events of a programme's learning network: action days, inspiration days and Buyer-meets-Supplier
events, and the registrations of buyers and suppliers for them.

An event is a record (federated, bilingual); its outcome is written after it took place. A
registration holds a person's name and address and stays on this hub. Suppliers say which product
group they bring and what their circular offer is; the event page lists those offers.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, Created, Email, LanguageCode, LongText, Title, link_table, partial_index
from hub.i18n import N_, TIMEZONE, LabelledEnum
from hub.programmes.models import Programme, ProgrammeId
from hub.records import Bilingual, Record, changes_index
from hub.taxonomy.models import ProductGroup, enum_column


class EventKind(LabelledEnum):
    ACTION_DAY = "action_day", N_("Action day")
    INSPIRATION_DAY = "inspiration_day", N_("Inspiration day")
    BUYER_MEETS_SUPPLIER = "buyer_meets_supplier", N_("Buyer meets Supplier")


class Side(LabelledEnum):
    """Which side of the market a registration comes from."""

    BUYER = "buyer", N_("Buyer")
    SUPPLIER = "supplier", N_("Supplier")


# The product groups an event is about (a Buyer-meets-Supplier event: the groups suppliers bring).
event_product_groups = link_table(
    "event_product_groups", ("event_id", "events.id"), ("product_group_id", "product_groups.id"), index=True
)


class Event(Record, Bilingual, Base):
    """One day of a programme's learning network, in both languages, with places per side."""

    __tablename__ = "events"
    __table_args__ = (
        changes_index("events"),
        Index("ix_events_starts_at", "starts_at", "id"),  # the public list and the calendar feed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    summary_nl: Mapped[LongText]
    summary_en: Mapped[LongText]
    outcome_nl: Mapped[LongText]  # written after the event
    outcome_en: Mapped[LongText]
    # UTC on both databases; ``timezone`` is where it happens (shown and put in calendars so).
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime | None]
    timezone: Mapped[str] = mapped_column(String(64), default=TIMEZONE)
    location: Mapped[str] = mapped_column(String(300), default="")
    capacity_buyers: Mapped[int | None]  # None: no limit; 0: this side does not register
    capacity_suppliers: Mapped[int | None]
    registration_closes_at: Mapped[dt.datetime | None]  # None: at the start

    programme: Mapped[Programme] = relationship()
    product_groups: Mapped[list[ProductGroup]] = relationship(
        secondary=event_product_groups, order_by=(ProductGroup.position, ProductGroup.id)
    )

    def capacity(self, side: Side) -> int | None:
        return self.capacity_buyers if side is Side.BUYER else self.capacity_suppliers

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(TIMEZONE)

    def is_past(self, now: dt.datetime) -> bool:
        return self.starts_at <= now

    def registration_deadline(self) -> dt.datetime:
        """The moment registration closes: the closing moment if set, else the start."""
        if self.registration_closes_at is None:
            return self.starts_at
        return min(self.registration_closes_at, self.starts_at)

    def last_registration_day(self) -> dt.date | None:
        """The last day (in the event's zone) one may register, when a closing moment is set."""
        if self.registration_closes_at is None:
            return None
        return (self.registration_closes_at.astimezone(self.zone()) - dt.timedelta(microseconds=1)).date()


class EventRegistration(Base):
    """A buyer or a supplier registered for an event (one live registration per address)."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        Index("ix_event_registrations_event_side", "event_id", "side"),
        # One live registration per address and event, whichever process stores the second.
        # Addresses are stored in lower case, so that case does not make a second one.
        partial_index(
            "uq_event_registrations_live", "event_id", "email", where="cancelled_at IS NULL", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    side: Mapped[Side] = mapped_column(enum_column(Side, "event_side"))
    organisation_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[Email]
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"))
    circular_offer: Mapped[LongText]  # a supplier's circular offer
    language: Mapped[LanguageCode]
    created_at: Mapped[Created]
    cancelled_at: Mapped[dt.datetime | None]

    event: Mapped[Event] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
