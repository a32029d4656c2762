"""
Benchmarks of the grade-event path and the progress API (``make bench`` prints the figures, and each as a ratio).

Under ``make test`` each runs once, as a plain test. The grade events' baseline is openedx-events' own
``send_event`` with no receiver; the *limit* is that plus one raw upsert of one row (what any receiver that records
the grade must do at least). ``make bench`` prints every median as a ratio to its group's baseline, since machines
are noisy (tests/conftest.py).
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from openedx_events.learning.signals import PERSISTENT_GRADE_SUMMARY_CHANGED

from microdegree_xblock.models import LearnerCourseState

from .conftest import VET, load_many_programs, send_grade

pytestmark = pytest.mark.django_db


@contextmanager
def no_receivers():
    """openedx-events' signal with no receiver connected: what sending the event costs by itself."""
    with patch.object(PERSISTENT_GRADE_SUMMARY_CHANGED, "receivers", []):
        PERSISTENT_GRADE_SUMMARY_CHANGED.sender_receivers_cache.clear()
        yield
    PERSISTENT_GRADE_SUMMARY_CHANGED.sender_receivers_cache.clear()


def test_bench_grade_event_baseline_send_event_alone(benchmark, catalog, learner):
    benchmark.group = "grade event"
    with no_receivers():
        benchmark(send_grade, learner.pk, VET[0], 0.9)


def _raw_upsert(user_id: int, percent: float) -> None:
    table = LearnerCourseState._meta.db_table
    columns = "(user_id, course_key, best_percent, best_percent_event, best_completion_event, modified)"
    values = "VALUES (%s, %s, %s, '', '', %s)"
    if connection.vendor == "mysql":
        conflict = "ON DUPLICATE KEY UPDATE best_percent = VALUES(best_percent), modified = VALUES(modified)"
    else:
        conflict = ("ON CONFLICT (user_id, course_key) DO UPDATE SET best_percent = excluded.best_percent, "
                    "modified = excluded.modified")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} {columns} {values} {conflict}",
                       [user_id, VET[0], percent, timezone.now()])


def test_bench_grade_event_limit_send_event_and_one_raw_upsert(benchmark, catalog, learner):
    benchmark.group = "grade event"

    def limit():
        send_grade(learner.pk, VET[0], 0.3)
        _raw_upsert(learner.pk, 0.3)
    with no_receivers():
        benchmark(limit)


def test_bench_grade_event_course_in_no_program(benchmark, catalog, learner):
    benchmark.group = "grade event"
    send_grade(learner.pk, VET[0], 0.3)  # the process knows the catalog
    benchmark(send_grade, learner.pk, "course-v1:Other+Course+Run", 0.9)


def test_bench_grade_event_unchanged(benchmark, catalog, learner):
    benchmark.group = "grade event"
    send_grade(learner.pk, VET[0], 0.3)
    benchmark(send_grade, learner.pk, VET[0], 0.3)


def test_bench_grade_event_that_awards(benchmark, catalog, django_capture_on_commit_callbacks):
    benchmark.group = "grade event"
    users = itertools.count()

    def setup():
        n = next(users)
        user = get_user_model().objects.create_user(f"bench{n}", f"bench{n}@example.org", "pw")
        return (user.pk, VET[0], 0.9), {}

    with django_capture_on_commit_callbacks(execute=True):
        benchmark.pedantic(send_grade, setup=setup, rounds=30)


@pytest.mark.parametrize("programs", [1, 20])
def test_bench_progress_api(benchmark, client, learner, programs):
    benchmark.group = "progress API"
    load_many_programs(programs)
    for n in range(programs):
        send_grade(learner.pk, f"course-v1:Uni+AI_VET_I+P{n}", 0.9)
    client.force_login(learner)
    response = benchmark(client.get, "/microdegree/api/v1/progress/")
    assert len(response.json()["programs"]) == programs
