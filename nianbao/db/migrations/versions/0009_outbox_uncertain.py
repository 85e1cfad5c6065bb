"""Outbox rows count the sends whose outcome is unknown (the server got the message and never answered).

Revision ID: 0009_outbox_uncertain
Revises: 0008_unit_drafts
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_outbox_uncertain"
down_revision = "0008_unit_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("uncertain_sends", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("uncertain_sends")
