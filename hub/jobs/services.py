"""Claiming due jobs with an atomic lease, so any number of processes run each due job once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.jobs.models import ScheduledJob


def ensure_jobs(session: Session, *, intervals: Mapping[str, int]) -> None:
    """Create a schedule row for each registered job (first run now) and keep intervals current.

    Schedulers starting together may both find a job missing: ON CONFLICT DO NOTHING lets the
    second insert pass instead of failing.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for name, seconds in intervals.items():
        session.execute(
            insert(ScheduledJob)
            .values(name=name, interval_seconds=seconds, next_run_at=utcnow(), runs=0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == name, ScheduledJob.interval_seconds != seconds)
            .values(interval_seconds=seconds)
        )
    session.commit()


def claim_due(
    session: Session, *, name: str, owner: str, lease: dt.timedelta, now: dt.datetime | None = None
) -> bool:
    """Take the lease on ``name`` if it is due and nobody holds a live lease; True if we got it.

    One UPDATE with the conditions in its WHERE clause: the database serialises competing
    claims (PostgreSQL re-checks the row after a concurrent update; SQLite has one writer), so
    at most one process wins each due run.
    """
    now = now or utcnow()
    result = session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.name == name,
            ScheduledJob.next_run_at <= now,
            or_(ScheduledJob.lease_until.is_(None), ScheduledJob.lease_until < now),
        )
        .values(lease_until=now + lease, lease_owner=owner, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def give_back(session: Session, *, name: str, owner: str) -> bool:
    """Free our lease on a job we claimed but will not run (the process is stopping): it stays due
    for another process. Only our own lease is freed; True if we held it."""
    result = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name, ScheduledJob.lease_owner == owner)
        .values(lease_until=None, lease_owner=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def count_due(session: Session, *, now: dt.datetime) -> int:
    """Jobs that are due and that no process holds (for the metrics)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ScheduledJob)
            .where(
                ScheduledJob.next_run_at <= now,
                or_(ScheduledJob.lease_until.is_(None), ScheduledJob.lease_until < now),
            )
        )
        or 0
    )


def finish(session: Session, *, name: str, owner: str, error: str | None = None) -> None:
    """Record the outcome, schedule the next run from now, and release the lease.

    Only the lease holder may finish: if our lease expired and another process took over, its
    record wins. Writing first (no read before the UPDATE) keeps SQLite from failing to upgrade a
    read transaction to a write while another process writes.
    """
    now = utcnow()
    interval = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name, ScheduledJob.lease_owner == owner)
        .values(
            lease_until=None,
            lease_owner=None,
            last_finished_at=now,
            last_status="failed" if error else "succeeded",
            last_error=error,
            runs=ScheduledJob.runs + 1,
        )
        .returning(ScheduledJob.interval_seconds)
        .execution_options(synchronize_session=False)
    ).scalar()
    if interval is not None:
        session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == name)
            .values(next_run_at=now + dt.timedelta(seconds=interval))
            .execution_options(synchronize_session=False)
        )
    session.commit()
