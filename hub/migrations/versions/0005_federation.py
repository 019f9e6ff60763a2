"""Federation: peer clients, the ``mirrored`` mark and a content hash on every record, change indexes

Every column is added with plain ALTER TABLE ADD COLUMN (on SQLite too: batch mode would rebuild
``pilots`` and drop the full-text triggers of migration 0002).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Every table of records, and those the publishing API reads in order of change.
RECORDS = (
    "programmes",
    "organisations",
    "participations",
    "commitments",
    "supporting_actions",
    "pilots",
    "communities",
    "meetings",
    "lessons",
    "lesson_pilot_links",
    "news_items",
)
PUBLISHED = tuple(table for table in RECORDS if table not in ("commitments", "news_items"))
# Tables with an Atom feed (newest changes first).
FEEDS = ("pilots", "lessons")
# Tables that had a content hash already (the synced ones, migration 0004).
HASHED = ("pilots", "meetings", "organisations", "news_items")


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_api_clients_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_clients_client_id")),
    )
    for table in RECORDS:
        op.add_column(table, sa.Column("mirrored", sa.Boolean(), nullable=False, server_default=sa.false()))
        if table not in HASHED:
            op.add_column(table, sa.Column("content_hash", sa.String(length=32), nullable=True))
    for table in PUBLISHED:
        op.create_index(f"ix_{table}_changes", table, ["mirrored", "updated_at", "id"])
    for table in FEEDS:
        op.create_index(f"ix_{table}_updated_at", table, ["updated_at"])


def downgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    for table in FEEDS:
        op.drop_index(f"ix_{table}_updated_at", table_name=table)
    for table in PUBLISHED:
        op.drop_index(f"ix_{table}_changes", table_name=table)
    for table in RECORDS:
        if table not in HASHED:
            op.drop_column(table, "content_hash")
        if sqlite:  # a column with a server default: SQLite (3.35+) drops it with a plain ALTER
            op.execute(f"ALTER TABLE {table} DROP COLUMN mirrored")
        else:
            op.drop_column(table, "mirrored")
    op.drop_table("api_clients")
