"""Outbox rows may hold plain text composed at sending time instead of a stored .eml.

Revision ID: 0003_outbox_text
Revises: 0002_one_current
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_outbox_text"
down_revision = "0002_one_current"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=True)
        batch.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch.add_column(sa.Column("headers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("headers")
        batch.drop_column("body")
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=False)
