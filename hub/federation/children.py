"""Child fields of a federated record: rows of another table that belong to it (a pilot's
strategies and parties, a close-out's organisations, pilots and lessons).

Like a field, a child field reads its value (``dump_many``, one query for a page of records),
turns a peer's value back into rows (``load``; the mirror replaces a record's child rows with
them) and describes itself (``schema``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from hub.db import metadata
from hub.federation.fields import JSON, Choice, Code, Lookups, Reference, Text, Url, bad_value
from hub.organisations.models import Organisation
from hub.pilots.models import PilotRole
from hub.taxonomy.models import Strategy


@dataclasses.dataclass(frozen=True)
class Children:
    """Rows of another table that belong to a record (a pilot's strategies, its parties)."""

    name: str
    table: Table
    parent_key: str

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        """The JSON value of this field for each of these parents (one query)."""
        raise NotImplementedError

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        raise NotImplementedError

    def references(self, value: Any) -> Iterator[tuple[str, str]]:
        return iter(())

    def schema(self) -> JSON:
        raise NotImplementedError


class StrategyCodes(Children):
    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        link, strategy = self.table, Strategy.__table__
        found: dict[int, list[Any]] = {}
        for parent, code in session.connection().execute(
            select(link.c[self.parent_key], strategy.c.code)
            .join(strategy, strategy.c.id == link.c.strategy_id)
            .where(link.c[self.parent_key].in_(parent_ids))
            .order_by(strategy.c.position, strategy.c.code)
        ):
            found.setdefault(parent, []).append(code)
        return found

    def load(self, value: Any, lookups: Lookups) -> list[JSON]:
        if not isinstance(value, list):
            raise bad_value(self.name, "a list of strategy codes")
        code = Code(self.name, vocabulary="strategies")
        return [
            {"strategy_id": strategy} for strategy in dict.fromkeys(code.from_json(v, lookups) for v in value)
        ]

    def schema(self) -> JSON:
        return {"type": "array", "items": {"type": "string", "maxLength": 40}}


class Parties(Children):
    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        party, organisation = self.table, Organisation.__table__
        found: dict[int, list[Any]] = {}
        for parent, uid, role in session.connection().execute(
            select(party.c[self.parent_key], organisation.c.uid, party.c.role)
            .join(organisation, organisation.c.id == party.c.organisation_id)
            .where(party.c[self.parent_key].in_(parent_ids))
            .order_by(party.c.position, party.c.organisation_id)
        ):
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

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        link, target = self.table, metadata.tables[self.kind]
        found: dict[int, list[Any]] = {}
        for parent, uid in session.connection().execute(
            select(link.c[self.parent_key], target.c.uid)
            .join(target, target.c.id == link.c[self.column])
            .where(link.c[self.parent_key].in_(parent_ids))
            .order_by(target.c.uid)  # the same order on every hub
        ):
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

    def dump_many(self, session: Session, parent_ids: list[int]) -> dict[int, list[Any]]:
        table = self.table
        found: dict[int, list[Any]] = {}
        for parent, title, url in session.connection().execute(
            select(table.c[self.parent_key], table.c.title, table.c.url)
            .where(table.c[self.parent_key].in_(parent_ids))
            .order_by(table.c.position, table.c.id)
        ):
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
