"""The federated kinds of record, field by field: one declaration serves the API, the OpenAPI
document and the mirror of a peer's records.

Kinds are listed in the order a peer pulls them, so that what a record refers to arrives first.
Shared vocabularies (programmes, product groups, strategies) are referred to by code: every hub
knows them. Records are referred to by uid, which a record keeps on every hub.

The fields' ``protected`` flags are the hub's one declaration of what of a record is not public
(see :class:`~hub.federation.fields.Field`): pages, downloads, feeds and calendars show none of
those fields, and tests/test_public_fields.py proves it on every public answer.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, select

from connectors.messages import N_, Problem
from hub.communities import writes as community_writes
from hub.communities.models import (
    CloseOut,
    Community,
    CommunityStatus,
    Meeting,
    MeetingMode,
    closeout_lessons,
    closeout_organisations,
    closeout_pilots,
)
from hub.db import metadata, rfc3339
from hub.events import writes as event_writes
from hub.events.models import Event, EventKind, event_product_groups
from hub.federation.children import (
    Attachments,
    Children,
    Codes,
    Links,
    Milestones,
    Parties,
    Progress,
    SdgNumbers,
)
from hub.federation.fields import (
    JSON,
    Bilingual,
    Choice,
    Code,
    Countries,
    Country,
    Date,
    DateTime,
    Field,
    Integer,
    Lookups,
    Number,
    Reference,
    Text,
    Url,
)
from hub.federation.identity import hub_address, record_uri
from hub.lessons.models import (
    Lesson,
    LessonAttachment,
    LessonKind,
    LessonPilotLink,
    LinkKind,
    lesson_pilots,
)
from hub.library import fields as library_fields
from hub.library.models import LibraryItem, LibraryKind, ToolKind, library_item_lessons, library_item_pilots
from hub.organisations.models import Organisation, Participation, Role, Sector, SupportingAction
from hub.pilots import fields as pilot_fields
from hub.pilots.models import (
    Pilot,
    PilotMilestone,
    PilotParty,
    PilotProgress,
    PilotSdg,
    PilotStatus,
    pilot_strategies,
)
from hub.programmes.models import Programme
from hub.taxonomy.models import Phase, ProductGroup

API_VERSION = "1.0"


@dataclasses.dataclass(frozen=True, eq=False)
class Kind:
    """A federated kind: its API name, model, fields and (for those with one) its public page."""

    name: str
    model: type[Any]
    fields: tuple[Field, ...]
    children: tuple[Children, ...] = ()
    page: str | None = None  # the path of a record's page, e.g. "/en/pilots/{id}"
    summary: str = ""
    # Which of this hub's rows are public (a close-out once published); the others are served
    # neither in a page nor by uid, as if they did not exist. None: every row.
    where: ColumnElement[bool] | None = None
    # The kind's own rules over a row a peer's document becomes (raises Problem), if it has any.
    check: Callable[[Mapping[str, Any]], None] | None = None

    @property
    def table(self) -> Table:
        table: Table = self.model.__table__
        return table

    @functools.cached_property
    def reference_fields(self) -> tuple[Reference, ...]:
        return tuple(field for field in self.fields if isinstance(field, Reference))

    @functools.cached_property
    def public_fields(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if not field.protected)

    @functools.cached_property
    def bilingual(self) -> bool:
        return "source_language" in self.table.c

    @functools.cached_property
    def select(self) -> Select[Any]:
        """The kind's public rows with what they refer to, by code or uid, under the fields' names.

        Core rather than ORM objects: the API reads pages of hundreds of records, and building
        entities (with their relationships) cost it three quarters of its time.
        """
        table = self.table
        columns: list[Any] = [table]
        joined: Any = table
        for field in self.fields:
            if isinstance(field, Code | Reference):
                target = metadata.tables[field.target].alias(f"{field.name}_ref")
                joined = joined.outerjoin(target, target.c.id == table.c[field.attribute])
                columns.append(target.c[field.target_column].label(field.name))
        statement = select(*columns).select_from(joined)
        return statement if self.where is None else statement.where(self.where)

    def document(self, record: Any, children: Mapping[str, Any], *, base_url: str, protected: bool) -> JSON:
        """The record (a row of :meth:`select`) as the API sends it (a tombstone if withdrawn);
        ``children``: the value of each child field for it."""
        values = record._mapping
        home = hub_address(base_url)
        document: JSON = {
            "id": record_uri(home, self.name, values["uid"]),
            "uid": values["uid"],
            "home_hub": home,
            "updated_at": rfc3339(values["updated_at"]),
        }
        if values["withdrawn_at"] is not None:
            document["deleted"] = True
            return document
        document["deleted"] = False
        document["url"] = f"{home}{self.page.format_map(values)}" if self.page else None
        document["created_at"] = rfc3339(values["created_at"])
        document["demo"] = values["is_demo"]
        if self.bilingual:
            document["source_language"] = values["source_language"]
        for field in self.fields if protected else self.public_fields:
            document[field.name] = field.dump(values)
        for child in self.children:
            document[child.name] = children.get(child.name, child.empty())
        return document

    def references(self, document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        """The (kind, uid) of every record ``document`` refers to."""
        for field in self.reference_fields:
            if isinstance(document.get(field.name), str):
                yield field.kind, document[field.name]
        for child in self.children:
            yield from child.references(document.get(child.name))

    def values(self, document: Mapping[str, Any], lookups: Lookups) -> tuple[JSON, dict[str, list[JSON]]]:
        """The row (and child rows) a peer's document becomes; Problem names what is wrong."""
        row: JSON = {}
        for field in self.fields:
            field.load(document, lookups, row)
        if self.bilingual:
            language = document.get("source_language")
            if language not in ("nl", "en"):
                raise Problem(
                    N_("%(field)s: expected %(expected)s"), field="source_language", expected="nl, en"
                )
            row["source_language"] = language
        if self.check is not None:
            self.check(row)
        children = {
            child.name: child.load(document.get(child.name), lookups)
            for child in self.children
            if not (child.optional and document.get(child.name) is None)  # absent: kept as it is
        }
        return row, children

    def schema(self, *, protected: bool = True) -> JSON:
        """JSON Schema of a live record of this kind."""
        properties: JSON = {
            "id": {"type": "string", "format": "uri", "description": "The record's URI at its home hub"},
            "uid": {"type": "string"},
            "home_hub": {"type": "string", "format": "uri"},
            "updated_at": {"type": "string", "format": "date-time"},
            "deleted": {"const": False},
            "url": {"type": ["string", "null"], "description": "The record's page at its home hub"},
            "created_at": {"type": "string", "format": "date-time"},
            "demo": {"type": "boolean", "description": "Part of the demo network, not real data"},
        }
        if self.bilingual:
            properties["source_language"] = {"type": "string", "enum": ["nl", "en"]}
        required = list(properties)
        for field in self.fields:
            properties[field.name] = field.schema()
            if field.protected:
                properties[field.name]["description"] = "Protected: sent only with a valid access token"
            else:
                required.append(field.name)
        for child in self.children:
            properties[child.name] = child.schema()
            required.append(child.name)
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }


def _programme(**kwargs: Any) -> Code:
    return Code("programme", column="programme_id", vocabulary="programmes", **kwargs)


def _product_group() -> Code:
    return Code(
        "product_group",
        column="product_group_id",
        vocabulary="product_groups",
        nullable=True,
    )


def _strategy() -> Code:
    return Code("strategy", column="strategy_id", vocabulary="strategies", nullable=True)


def _dates() -> tuple[Field, ...]:
    return (Date("starts_on", nullable=True), Date("ends_on", nullable=True))


IMPACT = tuple(Number(name, nullable=True) for name in pilot_fields.IMPACT_FIELDS)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "programmes",
            Programme,
            (
                Text("code", max_length=20),
                Text("short_name", max_length=40),
                Bilingual("name", max_length=200),
                Bilingual("description"),
                Bilingual("region", max_length=200),
                Countries("countries"),
                *_dates(),
                Text("website", max_length=300, nullable=True, blank=None),
                Integer("min_pilots_per_procurer", nullable=True),
                Integer("min_actions_per_facilitator", nullable=True),
                Bilingual("rules"),
                Number("reduction_target_min", nullable=True),
                Number("reduction_target_max", nullable=True),
            ),
            page="/en/programmes/{code}",
            summary="Programmes (GDCA, GDCI 2.0, ProCirc)",
        ),
        Kind(
            "organisations",
            Organisation,
            (
                Text("name", max_length=200),
                Choice("sector", choices=Sector),
                Country("country"),
                Text("city", max_length=120),
                Text("website", max_length=300, nullable=True, blank=None),
                Bilingual("description"),
            ),
            page="/en/organisations/{id}",
            summary="Procuring organisations, facilitators and partners",
        ),
        Kind(
            "participations",
            Participation,
            (
                _programme(),
                Reference("organisation", column="organisation_id", kind="organisations"),
                Choice("role", choices=Role),
                Date("joined_on", nullable=True),
                Date("left_on", nullable=True),
            ),
            summary="An organisation's part in a programme",
        ),
        Kind(
            "supporting_actions",
            SupportingAction,
            (
                _programme(),
                Reference("organisation", column="organisation_id", kind="organisations"),
                Bilingual("title", max_length=300),
                Bilingual("summary"),
                *_dates(),
            ),
            summary="Facilitators' supporting actions",
        ),
        Kind(
            "pilots",
            Pilot,
            (
                _programme(),
                Bilingual("title", max_length=300),
                Bilingual("summary"),
                _product_group(),
                Country("country"),
                Choice("phase", choices=Phase),
                Choice("status", choices=PilotStatus),
                *_dates(),
                Number("contract_value", nullable=True),
                *IMPACT,
            ),
            children=(
                Codes("strategies", pilot_strategies, "pilot_id"),
                Parties("parties", PilotParty.__table__, "pilot_id"),  # type: ignore[arg-type]
                SdgNumbers("sdgs", PilotSdg.__table__, "pilot_id"),  # type: ignore[arg-type]
                Progress("progress", PilotProgress.__table__, "pilot_id"),  # type: ignore[arg-type]
                Milestones("milestones", PilotMilestone.__table__, "pilot_id"),  # type: ignore[arg-type]
            ),
            page="/en/pilots/{id}",
            summary="Circular procurement pilots",
            check=pilot_fields.check_row,
        ),
        Kind(
            "communities",
            Community,
            (
                _programme(),
                _product_group(),
                Bilingual("name", max_length=200),
                Bilingual("description"),
                # The contact person's name is the role's public face (the programmes published
                # it); their address is a person's, sent to token holders only.
                Text("contact_name", max_length=200, optional=True),
                Text("contact_email", max_length=254, nullable=True, blank=None, protected=True),
                Choice("status", choices=CommunityStatus),
                Date("since", nullable=True),
            ),
            page="/en/communities/{id}",
            summary="Product-group communities of practice",
        ),
        Kind(
            "meetings",
            Meeting,
            (
                Reference("community", column="community_id", kind="communities"),
                Bilingual("title", max_length=300),
                DateTime("starts_at"),
                DateTime("ends_at", nullable=True),
                Text("timezone", max_length=64),
                Choice("mode", choices=MeetingMode),
                Text("location", max_length=300),
                # Whoever has the link is in the meeting: registered people get it by e-mail.
                Text("online_url", max_length=500, nullable=True, blank=None, protected=True),
                Bilingual("agenda"),
                Integer("capacity", nullable=True),
            ),
            page="/en/communities/{community_id}/meetings/{id}",
            summary="Meetings of the communities of practice",
            check=community_writes.check_meeting_row,
        ),
        Kind(
            "lessons",
            Lesson,
            (
                _programme(),
                Bilingual("title", max_length=300),
                Bilingual("body"),
                Bilingual("resources"),
                Bilingual("evidence"),
                Bilingual("transfer"),
                _product_group(),
                _strategy(),
                Choice("phase", choices=Phase, nullable=True),
                Choice("kind", choices=LessonKind),
            ),
            children=(
                Links("pilots", lesson_pilots, "lesson_id", column="pilot_id"),
                Attachments("attachments", LessonAttachment.__table__, "lesson_id"),  # type: ignore[arg-type]
            ),
            summary="Lessons learned, with the pilots they come from and linked documents",
        ),
        Kind(
            "lesson_pilot_links",
            LessonPilotLink,
            (
                Reference("lesson", column="lesson_id", kind="lessons"),
                Reference("pilot", column="pilot_id", kind="pilots"),
                Choice("kind", choices=LinkKind),
                Text("note"),
                Text("made_by", max_length=200),
                DateTime("made_at"),
            ),
            summary="Confirmed links between lessons and the pilots they apply to",
        ),
        Kind(
            "closeouts",
            CloseOut,
            (
                Reference("meeting", column="meeting_id", kind="meetings"),
                Bilingual("minutes"),
                Integer("attendance", nullable=True),
                DateTime("published_at"),
            ),
            children=(
                Links("organisations", closeout_organisations, "closeout_id", column="organisation_id"),
                Links("pilots", closeout_pilots, "closeout_id", column="pilot_id"),
                Links("lessons", closeout_lessons, "closeout_id", column="lesson_id"),
            ),
            where=CloseOut.published_at.is_not(None),  # a draft until it is published
            summary="Published close-outs of meetings (minutes, attendance, the organisations, pilots "
            "and lessons involved)",
            check=community_writes.check_closeout_row,
        ),
        Kind(
            "library_items",
            LibraryItem,
            (
                _programme(),
                Choice("kind", choices=LibraryKind),
                Choice("tool_kind", choices=ToolKind, nullable=True),
                Bilingual("title", max_length=300),
                Bilingual("body"),
                # "url" names the record's page in every document: the recording, tool or file is "link".
                Url("link", column="url", nullable=True, blank=None),
                Date("held_on", nullable=True),
                Text("speakers", max_length=500),
                _product_group(),
                _strategy(),
                Choice("phase", choices=Phase, nullable=True),
            ),
            children=(
                Links("pilots", library_item_pilots, "item_id", column="pilot_id"),
                Links("lessons", library_item_lessons, "item_id", column="lesson_id"),
            ),
            page="/en/library/{id}",
            summary="The knowledge library: webinars, legal questions and answers, toolbox entries and "
            "documents, with the pilots and lessons they are linked from",
            check=library_fields.check_row,
        ),
        Kind(
            "events",
            Event,
            (
                _programme(),
                Choice("kind", choices=EventKind),
                Bilingual("title", max_length=300),
                Bilingual("summary"),
                Bilingual("outcome"),
                DateTime("starts_at"),
                DateTime("ends_at", nullable=True),
                Text("timezone", max_length=64),
                Text("location", max_length=300),
                Integer("capacity_buyers", nullable=True),
                Integer("capacity_suppliers", nullable=True),
                DateTime("registration_closes_at", nullable=True),
            ),
            children=(
                Codes(
                    "product_groups",
                    event_product_groups,
                    "event_id",
                    column="product_group_id",
                    vocabulary=ProductGroup,
                    noun="product group",
                ),
            ),
            page="/en/events/{id}",
            # Registrations (people's names and addresses) stay on the event's hub: register there.
            summary="Action days, inspiration days and Buyer-meets-Supplier events, with their outcome",
            check=event_writes.check_row,
        ),
    )
}
