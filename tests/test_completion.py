"""
Participation confirmations from edx-completion's real ``BlockCompletion`` model and its saves.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from completion.models import BlockCompletion
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey
from waffle.testutils import override_switch

from microdegree_xblock import api
from microdegree_xblock.data import PARTICIPATION
from microdegree_xblock.handlers import COMPLETION_EVENT_TYPE
from microdegree_xblock.models import Award, LearnerCourseState

from .conftest import VET

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def completion_tracking(settings):
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {VET[0]: 4}
    with override_switch("completion.enable_completion_tracking", active=True):
        yield


def complete(user, course_key, block, value=1.0):
    usage_key = CourseKey.from_string(course_key).make_usage_key("html", block)
    return BlockCompletion.objects.submit_completion(user=user, block_key=usage_key, completion=value)


def test_half_the_content_accessed_earns_participation(catalog, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, VET[0], "a")
    assert not Award.objects.exists()
    assert LearnerCourseState.objects.get(user=learner).best_completion == Decimal("0.25")
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, VET[0], "b")
    award = Award.objects.get(user=learner)
    assert award.kind == PARTICIPATION
    assert award.evidence_value == Decimal("0.5") and award.evidence_threshold == Decimal("0.5")
    assert award.evidence_event_type == COMPLETION_EVENT_TYPE


def test_partial_block_completion_counts_partially(catalog, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, VET[0], "video", 0.5)
        complete(learner, VET[0], "a")
    assert LearnerCourseState.objects.get(user=learner).best_completion == Decimal("0.375")
    assert not Award.objects.exists()


def test_completion_is_measured_after_commit(catalog, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complete(learner, VET[0], "a")
        complete(learner, VET[0], "b")
    assert not LearnerCourseState.objects.exists()
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert Award.objects.filter(user=learner, kind=PARTICIPATION).count() == 1


def test_completion_in_a_course_in_no_program_costs_no_query(catalog, learner, django_capture_on_commit_callbacks):
    BlockCompletion.objects.create(  # warm up the model's own queries and the remembered program courses
        user=learner, context_key=CourseKey.from_string("course-v1:X+Y+Z"),
        block_key=CourseKey.from_string("course-v1:X+Y+Z").make_usage_key("html", "warm"), completion=1.0,
    )
    key = CourseKey.from_string("course-v1:Other+Course+Run")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        block = BlockCompletion(user=learner, context_key=key, block_key=key.make_usage_key("html", "x"),
                                completion=1.0, block_type="html")
        with CaptureQueriesContext(connection) as queries:
            from microdegree_xblock.handlers import block_completion_saved
            block_completion_saved(instance=block)
    assert len(queries) == 0 and callbacks == []


def test_unknown_course_size_records_nothing(catalog, learner, settings, django_capture_on_commit_callbacks):
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {}
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, VET[0], "a")
        complete(learner, VET[0], "b")
    assert not LearnerCourseState.objects.exists()


def test_completion_never_exceeds_one(catalog, learner, settings, django_capture_on_commit_callbacks):
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {VET[0]: 1}
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, VET[0], "a")
        complete(learner, VET[0], "b")
    assert LearnerCourseState.objects.get(user=learner).best_completion == Decimal("1")


def test_refresh_completion_api(catalog, learner):
    complete(learner, VET[0], "a")
    complete(learner, VET[0], "b")
    complete(learner, VET[0], "c")
    result = api.refresh_completion(user_id=learner.pk, course_key=VET[0], event_type="manual")
    assert len(result.awarded) == 1
    assert LearnerCourseState.objects.get(user=learner).best_completion == Decimal("0.75")
