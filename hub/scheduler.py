"""The scheduler: APScheduler ticks; each tick claims due jobs from the database and runs them.

APScheduler's own job stores must never be shared between processes, so it keeps nothing but a
timer here. What is due, and who is running it, lives in the database: ``scheduled_jobs`` for the
hub's own jobs (see jobs/services), ``sources`` for syncs (see sync/services), and newsletter
issues and their deliveries for sending (see newsletters/sending: a restarted scheduler resumes
an issue left ``sending``).

**Stopping.** ``stop()`` (the ``hub scheduler`` command calls it on SIGTERM or SIGINT; ``shutdown``
too) makes the scheduler take no new work: a tick in progress finishes the unit in hand (a job, a
sync run, the newsletter message being sent, which is then marked sent) and gives back what it
claimed but will not do (a job or source claimed as the stop came, the rest of a batch of
deliveries), so that another scheduler takes it over at its next tick instead of when the lease
would have run out. Only leases this scheduler holds are ever given back.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts.sessions import purge_job as purge_expired_sessions
from hub.db import refresh_statistics
from hub.i18n import TIMEZONE
from hub.jobs import services
from hub.metrics.scheduler import SchedulerMetrics
from hub.newsletters.sending import SendResult, run_due_newsletters
from hub.newsletters.subscriptions import purge_unconfirmed
from hub.search import index as search_index
from hub.sync.jobs import run_due_sources
from hub.sync.runner import RunSettings

log = logging.getLogger(__name__)

JobFunction = Callable[[Session], None]


# name -> (function, interval in seconds). Later features register their jobs here.
JOBS: dict[str, tuple[JobFunction, int]] = {
    "database.optimize": (refresh_statistics, 24 * 3600),
    "accounts.sessions.purge": (purge_expired_sessions, 3600),
    "search.catch_up": (search_index.catch_up_job, 60),
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
        metrics: SchedulerMetrics | None = None,
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
        self.metrics = metrics
        self.stopping = threading.Event()
        self._timer: BackgroundScheduler | None = None

    def tick(self) -> list[str]:
        """Run every job that is due and not leased elsewhere; returns the names run here."""
        if self.stopping.is_set():
            return []
        if self.metrics is not None:
            self.metrics.ticks.inc()
        ran = []
        with self.sessions() as session:
            services.ensure_jobs(
                session, intervals={name: seconds for name, (_, seconds) in self.jobs.items()}
            )
            for name, (function, _seconds) in self.jobs.items():
                if self.stopping.is_set():
                    break
                if not services.claim_due(session, name=name, owner=self.owner, lease=self.lease):
                    continue
                if self.stopping.is_set():  # claimed as the stop came: leave it to another process
                    services.give_back(session, name=name, owner=self.owner)
                    log.info("scheduled job %s given back: stopping", name, extra={"job": name})
                    self._done("job", "released")
                    break
                error = None
                try:
                    function(session)
                except Exception:  # a failing job must not stop the others or the timer
                    session.rollback()
                    error = traceback.format_exc(limit=5)
                    log.exception("scheduled job %s failed", name, extra={"job": name})
                services.finish(session, name=name, owner=self.owner, error=error)
                self._done("job", "failed" if error else "succeeded")
                ran.append(name)
        if self.run_settings is not None and not self.stopping.is_set():
            try:
                runs = run_due_sources(
                    self.sessions, owner=self.owner, run_settings=self.run_settings, stop=self.stopping
                )
            except Exception:  # e.g. the database went away: the next tick tries again
                log.exception("running due sources failed")
                self._done("sync", "error")
            else:
                for run in runs:
                    self._done("sync", run.status.value)
                ran.extend(f"sync.run:{run.id}" for run in runs)
        if (
            self.run_settings is not None
            and self.run_settings.mail is not None
            and not self.stopping.is_set()
        ):
            try:
                sent = run_due_newsletters(
                    self.sessions,
                    owner=self.owner,
                    settings=self.run_settings.mail,
                    stop=self.stopping,
                    sent=self._sent,
                )
            except Exception:  # the mail server or the database: the next tick resumes the send
                log.exception("sending newsletters failed")
                self._done("newsletter", "failed")
            else:
                ran.extend(f"newsletter.sent:{issue_id}" for issue_id in sent)
        return ran

    def _done(self, kind: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.done(kind, outcome)

    def _sent(self, result: SendResult) -> None:
        self._done("newsletter", "finished" if result.finished else "unfinished")

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

    def stop(self) -> None:
        """Take no new work from now on; the tick in progress winds down (see the module's doc)."""
        if not self.stopping.is_set():
            log.info("scheduler %s stopping: finishing the work in hand", self.owner)
        self.stopping.set()

    def shutdown(self) -> None:
        """Stop, and wait until the tick in progress has finished and given back what it claimed."""
        self.stop()
        if self._timer is not None:
            self._timer.shutdown(wait=True)
            self._timer = None
            log.info("scheduler %s stopped", self.owner)
