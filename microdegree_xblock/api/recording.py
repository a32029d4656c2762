"""
Recording what the LMS observes (grades, completion, passing status) and issuing the course awards now due.

Invariants kept here:

* The learner's course state only ever improves ("best seen"), so late or out-of-order events change nothing.
* An award exists at most once per (learner, program, course, kind): the database constraint decides, and a
  concurrent duplicate insert is treated as "already awarded".
* Recording never raises into the caller's (the LMS's) transaction: errors are logged with context, the savepoint
  is rolled back, and the next event or ``reconcile`` completes the work.
* The work that follows new awards (signing, the degree check, ``BADGE_AWARDED``) runs after commit
  (:mod:`.effects`).
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Sum
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from .. import compat, conf, rules
from ..data import GradeSeen, LearnerState, RecordResult
from ..models import Award, LearnerCourseState
from ..rules.programs import due_recognitions
from ._internal import WRITE_ATTEMPTS, ProgramCourseRow, StoredState, parse_course_key, program_course_rows, read_state
from .awarding import due_awards, insert_awards, passed_conditions, read_held
from .effects import after_commit
from .requirements import capstone_ready

__all__ = ["at_most_one", "merge_observation", "record", "record_completion", "record_grade", "record_passing_status",
           "refresh_completion"]

AWARD_BATCH = 500

log = logging.getLogger(__name__)


def _observation(what: str, *, user_id: int, course_key: CourseKey | str, event_type: str,
                 event_time: datetime | None, passed: bool | None = None, **shares: object) -> GradeSeen | None:
    """
    The observation as plain data, each of ``shares`` (percent, completion) checked to be a share 0..1.

    None, logged with the learner, the course and the event, when anything in it is malformed.
    """
    try:
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            # Not int(): a user id of 7.9 or "7" is a malformed event, not learner 7's grade.
            raise TypeError(f"the user id must be a whole number, got {user_id!r}")
        return GradeSeen(
            user_id=user_id, course_key=str(parse_course_key(course_key)), event_type=event_type,
            event_time=event_time or timezone.now(), passed=passed,
            **{name: rules.to_share(value, name=name) for name, value in shares.items()},
        )
    except (TypeError, ValueError) as exc:
        log.warning("microdegree: dropped %s for user %s in %s from %s: %s", what, user_id, course_key, event_type,
                    exc)
        return None


def record_grade(
    *, user_id: int, course_key: CourseKey | str, percent: object, event_type: str, event_time: datetime | None = None
) -> RecordResult:
    """
    Record a learner's course grade (a share 0..1 of the graded points) and issue the awards now due.

    Idempotent: the same grade recorded again changes nothing. A lower grade than the best seen changes nothing.
    A grade above 1 (the LMS does not cap extra credit or overrides) counts as 1, the full grade. Never raises for
    bad data or database trouble: it logs and returns a result with nothing awarded.
    """
    seen = _observation("grade", user_id=user_id, course_key=course_key, event_type=event_type,
                        event_time=event_time, percent=at_most_one(percent, user_id, course_key, event_type))
    return record(seen) if seen else RecordResult(in_program=False)


def at_most_one(percent: object, user_id: object, course_key: object, event_type: str) -> object:
    """A grade above 1 as 1 (logged); anything else as it came, for :func:`_observation` to check."""
    if isinstance(percent, bool) or not isinstance(percent, (int, float, Decimal)):
        return percent
    try:
        above = percent > 1 and math.isfinite(percent)
    except (TypeError, ValueError, ArithmeticError):  # a signalling NaN Decimal
        return percent
    if above:
        log.info("microdegree: grade %s for user %s in %s from %s counted as 1", percent, user_id, course_key,
                 event_type)
        return Decimal(1)
    return percent


def record_completion(
    *, user_id: int, course_key: CourseKey | str, completion: object, event_type: str,
    event_time: datetime | None = None,
) -> RecordResult:
    """Record a learner's share (0..1) of the course content accessed, and issue the awards now due."""
    seen = _observation("completion", user_id=user_id, course_key=course_key, event_type=event_type,
                        event_time=event_time, completion=completion)
    return record(seen) if seen else RecordResult(in_program=False)


def record_passing_status(
    *, user_id: int, course_key: CourseKey | str, is_passing: bool, event_type: str, event_time: datetime | None = None
) -> RecordResult:
    """
    Record the LMS's own passing status of a course.

    Informational: it never grants an award by itself, because a course's passing cutoff is not the achievement
    threshold.
    """
    seen = _observation("passing status", user_id=user_id, course_key=course_key, event_type=event_type,
                        event_time=event_time, passed=bool(is_passing))
    return record(seen) if seen else RecordResult(in_program=False)


def refresh_completion(*, user_id: int, course_key: CourseKey | str, event_type: str,
                       event_time: datetime | None = None, user: object | None = None) -> RecordResult:
    """
    Measure a learner's completion of a course from the platform's completion records and record it.

    The share is the sum of the learner's block completions over the number of completable blocks of the course that
    the learner can see (see docs/decisions/0004-participation-from-completion.rst). Does nothing when either is
    unknown. ``user`` is the learner's user object when the caller holds it (a completion's own); else it is loaded.
    """
    key = parse_course_key(course_key)
    if user is None:
        user = get_user_model().objects.filter(pk=user_id).first()
    total = compat.get_completable_block_count(key, user=user)
    model = compat.get_block_completion_model()
    if not total or model is None:
        log.info("microdegree: completion of %s unknown (completable blocks: %s); not recorded", key, total)
        return RecordResult(in_program=True)
    done = model.objects.filter(user_id=user_id, context_key=key).aggregate(total=Sum("completion"))["total"] or 0
    share = min(Decimal(repr(float(done))) / Decimal(total), Decimal(1))
    return record_completion(user_id=user_id, course_key=key, completion=share, event_type=event_type,
                             event_time=event_time)


def _improves(state: LearnerCourseState | StoredState, seen: GradeSeen) -> bool:
    """Whether the observation would change the learner's state (a better value, or an earlier first pass)."""
    return (rules.better(state.best_percent, seen.percent) or rules.better(state.best_completion, seen.completion)
            or bool(seen.passed and (state.first_passed_at is None or seen.event_time < state.first_passed_at)))




def _nothing_due(state: LearnerCourseState | StoredState, courses: Sequence[ProgramCourseRow],
                 seen: GradeSeen) -> bool:
    """
    Whether no award is due from the state; the learner's awards are read only when the state meets a threshold.

    An award held only takes a kind off what is due, so a state that meets no threshold needs no read of them.
    """
    learner = LearnerState(best_percent=state.best_percent, best_completion=state.best_completion)
    defaults = conf.default_thresholds()

    def due(course: ProgramCourseRow, held: set[str]) -> bool:
        # A recognition with a condition is issued when its condition is recorded, or by the first observation
        # that raises the state to its threshold: an observation that raises nothing cannot make it due.
        return bool(rules.due_course_awards(course.rule(defaults), learner, held) or due_recognitions(
            [rec for rec in course.recognition_rules(defaults) if not rec.needs_condition], learner, held=held,
            conditions=set()))
    if not any(due(course, set()) for course in courses):
        return True
    held = read_held(seen.user_id, seen.course_key)
    return not any(due(course, held[course.program_pk]) for course in courses)


def record(seen: GradeSeen, *, thorough: bool = False) -> RecordResult:
    """
    Upsert the learner's course state and create the awards now due, all in one savepoint.

    The cheap cases first: a course in no program costs no query (the program courses are remembered per process);
    an observation that changes nothing and finds nothing due costs one read (two when the state meets a threshold:
    the learner's awards) and takes no lock. Only otherwise is
    the state locked and written, and the due awards inserted, under that lock. ``thorough`` (a reconcile run)
    takes the lock and decides everything, the recognitions whose condition was recorded included.
    """
    try:
        courses = program_course_rows(seen.course_key)
        if not courses:
            return RecordResult(in_program=False)
        if not thorough and _changes_nothing(seen, courses):
            return RecordResult(in_program=True)
        # Inside the caller's transaction a lost lock race poisons that transaction: no retry there.
        attempts = 1 if transaction.get_connection().in_atomic_block else WRITE_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                with transaction.atomic():
                    state, changed = _update_state(seen)
                    if state is None:
                        return RecordResult(in_program=True)
                    created = _create_due_awards(seen, state, courses)
                break
            except OperationalError:
                if attempt == attempts:
                    raise
                log.info("microdegree: lock conflict recording %s for user %s in %s, retrying (%s)",
                         seen.event_type, seen.user_id, seen.course_key, attempt)
                time.sleep(0.05 * attempt)
    except Exception:  # pylint: disable=broad-except
        # Never break the LMS's grading: log with context; the next event or a reconcile run completes the work.
        log.exception(
            "microdegree: failed to record %s for user %s in %s", seen.event_type, seen.user_id, seen.course_key
        )
        return RecordResult(in_program=True)
    if created:
        after_commit([award.pk for award in created])
    return RecordResult(in_program=True, state_changed=changed, awarded=tuple(str(a.uuid) for a in created))


def _changes_nothing(seen: GradeSeen, courses: Sequence[ProgramCourseRow]) -> bool:
    """
    Whether the observation improves nothing and finds nothing due, read without a lock.

    Best values only go up, so a state that this observation does not improve never will. On PostgreSQL a failed
    statement aborts the caller's (the LMS's) transaction, so there the reads run in a savepoint of their own; the
    other databases fail a statement alone.
    """
    connection = transaction.get_connection(LearnerCourseState.objects.db)
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with transaction.atomic(using=connection.alias):
            return _unimproved_and_nothing_due(seen, courses, connection)
    return _unimproved_and_nothing_due(seen, courses, connection)


def _unimproved_and_nothing_due(seen: GradeSeen, courses: Sequence[ProgramCourseRow], connection: object) -> bool:
    known = read_state(seen.user_id, seen.course_key, connection)
    return known is not None and not _improves(known, seen) and _nothing_due(known, courses, seen)


def _update_state(seen: GradeSeen) -> tuple[LearnerCourseState | None, bool]:
    """Lock (or create) the learner's course state and raise its best values; returns (state, changed)."""
    state = (LearnerCourseState.objects.select_for_update()
             .filter(user_id=seen.user_id, course_key=seen.course_key).first())
    if state is None:
        if not get_user_model().objects.filter(pk=seen.user_id).exists():
            log.warning("microdegree: %s for unknown user %s in %s dropped",
                        seen.event_type, seen.user_id, seen.course_key)
            return None, False
        try:
            with transaction.atomic():
                state = LearnerCourseState.objects.create(user_id=seen.user_id, course_key=seen.course_key)
        except IntegrityError:
            # Created concurrently by another worker: lock theirs.
            state = LearnerCourseState.objects.select_for_update().get(
                user_id=seen.user_id, course_key=seen.course_key
            )
    changed = merge_observation(state, seen)
    if changed:
        state.save(update_fields=[*changed, "modified"])
    return state, bool(changed)


def merge_observation(state: LearnerCourseState | SimpleNamespace, seen: GradeSeen) -> list[str]:
    """
    Raise a learner's course state by an observation, in memory; the names of the fields it changed.

    The one rule of "best seen", for the event path and the backfill alike: a better grade or completion replaces
    the stored one with its time and event type, and an earlier pass replaces the first pass.
    """
    changed = []
    if rules.better(state.best_percent, seen.percent):
        state.best_percent, state.best_percent_at = seen.percent, seen.event_time
        state.best_percent_event = seen.event_type
        changed += ["best_percent", "best_percent_at", "best_percent_event"]
    if rules.better(state.best_completion, seen.completion):
        state.best_completion, state.best_completion_at = seen.completion, seen.event_time
        state.best_completion_event = seen.event_type
        changed += ["best_completion", "best_completion_at", "best_completion_event"]
    if seen.passed and (state.first_passed_at is None or seen.event_time < state.first_passed_at):
        state.first_passed_at = seen.event_time
        changed.append("first_passed_at")
    return changed


def _create_due_awards(seen: GradeSeen, state: LearnerCourseState,
                       courses: Sequence[ProgramCourseRow]) -> list[Award]:
    """
    Insert the awards now due, under the lock of the learner's course state.

    Every award of a course is inserted here, by whoever holds that lock, so the kinds read under it are exact and
    the awards go in with one statement. Should the database still refuse one, the whole savepoint is rolled back
    and logged by :func:`record`; the next event completes the work.
    """
    held = read_held(seen.user_id, seen.course_key)
    conditions = passed_conditions(state, courses, held)

    def ready(course: ProgramCourseRow) -> bool:
        return capstone_ready(seen.user_id, course.program_pk, course.course_key)
    awards = [Award(**due._asdict()) for due in due_awards(state, courses, held, issued_at=timezone.now(),
                                                         conditions=conditions, ready=ready)]
    slugs = {course.program_pk: course.program_id for course in courses}
    for award in awards:
        log.info("microdegree: %s issued to user %s for %s in program %s",
                 award.kind, award.user_id, seen.course_key, slugs[award.program_id])
    return insert_awards(awards)





