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
from hub.pagination import Page, paginate
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.queries import Sort, by_code, latest_first, listed, matching, read_sort, workspace_scope
from hub.taxonomy.models import Phase, ProductGroup, Strategy

PAGE_SIZE = 25
_LIVE = LibraryItem.withdrawn_at.is_(None)


@dataclasses.dataclass(frozen=True)
class LibraryFilters:
    programme: str | None = None
    product_group: str | None = None
    strategy: str | None = None
    kind: LibraryKind | None = None
    phase: Phase | None = None
    q: str = ""
    sort: Sort = Sort.NEWEST
    page: int = 1

    @property
    def active(self) -> bool:
        return any((self.programme, self.product_group, self.strategy, self.kind, self.phase, self.q))


def parse_filters(session: Session, params: Mapping[str, str]) -> LibraryFilters:
    """Filters from query parameters; an unknown value raises ``InvalidFilter`` (shown as 400)."""
    read = QueryFilters(session, params)
    q = read.search()
    return LibraryFilters(
        programme=read.code("programme", Programme.code),
        product_group=read.code("product_group", ProductGroup.code),
        strategy=read.code("strategy", Strategy.code),
        kind=read.member("kind", LibraryKind),
        phase=read.member("phase", Phase),
        q=q,
        sort=read_sort(read, q),
        page=read.page(),
    )


def list_items(session: Session, *, filters: LibraryFilters, language: str) -> Page[LibraryItem]:
    """One page of live entries matching ``filters`` (``q`` through the search index), in the order
    of ``filters.sort``."""
    conditions: list[ColumnElement[bool]] = [_LIVE]
    if filters.programme:
        conditions.append(by_code(LibraryItem.programme_id, Programme, filters.programme))
    if filters.product_group:
        conditions.append(by_code(LibraryItem.product_group_id, ProductGroup, filters.product_group))
    if filters.strategy:
        conditions.append(by_code(LibraryItem.strategy_id, Strategy, filters.strategy))
    if filters.kind:
        conditions.append(LibraryItem.kind == filters.kind)
    if filters.phase:
        conditions.append(LibraryItem.phase == filters.phase)
    statement = listed(
        latest_first(LibraryItem, conditions, LibraryItem.created_at),
        model=LibraryItem,
        kind="library",
        q=filters.q,
        sort=filters.sort,
        moment=LibraryItem.created_at,
        language=language,
        dialect=session.get_bind().dialect.name,
    )
    page: Page[LibraryItem] = paginate(session, statement, page=filters.page, per_page=PAGE_SIZE)
    return page


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
    if q:
        conditions.append(matching(q, LibraryItem.title_nl, LibraryItem.title_en))
    statement = latest_first(LibraryItem, conditions, LibraryItem.updated_at)
    return paginate(session, statement, page=page)


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
