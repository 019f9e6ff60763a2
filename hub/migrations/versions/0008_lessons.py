"""Lessons: the pilots they come from (several), good-practice fields, attachments, sync; links
with their author and moment; dismissed suggestions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
TEXTS = ("resources", "evidence", "transfer")
LOCAL = sa.text("home_hub IS NULL")
ELSEWHERE = sa.text("home_hub IS NOT NULL")


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "lesson_pilots",
        sa.Column(
            "lesson_id", sa.Integer(), sa.ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("pilot_id", sa.Integer(), sa.ForeignKey("pilots.id"), primary_key=True),
    )
    op.create_index(op.f("ix_lesson_pilots_pilot_id"), "lesson_pilots", ["pilot_id"])
    op.execute(
        "INSERT INTO lesson_pilots (lesson_id, pilot_id) SELECT id, pilot_id FROM lessons "
        "WHERE pilot_id IS NOT NULL"
    )
    with op.batch_alter_table("lessons") as batch:
        batch.drop_index("ix_lessons_pilot_id")
        if not _sqlite():
            batch.drop_constraint("fk_lessons_pilot_id_pilots", type_="foreignkey")
        batch.drop_column("pilot_id")
        for name in TEXTS:
            for language in ("nl", "en"):
                batch.add_column(
                    sa.Column(f"{name}_{language}", sa.Text(), nullable=False, server_default="")
                )
        batch.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_lessons_source_id_sources"), "sources", ["source_id"], ["id"])
        batch.add_column(sa.Column("local_fields", sa.JSON(), nullable=False, server_default="[]"))
        batch.create_index("uq_lessons_source_external", ["source_id", "external_id"], unique=True)
        batch.create_index("ix_lessons_created_at", ["created_at"])

    op.create_table(
        "lesson_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lesson_id", sa.Integer(), sa.ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
    )
    op.create_index(op.f("ix_lesson_attachments_lesson_id"), "lesson_attachments", ["lesson_id"])

    with op.batch_alter_table("lesson_pilot_links") as batch:
        batch.drop_constraint("uq_lesson_pilot_links_lesson_id_pilot_id_kind", type_="unique")
        batch.add_column(sa.Column("made_by", sa.String(200), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("made_at", MOMENT, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP"))
        )
        batch.add_column(sa.Column("made_by_user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_lesson_pilot_links_made_by_user_id_users"),
            "users",
            ["made_by_user_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(
            "uq_lesson_pilot_links_local",
            ["lesson_id", "pilot_id", "kind"],
            unique=True,
            sqlite_where=LOCAL,
            postgresql_where=LOCAL,
        )
        batch.create_index(
            "uq_lesson_pilot_links_elsewhere",
            ["lesson_id", "pilot_id", "kind", "home_hub"],
            unique=True,
            sqlite_where=ELSEWHERE,
            postgresql_where=ELSEWHERE,
        )
    op.execute("UPDATE lesson_pilot_links SET made_at = created_at")

    op.create_table(
        "lesson_suggestion_dismissals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pilot_id", sa.Integer(), sa.ForeignKey("pilots.id", ondelete="CASCADE"), nullable=False),
        sa.Column("lesson_id", sa.Integer(), sa.ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "dismissed_by_user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("dismissed_at", MOMENT, nullable=False),
        sa.UniqueConstraint("pilot_id", "lesson_id"),
    )
    op.create_index(
        op.f("ix_lesson_suggestion_dismissals_lesson_id"), "lesson_suggestion_dismissals", ["lesson_id"]
    )


def downgrade() -> None:
    """Back to one origin pilot per lesson (the first) and one link per lesson, pilot and kind
    (this hub's, else the earliest)."""
    op.drop_table("lesson_suggestion_dismissals")
    op.execute(
        "DELETE FROM lesson_pilot_links WHERE id NOT IN (SELECT min(id) FROM lesson_pilot_links "
        "GROUP BY lesson_id, pilot_id, kind)"
    )
    with op.batch_alter_table("lesson_pilot_links") as batch:
        batch.drop_index("uq_lesson_pilot_links_elsewhere")
        batch.drop_index("uq_lesson_pilot_links_local")
        batch.drop_constraint(op.f("fk_lesson_pilot_links_made_by_user_id_users"), type_="foreignkey")
        for column in ("made_by_user_id", "made_at", "made_by"):
            batch.drop_column(column)
        batch.create_unique_constraint(
            "uq_lesson_pilot_links_lesson_id_pilot_id_kind", ["lesson_id", "pilot_id", "kind"]
        )
    op.drop_table("lesson_attachments")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_index("ix_lessons_created_at")
        batch.drop_index("uq_lessons_source_external")
        batch.drop_constraint(op.f("fk_lessons_source_id_sources"), type_="foreignkey")
        batch.drop_column("local_fields")
        batch.drop_column("source_id")
        for name in TEXTS:
            for language in ("nl", "en"):
                batch.drop_column(f"{name}_{language}")
        batch.add_column(sa.Column("pilot_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_lessons_pilot_id_pilots", "pilots", ["pilot_id"], ["id"])
        batch.create_index("ix_lessons_pilot_id", ["pilot_id"])
    op.execute(
        "UPDATE lessons SET pilot_id = (SELECT min(pilot_id) FROM lesson_pilots "
        "WHERE lesson_pilots.lesson_id = lessons.id)"
    )
    op.drop_table("lesson_pilots")
