"""Schedules in the database, claimed with a lease: each due run runs once, however many processes race."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.messages import OptionsError
from hub import migrate
from hub.db import make_sessionmaker, utcnow
from hub.pilots.models import Pilot
from hub.sync import services
from hub.sync.jobs import run_due_sources
from hub.sync.models import RunStatus, Source, SyncRun
from hub.sync.runner import RunSettings
from hub.sync.schedule import next_run, normalise
from tests import factories

BRUSSELS_WINTER = dt.timezone(dt.timedelta(hours=1))


def test_schedules_are_every_n_minutes_or_cron_in_brussels_time() -> None:
    assert normalise(" every   90 ") == "every 90"
    assert normalise("0 6 * * 1-5") == "0 6 * * 1-5"
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday, 13:00 in Brussels
    assert next_run("every 90", now) == now + dt.timedelta(minutes=90)
    assert next_run("0 6 * * 1-5", now) == dt.datetime(2026, 11, 26, 6, 0, tzinfo=BRUSSELS_WINTER)
    for wrong in ("every 1", "every day", "61 * * * *", "* * *"):
        with pytest.raises(OptionsError) as error:
            normalise(wrong)
        assert error.value.field == "schedule"


def test_a_due_source_is_claimed_once_and_missed_runs_coalesce(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    source: Source = factories.source(session, programme, "late", next_run_at=utcnow() - dt.timedelta(days=3))
    session.commit()
    lease = dt.timedelta(minutes=10)
    assert services.claim_due(session, owner="one", lease=lease) == source.id
    assert services.claim_due(session, owner="two", lease=lease) is None  # leased
    assert not services.claim(session, source_id=source.id, owner="two", lease=lease)  # run now: held
    services.release(session, source_id=source.id, owner="one")
    session.refresh(source)
    # Three days of hourly runs were missed: one run now, the next an hour from now, not 72 runs.
    assert source.lease_owner is None
    assert source.next_run_at is not None and source.next_run_at > utcnow() + dt.timedelta(minutes=59)
    assert services.claim_due(session, owner="two", lease=lease) is None


def test_an_expired_lease_can_be_taken_over(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    past = utcnow() - dt.timedelta(hours=1)
    source: Source = factories.source(session, programme, "stuck", next_run_at=past)
    session.commit()
    assert services.claim_due(session, owner="dead", lease=dt.timedelta(minutes=10), now=past) == source.id
    assert services.claim_due(session, owner="alive", lease=dt.timedelta(minutes=10)) == source.id
    services.release(session, source_id=source.id, owner="dead")  # too late: not the holder any more
    session.refresh(source)
    assert source.lease_owner == "alive"


def test_disabled_sources_are_not_claimed(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    factories.source(session, programme, "off", enabled=False)
    session.commit()
    assert services.claim_due(session, owner="one", lease=dt.timedelta(minutes=10)) is None


def test_a_source_claimed_as_the_scheduler_stops_is_given_back_still_due(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with sessions() as session:
        programme = factories.programme(session, "gdca")
        source: Source = factories.source(session, programme, "news")
        session.commit()
        source_id, due_at = source.id, source.next_run_at
    stop = threading.Event()
    claim = services.claim_due

    def claim_then_stop(*args: Any, **kwargs: Any) -> int | None:
        claimed = claim(*args, **kwargs)
        stop.set()  # SIGTERM between claiming the source and starting its run
        return claimed

    monkeypatch.setattr(services, "claim_due", claim_then_stop)
    assert run_due_sources(sessions, owner="stopping", run_settings=RunSettings(), stop=stop) == []
    monkeypatch.undo()
    assert run_due_sources(sessions, owner="stopping", run_settings=RunSettings(), stop=stop) == []
    with sessions() as session:
        given_back = session.get(Source, source_id)
        assert given_back is not None
        assert (given_back.lease_owner, given_back.lease_until, given_back.next_run_at) == (
            None,
            None,
            due_at,
        )
        assert not session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.source_id == source_id)
        )
        # Another scheduler takes it at once; giving back frees only one's own lease.
        lease = dt.timedelta(minutes=10)
        assert services.claim_due(session, owner="other", lease=lease) == source_id
        assert not services.give_back(session, source_id=source_id, owner="stopping")
        session.refresh(given_back)
        assert given_back.lease_owner == "other"


def test_stuck_runs_are_reaped(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    source: Source = factories.source(session, programme, "crashed")
    long_ago = utcnow() - dt.timedelta(hours=2)
    dead = SyncRun(source_id=source.id, trigger="schedule", started_at=long_ago, heartbeat_at=long_ago)
    alive = SyncRun(source_id=source.id, trigger="schedule", started_at=utcnow(), heartbeat_at=utcnow())
    session.add_all([dead, alive])
    session.commit()
    assert services.reap_stuck(session) == 1
    session.refresh(dead)
    session.refresh(alive)
    assert dead.status is RunStatus.FAILED and dead.finished_at is not None and "stopped" in dead.message
    assert alive.status is RunStatus.RUNNING


RACER = """
import os, sys, time
from pathlib import Path
from hub.db import make_engine, make_sessionmaker
from hub.sync.jobs import run_due_sources
from hub.sync.runner import RunSettings
url, uploads, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
engine = make_engine(url)
with engine.connect():
    pass
time.sleep(max(0.0, start_at - time.time()))
runs = run_due_sources(make_sessionmaker(engine), owner=f"racer-{os.getpid()}",
                       run_settings=RunSettings(uploads_dir=Path(uploads)))
print(len(runs))
"""


def test_processes_racing_for_due_runs_run_each_once(empty_engine: Engine, tmp_path: Path) -> None:
    """Four processes wake at the same instant with three sources due: three runs, one each."""
    migrate.upgrade(empty_engine)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    sessions = make_sessionmaker(empty_engine)
    with sessions() as session:
        programme = factories.programme(session, "gdci")
        for n in range(3):
            (uploads / f"export{n}.csv").write_text(
                "id,titel,land\n" + "".join(f"p{n}-{i},Pilot {i},NL\n" for i in range(200))
            )
            factories.source(
                session,
                programme,
                f"export{n}",
                kind="tabular",
                options={
                    "upload": f"export{n}.csv",
                    "target": "pilot",
                    "id_column": "id",
                    "columns": {"title_nl": "titel", "country": "land"},
                    "defaults": {"status": "running", "phase": "tender"},
                },
            )
        session.commit()
    url = empty_engine.url.render_as_string(hide_password=False)
    start_at = time.time() + 3
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, url, str(uploads), str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    for racer, (_out, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err
    assert sum(int(out.strip()) for out, _err in outputs) == 3
    with sessions() as session:
        runs = session.execute(select(SyncRun.source_id, SyncRun.status)).all()
        assert len(runs) == 3 and len({source_id for source_id, _ in runs}) == 3
        assert {status for _, status in runs} == {RunStatus.SUCCEEDED}
        assert session.scalar(select(func.count()).select_from(Pilot)) == 600
        assert all(s.lease_owner is None for s in session.scalars(select(Source)))
