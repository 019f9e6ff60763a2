"""The workspace's queries for the knowledge library: its list, one entry with what its form shows,
and the lessons an entry may be linked from (the pilots: ``lesson_services``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from hub.lessons.models import Lesson
from hub.library.models import LibraryItem, LibraryKind
from hub.pagination import Page, escape_like, paginate

LESSONS_LISTED = 100  # the lesson numbers shown on the form for reference


def list_items(
    session: Session,
    *,
    programme_ids: Collection[int] | None,
    q: str = "",
    programme_id: int | None = None,
    kind: LibraryKind | None = None,
    archived: bool = False,
    page: int = 1,
) -> Page[LibraryItem]:
    """The entries of these programmes, last changed first; ``q`` searches the titles."""
    conditions: list[ColumnElement[bool]] = [
        LibraryItem.withdrawn_at.is_not(None) if archived else LibraryItem.withdrawn_at.is_(None)
    ]
    if programme_ids is not None:
        conditions.append(LibraryItem.programme_id.in_(list(programme_ids)))
    if programme_id is not None:
        conditions.append(LibraryItem.programme_id == programme_id)
    if kind is not None:
        conditions.append(LibraryItem.kind == kind)
    if q:
        pattern = escape_like(q)
        conditions.append(
            func.lower(LibraryItem.title_nl).like(pattern, escape="\\")
            | func.lower(LibraryItem.title_en).like(pattern, escape="\\")
        )
    statement = (
        select(LibraryItem)
        .where(*conditions)
        .order_by(LibraryItem.updated_at.desc(), LibraryItem.id.desc())
        .options(joinedload(LibraryItem.programme), joinedload(LibraryItem.product_group))
    )
    return paginate(session, statement, page=page)


def lessons_to_link(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Lesson]:
    """The latest live lessons of these programmes, to look up a number on the form."""
    statement = select(Lesson).where(Lesson.withdrawn_at.is_(None)).options(joinedload(Lesson.programme))
    if programme_ids is not None:
        statement = statement.where(Lesson.programme_id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Lesson.id.desc()).limit(LESSONS_LISTED)).all()
