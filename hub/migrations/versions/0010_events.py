"""Events of the learning networks (action and inspiration days, Buyer-meets-Supplier events) and
the registrations of buyers and suppliers for them

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 10:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
LIVE = sa.text("cancelled_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "action_day",
                "inspiration_day",
                "buyer_meets_supplier",
                name="event_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("summary_nl", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("outcome_nl", sa.Text(), nullable=False),
        sa.Column("outcome_en", sa.Text(), nullable=False),
        sa.Column("starts_at", MOMENT, nullable=False),
        sa.Column("ends_at", MOMENT, nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("capacity_buyers", sa.Integer(), nullable=True),
        sa.Column("capacity_suppliers", sa.Integer(), nullable=True),
        sa.Column("registration_closes_at", MOMENT, nullable=True),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("home_hub", sa.String(length=200), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("origin_url", sa.String(length=500), nullable=True),
        sa.Column("withdrawn_at", MOMENT, nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("mirrored", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=True),
        sa.Column("created_at", MOMENT, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", MOMENT, server_default=sa.func.now(), nullable=False),
        sa.Column("source_language", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_events_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("uid", name=op.f("uq_events_uid")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_changes", ["mirrored", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_events_starts_at", ["starts_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "event_product_groups",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("product_group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_product_groups_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_group_id"],
            ["product_groups.id"],
            name=op.f("fk_event_product_groups_product_group_id_product_groups"),
        ),
        sa.PrimaryKeyConstraint("event_id", "product_group_id", name=op.f("pk_event_product_groups")),
    )
    with op.batch_alter_table("event_product_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_product_groups_product_group_id"), ["product_group_id"], unique=False
        )

    op.create_table(
        "event_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "side",
            sa.Enum(
                "buyer",
                "supplier",
                name="event_side",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("product_group_id", sa.Integer(), nullable=True),
        sa.Column("circular_offer", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("cancelled_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_registrations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_group_id"],
            ["product_groups.id"],
            name=op.f("fk_event_registrations_product_group_id_product_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_registrations")),
    )
    with op.batch_alter_table("event_registrations", schema=None) as batch_op:
        batch_op.create_index("ix_event_registrations_event_side", ["event_id", "side"], unique=False)
        batch_op.create_index(
            "uq_event_registrations_live",
            ["event_id", "email"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def downgrade() -> None:
    with op.batch_alter_table("event_registrations", schema=None) as batch_op:
        batch_op.drop_index("uq_event_registrations_live", sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.drop_index("ix_event_registrations_event_side")

    op.drop_table("event_registrations")
    with op.batch_alter_table("event_product_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_product_groups_product_group_id"))

    op.drop_table("event_product_groups")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_programme_id"))
        batch_op.drop_index("ix_events_starts_at")
        batch_op.drop_index("ix_events_changes")

    op.drop_table("events")
