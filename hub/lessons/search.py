"""Lessons in the hub's search: what a live lesson says, and how it shows as a result.

A lesson is found by its titles and texts (the lesson itself above its resources, evidence and
transfer), its documents' titles, and by what it is about: its product group, strategy, phase,
kind and programme by their names in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.lessons.models import Lesson, LessonAttachment
from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Document, Names, bilingual, both, label_names, per_record
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = Lesson.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live lessons among ``ids``, in five queries."""
    programme_names = Names(session, Programme)
    group_names = Names(session, ProductGroup)
    strategy_names = Names(session, Strategy)
    attachments: dict[int, list[str]] = per_record(
        session, ids, select(LessonAttachment.lesson_id, LessonAttachment.title)
    )
    for lesson in session.scalars(select(Lesson).where(Lesson.id.in_(ids), _LIVE)):
        yield Document(
            record_id=lesson.id,
            title=bilingual(lesson.title_nl, lesson.title_en),
            summary=bilingual(lesson.body_nl, lesson.body_en),
            about=(
                *group_names(lesson.product_group_id),
                *strategy_names(lesson.strategy_id),
                *(label_names(lesson.phase.msgid) if lesson.phase else ()),
                *label_names(lesson.kind.msgid),
                *programme_names(lesson.programme_id),
            ),
            body=(
                *bilingual(lesson.resources_nl, lesson.resources_en),
                *bilingual(lesson.evidence_nl, lesson.evidence_en),
                *bilingual(lesson.transfer_nl, lesson.transfer_en),
                *both(*attachments[lesson.id]),
            ),
            programme_id=lesson.programme_id,
            product_group_id=lesson.product_group_id,
            year=lesson.created_at.year if lesson.created_at else None,
        )


def _day(lesson: Lesson) -> dt.date | None:
    return lesson.created_at.date() if lesson.created_at else None


LESSONS = index.register(
    name="lesson",
    number=2,
    label=N_("Lessons"),
    model=Lesson,
    documents=documents,
    cards=index.cards_of(Lesson, route="lesson", id_param="lesson_id", text="body", date=_day),
    related={
        LessonAttachment: index.owned_by("lesson_id"),
        ProductGroup: index.naming(Lesson.product_group_id, Lesson.id),
        Strategy: index.naming(Lesson.strategy_id, Lesson.id),
        Programme: index.naming(Lesson.programme_id, Lesson.id),
    },
)
