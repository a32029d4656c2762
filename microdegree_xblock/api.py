"""
The one public Python interface of the micro-degree plugin.

Receivers, REST views, the XBlock, the admin and the management commands call these functions; only this module
(and the pure rules and catalog modules it uses) touches the models.

Invariants kept here:

* An award exists at most once per (learner, program, course, kind): the database constraint decides, and a
  concurrent duplicate insert is treated as "already awarded".
* The learner's course state only ever improves ("best seen"), so late or out-of-order events change nothing.
* Awards are earned for good: lower grades never remove them; only :func:`revoke_award` (with a reason) does.
* Recording an observation never raises into the caller's (the LMS's) transaction: errors are logged with context,
  the savepoint is rolled back, and the next event or :func:`reconcile` completes the work.
* Side effects (the degree check, the outgoing ``BADGE_AWARDED``) run after commit, eagerly or in Celery.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from . import compat, rules
from .catalog import CatalogSpec, CourseSpec, IssuerSpec, ProgramSpec
from .data import (
    ACHIEVEMENT,
    DEGREE,
    EARNED,
    PARTICIPATION,
    PLANNED,
    AwardInfo,
    CourseInfo,
    CourseProgress,
    GradeSeen,
    IssuerInfo,
    LearnerState,
    ProgramInfo,
    ProgramProgress,
    RecordResult,
)
from .models import Award, Issuer, LearnerCourseState, Program, ProgramCourse, ProgramIssuer

__all__ = [
    "BADGE_ORIGIN",
    "CatalogLoadReport",
    "UnknownAward",
    "default_thresholds",
    "dump_catalog",
    "get_award",
    "get_learner_awards",
    "get_learner_progress",
    "get_program",
    "get_programs",
    "is_program_course",
    "known_issuer_ids",
    "load_catalog",
    "process_awards",
    "reconcile",
    "record_completion",
    "record_grade",
    "record_passing_status",
    "refresh_completion",
    "retire_user",
    "revoke_award",
    "template_uuid",
]

log = logging.getLogger(__name__)

BADGE_ORIGIN = "microdegree"
# Namespace of the badge template UUIDs: uuid5 of this and a program course's identity is stable forever.
TEMPLATE_NAMESPACE = uuid.UUID("6f1f2a0e-3b8e-5d7c-9a4e-6d6963726f64")


class UnknownAward(LookupError):
    """No award has the given public id."""


# ---------------------------------------------------------------------------------------------------------------
# Settings


def default_thresholds() -> tuple[Decimal, Decimal]:
    """The platform's default (achievement, participation) thresholds from settings."""
    achievement = rules.to_share(
        getattr(settings, "MICRODEGREE_ACHIEVEMENT_THRESHOLD", "0.60"), name="MICRODEGREE_ACHIEVEMENT_THRESHOLD"
    )
    participation = rules.to_share(
        getattr(settings, "MICRODEGREE_PARTICIPATION_THRESHOLD", "0.50"), name="MICRODEGREE_PARTICIPATION_THRESHOLD"
    )
    return achievement, participation


def template_uuid(*, program_id: str, kind: str, course_key: str | None = None) -> str:
    """The badge template UUID of a program course's award kind, or of a program's degree: stable forever."""
    name = f"{program_id}/degree" if kind == DEGREE else f"{program_id}/{course_key}/{kind}"
    return str(uuid.uuid5(TEMPLATE_NAMESPACE, name))


# ---------------------------------------------------------------------------------------------------------------
# Catalog (read side)


def _course_info(course: ProgramCourse, defaults: tuple[Decimal, Decimal]) -> CourseInfo:
    return CourseInfo(
        course_key=str(course.course_key),
        title=course.title,
        hours=course.hours,
        ects=course.ects,
        planned=course.planned,
        achievement_threshold=(
            defaults[0] if course.achievement_threshold is None else rules.to_share(course.achievement_threshold)
        ),
        participation_threshold=(
            defaults[1] if course.participation_threshold is None else rules.to_share(course.participation_threshold)
        ),
    )


def _issuer_info(issuer: Issuer) -> IssuerInfo:
    return IssuerInfo(id=issuer.slug, name=issuer.name, url=issuer.url, email=issuer.email, country=issuer.country)


def _programs(program_ids: Iterable[str] | None = None) -> list[ProgramInfo]:
    """Programs with issuers and courses, in three queries whatever their number."""
    queryset = Program.objects.prefetch_related(
        Prefetch("program_issuers", queryset=ProgramIssuer.objects.select_related("issuer")),
        Prefetch("courses", queryset=ProgramCourse.objects.order_by("order", "id")),
    ).order_by("title", "slug")
    if program_ids is not None:
        queryset = queryset.filter(slug__in=list(program_ids))
    defaults = default_thresholds()
    return [
        ProgramInfo(
            id=program.slug,
            title=program.title,
            description=program.description,
            issuers=tuple(_issuer_info(link.issuer) for link in program.program_issuers.all()),
            courses=tuple(_course_info(course, defaults) for course in program.courses.all()),
        )
        for program in queryset
    ]


def get_programs() -> list[ProgramInfo]:
    """The public catalog: every program with its issuers and courses (constant number of queries)."""
    return _programs()


def get_program(program_id: str) -> ProgramInfo | None:
    """One program of the catalog, or None."""
    found = _programs([program_id])
    return found[0] if found else None


def is_program_course(course_key: CourseKey | str) -> bool:
    """Whether a course belongs to any program (one indexed query)."""
    return ProgramCourse.objects.filter(course_key=_course_key(course_key)).exists()


def known_issuer_ids() -> set[str]:
    """The ids of the stored issuers."""
    return set(Issuer.objects.values_list("slug", flat=True))


# ---------------------------------------------------------------------------------------------------------------
# Learner progress (read side)


def _award_info(award: Award, program_slug: str) -> AwardInfo:
    return AwardInfo(
        id=str(award.uuid),
        kind=award.kind,
        program_id=program_slug,
        course_key=str(award.course_key) if award.course_key else None,
        issued_on=award.issued_at,
        value=award.evidence_value,
        threshold=award.evidence_threshold,
        event_type=award.evidence_event_type,
        event_time=award.evidence_event_time,
        revoked_on=award.revoked_at,
        revoked_reason=award.revoked_reason,
    )


def _learner_awards(user_id: int) -> list[AwardInfo]:
    awards = Award.objects.filter(user_id=user_id).select_related("program").order_by("issued_at", "id")
    return [_award_info(award, award.program.slug) for award in awards]


def get_learner_awards(*, user_id: int) -> list[AwardInfo]:
    """Every award of a learner, revoked ones included, oldest first (one query)."""
    return _learner_awards(user_id)


def _progress(program: ProgramInfo, states: dict[str, LearnerState],
              awards: dict[tuple[str, str, str], AwardInfo]) -> ProgramProgress:
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
    programs = _programs(None if program_id is None else [program_id])
    if not programs:
        return []
    states: dict[str, LearnerState] = {}
    awards: dict[tuple[str, str, str], AwardInfo] = {}
    if user_id is not None:
        keys = {course.course_key for program in programs for course in program.courses}
        for row in LearnerCourseState.objects.filter(user_id=user_id, course_key__in=list(keys)):
            states[str(row.course_key)] = LearnerState(best_percent=row.best_percent,
                                                       best_completion=row.best_completion)
        slugs = [program.id for program in programs]
        for award in (Award.objects.filter(user_id=user_id, program__slug__in=slugs, revoked_at__isnull=True)
                      .select_related("program")):
            info = _award_info(award, award.program.slug)
            awards[(info.program_id, info.course_key or "", info.kind)] = info
    return [_progress(program, states, awards) for program in programs]


def get_award(award_id: str | uuid.UUID) -> AwardInfo:
    """
    One award by its public id.

    Raises:
        UnknownAward: if the id is malformed or no award has it.
    """
    award = _award_row(award_id)
    return _award_info(award, award.program.slug)


def _award_row(award_id: str | uuid.UUID) -> Award:
    try:
        key = award_id if isinstance(award_id, uuid.UUID) else uuid.UUID(str(award_id))
        return Award.objects.select_related("program").get(uuid=key)
    except (ValueError, Award.DoesNotExist) as exc:
        raise UnknownAward(f"no award with id {award_id!r}") from exc


# ---------------------------------------------------------------------------------------------------------------
# Recording observations (write side)


def _course_key(value: CourseKey | str) -> CourseKey:
    if isinstance(value, CourseKey):
        return value
    try:
        return CourseKey.from_string(str(value))
    except InvalidKeyError as exc:
        raise ValueError(f"{value!r} is not a valid course key") from exc


def record_grade(
    *, user_id: int, course_key: CourseKey | str, percent: object, event_type: str, event_time: datetime | None = None
) -> RecordResult:
    """
    Record a learner's course grade (a share 0..1 of the graded points) and issue the awards now due.

    Idempotent: the same grade recorded again changes nothing. A lower grade than the best seen changes nothing.
    Never raises for bad data or database trouble: it logs and returns a result with nothing awarded.
    """
    try:
        seen = GradeSeen(
            user_id=int(user_id), course_key=str(_course_key(course_key)), event_type=event_type,
            event_time=event_time or timezone.now(), percent=rules.to_share(percent, name="percent"),
        )
    except (TypeError, ValueError) as exc:
        log.warning("microdegree: dropped grade for user %s in %s from %s: %s", user_id, course_key, event_type, exc)
        return RecordResult(in_program=False)
    return _record(seen)


def record_completion(
    *, user_id: int, course_key: CourseKey | str, completion: object, event_type: str,
    event_time: datetime | None = None,
) -> RecordResult:
    """Record a learner's share (0..1) of the course content accessed, and issue the awards now due."""
    try:
        seen = GradeSeen(
            user_id=int(user_id), course_key=str(_course_key(course_key)), event_type=event_type,
            event_time=event_time or timezone.now(), completion=rules.to_share(completion, name="completion"),
        )
    except (TypeError, ValueError) as exc:
        log.warning("microdegree: dropped completion for user %s in %s: %s", user_id, course_key, exc)
        return RecordResult(in_program=False)
    return _record(seen)


def record_passing_status(
    *, user_id: int, course_key: CourseKey | str, is_passing: bool, event_type: str, event_time: datetime | None = None
) -> RecordResult:
    """
    Record the LMS's own passing status of a course.

    Informational: it never grants an award by itself, because a course's passing cutoff is not the achievement
    threshold.
    """
    try:
        seen = GradeSeen(
            user_id=int(user_id), course_key=str(_course_key(course_key)), event_type=event_type,
            event_time=event_time or timezone.now(), passed=bool(is_passing),
        )
    except (TypeError, ValueError) as exc:
        log.warning("microdegree: dropped passing status for user %s in %s: %s", user_id, course_key, exc)
        return RecordResult(in_program=False)
    return _record(seen)


def refresh_completion(*, user_id: int, course_key: CourseKey | str, event_type: str,
                       event_time: datetime | None = None) -> RecordResult:
    """
    Measure a learner's completion of a course from the platform's completion records and record it.

    The share is the sum of the learner's block completions over the course's number of completable blocks
    (see docs/decisions/0004-participation-from-completion.rst). Does nothing when either is unknown.
    """
    key = _course_key(course_key)
    total = compat.get_completable_block_count(key)
    model = compat.get_block_completion_model()
    if not total or model is None:
        log.info("microdegree: completion of %s unknown (completable blocks: %s); not recorded", key, total)
        return RecordResult(in_program=True)
    done = model.objects.filter(user_id=user_id, context_key=key).aggregate(total=Sum("completion"))["total"] or 0
    share = min(Decimal(repr(float(done))) / Decimal(total), Decimal(1))
    return record_completion(user_id=user_id, course_key=key, completion=share, event_type=event_type,
                             event_time=event_time)


# Attempts at a write that lost a lock race (a MySQL deadlock, a busy SQLite), when we own the transaction.
WRITE_ATTEMPTS = 4


def _record(seen: GradeSeen) -> RecordResult:
    """Upsert the learner's course state and create the awards now due, all in one savepoint."""
    try:
        courses = list(ProgramCourse.objects.filter(course_key=seen.course_key).select_related("program"))
        if not courses:
            return RecordResult(in_program=False)
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
        _after_commit([award.pk for award in created])
    return RecordResult(in_program=True, state_changed=changed, awarded=tuple(str(a.uuid) for a in created))


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
    if changed:
        state.save(update_fields=[*changed, "modified"])
    return state, bool(changed)


def _insert_award(award: Award) -> bool:
    """Insert an award unless the database already holds it; True if this call created it."""
    try:
        with transaction.atomic():
            award.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _create_due_awards(seen: GradeSeen, state: LearnerCourseState,
                       courses: Sequence[ProgramCourse]) -> list[Award]:
    held: dict[int, set[str]] = defaultdict(set)
    for program_id, kind in Award.objects.filter(user_id=seen.user_id, course_key=seen.course_key).values_list(
        "program_id", "kind"
    ):
        held[program_id].add(kind)
    learner = LearnerState(best_percent=state.best_percent, best_completion=state.best_completion)
    defaults = default_thresholds()
    now = timezone.now()
    created = []
    for course in courses:
        for due in rules.due_course_awards(_course_info(course, defaults).rule, learner, held[course.program_id]):
            # The evidence is the measurement that met the threshold, whichever event lets the award be issued
            # (a re-sent grade, a passing status, a reconcile run).
            if due.kind == ACHIEVEMENT:
                measured_at, measured_by = state.best_percent_at, state.best_percent_event
            else:
                measured_at, measured_by = state.best_completion_at, state.best_completion_event
            award = Award(
                user_id=seen.user_id, program_id=course.program_id, course_key=course.course_key, kind=due.kind,
                issued_at=now, evidence_value=due.value, evidence_threshold=due.threshold,
                evidence_event_type=measured_by, evidence_event_time=measured_at,
            )
            if _insert_award(award):
                created.append(award)
                log.info("microdegree: %s %s issued to user %s for %s in program %s",
                         due.kind, award.uuid, seen.user_id, seen.course_key, course.program.slug)
    return created


# ---------------------------------------------------------------------------------------------------------------
# After commit: degree check and outgoing events


def _after_commit(award_ids: list[int]) -> None:
    """Run :func:`process_awards` once the current transaction commits (in Celery when so configured)."""
    def run() -> None:
        if getattr(settings, "MICRODEGREE_ASYNC_TASKS", False):
            compat.send_task("microdegree_xblock.tasks.process_awards", award_ids)
        else:
            process_awards(award_ids=award_ids)
    transaction.on_commit(run)


def process_awards(*, award_ids: Iterable[int]) -> None:
    """
    The work that follows new awards: issue the degrees now due and send ``BADGE_AWARDED`` for each award.

    Safe to run more than once for the same awards' degrees (the degree insert is idempotent); each award's
    event is sent once per call, and calls are made once per award creation.
    """
    awards = list(Award.objects.filter(pk__in=list(award_ids)).select_related("program"))
    for award in awards:
        _send_badge_event(award, revoked=False)
    for user_id, program_id in {(a.user_id, a.program_id) for a in awards if a.kind == ACHIEVEMENT}:
        try:
            _issue_degree_if_due(user_id, program_id)
        except Exception:  # pylint: disable=broad-except
            log.exception("microdegree: degree check failed for user %s in program %s", user_id, program_id)


def _issue_degree_if_due(user_id: int, program_id: int) -> Award | None:
    program = Program.objects.get(pk=program_id)
    defaults = default_thresholds()
    courses = [_course_info(course, defaults).rule for course in program.courses.all()]
    achieved = {
        str(key) for key in Award.objects.filter(
            user_id=user_id, program_id=program_id, kind=ACHIEVEMENT, revoked_at__isnull=True
        ).values_list("course_key", flat=True)
    }
    if not rules.degree_due(courses, achieved):
        return None
    with transaction.atomic():
        degree = Award(user_id=user_id, program_id=program_id, course_key=None, kind=DEGREE,
                       issued_at=timezone.now(), evidence_event_type="microdegree.degree.all_courses_achieved")
        if not _insert_award(degree):
            return None
        log.info("microdegree: degree %s issued to user %s in program %s", degree.uuid, user_id, program.slug)
        _after_commit([degree.pk])
    return degree


def _badge_title(award: Award) -> str:
    if award.kind == DEGREE:
        return award.program.title
    course = ProgramCourse.objects.filter(program_id=award.program_id, course_key=award.course_key).first()
    title = course.title if course else str(award.course_key)
    label = "Achievement record" if award.kind == ACHIEVEMENT else "Participation confirmation"
    return f"{label}: {title}"


def _send_badge_event(award: Award, *, revoked: bool) -> None:
    try:
        compat.send_badge_event(
            revoked=revoked,
            badge_uuid=str(award.uuid),
            user_id=award.user_id,
            template_uuid=template_uuid(program_id=award.program.slug, kind=award.kind,
                                        course_key=str(award.course_key) if award.course_key else None),
            origin=BADGE_ORIGIN,
            name=_badge_title(award),
            description=award.program.title,
        )
    except Exception:  # pylint: disable=broad-except
        log.exception("microdegree: sending the badge event for award %s failed", award.uuid)


# ---------------------------------------------------------------------------------------------------------------
# Admin acts


def revoke_award(*, award_id: str | uuid.UUID, reason: str) -> AwardInfo:
    """
    Revoke an award, with a reason. Idempotent: revoking a revoked award changes nothing and sends nothing.

    Raises:
        UnknownAward: if no award has the id.
        ValueError: if the reason is empty.
    """
    if not reason or not reason.strip():
        raise ValueError("a revocation needs a reason")
    with transaction.atomic():
        award = _award_row(award_id)
        updated = Award.objects.filter(pk=award.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason.strip()
        )
        if updated:
            award.refresh_from_db()
            log.info("microdegree: award %s revoked: %s", award.uuid, award.revoked_reason)
            transaction.on_commit(lambda: _send_badge_event(award, revoked=True))
    return _award_info(award, award.program.slug)


def reconcile(*, course_key: CourseKey | str | None = None, user_id: int | None = None) -> int:
    """
    Issue every award due from the recorded learner states (after a failure, or a course added to a program).

    Returns the number of awards created. Degrees due follow after commit as usual.
    """
    states = LearnerCourseState.objects.all()
    if course_key is not None:
        states = states.filter(course_key=_course_key(course_key))
    if user_id is not None:
        states = states.filter(user_id=user_id)
    program_keys = set(ProgramCourse.objects.values_list("course_key", flat=True))
    created = 0
    for state in states.iterator():
        if state.course_key not in program_keys:
            continue
        result = _record(GradeSeen(
            user_id=state.user_id, course_key=str(state.course_key), event_type="microdegree.reconcile",
            event_time=timezone.now(),
        ))
        created += len(result.awarded)
    # Degrees for programs whose courses were all achieved before the program was complete.
    achievements = Award.objects.filter(kind=ACHIEVEMENT, revoked_at__isnull=True)
    if course_key is not None:
        achievements = achievements.filter(
            program__courses__course_key=_course_key(course_key)
        )
    if user_id is not None:
        achievements = achievements.filter(user_id=user_id)
    for learner, program in set(achievements.values_list("user_id", "program_id")):
        if _issue_degree_if_due(learner, program):
            created += 1
    return created


def retire_user(*, user_id: int) -> int:
    """
    Delete everything the plugin holds about a learner (Open edX user retirement). Returns rows deleted.

    Credentials issued to the learner stop verifying: their public ids no longer resolve. ``BADGE_REVOKED`` is sent
    after commit for each award that was still valid, so that services holding a copy can drop it too.
    """
    with transaction.atomic():
        valid = list(Award.objects.filter(user_id=user_id, revoked_at__isnull=True).select_related("program"))
        awards, _ = Award.objects.filter(user_id=user_id).delete()
        states, _ = LearnerCourseState.objects.filter(user_id=user_id).delete()
        transaction.on_commit(lambda: [_send_badge_event(award, revoked=True) for award in valid])
    log.info("microdegree: retired user %s (%s awards, %s course states deleted)", user_id, awards, states)
    return awards + states


# ---------------------------------------------------------------------------------------------------------------
# Catalog (write side)


@dataclass(frozen=True)
class CatalogLoadReport:
    """What loading a catalog changed."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed_courses: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether anything was stored."""
        return bool(self.created or self.updated or self.removed_courses)


def _sync(instance: Any, values: dict[str, Any]) -> bool:
    """Set changed values on a model instance; return whether any changed."""
    dirty = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            dirty = True
    return dirty


def load_catalog(spec: CatalogSpec) -> CatalogLoadReport:
    """
    Store a validated catalog in one transaction: create or update its issuers, programs and courses.

    Idempotent: loading the same catalog twice changes nothing. A course no longer listed leaves its program;
    awards already issued for it stay. Programs and issuers not in the catalog are left alone.
    """
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    with transaction.atomic():
        issuers = {issuer.slug: issuer for issuer in Issuer.objects.select_for_update()}
        for ispec in spec.issuers:
            _store_issuer(ispec, issuers, created, updated, unchanged)
        for pspec in spec.programs:
            _store_program(pspec, issuers, created=created, updated=updated, unchanged=unchanged, removed=removed)
    return CatalogLoadReport(tuple(created), tuple(updated), tuple(unchanged), tuple(removed), spec.warnings)


def _store_issuer(spec: IssuerSpec, issuers: dict[str, Issuer], created: list[str], updated: list[str],
                  unchanged: list[str]) -> None:
    values = {"name": spec.name, "url": spec.url, "email": spec.email, "country": spec.country}
    label = f"issuer {spec.id}"
    issuer = issuers.get(spec.id)
    if issuer is None:
        issuers[spec.id] = Issuer.objects.create(slug=spec.id, **values)
        created.append(label)
    elif _sync(issuer, values):
        issuer.full_clean()
        issuer.save()
        updated.append(label)
    else:
        unchanged.append(label)


def _course_values(spec: CourseSpec, order: int) -> dict[str, Any]:
    return {
        "title": spec.title, "hours": spec.hours, "ects": spec.ects, "planned": spec.planned, "order": order,
        "achievement_threshold": spec.achievement_threshold, "participation_threshold": spec.participation_threshold,
    }


def _store_program(spec: ProgramSpec, issuers: dict[str, Issuer], *, created: list[str], updated: list[str],
                   unchanged: list[str], removed: list[str]) -> None:
    label = f"program {spec.id}"
    program = Program.objects.select_for_update().filter(slug=spec.id).first()
    is_new = program is None
    if program is None:
        program = Program.objects.create(slug=spec.id, title=spec.title, description=spec.description)
        dirty = False
    else:
        dirty = _sync(program, {"title": spec.title, "description": spec.description})
        if dirty:
            program.save()
    wanted_issuers = [issuers[slug].pk for slug in spec.issuers]
    current_issuers = list(program.program_issuers.order_by("order", "id").values_list("issuer_id", flat=True))
    if wanted_issuers != current_issuers:
        program.program_issuers.all().delete()
        ProgramIssuer.objects.bulk_create(
            ProgramIssuer(program=program, issuer_id=issuer_id, order=order)
            for order, issuer_id in enumerate(wanted_issuers)
        )
        dirty = True
    existing = {str(course.course_key): course for course in program.courses.all()}
    for order, cspec in enumerate(spec.courses):
        values = _course_values(cspec, order)
        course = existing.pop(cspec.key, None)
        if course is None:
            ProgramCourse.objects.create(program=program, course_key=CourseKey.from_string(cspec.key), **values)
            dirty = True
        elif _sync(course, values):
            course.save()
            dirty = True
    for key, course in existing.items():
        course.delete()
        removed.append(f"{label}: {key}")
        dirty = True
    if is_new:
        created.append(label)
    elif dirty:
        updated.append(label)
    else:
        unchanged.append(label)


def _decimal_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def dump_catalog() -> CatalogSpec:
    """Every stored issuer and program, as a catalog (the inverse of :func:`load_catalog`)."""
    programs = Program.objects.prefetch_related(
        Prefetch("program_issuers", queryset=ProgramIssuer.objects.select_related("issuer")),
        Prefetch("courses", queryset=ProgramCourse.objects.order_by("order", "id")),
    ).order_by("slug")
    return CatalogSpec(
        issuers=tuple(
            IssuerSpec(id=i.slug, name=i.name, url=i.url, email=i.email, country=i.country)
            for i in Issuer.objects.order_by("slug")
        ),
        programs=tuple(
            ProgramSpec(
                id=p.slug, title=p.title, description=p.description,
                issuers=tuple(link.issuer.slug for link in p.program_issuers.all()),
                courses=tuple(
                    CourseSpec(
                        key=str(c.course_key), title=c.title, hours=c.hours.normalize(),
                        ects=_decimal_or_none(c.ects), planned=c.planned,
                        achievement_threshold=_decimal_or_none(c.achievement_threshold),
                        participation_threshold=_decimal_or_none(c.participation_threshold),
                    )
                    for c in p.courses.all()
                ),
            )
            for p in programs
        ),
    )
