"""
A database error inside the grade receiver leaves the LMS's grading untouched; the award is recovered later.

The LMS sends ``PERSISTENT_GRADE_SUMMARY_CHANGED`` inside its own transaction, after writing the learner's
persistent grade. Here one of the plugin's statements fails for real in the database (its table name is swapped
for one that does not exist, so the database itself raises, as it would for a lost table, a dropped connection or a
failed migration). The LMS's transaction must go on and commit its grade, and the award must follow from the next
grade event, or from the backfill of the grades the LMS kept. Runs on every database of the suite: on PostgreSQL a
failed statement outside a savepoint would poison the LMS's transaction, so this shows every failing statement of
ours is inside one.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from lms.djangoapps.grades.models import PersistentCourseGrade
from opaque_keys.edx.keys import CourseKey

from microdegree_xblock import api
from microdegree_xblock.api.backfill import PLATFORM_GRADE_EVENT
from microdegree_xblock.data import ACHIEVEMENT
from microdegree_xblock.models import Award, LearnerCourseState

from .conftest import VET, send_grade

pytestmark = pytest.mark.django_db

STATE_TABLE = LearnerCourseState._meta.db_table
AWARD_TABLE = Award._meta.db_table


@contextmanager
def failing(table: str, verb: str) -> Iterator[list[str]]:
    """Every statement of the plugin that starts with ``verb`` and names ``table`` fails in the database."""
    failed: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(verb) and table in sql:
            failed.append(sql)
            sql = sql.replace(table, "microdegree_fault_injected")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield failed


def lms_grades(user, percent: float) -> None:
    """What the LMS's grades app does: write the persistent grade, send the event, go on in the same transaction."""
    key = CourseKey.from_string(VET[0])
    with transaction.atomic():
        grade = PersistentCourseGrade.objects.create(
            user_id=user.pk, course_id=key, percent_grade=percent, letter_grade="", grading_policy_hash="h",
            course_version="v1")
        send_grade(user.pk, VET[0], percent, send_robust=False)  # a receiver that raised would raise here
        PersistentCourseGrade.objects.filter(pk=grade.pk).update(letter_grade="Pass")  # the LMS goes on


FAULTS = [
    pytest.param(STATE_TABLE, "SELECT", id="reading the learner's state"),
    pytest.param(STATE_TABLE, "INSERT", id="creating the learner's state"),
    pytest.param(AWARD_TABLE, "INSERT", id="inserting the award"),
]


@pytest.mark.parametrize(("table", "verb"), FAULTS)
def test_a_failing_statement_leaves_the_lms_grade_and_the_next_event_recovers(catalog, learner, caplog, table, verb):
    with caplog.at_level(logging.ERROR, logger="microdegree_xblock"), failing(table, verb) as failed:
        lms_grades(learner, 0.9)
    assert failed, "the fault was not injected"
    # The LMS's transaction went on and committed its grade; the plugin logged the failure and kept nothing half.
    assert PersistentCourseGrade.objects.get(user_id=learner.pk).letter_grade == "Pass"
    assert "failed to record" in caplog.text
    assert not Award.objects.exists()
    # The next grade event (the LMS re-sends on every grade change) issues the award.
    send_grade(learner.pk, VET[0], 0.9)
    assert list(Award.objects.filter(user=learner).values_list("kind", flat=True)) == [ACHIEVEMENT]


@pytest.mark.parametrize(("table", "verb"), FAULTS)
def test_or_the_backfill_of_the_lms_grades_recovers_it(catalog, learner, table, verb):
    with failing(table, verb):
        lms_grades(learner, 0.9)
    assert not Award.objects.exists()
    report = api.backfill(program_ids=["ai-vet"])
    award = Award.objects.get(user=learner)
    assert report.awarded == 1 and award.kind == ACHIEVEMENT
    assert award.evidence_event_type == PLATFORM_GRADE_EVENT
