"""
The completion share's denominator, counted as the LMS counts what a learner can see (docs/decisions/0004).

The LMS is the stand-in (lms_host/platform_stubs): a test publishes a course outline with staff-only content, a unit
for each of two cohorts, content released next century and the progress panel; ``get_course_blocks`` builds each
learner's own structure from it. Completions are saved through edx-completion's real model.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lms.djangoapps.course_blocks import api as course_blocks_api
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.block_structure import api as block_structure_api
from openedx.core.djangoapps.content.block_structure import outlines
from openedx.core.djangoapps.content.block_structure.models import BlockStructureModel
from openedx.core.djangoapps.content.block_structure.outlines import Block
from waffle.testutils import override_switch
from xblock.completable import XBlockCompletionMode

from microdegree_xblock import api, compat
from microdegree_xblock.block import MicrodegreeXBlock
from microdegree_xblock.data import PARTICIPATION
from microdegree_xblock.models import Award, LearnerCourseState

from .conftest import VET

pytestmark = pytest.mark.django_db

COURSE = CourseKey.from_string(VET[0])
COHORTS, GROUP_A, GROUP_B = 50, 1, 2  # a user partition (the course's cohorts) and two of its groups


def outline() -> list[Block]:
    """
    One week of the course: what each learner sees of it is in the comments.

    Group A sees a, b, later and for-a (4); group B sees a, b, later, b1, b2 and b3 (6); a learner in no group a, b
    and later (3); staff everything (8). The panel is never counted, and the staff-only unit's notes only for staff.
    """
    return [
        Block("course", "course", ("week",)),
        Block("chapter", "week", ("lessons",)),
        Block("sequential", "lessons", ("unit", "staff-unit", "b-unit")),
        Block("vertical", "unit", ("a", "b", "later", "for-a", "panel")),
        Block("html", "a"),
        Block("html", "b"),
        Block("video", "later", start=datetime(2099, 1, 1, tzinfo=UTC)),  # not released yet: counted, as the LMS does
        Block("problem", "for-a", group_access={COHORTS: [GROUP_A]}),
        Block("microdegree", "panel", completion_mode=XBlockCompletionMode.get_mode(MicrodegreeXBlock)),
        Block("vertical", "staff-unit", ("notes",), visible_to_staff_only=True),
        Block("html", "notes"),
        Block("vertical", "b-unit", ("b1", "b2", "b3"), group_access={COHORTS: [GROUP_B]}),
        Block("html", "b1"),
        Block("html", "b2"),
        Block("html", "b3"),
    ]


def without_b3() -> list[Block]:
    """The outline republished with one block of group B's unit removed."""
    blocks = [block for block in outline() if block.block_id != "b3"]
    return [Block("vertical", "b-unit", ("b1", "b2"), group_access={COHORTS: [GROUP_B]})
            if block.block_id == "b-unit" else block for block in blocks]


@pytest.fixture(autouse=True)
def lms(settings):
    """The stand-in LMS with the course published (version v1), no count overridden, completion tracking on."""
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {}
    outlines.clear()
    cache.clear()
    outlines.publish(COURSE, outline(), version="v1")
    with override_switch("completion.enable_completion_tracking", active=True):
        yield
    outlines.clear()
    cache.clear()


@pytest.fixture
def builds(monkeypatch):
    """The learners whose own course blocks the LMS built (the stand-in's ``get_course_blocks``, spied on)."""
    built = []
    real = course_blocks_api.get_course_blocks

    def spy(user, starting_block_usage_key, **kwargs):
        built.append(user.username)
        return real(user, starting_block_usage_key, **kwargs)

    monkeypatch.setattr(course_blocks_api, "get_course_blocks", spy)
    return built


@pytest.fixture
def anna(learner):
    outlines.assign_group(learner, COURSE, COHORTS, GROUP_A)
    return learner


@pytest.fixture
def ben(other_learner):
    outlines.assign_group(other_learner, COURSE, COHORTS, GROUP_B)
    return other_learner


def complete(user, block, value=1.0):
    return BlockCompletion.objects.submit_completion(user=user, block_key=COURSE.make_usage_key("html", block),
                                                     completion=value)


def best_completion(user):
    return LearnerCourseState.objects.get(user=user, course_key=VET[0]).best_completion


def test_half_of_what_the_learner_can_see_earns_participation(catalog, anna, django_capture_on_commit_callbacks):
    """Anna sees 4 of the 8 completable blocks; 2 of them are half (not a quarter, as every leaf would make it)."""
    with django_capture_on_commit_callbacks(execute=True):
        complete(anna, "a")
    assert best_completion(anna) == Decimal("0.25") and not Award.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        complete(anna, "b")
    award = Award.objects.get(user=anna)
    assert award.kind == PARTICIPATION
    assert award.evidence_value == Decimal("0.5") and award.evidence_threshold == Decimal("0.5")


def test_learners_in_other_groups_have_other_denominators(catalog, anna, ben, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for learner in (anna, ben):
            complete(learner, "a")
            complete(learner, "b")
    assert best_completion(anna) == Decimal("0.5")
    assert best_completion(ben) == Decimal("0.333333")  # 2 of 6, as the state keeps it (six places)
    assert list(Award.objects.values_list("user", flat=True)) == [anna.pk]
    with django_capture_on_commit_callbacks(execute=True):
        complete(ben, "b1")
    assert best_completion(ben) == Decimal("0.5") and Award.objects.filter(user=ben, kind=PARTICIPATION).exists()


def test_each_learner_counts_what_they_can_see(anna, ben):
    nobody = get_user_model().objects.create_user("carla", "carla@example.org", "pw")
    staff = get_user_model().objects.create_user("dora", "dora@example.org", "pw", is_staff=True)
    counts = {user.username: compat.get_completable_block_count(COURSE, user=user)
              for user in (anna, ben, nobody, staff)}
    # Content released later counts for everyone (the progress page counts it too); the panel for no one.
    assert counts == {"anna": 4, "ben": 6, "carla": 3, "dora": 8}


def test_without_a_learner_the_count_is_no_smaller_than_any_learners(anna, monkeypatch):
    """A backfill has no learner: the collected structure less staff-only content, once per course version."""
    loads = []
    real = block_structure_api.get_course_in_cache
    monkeypatch.setattr(block_structure_api, "get_course_in_cache", lambda key: loads.append(key) or real(key))
    assert compat.get_completable_block_count(COURSE) == 7
    assert compat.get_completable_block_count(COURSE) == 7
    assert loads == [COURSE]
    outlines.publish(COURSE, without_b3(), version="v2")
    assert compat.get_completable_block_count(COURSE) == 6
    assert loads == [COURSE, COURSE]


def test_the_count_is_built_once_per_learner_and_course_version(catalog, anna, ben, builds,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for block in ("a", "b", "later"):
            complete(anna, block)
        complete(ben, "a")
        complete(ben, "b")
    assert builds == ["anna", "ben"]

    outlines.publish(COURSE, outline(), version="v2")  # republished: the LMS collects the course again
    with django_capture_on_commit_callbacks(execute=True):
        complete(anna, "for-a")
    assert builds == ["anna", "ben", "anna"]
    assert best_completion(anna) == Decimal(1)


def test_a_cached_count_costs_no_query_of_its_own(catalog, anna, builds, settings, django_assert_num_queries):
    """
    With its count cached, a re-measure runs the same queries as with the count set in the settings.

    The stand-in's version record is in memory; the LMS's ``BlockStructureModel.get`` adds one indexed query. On
    PostgreSQL the state's read inside the test's transaction runs in a savepoint (two statements more).
    """
    savepoint = 2 if connection.vendor == "postgresql" else 0
    complete(anna, "a")
    api.refresh_completion(user_id=anna.pk, course_key=VET[0], event_type="test", user=anna)  # counts, records
    assert builds == ["anna"]
    # the learner's summed completions; their course state (meets no threshold)
    with django_assert_num_queries(2 + savepoint):
        api.refresh_completion(user_id=anna.pk, course_key=VET[0], event_type="test", user=anna)
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {VET[0]: 4}
    with CaptureQueriesContext(connection) as overridden:
        api.refresh_completion(user_id=anna.pk, course_key=VET[0], event_type="test", user=anna)
    assert len(overridden) == 2 + savepoint and builds == ["anna"]


def test_a_caller_without_the_user_object_gets_the_learners_own_count(catalog, anna, builds,
                                                                      django_assert_num_queries):
    complete(anna, "a")
    complete(anna, "b")
    result = api.refresh_completion(user_id=anna.pk, course_key=VET[0], event_type="manual")
    assert list(Award.objects.filter(uuid__in=result.awarded).values_list("kind", flat=True)) == [PARTICIPATION]
    assert builds == ["anna"]
    savepoint = 2 if connection.vendor == "postgresql" else 0  # the reads' savepoint in a transaction
    # the learner, their summed completions, their course state, their awards
    with django_assert_num_queries(4 + savepoint):
        api.refresh_completion(user_id=anna.pk, course_key=VET[0], event_type="manual")


def test_the_setting_overrides_the_lms_count(catalog, anna, builds, settings, django_capture_on_commit_callbacks):
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {VET[0]: 2}
    with django_capture_on_commit_callbacks(execute=True):
        complete(anna, "a")
    assert Award.objects.filter(user=anna, kind=PARTICIPATION).exists()
    assert builds == []
    assert compat.get_completable_block_count(COURSE) == 2


def test_a_failing_build_is_logged_and_records_nothing(catalog, anna, monkeypatch, caplog,
                                                       django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("modulestore unavailable")

    monkeypatch.setattr(course_blocks_api, "get_course_blocks", broken)
    with caplog.at_level(logging.INFO, logger="microdegree_xblock"), django_capture_on_commit_callbacks(execute=True):
        complete(anna, "a")
        complete(anna, "b")
    assert not LearnerCourseState.objects.exists()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all("could not count the completable blocks" in r.getMessage() for r in errors)
    assert all(r.exc_info and "modulestore unavailable" in str(r.exc_info[1]) for r in errors)

    monkeypatch.undo()  # nothing was cached: the next save counts
    with django_capture_on_commit_callbacks(execute=True):
        complete(anna, "later")
    assert best_completion(anna) == Decimal("0.75")


def test_a_failing_version_read_is_logged_and_records_nothing(catalog, anna, monkeypatch, caplog,
                                                              django_capture_on_commit_callbacks):
    def broken(cls, key):
        raise ConnectionError("database gone")

    monkeypatch.setattr(BlockStructureModel, "get", classmethod(broken))
    with caplog.at_level(logging.ERROR, logger="microdegree_xblock"), django_capture_on_commit_callbacks(execute=True):
        complete(anna, "a")
    assert not LearnerCourseState.objects.exists()
    assert "could not read the block structure version" in caplog.text


def test_a_course_the_lms_has_not_collected_is_not_counted(catalog, anna, builds, caplog,
                                                           django_capture_on_commit_callbacks):
    """Nothing is built on the save path then (the plugin never collects a course), and nothing is an error."""
    outlines.publish(COURSE, outline(), version="v1", collected=False)
    with caplog.at_level(logging.INFO, logger="microdegree_xblock"), django_capture_on_commit_callbacks(execute=True):
        complete(anna, "a")
    assert not LearnerCourseState.objects.exists() and builds == []
    assert "has no collected block structure" in caplog.text
    assert all(r.levelno < logging.WARNING for r in caplog.records)
    assert compat.get_completable_block_count(COURSE) is None


def test_the_panel_is_never_counted(anna):
    outlines.publish(COURSE, [
        Block("course", "course", ("unit",)),
        Block("vertical", "unit", ("panel", "text")),
        Block("microdegree", "panel", completion_mode=XBlockCompletionMode.get_mode(MicrodegreeXBlock)),
        Block("html", "text"),
    ], version="v3")
    assert compat.get_completable_block_count(COURSE, user=anna) == 1
    assert compat.get_completable_block_count(COURSE) == 1
