"""A draft is approved by an administrator before the leaders get it; who and when are kept.

Revision ID: 0007_approval
Revises: 0006_cycle_closed
"""
import sqlalchemy as sa
from alembic import op

import nianbao.db.models

revision = "0007_approval"
down_revision = "0006_cycle_closed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("draft", sa.Column("approved_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=True))
    op.add_column("draft", sa.Column("approved_by", sa.Text(), nullable=True))
    op.add_column("draft", sa.Column("comment", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("draft", "comment")
    op.drop_column("draft", "approved_by")
    op.drop_column("draft", "approved_at")
