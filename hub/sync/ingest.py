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

from sqlalchemy import Table, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from connectors.base import Item, ItemError
from connectors.messages import N_, Problem
from hub import freshness
from hub.db import refresh_table_statistics, utcnow
from hub.lessons.models import lesson_pilots
from hub.organisations.models import Participation
from hub.pilots.models import Pilot
from hub.search import index
from hub.sync.bulk import bulk_insert
from hub.sync.kinds import KINDS, Kind, Lookups, participation_role
from hub.sync.models import Source, SyncError, SyncRun

log = logging.getLogger(__name__)

BATCH = 2000
MAX_ERRORS_KEPT = 1000  # per run; the count goes on, the details stop (a broken export has many)
UNRESOLVED_SHOWN = 20  # pilot ids named in the run's message when lessons name unknown pilots
EXTERNAL_ID_MAX = 200
# A complete source withdraws what it no longer lists only when at most this share of the run's
# entries failed: an entry that could not be read may be any record the hub holds.
MAX_FAILED_SHARE = 0.1

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
    pilots: tuple[str, ...] = ()  # a lesson's pilots, by their ids in the programme's sources


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
        # A lesson's pilots are the source's to set only if it gives them at all; otherwise the
        # links made here (in the workspace) stay.
        self.links_pilots = self.kind.name == "lesson" and _gives(source, "pilots")
        self.unresolved: set[str] = set()
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
        if self.unresolved:  # a warning, not an error: the pilots may come with a later run
            shown = sorted(self.unresolved)
            self.run.message = N_(
                "Lessons name pilots that match no single pilot of this programme's sources (yet), "
                "so they were not linked (%(count)s): %(ids)s"
            )
            self.run.message_values = {
                "count": len(shown),
                "ids": ", ".join(shown[:UNRESOLVED_SHOWN]) + (" …" if len(shown) > UNRESOLVED_SHOWN else ""),
            }

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
            if self.first_fill and position == len(batch):  # the first batch of a first fill:
                # from the next batch on, the search index's lookups of new ids walk the unique
                # index; with an empty table's statistics PostgreSQL scanned every row for each
                # batch (quadratic: a 100,000-row first sync took 20 times longer)
                refresh_table_statistics(self.session, self.table)
            if progress:
                progress(self.run)

    def _prepare(self, entry: Item | ItemError, position: int) -> Prepared | None:
        if isinstance(entry, ItemError):
            if entry.external_id:
                self.seen.add(entry.external_id)  # present at the source, only unreadable: keep it
            self.errors.add(entry.problem, entry.external_id, None, entry.position or position)
            return None
        position = entry.position or position  # the line or row, where the source has them
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
            role = (
                participation_role(entry.fields, self.lookups) if self.kind.name == "organisation" else None
            )
        except Problem as problem:
            self.errors.add(problem, external_id, entry.url, position)
            return None
        url = entry.url if entry.url and len(entry.url) <= 500 else None
        pilots = tuple(entry.fields.get("pilots", ())) if self.links_pilots else ()
        return Prepared(external_id, row, content_hash(entry.fields, url), url, role, position, pilots)

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
        same: list[str] = []
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
                same.append(item.external_id)
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
        if index.watches(self.kind.model) and (new or changed):
            written = [row["_id"] for rows in changed.values() for row in rows]
            written += self.session.scalars(
                select(t.c.id).where(
                    t.c.source_id == self.source.id, t.c.external_id.in_([row["external_id"] for row in new])
                )
            )
            index.written(self.session, self.kind.model, written)
        if self.kind.name == "organisation":
            self._participations([p for p in prepared if p.role is not None])
        if self.links_pilots:
            # A lesson whose row did not change may still gain a pilot that came since.
            relinked = len(self._lesson_pilots(prepared) & set(same))
            unchanged, updated = unchanged - relinked, updated + relinked
        if added or updated:
            freshness.changed(self.session)  # written past the ORM: the public pages' validator
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

    def _lesson_pilots(self, prepared: list[Prepared]) -> set[str]:
        """Link each lesson to the pilots its row names; the ids of the lessons whose links changed.

        Runs after the lesson rows are written (new ones need their ids), in the same transaction.
        A lesson's pilots are named by their ids in the sources of the same programme (a pilot
        export next to a lesson export): only links to such pilots are the source's to change,
        and a lesson whose pilots a coordinator set here ("pilots" in its local fields) keeps
        them. An id that matches no pilot (yet), or pilots of two sources, is left out and named
        in the run's message.
        """
        t = self.table
        lessons = {
            row.external_id: row.id
            for row in self.session.execute(
                select(t.c.id, t.c.external_id, t.c.local_fields).where(
                    t.c.source_id == self.source.id, t.c.external_id.in_([p.external_id for p in prepared])
                )
            )
            if "pilots" not in (row.local_fields or ())
        }
        linked = [p for p in prepared if p.external_id in lessons]
        named = sorted({pilot for p in linked for pilot in p.pilots})
        sources = select(Source.id).where(Source.programme_id == self.source.programme_id)
        found: dict[str, list[int]] = {}
        for chunk in chunks(named, BATCH):
            for external_id, pilot_id in self.session.execute(
                select(Pilot.external_id, Pilot.id).where(
                    Pilot.source_id.in_(sources),
                    Pilot.programme_id == self.source.programme_id,  # not a peer's other programme's
                    Pilot.external_id.in_(chunk),
                )
            ):
                found.setdefault(str(external_id), []).append(pilot_id)
        pilot_ids = {external_id: ids[0] for external_id, ids in found.items() if len(ids) == 1}
        self.unresolved.update(pilot for pilot in named if pilot not in pilot_ids)
        wanted = {
            (lessons[p.external_id], pilot_ids[pilot])
            for p in linked
            for pilot in p.pilots
            if pilot in pilot_ids
        }
        lp = lesson_pilots
        have = {
            (row.lesson_id, row.pilot_id)
            for row in self.session.execute(
                select(lp.c.lesson_id, lp.c.pilot_id).where(
                    lp.c.lesson_id.in_(list(lessons.values())),
                    lp.c.pilot_id.in_(select(Pilot.id).where(Pilot.source_id.in_(sources))),
                )
            )
        }
        if have - wanted:
            self.session.execute(
                delete(lp).where(tuple_(lp.c.lesson_id, lp.c.pilot_id).in_(list(have - wanted)))
            )
        if wanted - have:
            self.session.execute(
                insert(lp), [{"lesson_id": lesson, "pilot_id": pilot} for lesson, pilot in wanted - have]
            )
        changed = {lesson for lesson, _ in have ^ wanted}
        if changed:  # the lesson's pilots are part of it (the publishing API reads by updated_at)
            self.session.execute(
                update(t).where(t.c.id.in_(list(changed))).values(updated_at=utcnow()),
                execution_options={"synchronize_session": False},
            )
        return {external_id for external_id, lesson in lessons.items() if lesson in changed}

    # -- deletions --------------------------------------------------------------------------

    def withdraw_absent(self) -> None:
        """Tombstone the records of this source it no longer lists (after a complete harvest that
        read the whole document), unless too many of its entries failed (``MAX_FAILED_SHARE``)."""
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
        if gone and self.run.failed > MAX_FAILED_SHARE * self.run.seen:
            self.run.message = N_(
                "%(failed)s of %(seen)s entries could not be read (more than %(share)s %%), so nothing "
                "was withdrawn: the %(count)s records the source no longer lists stay published until "
                "a run reads it well."
            )
            self.run.message_values = {
                "failed": self.run.failed,
                "seen": self.run.seen,
                "share": round(MAX_FAILED_SHARE * 100),
                "count": len(gone),
            }
            return
        now = utcnow()
        for chunk in chunks(gone, BATCH):
            self.session.execute(
                update(t).where(t.c.id.in_(chunk)).values(withdrawn_at=now, updated_at=now),
                execution_options={"synchronize_session": False},
            )
            index.written(self.session, self.kind.model, chunk)
        if gone:
            freshness.changed(self.session)
        self.run.deleted += len(gone)


def _gives(source: Source, field: str) -> bool:
    """Whether the source's options map ``field`` or give it a default (else it never sends it)."""
    options = source.options or {}
    return any(field in (options.get(name) or {}) for name in ("columns", "fields", "defaults"))


def chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def refused_by_database(exc: DBAPIError) -> Problem:
    """An entry's error for what only the database could tell (a constraint), with its reason."""
    reason = str(exc.orig).splitlines()[0][:200] if exc.orig else type(exc).__name__
    return Problem(N_("the database refused this record: %(reason)s"), reason=reason)
