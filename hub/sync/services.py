"""Sources and runs in the database: saving, listing, claiming a run with a lease, reaping stuck runs.

A run is claimed with one UPDATE whose WHERE clause holds the conditions (due, not leased), so the
database lets one process win each due run however many race for it (PostgreSQL re-checks the
row after a concurrent update and ``SKIP LOCKED`` spreads due sources over workers; SQLite has one
writer at a time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload

from hub.db import utcnow
from hub.i18n import N_
from hub.sync.models import RunStatus, Source, SyncError, SyncRun
from hub.sync.schedule import next_run
from hub.sync.validation import SourceInput

STALE_AFTER = dt.timedelta(minutes=15)  # a run with no heartbeat for this long has died


# -- reading --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SourceStatus:
    source: Source
    last_run: SyncRun | None

    @property
    def health(self) -> str:
        """ "disabled", "never", "running", "ok", "warning" (last run partly failed) or "failing"."""
        if not self.source.enabled:
            return "disabled"
        if self.last_run is None:
            return "never"
        return {
            RunStatus.RUNNING: "running",
            RunStatus.SUCCEEDED: "ok",
            RunStatus.PARTIAL: "warning",
            RunStatus.FAILED: "failing",
        }[self.last_run.status]


def get_source(session: Session, *, source_id: int | None = None, key: str | None = None) -> Source | None:
    statement = select(Source).options(joinedload(Source.programme))
    if source_id is not None:
        statement = statement.where(Source.id == source_id)
    if key is not None:
        statement = statement.where(Source.key == key)
    return session.scalar(statement)


def list_sources(
    session: Session, *, programme_ids: frozenset[int] | None = None, proven: bool = False
) -> list[SourceStatus]:
    """Every source (of these programmes; ``proven``: that has worked once) with its latest run, by
    programme and name."""
    latest = (
        select(SyncRun.source_id, func.max(SyncRun.id).label("run_id")).group_by(SyncRun.source_id).subquery()
    )
    statement = (
        select(Source, SyncRun)
        .options(joinedload(Source.programme))
        .outerjoin(latest, latest.c.source_id == Source.id)
        .outerjoin(SyncRun, SyncRun.id == latest.c.run_id)
        .order_by(Source.programme_id, Source.name)
    )
    if programme_ids is not None:
        statement = statement.where(Source.programme_id.in_(programme_ids))
    if proven:
        earlier = aliased(SyncRun)  # any run of the source, not the latest one joined above
        worked = select(earlier.id).where(
            earlier.source_id == Source.id, earlier.status.in_((RunStatus.SUCCEEDED, RunStatus.PARTIAL))
        )
        statement = statement.where(worked.exists())
    return [SourceStatus(source, run) for source, run in session.execute(statement).all()]


def list_runs(
    session: Session, *, source_id: int, page: int = 1, per_page: int = 20
) -> tuple[list[SyncRun], int]:
    """A source's runs, newest first, and how many there are."""
    total = (
        session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.source_id == source_id)) or 0
    )
    runs = session.scalars(
        select(SyncRun)
        .where(SyncRun.source_id == source_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(runs), total


def get_run(session: Session, *, run_id: int) -> SyncRun | None:
    return session.scalar(select(SyncRun).options(joinedload(SyncRun.source)).where(SyncRun.id == run_id))


def list_errors(
    session: Session, *, run_id: int, page: int = 1, per_page: int = 50
) -> tuple[list[SyncError], int]:
    total = session.scalar(select(func.count()).select_from(SyncError).where(SyncError.run_id == run_id)) or 0
    errors = session.scalars(
        select(SyncError)
        .where(SyncError.run_id == run_id)
        .order_by(SyncError.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(errors), total


# -- writing --------------------------------------------------------------------------------


def save_source(session: Session, *, source: Source, values: SourceInput) -> Source:
    """Create or change a source: a new one is due at once, a rescheduled one at its next time."""
    rescheduled = source.id is None or values.schedule != source.schedule
    if source.id is not None and set(values.peer_programmes) - set(source.peer_programmes or ()):
        # A peer is read incrementally: records of a newly chosen programme that earlier runs passed
        # over are read again from the start (unchanged ones cost no write).
        source.cursor = {}
    for name, value in values.values().items():
        setattr(source, name, value)
    if rescheduled or source.next_run_at is None:
        source.next_run_at = utcnow() if source.id is None else next_run(source.schedule, utcnow())
    session.add(source)
    session.flush()
    return source


def set_enabled(session: Session, *, source: Source, enabled: bool) -> None:
    source.enabled = enabled
    if enabled and (source.next_run_at is None or source.next_run_at < utcnow()):
        source.next_run_at = utcnow()


def request_run(session: Session, *, source_id: int) -> None:
    """Make a source due now (the next scheduler tick, or a run started right away, takes it)."""
    session.execute(
        update(Source).where(Source.id == source_id).values(next_run_at=utcnow()),
        execution_options={"synchronize_session": False},
    )


def start_run(session: Session, *, source: Source, trigger: Any, owner: str) -> SyncRun:
    now = utcnow()
    run = SyncRun(source_id=source.id, trigger=trigger, owner=owner[:200], started_at=now, heartbeat_at=now)
    session.add(run)
    session.commit()
    return run


# -- the lease ------------------------------------------------------------------------------


def _free(now: dt.datetime) -> Any:
    return or_(Source.lease_until.is_(None), Source.lease_until < now)


def claim_due(
    session: Session, *, owner: str, lease: dt.timedelta, now: dt.datetime | None = None
) -> int | None:
    """Take the lease on one due, enabled source; its id, or None when nothing is due."""
    now = now or utcnow()
    due = (
        select(Source.id)
        .where(Source.enabled, Source.next_run_at <= now, _free(now))
        .order_by(Source.next_run_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    source_id = session.execute(
        update(Source)
        .where(Source.id == due, Source.enabled, Source.next_run_at <= now, _free(now))
        .values(lease_until=now + lease, lease_owner=owner)
        .returning(Source.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    session.commit()
    return source_id


def claim(session: Session, *, source_id: int, owner: str, lease: dt.timedelta) -> bool:
    """Take the lease on one source now, due or not (run now); False if a live lease holds it."""
    now = utcnow()
    result = session.execute(
        update(Source)
        .where(Source.id == source_id, _free(now))
        .values(lease_until=now + lease, lease_owner=owner)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def extend(session: Session, *, source_id: int, owner: str, lease: dt.timedelta) -> None:
    """Keep the lease while a long run makes progress (the caller commits at once: see the runner)."""
    session.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_owner == owner)
        .values(lease_until=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, *, source_id: int, owner: str) -> None:
    """Schedule the next run from now (missed runs coalesce into this one) and free the lease.

    Write first, read nothing before: SQLite cannot upgrade a read transaction to a write
    while another process writes.
    """
    now = utcnow()
    schedule = session.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_owner == owner)
        .values(lease_until=None, lease_owner=None)
        .returning(Source.schedule)
        .execution_options(synchronize_session=False)
    ).scalar()
    if schedule is not None:
        session.execute(
            update(Source)
            .where(Source.id == source_id)
            .values(next_run_at=next_run(schedule, now))
            .execution_options(synchronize_session=False)
        )
    session.commit()


def give_back(session: Session, *, source_id: int, owner: str) -> bool:
    """Free our lease on a source we will not run after all (the process is stopping): it stays due,
    so another scheduler takes it at its next tick instead of when the lease would have run out.
    Only our own lease is freed; True if we held it."""
    result = session.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_owner == owner)
        .values(lease_until=None, lease_owner=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def reap_stuck(
    session: Session, *, now: dt.datetime | None = None, stale_after: dt.timedelta = STALE_AFTER
) -> int:
    """Close runs whose process died mid-run (no heartbeat for ``stale_after``); how many."""
    now = now or utcnow()
    result = session.execute(
        update(SyncRun)
        .where(SyncRun.status == RunStatus.RUNNING, SyncRun.heartbeat_at < now - stale_after)
        .values(
            status=RunStatus.FAILED,
            finished_at=now,
            message=N_("The run stopped without finishing (its process ended) and was closed."),
            message_values={},
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def enabled_sources(session: Session) -> Sequence[Source]:
    """Every enabled source, by key (what `hub sync` without a key runs)."""
    return session.scalars(select(Source).where(Source.enabled).order_by(Source.key)).all()


# -- for the metrics ------------------------------------------------------------------------


def run_totals(session: Session) -> list[tuple[str, RunStatus | None, int, dt.datetime | None]]:
    """Per source (every one, also those never run) and run status: how many runs, and when the
    last of them finished. One grouped query; a source without runs has one row with status None."""
    rows = session.execute(
        select(Source.key, SyncRun.status, func.count(SyncRun.id), func.max(SyncRun.finished_at))
        .outerjoin(SyncRun, SyncRun.source_id == Source.id)
        .group_by(Source.key, SyncRun.status)
    ).all()
    return [(key, status, count, finished) for key, status, count, finished in rows]


def count_due(session: Session, *, now: dt.datetime) -> int:
    """Enabled sources whose next run is due and that no process holds (``ix_sources_due``)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Source)
            .where(Source.enabled, Source.next_run_at <= now, _free(now))
        )
        or 0
    )
