"""Items meet the database here: upsert by (source, external id), skip unchanged, withdraw the absent.

Items arrive as a stream and are written in batches with Core statements (one bulk insert
per batch for new records and one per shape of change), so a 100,000-item export costs about
what inserting its rows costs, and memory holds one batch plus the set of ids seen. A record
whose content hash matches what the source sent last time is not written at all. If a batch
fails in the database, it is retried item by item so that only the bad item is lost.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from connectors.base import Item, ItemError
from connectors.messages import N_, Problem
from hub.db import utcnow
from hub.organisations.models import Participation
from hub.sync.bulk import bulk_insert
from hub.sync.kinds import KINDS, Kind, Lookups, participation_role
from hub.sync.models import Source, SyncError, SyncRun

log = logging.getLogger(__name__)

BATCH = 2000
MAX_ERRORS_KEPT = 1000  # per run; the count goes on, the details stop (a broken export has many)
EXTERNAL_ID_MAX = 200

Progress = Callable[[SyncRun], None]


def content_hash(fields: Mapping[str, Any], url: str | None) -> str:
    """A digest of what the source sent for one record: the same content gives the same hash.

    Taken over the connector's typed fields (fewer and simpler than the row they become) and the
    link to the original. ``repr`` is exact for those types (str, int, Decimal, date, datetime)
    and much cheaper than JSON; a connector gives the fields in the same order every time.
    """
    return hashlib.blake2b(repr((tuple(fields.items()), url)).encode(), digest_size=16).hexdigest()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cycles less often while a batch load runs (restored after).

    A sync allocates many short-lived, acyclic objects (rows, dicts, strings); the default
    threshold runs the cycle collector every 700 allocations, which costs a large sync about 6 %.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


class RunErrors:
    """The entries of a run that could not be stored: all counted, the first ``MAX_ERRORS_KEPT`` kept."""

    def __init__(self, session: Session, run: SyncRun) -> None:
        self.session = session
        self.run = run
        self.kept = 0

    def add(self, problem: Problem, external_id: str | None, url: str | None, position: int | None) -> None:
        self.run.failed += 1
        if self.kept >= MAX_ERRORS_KEPT:
            return
        self.kept += 1
        self.session.add(
            SyncError(
                run_id=self.run.id,
                position=position,
                external_id=external_id[:EXTERNAL_ID_MAX] if external_id else None,
                url=url if url and len(url) <= 500 else None,
                message=problem.message,
                message_values=problem.values,
            )
        )


@dataclasses.dataclass
class Prepared:
    external_id: str
    row: dict[str, Any]
    hash: str
    url: str | None
    role: Any = None
    position: int | None = None


class Ingest:
    """One run's writes: feed it items with :meth:`consume`, then :meth:`withdraw_absent`."""

    def __init__(self, session: Session, *, source: Source, run: SyncRun, target: str) -> None:
        self.session = session
        self.source = source
        self.run = run
        self.kind: Kind = KINDS[target]
        self.table: Table = self.kind.table
        self.lookups = Lookups.load(session)
        self.seen: set[str] = set()
        self.errors = RunErrors(session, run)
        # A source's first run into a table holding none of its records has nothing to look up:
        # every id is new (ids repeated within the run are caught by ``seen``). Skipping the
        # lookup also spares PostgreSQL from planning it on a freshly filled, unanalysed table.
        self.first_fill = (
            session.scalar(select(self.table.c.id).where(self.table.c.source_id == source.id).limit(1))
            is None
        )

    # -- the stream -------------------------------------------------------------------------

    def consume(self, items: Iterable[Item | ItemError], progress: Progress | None = None) -> None:
        with fewer_collections():
            self._consume(iter(items), progress)

    def _consume(self, iterator: Iterator[Item | ItemError], progress: Progress | None) -> None:
        position = 0
        while True:
            batch = list(islice(iterator, BATCH))
            if not batch:
                break
            prepared = []
            for entry in batch:
                position += 1
                ready = self._prepare(entry, position)
                if ready is not None:
                    prepared.append(ready)
            self._write(prepared)
            self.run.heartbeat_at = utcnow()
            self.session.commit()
            if progress:
                progress(self.run)

    def _prepare(self, entry: Item | ItemError, position: int) -> Prepared | None:
        if isinstance(entry, ItemError):
            if entry.external_id:
                self.seen.add(entry.external_id)  # present at the source, only unreadable: keep it
            self.errors.add(entry.problem, entry.external_id, None, entry.position or position)
            return None
        external_id = entry.external_id.strip()
        if not external_id or len(external_id) > EXTERNAL_ID_MAX:
            self.errors.add(
                Problem(N_("the id is empty or longer than %(max)s characters"), max=EXTERNAL_ID_MAX),
                external_id[:EXTERNAL_ID_MAX] or None,
                entry.url,
                position,
            )
            return None
        if external_id in self.seen:
            self.errors.add(
                Problem(
                    N_("the id “%(id)s” appears more than once in the source; the first was kept"),
                    id=external_id,
                ),
                external_id,
                entry.url,
                position,
            )
            return None
        self.seen.add(external_id)
        try:
            row = self.kind.row(entry.fields, self.lookups, programme_id=self.source.programme_id)
            role = participation_role(entry.fields) if self.kind.name == "organisation" else None
        except Problem as problem:
            self.errors.add(problem, external_id, entry.url, position)
            return None
        url = entry.url if entry.url and len(entry.url) <= 500 else None
        return Prepared(external_id, row, content_hash(entry.fields, url), url, role, position)

    # -- writes -----------------------------------------------------------------------------

    def _write(self, prepared: list[Prepared]) -> None:
        if not prepared:
            return
        try:
            with self.session.begin_nested():
                self._upsert(prepared)
        except DBAPIError:
            # Something only the database could tell (a constraint): find the item, keep the rest.
            log.warning("batch of %s failed in the database; retrying item by item", len(prepared))
            for one in prepared:
                try:
                    with self.session.begin_nested():
                        self._upsert([one])
                except DBAPIError as exc:
                    self.errors.add(
                        refused_by_database(exc),
                        one.external_id,
                        one.url,
                        one.position,
                    )

    def _upsert(self, prepared: list[Prepared]) -> None:
        t = self.table
        existing = (
            {}
            if self.first_fill
            else {
                row.external_id: row
                for row in self.session.execute(
                    select(
                        t.c.id, t.c.external_id, t.c.content_hash, t.c.local_fields, t.c.withdrawn_at
                    ).where(
                        t.c.source_id == self.source.id,
                        t.c.external_id.in_([p.external_id for p in prepared]),
                    )
                )
            }
        )
        now = utcnow()
        first_seen = dict.fromkeys(self.kind.first_seen, now)
        new: list[dict[str, Any]] = []
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        added = updated = unchanged = 0
        for item in prepared:
            sync = {
                "origin_url": item.url,
                "content_hash": item.hash,
                "home_hub": self.source.name[:200],
            }
            current = existing.get(item.external_id)
            if current is None:
                new.append(
                    {
                        **first_seen,
                        **item.row,
                        **sync,
                        "source_id": self.source.id,
                        "external_id": item.external_id,
                        # Given here rather than as column defaults: per-row defaults cost more.
                        "uid": str(uuid.uuid4()),
                        "created_at": now,
                        "updated_at": now,
                        "local_fields": [],
                        "is_demo": False,
                    }
                )
                added += 1
            elif current.content_hash == item.hash and current.withdrawn_at is None:
                unchanged += 1
            else:
                local = set(current.local_fields or ())
                values = {
                    k: v
                    for k, v in item.row.items()
                    if k not in local and not (v is None and k in first_seen)
                }
                values.update(sync, withdrawn_at=None, updated_at=now, _id=current.id)
                changed.setdefault(tuple(sorted(values)), []).append(values)
                updated += 1
        if new:
            connection = self.session.connection()
            bulk_insert(t, tuple(new[0]), connection.dialect)(connection, new)
        for keys, rows in changed.items():
            statement = (
                update(t)
                .where(t.c.id == bindparam("_id"))
                .values({key: bindparam(key) for key in keys if key != "_id"})
            )
            self.session.execute(statement, rows, execution_options={"synchronize_session": False})
        if self.kind.name == "organisation":
            self._participations([p for p in prepared if p.role is not None])
        self.run.added += added
        self.run.updated += updated
        self.run.unchanged += unchanged

    def _participations(self, prepared: list[Prepared]) -> None:
        """An organisation's row may give it a role in the source's programme: add it if missing."""
        if not prepared:
            return
        t = self.table
        ids = dict(
            self.session.execute(
                select(t.c.external_id, t.c.id).where(
                    t.c.source_id == self.source.id, t.c.external_id.in_([p.external_id for p in prepared])
                )
            ).all()
        )
        wanted = {(ids[p.external_id], p.role) for p in prepared if p.external_id in ids}
        p: Table = Participation.__table__  # type: ignore[assignment]
        have = set(
            self.session.execute(
                select(p.c.organisation_id, p.c.role).where(
                    p.c.programme_id == self.source.programme_id,
                    tuple_(p.c.organisation_id, p.c.role).in_(list(wanted)),
                )
            ).all()
        )
        missing = [
            {
                "programme_id": self.source.programme_id,
                "organisation_id": org,
                "role": role,
                "home_hub": self.source.name[:200],
            }
            for org, role in wanted
            if (org, role) not in have
        ]
        if missing:
            self.session.execute(insert(p), missing)

    # -- deletions --------------------------------------------------------------------------

    def withdraw_absent(self) -> None:
        """Tombstone the records of this source it no longer lists (after a complete harvest)."""
        t = self.table
        live = self.session.execute(
            select(t.c.id, t.c.external_id).where(
                t.c.source_id == self.source.id, t.c.withdrawn_at.is_(None)
            ),
            execution_options={"yield_per": 2000},
        )
        gone = [row.id for row in live if row.external_id not in self.seen]
        if gone and not self.seen:
            raise Problem(
                N_("The source listed no records at all; nothing was withdrawn (%(count)s records kept)."),
                count=len(gone),
            )
        now = utcnow()
        for chunk in chunks(gone, BATCH):
            self.session.execute(
                update(t).where(t.c.id.in_(chunk)).values(withdrawn_at=now, updated_at=now),
                execution_options={"synchronize_session": False},
            )
        self.run.deleted += len(gone)


def chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def refused_by_database(exc: DBAPIError) -> Problem:
    """An entry's error for what only the database could tell (a constraint), with its reason."""
    reason = str(exc.orig).splitlines()[0][:200] if exc.orig else type(exc).__name__
    return Problem(N_("the database refused this record: %(reason)s"), reason=reason)
