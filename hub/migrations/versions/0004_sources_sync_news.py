"""Sources, their runs and errors; news items; sync columns on pilots, meetings and organisations

On SQLite the sync columns are added with plain ALTER TABLE ADD COLUMN (the foreign key inline):
batch mode would rebuild ``pilots`` and drop the full-text triggers of migration 0002.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


SYNCED = ("pilots", "meetings", "organisations")


def add_sync_columns(table: str) -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN source_id INTEGER REFERENCES sources (id)")
    else:
        op.add_column(table, sa.Column("source_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(f"fk_{table}_source_id_sources"), table, "sources", ["source_id"], ["id"])
    op.add_column(table, sa.Column("content_hash", sa.String(length=32), nullable=True))
    op.add_column(table, sa.Column("local_fields", sa.JSON(), nullable=False, server_default="[]"))
    op.create_index(f"uq_{table}_source_external", table, ["source_id", "external_id"], unique=True)


def _migration_0002() -> ModuleType:
    spec = importlib.util.spec_from_file_location("m0002", Path(__file__).with_name("0002_pilot_search.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def drop_sync_columns(table: str) -> None:
    op.drop_index(f"uq_{table}_source_external", table_name=table)
    if op.get_context().dialect.name == "sqlite":
        # SQLite (3.35+) drops a column only when no constraint names it: the foreign key does.
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("source_id")
        if table == "pilots":  # the rebuild dropped the full-text triggers
            _migration_0002().create_sqlite_triggers()
    else:
        op.drop_constraint(op.f(f"fk_{table}_source_id_sources"), table, type_="foreignkey")
        op.drop_column(table, "source_id")
    op.drop_column(table, "content_hash")
    op.drop_column(table, "local_fields")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("allow_private", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("notify_failures", sa.Boolean(), nullable=False),
        sa.Column("schedule", sa.String(length=100), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("declared_in", sa.String(length=300), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_sources_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("key", name=op.f("uq_sources_key")),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index("ix_sources_due", ["enabled", "next_run_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sources_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "news_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("summary_nl", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("home_hub", sa.String(length=200), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("origin_url", sa.String(length=500), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("source_language", sa.String(length=2), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=32), nullable=True),
        sa.Column("local_fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_news_items_programme_id_programmes")
        ),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_news_items_source_id_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_items")),
        sa.UniqueConstraint("uid", name=op.f("uq_news_items_uid")),
    )
    with op.batch_alter_table("news_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_news_items_live_published_at",
            ["published_at", "id"],
            unique=False,
            postgresql_where=sa.text("withdrawn_at IS NULL"),
            sqlite_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_news_items_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index("uq_news_items_source_external", ["source_id", "external_id"], unique=True)

    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "partial",
                "failed",
                name="run_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "trigger",
            sa.Enum(
                "schedule",
                "manual",
                "command",
                name="run_trigger",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_sync_runs_source_id_sources"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index("ix_sync_runs_source_started_at", ["source_id", "started_at"], unique=False)
        batch_op.create_index("ix_sync_runs_status_heartbeat_at", ["status", "heartbeat_at"], unique=False)

    op.create_table(
        "sync_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sync_runs.id"], name=op.f("fk_sync_errors_run_id_sync_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_errors")),
    )
    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_errors_run_id"), ["run_id"], unique=False)

    for table in SYNCED:
        add_sync_columns(table)


def downgrade() -> None:
    for table in SYNCED:
        drop_sync_columns(table)

    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_errors_run_id"))

    op.drop_table("sync_errors")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_runs_status_heartbeat_at")
        batch_op.drop_index("ix_sync_runs_source_started_at")

    op.drop_table("sync_runs")
    with op.batch_alter_table("news_items", schema=None) as batch_op:
        batch_op.drop_index("uq_news_items_source_external")
        batch_op.drop_index(batch_op.f("ix_news_items_programme_id"))
        batch_op.drop_index(
            "ix_news_items_live_published_at",
            postgresql_where=sa.text("withdrawn_at IS NULL"),
            sqlite_where=sa.text("withdrawn_at IS NULL"),
        )

    op.drop_table("news_items")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_programme_id"))
        batch_op.drop_index("ix_sources_due")

    op.drop_table("sources")
