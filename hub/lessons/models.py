"""Lessons learned and their links to pilots (the lessons issue fills these in)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base
from hub.i18n import N_, LabelledEnum
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.records import Bilingual, Record, changes_index
from hub.taxonomy.models import Phase, ProductGroup, Strategy, enum_column


class LessonKind(LabelledEnum):
    SUCCESS_FACTOR = "success_factor", N_("Success factor")
    BARRIER = "barrier", N_("Barrier")
    TIP = "tip", N_("Tip")
    TEMPLATE = "template", N_("Template")


class LinkKind(LabelledEnum):
    APPLIES_TO = "applies_to", N_("Applies to")
    REUSED_BY = "reused_by", N_("Reused by")
    INSPIRED = "inspired", N_("Inspired")
    CONTRADICTED_BY = "contradicted_by", N_("Contradicted by")


class Lesson(Record, Bilingual, Base):
    __tablename__ = "lessons"
    __table_args__ = (changes_index("lessons"), Index("ix_lessons_updated_at", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilots.id"), index=True)
    title_nl: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    body_nl: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"), index=True)
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategies.id"))
    phase: Mapped[Phase | None] = mapped_column(enum_column(Phase, "phase"))
    kind: Mapped[LessonKind] = mapped_column(enum_column(LessonKind, "lesson_kind"))

    programme: Mapped[Programme] = relationship()
    pilot: Mapped[Pilot | None] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
    strategy: Mapped[Strategy | None] = relationship()


class LessonPilotLink(Record, Base):
    """A person's confirmed statement that a lesson bears on a pilot, and how."""

    __tablename__ = "lesson_pilot_links"
    __table_args__ = (
        UniqueConstraint("lesson_id", "pilot_id", "kind"),
        changes_index("lesson_pilot_links"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind, "link_kind"))
    note: Mapped[str] = mapped_column(Text, default="")

    lesson: Mapped[Lesson] = relationship()
    pilot: Mapped[Pilot] = relationship()
