"""Mails no person wrote (auto-replies, delivery reports, list mail) are marked, archived and counted.

Revision ID: 0009_automatic_mail
Revises: 0008_unit_drafts
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_automatic_mail"
down_revision = "0009_outbox_uncertain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbound_message", sa.Column("automatic", sa.String(length=30), nullable=True))


def downgrade() -> None:
    op.drop_column("inbound_message", "automatic")
