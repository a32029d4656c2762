"""
Where the rules' decision for one learner's course state becomes awards.

What is held, the recorded conditions, the awards due with their evidence, and their insert.

The one place for the event path (:mod:`.recording`), the backfill (:mod:`.backfill`) and the work after commit
(:mod:`.requirements`) alike, so that each issues exactly what the others would.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from types import SimpleNamespace

from .. import conf, rules
from ..data import ACHIEVEMENT, PARTICIPATION, RECOGNITION, LearnerState, NewAward, slot
from ..models import Award, LearnerCourseState, RecognitionCondition
from ..rules.programs import due_recognitions
from ._internal import ProgramCourseRow

__all__ = ["AWARD_BATCH", "due_awards", "insert_awards", "passed_conditions", "read_held"]

AWARD_BATCH = 500

def read_held(user_id: int, course_key: str) -> dict[int, set[str]]:
    """
    What the learner holds in this course, per program, as slots (``achievement``, ``recognition:lak-bw-cme``).

    Revoked and re-issued awards included, as they are never issued again.
    """
    held: dict[int, set[str]] = defaultdict(set)
    for program_pk, kind, rule in Award.objects.filter(user_id=user_id, course_key=course_key).values_list(
        "program_id", "kind", "rule"
    ):
        held[program_pk].add(slot(kind, rule))
    return held
def passed_conditions(state: LearnerCourseState | SimpleNamespace, courses: Sequence[ProgramCourseRow],
                      held: dict[int, set[str]]) -> set[int]:
    """
    The recognitions (pks) whose condition the learner passed in this course.

    Read only when one could be due: its threshold met by the state and not held (no query otherwise).
    """
    learner = LearnerState(best_percent=state.best_percent, best_completion=state.best_completion)
    defaults = conf.default_thresholds()
    wanted = [rec.pk for course in courses for rec in course.recognition_rules(defaults)
              if rec.needs_condition and slot(RECOGNITION, rec.rule) not in held[course.program_pk]
              and rules.meets(learner.best_percent, rec.threshold)]  # type: ignore[arg-type]
    if not wanted:
        return set()
    return set(RecognitionCondition.objects.filter(
        user_id=state.user_id, course_key=state.course_key, recognition_id__in=wanted, passed=True,
    ).values_list("recognition_id", flat=True))
def due_awards(state: LearnerCourseState | SimpleNamespace, courses: Sequence[ProgramCourseRow],
               held: dict[int, set[str]], *, issued_at: datetime, conditions: set[int] | frozenset[int] = frozenset(),
               ready: Callable[[ProgramCourseRow], bool] | None = None) -> list[NewAward]:
    """
    The awards due from a learner's course state and not yet held (per program), as plain data.

    The one place, for the event path and the backfill alike, where the rules' decision becomes awards with their
    evidence: the measurement that met the threshold, whichever event lets the award be issued (a re-sent grade,
    a passing status, a reconcile or backfill run). The platform's own awards and each outside body's recognition
    (``conditions``: the recognitions whose condition the learner passed here) are decided independently. A
    capstone taken last gets its record only when ``ready`` says the rest of its programme holds (asked only then).
    """
    learner = LearnerState(best_percent=state.best_percent, best_completion=state.best_completion)
    defaults = conf.default_thresholds()
    awards = []
    for course in courses:
        held_here = held[course.program_pk]
        if course.capstone_last and ACHIEVEMENT not in held_here and rules.meets(
                learner.best_percent, course.rule(defaults).achievement_threshold) and not (ready and ready(course)):
            held_here = held_here | {ACHIEVEMENT}  # not yet: the capstone's record waits until the rest holds
        dues = rules.due_course_awards(course.rule(defaults), learner, held_here)
        if not course.planned:
            dues += due_recognitions(course.recognition_rules(defaults), learner, held=held[course.program_pk],
                                     conditions={(pk, course.course_key) for pk in conditions})
        for due in dues:
            if due.kind == PARTICIPATION:
                measured_at, measured_by = state.best_completion_at, state.best_completion_event
            else:
                measured_at, measured_by = state.best_percent_at, state.best_percent_event
            awards.append(NewAward(
                user_id=state.user_id, program_id=course.program_pk, course_key=course.parsed_key,
                kind=due.kind, issued_at=issued_at, evidence_value=due.value, evidence_threshold=due.threshold,
                evidence_event_type=measured_by, evidence_event_time=measured_at, rule=due.rule,
            ))
    return awards
def insert_awards(awards: list[Award]) -> list[Award]:
    """Insert awards with one statement per batch; each comes back with its primary key."""
    if not awards:
        return []
    created = Award.objects.bulk_create(awards, batch_size=AWARD_BATCH)
    if any(award.pk is None for award in created):  # a database that returns no ids from a bulk insert
        pks = dict(Award.objects.filter(uuid__in=[a.uuid for a in created]).values_list("uuid", "pk"))
        for award in created:
            award.pk = pks[award.uuid]
    return created

