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

import json
import logging
import os
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
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from . import compat, rules
from .catalog import CatalogSpec, CourseSpec, IssuerSpec, ProgramSpec
from .credentials import images, keys, linkedin, links, ob2, ob3, pdf, proofs, statuslist
from .credentials import jsonld as credential_jsonld
from .credentials.facts import AchievementFacts, AwardFacts, Body, EuElements, StatusRef
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
from .models import (
    Award,
    Issuer,
    LearnerCourseState,
    Program,
    ProgramCourse,
    ProgramIssuer,
    SignedCredential,
    SigningKey,
    StatusList,
)

__all__ = [
    "BADGE_ORIGIN",
    "CatalogLoadReport",
    "CredentialNotReady",
    "CredentialPage",
    "PrivateCredential",
    "SigningKeyConfigured",
    "SigningKeyInfo",
    "UnknownAward",
    "default_thresholds",
    "dump_catalog",
    "ensure_signing_key",
    "get_award",
    "get_badge_image",
    "get_baked_badge",
    "get_baked_badge_png",
    "get_certificate_pdf",
    "get_controller_document",
    "get_credential_page",
    "get_learner_awards",
    "get_learner_progress",
    "get_ob2_assertion",
    "get_ob2_badge_class",
    "get_ob2_issuer",
    "get_program",
    "get_programs",
    "get_revocation_list",
    "get_signed_credential",
    "get_signing_keys",
    "get_status_list_credential",
    "issue_credentials",
    "is_program_course",
    "known_issuer_ids",
    "linkedin_url",
    "load_catalog",
    "process_awards",
    "reconcile",
    "record_completion",
    "record_grade",
    "record_passing_status",
    "refresh_completion",
    "retire_user",
    "revoke_award",
    "rotate_signing_key",
    "set_award_private",
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
        private=award.private,
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
    The work that follows new awards: sign, announce, and issue the degrees now due.

    Signs each award's credentials, sends ``BADGE_AWARDED`` for each award, then checks the degrees.

    Safe to run more than once for the same awards' degrees (the degree insert is idempotent); each award's
    event is sent once per call, and calls are made once per award creation.
    """
    awards = list(Award.objects.filter(pk__in=list(award_ids)).select_related("program"))
    # Sign once per award, here in the task path (never on a page view), before anyone hears of the award.
    issue_credentials(award_ids=[award.pk for award in awards])
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
            # OB 3.0: its status list bit, in the same transaction; OB 2.0 and the page read revoked_at.
            _set_status_bits([award])
            transaction.on_commit(lambda: _send_badge_event(award, revoked=True))
    return _award_info(award, award.program.slug)


def reconcile(*, course_key: CourseKey | str | None = None, user_id: int | None = None) -> int:
    """
    Issue every award due from the recorded learner states (after a failure, or a course added to a program).

    Returns the number of awards created. Degrees due follow after commit as usual, and so does the signing of
    every valid award whose credential is missing.
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
    # Credentials that a failure left unsigned (the new awards above are signed after commit).
    transaction.on_commit(lambda: issue_credentials(award_ids=_unsigned_award_ids(user_id)))
    return created


def retire_user(*, user_id: int) -> int:
    """
    Delete everything the plugin holds about a learner (Open edX user retirement). Returns rows deleted.

    Credentials issued to the learner stop verifying: their public ids no longer resolve. ``BADGE_REVOKED`` is sent
    after commit for each award that was still valid, so that services holding a copy can drop it too.
    """
    with transaction.atomic():
        valid = list(Award.objects.filter(user_id=user_id, revoked_at__isnull=True).select_related("program"))
        # Copies of the credentials held elsewhere must stop verifying: set their status bits (the lists keep
        # only bits, never who they belonged to), then delete the awards and their stored credentials.
        _set_status_bits(valid)
        awards, _deleted = Award.objects.filter(user_id=user_id).delete()
        states, _deleted = LearnerCourseState.objects.filter(user_id=user_id).delete()
        def announce() -> None:
            for award in valid:
                _send_badge_event(award, revoked=True)
        transaction.on_commit(announce)
    log.info("microdegree: retired user %s (%s awards, %s course states deleted)", user_id, awards, states)
    return awards + states


# ---------------------------------------------------------------------------------------------------------------
# Credentials: keys, signing (after commit, in the task path), and what the public endpoints serve


class CredentialNotReady(LookupError):
    """The award exists but its signed credential is not (yet) stored: it is signed after commit."""


class PrivateCredential(PermissionError):
    """The learner made this credential private."""


class SigningKeyConfigured(RuntimeError):
    """The active signing key comes from settings: rotate it there."""


@dataclass(frozen=True)
class SigningKeyInfo:
    """A signing key as the keys command lists it."""

    public_key_multibase: str
    source: str
    created_at: datetime
    retired_at: datetime | None
    active: bool


@dataclass(frozen=True)
class CredentialPage:
    """
    Everything the public verification page, the PDF and the LinkedIn link show of an award.

    Attributes:
        award (AwardInfo): the award.
        facts (AwardFacts): what its credentials say.
        private (bool): the learner made it private (then nothing else may be shown).
        signed (bool): its OB 3.0 credential is signed and stored.
        links (dict[str, str]): its public URLs (``serializers`` keys).
        user_id (int): the learner's user id (for the owner's own view of a private credential).
    """

    award: AwardInfo
    facts: AwardFacts
    private: bool
    signed: bool
    links: dict[str, str]
    user_id: int

    @property
    def is_revoked(self) -> bool:
        """Whether the award was revoked."""
        return self.award.is_revoked


def _root() -> str:
    return str(getattr(settings, "LMS_ROOT_URL", "") or "http://localhost").rstrip("/")


def _configured_key_text() -> str:
    return str(getattr(settings, "MICRODEGREE_SIGNING_KEY", "") or os.environ.get("MICRODEGREE_SIGNING_KEY", ""))


def _active_key() -> tuple[SigningKey, keys.Ed25519PrivateKey]:
    """The key that signs now: from settings (production), else the newest generated one, created on first use."""
    configured = _configured_key_text()
    if configured:
        private = keys.private_key_from_pem(configured)
        row, _created = SigningKey.objects.get_or_create(public_key_multibase=keys.public_key_multibase(private),
                                                  defaults={"source": SigningKey.SETTINGS})
        return row, private
    current = SigningKey.objects.filter(retired_at__isnull=True).exclude(private_key_pem="").first()
    if current is not None:
        return current, keys.private_key_from_pem(current.private_key_pem)
    # First use: create the platform's key (two workers racing here create two keys; both stay published).
    private = keys.generate_private_key()
    row = SigningKey.objects.create(public_key_multibase=keys.public_key_multibase(private),
                                    private_key_pem=keys.private_key_to_pem(private), source=SigningKey.GENERATED)
    log.info("microdegree: created signing key %s", row.public_key_multibase)
    return row, private


def get_signing_keys() -> list[SigningKeyInfo]:
    """Every signing key, newest first (the first unretired one with a private key, or the configured one, signs)."""
    configured = _configured_key_text()
    active = keys.public_key_multibase(keys.private_key_from_pem(configured)) if configured else None
    rows = list(SigningKey.objects.all())
    if active is None:
        active = next((r.public_key_multibase for r in rows if r.retired_at is None and r.private_key_pem), None)
    return [SigningKeyInfo(public_key_multibase=r.public_key_multibase, source=r.source, created_at=r.created_at,
                           retired_at=r.retired_at, active=r.public_key_multibase == active) for r in rows]


def ensure_signing_key() -> str:
    """The active signing key's public key, creating (or recording the configured) key if needed."""
    row, _private = _active_key()
    return row.public_key_multibase


def rotate_signing_key() -> str:
    """
    Retire the generated signing key and create a new one; returns the new public key.

    The retired key loses its private part but stays published, so credentials it signed keep verifying.

    Raises:
        SigningKeyConfigured: when ``MICRODEGREE_SIGNING_KEY`` sets the key (rotate by changing the setting).
    """
    if _configured_key_text():
        raise SigningKeyConfigured("the signing key is set by MICRODEGREE_SIGNING_KEY: change that setting to rotate")
    with transaction.atomic():
        retired = SigningKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now(),
                                                                            private_key_pem="")
        private = keys.generate_private_key()
        row = SigningKey.objects.create(public_key_multibase=keys.public_key_multibase(private),
                                        private_key_pem=keys.private_key_to_pem(private),
                                        source=SigningKey.GENERATED)
    log.info("microdegree: signing key rotated: %s retired, %s now signs", retired, row.public_key_multibase)
    return row.public_key_multibase


def _body(issuer: Issuer) -> Body:
    root = _root()
    return Body(slug=issuer.slug, name=issuer.name, url=issuer.url, email=issuer.email, country=issuer.country,
                did=ob3.did_web(root, "microdegree", "issuers", issuer.slug),
                ob2_url=links.ob2_issuer_url(root, issuer.slug))


def _eu(program: Program, kind: str) -> EuElements:
    defaults = {
        PARTICIPATION: "Completion of the course content online (no graded assessment)",
        ACHIEVEMENT: getattr(settings, "MICRODEGREE_ASSESSMENT_TYPE", "") or "Graded online assessments",
        DEGREE: "Graded online assessments in every course of the program",
    }
    return EuElements(
        learning_outcomes=tuple(line.strip() for line in program.learning_outcomes.splitlines() if line.strip()),
        eqf_level=program.eqf_level,
        participation_form=(program.participation_form
                            or getattr(settings, "MICRODEGREE_PARTICIPATION_FORM", "") or "online"),
        assessment=(program.assessment_type if program.assessment_type and kind != PARTICIPATION
                    else defaults[kind]),
        quality_assurance=program.quality_assurance or getattr(settings, "MICRODEGREE_QUALITY_ASSURANCE", ""),
    )


def _achievement_facts(program: Program, kind: str, course: ProgramCourse | None) -> AchievementFacts:
    """What an award kind certifies (the BadgeClass); ``course`` None for a degree."""
    root = _root()
    bodies = tuple(_body(link.issuer) for link in program.program_issuers.all())
    if not bodies:
        raise ValueError(f"program {program.slug} has no issuer")
    defaults = default_thresholds()
    course_key = str(course.course_key) if course is not None else None
    badge_url = links.badge_class_url(root, program_id=program.slug, kind=kind, course_key=course_key)
    if kind == DEGREE or course is None:
        courses = list(program.courses.all())
        ects = [c.ects for c in courses if c.ects is not None]
        return AchievementFacts(
            template_id=template_uuid(program_id=program.slug, kind=DEGREE), kind=DEGREE, name=program.title,
            description=program.description or f"Micro-degree {program.title}.",
            criteria=("Earn the achievement record of every course of the program: "
                      + "; ".join(c.title for c in courses) + "."),
            program_title=program.title, course_key=None, hours=sum((c.hours for c in courses), Decimal(0)),
            ects=sum(ects, Decimal(0)) if courses and len(ects) == len(courses) else None,
            threshold=None, bodies=bodies, eu=_eu(program, DEGREE), badgeclass_url=badge_url,
            image_url=program.badge_image_url or badge_url + "image/",
        )
    info = _course_info(course, defaults)
    if kind == ACHIEVEMENT:
        threshold = info.achievement_threshold
        name = f"Achievement record: {course.title}"
        description = f"Records the successful completion of the course {course.title} in the micro-degree " \
                      f"program {program.title}."
        criteria = f"Reach a course grade of at least {ob3.percent_text(threshold)} % in {course.title} " \
                   f"({course_key})."
    else:
        threshold = info.participation_threshold
        name = f"Participation confirmation: {course.title}"
        description = f"Confirms participation in the course {course.title} in the micro-degree program " \
                      f"{program.title}."
        criteria = f"Work through at least {ob3.percent_text(threshold)} % of the course content of " \
                   f"{course.title} ({course_key})."
    return AchievementFacts(
        template_id=template_uuid(program_id=program.slug, kind=kind, course_key=course_key), kind=kind, name=name,
        description=description, criteria=criteria, program_title=program.title, course_key=course_key,
        hours=course.hours, ects=course.ects, threshold=threshold, bodies=bodies, eu=_eu(program, kind),
        badgeclass_url=badge_url, image_url=course.badge_image_url or badge_url + "image/",
    )


def _program_for_credentials(program_id: int | str) -> Program:
    queryset = Program.objects.prefetch_related(
        Prefetch("program_issuers", queryset=ProgramIssuer.objects.select_related("issuer")),
        Prefetch("courses", queryset=ProgramCourse.objects.order_by("order", "id")),
    )
    if isinstance(program_id, int):
        return queryset.get(pk=program_id)
    return queryset.get(slug=program_id)


def _award_facts(award: Award, program: Program | None = None) -> AwardFacts:
    program = program or _program_for_credentials(award.program_id)
    course = None
    if award.kind != DEGREE:
        course = next((c for c in program.courses.all() if str(c.course_key) == str(award.course_key)), None)
    if award.kind != DEGREE and course is None:
        # The course left the program after the award: describe it from the award alone.
        course = ProgramCourse(program=program, course_key=award.course_key, title=str(award.course_key),
                               hours=Decimal(0), achievement_threshold=award.evidence_threshold,
                               participation_threshold=award.evidence_threshold)
    user = award.user
    root = _root()
    status = None
    status_list = award.status_list
    if status_list is not None and award.status_index is not None:
        status = StatusRef(list_url=links.status_list_url(root, status_list.issuer.slug, status_list.number),
                           index=award.status_index)
    return AwardFacts(
        uuid=str(award.uuid), achievement=_achievement_facts(program, award.kind, course), issued_on=award.issued_at,
        learner_name=compat.get_user_full_name(user) or user.get_username(), email=user.email,
        salt=award.recipient_salt, value=award.evidence_value, event_type=award.evidence_event_type,
        event_time=award.evidence_event_time, verify_url=links.verify_url(root, str(award.uuid)),
        extension_context=credential_jsonld.extension_context_url(root), status=status,
        revoked_on=award.revoked_at, revoked_reason=award.revoked_reason,
    )


def _signed_text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def _sign(document: dict[str, Any], issuer: Body, key: tuple[SigningKey, keys.Ed25519PrivateKey]) -> str:
    row, private = key
    method = ob3.verification_method_id(issuer.did, row.public_key_multibase)
    return _signed_text(proofs.sign(document, private_key=private, verification_method=method,
                                    created=timezone.now()))


def _sign_status_list(status_list: StatusList, key: tuple[SigningKey, keys.Ed25519PrivateKey] | None = None) -> None:
    body = _body(status_list.issuer)
    encoded = status_list.encoded_list or statuslist.encode([])
    document = ob3.status_list_credential(
        url=links.status_list_url(_root(), status_list.issuer.slug, status_list.number), issuer=body,
        encoded_list=encoded, valid_from=proofs.iso_z(timezone.now()),
    )
    status_list.encoded_list = encoded
    status_list.credential = _sign(document, body, key or _active_key())
    status_list.save(update_fields=["encoded_list", "credential", "modified"])


def _allocate_status(award: Award, issuer: Issuer) -> None:
    """Hand the award the next entry of its issuer's current status list (a new list when it is full)."""
    for _attempt in range(WRITE_ATTEMPTS):
        status_list = (StatusList.objects.select_for_update().filter(issuer=issuer).order_by("-number")
                       .select_related("issuer").first())
        if status_list is None or status_list.allocated >= statuslist.LIST_SIZE:
            number = 0 if status_list is None else status_list.number + 1
            try:
                with transaction.atomic():
                    status_list = StatusList.objects.create(issuer=issuer, number=number)
            except IntegrityError:
                continue  # created concurrently: lock that one
            status_list = StatusList.objects.select_for_update().select_related("issuer").get(pk=status_list.pk)
        award.status_list = status_list
        award.status_index = statuslist.index_for(status_list.allocated)
        status_list.allocated += 1
        status_list.save(update_fields=["allocated", "modified"])
        award.save(update_fields=["status_list", "status_index"])
        if not status_list.credential:
            _sign_status_list(status_list)
        return
    raise RuntimeError(f"could not allocate a status list entry for award {award.uuid}")


def _store(award: Award, fmt: str, *, credential_id: str, issuer: Issuer, key: SigningKey, text: str) -> None:
    try:
        with transaction.atomic():
            SignedCredential.objects.create(award=award, format=fmt, credential_id=credential_id, issuer=issuer,
                                            key=key, text=text)
    except IntegrityError:
        log.info("microdegree: %s credential of award %s was stored concurrently", fmt, award.uuid)


def _sign_award(award_pk: int) -> None:
    with transaction.atomic():
        award = (Award.objects.select_for_update().select_related("program", "user", "status_list__issuer")
                 .get(pk=award_pk))
        held = set(SignedCredential.objects.filter(award=award).values_list("format", flat=True))
        wanted = {SignedCredential.OB3} | ({SignedCredential.CLR} if award.kind == DEGREE else set())
        if wanted <= held or award.revoked_at is not None:
            return
        program = _program_for_credentials(award.program_id)
        lead = program.program_issuers.all()[0].issuer
        if award.status_list_id is None:
            _allocate_status(award, lead)
        key = _active_key()
        facts = _award_facts(award, program)
        issuer = award.status_list.issuer if award.status_list is not None else lead
        body = _body(issuer)
        if SignedCredential.OB3 not in held:
            document = ob3.open_badge_credential(facts)
            _store(award, SignedCredential.OB3, credential_id=document["id"], issuer=issuer, key=key[0],
                   text=_sign(document, body, key))
        if award.kind == DEGREE and SignedCredential.CLR not in held:
            _sign_clr(award, facts, program, body=body, issuer=issuer, key=key)
    log.info("microdegree: credentials of award %s signed", award.uuid)


def _member_text(award: Award, program: Program, body: Body, issuer: Issuer,
                 key: tuple[SigningKey, keys.Ed25519PrivateKey]) -> str:
    stored = SignedCredential.objects.filter(award=award, format=SignedCredential.CLR_MEMBER).first()
    if stored is not None:
        return stored.text
    document = ob3.clr_member_credential(_award_facts(award, program))
    text = _sign(document, body, key)
    _store(award, SignedCredential.CLR_MEMBER, credential_id=document["id"], issuer=issuer, key=key[0], text=text)
    return text


def _sign_clr(degree: Award, facts: AwardFacts, program: Program, *, body: Body, issuer: Issuer,
              key: tuple[SigningKey, keys.Ed25519PrivateKey]) -> None:
    order = {str(c.course_key): n for n, c in enumerate(program.courses.all())}
    courses = sorted(
        Award.objects.filter(user_id=degree.user_id, program_id=degree.program_id, kind=ACHIEVEMENT,
                             revoked_at__isnull=True).select_related("user"),
        key=lambda a: order.get(str(a.course_key), len(order)),
    )
    members = [json.loads(_member_text(a, program, body, issuer, key)) for a in [degree, *courses]]
    document = ob3.clr_credential(facts, members=members,
                                  revocation_list_url=links.revocation_list_url(_root(), issuer.slug))
    _store(degree, SignedCredential.CLR, credential_id=document["id"], issuer=issuer, key=key[0],
           text=_sign(document, body, key))


def issue_credentials(*, award_ids: Iterable[int]) -> None:
    """
    Sign and store the credentials of awards that have none yet (OB 3.0; a degree's CLR too). Idempotent.

    Runs in the after-commit task path (:func:`process_awards`), never on a page view. A failure is logged; the
    next ``reconcile`` signs what is missing.
    """
    for award_pk in award_ids:
        try:
            _sign_award(award_pk)
        except Exception:  # pylint: disable=broad-except
            log.exception("microdegree: signing the credentials of award %s failed", award_pk)


def _unsigned_award_ids(user_id: int | None = None) -> list[int]:
    awards = Award.objects.filter(revoked_at__isnull=True).exclude(credentials__format=SignedCredential.OB3)
    if user_id is not None:
        awards = awards.filter(user_id=user_id)
    return list(awards.values_list("pk", flat=True))


def _public_award(award_id: str | uuid.UUID) -> Award:
    try:
        key = award_id if isinstance(award_id, uuid.UUID) else uuid.UUID(str(award_id))
        return Award.objects.select_related("program", "user", "status_list__issuer").get(uuid=key)
    except (ValueError, Award.DoesNotExist) as exc:
        raise UnknownAward(f"no award with id {award_id!r}") from exc


def get_credential_page(*, award_id: str | uuid.UUID) -> CredentialPage:
    """
    What the public verification page shows of an award (a constant number of queries; no signing).

    Raises:
        UnknownAward: if the id is malformed or unknown.
    """
    award = _public_award(award_id)
    facts = _award_facts(award)
    signed = SignedCredential.objects.filter(award=award, format=SignedCredential.OB3).exists()
    return CredentialPage(
        award=_award_info(award, award.program.slug), facts=facts, private=award.private, signed=signed,
        links=links.award_links(_root(), str(award.uuid), kind=award.kind), user_id=award.user_id,
    )


def get_signed_credential(*, award_id: str | uuid.UUID, fmt: str, viewer_id: int | None = None) -> str:
    """
    The exact stored text of an award's signed credential (``ob3``, or ``clr`` for a degree).

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs.
        CredentialNotReady: not signed (yet), or a CLR of a course award.
    """
    award = _public_award(award_id)
    if award.private and viewer_id != award.user_id:
        raise PrivateCredential(str(award.uuid))
    stored = SignedCredential.objects.filter(award=award, format=fmt).values_list("text", flat=True).first()
    if stored is None:
        raise CredentialNotReady(f"no {fmt} credential for award {award.uuid}")
    return str(stored)


def set_award_private(*, user_id: int, award_id: str | uuid.UUID, private: bool) -> AwardInfo:
    """
    A learner hides (or shows again) one of their credentials on its public page.

    Raises:
        UnknownAward: unknown id, or not the learner's award.
    """
    award = _public_award(award_id)
    if award.user_id != user_id:
        raise UnknownAward(f"no award with id {award_id!r} for this learner")
    Award.objects.filter(pk=award.pk).update(private=bool(private))
    award.private = bool(private)
    return _award_info(award, award.program.slug)


def get_controller_document(*, issuer_id: str) -> dict[str, Any]:
    """
    An awarding body's did:web DID document, listing every signing key (current and retired) as a Multikey.

    Raises:
        LookupError: unknown issuer.
    """
    issuer = Issuer.objects.filter(slug=issuer_id).first()
    if issuer is None:
        raise LookupError(f"no issuer {issuer_id!r}")
    public_keys = list(SigningKey.objects.order_by("created_at", "id").values_list("public_key_multibase", flat=True))
    return ob3.controller_document(did=_body(issuer).did, public_keys=public_keys)


def get_status_list_credential(*, issuer_id: str, number: int) -> str:
    """
    The exact signed text of an awarding body's status list credential.

    Raises:
        LookupError: no such list.
    """
    found = StatusList.objects.filter(issuer__slug=issuer_id, number=number).exclude(credential="").first()
    if found is None:
        raise LookupError(f"no status list {issuer_id}/{number}")
    return found.credential


def get_revocation_list(*, issuer_id: str) -> dict[str, Any]:
    """
    An awarding body's 1EdTech Revocation List: its revoked CLR credentials, with the reasons.

    Raises:
        LookupError: unknown issuer.
    """
    issuer = Issuer.objects.filter(slug=issuer_id).first()
    if issuer is None:
        raise LookupError(f"no issuer {issuer_id!r}")
    revoked = SignedCredential.objects.filter(issuer=issuer, format=SignedCredential.CLR,
                                              award__revoked_at__isnull=False).order_by("id")
    return ob3.revocation_list(url=links.revocation_list_url(_root(), issuer.slug), issuer=_body(issuer),
                               revoked=[(c.credential_id, c.award.revoked_reason) for c in
                                        revoked.select_related("award")])


def get_ob2_issuer(*, issuer_id: str) -> dict[str, Any]:
    """
    An awarding body's Open Badges 2.0 Issuer Profile.

    Raises:
        LookupError: unknown issuer.
    """
    issuer = Issuer.objects.filter(slug=issuer_id).first()
    if issuer is None:
        raise LookupError(f"no issuer {issuer_id!r}")
    return ob2.issuer(_body(issuer))


def _badge_facts(program_id: str, kind: str, course_key: str | None) -> AchievementFacts:
    try:
        program = _program_for_credentials(program_id)
    except Program.DoesNotExist as exc:
        raise LookupError(f"no program {program_id!r}") from exc
    if kind == DEGREE:
        return _achievement_facts(program, DEGREE, None)
    course = next((c for c in program.courses.all() if str(c.course_key) == course_key), None)
    if course is None or kind not in (ACHIEVEMENT, PARTICIPATION):
        raise LookupError(f"no {kind} badge for {course_key!r} in {program_id!r}")
    return _achievement_facts(program, kind, course)


def get_ob2_badge_class(*, program_id: str, kind: str, course_key: str | None = None) -> dict[str, Any]:
    """
    The Open Badges 2.0 BadgeClass of a program course's award kind, or of a program's degree.

    Raises:
        LookupError: no such program, course or kind.
    """
    return ob2.badge_class(_badge_facts(program_id, kind, course_key))


def get_badge_image(*, program_id: str, kind: str, course_key: str | None = None) -> str:
    """
    The badge image (SVG) of a BadgeClass, generated from its title.

    Raises:
        LookupError: no such program, course or kind.
    """
    facts = _badge_facts(program_id, kind, course_key)
    return images.badge_svg(title=facts.name, subtitle=facts.program_title, kind=facts.kind)


def get_ob2_assertion(*, award_id: str | uuid.UUID) -> dict[str, Any]:
    """
    An award's Open Badges 2.0 hosted Assertion (revoked awards answer as revoked).

    Raises:
        UnknownAward: unknown id.
    """
    award = _public_award(award_id)
    facts = _award_facts(award)
    root = _root()
    award_links = links.award_links(root, str(award.uuid), kind=award.kind)
    return ob2.assertion(facts, url=links.ob2_assertion_url(root, str(award.uuid)),
                         image_url=award_links["badge_url"])


def get_baked_badge(*, award_id: str | uuid.UUID) -> str:
    """
    The award's badge image (SVG) with its OB 2.0 Assertion baked in.

    Raises:
        UnknownAward: unknown id.
    """
    assertion_data, look = _badge_look(award_id)
    return ob2.bake_svg(images.badge_svg(**look), assertion_data=assertion_data)


def get_baked_badge_png(*, award_id: str | uuid.UUID) -> bytes:
    """
    The award's badge image as a PNG with its OB 2.0 Assertion baked in (an ``iTXt`` chunk, per the baking spec).

    Raises:
        UnknownAward: unknown id.
    """
    assertion_data, look = _badge_look(award_id)
    return ob2.bake_png(images.badge_png(**look), assertion_data=assertion_data)


def _badge_look(award_id: str | uuid.UUID) -> tuple[dict[str, Any], dict[str, str]]:
    """The award's hosted OB 2.0 assertion and what its badge image shows."""
    award = _public_award(award_id)
    facts = _award_facts(award)
    root = _root()
    data = ob2.assertion(facts, url=links.ob2_assertion_url(root, str(award.uuid)),
                         image_url=links.award_links(root, str(award.uuid), kind=award.kind)["badge_url"])
    return data, {"title": facts.achievement.name, "subtitle": facts.achievement.program_title, "kind": award.kind}


def linkedin_url(page: CredentialPage, *, organization_id: str = "") -> str:
    """LinkedIn's "Add to profile" link for an award, every field filled in."""
    facts = page.facts
    return linkedin.add_to_profile_url(
        name=facts.achievement.name, organization=facts.achievement.lead.name, issued_on=facts.issued_on,
        cert_url=page.links["verify_url"], cert_id=page.award.id,
        organization_id=organization_id or str(getattr(settings, "MICRODEGREE_LINKEDIN_ORGANIZATION_ID", "") or ""),
    )


def _number(value: Decimal) -> str:
    return ob3.number_text(value)


def get_certificate_pdf(*, award_id: str | uuid.UUID, viewer_id: int | None = None) -> bytes:
    """
    The award's PDF certificate (A4), in the active language.

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs.
    """
    page = get_credential_page(award_id=award_id)
    if page.private and viewer_id != page.user_id:
        raise PrivateCredential(page.award.id)
    facts, ach = page.facts, page.facts.achievement
    headings = {PARTICIPATION: _("Participation confirmation"), ACHIEVEMENT: _("Achievement record"),
                DEGREE: _("Micro-degree")}
    workload = _("Workload: %(hours)s hours") % {"hours": _number(ach.hours)}
    if ach.ects is not None:
        workload += ", " + _("%(ects)s ECTS credits") % {"ects": _number(ach.ects)}
    details = []
    if facts.value is not None:
        details.append(_("Result: %(value)s %% (required: %(threshold)s %%)") % {
            "value": ob3.percent_text(facts.value),
            "threshold": ob3.percent_text(ach.threshold) if ach.threshold is not None else "-"})
    if ach.eu.eqf_level:
        details.append(_("EQF level %(level)s") % {"level": ach.eu.eqf_level})
    status = ""
    if page.award.revoked_on is not None:
        status = _("Revoked on %(date)s: %(reason)s") % {
            "date": date_format(page.award.revoked_on, "DATE_FORMAT"), "reason": page.award.revoked_reason}
    cert = pdf.Certificate(
        heading=str(headings[ach.kind]), learner_name=facts.learner_name, statement=_("has earned"),
        title=ach.name,
        program_line=("" if ach.kind == DEGREE  # the degree's title is the program's
                      else _("in the micro-degree program %(program)s") % {"program": ach.program_title}),
        bodies_label=_("Awarded by"), bodies=tuple(f"{b.name} ({b.country})" for b in ach.bodies),
        date_line=_("Issued on %(date)s") % {"date": date_format(facts.issued_on, "DATE_FORMAT")},
        workload_line=workload, detail_lines=tuple(details), verify_label=_("Verify this credential:"),
        verify_url=page.links["verify_url"], status_line=status, document_title=f"{ach.name} – {facts.learner_name}",
    )
    return pdf.certificate_pdf(cert)


def _set_status_bits(awards: Iterable[Award]) -> None:
    """Set the revocation bits of awards and re-sign their status lists (one signature per list)."""
    by_list: dict[int, list[int]] = defaultdict(list)
    for award in awards:
        if award.status_list_id is not None and award.status_index is not None:
            by_list[award.status_list_id].append(award.status_index)
    if not by_list:
        return
    key = _active_key()
    for status_list in StatusList.objects.select_for_update().select_related("issuer").filter(pk__in=list(by_list)):
        status_list.encoded_list = statuslist.with_bits(status_list.encoded_list or None, by_list[status_list.pk])
        _sign_status_list(status_list, key)


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
        "badge_image_url": spec.badge_image,
    }


def _program_values(spec: ProgramSpec) -> dict[str, Any]:
    return {
        "title": spec.title, "description": spec.description, "learning_outcomes": "\n".join(spec.learning_outcomes),
        "eqf_level": spec.eqf_level, "participation_form": spec.participation_form,
        "assessment_type": spec.assessment_type, "quality_assurance": spec.quality_assurance,
        "badge_image_url": spec.badge_image,
    }


def _store_program(spec: ProgramSpec, issuers: dict[str, Issuer], *, created: list[str], updated: list[str],
                   unchanged: list[str], removed: list[str]) -> None:
    label = f"program {spec.id}"
    program = Program.objects.select_for_update().filter(slug=spec.id).first()
    is_new = program is None
    if program is None:
        program = Program.objects.create(slug=spec.id, **_program_values(spec))
        dirty = False
    else:
        dirty = _sync(program, _program_values(spec))
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
                        badge_image=c.badge_image_url,
                    )
                    for c in p.courses.all()
                ),
                learning_outcomes=tuple(line for line in p.learning_outcomes.splitlines() if line.strip()),
                eqf_level=p.eqf_level, participation_form=p.participation_form, assessment_type=p.assessment_type,
                quality_assurance=p.quality_assurance, badge_image=p.badge_image_url,
            )
            for p in programs
        ),
    )
