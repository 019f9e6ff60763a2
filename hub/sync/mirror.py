"""A peer hub's records meet the database here: mirrored by uid, never over this hub's own.

The peer connector yields the documents of the peer's API in the order of its kinds. Each batch
is written per kind with a few set-based statements (new rows through the DB-API's
``executemany``, changed rows grouped by shape), and the connector's cursor is stored in the same
transaction as the batch: an interrupted run resumes after the last batch it wrote, and never
skips one it did not. A document whose content hash matches what was mirrored last costs no write.
Tombstones withdraw; records are never withdrawn for being absent (a pull is incremental).

Following another hub is an administrator's decision, programme by programme: a source brings in
only records of the programmes chosen for it (``Source.peer_programmes``), and records that refer
only to records of those programmes. Any other is an error on that entry; with no programme chosen
the run stops before it reads anything. Organisations belong to no programme and are taken.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterable, Mapping
from itertools import groupby, islice
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from connectors.base import Cursor, Item, ItemError
from connectors.messages import N_, Problem
from hub import freshness
from hub.communities.models import Community
from hub.db import utcnow
from hub.federation.fields import Code, Lookups, MissingReference
from hub.federation.identity import hub_address
from hub.federation.kinds import KINDS, Kind
from hub.programmes.models import Programme
from hub.search import index
from hub.sync.bulk import bulk_insert, column_defaults
from hub.sync.ingest import BATCH, Progress, RunErrors, chunks, fewer_collections, refused_by_database
from hub.sync.models import Source, SyncRun
from hub.taxonomy.models import ProductGroup, Strategy

log = logging.getLogger(__name__)


def document_hash(document: Mapping[str, Any]) -> str:
    """A digest of a peer's document. ``repr`` keeps the order the peer sent its keys in (the same
    every time from the same hub) and costs about half of sorted ``json.dumps``; a new order costs
    one write."""
    return hashlib.blake2b(repr(document).encode(), digest_size=16).hexdigest()


@dataclasses.dataclass
class Entry:
    uid: str
    document: Mapping[str, Any]
    url: str | None
    position: int
    after: str | None  # the cursor of the page it came on


class Mirror:
    """One run's writes from a peer hub: feed it items with :meth:`consume`."""

    def __init__(self, session: Session, *, source: Source, run: SyncRun, cursor: Cursor, hub: str) -> None:
        self.session = session
        self.source = source
        self.run = run
        self.cursor = cursor
        self.hub = hub_address(hub)
        self.errors = RunErrors(session, run)
        self.again: dict[str, str | None] = {}  # kind -> the cursor to read it from next time
        if hub_address(str(source.options.get("url", ""))) == self.hub:
            raise Problem(N_("This source names this hub itself; a hub does not mirror its own records."))
        if not source.peer_programmes:
            raise Problem(
                N_(
                    "No programme is chosen for this source yet, so it brings nothing in: an "
                    "administrator chooses the programmes it may bring in, in its settings."
                )
            )
        self.allowed = frozenset(source.peer_programmes)
        self.codes = self._codes()

    def _codes(self) -> dict[str, dict[str, int]]:
        def of(model: Any) -> dict[str, int]:
            return {code: id_ for code, id_ in self.session.execute(select(model.code, model.id))}

        return {"programmes": of(Programme), "product_groups": of(ProductGroup), "strategies": of(Strategy)}

    # -- the stream -------------------------------------------------------------------------

    def consume(self, items: Iterable[Item | ItemError], progress: Progress | None = None) -> None:
        with fewer_collections():
            iterator = iter(items)
            position = 0
            while True:
                batch = list(islice(iterator, BATCH))
                if not batch:
                    break
                entries: list[tuple[str, Entry]] = []
                for entry in batch:
                    position += 1
                    if isinstance(entry, ItemError):
                        self.errors.add(entry.problem, entry.external_id, None, entry.position or position)
                    else:
                        kind = str(entry.fields["kind"])
                        document, after = entry.fields["document"], entry.fields.get("after")
                        entries.append((kind, Entry(entry.external_id, document, entry.url, position, after)))
                for kind, group in groupby(entries, key=lambda pair: pair[0]):
                    self._write(KINDS[kind], [entry for _, entry in group])
                # The cursor the connector has moved past is covered by what this batch wrote.
                self.source.cursor = self._cursor()
                self.run.heartbeat_at = utcnow()
                self.session.commit()
                if progress:
                    progress(self.run)
            self.cursor.state = self._cursor()  # what the run leaves for the next

    def _cursor(self) -> dict[str, str]:
        """The connector's cursor, except where a record must be read again (see ``_hold``)."""
        state = dict(self.cursor.state)
        for kind, after in self.again.items():
            if after is None:
                state.pop(kind, None)
            else:
                state[kind] = after
        return state

    def _hold(self, kind: Kind, entry: Entry) -> None:
        """Read ``kind`` again next run from the page of ``entry``, which refers to a record not
        mirrored yet (from a hub not synced yet); the rest of that page will be unchanged then."""
        self.again.setdefault(kind.name, entry.after)

    def withdraw_absent(self) -> None:
        """Nothing: a peer says what it deleted (tombstones); absence means nothing changed."""

    # -- one kind's entries of a batch ----------------------------------------------------

    def _write(self, kind: Kind, entries: list[Entry]) -> None:
        latest = {entry.uid: entry for entry in entries}  # a uid twice in a batch: its last change wins
        try:
            with self.session.begin_nested():
                self._upsert(kind, list(latest.values()))
        except DBAPIError:
            log.warning(
                "a batch of %s %s failed in the database; retrying one by one", len(latest), kind.name
            )
            for entry in latest.values():
                try:
                    with self.session.begin_nested():
                        self._upsert(kind, [entry])
                except DBAPIError as exc:
                    self.errors.add(
                        refused_by_database(exc),
                        entry.uid,
                        entry.url,
                        entry.position,
                    )
        if kind.name == "programmes":
            self.codes = self._codes()

    def _upsert(self, kind: Kind, entries: list[Entry]) -> None:
        t = kind.table
        synced = "source_id" in t.c
        existing = {
            row.uid: row
            for row in self.session.execute(
                select(t.c.id, t.c.uid, t.c.mirrored, t.c.home_hub, t.c.content_hash, t.c.withdrawn_at).where(
                    t.c.uid.in_([entry.uid for entry in entries])
                )
            )
        }
        uids, owners = self._referenced(kind, entries)
        lookups = Lookups(codes=self.codes, uids=uids)
        now = utcnow()
        new: list[dict[str, Any]] = []
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        children: dict[str, dict[str, list[dict[str, Any]]]] = {}  # uid -> child name -> rows
        ids = {uid: row.id for uid, row in existing.items()}
        withdrawn: list[int] = []
        added = updated = unchanged = 0
        for entry in entries:
            document = entry.document
            current = existing.get(entry.uid)
            try:
                self._check_owner(kind, entry, current)
            except Problem as problem:
                self.errors.add(problem, entry.uid, entry.url, entry.position)
                continue
            if document.get("deleted") is True:
                if current is not None and current.withdrawn_at is None:
                    withdrawn.append(current.id)
                else:
                    unchanged += 1
                continue
            try:
                self._check_programmes(kind, document, owners)
            except Problem as problem:
                self.errors.add(problem, entry.uid, entry.url, entry.position)
                continue
            if (
                current is None
                and kind.name == "programmes"
                and document.get("code") in self.codes["programmes"]
            ):
                unchanged += 1  # a programme every hub knows (by its code): the same programme
                continue
            digest = document_hash(document)
            if current is not None and current.content_hash == digest and current.withdrawn_at is None:
                unchanged += 1
                continue
            try:
                values, child_rows = kind.values(document, lookups)  # the kind's own rules included
            except Problem as problem:
                self.errors.add(problem, entry.uid, entry.url, entry.position)
                if isinstance(problem, MissingReference):
                    self._hold(kind, entry)
                continue
            values.update(
                home_hub=str(document["home_hub"])[:200],
                origin_url=_web_address(entry.url),
                content_hash=digest,
                withdrawn_at=None,
                updated_at=now,
                is_demo=document.get("demo") is True,
            )
            if synced:
                values.update(source_id=self.source.id, external_id=entry.uid)
            children[entry.uid] = child_rows
            if current is None:
                row = {**column_defaults(t), **values, "uid": entry.uid, "mirrored": True, "created_at": now}
                if synced:
                    row["local_fields"] = []  # its default is a callable, which a bulk insert does not run
                new.append(row)
                added += 1
            else:
                values["_id"] = current.id
                changed.setdefault(tuple(sorted(values)), []).append(values)
                updated += 1
        if new:
            connection = self.session.connection()
            bulk_insert(t, tuple(new[0]), connection.dialect)(connection, new)
            ids.update(self._ids(t, [row["uid"] for row in new]))
        for keys, rows in changed.items():
            statement = (
                update(t)
                .where(t.c.id == bindparam("_id"))
                .values({k: bindparam(k) for k in keys if k != "_id"})
            )
            self.session.execute(statement, rows, execution_options={"synchronize_session": False})
        if withdrawn:
            self.session.execute(
                update(t).where(t.c.id.in_(withdrawn)).values(withdrawn_at=now, updated_at=now),
                execution_options={"synchronize_session": False},
            )
        self._replace_children(
            kind,
            {ids[uid]: rows for uid, rows in children.items()},
            known={row.id for row in existing.values()},
        )
        index.written(self.session, kind.model, [*(ids[uid] for uid in children), *withdrawn])
        if new or changed or withdrawn:
            freshness.changed(self.session)  # written past the ORM: the public pages' validator
        self.run.added += added
        self.run.updated += updated
        self.run.unchanged += unchanged
        self.run.deleted += len(withdrawn)

    def _check_owner(self, kind: Kind, entry: Entry, current: Any) -> None:
        home = hub_address(str(entry.document.get("home_hub", "")))
        if home == self.hub:
            raise Problem(N_("The record claims to be owned by this hub; it was not taken."))
        if current is not None and not current.mirrored:
            raise Problem(N_("A record of this hub has the same uid; it was not overwritten."))
        if current is not None and hub_address(current.home_hub or "") != home:
            raise Problem(
                N_("The record belongs to %(home)s, not to %(peer)s; it was not overwritten."),
                home=current.home_hub,
                peer=home,
            )

    def _check_programmes(self, kind: Kind, document: Mapping[str, Any], owners: Owners) -> None:
        """Problem unless the record and every record it refers to are of a programme this source
        may bring in (``owners``: the programme of each referenced record that has one)."""
        code = document.get("code") if kind.name == "programmes" else document.get("programme")
        named = kind.name == "programmes" or _has_programme(kind)
        if named and isinstance(code, str) and code not in self.allowed:
            raise Problem(
                N_("The record is of the programme “%(programme)s”, which this source may not bring in."),
                programme=code[:40],
            )
        allowed = {self.codes["programmes"].get(code) for code in self.allowed}
        for name, uid in kind.references(document):
            programme = owners.get((name, uid))
            if programme is not None and programme not in allowed:
                raise Problem(
                    N_("The record refers to %(uid)s, of a programme this source may not bring in."),
                    uid=uid[:100],
                )

    def _referenced(self, kind: Kind, entries: list[Entry]) -> tuple[dict[str, dict[str, int]], Owners]:
        """The local ids of the records these documents refer to, per kind, by uid; and the
        programme of each of them that belongs to one, by (kind, uid)."""
        wanted: dict[str, set[str]] = {}
        for entry in entries:
            for referenced_kind, uid in kind.references(entry.document):
                wanted.setdefault(referenced_kind, set()).add(uid)
        found: dict[str, dict[str, int]] = {name: {} for name in KINDS}
        owners: Owners = {}
        for name, uids in wanted.items():
            table = KINDS[name].table
            found[name] = self._ids(table, sorted(uids))
            statement = _programme_of(table)
            if statement is None:
                continue
            for chunk in chunks(sorted(uids), 1000):
                rows = self.session.execute(statement.where(table.c.uid.in_(chunk)))
                owners.update(((name, uid), programme) for uid, programme in rows)
        return found, owners

    def _ids(self, table: Table, uids: list[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for chunk in chunks(uids, 1000):
            rows = self.session.execute(select(table.c.uid, table.c.id).where(table.c.uid.in_(chunk)))
            ids.update((uid, id_) for uid, id_ in rows)
        return ids

    def _replace_children(
        self, kind: Kind, rows_by_parent: dict[int, dict[str, list[dict[str, Any]]]], *, known: set[int]
    ) -> None:
        """The child rows of these parents, replaced (``known``: the parents that had some before)."""
        if not rows_by_parent:
            return
        connection = self.session.connection()
        for child in kind.children:
            table: Table = child.table
            key = table.c[child.parent_key]
            # A parent whose document left out an optional child field keeps the rows it has.
            replaced = {parent for parent, named in rows_by_parent.items() if child.name in named}
            for chunk in chunks(sorted(known & replaced), 1000):
                self.session.execute(delete(table).where(key.in_(chunk)))
            rows = [
                {**row, child.parent_key: parent}
                for parent, named in rows_by_parent.items()
                for row in named.get(child.name, [])
            ]
            if rows:
                bulk_insert(table, tuple(rows[0]), connection.dialect)(connection, rows)


Owners = dict[tuple[str, str], int]  # (kind, uid) -> the programme the record belongs to


def _has_programme(kind: Kind) -> bool:
    return any(isinstance(field, Code) and field.vocabulary == "programmes" for field in kind.fields)


def _programme_of(table: Table) -> Select[Any] | None:
    """(uid, programme id) of a table's records, if they belong to a programme (a meeting: its
    community's); None for records of no programme (organisations)."""
    if "programme_id" in table.c:
        return select(table.c.uid, table.c.programme_id)
    if "community_id" in table.c:
        community = Community.__table__
        return select(table.c.uid, community.c.programme_id).join(
            community, community.c.id == table.c.community_id
        )
    return None


def _web_address(url: str | None) -> str | None:
    """The record's page at its home hub, if it is an http(s) address pages may link to."""
    if url and len(url) <= 500 and url.lower().startswith(("http://", "https://")):
        return url
    return None
