"""News items: what the programmes' feeds publish (synced; the hub shows them and links back)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, LongText, Title, partial_index
from hub.programmes.models import Programme, ProgrammeId
from hub.records import Bilingual, Record, Synced, source_key_index


class NewsItem(Record, Bilingual, Synced, Base):
    __tablename__ = "news_items"
    __table_args__ = (
        source_key_index("news_items"),
        # The public list: live items, newest first.
        partial_index("ix_news_items_live_published_at", "published_at", "id", where="withdrawn_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    # Sanitised HTML (nh3 on ingest): rendered as markup.
    summary_nl: Mapped[LongText]
    summary_en: Mapped[LongText]
    # When the source published it, or else when the hub first saw it (the list's order).
    published_at: Mapped[dt.datetime]

    programme: Mapped[Programme] = relationship()
