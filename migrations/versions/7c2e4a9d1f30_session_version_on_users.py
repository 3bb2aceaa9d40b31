"""session version on users: logout, a password change or removal from a class ends every
session of that person on the server side

Revision ID: 7c2e4a9d1f30
Revises: 11539d6f6de9
Create Date: 2026-11-25 18:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "7c2e4a9d1f30"
down_revision = "11539d6f6de9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
