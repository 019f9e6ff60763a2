"""Shared bilingual vocabularies: product groups, circular strategies and procurement phases."""

from __future__ import annotations

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base
from hub.i18n import N_, LabelledEnum


def enum_column(enum_class: type[LabelledEnum], name: str) -> Enum:
    """A portable enum column: a VARCHAR with a named CHECK constraint on both databases."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class StrategyKind(LabelledEnum):
    GOAL = "goal", N_("Circular goal")
    BUSINESS_MODEL = "business_model", N_("Business model")


class Phase(LabelledEnum):
    """The procurement phase a pilot is in, or a lesson is about."""

    NEEDS_ASSESSMENT = "needs_assessment", N_("Needs assessment")
    MARKET_DIALOGUE = "market_dialogue", N_("Market dialogue")
    TENDER = "tender", N_("Tender")
    AWARD = "award", N_("Award")
    CONTRACT_MANAGEMENT = "contract_management", N_("Contract management")
    END_OF_LIFE = "end_of_life", N_("End of life")


class ProductGroup(Base):
    __tablename__ = "product_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en


class Strategy(Base):
    """A circular strategy: one of the five GDCA goals or a circular business model."""

    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[StrategyKind] = mapped_column(enum_column(StrategyKind, "strategy_kind"))
    name_nl: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en
