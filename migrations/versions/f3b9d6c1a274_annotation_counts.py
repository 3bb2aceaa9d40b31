"""At most how many annotations each student keeps on each assignment, for PostgreSQL's
ANNOTATIONS_MAX check

PostgreSQL's save checked the cap by counting the student's kept annotations in the statement
that makes a new one; until a vacuum marks the table's new pages all visible, that count
visits every kept row (a fifth of a save's throughput at 8 students). The save now checks one
row of this table and adds one to it in the same statement. No backfill: a save that finds no
row counts once and writes it.

Revision ID: f3b9d6c1a274
Revises: c4d8e2a61b07
Create Date: 2026-12-07 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "f3b9d6c1a274"
down_revision = "c4d8e2a61b07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "annotation_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("at_most", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_annotation_counts_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["users.id"],
            name=op.f("fk_annotation_counts_student_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_counts")),
        sa.UniqueConstraint("assignment_id", "student_id", name="one_count_per_student"),
    )
    op.create_index(
        op.f("ix_annotation_counts_student_id"), "annotation_counts", ["student_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_annotation_counts_student_id"), table_name="annotation_counts")
    op.drop_table("annotation_counts")
