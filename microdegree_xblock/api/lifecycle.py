"""
An award's life after it is issued: revocation, privacy, reconciliation, retirement.

Revocation needs a reason; the learner may make a credential private; reconciliation issues what the recorded
states already justify; Open edX user retirement deletes the learner's data.

Awards are earned for good: a lower grade never removes one; only :func:`revoke_award` does, and retirement
deletes everything the plugin holds about the learner. An admin may re-issue an award (:func:`reissue_award`):
the old row stays, revoked; a new one takes its place and gets credentials of its own.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from ..data import ACHIEVEMENT, DEGREE, AwardInfo, GradeSeen
from ..exceptions import AwardReissued, UnknownAward
from ..guards import retiring
from ..models import (
    Award,
    BackfillRun,
    ConditionRecorder,
    LearnerCourseState,
    ProgramCourse,
    RecognitionCondition,
    RecognitionConditionEntry,
)
from ._internal import award_info, award_row, insert_award, parse_course_key
from .effects import after_commit, follow_achievement, follow_degree, process_awards, send_badge_event
from .recording import record
from .signing import set_status_bits, unsigned_award_pks
from .tracking import AWARD_MADE_PRIVATE, AWARD_MADE_PUBLIC, AWARD_REVOKED, track_award

__all__ = ["reconcile", "reissue_award", "retire_user", "revoke_award", "set_award_private"]

log = logging.getLogger(__name__)

RECONCILE_EVENT_TYPE = "microdegree.reconcile"


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
        award = award_row(award_id)
        _revoke(award, reason.strip())
    return award_info(award)


def _revoke(award: Award, reason: str) -> bool:
    """Revoke one award unless it is revoked already (in the caller's transaction); True if this call did."""
    updated = Award.objects.filter(pk=award.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if updated:
        award.refresh_from_db()
        log.info("microdegree: award %s revoked: %s", award.uuid, award.revoked_reason)
        # OB 3.0: its status list bit, in the same transaction; OB 2.0 and the page read revoked_at.
        set_status_bits([award])
        transaction.on_commit(lambda: send_badge_event(award, revoked=True))
        transaction.on_commit(lambda: track_award(AWARD_REVOKED, award, reason=award.revoked_reason))
    return bool(updated)


def reissue_award(*, award_id: str | uuid.UUID, reason: str) -> AwardInfo:
    """
    Re-issue an award, with a reason: the old one stays, revoked; a new one takes its place (docs/decisions/0027).

    For an admin correcting a revocation made in error, or replacing a credential that must change. The old award
    is revoked first if it is not already (its credentials stop verifying, ``BADGE_REVOKED`` is sent), and keeps
    its row, evidence and reason. The new award has a new public id, the same learner, program, course, kind,
    evidence and visibility, ``issued_at`` now, the next ``generation`` and a link to the old one; after commit
    its credentials are signed and ``BADGE_AWARDED`` is sent, as for any new award. Returns the new award.

    Raises:
        UnknownAward: if no award has the id.
        AwardReissued: if the award was re-issued already (re-issue its successor instead).
        ValueError: if the reason is empty.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a re-issue needs a reason")
    with transaction.atomic():
        old = award_row(award_id)
        old = Award.objects.select_for_update().select_related("program").get(pk=old.pk)
        successor = Award.objects.filter(reissue_of=old).values_list("uuid", flat=True).first()
        if successor is not None:
            raise AwardReissued(f"award {old.uuid} was re-issued already as {successor}")
        _revoke(old, f"Re-issued: {reason}")
        new = Award(
            user_id=old.user_id, program_id=old.program_id, course_key=old.course_key, kind=old.kind,
            issued_at=timezone.now(), evidence_value=old.evidence_value, evidence_threshold=old.evidence_threshold,
            evidence_event_type=old.evidence_event_type, evidence_event_time=old.evidence_event_time,
            private=old.private, generation=old.generation + 1, reissue_of=old, reissue_reason=reason,
        )
        if not insert_award(new):  # the one-to-one link or the issue number: another re-issue got there first
            raise AwardReissued(f"award {old.uuid} was re-issued already")
        log.info("microdegree: award %s re-issued as %s: %s", old.uuid, new.uuid, reason)
        after_commit([new.pk])
    new.program = old.program
    return award_info(new)


def set_award_private(*, user_id: int, award_id: str | uuid.UUID, private: bool) -> AwardInfo:
    """
    A learner hides (or shows again) one of their credentials on its public page.

    Raises:
        UnknownAward: unknown id, or not the learner's award.
    """
    award = award_row(award_id)
    if award.user_id != user_id:
        raise UnknownAward(f"no award with id {award_id!r} for this learner")
    if Award.objects.filter(pk=award.pk).exclude(private=bool(private)).update(private=bool(private)):
        track_award(AWARD_MADE_PRIVATE if private else AWARD_MADE_PUBLIC, award)
    award.private = bool(private)
    return award_info(award)


def reconcile(*, course_key: CourseKey | str | None = None, user_id: int | None = None,
              program_ids: Sequence[str] | None = None) -> int:
    """
    Issue every award due from the recorded learner states (after a failure, or a changed catalog).

    A course added to a programme, a new or changed recognition, elective group or nested programme: what the
    recorded states, the recorded conditions and the awards held now justify is issued (docs/decisions/0040);
    nothing is taken back. ``program_ids`` limits it to those programmes' courses. Returns the number of awards
    created here; the degrees, capstones and programme recognitions that follow are issued after commit as usual,
    and so is the signing of every valid award whose credential is missing.
    """
    courses = ProgramCourse.objects.all()
    if program_ids is not None:
        courses = courses.filter(program__slug__in=list(program_ids))
    program_keys = set(courses.values_list("course_key", flat=True))
    states = LearnerCourseState.objects.filter(course_key__in=list(program_keys))
    if course_key is not None:
        states = states.filter(course_key=parse_course_key(course_key))
    if user_id is not None:
        states = states.filter(user_id=user_id)
    created = 0
    for state in states.iterator():
        # Thorough: the recorded conditions are read too (an unchanged state otherwise skips them).
        result = record(GradeSeen(
            user_id=state.user_id, course_key=str(state.course_key), event_type=RECONCILE_EVENT_TYPE,
            event_time=timezone.now(),
        ), thorough=True)
        created += len(result.awarded)
    # What follows the records and degrees already held: capstones taken last, degrees by the requirement tree,
    # the whole programmes' recognitions, the degrees of programmes that nest them.
    held = Award.objects.filter(kind__in=(ACHIEVEMENT, DEGREE), revoked_at__isnull=True)
    if program_ids is not None:
        held = held.filter(program__slug__in=list(program_ids))
    if course_key is not None:
        held = held.filter(program__courses__course_key=parse_course_key(course_key))
    if user_id is not None:
        held = held.filter(user_id=user_id)
    for learner, program_pk, kind in sorted(set(held.values_list("user_id", "program_id", "kind"))):
        created += (follow_achievement if kind == ACHIEVEMENT else follow_degree)(learner, program_pk)
    # What a failure or a lost task left undone: valid awards unsigned or never announced (the new awards above
    # follow after commit as usual). ``process_awards`` is idempotent: it only does what is missing.
    transaction.on_commit(lambda: process_awards(award_pks=_unfinished_award_pks(user_id)))
    return created


def _unfinished_award_pks(user_id: int | None) -> list[int]:
    """Valid awards (of one learner, or all) whose credential is missing or whose BADGE_AWARDED was never sent."""
    unannounced = Award.objects.filter(revoked_at__isnull=True, announced_at__isnull=True)
    if user_id is not None:
        unannounced = unannounced.filter(user_id=user_id)
    return sorted(set(unsigned_award_pks(user_id)) | set(unannounced.values_list("pk", flat=True)))


def retire_user(*, user_id: int) -> int:
    """
    Delete everything the plugin holds about a learner (Open edX user retirement). Returns rows deleted.

    Credentials issued to the learner stop verifying: their public ids no longer resolve. ``BADGE_REVOKED`` is sent
    after commit for each award that was still valid, so that services holding a copy can drop it too.
    """
    with transaction.atomic():
        # With their user: after a user row is deleted, the events after commit have only what is loaded here.
        valid = list(Award.objects.filter(user_id=user_id, revoked_at__isnull=True).select_related("program", "user"))
        # Copies of the credentials held elsewhere must stop verifying: set their status bits (the lists keep
        # only bits, never who they belonged to), then delete the awards and their stored credentials.
        set_status_bits(valid)
        with retiring():
            awards, _deleted = Award.objects.filter(user_id=user_id).delete()
        states, _deleted = LearnerCourseState.objects.filter(user_id=user_id).delete()
        # Their recorded exam results and the trail of them; as staff, their right to record (what they recorded
        # for others stays, its recorder emptied by the user's deletion if the platform ever deletes the row).
        conditions = sum(model.objects.filter(user_id=user_id).delete()[0] for model in (
            RecognitionCondition, RecognitionConditionEntry, ConditionRecorder))
        # An unfinished backfill's cursor may name the learner: it resumes just before them instead (nothing to read).
        for run in BackfillRun.objects.filter(finished_at__isnull=True).only("pk", "cursor"):
            if run.cursor == user_id:
                BackfillRun.objects.filter(pk=run.pk).update(cursor=user_id - 1)

        def announce() -> None:
            for award in valid:
                send_badge_event(award, revoked=True)
        transaction.on_commit(announce)
    log.info("microdegree: retired user %s (%s awards, %s course states, %s condition rows deleted)", user_id, awards,
             states, conditions)
    return awards + states + conditions
