"""Newsletters: subscriptions and what they follow, consent events, issues and their deliveries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column(
            "status",
            _enum("subscription_status", "pending", "confirmed", "unsubscribed", "bounced"),
            nullable=False,
        ),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("confirmed_at", MOMENT, nullable=True),
        sa.Column("unsubscribed_at", MOMENT, nullable=True),
        sa.Column("confirmation_sent_at", MOMENT, nullable=True),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("last_bounce_at", MOMENT, nullable=True),
    )
    op.create_index("ix_subscriptions_status", "subscriptions", ["status", "id"])
    op.create_table(
        "subscription_interests",
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "kind", _enum("interest_kind", "programme", "product_group", "community"), primary_key=True
        ),
        sa.Column("ref_id", sa.Integer(), primary_key=True),
    )
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
    )
    op.create_table(
        "newsletter_issues",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject_nl", sa.String(200), nullable=False),
        sa.Column("subject_en", sa.String(200), nullable=False),
        sa.Column("intro_nl", sa.Text(), nullable=False),
        sa.Column("intro_en", sa.Text(), nullable=False),
        sa.Column("since", MOMENT, nullable=False),
        sa.Column(
            "status",
            _enum("issue_status", "draft", "scheduled", "sending", "sent", "cancelled"),
            nullable=False,
        ),
        sa.Column("scheduled_for", MOMENT, nullable=True),
        sa.Column("started_at", MOMENT, nullable=True),
        sa.Column("finished_at", MOMENT, nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
    )
    op.create_index("ix_newsletter_issues_due", "newsletter_issues", ["status", "scheduled_for"])
    op.create_table(
        "newsletter_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "issue_id",
            sa.Integer(),
            sa.ForeignKey("newsletter_issues.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("status", _enum("delivery_status", "pending", "sent", "failed"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claimed_until", MOMENT, nullable=True),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.UniqueConstraint("issue_id", "subscription_id"),
    )
    op.create_index("ix_newsletter_deliveries_queue", "newsletter_deliveries", ["issue_id", "status", "id"])


def downgrade() -> None:
    for table in (
        "newsletter_deliveries",
        "newsletter_issues",
        "consent_events",
        "subscription_interests",
        "subscriptions",
    ):
        op.drop_table(table)
