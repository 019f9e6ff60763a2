"""Communities of practice: memberships, join requests, proposals, registrations, close-outs, posts

Meetings gain a mode, an agenda in both languages and a capacity; the new tables are created whole.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
PENDING = sa.text("status = 'pending'")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _decision() -> list[sa.Column[object]]:
    """The columns a join request and a proposal share (``hub.communities.models.Decision``)."""
    return [
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("organisation_name", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("status", _enum("request_status", "pending", "accepted", "declined"), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("decided_at", MOMENT, nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("notified_at", MOMENT, nullable=True),
    ]


def _record() -> list[sa.Column[object]]:
    """The columns of ``hub.records.Record`` with its timestamps and source language."""
    return [
        sa.Column("uid", sa.String(36), nullable=False, unique=True),
        sa.Column("home_hub", sa.String(200), nullable=True),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("origin_url", sa.String(500), nullable=True),
        sa.Column("withdrawn_at", MOMENT, nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("mirrored", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=True),
        sa.Column("created_at", MOMENT, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", MOMENT, server_default=sa.func.now(), nullable=False),
        sa.Column("source_language", sa.String(2), nullable=False),
    ]


def _link(name: str, target: str, column: str) -> None:
    op.create_table(
        name,
        sa.Column(
            "closeout_id",
            sa.Integer(),
            sa.ForeignKey("meeting_closeouts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(column, sa.Integer(), sa.ForeignKey(f"{target}.id"), primary_key=True),
    )


def upgrade() -> None:
    # Meetings have no triggers to lose: batch mode may rebuild the table on SQLite, which cannot
    # add a column with a CHECK constraint (the mode's) by ALTER TABLE.
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(
            sa.Column(
                "mode",
                _enum("meeting_mode", "in_person", "online", "hybrid"),
                server_default="in_person",
                nullable=False,
            )
        )
        batch.add_column(sa.Column("agenda_nl", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("agenda_en", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("capacity", sa.Integer(), nullable=True))

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=False, index=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=True, index=True
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("organisation_name", sa.String(200), nullable=False),
        sa.Column("role", _enum("member_role", "member", "contact", "expert"), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.UniqueConstraint("community_id", "email"),
    )
    op.create_index("ix_memberships_email", "memberships", ["email"])

    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=False, index=True),
        sa.Column("message", sa.Text(), nullable=False),
        *_decision(),
    )
    op.create_index(
        "uq_join_requests_pending",
        "join_requests",
        ["community_id", "email"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )

    op.create_table(
        "community_proposals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("programme_id", sa.Integer(), sa.ForeignKey("programmes.id"), nullable=False, index=True),
        sa.Column("product_group_id", sa.Integer(), sa.ForeignKey("product_groups.id"), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=True),
        *_decision(),
    )

    op.create_table(
        "meeting_registrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("organisation_name", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.UniqueConstraint("meeting_id", "email"),
    )

    op.create_table(
        "meeting_closeouts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id"), nullable=False, unique=True),
        sa.Column("minutes_nl", sa.Text(), nullable=False),
        sa.Column("minutes_en", sa.Text(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("published_at", MOMENT, nullable=True),
        *_record(),
    )
    op.create_index("ix_meeting_closeouts_changes", "meeting_closeouts", ["mirrored", "updated_at", "id"])
    _link("closeout_organisations", "organisations", "organisation_id")
    _link("closeout_pilots", "pilots", "pilot_id")
    _link("closeout_lessons", "lessons", "lesson_id")

    op.create_table(
        "community_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=False),
        sa.Column("title_nl", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("body_nl", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("source_language", sa.String(2), nullable=False),
    )
    op.create_index("ix_community_posts_community", "community_posts", ["community_id", "created_at"])
    # A product group's page lists its lessons.
    op.create_index("ix_lessons_product_group_id", "lessons", ["product_group_id"])


def downgrade() -> None:
    op.drop_index("ix_lessons_product_group_id", table_name="lessons")
    for table in (
        "community_posts",
        "closeout_lessons",
        "closeout_pilots",
        "closeout_organisations",
        "meeting_closeouts",
        "meeting_registrations",
        "community_proposals",
        "join_requests",
        "memberships",
    ):
        op.drop_table(table)
    with op.batch_alter_table("meetings") as batch:
        batch.drop_constraint(op.f("ck_meetings_meeting_mode"), type_="check")
        for column in ("capacity", "agenda_en", "agenda_nl", "mode"):
            batch.drop_column(column)
