"""Every decision an administrator takes (release, send back, approve, return a draft), by whom and when.

Revision ID: 0009_decisions
Revises: 0008_unit_drafts
"""
import sqlalchemy as sa
from alembic import op

import nianbao.db.models

revision = "0009_decisions"
down_revision = "0009_task_answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=20), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_decision_cycle_id_cycle")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    op.create_index(op.f("ix_decision_cycle_id"), "decision", ["cycle_id"], unique=False)
    op.create_index("ix_decision_subject", "decision", ["subject", "subject_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_decision_subject", table_name="decision")
    op.drop_index(op.f("ix_decision_cycle_id"), table_name="decision")
    op.drop_table("decision")
