"""province profile: one-stop centre and commune desks

Revision ID: 0010
Revises: 0009
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "province_profile",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("province", sa.String(length=100), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("province_profile")
