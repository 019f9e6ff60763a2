"""One run of one source, from start to a recorded end, whatever the source does.

The run row is written first and always finished: succeeded, partial (some entries failed) or
failed (the source as a whole could not be read; nothing is withdrawn then and the cursor stays
as it was, so the next run asks for everything again).

No transaction is open while the connector fetches: the items are pulled a batch at a time
between short transactions that each write and commit one batch (SQLite has one writer, and
a fetch may take minutes; every other write of the hub would wait for it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from connectors import registry
from connectors.base import Cursor, Item, ItemError
from connectors.fetch import Fetcher, make_client
from connectors.messages import Problem
from hub.db import utcnow, writer_sessions
from hub.i18n import N_
from hub.search import index
from hub.settings import Settings
from hub.sync import notify, services
from hub.sync.ingest import Ingest, Progress
from hub.sync.mirror import Mirror
from hub.sync.models import RunStatus, RunTrigger, Source, SyncRun

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class RunSettings:
    """How the hub runs sources (from ``Settings``): fetching limits, and where the summary of a
    failed run goes (``mail``: the settings to send it with; None sends none)."""

    timeout_seconds: float = 10
    max_seconds: float = 30  # a whole fetch, however the server trickles (HUB_FETCH_DEADLINE_SECONDS)
    max_bytes: int = 20 * 2**20
    allowed_networks: tuple[str, ...] = ()
    uploads_dir: Path | None = None
    mail: Settings | None = None
    hub_address: str = "http://127.0.0.1:8000"  # this hub's own (records claiming it are refused)

    @classmethod
    def from_settings(cls, settings: Settings) -> RunSettings:
        return cls(
            timeout_seconds=settings.fetch_timeout_seconds,
            max_seconds=settings.fetch_deadline,
            max_bytes=settings.fetch_max_bytes,
            allowed_networks=settings.fetch_allowed_networks,
            uploads_dir=settings.uploads_dir,
            mail=settings,
            hub_address=settings.base_url,
        )

    @contextlib.contextmanager
    def fetcher(self, source: Source) -> Iterator[Fetcher]:
        with make_client(
            timeout=self.timeout_seconds, connect_timeout=min(5, self.timeout_seconds)
        ) as client:
            yield Fetcher(
                client,
                allow_private=source.allow_private,
                allowed_networks=self.allowed_networks,
                max_bytes=self.max_bytes,
                max_seconds=self.max_seconds,
                uploads_dir=self.uploads_dir,
            )


def target_of(source: Source) -> str:
    return str(source.options.get("target") or "news")


def run_source(
    session: Session,
    *,
    source: Source,
    owner: str,
    trigger: RunTrigger,
    run_settings: RunSettings,
    lease: dt.timedelta,
    progress: Progress | None = None,
) -> SyncRun:
    """Run ``source`` now (the caller holds its lease) and return the finished run."""
    key = source.key  # read now: a rollback below would expire it
    run = services.start_run(session, source=source, trigger=trigger, owner=owner)
    log.info(
        "run %d of source %s started",
        run.id,
        key,
        extra={"run_id": run.id, "source": key, "trigger": trigger.value},
    )
    cursor = Cursor(state=dict(source.cursor or {}))
    try:
        connector = registry.build(source.kind, source.options)
        ingest: Ingest | Mirror
        if connector.mirror:
            ingest = Mirror(session, source=source, run=run, cursor=cursor, hub=run_settings.hub_address)
        else:
            ingest = Ingest(session, source=source, run=run, target=target_of(source))
        # No transaction may stay open while the connector fetches (a slow source would hold
        # SQLite's write lock, or a PostgreSQL snapshot, for its whole fetch): end the reads above.
        # The ingest pulls each batch of items before it writes, and commits each batch.
        session.commit()
        with run_settings.fetcher(source) as fetcher:
            items = _counting(connector.items(fetcher, cursor), cursor, run)
            ingest.consume(items, _keeping_lease(session, source, owner, lease, progress))
        if cursor.not_modified:
            run.message = N_("The source has not changed since the last run.")
        elif cursor.complete:
            ingest.withdraw_absent()
    except Problem as problem:
        session.rollback()
        _finish(session, run, key, RunStatus.FAILED, problem.message, problem.values)
        return run
    except Exception as exc:  # a run always finishes; the traceback goes to the log
        log.exception("sync of source %s failed", key, extra={"run_id": run.id, "source": key})
        session.rollback()
        _finish(
            session,
            run,
            key,
            RunStatus.FAILED,
            N_("An unexpected error stopped the run (%(error)s); see the hub's log."),
            {"error": type(exc).__name__},
        )
        return run
    source.cursor = dict(cursor.state)
    status = RunStatus.PARTIAL if run.failed else RunStatus.SUCCEEDED
    _finish(session, run, key, status, run.message, dict(run.message_values or {}))  # a warning has values
    return run


def index_runs(sessions: sessionmaker[Session]) -> int:
    """Bring the search index up to what the runs wrote (they queued it, ``hub.search.index``)."""
    with writer_sessions(sessions)() as session:
        return index.catch_up_all(session)


def _counting(items: Iterator[Item | ItemError], cursor: Cursor, run: SyncRun) -> Iterator[Item | ItemError]:
    """The items; the run learns how many to expect once the connector knows (progress)."""
    for count, item in enumerate(items):
        if count == 0:
            run.expected = cursor.expected
        yield item


def _keeping_lease(
    session: Session, source: Source, owner: str, lease: dt.timedelta, progress: Progress | None
) -> Progress:
    """After each batch the ingest committed: extend the lease (a long run must not lose it) in a
    short transaction of its own, before the ingest pulls (and maybe fetches) the next batch."""

    def after_batch(run: SyncRun) -> None:
        services.extend(session, source_id=source.id, owner=owner, lease=lease)
        session.commit()
        if progress:
            progress(run)

    return after_batch


def _finish(
    session: Session, run: SyncRun, key: str, status: RunStatus, message: str, values: dict[str, object]
) -> None:
    run.status = status
    run.message = message
    run.message_values = dict(values)
    run.finished_at = utcnow()
    session.add(run)
    session.commit()
    extra = {
        "run_id": run.id,
        "source": key,
        "status": status.value,
        "added": run.added,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "deleted": run.deleted,
        "failed": run.failed,
        "seconds": round((run.finished_at - run.started_at).total_seconds(), 3),
    }
    if status is RunStatus.FAILED:
        reason = message % values if values else message
        log.warning("run %s of source %s failed: %s", run.id, key, reason, extra=extra)
    else:
        log.info(
            "run %s of source %s %s: %d added, %d updated, %d unchanged, %d deleted, %d failed",
            run.id,
            key,
            status.value,
            run.added,
            run.updated,
            run.unchanged,
            run.deleted,
            run.failed,
            extra=extra,
        )


def run_by_id(
    sessions: sessionmaker[Session],
    *,
    source_id: int,
    owner: str,
    trigger: RunTrigger,
    run_settings: RunSettings,
    lease: dt.timedelta,
    progress: Progress | None = None,
    claimed: bool = False,
) -> SyncRun | None:
    """Claim (unless ``claimed``), run and release one source; None if another process holds it."""
    with writer_sessions(sessions)() as session:
        if not claimed and not services.claim(session, source_id=source_id, owner=owner, lease=lease):
            return None
        try:
            source = services.get_source(session, source_id=source_id)
            if source is None:
                return None
            run = run_source(
                session,
                source=source,
                owner=owner,
                trigger=trigger,
                run_settings=run_settings,
                lease=lease,
                progress=progress,
            )
            if run.status is RunStatus.FAILED and run_settings.mail is not None and source.notify_failures:
                notify.run_failed(session, run=run, source=source, settings=run_settings.mail)
            session.commit()  # ends the reads above; the run stays loaded for the caller
            return run
        finally:
            session.rollback()  # after an error: a clean session for the release
            services.release(session, source_id=source_id, owner=owner)
