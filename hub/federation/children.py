"""Child fields of a federated record: rows of another table that belong to it (a pilot's
strategies and parties, a close-out's organisations, pilots and lessons).

Like a field, a child field reads its value (``dump_many``, one query for a page of records),
turns a peer's value back into rows (``load``; the mirror replaces a record's child rows with
them) and describes itself (``schema``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.orm import Session

from hub.db import metadata
from hub.federation.fields import JSON, Choice, Code, Date, Lookups, Reference, Text, Url, bad_value
from hub.organisations.models import Organisation
from hub.pilots.models import PilotRole
from hub.taxonomy import sdgs
from hub.taxonomy.models import ProductGroup, Strategy

PARENTS = "parents"  # the expanding parameter of a child query: the ids of a page's records


@dataclasses.dataclass(frozen=True)
class Children:
    """Rows of another table that belong to a record (a pilot's strategies, its parties)."""

    name: str
    table: Table
    parent_key: str
    # True: a document without the field (from a peer of an earlier release) leaves the record's
    # rows as they are; False: the field is required.
    optional: ClassVar[bool] = False

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, Any]:
        """The JSON value of this field for each of these parents (one query)."""
        raise NotImplementedError

    @functools.cached_property
    def query(self) -> Select[Any]:
        """The rows of ``dump_many``, the parent's id first, for the ids bound to ``PARENTS``:
        built once, as a page's ids are bound rather than written into a new statement."""
        raise NotImplementedError

    def rows(self, session: Session, parent_ids: list[int]) -> Any:
        return session.connection().execute(self.query, {PARENTS: parent_ids})

    def empty(self) -> Any:
        """The field's value for a record without rows."""
        return []

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        raise NotImplementedError

    def references(self, value: Any) -> Iterator[tuple[str, str]]:
        return iter(())

    def schema(self) -> JSON:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Codes(Children):
    """Entries of a vocabulary every hub shares (circular strategies, product groups), as a list of
    their codes in the vocabulary's order; ``column`` is the link table's column naming the entry."""

    column: str = "strategy_id"
    vocabulary: type[Strategy] | type[ProductGroup] = Strategy
    noun: str = "strategy"  # for the error message

    @functools.cached_property
    def query(self) -> Select[Any]:
        link, entries = self.table, self.vocabulary.__table__
        return (
            select(link.c[self.parent_key], entries.c.code)
            .join(entries, entries.c.id == link.c[self.column])
            .where(link.c[self.parent_key].in_(bindparam(PARENTS, expanding=True)))
            .order_by(entries.c.position, entries.c.code)
        )

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for parent, code in self.rows(session, parent_ids):
            found.setdefault(parent, []).append(code)
        return found

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        if not isinstance(value, list):
            raise bad_value(self.name, f"a list of {self.noun} codes")
        code = Code(self.name, vocabulary=self.vocabulary.__tablename__)
        return [{self.column: entry} for entry in dict.fromkeys(code.from_json(v, lookups) for v in value)]

    def schema(self) -> JSON:
        return {"type": "array", "items": {"type": "string", "maxLength": 40}}


class SdgNumbers(Children):
    """The Sustainable Development Goals of a record, as a list of their UN numbers (1-17).

    Added in a later release than the records that carry them: a peer that sends no ``sdgs``
    does not know them, so what this hub has is kept (nothing, for a new record).
    """

    optional = True

    @functools.cached_property
    def query(self) -> Select[Any]:
        link = self.table
        return (
            select(link.c[self.parent_key], link.c.sdg)
            .where(link.c[self.parent_key].in_(bindparam(PARENTS, expanding=True)))
            .order_by(link.c[self.parent_key], link.c.sdg)
        )

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for parent, number in self.rows(session, parent_ids):
            found.setdefault(parent, []).append(number)
        return found

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        if not isinstance(value, list) or not all(sdgs.is_sdg(number) for number in value):
            raise bad_value(self.name, f"a list of goal numbers ({sdgs.FIRST}-{sdgs.LAST})")
        return [{"sdg": number} for number in sorted(set(value))]

    def schema(self) -> JSON:
        return {
            "type": "array",
            "items": {"type": "integer", "minimum": sdgs.FIRST, "maximum": sdgs.LAST},
            "uniqueItems": True,
            "description": "The numbers of the UN Sustainable Development Goals it contributes to",
        }


class Milestones(Children):
    """A pilot's milestones in their order: ``{title, due_on, done_on}`` (optional: a later release)."""

    optional = True

    @functools.cached_property
    def query(self) -> Select[Any]:
        table = self.table
        return (
            select(table.c[self.parent_key], table.c.title, table.c.due_on, table.c.done_on)
            .where(table.c[self.parent_key].in_(bindparam(PARENTS, expanding=True)))
            .order_by(table.c[self.parent_key], table.c.position, table.c.id)
        )

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, Any]:
        found: dict[int, list[Any]] = {}
        for parent, title, due_on, done_on in self.rows(session, parent_ids):
            found.setdefault(parent, []).append(
                {
                    "title": title,
                    "due_on": due_on.isoformat() if due_on else None,
                    "done_on": done_on.isoformat() if done_on else None,
                }
            )
        return found

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
            raise bad_value(self.name, "a list of {title, due_on, done_on}")
        title = Text(f"{self.name}.title", max_length=300)
        due, done = Date(f"{self.name}.due_on"), Date(f"{self.name}.done_on")
        return [
            {
                "title": title.from_json(entry.get("title"), lookups),
                "due_on": None if entry.get("due_on") is None else due.from_json(entry["due_on"], lookups),
                "done_on": None
                if entry.get("done_on") is None
                else done.from_json(entry["done_on"], lookups),
                "position": position,
            }
            for position, entry in enumerate(value)
        ]

    def schema(self) -> JSON:
        date: JSON = {"type": ["string", "null"], "format": "date"}
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "maxLength": 300},
                    "due_on": date,
                    "done_on": date,
                },
                "required": ["title", "due_on", "done_on"],
                "additionalProperties": False,
            },
        }


class Progress(Children):
    """How far a pilot has come, as its procurer last reported it: ``{percent, as_of}`` or null
    (optional: a later release; a peer cannot clear it, as its home hub does not either)."""

    optional = True

    def empty(self) -> Any:
        return None

    @functools.cached_property
    def query(self) -> Select[Any]:
        table = self.table
        return select(table.c[self.parent_key], table.c.percent, table.c.as_of).where(
            table.c[self.parent_key].in_(bindparam(PARENTS, expanding=True))
        )

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, Any]:
        return {
            parent: {"percent": percent, "as_of": as_of.isoformat()}
            for parent, percent, as_of in self.rows(session, parent_ids)
        }

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        if not isinstance(value, Mapping):
            raise bad_value(self.name, "{percent, as_of}")
        percent = value.get("percent")
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
            raise bad_value(f"{self.name}.percent", "a whole number from 0 to 100")
        return [
            {"percent": percent, "as_of": Date(f"{self.name}.as_of").from_json(value.get("as_of"), lookups)}
        ]

    def schema(self) -> JSON:
        return {
            "type": ["object", "null"],
            "properties": {
                "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "as_of": {"type": "string", "format": "date"},
            },
            "required": ["percent", "as_of"],
            "additionalProperties": False,
        }


class Parties(Children):
    @functools.cached_property
    def query(self) -> Select[Any]:
        party, organisation = self.table, Organisation.__table__
        return (
            select(party.c[self.parent_key], organisation.c.uid, party.c.role)
            .join(organisation, organisation.c.id == party.c.organisation_id)
            .where(party.c[self.parent_key].in_(bindparam(PARENTS, expanding=True)))
            .order_by(party.c.position, party.c.organisation_id)
        )

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for parent, uid, role in self.rows(session, parent_ids):
            found.setdefault(parent, []).append({"organisation": uid, "role": role.value})
        return found

    def _entries(self, value: Any) -> list[Mapping[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
            raise bad_value(self.name, "a list of {organisation, role}")
        return value

    def references(self, value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, list):
            for entry in value:
                if isinstance(entry, Mapping) and isinstance(entry.get("organisation"), str):
                    yield "organisations", entry["organisation"]

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        organisation = Reference(f"{self.name}.organisation", kind="organisations")
        role = Choice(f"{self.name}.role", choices=PilotRole)
        rows: dict[tuple[int, PilotRole], JSON] = {}
        for position, entry in enumerate(self._entries(value)):
            row = {
                "organisation_id": organisation.from_json(entry.get("organisation"), lookups),
                "role": role.from_json(entry.get("role"), lookups),
                "position": position,
            }
            rows.setdefault((row["organisation_id"], row["role"]), row)
        return list(rows.values())

    def schema(self) -> JSON:
        role = Choice("role", choices=PilotRole).value_schema()
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"organisation": {"type": "string"}, "role": role},
                "required": ["organisation", "role"],
                "additionalProperties": False,
            },
        }


@dataclasses.dataclass(frozen=True)
class Links(Children):
    """Records of another kind linked through an association table, sent as a list of their uids.

    ``column``: the association table's column that holds their ids; ``kind``: their API kind
    (and table), the field's name unless given.
    """

    column: str
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", self.name)

    @functools.cached_property
    def query(self) -> Select[Any]:
        link, target = self.table, metadata.tables[self.kind]
        return (
            select(link.c[self.parent_key], target.c.uid)
            .join(target, target.c.id == link.c[self.column])
            .where(link.c[self.parent_key].in_(bindparam(PARENTS, expanding=True)))
            .order_by(target.c.uid)  # the same order on every hub
        )

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for parent, uid in self.rows(session, parent_ids):
            found.setdefault(parent, []).append(uid)
        return found

    def references(self, value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, list):
            for uid in value:
                if isinstance(uid, str):
                    yield self.kind, uid

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        if not isinstance(value, list):
            raise bad_value(self.name, "a list of uids")
        reference = Reference(self.name, kind=self.kind)
        ids = dict.fromkeys(reference.from_json(uid, lookups) for uid in value)
        return [{self.column: id_} for id_ in ids]

    def schema(self) -> JSON:
        return {"type": "array", "items": {"type": "string", "maxLength": 36}}


class Attachments(Children):
    """Documents linked from a record, as a list of ``{title, url}`` in their order."""

    @functools.cached_property
    def query(self) -> Select[Any]:
        table = self.table
        return (
            select(table.c[self.parent_key], table.c.title, table.c.url)
            .where(table.c[self.parent_key].in_(bindparam(PARENTS, expanding=True)))
            .order_by(table.c.position, table.c.id)
        )

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for parent, title, url in self.rows(session, parent_ids):
            found.setdefault(parent, []).append({"title": title, "url": url})
        return found

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
            raise bad_value(self.name, "a list of {title, url}")
        title = Text(f"{self.name}.title", max_length=200)
        url = Url(f"{self.name}.url")
        return [
            {
                "title": title.from_json(entry.get("title"), lookups),
                "url": url.from_json(entry.get("url"), lookups),
                "position": position,
            }
            for position, entry in enumerate(value)
        ]

    def schema(self) -> JSON:
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "maxLength": 200},
                    "url": Url("url").value_schema(),
                },
                "required": ["title", "url"],
                "additionalProperties": False,
            },
        }
