"""What every federated record shares: global id, owner, tombstone, timestamps, bilingual text."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, NamedTuple

from sqlalchemy import JSON, ForeignKey, Index, String, event, false, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.db import Timestamps, utcnow

LANGUAGES = ("nl", "en")


def new_uid() -> str:
    return str(uuid.uuid4())


class Record(Timestamps):
    """A record that can live on several hubs.

    ``home_hub`` is None when this hub owns the record; otherwise it names the hub or source that
    does, and the record is read-only here. ``withdrawn_at`` marks a tombstone: the record was
    deleted at its home and stays only so that links to it can say so.

    ``mirrored`` records came from a peer hub (``home_hub`` is then its address and ``uid`` the
    record's uid there): this hub shows them but does not publish them again, so that every
    record reaches the network from its home alone. ``content_hash`` is the digest of what the
    source or peer sent last, so that the same content again costs no write.
    """

    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    home_hub: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))
    origin_url: Mapped[str | None] = mapped_column(String(500))
    withdrawn_at: Mapped[dt.datetime | None]
    is_demo: Mapped[bool] = mapped_column(default=False)
    mirrored: Mapped[bool] = mapped_column(default=False, server_default=false())
    content_hash: Mapped[str | None] = mapped_column(String(32))

    @property
    def is_local(self) -> bool:
        return self.home_hub is None


class Localized(NamedTuple):
    """A text in the requested language, or in another one with ``fallback`` set."""

    text: str
    language: str
    fallback: bool


class Bilingual:
    """Content stored per language (``<field>_nl`` / ``<field>_en``), its source language marked."""

    source_language: Mapped[str] = mapped_column(String(2), default="nl")

    def localized(self, field: str, language: str) -> Localized:
        wanted = getattr(self, f"{field}_{language}", None)
        if wanted:
            return Localized(wanted, language, False)
        for other in (self.source_language, *LANGUAGES):
            text = getattr(self, f"{field}_{other}", None)
            if text:
                return Localized(text, other, True)
        return Localized("", language, False)


class Synced:
    """A record a source can feed: which source, and local edits.

    Sync finds a record by (``source_id``, ``external_id``) and skips the write when the source
    sends the same content again (``Record.content_hash``). Fields a coordinator changed here (a
    translation, a product-group tag) are named in ``local_fields`` and never overwritten.
    """

    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    local_fields: Mapped[list[str]] = mapped_column(JSON, default=list)


def changes_index(table: str) -> Index:
    """The publishing API reads a kind's own records in order of change (its cursor) through this."""
    return Index(f"ix_{table}_changes", "mirrored", "updated_at", "id")


def source_key_index(table: str) -> Index:
    """The lookup (and uniqueness) of synced records by their source and id there."""
    return Index(f"uq_{table}_source_external", "source_id", "external_id", unique=True)


@event.listens_for(Session, "before_flush")
def _touch_changed_collections(session: Session, *_: object) -> None:
    """A record whose collections changed (a pilot's strategies, its parties) counts as changed.

    ``onupdate`` fires only when a column of the record's own row changes; without this, the
    publishing API (which reads records in order of ``updated_at``) would miss such edits.
    """
    for record in session.dirty:
        if isinstance(record, Record) and session.is_modified(record):
            record.updated_at = utcnow()


def live_counts(session: Session, column: Any) -> dict[int, int]:
    """How many live (not withdrawn) records there are per value of ``column`` (a record's foreign
    key, such as ``Pilot.programme_id``); records without a value are not counted."""
    model = column.class_
    return dict(
        session.execute(
            select(column, func.count())
            .where(model.withdrawn_at.is_(None), column.is_not(None))
            .group_by(column)
        ).all()
    )
