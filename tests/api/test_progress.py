"""
``api.progress``: a learner's progress in every program and their awards, in a constant number of queries.
"""
from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from microdegree_xblock import api
from microdegree_xblock.data import EARNED, IN_PROGRESS, NOT_STARTED, PLANNED
from tests.conftest import BASICS, CLINICS, VET, load_many_programs, send_grade

pytestmark = pytest.mark.django_db


def _statuses(progress):
    return [c.status for c in progress.courses]


def test_an_anonymous_visitor_sees_every_program_and_no_progress(catalog, django_assert_num_queries):
    with django_assert_num_queries(6):  # the catalog alone: steps, programs, issuers, courses, recognitions x2
        progress = api.get_learner_progress(user_id=None)
    assert [p.program.id for p in progress] == ["ai-vet", "dr-med-ki"]
    assert _statuses(progress[1]) == [NOT_STARTED, NOT_STARTED, PLANNED]
    assert not any(p.has_progress for p in progress)


def test_statuses_hours_and_the_next_course(catalog, learner):
    send_grade(learner.pk, BASICS, 0.75)  # 0.7 needed: earned
    send_grade(learner.pk, CLINICS, 0.3)  # under way
    (med,) = api.get_learner_progress(user_id=learner.pk, program_id="dr-med-ki")
    assert _statuses(med) == [EARNED, IN_PROGRESS, PLANNED]
    assert (med.earned_count, med.required_count) == (1, 3)
    assert (med.hours_earned, med.hours_total) == (Decimal(21), Decimal(62))
    assert med.courses[0].percent == Decimal("0.75") and med.courses[0].achievement is not None
    assert med.next_course.course_key == CLINICS
    assert med.has_progress and med.degree is None


def test_a_grade_below_the_programs_own_threshold_is_under_way(catalog, learner):
    send_grade(learner.pk, BASICS, 0.65)  # the platform's 0.6 would earn; this program course asks 0.7
    (med,) = api.get_learner_progress(user_id=learner.pk, program_id="dr-med-ki")
    assert med.courses[0].status == IN_PROGRESS and med.courses[0].achievement is None


def test_one_learner_never_sees_anothers_progress(catalog, learner, other_learner):
    send_grade(other_learner.pk, VET[0], 0.9)
    (vet,) = api.get_learner_progress(user_id=learner.pk, program_id="ai-vet")
    assert _statuses(vet) == [NOT_STARTED] * 4
    assert api.get_learner_awards(user_id=learner.pk) == []


def test_a_revoked_record_does_not_count_but_the_degree_stays(revoked_member, learner):
    degree, member = revoked_member
    (mini,) = api.get_learner_progress(user_id=learner.pk, program_id="mini")
    assert mini.degree is not None and mini.degree.id == degree.id  # earned for good
    assert mini.courses[0].status != EARNED and mini.courses[0].achievement is None
    assert mini.earned_count == 2
    held = {a.id: a for a in api.get_learner_awards(user_id=learner.pk)}
    assert held[member.id].is_revoked and held[member.id].revoked_reason == "Exam result annulled"


def test_nine_queries_whatever_the_number_of_programs(db, learner, django_assert_num_queries):
    load_many_programs(2)
    send_grade(learner.pk, "course-v1:Uni+AI_VET_I+P0", 0.9)
    with django_assert_num_queries(9):
        api.get_learner_progress(user_id=learner.pk)
    load_many_programs(20)
    with django_assert_num_queries(9):
        assert len(api.get_learner_progress(user_id=learner.pk)) == 20


def test_awards_oldest_first_revoked_included(catalog, learner):
    send_grade(learner.pk, VET[0], 0.9)
    send_grade(learner.pk, VET[1], 0.9)
    first, second = api.get_learner_awards(user_id=learner.pk)
    assert (first.course_key, second.course_key) == (VET[0], VET[1])
    api.revoke_award(award_id=first.id, reason="test")
    assert [a.is_revoked for a in api.get_learner_awards(user_id=learner.pk)] == [True, False]
    assert api.get_award(second.id) == second


@pytest.mark.parametrize("bad", ["", "not-a-uuid", str(uuid.uuid4()), uuid.uuid4()])
def test_an_unknown_award_is_a_named_error(db, bad):
    with pytest.raises(api.UnknownAward) as raised:
        api.get_award(bad)
    assert isinstance(raised.value, api.NotFound) and isinstance(raised.value, LookupError)
