"""Due jobs are claimed with a lease: however many processes tick, each due run happens once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session

from hub import migrate
from hub.db import make_sessionmaker, refresh_statistics, utcnow
from hub.jobs import services
from hub.jobs.models import ScheduledJob
from hub.scheduler import JOBS, Scheduler
from tests import factories


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    """These tests need real commits seen by several connections; they clean up after."""
    yield engine
    with make_sessionmaker(engine)() as session:
        session.execute(delete(ScheduledJob))
        session.commit()


def test_a_due_job_is_claimed_once(committed: Engine) -> None:
    sessions = make_sessionmaker(committed)
    with sessions() as session:
        services.ensure_jobs(session, intervals={"job": 60})
    lease = dt.timedelta(minutes=5)
    with sessions() as first, sessions() as second:
        assert services.claim_due(first, name="job", owner="a", lease=lease)
        assert not services.claim_due(second, name="job", owner="b", lease=lease)
        services.finish(first, name="job", owner="a")
        # Finished: next run in 60 s, so not due now.
        assert not services.claim_due(second, name="job", owner="b", lease=lease)
        later = utcnow() + dt.timedelta(seconds=61)
        assert services.claim_due(second, name="job", owner="b", lease=lease, now=later)


def test_an_expired_lease_can_be_taken_over(committed: Engine) -> None:
    sessions = make_sessionmaker(committed)
    with sessions() as session:
        services.ensure_jobs(session, intervals={"job": 60})
        assert services.claim_due(session, name="job", owner="crashed", lease=dt.timedelta(seconds=1))
        later = utcnow() + dt.timedelta(seconds=5)
        assert services.claim_due(session, name="job", owner="b", lease=dt.timedelta(minutes=1), now=later)
        # The crashed owner's late finish must not overwrite the new owner's lease.
        services.finish(session, name="job", owner="crashed")
        job = session.get(ScheduledJob, "job")
        assert job is not None
        assert job.lease_owner == "b"


def test_racing_schedulers_run_each_due_job_exactly_once(committed: Engine) -> None:
    runs: list[str] = []
    lock = threading.Lock()

    def job(session: Session) -> None:
        with lock:
            runs.append(threading.current_thread().name)

    sessions = make_sessionmaker(committed)
    schedulers = [Scheduler(sessions, jobs={"count": (job, 3600)}) for _ in range(6)]
    barrier = threading.Barrier(len(schedulers))

    def tick(scheduler: Scheduler) -> None:
        barrier.wait()
        scheduler.tick()

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(runs) == 1
    with sessions() as session:
        record = session.get(ScheduledJob, "count")
        assert record is not None
        assert record.runs == 1
        assert record.last_status == "succeeded"
        assert record.lease_owner is None


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(committed: Engine) -> None:
    ran: list[str] = []

    def broken(session: Session) -> None:
        raise RuntimeError("source unreachable")

    sessions = make_sessionmaker(committed)
    scheduler = Scheduler(sessions, jobs={"broken": (broken, 60), "fine": (lambda s: ran.append("fine"), 60)})
    assert scheduler.tick() == ["broken", "fine"]
    assert ran == ["fine"]
    with sessions() as session:
        record = session.get(ScheduledJob, "broken")
        assert record is not None
        assert record.last_status == "failed"
        assert "source unreachable" in (record.last_error or "")


def test_database_maintenance_job_refreshes_statistics(empty_engine: Engine) -> None:
    # A database of its own: fresh statistics would change the plans other tests look at.
    migrate.upgrade(empty_engine)
    assert JOBS["database.optimize"][0] is refresh_statistics
    with make_sessionmaker(empty_engine)() as session:
        programme = factories.programme(session, "gdca")
        for _ in range(3):
            factories.pilot(session, programme)
        refresh_statistics(session)
        if empty_engine.dialect.name == "sqlite":
            stats = session.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'pilots'"))
        else:
            stats = session.execute(
                text("SELECT count(*) FROM pg_stats WHERE tablename = 'pilots' AND attname = 'starts_on'")
            )
        assert stats.scalar()


def test_a_stopped_scheduler_claims_nothing_more_and_gives_back_what_it_claimed(
    committed: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop comes while a job runs: the next job is not claimed. Stop comes between claiming a job
    and running it: the job is given back, still due, for another scheduler."""
    ran: list[str] = []
    sessions = make_sessionmaker(committed)
    scheduler = Scheduler(sessions, jobs={})

    def first(session: Session) -> None:
        ran.append("first")
        scheduler.stop()  # SIGTERM while this job runs

    scheduler.jobs = {"first": (first, 60), "second": (lambda s: ran.append("second"), 60)}
    assert scheduler.tick() == ["first"]
    assert ran == ["first"]
    assert scheduler.tick() == []  # a stopped scheduler ticks no more
    with sessions() as session:
        second = session.get(ScheduledJob, "second")
        assert second is not None and second.lease_owner is None and second.runs == 0

    claim = services.claim_due
    late = Scheduler(sessions, jobs={"second": (lambda s: ran.append("late"), 60)})

    def claim_then_stop(*args: Any, **kwargs: Any) -> bool:
        claimed = claim(*args, **kwargs)
        late.stop()
        return claimed

    monkeypatch.setattr(services, "claim_due", claim_then_stop)
    assert late.tick() == []
    assert ran == ["first"]
    with sessions() as session:
        second = session.get(ScheduledJob, "second")
        assert second is not None
        assert (second.lease_owner, second.lease_until, second.runs) == (None, None, 0)
    monkeypatch.undo()
    # Still due: another scheduler runs it at its next tick.
    other = Scheduler(sessions, jobs={"second": (lambda s: ran.append("other"), 60)})
    assert other.tick() == ["second"]
    assert ran == ["first", "other"]


def test_giving_back_frees_only_our_own_lease(committed: Engine) -> None:
    sessions = make_sessionmaker(committed)
    with sessions() as session:
        services.ensure_jobs(session, intervals={"job": 60})
        assert services.claim_due(session, name="job", owner="a", lease=dt.timedelta(minutes=5))
        assert not services.give_back(session, name="job", owner="b")
        job = session.get(ScheduledJob, "job")
        assert job is not None and job.lease_owner == "a"
        assert services.give_back(session, name="job", owner="a")
        session.refresh(job)
        assert job.lease_owner is None and job.lease_until is None
