"""Organisations, their participation in a programme, their commitments and supporting actions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, LongText, Title
from hub.i18n import N_, LabelledEnum
from hub.programmes.models import Programme, ProgrammeId
from hub.records import Bilingual, Record, Synced, changes_index, source_key_index
from hub.taxonomy.models import enum_column


class Sector(LabelledEnum):
    PUBLIC = "public", N_("Public sector")
    PRIVATE = "private", N_("Private sector")
    NON_PROFIT = "non_profit", N_("Non-profit")
    KNOWLEDGE = "knowledge", N_("Knowledge institution")


class Role(LabelledEnum):
    PROCURER = "procurer", N_("Procurer")
    FACILITATOR = "facilitator", N_("Facilitator")
    KNOWLEDGE_PARTNER = "knowledge_partner", N_("Knowledge partner")
    PROJECT_PARTNER = "project_partner", N_("Project partner")
    LEAD_PARTNER = "lead_partner", N_("Lead partner")
    INITIATOR = "initiator", N_("Initiator")


class CommitmentKind(LabelledEnum):
    PILOTS = "pilots", N_("Circular procurement pilots")
    SUPPORTING_ACTIONS = "supporting_actions", N_("Supporting actions")


class Organisation(Record, Bilingual, Synced, Base):
    __tablename__ = "organisations"
    __table_args__ = (
        Index("ix_organisations_name", "name"),
        source_key_index("organisations"),
        changes_index("organisations"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str | None] = mapped_column(String(300))
    description_nl: Mapped[LongText]
    description_en: Mapped[LongText]

    participations: Mapped[list[Participation]] = relationship(back_populates="organisation")


class Participation(Record, Base):
    """An organisation's part in a programme: its role, since when, and what it committed to."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("programme_id", "organisation_id", "role"),
        changes_index("participations"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "participation_role"))
    joined_on: Mapped[dt.date | None]
    left_on: Mapped[dt.date | None]

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship(back_populates="participations")
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="participation", cascade="all, delete-orphan"
    )


class Commitment(Record, Base):
    """What a participant signed up to, e.g. 'at least two circular procurement pilots'."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CommitmentKind] = mapped_column(enum_column(CommitmentKind, "commitment_kind"))
    target_count: Mapped[int] = mapped_column(default=1)
    signed_on: Mapped[dt.date | None]
    description_nl: Mapped[LongText]
    description_en: Mapped[LongText]

    participation: Mapped[Participation] = relationship(back_populates="commitments")


class SupportingAction(Record, Bilingual, Base):
    """A facilitator's contribution to the network (a workshop, a tool, expert support ...)."""

    __tablename__ = "supporting_actions"
    __table_args__ = (changes_index("supporting_actions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    summary_nl: Mapped[LongText]
    summary_en: Mapped[LongText]
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
