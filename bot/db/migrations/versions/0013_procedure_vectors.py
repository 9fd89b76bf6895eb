"""procedure vectors for the optional re-ranking by meaning

procedure_vectors: one embedding per procedure code, keyed by a digest of the embedded text and
the model (bot/semantic.py), so each text is embedded once and every worker reuses it.

Revision ID: 0013
Revises: 0012
Create Date: 2027-03-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "procedure_vectors",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("procedure_vectors")
