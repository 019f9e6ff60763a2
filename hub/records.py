"""What every federated record shares: global id, owner, tombstone, timestamps, bilingual text."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import NamedTuple

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Timestamps

LANGUAGES = ("nl", "en")


def new_uid() -> str:
    return str(uuid.uuid4())


class Record(Timestamps):
    """A record that can live on several hubs.

    ``home_hub`` is None when this hub owns the record; otherwise it names the hub or source that
    does, and the record is read-only here. ``withdrawn_at`` marks a tombstone: the record was
    deleted at its home and stays only so that links to it can say so.
    """

    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    home_hub: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))
    origin_url: Mapped[str | None] = mapped_column(String(500))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    is_demo: Mapped[bool] = mapped_column(default=False)

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
    """A record a source can feed: which source, the hash of what it last sent, and local edits.

    Sync finds a record by (``source_id``, ``external_id``) and skips the write when the source
    sends the same content again (``content_hash``). Fields a coordinator changed here (a
    translation, a product-group tag) are named in ``local_fields`` and never overwritten.
    """

    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    content_hash: Mapped[str | None] = mapped_column(String(32))
    local_fields: Mapped[list[str]] = mapped_column(JSON, default=list)


def source_key_index(table: str) -> Index:
    """The lookup (and uniqueness) of synced records by their source and id there."""
    return Index(f"uq_{table}_source_external", "source_id", "external_id", unique=True)
