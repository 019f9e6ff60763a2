"""Gauges read from the database when Prometheus scrapes: sync runs, newsletter deliveries, what
is due. Every process (web or scheduler) reports the same truth, and nothing is lost when one
restarts. Five cheap queries in one read-only transaction (PostgreSQL: with a statement timeout,
so a slow database slows a scrape, not the process); if the database cannot be read, these
gauges are left out of that scrape (and it is logged once until it can be read again), and the
rest of the scrape is served as usual.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from hub.db import utcnow
from hub.jobs import services as jobs
from hub.newsletters import queue
from hub.newsletters.models import DeliveryStatus
from hub.sync import services as sync
from hub.sync.models import RunStatus

log = logging.getLogger(__name__)

STATEMENT_TIMEOUT_MS = 2000
READ_THE_SOURCE = (RunStatus.SUCCEEDED, RunStatus.PARTIAL)  # what counts as a success of a source


@dataclasses.dataclass(frozen=True)
class Reading:
    runs: list[tuple[str, RunStatus | None, int, dt.datetime | None]]
    deliveries: dict[DeliveryStatus, int]
    waiting: int
    sources_due: int
    jobs_due: int


class DatabaseCollector:
    """A prometheus_client collector (``registry.register(DatabaseCollector(sessions))``)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._failing = False

    def read(self) -> Reading:
        now = utcnow()
        with self.sessions() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text("SELECT set_config('statement_timeout', :ms, true)"),
                    {"ms": str(STATEMENT_TIMEOUT_MS)},
                )
            reading = Reading(
                runs=sync.run_totals(session),
                deliveries=queue.status_totals(session),
                waiting=queue.waiting(session),
                sources_due=sync.count_due(session, now=now),
                jobs_due=jobs.count_due(session, now=now),
            )
            session.rollback()
        return reading

    def describe(self) -> list[Metric]:
        return list(_families(None))

    def collect(self) -> list[Metric]:
        try:
            reading = self.read()
        except Exception:  # the scrape goes on without these gauges; say so once, not every 15 s
            if not self._failing:
                log.warning("metrics: cannot read the database; its gauges are left out", exc_info=True)
            self._failing = True
            return []
        if self._failing:
            log.info("metrics: the database can be read again")
        self._failing = False
        return list(_families(reading))


def _families(reading: Reading | None) -> Iterator[Metric]:
    runs = GaugeMetricFamily(
        "hub_sync_runs",
        "Sync runs recorded in the database, by source key and run status.",
        labels=["source", "status"],
    )
    last_success = GaugeMetricFamily(
        "hub_sync_last_success_timestamp_seconds",
        "When the last run of a source that read it (succeeded, or partly failed) finished (Unix time).",
        labels=["source"],
    )
    deliveries = GaugeMetricFamily(
        "hub_newsletter_deliveries",
        "Newsletter deliveries (one issue to one subscriber) in the database, by status.",
        labels=["status"],
    )
    waiting = GaugeMetricFamily(
        "hub_newsletter_queue_depth", "Deliveries of the issues being sent that are still to be sent."
    )
    sources_due = GaugeMetricFamily(
        "hub_sync_sources_due", "Enabled sources whose next run is due and that no process is running."
    )
    jobs_due = GaugeMetricFamily(
        "hub_jobs_due", "Scheduled jobs that are due and that no process is running."
    )
    if reading is not None:
        counts: dict[str, dict[RunStatus, int]] = {}
        succeeded: dict[str, dt.datetime] = {}
        for key, status, count, finished in reading.runs:
            per_status = counts.setdefault(key, dict.fromkeys(RunStatus, 0))
            if status is not None:
                per_status[status] = count
            if status in READ_THE_SOURCE and finished is not None:
                succeeded[key] = max(finished, succeeded.get(key, finished))
        for key, per_status in sorted(counts.items()):
            for status, count in per_status.items():
                runs.add_metric([key, status.value], count)
        for key, finished in sorted(succeeded.items()):
            last_success.add_metric([key], finished.timestamp())
        for delivery_status, count in reading.deliveries.items():
            deliveries.add_metric([delivery_status.value], count)
        waiting.add_metric([], reading.waiting)
        sources_due.add_metric([], reading.sources_due)
        jobs_due.add_metric([], reading.jobs_due)
    yield from (runs, last_success, deliveries, waiting, sources_due, jobs_due)
