"""Writing a record with its audit trail: what changed, who changed it, in which programme.

Every coordinator screen saves, archives and restores through these, so the audit log is complete;
a domain's other actions on a record (close, cancel, accept) are audited through ``log``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.accounts.services import audit
from hub.db import utcnow
from hub.records import Record
from hub.refusals import Refused


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


def log(
    session: Session,
    record: Any,
    action: str,
    *,
    user_id: int | None,
    programme_id: int | None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audits ``action`` (create, close, accept, ...) that ``user_id`` took on ``record``, under its
    table's name (the audit page names and links the record by it)."""
    audit(
        session,
        user=None,
        user_id=user_id,
        action=action,
        entity=record.__tablename__,
        entity_id=record.id,
        programme_id=programme_id,
        summary=summary,
        before=before,
        after=after,
    )


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
    log(
        session,
        record,
        "create" if new else "update",
        user_id=user_id,
        programme_id=programme_id,
        summary=summary,
        before=None if new else {name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return True


class ProgrammeInput(Protocol):
    """A record kind's typed input (``hub.inputs``) that names the record's programme and its title."""

    @property
    def programme_id(self) -> int: ...

    @property
    def title(self) -> str: ...

    def values(self) -> dict[str, Any]: ...


def save_input(
    session: Session,
    *,
    record: Any,
    data: ProgrammeInput,
    user_id: int,
    values: dict[str, Any] | None = None,
    summary: str | None = None,
) -> bool:
    """``save`` of a typed input ``data`` on ``record``, audited under the input's programme and
    named by its title (or ``summary``); ``values``: what to set, when that is more than the
    input's columns (its links). False (nothing written) when an existing record did not change."""
    return save(
        session,
        record=record,
        values=data.values() if values is None else values,
        user_id=user_id,
        programme_id=data.programme_id,
        summary=data.title if summary is None else summary,
    )


def save_links(
    session: Session,
    *,
    record: Any,
    before: Mapping[str, list[Any]],
    after: Mapping[str, list[Any]],
    links: Mapping[str, Any],
    user_id: int,
    programme_id: int | None,
    summary: str = "",
) -> bool:
    """Sets the links of ``record`` (its collections, ``links`` by name) that changed, and audits
    them in an entry of their own. ``before`` and ``after`` are the links as the log shows them
    (ids, lines), which the snapshot of ``save`` cannot. False (nothing written) if none changed."""
    changed = [name for name in after if before.get(name, []) != after[name]]
    if not changed:
        return False
    for name in changed:
        setattr(record, name, links[name])
    session.flush()
    log(
        session,
        record,
        "update",
        user_id=user_id,
        programme_id=programme_id,
        summary=summary,
        before={name: before.get(name, []) for name in changed},
        after={name: after[name] for name in changed},
    )
    return True


def add_unique(session: Session, row: Any, refusal: Refused) -> None:
    """Adds ``row`` in a savepoint. Another process may have stored the same one (a unique index
    holds) since the caller checked; then the savepoint alone rolls back and ``refusal`` is raised."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise refusal from None


def stamp(
    session: Session,
    *,
    record: Any,
    column: str,
    action: str,
    user_id: int,
    programme_id: int | None,
    summary: str = "",
) -> bool:
    """Sets the moment ``column`` of ``record`` (closed, cancelled, archived) to now, once, and
    audits it as ``action``; False (nothing written) if it was set already."""
    if getattr(record, column) is not None:
        return False
    _set(
        session, record, column, utcnow(), action, user_id=user_id, programme_id=programme_id, summary=summary
    )
    return True


def archive(
    session: Session, *, record: Record, user_id: int, programme_id: int | None, summary: str = ""
) -> None:
    """Archives ``record`` (a tombstone: hidden from lists and pages, kept for links and the log)."""
    stamp(
        session,
        record=record,
        column="withdrawn_at",
        action="archive",
        user_id=user_id,
        programme_id=programme_id,
        summary=summary,
    )


def restore(
    session: Session, *, record: Record, user_id: int, programme_id: int | None, summary: str = ""
) -> None:
    _set(
        session,
        record,
        "withdrawn_at",
        None,
        "restore",
        user_id=user_id,
        programme_id=programme_id,
        summary=summary,
    )


def _set(
    session: Session,
    record: Any,
    column: str,
    at: dt.datetime | None,
    action: str,
    *,
    user_id: int,
    programme_id: int | None,
    summary: str,
) -> None:
    """Sets (or clears) the moment ``column`` of ``record`` and audits it."""
    before = jsonable(getattr(record, column))
    setattr(record, column, at)
    session.flush()
    log(
        session,
        record,
        action,
        user_id=user_id,
        programme_id=programme_id,
        summary=summary,
        before={column: before},
        after={column: jsonable(at)},
    )
