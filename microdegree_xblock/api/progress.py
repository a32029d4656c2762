"""
The learner's side, read only: progress toward every program, and the awards held.

One implementation behind the REST progress API, the XBlock panel and the achievements page.
"""
from __future__ import annotations

import uuid
from decimal import Decimal

from .. import rules
from ..data import (
    ACHIEVEMENT,
    DEGREE,
    EARNED,
    PARTICIPATION,
    PLANNED,
    AwardInfo,
    CourseProgress,
    LearnerState,
    ProgramInfo,
    ProgramProgress,
)
from ..models import Award, LearnerCourseState
from ._internal import award_info, award_row, program_infos

__all__ = ["get_award", "get_learner_awards", "get_learner_progress"]

# An award's place in a learner's progress: (program id, course key or "" for a degree, kind).
AwardSlot = tuple[str, str, str]


def get_learner_awards(*, user_id: int) -> list[AwardInfo]:
    """Every award of a learner, revoked ones included, oldest first (one query)."""
    awards = Award.objects.filter(user_id=user_id).select_related("program").order_by("issued_at", "id")
    return [award_info(award) for award in awards]


def get_award(award_id: str | uuid.UUID) -> AwardInfo:
    """
    One award by its public id.

    Raises:
        UnknownAward: if the id is malformed or no award has it.
    """
    return award_info(award_row(award_id))


def _progress(program: ProgramInfo, states: dict[str, LearnerState], awards: dict[AwardSlot, AwardInfo]
              ) -> ProgramProgress:
    courses = []
    for course in program.courses:
        state = states.get(course.course_key)
        achievement = awards.get((program.id, course.course_key, ACHIEVEMENT))
        participation = awards.get((program.id, course.course_key, PARTICIPATION))
        status = rules.course_status(course.rule, state, achieved=achievement is not None)
        courses.append(CourseProgress(
            course=course,
            status=status,
            percent=state.best_percent if state else None,
            completion=state.best_completion if state else None,
            participation=participation,
            achievement=achievement,
        ))
    earned = [c for c in courses if c.status == EARNED]
    upcoming = [c.course for c in courses if c.status not in (EARNED, PLANNED)]
    return ProgramProgress(
        program=program,
        courses=tuple(courses),
        earned_count=len(earned),
        required_count=len(courses),
        hours_earned=sum((c.course.hours for c in earned), Decimal(0)),
        hours_total=program.hours_total,
        degree=awards.get((program.id, "", DEGREE)),
        next_course=upcoming[0] if upcoming else None,
    )


def get_learner_progress(*, user_id: int | None, program_id: str | None = None) -> list[ProgramProgress]:
    """
    A learner's progress in every program (or in one), in a constant number of queries (five).

    Revoked awards do not count as earned. ``user_id`` None (an anonymous visitor) gives every program with no
    progress. This is the one implementation behind the REST progress API, the XBlock panel and the learner's
    achievements page.
    """
    programs = program_infos(None if program_id is None else [program_id])
    if not programs:
        return []
    states: dict[str, LearnerState] = {}
    awards: dict[AwardSlot, AwardInfo] = {}
    if user_id is not None:
        course_keys = {course.course_key for program in programs for course in program.courses}
        for row in LearnerCourseState.objects.filter(user_id=user_id, course_key__in=list(course_keys)):
            states[str(row.course_key)] = LearnerState(best_percent=row.best_percent,
                                                       best_completion=row.best_completion)
        program_ids = [program.id for program in programs]
        for award in (Award.objects.filter(user_id=user_id, program__slug__in=program_ids, revoked_at__isnull=True)
                      .select_related("program")):
            info = award_info(award)
            awards[(info.program_id, info.course_key or "", info.kind)] = info
    return [_progress(program, states, awards) for program in programs]
