"""archived_at on assignments: a teacher archives one lesson of a class (students no longer
see it; nothing is deleted)

Revision ID: 4b8d2f6a9c13
Revises: e5a1c0d7b2f4
Create Date: 2026-12-07 00:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "4b8d2f6a9c13"
down_revision = "e5a1c0d7b2f4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops the column in place. A batch "move and copy" would drop the old
        # table, and with foreign keys on (as the app sets them) that deletes every
        # submission, annotation and grade of every assignment through their cascades.
        op.execute("ALTER TABLE assignments DROP COLUMN archived_at")
    else:
        op.drop_column("assignments", "archived_at")
