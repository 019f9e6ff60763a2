"""Lessons in the hub's search: what a live lesson says, and how it shows as a result.

A lesson is found by its titles and texts (the lesson itself above its resources, evidence and
transfer), its documents' titles, and by what it is about: its product group, strategy, phase,
kind and programme by their names in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.lessons.models import Lesson, LessonAttachment
from hub.programmes.models import Programme
from hub.search.index import (
    Document,
    Kind,
    bilingual,
    both,
    by_id,
    cards_of,
    label_names,
    naming,
    owned_by,
    register,
)
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = Lesson.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live lessons among ``ids``, in five queries."""
    programmes = by_id(session, Programme)
    groups = by_id(session, ProductGroup)
    strategies = by_id(session, Strategy)
    attachments: dict[int, list[str]] = defaultdict(list)
    for lesson_id, title in session.execute(
        select(LessonAttachment.lesson_id, LessonAttachment.title).where(LessonAttachment.lesson_id.in_(ids))
    ):
        attachments[lesson_id].append(title)
    for lesson in session.scalars(select(Lesson).where(Lesson.id.in_(ids), _LIVE)):
        programme = programmes[lesson.programme_id]
        group = groups.get(lesson.product_group_id) if lesson.product_group_id else None
        strategy = strategies.get(lesson.strategy_id) if lesson.strategy_id else None
        yield Document(
            record_id=lesson.id,
            title=bilingual(lesson.title_nl, lesson.title_en),
            summary=bilingual(lesson.body_nl, lesson.body_en),
            about=(
                *(bilingual(group.name_nl, group.name_en) if group else ()),
                *(bilingual(strategy.name_nl, strategy.name_en) if strategy else ()),
                *(label_names(lesson.phase.msgid) if lesson.phase else ()),
                *label_names(lesson.kind.msgid),
                *bilingual(programme.name_nl, programme.name_en),
                *both(programme.short_name),
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


LESSONS = register(
    Kind(
        name="lesson",
        label=N_("Lessons"),
        model=Lesson,
        documents=documents,
        cards=cards_of(Lesson, route="lesson", id_param="lesson_id", text="body", date=_day),
        related={
            LessonAttachment: owned_by("lesson_id"),
            ProductGroup: naming(Lesson.product_group_id, Lesson.id),
            Strategy: naming(Lesson.strategy_id, Lesson.id),
            Programme: naming(Lesson.programme_id, Lesson.id),
        },
    )
)
