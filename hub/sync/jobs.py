"""The scheduler's part: reap stuck runs, then claim and run due sources one at a time."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from hub.sync import runner, services
from hub.sync.models import RunTrigger, SyncRun

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # extended while a run makes progress


def run_due_sources(
    sessions: sessionmaker[Session],
    *,
    owner: str,
    run_settings: runner.RunSettings,
    limit: int = 100,
    stop: threading.Event | None = None,
) -> list[SyncRun]:
    """Run every due source this process can claim, one at a time; the runs it made.

    Once ``stop`` is set no source is claimed any more; the run in progress finishes, and a
    source claimed as the stop came is given back, still due, for another process.
    """
    with sessions() as session:
        reaped = services.reap_stuck(session)
        if reaped:
            log.warning("closed %d sync run(s) whose process had died", reaped, extra={"reaped": reaped})
    runs = []
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        with sessions() as session:
            source_id = services.claim_due(session, owner=owner, lease=LEASE)
        if source_id is None:
            break
        if stop is not None and stop.is_set():
            with sessions() as session:
                services.give_back(session, source_id=source_id, owner=owner)
            log.info("source %d given back: stopping", source_id, extra={"source_id": source_id})
            break
        run = runner.run_by_id(
            sessions,
            source_id=source_id,
            owner=owner,
            trigger=RunTrigger.SCHEDULE,
            run_settings=run_settings,
            lease=LEASE,
            claimed=True,
        )
        if run is not None:
            runs.append(run)
            runner.index_runs(sessions)
    return runs
