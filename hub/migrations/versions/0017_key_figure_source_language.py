"""A key figure's source carries its language: a cited publication keeps its title as published

Pages mark a source title in the other language than the page's (``lang``, and its language
named), as they mark every text shown in a language other than the page's.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("key_figures") as batch:
        batch.add_column(sa.Column("source_language", sa.String(2), nullable=False, server_default="nl"))


def downgrade() -> None:
    with op.batch_alter_table("key_figures") as batch:
        batch.drop_column("source_language")
