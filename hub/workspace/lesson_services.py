"""The workspace's queries for lessons learned: its list, one lesson with what its form shows, the
pilots a lesson may name, and the close-out a lesson is recorded from."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.communities.models import CloseOut, Community, Meeting
from hub.lessons.models import Lesson
from hub.pagination import Page, escape_like, paginate
from hub.pilots.models import Pilot

PILOTS_LISTED = 100  # the pilot numbers shown on the form for reference


def list_lessons(
    session: Session,
    *,
    programme_ids: Collection[int] | None,
    q: str = "",
    programme_id: int | None = None,
    product_group_id: int | None = None,
    archived: bool = False,
    page: int = 1,
) -> Page[Lesson]:
    """The lessons of these programmes, last changed first; ``q`` searches the titles."""
    conditions: list[ColumnElement[bool]] = [
        Lesson.withdrawn_at.is_not(None) if archived else Lesson.withdrawn_at.is_(None)
    ]
    if programme_ids is not None:
        conditions.append(Lesson.programme_id.in_(list(programme_ids)))
    if programme_id is not None:
        conditions.append(Lesson.programme_id == programme_id)
    if product_group_id is not None:
        conditions.append(Lesson.product_group_id == product_group_id)
    if q:
        pattern = escape_like(q)
        conditions.append(
            func.lower(Lesson.title_nl).like(pattern, escape="\\")
            | func.lower(Lesson.title_en).like(pattern, escape="\\")
        )
    statement = (
        select(Lesson)
        .where(*conditions)
        .order_by(Lesson.updated_at.desc(), Lesson.id.desc())
        .options(joinedload(Lesson.programme), joinedload(Lesson.product_group))
    )
    return paginate(session, statement, page=page)


def get_lesson(session: Session, *, lesson_id: int) -> Lesson | None:
    return session.scalar(
        select(Lesson)
        .where(Lesson.id == lesson_id)
        .options(
            joinedload(Lesson.programme),
            selectinload(Lesson.pilots).joinedload(Pilot.programme),
            selectinload(Lesson.attachments),
        )
    )


def pilots_to_link(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Pilot]:
    """The latest live pilots of these programmes, to look up a number on the form."""
    statement = select(Pilot).where(Pilot.withdrawn_at.is_(None)).options(joinedload(Pilot.programme))
    if programme_ids is not None:
        statement = statement.where(Pilot.programme_id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Pilot.id.desc()).limit(PILOTS_LISTED)).all()


def get_closeout(session: Session, *, closeout_id: int) -> CloseOut | None:
    """A live close-out of a live meeting, with its community and the lessons it already lists."""
    return session.scalar(
        select(CloseOut)
        .join(CloseOut.meeting)
        .where(CloseOut.id == closeout_id, CloseOut.withdrawn_at.is_(None), Meeting.withdrawn_at.is_(None))
        .options(
            joinedload(CloseOut.meeting).joinedload(Meeting.community).joinedload(Community.programme),
            selectinload(CloseOut.lessons),
        )
    )
