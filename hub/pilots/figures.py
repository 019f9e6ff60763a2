"""Pilots counted per programme and per product group, and the newest pilots (of a product group, or all)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from hub.pilots.models import Pilot
from hub.records import live_counts


def pilots_by_programme(session: Session) -> dict[int, int]:
    return live_counts(session, Pilot.programme_id)


def pilots_by_product_group(session: Session) -> dict[int, int]:
    return live_counts(session, Pilot.product_group_id)


def newest_pilots(session: Session, *, product_group_id: int, limit: int) -> Sequence[tuple[Pilot, int]]:
    """The ``limit`` most recent live pilots of the group per programme, each with its programme's total.

    One query: a window numbers each programme's pilots newest first and counts them.
    """
    ranked = (
        select(
            Pilot.id.label("pilot_id"),
            func.row_number()
            .over(
                partition_by=Pilot.programme_id,
                order_by=(Pilot.starts_on.desc().nulls_last(), Pilot.id.desc()),
            )
            .label("rank"),
            func.count().over(partition_by=Pilot.programme_id).label("total"),
        )
        .where(Pilot.product_group_id == product_group_id, Pilot.withdrawn_at.is_(None))
        .subquery()
    )
    rows = session.execute(
        select(Pilot, ranked.c.total)
        .join(ranked, ranked.c.pilot_id == Pilot.id)
        .where(ranked.c.rank <= limit)
        .order_by(Pilot.programme_id, ranked.c.rank)
    )
    return [(pilot, total) for pilot, total in rows]


def newest(session: Session, *, limit: int = 4) -> Sequence[Pilot]:
    """The live pilots that started last (by their own start date), for the home page."""
    return session.scalars(
        select(Pilot)
        .where(Pilot.withdrawn_at.is_(None), Pilot.starts_on.is_not(None))
        .options(joinedload(Pilot.programme))
        .order_by(Pilot.starts_on.desc(), Pilot.id.desc())
        .limit(limit)
    ).all()
