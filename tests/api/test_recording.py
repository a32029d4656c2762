"""
``api.recording``, called directly: what is recorded, the evidence an award carries, and no error for the caller.

The receivers' side is in tests/test_handlers.py.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from microdegree_xblock import api
from microdegree_xblock.data import ACHIEVEMENT, PARTICIPATION
from microdegree_xblock.models import Award, LearnerCourseState
from tests.conftest import VET

pytestmark = pytest.mark.django_db

GRADE_EVENT = "org.openedx.learning.course.persistent_grade_summary.changed.v1"
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_grade_is_recorded_with_its_event_and_time(catalog, learner):
    result = api.record_grade(user_id=learner.pk, course_key=VET[0], percent=0.4, event_type=GRADE_EVENT,
                              event_time=MONDAY)
    assert result.in_program and result.state_changed and result.awarded == ()
    state = LearnerCourseState.objects.get(user=learner, course_key=VET[0])
    assert (state.best_percent, state.best_percent_at, state.best_percent_event) == (
        Decimal("0.4"), MONDAY, GRADE_EVENT)
    again = api.record_grade(user_id=learner.pk, course_key=VET[0], percent=0.3, event_type=GRADE_EVENT)
    assert again.in_program and not again.state_changed


def test_the_evidence_is_the_measurement_that_met_the_threshold(catalog, learner, settings):
    """A grade of 55 % on Monday; the threshold is lowered to 50 %; Tuesday's passing status issues the record."""
    api.record_grade(user_id=learner.pk, course_key=VET[0], percent=0.55, event_type=GRADE_EVENT, event_time=MONDAY)
    settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "0.5"
    result = api.record_passing_status(user_id=learner.pk, course_key=VET[0], is_passing=True,
                                       event_type="org.openedx.learning.course.passing.status.updated.v1",
                                       event_time=TUESDAY)
    (award,) = Award.objects.filter(user=learner)
    assert result.awarded == (str(award.uuid),) and award.kind == ACHIEVEMENT
    assert (award.evidence_value, award.evidence_threshold) == (Decimal("0.55"), Decimal("0.5"))
    assert (award.evidence_event_type, award.evidence_event_time) == (GRADE_EVENT, MONDAY)


def test_a_passing_status_alone_never_awards(catalog, learner):
    result = api.record_passing_status(user_id=learner.pk, course_key=VET[0], is_passing=True, event_type="passing")
    assert result.in_program and result.awarded == ()
    assert LearnerCourseState.objects.get(user=learner).first_passed_at is not None


def test_completion_earns_the_participation_confirmation(catalog, learner):
    api.record_completion(user_id=learner.pk, course_key=VET[0], completion=Decimal("0.5"), event_type="completion")
    (award,) = Award.objects.filter(user=learner)
    assert (award.kind, award.evidence_value, award.evidence_event_type) == (PARTICIPATION, Decimal("0.5"),
                                                                             "completion")


@pytest.mark.parametrize(("call", "value"), [
    (api.record_grade, {"percent": -0.5}),
    (api.record_grade, {"percent": "sixty"}),
    (api.record_grade, {"percent": None}),
    (api.record_grade, {"percent": True}),
    (api.record_completion, {"completion": -0.1}),
    (api.record_completion, {"completion": float("inf")}),
])
def test_a_malformed_value_is_dropped_naming_its_place(catalog, learner, caplog, call, value):
    what = "grade" if "percent" in value else "completion"
    with caplog.at_level(logging.WARNING, logger="microdegree_xblock"):
        result = call(user_id=learner.pk, course_key=VET[0], event_type="test.event", **value)
    assert not result.in_program and result.awarded == ()
    assert f"dropped {what} for user {learner.pk} in {VET[0]} from test.event" in caplog.text
    assert not LearnerCourseState.objects.exists()


def test_a_failure_is_logged_and_leaves_the_callers_transaction_usable(catalog, learner, settings, caplog):
    settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "sixty"  # fails inside the savepoint, after the state's upsert
    with transaction.atomic(), caplog.at_level(logging.ERROR, logger="microdegree_xblock"):
        result = api.record_grade(user_id=learner.pk, course_key=VET[0], percent=0.9, event_type=GRADE_EVENT)
        assert result.in_program and result.awarded == ()
        assert LearnerCourseState.objects.count() == 0  # the savepoint was rolled back, the transaction lives
    assert f"failed to record {GRADE_EVENT} for user {learner.pk} in {VET[0]}" in caplog.text


@pytest.mark.parametrize("percent", [1.2, 3, Decimal("1.000001")])
def test_a_grade_above_one_counts_as_the_full_grade(catalog, learner, percent, caplog):
    """The LMS does not cap extra credit or grade overrides: such a grade earns, as 1.0, with its event."""
    caplog.set_level("INFO", logger="microdegree_xblock.api.recording")
    result = api.record_grade(user_id=learner.pk, course_key=VET[0], percent=percent, event_type="override")
    award = Award.objects.get(uuid=result.awarded[0])
    assert (award.kind, award.evidence_value, award.evidence_event_type) == ("achievement", Decimal(1), "override")
    assert LearnerCourseState.objects.get(user=learner, course_key=VET[0]).best_percent == 1
    assert f"grade {percent} for user {learner.pk} in {VET[0]} from override counted as 1" in caplog.text


@pytest.mark.parametrize("percent", [float("inf"), float("nan"), Decimal("sNaN"), -0.1, "1.5", True])
def test_a_grade_that_is_no_number_at_most_one_is_still_dropped(catalog, learner, percent):
    result = api.record_grade(user_id=learner.pk, course_key=VET[0], percent=percent, event_type="bad")
    assert result.awarded == () and not LearnerCourseState.objects.filter(user=learner).exists()
