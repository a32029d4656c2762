"""
The backfill's batch writer stores exactly what the ORM stores: every field's value, each default made per row.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.forms.models import model_to_dict
from opaque_keys.edx.keys import CourseKey

from microdegree_xblock.api.bulk import insert_rows, new_state
from microdegree_xblock.data import ACHIEVEMENT, NewAward
from microdegree_xblock.models import Award, LearnerCourseState, Program

from ..conftest import BASICS

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# One instant, once in UTC and once in Berlin's summer time: stored alike.
GRADED = datetime(2021, 7, 4, 5, 6, 7, 891234, tzinfo=UTC)
GRADED_IN_BERLIN = GRADED.astimezone(BERLIN)
MADE_PER_ROW = {"id", "uuid", "recipient_salt"}


def _new_awards(users, program):
    key = CourseKey.from_string(BASICS)
    return [NewAward(user_id=user.pk, program_id=program.pk, course_key=key, kind=ACHIEVEMENT, issued_at=GRADED,
                     evidence_value=Decimal("0.712345"), evidence_threshold=Decimal("0.7"),
                     evidence_event_type="microdegree.backfill.persistent_grade",
                     evidence_event_time=GRADED_IN_BERLIN if n % 2 else GRADED)
            for n, user in enumerate(users)]


def test_awards_written_in_bulk_are_the_awards_the_orm_writes(catalog, learner, other_learner):
    program = Program.objects.get(slug="dr-med-ki")
    mine, theirs = _new_awards([learner, other_learner], program)
    uuids = insert_rows(Award, [mine, theirs], returning="uuid", prepared={})
    by_orm = Award.objects.create(**{**mine._asdict(), "kind": "participation"})
    stored = Award.objects.filter(kind=ACHIEVEMENT).order_by("pk")
    assert [award.uuid for award in stored] == uuids and all(isinstance(value, uuid.UUID) for value in uuids)
    expected = {key: value for key, value in model_to_dict(by_orm).items() if key not in MADE_PER_ROW}
    for award, user in zip(stored, (learner, other_learner), strict=True):
        written = {key: value for key, value in model_to_dict(award).items() if key not in MADE_PER_ROW}
        assert written == {**expected, "kind": ACHIEVEMENT, "user": user.pk}
        assert award.evidence_event_time == GRADED and award.evidence_value == Decimal("0.712345")
    first, second = stored
    assert first.uuid != second.uuid and first.recipient_salt != second.recipient_salt
    assert len(first.recipient_salt) == len(by_orm.recipient_salt)


def test_new_states_written_in_bulk_are_the_states_the_orm_writes(learner, other_learner):
    key = CourseKey.from_string(BASICS)
    fresh = new_state(learner.pk, key)
    fresh.best_percent, fresh.best_percent_at, fresh.best_percent_event = Decimal("0.650000"), GRADED_IN_BERLIN, "e"
    fresh.first_passed_at, fresh.modified = GRADED, GRADED
    insert_rows(LearnerCourseState, [fresh])
    by_orm = LearnerCourseState.objects.create(
        user_id=other_learner.pk, course_key=key, best_percent=Decimal("0.650000"), best_percent_at=GRADED,
        best_percent_event="e", first_passed_at=GRADED)
    written = LearnerCourseState.objects.get(user=learner)
    assert written.best_percent_at == by_orm.best_percent_at == GRADED
    assert {k: v for k, v in model_to_dict(written).items() if k not in {"id", "user"}} == {
        k: v for k, v in model_to_dict(by_orm).items() if k not in {"id", "user"}}
    assert written.course_key == key and written.best_completion is None and written.best_completion_event == ""


def test_nothing_to_insert_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Award, [], returning="uuid") == []
