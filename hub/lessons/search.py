"""Lessons in the hub's search: what a live lesson says, and how it shows as a result.

A lesson is found by its titles and texts (the lesson itself above its resources, evidence and
transfer), its documents' titles, and by what it is about: its product group, strategy, phase,
kind and programme by their names in both languages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.lessons.models import Lesson, LessonAttachment
from hub.programmes.models import Programme
from hub.search.index import Card, Document, Kind, bilingual, both, label_names, register
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = Lesson.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live lessons among ``ids``, in five queries."""
    programmes = {p.id: p for p in session.scalars(select(Programme))}
    groups = {g.id: g for g in session.scalars(select(ProductGroup))}
    strategies = {s.id: s for s in session.scalars(select(Strategy))}
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


def cards(session: Session, ids: Sequence[int], language: str) -> Mapping[int, Card]:
    found: dict[int, Card] = {}
    for lesson in session.scalars(select(Lesson).where(Lesson.id.in_(ids))):
        title = lesson.localized("title", language)
        found[lesson.id] = Card(
            title=title.text,
            route="lesson",
            params={"lesson_id": lesson.id},
            text=lesson.localized("body", language).text,
            untranslated=title.fallback,
            date=lesson.created_at.date() if lesson.created_at else None,
        )
    return found


def _of_attachments(session: Session, attachments: Sequence[Any]) -> Iterable[int]:
    return [attachment.lesson_id for attachment in attachments if attachment.lesson_id is not None]


def _of_product_groups(session: Session, groups: Sequence[Any]) -> Iterable[int]:
    return session.scalars(select(Lesson.id).where(Lesson.product_group_id.in_([g.id for g in groups])))


def _of_strategies(session: Session, strategies: Sequence[Any]) -> Iterable[int]:
    return session.scalars(select(Lesson.id).where(Lesson.strategy_id.in_([s.id for s in strategies])))


def _of_programmes(session: Session, programmes: Sequence[Any]) -> Iterable[int]:
    return session.scalars(select(Lesson.id).where(Lesson.programme_id.in_([p.id for p in programmes])))


LESSONS = register(
    Kind(
        name="lesson",
        label=N_("Lessons"),
        model=Lesson,
        documents=documents,
        cards=cards,
        related={
            LessonAttachment: _of_attachments,
            ProductGroup: _of_product_groups,
            Strategy: _of_strategies,
            Programme: _of_programmes,
        },
    )
)
