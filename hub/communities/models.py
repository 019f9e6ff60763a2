"""Product-group communities of practice and their meetings (the communities issue fills these in)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime
from hub.i18n import N_, LabelledEnum
from hub.programmes.models import Programme
from hub.records import Bilingual, Record, Synced, changes_index, source_key_index
from hub.taxonomy.models import ProductGroup, enum_column


class CommunityStatus(LabelledEnum):
    PROPOSED = "proposed", N_("Proposed")
    ACTIVE = "active", N_("Active")
    CLOSED = "closed", N_("Closed")


class Community(Record, Bilingual, Base):
    """A community of practice or working group around a product group or theme."""

    __tablename__ = "communities"
    __table_args__ = (changes_index("communities"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"), index=True)
    name_nl: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[CommunityStatus] = mapped_column(
        enum_column(CommunityStatus, "community_status"), default=CommunityStatus.ACTIVE
    )
    since: Mapped[dt.date | None]

    programme: Mapped[Programme] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()


class Meeting(Record, Bilingual, Synced, Base):
    __tablename__ = "meetings"
    __table_args__ = (source_key_index("meetings"), changes_index("meetings"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title_nl: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    # UTC on both databases (SQLite would keep a local time's digits and drop its offset).
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str | None] = mapped_column(String(500))

    community: Mapped[Community] = relationship()
