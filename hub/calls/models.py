"""Calls to join: a programme or one of its pilots open for new participants, and the interest
visitors express (a coordinator answers each from the workspace)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.communities.models import Decision
from hub.db import Base, Created, LongText, Title, partial_index
from hub.i18n import N_, LabelledEnum
from hub.pilots.models import Pilot
from hub.programmes.models import Programme, ProgrammeId
from hub.records import Bilingual
from hub.taxonomy.models import ProductGroup, enum_column


class CallRole(LabelledEnum):
    """What a visitor's organisation would be in the programme or pilot."""

    PROCURER = "procurer", N_("Procuring organisation")
    SUPPLIER = "supplier", N_("Supplier")
    FACILITATOR = "facilitator", N_("Facilitator")
    EXPERT = "expert", N_("Expert")


class Call(Bilingual, Base):
    """A programme, or one pilot of it, open for new participants until ``closes_on``."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_open", "closed_at", "closes_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilots.id"), index=True)
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    body_nl: Mapped[LongText]
    body_en: Mapped[LongText]
    closes_on: Mapped[dt.date | None] = mapped_column(Date)  # None: open until closed by hand
    closed_at: Mapped[dt.datetime | None]
    created_at: Mapped[Created]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    programme: Mapped[Programme] = relationship()
    pilot: Mapped[Pilot | None] = relationship()

    def is_open(self, today: dt.date) -> bool:
        return self.closed_at is None and (self.closes_on is None or today <= self.closes_on)


class CallInterest(Decision, Base):
    """A visitor's interest in a call; the coordinator's answer is its decision (and note)."""

    __tablename__ = "call_interests"
    __table_args__ = (
        # One open expression of interest per address and call, whichever process takes the second.
        partial_index(
            "uq_call_interests_pending", "call_id", "email", where="status = 'pending'", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    role: Mapped[CallRole] = mapped_column(enum_column(CallRole, "call_role"))
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"))
    message: Mapped[LongText]

    call: Mapped[Call] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
