"""Lessons learned, the pilots they come from, and people's links from lessons to pilots."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, Created, LongText, Title, link_table, partial_index, utcnow
from hub.i18n import N_, LabelledEnum
from hub.pilots.models import Pilot
from hub.programmes.models import Programme, ProgrammeId
from hub.records import Bilingual, Record, Synced, changes_index, source_key_index
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

    @property
    def used(self) -> bool:
        """Whether the pilot team put the lesson to use (reused it, or built on it)."""
        return self in (LinkKind.REUSED_BY, LinkKind.INSPIRED)


# The pilots a lesson was learned in (a lesson may come from several, or from none).
lesson_pilots = link_table(
    "lesson_pilots", ("lesson_id", "lessons.id"), ("pilot_id", "pilots.id"), index=True
)


class Lesson(Record, Bilingual, Synced, Base):
    """A lesson learned, with the good-practice fields of the EU databases (resources needed,
    evidence of success, potential for transfer)."""

    __tablename__ = "lessons"
    __table_args__ = (
        changes_index("lessons"),
        source_key_index("lessons"),
        Index("ix_lessons_updated_at", "updated_at"),
        Index("ix_lessons_created_at", "created_at"),  # the public list: newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    body_nl: Mapped[LongText]
    body_en: Mapped[LongText]
    resources_nl: Mapped[LongText] = mapped_column(server_default="")
    resources_en: Mapped[LongText] = mapped_column(server_default="")
    evidence_nl: Mapped[LongText] = mapped_column(server_default="")
    evidence_en: Mapped[LongText] = mapped_column(server_default="")
    transfer_nl: Mapped[LongText] = mapped_column(server_default="")
    transfer_en: Mapped[LongText] = mapped_column(server_default="")
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"), index=True)
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategies.id"))
    phase: Mapped[Phase | None] = mapped_column(enum_column(Phase, "phase"))
    kind: Mapped[LessonKind] = mapped_column(enum_column(LessonKind, "lesson_kind"))

    programme: Mapped[Programme] = relationship()
    pilots: Mapped[list[Pilot]] = relationship(secondary=lesson_pilots, order_by=Pilot.id)
    product_group: Mapped[ProductGroup | None] = relationship()
    strategy: Mapped[Strategy | None] = relationship()
    attachments: Mapped[list[LessonAttachment]] = relationship(
        order_by="LessonAttachment.position", cascade="all, delete-orphan"
    )


class LessonAttachment(Base):
    """A document that goes with a lesson (a template, a report), kept elsewhere and linked."""

    __tablename__ = "lesson_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))


class LessonPilotLink(Record, Base):
    """A person's confirmed statement that a lesson bears on a pilot, and how."""

    __tablename__ = "lesson_pilot_links"
    __table_args__ = (
        # One statement per lesson, pilot and kind from each hub: a second click, or a second
        # process, finds the first. Two hubs that make the same link at once each keep theirs
        # (their authors and notes differ); pages show the pair once, with both.
        partial_index(
            "uq_lesson_pilot_links_local",
            "lesson_id",
            "pilot_id",
            "kind",
            where="home_hub IS NULL",
            unique=True,
        ),
        partial_index(
            "uq_lesson_pilot_links_elsewhere",
            "lesson_id",
            "pilot_id",
            "kind",
            "home_hub",
            where="home_hub IS NOT NULL",
            unique=True,
        ),
        changes_index("lesson_pilot_links"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind, "link_kind"))
    note: Mapped[LongText]
    # Who confirmed the link, and when: a name travels to other hubs; the account stays here.
    made_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    made_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=text("CURRENT_TIMESTAMP"))
    made_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lesson: Mapped[Lesson] = relationship()
    pilot: Mapped[Pilot] = relationship()


class SuggestionDismissal(Base):
    """A suggested lesson a coordinator turned down for a pilot: it is not suggested again."""

    __tablename__ = "lesson_suggestion_dismissals"
    __table_args__ = (UniqueConstraint("pilot_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    dismissed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dismissed_at: Mapped[Created]
