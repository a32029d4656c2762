"""
Threads racing on one learner: every award exactly once, and the degree exactly once, whatever the interleaving.

Each thread has its own database connection (as LMS web and Celery workers do). Runs on SQLite (file database)
and, with MICRODEGREE_TEST_DB_URL, on MariaDB.
"""
from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from microdegree_xblock.data import ACHIEVEMENT, DEGREE
from microdegree_xblock.models import Award, LearnerCourseState

from .conftest import VET, send_grade

pytestmark = pytest.mark.django_db(transaction=True)


def race(jobs):
    """Run the jobs in threads released together; re-raise the first error."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.mark.parametrize("round_", range(3))
def test_racing_grade_events_give_each_award_and_the_degree_once(catalog, badge_events, round_):
    user = get_user_model().objects.create_user(f"racer{round_}", f"racer{round_}@example.org", "pw")

    def grades(course_key, percent):
        return lambda: [send_grade(user.pk, course_key, percent, send_robust=False) for _ in range(3)]

    race([grades(key, percent) for key in VET for percent in (0.7, 0.9)])

    awards = Award.objects.filter(user=user)
    assert sorted(str(a.course_key) for a in awards.filter(kind=ACHIEVEMENT)) == sorted(VET)
    assert awards.filter(kind=DEGREE).count() == 1
    sent = [b.uuid for b in badge_events.awarded if b.user.id == user.pk]
    assert sorted(sent) == sorted(str(a.uuid) for a in awards)  # one BADGE_AWARDED per award, no more
    # No event was lost: the best grade of every course is recorded.
    assert {float(s.best_percent) for s in LearnerCourseState.objects.filter(user=user)} == {0.9}


def test_racing_first_events_create_one_state(catalog):
    user = get_user_model().objects.create_user("first", "first@example.org", "pw")
    race([lambda p=p: send_grade(user.pk, VET[0], p, send_robust=False) for p in (0.1, 0.2, 0.3, 0.4, 0.65, 0.5)])
    state = LearnerCourseState.objects.get(user=user, course_key=VET[0])
    assert float(state.best_percent) == 0.65
    assert Award.objects.filter(user=user).count() == 1
