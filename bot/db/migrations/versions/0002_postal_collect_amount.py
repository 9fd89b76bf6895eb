"""postal_requests.collect_amount: the procedure fee agreed at confirmation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postal_requests") as batch_op:
        batch_op.add_column(sa.Column("collect_amount", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postal_requests") as batch_op:
        batch_op.drop_column("collect_amount")
