"""
The set-based backfill (docs/decisions/0041) issues exactly what the row-by-row backfill issues.

The referee is the row-by-row write (every row through the event path's own merge and rules): over random
platform data on the demo catalog (recognitions with and without a condition, a capstone taken last, nested
programmes, learners who already have states and awards, retired and unknown learners, grades below 0 and above
1, completions with and without a grade), both runs give the same learner course states, the same awards with the
same evidence, and the same report. The database-made UUIDs are random version 4 UUIDs and the salts 32 random
hex digits, each distinct.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lms.djangoapps.grades.models import PersistentCourseGrade
from opaque_keys.edx.keys import CourseKey

from microdegree_xblock import api
from microdegree_xblock.api import backfill_windows
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.models import Award, LearnerCourseState, ProgramCourse, Recognition, RecognitionCondition

pytestmark = pytest.mark.django_db

DEMO = (Path(__file__).resolve().parents[2] / "lms_host" / "demo_programs.yaml").read_text(encoding="utf-8")
COURSES = re.findall(r"key: \"?(course-v1:[^\s\",}]+)", DEMO)
GRADED = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
# Grades as the LMS stores them: below 0 (refused), the thresholds and either side of them, above 1 (counted as 1).
PERCENTS = st.sampled_from([-0.2, 0.0, 0.3, 0.49, 0.5, 0.59, 0.6, 0.65, 0.6999, 0.7, 0.75, 0.8, 0.95, 1.0, 1.2])
BLOCKS = 8
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class Rollback(Exception):
    """Leaves an atomic block, undoing it."""


@st.composite
def platforms(draw):
    """Learners' grades, completions, earlier states and recorded conditions across the demo's courses."""
    learners = []
    for number in range(draw(st.integers(1, 4))):
        courses = draw(st.lists(st.sampled_from(COURSES), unique=True, max_size=6))
        learners.append({
            "retired": number == 3,
            "grades": {key: draw(PERCENTS) for key in courses if draw(st.integers(0, 4))},
            "blocks": {key: draw(st.integers(0, BLOCKS)) for key in courses if draw(st.booleans())},
            "state": {key: draw(PERCENTS.filter(lambda p: 0 <= p <= 1)) for key in courses
                      if draw(st.integers(0, 3)) == 0},
            "exam": draw(st.booleans()),
        })
    return learners, draw(st.booleans())


def _build(learners, unknown):
    User = get_user_model()
    exams = list(Recognition.objects.filter(slug__in=("uma-ects", "ust-ects")))
    for number, data in enumerate(learners):
        name = f"retired__user_{number}" if data["retired"] else f"learner{number}"
        user = User.objects.create_user(name, f"{name}@example.org", "pw")
        for key, percent in data["grades"].items():
            row = PersistentCourseGrade.objects.create(
                user_id=user.pk, course_id=CourseKey.from_string(key), percent_grade=percent, letter_grade="",
                grading_policy_hash="h", course_version="v1",
                passed_timestamp=GRADED - timedelta(days=number) if percent >= 0.5 else None)
            PersistentCourseGrade.objects.filter(pk=row.pk).update(modified=GRADED + timedelta(minutes=number))
        for key, count in data["blocks"].items():
            course = CourseKey.from_string(key)
            for block in range(count):
                done = BlockCompletion.objects.create(
                    user=user, context_key=course, completion=1.0 if block % 3 else 0.5,
                    block_key=course.make_usage_key("html", f"b{block}"))
                BlockCompletion.objects.filter(pk=done.pk).update(modified=GRADED + timedelta(hours=block))
        for key, percent in data["state"].items():
            LearnerCourseState.objects.create(user=user, course_key=CourseKey.from_string(key),
                                              best_percent=Decimal(str(percent)), best_percent_at=GRADED,
                                              best_percent_event="earlier")
        if data["exam"]:
            for exam in exams:
                for course in exam.courses.all():
                    RecognitionCondition.objects.create(
                        recognition=exam, user=user, course_key=course.course_key, passed=True,
                        taken_on=timezone.now().date(), recorded_at=timezone.now())
    if unknown:
        PersistentCourseGrade.objects.create(
            user_id=987654, course_id=CourseKey.from_string(COURSES[0]), percent_grade=0.9, letter_grade="",
            grading_policy_hash="h", course_version="v1")


def _run(capture, set_based):
    """A backfill (its after-commit work done); what it left: states, awards with their evidence, the report."""
    settings_ = {"MICRODEGREE_BACKFILL_SET_BASED": set_based}
    from django.test import override_settings  # pylint: disable=import-outside-toplevel

    with override_settings(**settings_), capture(execute=True):
        report = api.backfill()
    states = sorted(LearnerCourseState.objects.values_list(
        "user__username", "course_key", "best_percent", "best_percent_at", "best_percent_event", "best_completion",
        "best_completion_at", "best_completion_event", "first_passed_at"), key=str)
    awards = sorted(Award.objects.values_list(
        "user__username", "program__slug", "course_key", "kind", "rule", "evidence_value", "evidence_threshold",
        "evidence_event_type", "evidence_event_time", "generation", "private", "revoked_at"), key=str)
    made = list(Award.objects.values_list("uuid", "recipient_salt"))
    summary = (report.rows, report.states, report.unknown_users, report.error_count, dict(report.awards))
    return states, awards, summary, made


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(platforms())
def test_the_set_based_backfill_issues_what_the_row_by_row_backfill_issues(
        demo_catalog, completable, django_capture_on_commit_callbacks, case):
    learners, unknown = case
    results = []
    for set_based in (False, True):
        try:
            with transaction.atomic():
                _build(learners, unknown)
                results.append(_run(django_capture_on_commit_callbacks, set_based))
                raise Rollback
        except Rollback:
            pass
    (row_states, row_awards, row_report, _), (states, awards, report, made) = results
    assert states == row_states
    assert awards == row_awards
    assert report == row_report
    uuids, salts = [str(uuid) for uuid, _salt in made], [salt for _uuid, salt in made]
    assert all(UUID4.match(text) for text in uuids), uuids
    assert all(re.fullmatch(r"[0-9a-f]{32}", salt) for salt in salts), salts
    assert len(set(uuids)) == len(uuids) and len(set(salts)) == len(salts)


@pytest.fixture
def demo_catalog(db):  # pylint: disable=unused-argument
    return api.load_catalog(parse_catalog(DEMO))


@pytest.fixture
def completable(settings):
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {key: BLOCKS for key in COURSES[::2]}


def test_the_platform_tables_on_the_plugin_s_database_are_written_set_based(demo_catalog):
    assert backfill_windows.set_based()


def test_a_first_backfill_writes_a_window_in_a_few_statements(demo_catalog, django_capture_on_commit_callbacks):
    """
    On a first run the statements per window do not grow with its learners: no row goes through Python.

    (But a capstone taken last: whether the rest of its programme holds is asked per learner, as on the event path.)
    """
    counts = []
    courses = [key for key in COURSES if "Capstone" not in key]
    for learners in (1, 3, 30):  # the first warms the caches
        try:
            with transaction.atomic():
                _build([{"retired": False, "grades": {key: 0.8 for key in courses}, "blocks": {}, "state": {},
                         "exam": False}] * learners, unknown=False)
                with CaptureQueriesContext(transaction.get_connection()) as queries, \
                        django_capture_on_commit_callbacks(execute=False):
                    report = api.backfill()
                available = ProgramCourse.objects.filter(planned=False).exclude(
                    course_key__contains="Capstone").values("course_key").distinct().count()
                assert report.states == learners * available
                counts.append(len(queries))
                raise Rollback
        except Rollback:
            pass
    assert counts[1] == counts[2], counts
