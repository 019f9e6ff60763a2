"""The knowledge library (entries linked from pilots and lessons) and calls to join with the
interest visitors express

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 08:29:32.916399
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "library_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "webinar",
                "legal_qa",
                "toolbox",
                "document",
                name="library_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "tool_kind",
            sa.Enum(
                "template",
                "model_tender_text",
                "calculator",
                "guide",
                name="tool_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("body_nl", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("speakers", sa.String(length=500), nullable=False),
        sa.Column("product_group_id", sa.Integer(), nullable=True),
        sa.Column("strategy_id", sa.Integer(), nullable=True),
        sa.Column(
            "phase",
            sa.Enum(
                "needs_assessment",
                "market_dialogue",
                "tender",
                "award",
                "contract_management",
                "end_of_life",
                name="phase",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
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
            ["product_group_id"],
            ["product_groups.id"],
            name=op.f("fk_library_items_product_group_id_product_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_library_items_programme_id_programmes")
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"], ["strategies.id"], name=op.f("fk_library_items_strategy_id_strategies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_items")),
        sa.UniqueConstraint("uid", name=op.f("uq_library_items_uid")),
    )
    with op.batch_alter_table("library_items", schema=None) as batch_op:
        batch_op.create_index("ix_library_items_changes", ["mirrored", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_library_items_kind_created", ["kind", "created_at"], unique=False)
        batch_op.create_index("ix_library_items_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_library_items_product_group_id"), ["product_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_library_items_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=True),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("body_nl", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("closed_at", MOMENT, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("source_language", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_calls_created_by_id_users")),
        sa.ForeignKeyConstraint(["pilot_id"], ["pilots.id"], name=op.f("fk_calls_pilot_id_pilots")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_calls_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index("ix_calls_open", ["closed_at", "closes_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_pilot_id"), ["pilot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "library_item_lessons",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library_items.id"],
            name=op.f("fk_library_item_lessons_item_id_library_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_library_item_lessons_lesson_id_lessons")
        ),
        sa.PrimaryKeyConstraint("item_id", "lesson_id", name=op.f("pk_library_item_lessons")),
    )
    with op.batch_alter_table("library_item_lessons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_library_item_lessons_lesson_id"), ["lesson_id"], unique=False)

    op.create_table(
        "library_item_pilots",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library_items.id"],
            name=op.f("fk_library_item_pilots_item_id_library_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name=op.f("fk_library_item_pilots_pilot_id_pilots")
        ),
        sa.PrimaryKeyConstraint("item_id", "pilot_id", name=op.f("pk_library_item_pilots")),
    )
    with op.batch_alter_table("library_item_pilots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_library_item_pilots_pilot_id"), ["pilot_id"], unique=False)

    op.create_table(
        "call_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "procurer",
                "supplier",
                "facilitator",
                "expert",
                name="call_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("product_group_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("decided_at", MOMENT, nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("notified_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_interests_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_call_interests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_group_id"],
            ["product_groups.id"],
            name=op.f("fk_call_interests_product_group_id_product_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_interests")),
    )
    with op.batch_alter_table("call_interests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_interests_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            "uq_call_interests_pending",
            ["call_id", "email"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("call_interests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_call_interests_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_call_interests_call_id"))

    op.drop_table("call_interests")
    with op.batch_alter_table("library_item_pilots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_item_pilots_pilot_id"))

    op.drop_table("library_item_pilots")
    with op.batch_alter_table("library_item_lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_item_lessons_lesson_id"))

    op.drop_table("library_item_lessons")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calls_programme_id"))
        batch_op.drop_index(batch_op.f("ix_calls_pilot_id"))
        batch_op.drop_index("ix_calls_open")

    op.drop_table("calls")
    with op.batch_alter_table("library_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_items_programme_id"))
        batch_op.drop_index(batch_op.f("ix_library_items_product_group_id"))
        batch_op.drop_index("ix_library_items_created_at")
        batch_op.drop_index("ix_library_items_kind_created")
        batch_op.drop_index("ix_library_items_changes")

    op.drop_table("library_items")
