"""An index of the annotations a student keeps (not deleted), for the ANNOTATIONS_MAX count

Every new annotation's save counts the student's kept annotations on the assignment. With
this partial index the count reads the index alone, not each row (to see whether it was
deleted), and it is bounded by the cap: a few hundred index entries at most.

Revision ID: c4d8e2a61b07
Revises: 9e4f7a2c5d18
Create Date: 2026-12-07 05:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "c4d8e2a61b07"
down_revision = "9e4f7a2c5d18"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_annotations_kept",
        "annotations",
        ["assignment_id", "student_id", "deleted_at"],  # SQLite: the index alone
        unique=False,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade():
    op.drop_index(
        "ix_annotations_kept",
        table_name="annotations",
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
