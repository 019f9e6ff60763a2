"""Programmes (GDCA, GDCI 2.0, ProCirc) and their dated, sourced key figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, LongText
from hub.i18n import N_, LabelledEnum
from hub.records import Bilingual, Record, changes_index
from hub.taxonomy.models import enum_column
from hub.taxonomy.sdgs import NUMBER_CHECK, relink

# The programme a record belongs to, for ``Mapped[ProgrammeId]``.
ProgrammeId = Annotated[int, mapped_column(ForeignKey("programmes.id"), index=True)]


class Programme(Record, Bilingual, Base):
    __tablename__ = "programmes"
    __table_args__ = (changes_index("programmes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    short_name: Mapped[str] = mapped_column(String(40))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[LongText]
    description_en: Mapped[LongText]
    region_nl: Mapped[str] = mapped_column(String(200), default="")
    region_en: Mapped[str] = mapped_column(String(200), default="")
    # ISO 3166-1 alpha-2 codes of the countries taking part.
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    website: Mapped[str | None] = mapped_column(String(300))
    # Participation rules: a procurer commits to at least this many pilots (GDCA, GDCI: 2) ...
    min_pilots_per_procurer: Mapped[int | None]
    # ... and a facilitator to at least this many supporting actions (GDCA: 1).
    min_actions_per_facilitator: Mapped[int | None]
    rules_nl: Mapped[LongText]
    rules_en: Mapped[LongText]
    # The reduction a pilot aims at in raw materials, waste and CO2 (ProCirc: 20-25 %), as fractions.
    reduction_target_min: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))
    reduction_target_max: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))

    key_figures: Mapped[list[KeyFigure]] = relationship(
        back_populates="programme", order_by="KeyFigure.position", cascade="all, delete-orphan"
    )
    sdg_links: Mapped[list[ProgrammeSdg]] = relationship(
        cascade="all, delete-orphan", order_by="ProgrammeSdg.sdg"
    )

    @property
    def sdgs(self) -> list[int]:
        """The numbers of the Sustainable Development Goals the programme contributes to, in order."""
        return sorted(link.sdg for link in self.sdg_links)

    @sdgs.setter
    def sdgs(self, numbers: list[int]) -> None:
        self.sdg_links = relink(self.sdg_links, numbers, lambda number: ProgrammeSdg(sdg=number))

    def headline_figures(self, limit: int = 4) -> list[KeyFigure]:
        """The most recent published figure of each metric, in the programme's own order."""
        latest: dict[Metric, KeyFigure] = {}
        for figure in self.key_figures:
            if figure.metric not in latest or figure.as_of > latest[figure.metric].as_of:
                latest[figure.metric] = figure
        return sorted(latest.values(), key=lambda f: f.position)[:limit]


class Metric(LabelledEnum):
    PARTICIPANTS = "participants", N_("Participants")
    PROCURERS = "procurers", N_("Procuring organisations")
    FACILITATORS = "facilitators", N_("Facilitators")
    SIGNATORIES = "signatories", N_("Signatories")
    PARTNERS = "partners", N_("Project partners")
    COUNTRIES = "countries", N_("Countries")
    PILOTS = "pilots", N_("Pilots")
    SUPPORTING_ACTIONS = "supporting_actions", N_("Supporting actions")
    EVENTS = "events", N_("Networking events")
    WEBINARS = "webinars", N_("Webinars")
    BUDGET = "budget_eur", N_("Budget (euro)")
    PILOT_VALUE = "pilot_value_eur", N_("Combined value of the pilots (euro)")


class KeyFigure(Base):
    """A published figure: what it counts, its value, the date it held, and who said so.

    Sources disagree (GDCA: 150, ~170 or 101 + 52 participants), so each is kept as a dated,
    sourced fact rather than overwritten as a single truth.
    """

    __tablename__ = "key_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    metric: Mapped[Metric] = mapped_column(enum_column(Metric, "metric"))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    approximate: Mapped[bool] = mapped_column(default=False)
    as_of: Mapped[dt.date]
    source_title: Mapped[str] = mapped_column(String(300))  # as published, in its own language
    source_language: Mapped[str] = mapped_column(String(2), default="nl", server_default="nl")
    source_url: Mapped[str | None] = mapped_column(String(500))
    note_nl: Mapped[LongText]
    note_en: Mapped[LongText]
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="key_figures")


class ProgrammeSdg(Base):
    """A Sustainable Development Goal (its UN number, 1-17) a programme contributes to (GDCA: 9,
    11, 12, 13 and 17)."""

    __tablename__ = "programme_sdgs"
    __table_args__ = (CheckConstraint(NUMBER_CHECK, name="sdg_number"),)

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    sdg: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
