"""operators, operator_sessions, operator_signin_failures; dossier indexes for the dashboard

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "operator_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("operator_sessions") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_sessions_operator_id"), ["operator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_operator_sessions_expires_at"), ["expires_at"], unique=False
        )
    op.create_table(
        "operator_signin_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("operator_signin_failures") as batch_op:
        batch_op.create_index("ix_operator_signin_failures_name_at", ["name", "at"], unique=False)
        batch_op.create_index(
            "ix_operator_signin_failures_client_at", ["client", "at"], unique=False
        )
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.create_index("ix_dossiers_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_dossiers_finished_at", ["finished_at"], unique=False)
        batch_op.create_index("ix_dossiers_status_due_at", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.drop_index("ix_dossiers_status_due_at")
        batch_op.drop_index("ix_dossiers_finished_at")
        batch_op.drop_index("ix_dossiers_received_at")
    with op.batch_alter_table("operator_signin_failures") as batch_op:
        batch_op.drop_index("ix_operator_signin_failures_client_at")
        batch_op.drop_index("ix_operator_signin_failures_name_at")
    op.drop_table("operator_signin_failures")
    with op.batch_alter_table("operator_sessions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_sessions_expires_at"))
        batch_op.drop_index(batch_op.f("ix_operator_sessions_operator_id"))
    op.drop_table("operator_sessions")
    op.drop_table("operators")
