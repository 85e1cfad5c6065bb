"""A mail keeps its own failures: attempts counted per mail, and when the bureau's server took a mail
beside when it was processed and what its sender's Date: header said.

Revision ID: 0005_mail_failures
Revises: 0004_value_keyed
"""
import sqlalchemy as sa
from alembic import op

import nianbao.db.models

revision = "0005_mail_failures"
down_revision = "0004_value_keyed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_failure",
        sa.Column("key", sa.String(600), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("first_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.Column("last_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_mail_failure")),
    )
    # Plain ALTER TABLE: a batch copy of a table others refer to would be refused by SQLite's foreign keys.
    op.add_column("inbound_message", sa.Column("processed_at", nianbao.db.models.AwareDateTime(timezone=True),
                                               nullable=True))
    op.add_column("inbound_message", sa.Column("date_header", nianbao.db.models.AwareDateTime(timezone=True),
                                               nullable=True))


def downgrade() -> None:
    op.drop_column("inbound_message", "date_header")
    op.drop_column("inbound_message", "processed_at")
    op.drop_table("mail_failure")
