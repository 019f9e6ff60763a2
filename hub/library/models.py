"""The knowledge library: webinars, legal questions and answers, toolbox entries and documents."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, LongText, Title, link_table
from hub.i18n import N_, LabelledEnum
from hub.lessons.models import Lesson
from hub.pilots.models import Pilot
from hub.programmes.models import Programme, ProgrammeId
from hub.records import Bilingual, Record, changes_index
from hub.taxonomy.models import Phase, ProductGroup, Strategy, enum_column


class LibraryKind(LabelledEnum):
    WEBINAR = "webinar", N_("Webinar")
    LEGAL_QA = "legal_qa", N_("Legal question and answer")
    TOOLBOX = "toolbox", N_("Toolbox")
    DOCUMENT = "document", N_("Document")


class ToolKind(LabelledEnum):
    """What a toolbox entry is."""

    TEMPLATE = "template", N_("Template")
    MODEL_TENDER_TEXT = "model_tender_text", N_("Model tender text")
    CALCULATOR = "calculator", N_("Calculator")
    GUIDE = "guide", N_("Guide")


# The pilots and lessons an entry is linked from (a pilot's page lists the entries that helped it).
library_item_pilots = link_table(
    "library_item_pilots", ("item_id", "library_items.id"), ("pilot_id", "pilots.id"), index=True
)
library_item_lessons = link_table(
    "library_item_lessons", ("item_id", "library_items.id"), ("lesson_id", "lessons.id"), index=True
)


class LibraryItem(Record, Bilingual, Base):
    """One entry of a programme's library, in both languages.

    A webinar has its recording (``url``), date (``held_on``) and ``speakers``; a legal Q&A is a
    question (``title``) and its answer (``body``); a toolbox entry says what tool it is
    (``tool_kind``) and links to it; a document links to the file.
    """

    __tablename__ = "library_items"
    __table_args__ = (
        changes_index("library_items"),
        Index("ix_library_items_kind_created", "kind", "created_at"),
        Index("ix_library_items_created_at", "created_at"),  # the public list: newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    kind: Mapped[LibraryKind] = mapped_column(enum_column(LibraryKind, "library_kind"))
    tool_kind: Mapped[ToolKind | None] = mapped_column(enum_column(ToolKind, "tool_kind"))
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    body_nl: Mapped[LongText]
    body_en: Mapped[LongText]
    url: Mapped[str | None] = mapped_column(String(500))  # http(s) only
    held_on: Mapped[dt.date | None] = mapped_column(Date)
    speakers: Mapped[str] = mapped_column(String(500), default="")
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"), index=True)
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategies.id"))
    phase: Mapped[Phase | None] = mapped_column(enum_column(Phase, "phase"))

    programme: Mapped[Programme] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
    strategy: Mapped[Strategy | None] = relationship()
    pilots: Mapped[list[Pilot]] = relationship(secondary=library_item_pilots, order_by=Pilot.id)
    lessons: Mapped[list[Lesson]] = relationship(secondary=library_item_lessons, order_by=Lesson.id)
