"""A cycle can be closed: it then refuses submissions.

Revision ID: 0006_cycle_closed
Revises: 0005_mail_failures
"""
import sqlalchemy as sa
from alembic import op

import nianbao.db.models

revision = "0006_cycle_closed"
down_revision = "0005_mail_failures"
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite has ADD and DROP COLUMN): a batch copy of a table other tables refer to
# would have to drop it, which SQLite's foreign keys refuse.
def upgrade() -> None:
    op.add_column("cycle", sa.Column("closed_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("cycle", "closed_at")
