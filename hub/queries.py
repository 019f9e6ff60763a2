"""What the record lists' queries share: a vocabulary entry by its code, a text search, what the
coordinators' lists show of a kind, and the latest first."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import joinedload

from hub.pagination import escape_like


def by_code(column: Any, model: Any, code: str) -> ColumnElement[bool]:
    """``column`` refers to the row of ``model`` (a programme, a product group ...) with ``code``."""
    comparison: ColumnElement[bool] = column == select(model.id).where(model.code == code).scalar_subquery()
    return comparison


def matching(q: str, *columns: Any) -> ColumnElement[bool]:
    """One of ``columns`` holds ``q``, in any case (``%`` and ``_`` in it are plain characters)."""
    pattern = escape_like(q)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def workspace_scope(
    model: Any,
    *,
    programme_ids: Collection[int] | None,
    programme_id: int | None = None,
    archived: bool = False,
) -> list[ColumnElement[bool]]:
    """A coordinators' list of ``model``: its live (or archived) records of these programmes (None:
    all), of ``programme_id`` only when given."""
    conditions: list[ColumnElement[bool]] = [
        model.withdrawn_at.is_not(None) if archived else model.withdrawn_at.is_(None)
    ]
    if programme_ids is not None:
        conditions.append(model.programme_id.in_(list(programme_ids)))
    if programme_id is not None:
        conditions.append(model.programme_id == programme_id)
    return conditions


def latest_first(model: Any, conditions: Iterable[ColumnElement[bool]], moment: Any) -> Select[Any]:
    """The rows of ``model`` meeting ``conditions``, the latest ``moment`` first, with their programme
    and product group (what a list of lessons or library entries shows)."""
    return (
        select(model)
        .where(*conditions)
        .order_by(moment.desc(), model.id.desc())
        .options(joinedload(model.programme), joinedload(model.product_group))
    )
