"""Fixtures for the web tests (on top of tests/conftest.py's app, client, make, lesson)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.client import ApiClient


@dataclass
class Work:
    """A teacher's class with one assignment and one enrolled student, logged in to the API."""

    teacher: Any
    classroom: Any
    assignment: Any
    student: Any
    api: ApiClient


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
