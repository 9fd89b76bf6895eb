"""dashboard indexes and the lexicon managed by admins

Dashboard: ix_dossiers_received_cover and ix_dossiers_finished_cover hold every column of the
received and finished tallies (they replace ix_dossiers_received_at and ix_dossiers_finished_at,
which start the same); ix_dossiers_open_due and ix_dossiers_open_unit index open dossiers that
can be late (partial), by due date for the late list and by unit for the "late now" tally (they
replace ix_dossiers_status_due_at). lexicon_entries, lexicon_audit: the lexicon admins edit at
/operator/lexicon. vocabulary_revision: bumped with every alias or lexicon change, so every
worker notices and reloads.

Revision ID: 0011
Revises: 0010
Create Date: 2027-02-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The same text as bot.db.models.OPEN_LATE_SQL (a migration keeps its own copy: it must not
# change when the models do).
OPEN_LATE_SQL = "status IN (1, 2, 4, 5, 6)"


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch_op:
        # Replaced by the partial indexes: only the dashboard's late figures used it.
        batch_op.drop_index("ix_dossiers_status_due_at")
        # Replaced by covering indexes that start with the same column.
        batch_op.drop_index("ix_dossiers_received_at")
        batch_op.drop_index("ix_dossiers_finished_at")
        batch_op.create_index(
            "ix_dossiers_received_cover", ["received_at", "agency_name", "channel"], unique=False
        )
        batch_op.create_index(
            "ix_dossiers_finished_cover",
            ["finished_at", "agency_name", "status", "due_at", "received_at", "result_delivery"],
            unique=False,
        )
        batch_op.create_index(
            "ix_dossiers_open_due",
            ["due_at", "code", "agency_name"],
            unique=False,
            sqlite_where=sa.text(OPEN_LATE_SQL),
            postgresql_where=sa.text(OPEN_LATE_SQL),
        )
        batch_op.create_index(
            "ix_dossiers_open_unit",
            ["agency_name", "due_at", "status"],
            unique=False,
            sqlite_where=sa.text(OPEN_LATE_SQL),
            postgresql_where=sa.text(OPEN_LATE_SQL),
        )
    op.create_table(
        "lexicon_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("phrase", sa.String(length=100), nullable=False),
        sa.Column("expansion", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("condition", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phrase", "condition", name="uq_lexicon_entries_phrase_condition"),
    )
    op.create_table(
        "lexicon_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=100), nullable=False),
        sa.Column("expansion", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("condition", sa.String(length=200), nullable=False),
        sa.Column("previous", sa.String(length=600), nullable=False),
        sa.Column("operator_name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lexicon_audit") as batch_op:
        batch_op.create_index("ix_lexicon_audit_at", ["at"], unique=False)
    op.create_table(
        "vocabulary_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("vocabulary_revision")
    with op.batch_alter_table("lexicon_audit") as batch_op:
        batch_op.drop_index("ix_lexicon_audit_at")
    op.drop_table("lexicon_audit")
    op.drop_table("lexicon_entries")
    with op.batch_alter_table("dossiers") as batch_op:
        batch_op.drop_index("ix_dossiers_open_unit")
        batch_op.drop_index("ix_dossiers_open_due")
        batch_op.drop_index("ix_dossiers_finished_cover")
        batch_op.drop_index("ix_dossiers_received_cover")
        batch_op.create_index("ix_dossiers_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_dossiers_finished_at", ["finished_at"], unique=False)
        batch_op.create_index("ix_dossiers_status_due_at", ["status", "due_at"], unique=False)
