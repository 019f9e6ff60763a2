"""Queries over programmes: the list with their key figures and what the hub itself counts."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hub.programmes.models import Programme


def list_programmes(session: Session) -> Sequence[Programme]:
    return session.scalars(
        select(Programme)
        .where(Programme.withdrawn_at.is_(None))
        .order_by(Programme.starts_on, Programme.id)
        .options(selectinload(Programme.key_figures))
    ).all()


def programme_choices(session: Session) -> Sequence[tuple[str, str]]:
    """(code, short name) of every programme, for the public lists' filter forms."""
    return session.execute(
        select(Programme.code, Programme.short_name).order_by(Programme.starts_on, Programme.id)
    ).all()


def programme_id_of(session: Session, *, code: str) -> int | None:
    return session.scalar(select(Programme.id).where(Programme.code == code.strip().lower()))


def get_programme(session: Session, *, code: str) -> Programme | None:
    return session.scalar(
        select(Programme)
        .where(Programme.code == code)
        .options(selectinload(Programme.key_figures), selectinload(Programme.sdg_links))
    )


def editable_programmes(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Programme]:
    statement = select(Programme).where(Programme.withdrawn_at.is_(None))
    if programme_ids is not None:
        statement = statement.where(Programme.id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Programme.starts_on, Programme.id)).all()
