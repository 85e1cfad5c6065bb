"""Each unit's own report draft, one per accepted workbook.

Revision ID: 0008_unit_drafts
Revises: 0007_approval
"""
import sqlalchemy as sa
from alembic import op

import nianbao.db.models

revision = "0008_unit_drafts"
down_revision = "0007_approval"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("created_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("paths", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_unit_draft_cycle_id_cycle")),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"],
                                name=op.f("fk_unit_draft_submission_id_submission")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_draft")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_unit_draft_submission_id")),
    )
    op.create_index(op.f("ix_unit_draft_cycle_id"), "unit_draft", ["cycle_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unit_draft_cycle_id"), table_name="unit_draft")
    op.drop_table("unit_draft")
