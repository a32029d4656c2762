"""
The backfill: awards due from the platform's past grades and completions, issued as the event path issues them.

The platform's side is the LMS stand-in's tables, shaped like the LMS's.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lms.djangoapps.grades.models import PersistentCourseGrade
from opaque_keys.edx.keys import CourseKey

from microdegree_xblock import api
from microdegree_xblock.api.backfill import PLATFORM_COMPLETION_EVENT, PLATFORM_GRADE_EVENT
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.data import ACHIEVEMENT, DEGREE, PARTICIPATION
from microdegree_xblock.models import Award, BackfillRun, LearnerCourseState

from ..conftest import BASICS, CATALOG, CLINICS, VET, send_grade

pytestmark = pytest.mark.django_db

GRADED = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)


def grade(user, course_key, percent, *, passed=None, modified=GRADED):
    """A grade the LMS persisted (years before the program existed)."""
    row = PersistentCourseGrade.objects.create(
        user_id=user.pk, course_id=CourseKey.from_string(course_key), percent_grade=percent, letter_grade="",
        grading_policy_hash="h", course_version="v1", passed_timestamp=passed)
    PersistentCourseGrade.objects.filter(pk=row.pk).update(modified=modified)
    return row


def complete(user, course_key, blocks):
    for n in range(blocks):
        BlockCompletion.objects.create(
            user=user, context_key=CourseKey.from_string(course_key),
            block_key=CourseKey.from_string(course_key).make_usage_key("html", f"b{n}"), completion=1.0)


def learners(count, prefix="l"):
    return [get_user_model().objects.create_user(f"{prefix}{n}", f"{prefix}{n}@example.org", "pw")
            for n in range(count)]


def awards_of(user):
    return sorted((a.program.slug, str(a.course_key or ""), a.kind, a.evidence_value, a.evidence_threshold)
                  for a in Award.objects.filter(user=user).select_related("program"))


@pytest.fixture
def blocks(settings):
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {VET[0]: 4, BASICS: 10}


def test_learners_who_finished_before_the_program_existed_get_their_awards(
        db, learner, blocks, badge_events, django_capture_on_commit_callbacks):
    passed = GRADED - timedelta(days=1)
    grade(learner, BASICS, 0.82, passed=passed)
    grade(learner, CLINICS, 0.61)
    complete(learner, BASICS, 6)
    api.load_catalog(parse_catalog(CATALOG))  # the program comes later
    assert not Award.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        report = api.backfill()
    assert report.awards == {("dr-med-ki", ACHIEVEMENT): 2, ("dr-med-ki", PARTICIPATION): 1}
    basics = Award.objects.get(user=learner, course_key=CourseKey.from_string(BASICS), kind=ACHIEVEMENT)
    # The evidence is the platform's measurement: its grade, the program's threshold, when the LMS computed it.
    assert basics.evidence_value == Decimal("0.82") and basics.evidence_threshold == Decimal("0.7")
    assert basics.evidence_event_type == PLATFORM_GRADE_EVENT and basics.evidence_event_time == GRADED
    participation = Award.objects.get(user=learner, kind=PARTICIPATION)
    assert participation.evidence_value == Decimal("0.6")
    assert participation.evidence_event_type == PLATFORM_COMPLETION_EVENT
    state = LearnerCourseState.objects.get(user=learner, course_key=CourseKey.from_string(BASICS))
    assert state.first_passed_at == passed
    # After commit, as after an event: signed, announced, and no degree (Ethics is only planned).
    assert {b.uuid for b in badge_events.awarded} == {str(a.uuid) for a in Award.objects.all()}
    assert all(a.credentials.exists() for a in Award.objects.all())
    assert not Award.objects.filter(kind=DEGREE).exists()


def test_the_degree_follows_when_every_course_is_achieved(db, learner, django_capture_on_commit_callbacks):
    for key in VET:
        grade(learner, key, 0.9)
    api.load_catalog(parse_catalog(CATALOG))
    with django_capture_on_commit_callbacks(execute=True):
        api.backfill(program_ids=["ai-vet"])
    assert Award.objects.filter(user=learner, kind=DEGREE, program__slug="ai-vet").count() == 1


@pytest.mark.parametrize("percents", [(0.59, 0.6, 0.7, 1.0), (0.0, 0.6999, 0.70001, 0.95), (0.3, 0.61, 1.2, 0.2)])
def test_the_backfill_issues_what_the_event_path_issues(catalog, percents, django_capture_on_commit_callbacks):
    by_event, by_backfill = learners(2)
    for key, percent in zip((BASICS, CLINICS, VET[0], VET[1]), percents, strict=True):
        with django_capture_on_commit_callbacks(execute=True):
            send_grade(by_event.pk, key, percent)
        grade(by_backfill, key, percent)
    with django_capture_on_commit_callbacks(execute=True):
        api.backfill()
    assert awards_of(by_backfill) == awards_of(by_event)


def test_a_grade_above_one_counts_as_one(catalog, learner):
    grade(learner, VET[0], 1.25)
    api.backfill()
    award = Award.objects.get(user=learner)
    assert award.evidence_value == Decimal(1)


def test_a_lower_platform_grade_lowers_nothing(catalog, learner):
    send_grade(learner.pk, VET[0], 0.9)
    grade(learner, VET[0], 0.4)
    report = api.backfill()
    assert report.states == 0 and report.awarded == 0
    assert LearnerCourseState.objects.get(user=learner).best_percent == Decimal("0.9")


def test_running_it_twice_changes_nothing(catalog, blocks, django_capture_on_commit_callbacks):
    people = learners(5)
    for n, person in enumerate(people):
        grade(person, VET[0], 0.5 + n / 10)
        complete(person, VET[0], n)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.backfill()
    before = list(Award.objects.values_list("uuid", "issued_at").order_by("uuid"))
    states = list(LearnerCourseState.objects.values_list("pk", "modified").order_by("pk"))
    second = api.backfill()
    assert first.awarded > 0 and second.awarded == 0 and second.states == 0
    assert list(Award.objects.values_list("uuid", "issued_at").order_by("uuid")) == before
    assert list(LearnerCourseState.objects.values_list("pk", "modified").order_by("pk")) == states


def test_a_dry_run_counts_per_program_and_kind_and_writes_nothing(catalog, blocks):
    people = learners(4)
    for person in people:
        grade(person, BASICS, 0.75)
        grade(person, VET[0], 0.65)
    grade(people[0], VET[1], 0.2)
    dry = api.backfill(dry_run=True)
    assert not Award.objects.exists() and not LearnerCourseState.objects.exists()
    assert not BackfillRun.objects.exists()
    assert dry.awards == {("dr-med-ki", ACHIEVEMENT): 4, ("ai-vet", ACHIEVEMENT): 4}
    lines = api.describe_backfill(dry)
    assert "ai-vet achievement: 4 would issue" in lines and "dr-med-ki achievement: 4 would issue" in lines
    real = api.backfill()
    assert real.awards == dry.awards


class Interrupt(Exception):
    pass


class StopAfter:
    """A progress bar that interrupts the run after some batches (as Ctrl-C or a crash would)."""

    def __init__(self, batches):
        self.total, self.batches, self.rows = None, batches, 0

    def update(self, n=1):
        self.rows += n
        self.batches -= 1
        if self.batches == 0:
            raise Interrupt


def test_an_interrupted_run_resumes_after_its_last_batch(catalog):
    people = learners(30)
    for person in people:
        grade(person, VET[0], 0.8)
    with pytest.raises(Interrupt):
        api.backfill(batch_size=8, progress=StopAfter(2))
    run = BackfillRun.objects.get()
    done = Award.objects.count()
    assert 0 < done < 30 and run.cursor is not None and run.finished_at is None
    counted = StopAfter(-1)
    resumed = api.backfill(batch_size=8, progress=counted)
    assert resumed.resumed_after == run.cursor
    # Only what was left is read again, and every learner has exactly one award.
    assert counted.rows == 30 - run.rows_read
    assert Award.objects.count() == 30 and resumed.awarded == 30 - done
    run.refresh_from_db()
    assert run.finished_at is not None and run.cursor is None and run.awards_issued == 30 and run.rows_read == 30
    assert api.backfill(batch_size=8).awarded == 0  # a finished run starts over, and finds nothing to do


def test_the_scope_programs_courses_and_learners(catalog, learner, other_learner):
    for person in (learner, other_learner):
        grade(person, VET[0], 0.9)
        grade(person, BASICS, 0.9)
    assert api.backfill(program_ids=["ai-vet"], user_ids=[learner.pk]).awards == {("ai-vet", ACHIEVEMENT): 1}
    assert api.backfill(course_keys=[BASICS]).awards == {("dr-med-ki", ACHIEVEMENT): 2}
    assert api.backfill().awards == {("ai-vet", ACHIEVEMENT): 1}
    with pytest.raises(ValueError, match="no program with the id nope"):
        api.backfill(program_ids=["nope"])
    with pytest.raises(ValueError, match="is not an available course of a program"):
        api.backfill(course_keys=["course-v1:Other+Course+1"])
    with pytest.raises(ValueError, match="not a valid course key"):
        api.backfill(course_keys=["nonsense"])


def test_grades_of_courses_outside_programs_and_unknown_learners_are_skipped(catalog, learner):
    grade(learner, "course-v1:Other+Course+1", 0.9)
    PersistentCourseGrade.objects.create(user_id=987654, course_id=CourseKey.from_string(VET[0]),
                                         percent_grade=0.9, letter_grade="", grading_policy_hash="h")
    report = api.backfill()
    assert report.awarded == 0 and report.unknown_users == 1
    assert not LearnerCourseState.objects.exists()


def test_the_queries_per_batch_do_not_grow_with_the_batch(catalog):
    def queries(count, prefix):
        for person in learners(count, prefix):
            grade(person, VET[0], 0.9)
            grade(person, VET[1], 0.3)
        with CaptureQueriesContext(connection) as captured:
            api.backfill(batch_size=1000)
        statements = [query["sql"].split()[0].upper() for query in captured]
        return statements.count("SELECT"), len(statements) - statements.count("SELECT")

    queries(1, "w")  # the programme courses are then cached in the process, as on a warm worker
    few_reads, few_writes = queries(2, "a")
    many_reads, many_writes = queries(60, "b")
    # The same reads for 2 learners or 60; the writes are bulk: a statement per chunk the database takes
    # (SQLite binds at most 999 values in one statement), not one per learner.
    assert many_reads == few_reads
    assert many_writes <= few_writes + 3


def test_retiring_a_learner_forgets_them_in_an_unfinished_run(catalog):
    people = learners(6)
    for person in people:
        grade(person, VET[0], 0.8)
    with pytest.raises(Interrupt):
        api.backfill(batch_size=2, progress=StopAfter(1))
    run = BackfillRun.objects.get()
    named = run.cursor
    assert named in {person.pk for person in people}
    get_user_model().objects.filter(pk=named).update(username=f"retired__user_{named}")  # as the LMS retires
    api.retire_user(user_id=named)
    run.refresh_from_db()
    assert run.cursor != named
    api.backfill(batch_size=2)
    assert Award.objects.count() == 5


def test_a_batch_logs_its_awards_in_one_line(catalog, caplog):
    for user in learners(3):
        grade(user, VET[0], 0.9)
    with caplog.at_level("INFO", logger="microdegree_xblock"):
        api.backfill()
    issued = [r.getMessage() for r in caplog.records if "issued" in r.getMessage()]
    assert issued == ["microdegree: backfill issued 3 achievement in program ai-vet"]


def test_recognitions_capstones_and_nested_degrees_come_from_the_platform_s_grades_too(
        db, learner, django_capture_on_commit_callbacks):
    from pathlib import Path

    from django.utils import timezone

    from microdegree_xblock.models import Recognition, RecognitionCondition

    demo = (Path(__file__).resolve().parents[2] / "lms_host" / "demo_programs.yaml").read_text(encoding="utf-8")
    capstone, ethics = "course-v1:KI-Campus+KI_Bildung_Capstone+2025", "course-v1:KI-Campus+KI_Ethik+2025"
    vet = ["course-v1:UniMannheim+AI_VET_I+2024", "course-v1:UniMannheim+AI_VET_II+2024",
           "course-v1:UniStuttgart+AI_VET_III+2024", "course-v1:UniStuttgart+AI_VET_IV+2024"]
    for key in (BASICS, capstone, ethics, *vet):
        grade(learner, key, 0.8)
    api.load_catalog(parse_catalog(demo))
    RecognitionCondition.objects.create(recognition=Recognition.objects.get(slug="uma-ects"), user=learner,
                                        course_key=CourseKey.from_string(vet[0]), passed=True,
                                        taken_on=timezone.now().date(), recorded_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        report = api.backfill()
    held = {(a.program.slug, str(a.course_key or ""), a.kind, a.rule)
            for a in Award.objects.filter(user=learner, kind__in=("recognition", "degree")).select_related("program")}
    assert held == {("dr-med-ki", BASICS, "recognition", "lak-bw-cme"), ("ai-vet", vet[0], "recognition", "uma-ects"),
                    ("ai-vet", "", "degree", ""), ("ki-bildung", "", "degree", "")}
    assert report.awards[("dr-med-ki", "recognition")] == 1
    # The capstone's record came after the rest held: with the platform's grade as its evidence.
    record = Award.objects.get(user=learner, course_key=CourseKey.from_string(capstone), kind=ACHIEVEMENT)
    assert record.evidence_event_type == PLATFORM_GRADE_EVENT and record.evidence_value == Decimal("0.8")
