"""Writing a record with its audit trail: what changed, who changed it, in which programme.

Every coordinator screen saves, archives and restores through these, so the audit log is complete.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hub.accounts.services import audit
from hub.db import utcnow
from hub.records import Record


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
    _set_tombstone(
        session, record, utcnow(), "archive", user_id=user_id, programme_id=programme_id, summary=summary
    )


def restore(
    session: Session, *, record: Record, user_id: int, programme_id: int | None, summary: str = ""
) -> None:
    _set_tombstone(
        session, record, None, "restore", user_id=user_id, programme_id=programme_id, summary=summary
    )


def _set_tombstone(
    session: Session,
    record: Record,
    at: dt.datetime | None,
    action: str,
    *,
    user_id: int,
    programme_id: int | None,
    summary: str,
) -> None:
    """Sets (or clears) ``record``'s tombstone and audits it."""
    before = jsonable(record.withdrawn_at)
    record.withdrawn_at = at
    session.flush()
    audit(
        session,
        user=None,
        user_id=user_id,
        action=action,
        entity=record.__tablename__,  # type: ignore[attr-defined]
        entity_id=record.id,  # type: ignore[attr-defined]
        programme_id=programme_id,
        summary=summary,
        before={"withdrawn_at": before},
        after={"withdrawn_at": jsonable(at)},
    )
