"""The fee a dossier itself states (for collecting it on delivery); pushes in order per chat.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("fee_amount", sa.BigInteger(), nullable=True))
    op.create_index("ix_outbox_chat", "outbox", ["channel", "user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat", table_name="outbox")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("fee_amount")
