"""The search index: a row of analysed terms per public record, and the words it knows.

The full-text objects over ``search_documents`` are made by migration 0015 and are not in the
metadata: on SQLite an FTS5 table ``search_fts`` kept in step by triggers, on PostgreSQL a
weighted tsvector column ``search_vector`` with a GIN index.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class SearchDocument(Base):
    """A record as the search sees it: its kind and id, the filters every kind shares, and its
    terms (``hub.search.analysis``) by weight: title above summary above what it is about above
    the rest above the parts of its compounds."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "record_id"),
        # Matches found by FTS5 are joined by id: this index answers kind, record and filters
        # without reading the rows' long term columns (counting 10,000 matches: 4 ms, not 50).
        Index(
            "ix_search_documents_matches",
            "id",
            "kind",
            "record_id",
            "programme_id",
            "product_group_id",
            "country",
            "year",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    programme_id: Mapped[int | None] = mapped_column(Integer)
    product_group_id: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(2))
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    about: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    parts: Mapped[str] = mapped_column(Text, default="")


class SearchWord(Base):
    """A word (folded, as written) of the titles and names in the index: what a misspelt query
    is compared with. Words are added as records are indexed and never removed."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(String(40), primary_key=True)


class SearchPending(Base):
    """A record a bulk write (a sync or mirror batch) changed, waiting to be indexed again: the
    batch stays a short write, and the index catches up right after the run (``index.catch_up``)."""

    __tablename__ = "search_pending"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SearchState(Base):
    """The version of the analysis the index was built with: a new one means a rebuild."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_version: Mapped[int] = mapped_column(Integer)
