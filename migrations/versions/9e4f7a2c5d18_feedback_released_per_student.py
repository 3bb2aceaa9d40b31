"""Feedback released per student: released_at, feedback_seen_at and closed_by_release on
submissions, instead of released_at on assignments

A release now gives feedback to some students (those who submitted) or to all (closing the
work of those who had not submitted: a submission row made by the release, marked
``closed_by_release``); it can be undone while no student has opened their feedback, and one
student's work can be returned. Existing releases become a release to every student in the
class; as nobody recorded whether students opened them, they count as opened (so they can't
be undone, which is what they were).

Revision ID: 9e4f7a2c5d18
Revises: a7c3e915d2b8
Create Date: 2026-12-07 02:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "9e4f7a2c5d18"
down_revision = "a7c3e915d2b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("feedback_seen_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "closed_by_release", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    # the work of a student who had not submitted was closed by the release: it gets its row
    op.execute(
        "INSERT INTO submissions (assignment_id, student_id, submitted_at, closed_by_release) "
        "SELECT a.id, e.student_id, a.released_at, TRUE FROM assignments a "
        "JOIN enrollments e ON e.classroom_id = a.classroom_id "
        "WHERE a.released_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM submissions s "
        "WHERE s.assignment_id = a.id AND s.student_id = e.student_id)"
    )
    op.execute(
        "UPDATE submissions SET "
        "released_at = (SELECT a.released_at FROM assignments a WHERE a.id = assignment_id), "
        "feedback_seen_at = (SELECT a.released_at FROM assignments a WHERE a.id = assignment_id) "
        "WHERE assignment_id IN (SELECT id FROM assignments WHERE released_at IS NOT NULL)"
    )
    _drop("assignments", "released_at")


def downgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", sa.DateTime(), nullable=True))
    # the first release of any student becomes the class's release (the old schema had one)
    op.execute(
        "UPDATE assignments SET released_at = (SELECT MIN(s.released_at) FROM submissions s "
        "WHERE s.assignment_id = assignments.id)"
    )
    # before, a release closed unsubmitted work without a submission row
    op.execute("DELETE FROM submissions WHERE closed_by_release = TRUE")
    for column in ("closed_by_release", "feedback_seen_at", "released_at"):
        _drop("submissions", column)


def _drop(table: str, column: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops the column in place. A batch "move and copy" would drop the old
        # table, and with foreign keys on (as the app sets them) that deletes every row that
        # belongs to it through their cascades.
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)
