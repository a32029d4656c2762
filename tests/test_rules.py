"""
The award rules: pure functions over plain data.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from microdegree_xblock import rules
from microdegree_xblock.data import (
    ACHIEVEMENT,
    EARNED,
    IN_PROGRESS,
    NOT_STARTED,
    PARTICIPATION,
    PLANNED,
    CourseRule,
    LearnerState,
)
from microdegree_xblock.rules.tree import AllOf, Course, holds

D = Decimal


def rule(key="c1", *, planned=False, achievement="0.6", participation="0.5"):
    return CourseRule(course_key=key, planned=planned, achievement_threshold=D(achievement),
                      participation_threshold=D(participation))


@pytest.mark.parametrize("value,expected", [
    (0.6, True), (0.60, True), (0.6000001, True), (0.5999999999999999, True), (0.6 - 1e-12, True),
    (0.5999, False), (0.59999, False), (0.5999994, False), (0.0, False), (1.0, True),
    (D("0.6"), True), ("0.6", True), (D("0.599999"), False),
])
def test_threshold_comparison_at_sixty_percent(value, expected):
    assert rules.meets(rules.to_share(value), D("0.60")) is expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.01, 1.01, "x", None, True, [0.6], D("NaN")])
def test_impossible_shares_are_rejected_with_a_clear_error(bad):
    with pytest.raises(ValueError, match="between 0 and 1|finite number"):
        rules.to_share(bad)


def test_nothing_seen_meets_nothing():
    assert rules.meets(None, D("0.1")) is False
    assert rules.due_course_awards(rule(), LearnerState()) == []


def test_achievement_and_participation_are_decided_independently():
    due = rules.due_course_awards(rule(), LearnerState(best_percent=D("0.6"), best_completion=D("0.2")))
    assert [(d.kind, d.value, d.threshold) for d in due] == [(ACHIEVEMENT, D("0.6"), D("0.6"))]
    due = rules.due_course_awards(rule(), LearnerState(best_percent=D("0.1"), best_completion=D("0.5")))
    assert [d.kind for d in due] == [PARTICIPATION]
    due = rules.due_course_awards(rule(), LearnerState(best_percent=D("0.9"), best_completion=D("0.9")))
    assert [d.kind for d in due] == [PARTICIPATION, ACHIEVEMENT]


def test_held_awards_are_not_due_again():
    state = LearnerState(best_percent=D("0.9"), best_completion=D("0.9"))
    assert [d.kind for d in rules.due_course_awards(rule(), state, {ACHIEVEMENT})] == [PARTICIPATION]
    assert rules.due_course_awards(rule(), state, {ACHIEVEMENT, PARTICIPATION}) == []


def test_overridden_thresholds_apply():
    state = LearnerState(best_percent=D("0.65"), best_completion=D("0.65"))
    assert rules.due_course_awards(rule(achievement="0.7", participation="0.7"), state) == []


def test_planned_course_cannot_be_earned():
    state = LearnerState(best_percent=D("1"), best_completion=D("1"))
    assert rules.due_course_awards(rule(planned=True), state) == []


def test_degree_needs_every_course_achieved_and_available():
    courses = AllOf("p", (Course("a"), Course("b"), Course("c")))
    assert holds(courses, {"a", "b", "c"}, ()) is True
    assert holds(courses, {"a", "b"}, ()) is False
    assert holds(courses, {"a", "b", "c", "x"}, ()) is True
    assert holds(AllOf("p", (Course("a"), Course("b"), Course("c", planned=True))), {"a", "b", "c"}, ()) is False
    assert holds(AllOf("p", ()), set(), ()) is False


def test_course_status():
    assert rules.course_status(rule(planned=True), None, achieved=False) == PLANNED
    assert rules.course_status(rule(), None, achieved=True) == EARNED
    assert rules.course_status(rule(), LearnerState(best_percent=D("0.1")), achieved=False) == IN_PROGRESS
    assert rules.course_status(rule(), LearnerState(best_completion=D("0.1")), achieved=False) == IN_PROGRESS
    assert rules.course_status(rule(), LearnerState(best_percent=D("0")), achieved=False) == NOT_STARTED
    assert rules.course_status(rule(), None, achieved=False) == NOT_STARTED


def test_best_seen_only_goes_up():
    assert rules.better(None, D("0.1")) and rules.better(D("0.1"), D("0.2"))
    assert not rules.better(D("0.2"), D("0.1")) and not rules.better(D("0.2"), D("0.2"))
    assert not rules.better(D("0.2"), None)
