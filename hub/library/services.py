"""Queries over the knowledge library: the public filtered list and the coordinators' list, one entry
with what it is linked from, and the entries linked from a pilot or a lesson."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.filters import QueryFilters
from hub.lessons.models import Lesson
from hub.library.models import LibraryItem, LibraryKind, library_item_lessons, library_item_pilots
from hub.pagination import Page
from hub.pilots.models import Pilot
from hub.queries import TaggedFilters, by_code, tagged_page, titled_page, workspace_scope
from hub.taxonomy.models import Strategy

PAGE_SIZE = 25
_LIVE = LibraryItem.withdrawn_at.is_(None)


@dataclasses.dataclass(frozen=True)
class LibraryFilters(TaggedFilters):
    strategy: str | None = None
    kind: LibraryKind | None = None


def parse_filters(session: Session, params: Mapping[str, str]) -> LibraryFilters:
    """Filters from query parameters; an unknown value raises ``InvalidFilter`` (shown as 400)."""
    read = QueryFilters(session, params)
    return LibraryFilters.read(
        read, strategy=read.code("strategy", Strategy.code), kind=read.member("kind", LibraryKind)
    )


def list_items(session: Session, *, filters: LibraryFilters, language: str) -> Page[LibraryItem]:
    """One page of live entries matching ``filters`` (``q`` through the search index), in the order
    of ``filters.sort``."""
    conditions: list[ColumnElement[bool]] = []
    if filters.strategy:
        conditions.append(by_code(LibraryItem.strategy_id, Strategy, filters.strategy))
    if filters.kind:
        conditions.append(LibraryItem.kind == filters.kind)
    return tagged_page(
        session,
        LibraryItem,
        conditions,
        kind="library",
        filters=filters,
        language=language,
        per_page=PAGE_SIZE,
    )


def items_of(
    session: Session,
    *,
    programme_ids: Collection[int] | None,
    q: str = "",
    programme_id: int | None = None,
    kind: LibraryKind | None = None,
    archived: bool = False,
    page: int = 1,
) -> Page[LibraryItem]:
    """The coordinators' list: the live (or archived) entries of these programmes (None: all), last
    changed first; ``q`` searches the titles."""
    conditions = workspace_scope(
        LibraryItem, programme_ids=programme_ids, programme_id=programme_id, archived=archived
    )
    if kind is not None:
        conditions.append(LibraryItem.kind == kind)
    return titled_page(session, LibraryItem, conditions, q=q, page=page)


def get_item(session: Session, *, item_id: int) -> LibraryItem | None:
    """An entry (withdrawn ones too: links elsewhere still lead here) with what it is linked from."""
    return session.scalar(
        select(LibraryItem)
        .where(LibraryItem.id == item_id)
        .options(
            joinedload(LibraryItem.programme),
            joinedload(LibraryItem.product_group),
            joinedload(LibraryItem.strategy),
            selectinload(LibraryItem.pilots).joinedload(Pilot.programme),
            selectinload(LibraryItem.lessons).joinedload(Lesson.programme),
        )
    )


def _linked_from(session: Session, link: Table, column: str, record_id: int) -> Sequence[LibraryItem]:
    """The live entries linked from one record, newest first: one query, whatever their number."""
    return session.scalars(
        select(LibraryItem)
        .join(link, link.c.item_id == LibraryItem.id)
        .where(link.c[column] == record_id, _LIVE)
        .order_by(LibraryItem.created_at.desc(), LibraryItem.id.desc())
    ).all()


def items_of_pilot(session: Session, *, pilot_id: int) -> Sequence[LibraryItem]:
    return _linked_from(session, library_item_pilots, "pilot_id", pilot_id)


def items_of_lesson(session: Session, *, lesson_id: int) -> Sequence[LibraryItem]:
    return _linked_from(session, library_item_lessons, "lesson_id", lesson_id)
