"""catalogue content: English texts, source and checked date

Revision ID: 0009
Revises: 0008
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TEXTS = ("name_en", "agency_en", "summary_en", "source_url")


def upgrade() -> None:
    # Existing rows get "" through a temporary server default; the models declare none, so it
    # is dropped again (the schema then matches the models exactly).
    with op.batch_alter_table("procedures") as batch:
        for name in _TEXTS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("checked_on", sa.Date(), nullable=True))
    with op.batch_alter_table("procedures") as batch:
        for name in _TEXTS:
            batch.alter_column(name, existing_type=sa.Text(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("procedures") as batch:
        batch.drop_column("checked_on")
        for name in reversed(_TEXTS):
            batch.drop_column(name)
