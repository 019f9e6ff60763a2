"""Pilots: a circular procurement trajectory of one or more buyers, with its strategies and impact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Numeric, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, metadata
from hub.i18n import N_, LabelledEnum
from hub.organisations.models import Organisation
from hub.programmes.models import Programme
from hub.records import Bilingual, Record, Synced, changes_index, source_key_index
from hub.taxonomy.models import Phase, ProductGroup, Strategy, enum_column


class PilotStatus(LabelledEnum):
    PLANNED = "planned", N_("Planned")
    RUNNING = "running", N_("Running")
    COMPLETED = "completed", N_("Completed")
    STOPPED = "stopped", N_("Stopped")


class PilotRole(LabelledEnum):
    PROCURER = "procurer", N_("Procurer")
    SUPPLIER = "supplier", N_("Supplier")
    PARTNER = "partner", N_("Partner")


pilot_strategies = Table(
    "pilot_strategies",
    metadata,
    Column("pilot_id", ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True),
    Column("strategy_id", ForeignKey("strategies.id"), primary_key=True),
    # Filtering the pilot list by strategy walks this index.
    Index("ix_pilot_strategies_strategy_pilot", "strategy_id", "pilot_id"),
)


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
        Index(
            "ix_pilots_live_starts_on",
            "starts_on",
            "id",
            postgresql_where=text("withdrawn_at IS NULL"),
            sqlite_where=text("withdrawn_at IS NULL"),
        ),
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
    title_nl: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    summary_nl: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
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
    parties: Mapped[list[PilotParty]] = relationship(
        back_populates="pilot", cascade="all, delete-orphan", order_by="PilotParty.position"
    )


class PilotParty(Base):
    """An organisation's part in a pilot: the procurer(s), supplier(s) and partners."""

    __tablename__ = "pilot_parties"

    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    role: Mapped[PilotRole] = mapped_column(enum_column(PilotRole, "pilot_role"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    pilot: Mapped[Pilot] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()
