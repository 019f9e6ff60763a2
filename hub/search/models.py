"""The search index: a row of analysed terms per public record, and the words it knows.

The full-text objects over ``search_documents`` are made by migration 0015 and are not in the
metadata: on SQLite an FTS5 table ``search_fts`` kept in step by triggers, on PostgreSQL a
weighted tsvector column ``search_vector`` with a GIN index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    literal_column,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base

KIND_SPAN = 2**32


def document_id(number: int, record_id: int) -> int:
    """The id of the document of record ``record_id`` of the kind numbered ``number``: a kind's
    documents are a range of ids (FTS5 seeks to it; on PostgreSQL each kind has its GIN index)."""
    return number * KIND_SPAN + record_id


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

    # The kind's number × 2³² + the record's id (``document_id``): a kind's
    # documents are a range of ids. SQLite's INTEGER key is the rowid, 64 bits already.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
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


# PostgreSQL keeps the terms in the weighted tsvector only (title A, summary B, about and body C,
# compound parts D), made as the row is written; its term columns stay empty (on SQLite they are
# the FTS5 table's content). A row without the texts stays narrow enough to keep its vector in the
# table, not in TOAST: matching and ranking a document reads no second place (2 to 3 times faster).
# TERMS: the term columns, and the parameters that carry them into the vector.
TERMS = {name: f"terms_{name}" for name in ("title", "summary", "about", "body", "parts")}


def _pg_weighted(text_: ColumnElement[str], weight: str) -> ColumnElement[Any]:
    return func.setweight(
        func.to_tsvector(literal_column("'simple'::regconfig"), text_), literal_column(f"'{weight}'")
    )


def _pg_insert() -> Any:
    terms = {name: bindparam(key, type_=Text) for name, key in TERMS.items()}
    vector = (
        _pg_weighted(terms["title"], "A")
        .op("||")(_pg_weighted(terms["summary"], "B"))
        .op("||")(_pg_weighted(terms["about"].concat(" ").concat(terms["body"]), "C"))
        .op("||")(_pg_weighted(terms["parts"], "D"))
    )
    columns = SearchDocument.__table__.columns
    documents = Table(
        "search_documents",
        MetaData(),
        *(Column(column.name, column.type) for column in columns),
        Column("search_vector", TSVECTOR),
    )
    return insert(documents).values(search_vector=vector, **dict.fromkeys(TERMS, ""))


PG_INSERT = _pg_insert()
