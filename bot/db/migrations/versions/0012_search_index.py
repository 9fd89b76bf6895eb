"""stored, versioned search index

search_index: the catalogue's search index and cards, pickled and compressed by
bot/search_index.py, keyed by a format (code) and a revision (catalogue) so every start and
every worker loads it instead of re-indexing, and rebuilds it when either changes.
ix_procedures_updated_at: the revision's max(updated_at) without a scan of the procedures.

Revision ID: 0012
Revises: 0011
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_index",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.String(length=64), nullable=False),
        sa.Column("procedures", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("cards", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # max(updated_at), read by every start for the index's revision, without a table scan.
    with op.batch_alter_table("procedures") as batch_op:
        batch_op.create_index("ix_procedures_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("procedures") as batch_op:
        batch_op.drop_index("ix_procedures_updated_at")
    op.drop_table("search_index")
