"""Saving an annotation: the hot path of every lesson page, and the one way a student's
annotation is made or changed (the API, the no-JavaScript form and the tests' seeders all call
``put_annotation``; deleting is ``services.delete_annotation``, and ``flask demo`` fills its
made-up class in bulk).

A whole class autosaves at once, so a save is built to do little and to hold the database's
write lock as briefly as possible. Everything that needs no lock happens first: CSRF, the rate
limit and validation against the lesson (a pure function; which lesson version an assignment
uses, and the lesson, are kept per worker). Then two statements, on SQLite in one short
transaction:

1. the *gate*: one query that says whether the session's login still holds (the user id and
   session version the signed cookie names: no user is loaded before it; and not on a
   one-time password, which must be replaced before any work is saved), whether that
   student is in the assignment's class (and the class not archived), whether their work is
   still open (not submitted, feedback not released) and what is stored under the
   annotation's id;
2. one ``INSERT ... ON CONFLICT DO NOTHING`` or one ``UPDATE ... WHERE version = <read>``.

A save that adds an annotation (a new one, or a deleted one brought back) needs room under
``ANNOTATIONS_MAX``: SQLite counts the student's kept ones in the same transaction, PostgreSQL
checks and adds one to their row of ``annotation_counts`` in the same statement (see
``statements``).

A concurrent save of the same id makes the INSERT do nothing or the UPDATE match no row, and
the save is decided again from the new state: a retry can never double a save, and no save
overwrites a version it did not read. The decisions are ``domain.annotations.plan_put``.

- ``statements``: the SQL, built once from the tables; ``Saved``, a stored annotation
- ``decide``: one attempt and what the gate's row decides about it (every database)
- ``backends``: the ``Backend`` shape, and which one runs a save
- ``sqlite``, ``postgres``: one backend per driver (SQLite's writers' queue; PostgreSQL's pool
  and its one-statement gate-and-write)
- ``put``: ``put_annotation``, the retry loop around them
"""

from .decide import NotMember, Student
from .put import check_member, put_annotation
from .statements import CONTENT, Saved

__all__ = ["CONTENT", "NotMember", "Saved", "Student", "check_member", "put_annotation"]
