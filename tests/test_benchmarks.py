"""
Benchmarks of the grade-event path and the progress API (``make bench`` prints the figures).

Under ``make test`` each runs once, as a plain test. The baseline is the same signal for a course in no program
(the cheapest possible receiver run); compare the others to it as ratios, since machines are noisy.
"""
from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model

from .conftest import VET, load_many_programs, send_grade

pytestmark = pytest.mark.django_db


def test_bench_grade_event_baseline_course_in_no_program(benchmark, catalog, learner):
    benchmark.group = "grade event"
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
