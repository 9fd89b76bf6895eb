"""inbox: messenger updates written before the webhook answers, handled from the database

Revision ID: 0008
Revises: 0007
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("delivery_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "delivery_id"),
    )
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.create_index(
            "ix_inbox_pending",
            ["channel", "user_id", "id"],
            unique=False,
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )
        batch_op.create_index("ix_inbox_done", ["done_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.drop_index("ix_inbox_done")
        batch_op.drop_index("ix_inbox_pending")
    op.drop_table("inbox")
