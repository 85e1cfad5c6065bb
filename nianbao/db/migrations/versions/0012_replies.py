"""Replies to nianbao's own mails (a leader's 同意 or edited draft, a clerk's question) kept as conversation.

Revision ID: 0011_replies
Revises: 0010_undelivered
"""
import sqlalchemy as sa
from alembic import op

import nianbao.db.models

revision = "0011_replies"
down_revision = "0010_undelivered"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_pk", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("sender", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("received_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_pk"], ["inbound_message.id"],
                                name=op.f("fk_reply_message_pk_inbound_message")),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox_message.id"], name=op.f("fk_reply_outbox_id_outbox_message")),
        sa.ForeignKeyConstraint(["unit_code"], ["unit.code"], name=op.f("fk_reply_unit_code_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply")),
        sa.UniqueConstraint("message_pk", name=op.f("uq_reply_message_pk")),
    )
    op.create_index(op.f("ix_reply_outbox_id"), "reply", ["outbox_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reply_outbox_id"), table_name="reply")
    op.drop_table("reply")
