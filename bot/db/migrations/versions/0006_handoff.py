"""handoff_tickets, handoff_messages: a citizen talks to an officer

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("open_key", sa.String(length=96), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("in_office_hours", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=12), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
    )
    with op.batch_alter_table("handoff_tickets") as batch_op:
        batch_op.create_index(
            "ix_handoff_tickets_status_activity", ["status", "last_activity_at"], unique=False
        )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=12), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("operator_name", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["handoff_tickets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoff_messages") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_messages_ticket_id"), ["ticket_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_messages_ticket_id"))
    op.drop_table("handoff_messages")
    with op.batch_alter_table("handoff_tickets") as batch_op:
        batch_op.drop_index("ix_handoff_tickets_status_activity")
    op.drop_table("handoff_tickets")
