"""The audit log's query (the workspace's own page); ``programme_ids`` of None means every programme."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, joinedload

from hub.accounts.models import AuditEntry
from hub.pagination import Page, paginate


def _scope(column: Any, programme_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if programme_ids is None else [column.in_(list(programme_ids))]


def audit_log(session: Session, *, programme_ids: Collection[int] | None, page: int = 1) -> Page[AuditEntry]:
    statement = (
        select(AuditEntry)
        .where(*_scope(AuditEntry.programme_id, programme_ids))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .options(joinedload(AuditEntry.user))
    )
    return paginate(session, statement, page=page)
