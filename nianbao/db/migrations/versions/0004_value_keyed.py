"""Values keyed by (submission, indicator): the surrogate id and the two indexes beside it go; on SQLite
the table is stored in key order (WITHOUT ROWID).

Revision ID: 0004_value_keyed
Revises: 0003_outbox_text
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_value_keyed"
down_revision = "0003_outbox_text"
branch_labels = None
depends_on = None

COLUMNS = "submission_id, indicator_code, value, na, note"


def _columns(with_id: bool) -> list:
    key = not with_id
    return [*([sa.Column("id", sa.Integer(), nullable=False)] if with_id else []),
            sa.Column("submission_id", sa.Integer(), nullable=False, primary_key=key),
            sa.Column("indicator_code", sa.String(length=32), nullable=False, primary_key=key),
            sa.Column("value", sa.Float(), nullable=True),
            sa.Column("na", sa.Boolean(), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["submission_id"], ["submission.id"],
                                    name="fk_value_submission_id_submission", ondelete="CASCADE")]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # a table's storage is fixed at CREATE: copy it over
        op.create_table("value_new", *_columns(False), sa.PrimaryKeyConstraint("submission_id", "indicator_code",
                        name="pk_value"), sqlite_with_rowid=False)
        op.execute(f"INSERT INTO value_new ({COLUMNS}) SELECT {COLUMNS} FROM value")
        op.drop_table("value")
        op.rename_table("value_new", "value")
        return
    op.drop_index("ix_value_submission_id", table_name="value")
    op.drop_constraint("uq_value_submission_id_indicator_code", "value", type_="unique")
    op.drop_constraint("pk_value", "value", type_="primary")
    op.drop_column("value", "id")
    op.create_primary_key("pk_value", "value", ["submission_id", "indicator_code"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_table("value_old", *_columns(True), sa.PrimaryKeyConstraint("id", name="pk_value"),
                        sa.UniqueConstraint("submission_id", "indicator_code", name="uq_value_submission_id_indicator_code"))
        op.execute(f"INSERT INTO value_old ({COLUMNS}) SELECT {COLUMNS} FROM value")
        op.drop_table("value")
        op.rename_table("value_old", "value")
    else:
        op.drop_constraint("pk_value", "value", type_="primary")
        op.add_column("value", sa.Column("id", sa.Integer(), sa.Identity(), nullable=False))
        op.create_primary_key("pk_value", "value", ["id"])
        op.create_unique_constraint("uq_value_submission_id_indicator_code", "value", ["submission_id", "indicator_code"])
    op.create_index("ix_value_submission_id", "value", ["submission_id"])
