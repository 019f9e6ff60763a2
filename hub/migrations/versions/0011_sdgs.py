"""The Sustainable Development Goals each programme and pilot contributes to

Two new association tables (a goal is its UN number, 1-17; the names live in code, see
``hub.taxonomy.sdgs``). ``pilots`` and ``programmes`` are left as they are: a batch rebuild of
``pilots`` on SQLite would lose its full-text triggers.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NUMBER_CHECK = "sdg BETWEEN 1 AND 17"


def upgrade() -> None:
    op.create_table(
        "programme_sdgs",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("sdg", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(NUMBER_CHECK, name=op.f("ck_programme_sdgs_sdg_number")),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_sdgs_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("programme_id", "sdg", name=op.f("pk_programme_sdgs")),
    )
    op.create_table(
        "pilot_sdgs",
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("sdg", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(NUMBER_CHECK, name=op.f("ck_pilot_sdgs_sdg_number")),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name=op.f("fk_pilot_sdgs_pilot_id_pilots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pilot_id", "sdg", name=op.f("pk_pilot_sdgs")),
    )
    # Filtering the pilot list by goal walks this index (a new table: no rebuild of anything).
    op.create_index("ix_pilot_sdgs_sdg_pilot", "pilot_sdgs", ["sdg", "pilot_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pilot_sdgs_sdg_pilot", table_name="pilot_sdgs")
    op.drop_table("pilot_sdgs")
    op.drop_table("programme_sdgs")
