"""The workspace's writes and queries: saving and archiving records with an audit entry, and the
coordinators' lists (scoped to their programmes), the translation queue and the audit log.

Keyword-only functions taking the session first; views never build queries. ``programme_ids``
of ``None`` means every programme (an administrator).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from hub.accounts.models import AuditEntry
from hub.accounts.services import audit
from hub.db import utcnow
from hub.pilots import search
from hub.pilots.models import Pilot, PilotStatus
from hub.programmes.models import Programme
from hub.records import LANGUAGES, Record
from hub.taxonomy.models import Strategy

PAGE_SIZE = 50
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    number: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def paginate(session: Session, statement: Select[Any], *, page: int, per_page: int = PAGE_SIZE) -> Page[Any]:
    """One page of the ORM entities ``statement`` selects, and how many there are in all."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    items = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items, total, page, per_page)


def escape_like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- saving with an audit entry ---


def jsonable(value: Any) -> Any:
    """A value as the audit log stores it: dates and decimals as strings, enums as their value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):  # canonical: 10.00 and 10 are one amount
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    code = getattr(value, "code", None)  # vocabulary entries (strategies, product groups)
    return code if isinstance(code, str) else str(value)


def snapshot(record: Any, fields: Collection[str]) -> dict[str, Any]:
    return {name: jsonable(getattr(record, name)) for name in fields}


def save(
    session: Session,
    *,
    record: Any,
    values: dict[str, Any],
    user_id: int,
    programme_id: int | None,
    summary: str = "",
) -> bool:
    """Sets ``values`` on ``record`` (new or loaded), flushes, and audits what changed.

    Returns False (and writes nothing) when an existing record did not change.
    """
    new = record.id is None
    before = {} if new else snapshot(record, values)
    old = {} if new else {name: getattr(record, name) for name in values}
    # Compare values, not their text: Decimal("10.00") == Decimal("10").
    changed = [name for name, value in values.items() if new or old[name] != value]
    for name in changed:
        setattr(record, name, values[name])
    after = snapshot(record, values)
    if not changed:
        return False
    if new:
        session.add(record)
    session.flush()
    audit(
        session,
        user=None,
        user_id=user_id,
        action="create" if new else "update",
        entity=record.__tablename__,
        entity_id=record.id,
        programme_id=programme_id,
        summary=summary,
        before=None if new else {name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return True


def archive(
    session: Session, *, record: Record, user_id: int, programme_id: int | None, summary: str = ""
) -> None:
    """Archives ``record`` (a tombstone: hidden from lists and pages, kept for links and the log)."""
    if record.withdrawn_at is not None:
        return
    record.withdrawn_at = utcnow()
    session.flush()
    audit(
        session,
        user=None,
        user_id=user_id,
        action="archive",
        entity=record.__tablename__,  # type: ignore[attr-defined]
        entity_id=record.id,  # type: ignore[attr-defined]
        programme_id=programme_id,
        summary=summary,
        before={"withdrawn_at": None},
        after={"withdrawn_at": jsonable(record.withdrawn_at)},
    )


def restore(
    session: Session, *, record: Record, user_id: int, programme_id: int | None, summary: str = ""
) -> None:
    before = jsonable(record.withdrawn_at)
    record.withdrawn_at = None
    session.flush()
    audit(
        session,
        user=None,
        user_id=user_id,
        action="restore",
        entity=record.__tablename__,  # type: ignore[attr-defined]
        entity_id=record.id,  # type: ignore[attr-defined]
        programme_id=programme_id,
        summary=summary,
        before={"withdrawn_at": before},
        after={"withdrawn_at": None},
    )


# --- programmes and vocabularies ---


def editable_programmes(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Programme]:
    statement = select(Programme).where(Programme.withdrawn_at.is_(None))
    if programme_ids is not None:
        statement = statement.where(Programme.id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Programme.starts_on, Programme.id)).all()


def strategies_by_id(session: Session, *, ids: Collection[int]) -> list[Strategy]:
    if not ids:
        return []
    return list(
        session.scalars(select(Strategy).where(Strategy.id.in_(list(ids))).order_by(Strategy.position)).all()
    )


# --- pilots ---


def _scope(column: Any, programme_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if programme_ids is None else [column.in_(list(programme_ids))]


def list_pilots(
    session: Session,
    *,
    programme_ids: Collection[int] | None,
    q: str = "",
    programme_id: int | None = None,
    status: PilotStatus | None = None,
    archived: bool = False,
    page: int = 1,
) -> Page[Pilot]:
    """The pilots of these programmes, newest first; ``q`` searches titles and summaries in both
    languages with the public list's full-text index."""
    conditions = _scope(Pilot.programme_id, programme_ids)
    conditions.append(Pilot.withdrawn_at.is_not(None) if archived else Pilot.withdrawn_at.is_(None))
    if programme_id is not None:
        conditions.append(Pilot.programme_id == programme_id)
    if status is not None:
        conditions.append(Pilot.status == status)
    params: dict[str, Any] = {}
    if search.terms(q):
        dialect = session.get_bind().dialect.name
        conditions.append(search.condition(dialect))
        params["search"] = search.query_text(dialect, q)
    statement = (
        select(Pilot)
        .where(*conditions)
        .order_by(Pilot.starts_on.desc().nulls_last(), Pilot.id.desc())
        .options(joinedload(Pilot.programme))
    )
    if params:
        statement = statement.params(**params)
    return paginate(session, statement, page=page)


def _untranslated() -> ColumnElement[bool]:
    """The other language's title is empty, or its summary while the source has one."""
    cases = []
    for source in LANGUAGES:
        for other in LANGUAGES:
            if other == source:
                continue
            title, summary = getattr(Pilot, f"title_{other}"), getattr(Pilot, f"summary_{other}")
            source_summary = getattr(Pilot, f"summary_{source}")
            cases.append(
                and_(
                    Pilot.source_language == source,
                    or_(title == "", and_(summary == "", source_summary != "")),
                )
            )
    return or_(*cases)


def translation_queue(
    session: Session, *, programme_ids: Collection[int] | None, page: int = 1
) -> Page[Pilot]:
    """Pilots kept here whose title or summary still lacks its translation, oldest change first."""
    statement = (
        select(Pilot)
        .where(
            *_scope(Pilot.programme_id, programme_ids),
            Pilot.withdrawn_at.is_(None),
            Pilot.home_hub.is_(None),
            _untranslated(),
        )
        .order_by(Pilot.updated_at, Pilot.id)
        .options(joinedload(Pilot.programme))
    )
    return paginate(session, statement, page=page)


# --- the audit log ---


def audit_log(session: Session, *, programme_ids: Collection[int] | None, page: int = 1) -> Page[AuditEntry]:
    statement = (
        select(AuditEntry)
        .where(*_scope(AuditEntry.programme_id, programme_ids))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .options(joinedload(AuditEntry.user))
    )
    return paginate(session, statement, page=page)
