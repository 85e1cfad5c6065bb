"""At most one accepted submission per unit and cycle (partial unique index).

Revision ID: 0002_one_current
Revises: 7ca3a571bf25
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_one_current"
down_revision = "7ca3a571bf25"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_submission_current", "submission", ["cycle_id", "unit_code"], unique=True,
                    sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'"))


def downgrade() -> None:
    op.drop_index("uq_submission_current", table_name="submission")
