"""Full-text search over pilot titles and summaries in both languages

SQLite: an FTS5 table kept in step with ``pilots`` by triggers (external content).
PostgreSQL: a GIN index on the same tsvector expression that ``hub.pilots.search`` queries.

A later migration that rebuilds ``pilots`` in batch mode on SQLite drops these triggers and must
create them again (tests/test_migrations.py checks that search works at head).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FIELDS = "title_nl, title_en, summary_nl, summary_en"
NEW = "new.id, new.title_nl, new.title_en, new.summary_nl, new.summary_en"
OLD = "old.id, old.title_nl, old.title_en, old.summary_nl, old.summary_en"
TSVECTOR = (
    "to_tsvector('simple'::regconfig, coalesce(title_nl, '') || ' ' || coalesce(title_en, '') "
    "|| ' ' || coalesce(summary_nl, '') || ' ' || coalesce(summary_en, ''))"
)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_pilots_search ON pilots USING gin ({TSVECTOR})")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE pilots_fts USING fts5({FIELDS}, content='pilots', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    create_sqlite_triggers()
    op.execute("INSERT INTO pilots_fts(pilots_fts) VALUES ('rebuild')")


def create_sqlite_triggers() -> None:
    """The triggers that keep pilots_fts in step (also after a batch rebuild of ``pilots``)."""
    op.execute(
        "CREATE TRIGGER pilots_fts_insert AFTER INSERT ON pilots BEGIN "
        f"INSERT INTO pilots_fts(rowid, {FIELDS}) VALUES ({NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER pilots_fts_delete AFTER DELETE ON pilots BEGIN "
        f"INSERT INTO pilots_fts(pilots_fts, rowid, {FIELDS}) VALUES ('delete', {OLD}); END"
    )
    op.execute(
        f"CREATE TRIGGER pilots_fts_update AFTER UPDATE OF {FIELDS} ON pilots BEGIN "
        f"INSERT INTO pilots_fts(pilots_fts, rowid, {FIELDS}) VALUES ('delete', {OLD}); "
        f"INSERT INTO pilots_fts(rowid, {FIELDS}) VALUES ({NEW}); END"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_pilots_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER pilots_fts_{trigger}")
    op.execute("DROP TABLE pilots_fts")
