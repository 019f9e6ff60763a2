"""A search document's id tells its kind and record: kind number × 2³² + record id

The matches of one kind are then a range of ids, which FTS5 seeks to directly
(``hub.search.query``); on PostgreSQL each kind's range gets a GIN index of its own instead of
one for all, so that counting a kind's matches of a common word reads that kind's postings only.
On SQLite the id is the table's rowid, already 64 bits; on PostgreSQL it becomes a ``bigint``
given by the index, no longer by a sequence, and the weighted tsvector is written with the row
(from the analysed terms, which PostgreSQL no longer keeps beside it) instead of being generated
from them. The documents themselves are rebuilt by ``hub migrate`` (the index is emptied).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

from alembic import op

# Migration 0015's generated vector, for the way down.
VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, summary), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, about || ' ' || body), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, parts), 'D')"
)
SPAN = 2**32
KINDS = range(1, 8)  # the kinds' numbers (``Kind.number``): a kind added later adds its index
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM search_documents")  # rebuilt with the new ids
    op.execute("DELETE FROM search_state")  # (an index of no version is rebuilt)
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_documents ALTER COLUMN id DROP DEFAULT")
    op.execute("ALTER TABLE search_documents ALTER COLUMN id TYPE bigint")
    op.execute("DROP SEQUENCE IF EXISTS search_documents_id_seq")
    # The vector is made as a row is written, from texts no longer kept beside it (a row keeps
    # its vector in the table then, not in TOAST: ``hub.search.models.PG_INSERT``).
    op.execute("ALTER TABLE search_documents DROP COLUMN search_vector")  # and ix_search_vector
    op.execute("ALTER TABLE search_documents ADD COLUMN search_vector tsvector NOT NULL")
    for number in KINDS:
        op.execute(
            f"CREATE INDEX ix_search_vector_{number} ON search_documents USING gin (search_vector) "
            f"WHERE id BETWEEN {number * SPAN} AND {(number + 1) * SPAN - 1}"
        )


def downgrade() -> None:
    op.execute("DELETE FROM search_documents")  # rebuilt with the old ids
    op.execute("DELETE FROM search_state")
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_documents DROP COLUMN search_vector")  # and its indexes
    generated = f"tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
    op.execute(f"ALTER TABLE search_documents ADD COLUMN search_vector {generated}")
    op.execute("CREATE INDEX ix_search_vector ON search_documents USING gin (search_vector)")
    op.execute("ALTER TABLE search_documents ALTER COLUMN id TYPE integer")
    op.execute("CREATE SEQUENCE search_documents_id_seq OWNED BY search_documents.id")
    op.execute("ALTER TABLE search_documents ALTER COLUMN id SET DEFAULT nextval('search_documents_id_seq')")
