"""Claiming due jobs with an atomic lease, so any number of processes run each due job once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.jobs.models import ScheduledJob


def ensure_jobs(session: Session, *, intervals: Mapping[str, int]) -> None:
    """Create a schedule row for each registered job (first run now) and keep intervals current."""
    existing = {job.name: job for job in session.scalars(select(ScheduledJob))}
    for name, seconds in intervals.items():
        if name not in existing:
            session.add(ScheduledJob(name=name, interval_seconds=seconds, next_run_at=utcnow()))
        elif existing[name].interval_seconds != seconds:
            existing[name].interval_seconds = seconds
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


def finish(session: Session, *, name: str, owner: str, error: str | None = None) -> None:
    """Record the outcome, schedule the next run from now, and release the lease."""
    job = session.get(ScheduledJob, name)
    if job is None or job.lease_owner != owner:
        return  # Our lease expired and another process took over; its record wins.
    now = utcnow()
    job.last_finished_at = now
    job.last_status = "failed" if error else "succeeded"
    job.last_error = error
    job.next_run_at = now + dt.timedelta(seconds=job.interval_seconds)
    job.lease_until = None
    job.lease_owner = None
    job.runs += 1
    session.commit()
