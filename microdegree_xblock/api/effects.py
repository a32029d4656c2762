"""
What follows new awards, after the transaction that created them commits.

Signing their credentials, announcing them (``BADGE_AWARDED``, and the tracking-log event
``edx.microdegree.award.issued``), and issuing the degrees now due.

Eager (right after commit, in the same process) by default; in the LMS's Celery workers when
``MICRODEGREE_ASYNC_TASKS`` is on (the task ``microdegree_xblock.tasks.process_awards``, acknowledged late: a task
cut off by a worker crash runs again). So all of it is idempotent per award: each award is signed once
(``issue_credentials``), announced once (``Award.announced_at``) and each degree issued once (the unique insert),
however often the work runs (docs/decisions/0028-celery-tasks-acks-late-and-idempotent.rst).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .. import compat, conf
from ..data import ACHIEVEMENT, DEGREE
from ..labels import kind_name
from ..models import Award, Program, ProgramCourse
from ._internal import BADGE_ORIGIN, insert_award, template_uuid, with_retries
from .requirements import degree_due, issue_capstone_if_ready, issue_program_recognitions, outer_program_pks
from .signing import issue_credentials
from .tracking import AWARD_ISSUED, track_award

__all__ = ["after_commit", "announce_award", "follow_achievement", "follow_degree", "issue_degree_if_due",
           "process_awards", "send_badge_event"]

log = logging.getLogger(__name__)

PROCESS_AWARDS_TASK = "microdegree_xblock.tasks.process_awards"


def after_commit(award_pks: list[int]) -> None:
    """Run :func:`process_awards` once the current transaction commits (in Celery when so configured)."""
    def run() -> None:
        if conf.async_tasks():
            compat.send_task(PROCESS_AWARDS_TASK, award_pks)
        else:
            process_awards(award_pks=award_pks)
    transaction.on_commit(run)


def process_awards(*, award_pks: Iterable[int]) -> None:
    """
    The work that follows new awards (by primary key): sign, announce, and issue the degrees now due.

    Signs each award's credentials, sends ``BADGE_AWARDED`` for each award not yet announced, then checks the
    degrees. Idempotent: run again for the same awards (a Celery task re-delivered after a worker crash), it
    signs nothing, announces nothing and issues no degree twice.
    """
    awards = list(Award.objects.filter(pk__in=list(award_pks)).select_related("program", "user"))
    # Sign once per award, here in the task path (never on a page view), before anyone hears of the award.
    issue_credentials(award_pks=[award.pk for award in awards])
    for award in awards:
        announce_award(award)
    for user_id, program_pk in {(a.user_id, a.program_id) for a in awards if a.kind == ACHIEVEMENT}:
        _checked(follow_achievement, user_id, program_pk)
    for user_id, program_pk in {(a.user_id, a.program_id) for a in awards if a.kind == DEGREE}:
        _checked(follow_degree, user_id, program_pk)


def _checked(work: Callable[[int, int], int], user_id: int, program_pk: int) -> None:
    try:
        with_retries(work, user_id, program_pk)
    except Exception:  # pylint: disable=broad-except
        log.exception("microdegree: %s failed for user %s in program %s", work.__name__, user_id, program_pk)


def follow_achievement(user_id: int, program_pk: int) -> int:
    """A new record in a programme: its capstone's record (when taken last and now due), else its degree; how many."""
    with transaction.atomic():
        capstone = issue_capstone_if_ready(user_id, program_pk)
        if capstone:
            after_commit([award.pk for award in capstone])  # whose own run checks the degree
            return len(capstone)
    return int(issue_degree_if_due(user_id, program_pk) is not None)


def follow_degree(user_id: int, program_pk: int) -> int:
    """A new degree: the programme's recognitions now due, then what the programmes nesting it owe; how many."""
    with transaction.atomic():
        created = issue_program_recognitions(user_id, program_pk)
        if created:
            after_commit([award.pk for award in created])
    # A step more: an outer programme's capstone record, or its degree, may be due.
    return len(created) + sum(follow_achievement(user_id, outer_pk) for outer_pk in outer_program_pks(program_pk))


def issue_degree_if_due(user_id: int, program_pk: int) -> Award | None:
    """
    Issue the learner's degree of a program when its requirement tree holds (its work follows after commit).

    The tree holds with every required course's record, the chosen electives and the nested programmes' degrees.
    """
    if not degree_due(user_id, program_pk):
        return None
    program = Program.objects.get(pk=program_pk)
    with transaction.atomic():
        degree = Award(user_id=user_id, program_id=program_pk, course_key=None, kind=DEGREE,
                       issued_at=timezone.now(), evidence_event_type="microdegree.degree.requirements_met")
        if not insert_award(degree):
            return None
        log.info("microdegree: degree %s issued to user %s in program %s", degree.uuid, user_id, program.slug)
        after_commit([degree.pk])
    return degree


def _badge_title(award: Award) -> str:
    """The badge's name as its credential names it (a recognition: its title, or its body's, and what it recognises)."""
    if award.kind == DEGREE:
        return award.program.title
    course = (ProgramCourse.objects.filter(program_id=award.program_id, course_key=award.course_key).first()
              if award.course_key else None)
    title = course.title if course else str(award.course_key or award.program.title)
    if award.rule:  # a recognition (only recognitions have a rule): named as api.facts.recognition_facts names it
        recognition = award.program.recognitions.filter(slug=award.rule).select_related("issuer").first()
        if recognition is not None:
            return f"{recognition.title or f'Recognition by {recognition.issuer.name}'}: {title}"
        return f"{kind_name(award.kind)} {award.rule}: {title}"
    return f"{kind_name(award.kind)}: {title}"


def announce_award(award: Award) -> bool:
    """
    Send ``BADGE_AWARDED`` for an award not yet announced and not revoked, then record it; True if sent now.

    The send comes first and ``announced_at`` is set right after it, by an UPDATE that only an unannounced award
    matches: a crash between the two repeats the event once on the next run, and nothing loses it (ADR 0028). A
    failed send leaves the award unannounced, for the next run.
    """
    due = Award.objects.filter(pk=award.pk, announced_at__isnull=True, revoked_at__isnull=True)
    if not due.exists():  # announced (by an earlier run of this work), or revoked meanwhile
        return False
    if not send_badge_event(award, revoked=False):
        return False
    now = timezone.now()
    if Award.objects.filter(pk=award.pk, announced_at__isnull=True).update(announced_at=now):
        award.announced_at = now
        track_award(AWARD_ISSUED, award, issued_at=award.issued_at.isoformat(),
                    evidence_value=_number(award.evidence_value), evidence_threshold=_number(award.evidence_threshold),
                    evidence_event_type=award.evidence_event_type)
    else:
        log.warning("microdegree: award %s was announced by two runs at once: BADGE_AWARDED sent twice", award.uuid)
    return True


def _number(value: Decimal | None) -> str | None:
    """A stored share as plain text for analytics: ``0.82``, ``0.7``, ``1``."""
    return None if value is None else format(value.normalize(), "f")


def send_badge_event(award: Award, *, revoked: bool) -> bool:
    """Send ``BADGE_AWARDED`` (or ``BADGE_REVOKED``) for one award; a failure is logged (False), never raised."""
    try:
        compat.send_badge_event(
            revoked=revoked,
            badge_uuid=str(award.uuid),
            user=award.user,
            template_uuid=template_uuid(program_id=award.program.slug, kind=award.kind,
                                        course_key=str(award.course_key) if award.course_key else None,
                                        rule=award.rule),
            origin=BADGE_ORIGIN,
            name=_badge_title(award),
            description=award.program.title,
        )
    except Exception:  # pylint: disable=broad-except
        log.exception("microdegree: sending the badge event for award %s failed", award.uuid)
        return False
    return True
