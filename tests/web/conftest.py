"""Fixtures for the web tests (on top of tests/conftest.py's app, client, make, auth, lesson)."""

from __future__ import annotations

import pytest

from tests.web.helpers import ApiClient, Work


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def work(make, api) -> Work:
    teacher = make.teacher()
    classroom = make.classroom(teacher)
    assignment = make.assignment(classroom)
    student = make.student(classroom=classroom)
    api.login(student)
    return Work(teacher, classroom, assignment, student, api)
