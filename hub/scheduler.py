"""The scheduler: APScheduler ticks; each tick claims due jobs from the database and runs them.

APScheduler's own job stores must never be shared between processes, so it keeps nothing but a
timer here. What is due, and who is running it, lives in the database: ``scheduled_jobs`` for the
hub's own jobs (see jobs/services), ``sources`` for syncs (see sync/services), and newsletter
issues and their deliveries for sending (see newsletters/sending: a restarted scheduler resumes
an issue left ``sending``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from hub.db import refresh_statistics
from hub.i18n import TIMEZONE
from hub.jobs import services
from hub.newsletters.sending import run_due_newsletters
from hub.newsletters.subscriptions import purge_unconfirmed
from hub.sync.jobs import run_due_sources
from hub.sync.runner import RunSettings

log = logging.getLogger(__name__)

JobFunction = Callable[[Session], None]


# name -> (function, interval in seconds). Later features register their jobs here.
JOBS: dict[str, tuple[JobFunction, int]] = {
    "database.optimize": (refresh_statistics, 24 * 3600),
}


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        jobs: dict[str, tuple[JobFunction, int]] | None = None,
        tick_seconds: int = 30,
        lease: dt.timedelta = dt.timedelta(minutes=15),
        run_settings: RunSettings | None = None,
    ) -> None:
        self.sessions = sessions
        self.jobs = JOBS if jobs is None else jobs
        if jobs is None and run_settings is not None and run_settings.mail is not None:
            pending = dt.timedelta(days=run_settings.mail.newsletter_pending_days)

            def purge(session: Session) -> None:
                """Addresses never confirmed are not kept (a week by default)."""
                purge_unconfirmed(session, older_than=pending)

            self.jobs = {**self.jobs, "newsletters.purge": (purge, 3600)}
        self.tick_seconds = tick_seconds
        self.lease = lease
        self.run_settings = run_settings  # None: this scheduler does not run sources
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._timer: BackgroundScheduler | None = None

    def tick(self) -> list[str]:
        """Run every job that is due and not leased elsewhere; returns the names run here."""
        ran = []
        with self.sessions() as session:
            services.ensure_jobs(
                session, intervals={name: seconds for name, (_, seconds) in self.jobs.items()}
            )
            for name, (function, _seconds) in self.jobs.items():
                if not services.claim_due(session, name=name, owner=self.owner, lease=self.lease):
                    continue
                error = None
                try:
                    function(session)
                except Exception:  # a failing job must not stop the others or the timer
                    session.rollback()
                    error = traceback.format_exc(limit=5)
                    log.exception("scheduled job %s failed", name)
                services.finish(session, name=name, owner=self.owner, error=error)
                ran.append(name)
        if self.run_settings is not None:
            try:
                runs = run_due_sources(self.sessions, owner=self.owner, run_settings=self.run_settings)
            except Exception:  # e.g. the database went away: the next tick tries again
                log.exception("running due sources failed")
            else:
                ran.extend(f"sync.run:{run_id}" for run_id in runs)
            if self.run_settings.mail is not None:
                try:
                    sent = run_due_newsletters(
                        self.sessions, owner=self.owner, settings=self.run_settings.mail
                    )
                except Exception:  # the mail server or the database: the next tick resumes the send
                    log.exception("sending newsletters failed")
                else:
                    ran.extend(f"newsletter.sent:{issue_id}" for issue_id in sent)
        return ran

    def start(self) -> None:
        self._timer = BackgroundScheduler(
            timezone=TIMEZONE,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self._timer.add_job(
            self.tick, "interval", seconds=self.tick_seconds, next_run_time=dt.datetime.now(dt.UTC)
        )
        self._timer.start()
        log.info("scheduler %s started (tick every %d s)", self.owner, self.tick_seconds)

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.shutdown(wait=True)
            self._timer = None
