"""SIS ids per enrolment: a student's SIS user and login ids belong to their place in one
teacher's class, so one teacher's roster import never changes another teacher's exports

Each account's values are copied to each of its enrolments, then the account's columns go.
Downgrade puts them back on the account, from the student's first enrolment that has one.

Revision ID: a7c3e915d2b8
Revises: 4b8d2f6a9c13
Create Date: 2026-12-07 02:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e915d2b8"
down_revision = "4b8d2f6a9c13"
branch_labels = None
depends_on = None

COLUMNS = ("sis_user_id", "sis_login_id")


def _drop_columns(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place. A batch "move and copy" would drop the old
        # table, and with foreign keys on (as the app sets them) that deletes every row that
        # cascades from it (a user's classes, work and grades; an enrolment has none, but one
        # way for both tables).
        for column in COLUMNS:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        for column in COLUMNS:
            op.drop_column(table, column)


def upgrade():
    for column in COLUMNS:
        op.add_column("enrollments", sa.Column(column, sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE enrollments SET "
        "sis_user_id = (SELECT users.sis_user_id FROM users "
        "WHERE users.id = enrollments.student_id), "
        "sis_login_id = (SELECT users.sis_login_id FROM users "
        "WHERE users.id = enrollments.student_id)"
    )
    _drop_columns("users")


def downgrade():
    for column in COLUMNS:
        op.add_column("users", sa.Column(column, sa.String(length=64), nullable=True))
    for column in COLUMNS:
        # the value of the student's earliest enrolment that has one
        op.execute(
            f"UPDATE users SET {column} = (SELECT e.{column} FROM enrollments e "
            f"WHERE e.student_id = users.id AND e.{column} IS NOT NULL "
            "ORDER BY e.id LIMIT 1)"
        )
    _drop_columns("enrollments")
