"""Participants: the participant role (per programme and organisation), invitations, sign-in links,
the entries participants log for review, and a pilot's progress and milestones

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
ROLES = ("admin", "coordinator", "moderator", "newsletter_editor")


def _roles_check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # role_grants: a participant's grant names its organisation; the role check admits the new role.
    with op.batch_alter_table("role_grants", recreate="always") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_role_grants_organisation_id_organisations"), "organisations", ["organisation_id"], ["id"]
        )
        batch.drop_constraint(op.f("uq_role_grants_user_id_role_programme_id_community_id"), type_="unique")
        batch.create_unique_constraint(
            "uq_role_grants_scope",
            ["user_id", "role", "programme_id", "community_id", "organisation_id"],
        )
        batch.drop_constraint(op.f("ck_role_grants_role_name"), type_="check")
        batch.create_check_constraint(op.f("ck_role_grants_role_name"), _roles_check((*ROLES, "participant")))

    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sign_in_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_links")),
        sa.UniqueConstraint("digest", name=op.f("uq_sign_in_links_digest")),
    )
    op.create_index(op.f("ix_sign_in_links_user_id"), "sign_in_links", ["user_id"])

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("accepted_at", MOMENT, nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["users.id"], name=op.f("fk_invitations_accepted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_invitations_invited_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_invitations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_invitations_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("digest", name=op.f("uq_invitations_digest")),
    )
    op.create_index(op.f("ix_invitations_programme_id"), "invitations", ["programme_id"])
    op.create_index(op.f("ix_invitations_organisation_id"), "invitations", ["organisation_id"])

    op.create_table(
        "participant_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("entry_kind", "pilot", "commitment", "supporting_action"), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column(
            "state", _enum("entry_state", "draft", "submitted", "returned", "published"), nullable=False
        ),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("submitted_at", MOMENT, nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_participant_entries_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_participant_entries_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_participant_entries_programme_id_programmes")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_participant_entries_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_entries")),
    )
    op.create_index(
        op.f("ix_participant_entries_organisation_id"), "participant_entries", ["organisation_id"]
    )
    op.create_index(
        "ix_participant_entries_review", "participant_entries", ["programme_id", "state", "submitted_at"]
    )
    op.create_index(
        "uq_participant_entries_open",
        "participant_entries",
        ["kind", "target_id"],
        unique=True,
        sqlite_where=sa.text("target_id IS NOT NULL AND state != 'published'"),
        postgresql_where=sa.text("target_id IS NOT NULL AND state != 'published'"),
    )

    op.create_table(
        "pilot_progress",
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name=op.f("ck_pilot_progress_percent_range")),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name=op.f("fk_pilot_progress_pilot_id_pilots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pilot_id", name=op.f("pk_pilot_progress")),
    )
    op.create_table(
        "pilot_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name=op.f("fk_pilot_milestones_pilot_id_pilots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_milestones")),
    )
    op.create_index(op.f("ix_pilot_milestones_pilot_id"), "pilot_milestones", ["pilot_id"])


def downgrade() -> None:
    op.drop_table("pilot_milestones")
    op.drop_table("pilot_progress")
    op.drop_table("participant_entries")
    op.drop_table("invitations")
    op.drop_table("sign_in_links")
    op.execute("DELETE FROM role_grants WHERE role = 'participant'")
    with op.batch_alter_table("role_grants", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_role_grants_role_name"), type_="check")
        batch.create_check_constraint(op.f("ck_role_grants_role_name"), _roles_check(ROLES))
        batch.drop_constraint("uq_role_grants_scope", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_role_grants_user_id_role_programme_id_community_id"),
            ["user_id", "role", "programme_id", "community_id"],
        )
        batch.drop_constraint(op.f("fk_role_grants_organisation_id_organisations"), type_="foreignkey")
        batch.drop_column("organisation_id")
