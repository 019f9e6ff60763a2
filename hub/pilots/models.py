"""Pilots: a circular procurement trajectory of one or more buyers, with its strategies and impact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, LongText, Title, link_table, partial_index
from hub.i18n import N_, LabelledEnum
from hub.organisations.models import Organisation
from hub.programmes.models import Programme
from hub.records import Bilingual, Record, Synced, changes_index, source_key_index
from hub.taxonomy.models import Phase, ProductGroup, Strategy, enum_column
from hub.taxonomy.sdgs import NUMBER_CHECK, relink


class PilotStatus(LabelledEnum):
    PLANNED = "planned", N_("Planned")
    RUNNING = "running", N_("Running")
    COMPLETED = "completed", N_("Completed")
    STOPPED = "stopped", N_("Stopped")


class PilotRole(LabelledEnum):
    PROCURER = "procurer", N_("Procurer")
    SUPPLIER = "supplier", N_("Supplier")
    PARTNER = "partner", N_("Partner")


# Filtering the pilot list by strategy walks this index.
pilot_strategies = link_table(
    "pilot_strategies",
    ("pilot_id", "pilots.id"),
    ("strategy_id", "strategies.id"),
    Index("ix_pilot_strategies_strategy_pilot", "strategy_id", "pilot_id"),
)


class PilotSdg(Base):
    """A Sustainable Development Goal (its UN number, 1-17) a pilot contributes to.

    A table of its own, like the strategies: ``pilots`` is never rebuilt (its SQLite rebuild would
    lose the full-text triggers).
    """

    __tablename__ = "pilot_sdgs"
    __table_args__ = (
        CheckConstraint(NUMBER_CHECK, name="sdg_number"),
        # Filtering the pilot list by goal walks this index.
        Index("ix_pilot_sdgs_sdg_pilot", "sdg", "pilot_id"),
    )

    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True)
    sdg: Mapped[int] = mapped_column(SmallInteger, primary_key=True)


class Impact:
    """Baseline and result, in tonnes, for the three quantities ProCirc aims to cut by 20-25 %."""

    raw_materials_baseline_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    raw_materials_result_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    waste_baseline_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    waste_result_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    co2_baseline_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    co2_result_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    def reduction(self, quantity: str) -> Decimal | None:
        """The fraction by which ``quantity`` fell from baseline to result, if both are known."""
        baseline = getattr(self, f"{quantity}_baseline_t")
        result = getattr(self, f"{quantity}_result_t")
        if baseline is None or result is None or baseline <= 0:
            return None
        return Decimal((baseline - result) / baseline)


class Pilot(Record, Bilingual, Impact, Synced, Base):
    __tablename__ = "pilots"
    # One index per way the public list filters or sorts (a test checks the query plans).
    __table_args__ = (
        # Live pilots (not withdrawn) newest first: the default list, counting it, the year range.
        # Partial, so that PostgreSQL walks it in order (it will not after an IS NULL prefix).
        partial_index("ix_pilots_live_starts_on", "starts_on", "id", where="withdrawn_at IS NULL"),
        # Counting live pilots reads this narrow index instead of the whole table.
        Index("ix_pilots_withdrawn_at", "withdrawn_at"),
        Index("ix_pilots_programme_starts_on", "programme_id", "starts_on"),
        Index("ix_pilots_product_group_starts_on", "product_group_id", "starts_on"),
        Index("ix_pilots_country_starts_on", "country", "starts_on"),
        Index("ix_pilots_status_starts_on", "status", "starts_on"),
        source_key_index("pilots"),
        changes_index("pilots"),
        # The network's newest changes first (Atom feeds), mirrored records included.
        Index("ix_pilots_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    summary_nl: Mapped[LongText]
    summary_en: Mapped[LongText]
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"))
    country: Mapped[str] = mapped_column(String(2))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "phase"))
    status: Mapped[PilotStatus] = mapped_column(enum_column(PilotStatus, "pilot_status"))
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    contract_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    programme: Mapped[Programme] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
    strategies: Mapped[list[Strategy]] = relationship(secondary=pilot_strategies, order_by=Strategy.position)
    sdg_links: Mapped[list[PilotSdg]] = relationship(cascade="all, delete-orphan", order_by=PilotSdg.sdg)
    parties: Mapped[list[PilotParty]] = relationship(
        back_populates="pilot", cascade="all, delete-orphan", order_by="PilotParty.position"
    )
    progress: Mapped[PilotProgress | None] = relationship(cascade="all, delete-orphan")
    milestones: Mapped[list[PilotMilestone]] = relationship(
        cascade="all, delete-orphan", order_by="PilotMilestone.position"
    )

    @property
    def sdgs(self) -> list[int]:
        """The numbers of the Sustainable Development Goals the pilot contributes to, in order."""
        return sorted(link.sdg for link in self.sdg_links)

    @sdgs.setter
    def sdgs(self, numbers: list[int]) -> None:
        self.sdg_links = relink(self.sdg_links, numbers, lambda number: PilotSdg(sdg=number))


class PilotParty(Base):
    """An organisation's part in a pilot: the procurer(s), supplier(s) and partners."""

    __tablename__ = "pilot_parties"

    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    role: Mapped[PilotRole] = mapped_column(enum_column(PilotRole, "pilot_role"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    pilot: Mapped[Pilot] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()

    def __str__(self) -> str:  # as the audit log keeps a pilot's parties
        return f"{self.role.value} {self.organisation_id}"


class PilotProgress(Base):
    """How far a pilot has come, as its procurer last reported it (and a coordinator published).

    A table of its own rather than a column of ``pilots``, whose SQLite rebuild would lose the
    full-text triggers; one row per pilot.
    """

    __tablename__ = "pilot_progress"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True)
    percent: Mapped[int]
    as_of: Mapped[dt.date]


class PilotMilestone(Base):
    """A step the pilot's team planned, with when it is due and when it was done."""

    __tablename__ = "pilot_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[dt.date | None]
    done_on: Mapped[dt.date | None]
