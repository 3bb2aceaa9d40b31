"""authored lessons: lessons teachers write in the browser, as drafts or published (pinned
as a lesson version), shared with other teachers on the server or not

Revision ID: d230b83383c8
Revises: 7c2e4a9d1f30
Create Date: 2026-12-06 20:48:13.937753

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd230b83383c8'
down_revision = '7c2e4a9d1f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('authored_lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('shared', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('published_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status = 'draft' OR published_version_id IS NOT NULL", name=op.f('ck_authored_lessons_published_has_version')),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_authored_lessons_status_known')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_authored_lessons_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_version_id'], ['lesson_versions.id'], name=op.f('fk_authored_lessons_published_version_id_lesson_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authored_lessons')),
    sa.UniqueConstraint('lesson_id', name=op.f('uq_authored_lessons_lesson_id'))
    )
    with op.batch_alter_table('authored_lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authored_lessons_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('authored_lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authored_lessons_owner_id'))

    op.drop_table('authored_lessons')