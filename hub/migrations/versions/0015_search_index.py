"""One search index for the hub: analysed terms per record, in both languages

Replaces the pilots-only full-text objects of migration 0002. ``search_documents`` holds the terms
that ``hub.search.analysis`` makes of each public record; the database only matches and ranks them:

- SQLite: an FTS5 table ``search_fts`` over its five term columns (external content), kept in step
  by triggers;
- PostgreSQL: a stored tsvector ``search_vector`` (weights A title, B summary, C about and body,
  D parts of compounds) with a GIN index.

The index starts empty: ``hub migrate`` (and ``hub serve``) fill it, as ``hub search rebuild`` does.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = "title, summary, about, body, parts"
NEW = "new.id, new.title, new.summary, new.about, new.body, new.parts"
OLD = "old.id, old.title, old.summary, old.about, old.body, old.parts"
VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, summary), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, about || ' ' || body), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, parts), 'D')"
)


def upgrade() -> None:
    _drop_pilot_search()
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("product_group_id", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_search_documents_kind_record_id")),
    )
    op.create_index(
        "ix_search_documents_matches",
        "search_documents",
        ["id", "kind", "record_id", "programme_id", "product_group_id", "country", "year"],
    )
    op.create_table(
        "search_words",
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_words")),
    )
    op.create_table(
        "search_pending",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "record_id", name=op.f("pk_search_pending")),
    )
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_state")),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE search_documents ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_search_vector ON search_documents USING gin (search_vector)")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content='search_documents', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(
        "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN "
        f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', {OLD}); END"
    )
    op.execute(
        f"CREATE TRIGGER search_fts_update AFTER UPDATE OF {COLUMNS} ON search_documents BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', {OLD}); "
        f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER search_fts_{trigger}")
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_state")
    op.drop_table("search_pending")
    op.drop_table("search_words")
    op.drop_table("search_documents")
    _create_pilot_search()


def _drop_pilot_search() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_pilots_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS pilots_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS pilots_fts")


def _create_pilot_search() -> None:
    """Migration 0002's objects, back (its own upgrade, loaded from its file)."""
    path = Path(__file__).with_name("0002_pilot_search.py")
    spec = importlib.util.spec_from_file_location("pilot_search_0002", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.upgrade()
