"""What each unit answered about the year's work plan tasks (sheet 重点任务落实情况), per submission.

Revision ID: 0009_task_answers
Revises: 0008_unit_drafts
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_task_answers"
down_revision = "0011_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_answer",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=True),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"],
                                name=op.f("fk_task_answer_submission_id_submission"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("submission_id", "task_id", name=op.f("pk_task_answer")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("task_answer")
