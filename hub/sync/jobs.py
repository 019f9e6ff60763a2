"""The scheduler's part: reap stuck runs, then claim and run due sources one at a time."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session, sessionmaker

from hub.sync import runner, services
from hub.sync.models import RunTrigger

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # extended while a run makes progress


def run_due_sources(
    sessions: sessionmaker[Session], *, owner: str, run_settings: runner.RunSettings, limit: int = 100
) -> list[int]:
    """Run every due source this process can claim; the ids of the runs it made."""
    with sessions() as session:
        reaped = services.reap_stuck(session)
        if reaped:
            log.warning("closed %d sync run(s) whose process had died", reaped)
    runs = []
    for _ in range(limit):
        with sessions() as session:
            source_id = services.claim_due(session, owner=owner, lease=LEASE)
        if source_id is None:
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
            runs.append(run.id)
    return runs
