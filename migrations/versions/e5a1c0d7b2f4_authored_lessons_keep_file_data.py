"""authored lessons keep the data of a lesson file (what the checker reads, errors and all)
instead of a parsed lesson, so a draft can be saved while it has a problem; and a revision
number, so an edit made in another tab is not overwritten unseen

Revision ID: e5a1c0d7b2f4
Revises: d230b83383c8
Create Date: 2026-12-06 23:40:00

"""

import json

import sqlalchemy as sa
from alembic import op

from app.domain.lessons import Lesson, parse_lesson
from app.domain.lessons.export import lesson_data

# revision identifiers, used by Alembic.
revision = "e5a1c0d7b2f4"
down_revision = "d230b83383c8"
branch_labels = None
depends_on = None

_rows = sa.table("authored_lessons", sa.column("id", sa.Integer), sa.column("content", sa.Text))


def _convert(to_file: bool) -> None:
    conn = op.get_bind()
    for row_id, content in conn.execute(sa.select(_rows.c.id, _rows.c.content)).all():
        data = json.loads(content)
        if to_file:
            new = lesson_data(Lesson.from_dict(data))
        else:
            lesson, _ = parse_lesson(data, "draft")
            if lesson is None:  # a draft with an error has no parsed form: keep it as it is
                continue
            new = lesson.to_dict()
        conn.execute(
            _rows.update()
            .where(_rows.c.id == row_id)
            .values(content=json.dumps(new, ensure_ascii=False))
        )


def upgrade():
    with op.batch_alter_table("authored_lessons") as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))
    _convert(to_file=True)


def downgrade():
    _convert(to_file=False)
    with op.batch_alter_table("authored_lessons") as batch_op:
        batch_op.drop_column("revision")
