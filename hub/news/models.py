"""News items: what the programmes' feeds publish (synced; the hub shows them and links back)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime
from hub.programmes.models import Programme
from hub.records import Bilingual, Record, Synced, source_key_index


class NewsItem(Record, Bilingual, Synced, Base):
    __tablename__ = "news_items"
    __table_args__ = (
        source_key_index("news_items"),
        # The public list: live items, newest first.
        Index(
            "ix_news_items_live_published_at",
            "published_at",
            "id",
            postgresql_where=text("withdrawn_at IS NULL"),
            sqlite_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    title_nl: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    # Sanitised HTML (nh3 on ingest): rendered as markup.
    summary_nl: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    # When the source published it, or else when the hub first saw it (the list's order).
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship()
