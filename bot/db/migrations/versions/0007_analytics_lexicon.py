"""question_log, procedure_aliases, procedure_alias_audit: bot analytics, aliases by admins

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("procedure_code", sa.String(length=40), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question_log") as batch_op:
        batch_op.create_index("ix_question_log_at", ["at"], unique=False)
    op.create_table(
        "procedure_aliases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "text", name="uq_procedure_aliases_code_text"),
    )
    op.create_table(
        "procedure_alias_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("operator_name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("procedure_alias_audit") as batch_op:
        batch_op.create_index("ix_procedure_alias_audit_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("procedure_alias_audit") as batch_op:
        batch_op.drop_index("ix_procedure_alias_audit_at")
    op.drop_table("procedure_alias_audit")
    op.drop_table("procedure_aliases")
    with op.batch_alter_table("question_log") as batch_op:
        batch_op.drop_index("ix_question_log_at")
    op.drop_table("question_log")
