"""The audit log's queries (the workspace's own page); ``programme_ids`` of None means every programme."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, joinedload

from hub.accounts.models import AuditEntry, User
from hub.i18n import TIMEZONE
from hub.pagination import Page, paginate
from hub.programmes.models import Programme


@dataclasses.dataclass(frozen=True)
class AuditFilters:
    """Who, what kind of record, which record, from and to which day (Brussels time)."""

    user_id: int | None = None
    entity: str = ""
    entity_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def active(self) -> bool:
        return any(value not in (None, "") for value in dataclasses.astuple(self))


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Brussels, in UTC (what the log stores)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(TIMEZONE)).astimezone(dt.UTC)


def _scope(column: Any, programme_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if programme_ids is None else [column.in_(list(programme_ids))]


def _entries(programme_ids: Collection[int] | None, filters: AuditFilters) -> Select[Any]:
    conditions = _scope(AuditEntry.programme_id, programme_ids)
    if filters.user_id is not None:
        conditions.append(AuditEntry.user_id == filters.user_id)
    if filters.entity:
        conditions.append(AuditEntry.entity == filters.entity)
    if filters.entity_id is not None:
        conditions.append(AuditEntry.entity_id == filters.entity_id)
    if filters.since is not None:
        conditions.append(AuditEntry.at >= _day_start(filters.since))
    if filters.until is not None:
        conditions.append(AuditEntry.at < _day_start(filters.until + dt.timedelta(days=1)))
    return (
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .options(joinedload(AuditEntry.user))
    )


def audit_log(
    session: Session,
    *,
    programme_ids: Collection[int] | None,
    filters: AuditFilters | None = None,
    page: int = 1,
) -> Page[AuditEntry]:
    return paginate(session, _entries(programme_ids, filters or AuditFilters()), page=page)


def iter_audit_log(
    session: Session, *, programme_ids: Collection[int] | None, filters: AuditFilters, chunk: int = 500
) -> Iterator[Sequence[AuditEntry]]:
    """Every entry the filters keep, newest first, in chunks (the download)."""
    result = session.scalars(_entries(programme_ids, filters).execution_options(yield_per=chunk))
    yield from result.partitions(chunk)


def audit_people(session: Session, *, programme_ids: Collection[int] | None) -> list[tuple[int, str]]:
    """The people who have entries in the log (that the reader may see), by name."""
    rows = session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(AuditEntry.user_id).where(*_scope(AuditEntry.programme_id, programme_ids))))
        .order_by(User.name, User.id)
    )
    return [(user_id, name) for user_id, name in rows]


def audit_kinds(session: Session, *, programme_ids: Collection[int] | None) -> list[str]:
    """The kinds of record (tables) the log has entries about."""
    return list(
        session.scalars(
            select(AuditEntry.entity)
            .where(*_scope(AuditEntry.programme_id, programme_ids))
            .distinct()
            .order_by(AuditEntry.entity)
        )
    )


def programme_names(session: Session) -> dict[int, str]:
    """Programme id -> its short name, to show a programme_id as people know it."""
    return {
        programme_id: name
        for programme_id, name in session.execute(select(Programme.id, Programme.short_name))
    }
