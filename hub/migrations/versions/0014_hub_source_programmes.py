"""The programmes a source of kind "hub" may bring in (none until an administrator chooses them)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing peers bring nothing in until an administrator chooses their programmes: following
    # another hub's records of a programme is a decision nobody has taken for them yet.
    op.add_column("sources", sa.Column("peer_programmes", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("peer_programmes")
