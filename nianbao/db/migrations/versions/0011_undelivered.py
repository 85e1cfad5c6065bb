"""Bounces understood: each outbox message's Message-ID token, and the dead addresses of returned mail.

Revision ID: 0010_undelivered
Revises: 0009_automatic_mail
"""
import hashlib

import sqlalchemy as sa
from alembic import op

import nianbao.db.models

revision = "0010_undelivered"
down_revision = "0009_automatic_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox_message", sa.Column("id_token", sa.String(length=32), nullable=True))
    op.create_index(op.f("ix_outbox_message_id_token"), "outbox_message", ["id_token"], unique=False)
    outbox = sa.table("outbox_message", sa.column("id", sa.Integer), sa.column("key", sa.String),
                      sa.column("id_token", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.key)).all()
    for row_id, key in rows:  # the same digest as nianbao.mail.message.message_id_for
        conn.execute(outbox.update().where(outbox.c.id == row_id).values(
            id_token=hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]))
    op.create_table(
        "undelivered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("diagnostic", sa.Text(), nullable=False),
        sa.Column("message_pk", sa.Integer(), nullable=True),
        sa.Column("received_at", nianbao.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox_message.id"],
                                name=op.f("fk_undelivered_outbox_id_outbox_message")),
        sa.ForeignKeyConstraint(["unit_code"], ["unit.code"], name=op.f("fk_undelivered_unit_code_unit")),
        sa.ForeignKeyConstraint(["message_pk"], ["inbound_message.id"],
                                name=op.f("fk_undelivered_message_pk_inbound_message")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undelivered")),
        sa.UniqueConstraint("outbox_id", "address", name=op.f("uq_undelivered_outbox_id_address")),
    )
    op.create_index(op.f("ix_undelivered_unit_code"), "undelivered", ["unit_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_undelivered_unit_code"), table_name="undelivered")
    op.drop_table("undelivered")
    op.drop_index(op.f("ix_outbox_message_id_token"), table_name="outbox_message")
    op.drop_column("outbox_message", "id_token")
